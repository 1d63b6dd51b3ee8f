package play

// hostCommands are the commands engineers type on a host, beyond the
// first set: each is in a file of its own (cmd_*.go) and prints what the
// real tool prints.
var hostCommands = []*command{
	{name: "nslookup", kind: "observe", usage: "nslookup [-type=TYPE] [-port=N] NAME|ADDRESS [SERVER]", summary: "ask DNS, as nslookup does", run: (*Shell).nslookup},
	{name: "host", kind: "observe", usage: "host [-t TYPE] [-p PORT] NAME|ADDRESS [SERVER]", summary: "ask DNS, as host does", run: (*Shell).host},
}
