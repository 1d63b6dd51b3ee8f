package tracer

// Codes of Linux hosts with more than one address (issue 10, Build 2).
// They live in their own file and join the code table when it is first
// built (newCodeInfo), so that the table of the contract stays as it is.
const (
	// ReplyFromUnexpectedSource: a UDP server answers from another
	// address than the one it was asked at (a socket bound to 0.0.0.0
	// without IP_PKTINFO answers from the primary address, whichever
	// secondary address was asked). The client's socket is connected to
	// the address it asked, so the kernel drops the answer and the client
	// times out: dig 9.18 prints "communications error ... timed out"
	// three times (older digs warned ";; reply from unexpected source").
	ReplyFromUnexpectedSource Code = "REPLY_FROM_UNEXPECTED_SOURCE"
)

// LinuxCodes returns the codes of Linux host semantics, for `pathlab
// codes`.
func LinuxCodes() []Code { return []Code{ReplyFromUnexpectedSource} }

func addLinuxCodes(m map[Code]CodeInfo) {
	m[ReplyFromUnexpectedSource] = block(GroupSockets, "", TopicApp, KindSocket, ActDrop,
		Observation{Conn: ConnTimeout, Line: ";; communications error to ADDR#53: timed out"},
		"the server answers from another address than the one asked (a UDP socket on 0.0.0.0 without IP_PKTINFO replies from the primary address): the client's connected socket drops the answer and it times out")
}
