package play

import "strings"

// hostCommands are the commands engineers type on a host, beyond the
// first set: each is in a file of its own (cmd_*.go) and prints what the
// real tool prints.
var hostCommands = []*command{
	{name: "nslookup", kind: "observe", usage: "nslookup [-type=TYPE] [-port=N] NAME|ADDRESS [SERVER]", summary: "ask DNS, as nslookup does", run: (*Shell).nslookup},
	{name: "host", kind: "observe", usage: "host [-t TYPE] [-p PORT] NAME|ADDRESS [SERVER]", summary: "ask DNS, as host does", run: (*Shell).host},
	{name: "cat", kind: "observe", usage: "cat FILE...", summary: "print a file of this host (/etc/resolv.conf, /etc/hosts, services' units and configuration, firewall rules)", run: (*Shell).cat},
	{name: "less", kind: "observe", usage: "less FILE", summary: "print a file of this host", run: (*Shell).less},
	{name: "head", kind: "observe", usage: "head [-n N] FILE...", summary: "print the first lines of a file of this host", run: (*Shell).head},
	{name: "systemctl", kind: "observe", usage: "systemctl status|start|stop|restart|is-active SERVICE", summary: "a service's state; start, stop and restart change it (fixes)", run: (*Shell).systemctl},
	{name: "journalctl", kind: "observe", usage: "journalctl -u SERVICE [-n N]", summary: "a service's log: where it listens, when it stopped", run: (*Shell).journalctl},
	{name: "telnet", kind: "observe", usage: "telnet HOST [PORT]", summary: "open a TCP connection, as telnet does", run: (*Shell).telnet},
	{name: "openssl", kind: "observe", usage: "openssl s_client -connect HOST:PORT [-servername NAME] [-showcerts] [-brief]", summary: "make a TLS handshake and show the certificate and its verification", run: (*Shell).openssl},
	{name: "netstat", kind: "observe", usage: "netstat [-t] [-u] [-l] [-a] [-n] [-p]", summary: "list this host's sockets, as net-tools' netstat does", run: (*Shell).netstat},
	{name: "mtr", kind: "observe", usage: "mtr --report [-n] [-c COUNT] [-T [-P PORT]] HOST", summary: "the path's hops with their loss and times, as mtr --report does", run: (*Shell).mtr},
	{name: "tracepath", kind: "observe", usage: "tracepath [-n] [-b] [-m HOPS] [-l LENGTH] [-p PORT] HOST", summary: "the path's hops and its MTU, as tracepath does", run: (*Shell).tracepath},
}

// commandKind is how a command line counts in a session's timeline:
// systemctl start, stop and restart are fixes, its other verbs observe.
func commandKind(name string, args []string) string {
	c := shellCommands()[name]
	if c == nil {
		return "other"
	}
	if name == "systemctl" {
		for _, a := range args {
			if a == "start" || a == "stop" || a == "restart" {
				return "fix"
			}
		}
	}
	return c.kind
}

// optLetter is the first letter of an option after its dashes, for the
// tools' "invalid option -- 'x'"; "-" when there is none ("--").
func optLetter(a string) string {
	for _, r := range strings.TrimLeft(a, "-") {
		return string(r)
	}
	return "-"
}
