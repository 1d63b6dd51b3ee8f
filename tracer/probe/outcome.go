package probe

import "fmt"

// PortState is what a TCP probe learned about a port.
type PortState int

const (
	// PortFiltered: silence after every retry, or an ICMP error (the
	// result then names it).
	PortFiltered PortState = iota
	// PortOpen: the SYN was answered with SYN-ACK (or connect() succeeded).
	PortOpen
	// PortClosed: the SYN was answered with RST (connection refused).
	PortClosed
	// PortUnreachable: ICMP host or network unreachable, or this host's
	// own ARP failed: no host answers at the address.
	PortUnreachable
	// PortInterrupted: the probe was stopped before the port could tell;
	// it says nothing about the port.
	PortInterrupted
)

func (s PortState) String() string {
	switch s {
	case PortOpen:
		return "open"
	case PortClosed:
		return "closed"
	case PortFiltered:
		return "filtered"
	case PortUnreachable:
		return "unreachable"
	case PortInterrupted:
		return "interrupted"
	}
	return fmt.Sprintf("PortState(%d)", int(s))
}

// MarshalText makes a PortState read as its name in JSON.
func (s PortState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Method is how a probe was made.
type Method int

const (
	// MethodSYN: a half-open SYN on a raw socket.
	MethodSYN Method = iota
	// MethodConnect: the kernel's connect(), for users without CAP_NET_RAW.
	MethodConnect
	// MethodRecvErr: UDP datagrams whose ICMP errors are read from the
	// socket error queue (IP_RECVERR), for users without CAP_NET_RAW.
	MethodRecvErr
	// MethodRaw: whole packets (UDP, ICMP echo or TCP SYN) on a raw socket.
	MethodRaw
)

func (m Method) String() string {
	switch m {
	case MethodSYN:
		return "syn"
	case MethodConnect:
		return "connect"
	case MethodRecvErr:
		return "recverr"
	case MethodRaw:
		return "raw"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// MarshalText makes a Method read as its name in JSON.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// ReplyKind is what kind of packet answered a probe.
type ReplyKind int

const (
	ReplyNone         ReplyKind = iota // nothing, or not ours
	ReplySYNACK                        // TCP SYN-ACK from the target
	ReplyRST                           // TCP RST from the target
	ReplyEchoReply                     // ICMP echo reply from the target
	ReplyTimeExceeded                  // ICMP time exceeded from a router
	ReplyUnreachable                   // ICMP destination unreachable
)

func (k ReplyKind) String() string {
	switch k {
	case ReplyNone:
		return "none"
	case ReplySYNACK:
		return "syn-ack"
	case ReplyRST:
		return "rst"
	case ReplyEchoReply:
		return "echo-reply"
	case ReplyTimeExceeded:
		return "time-exceeded"
	case ReplyUnreachable:
		return "unreachable"
	}
	return fmt.Sprintf("ReplyKind(%d)", int(k))
}

// Marker is traceroute's mark for an ICMP destination-unreachable code:
// !N, !H, !P, !F-mtu, !X (administratively prohibited), or !<code>. Port
// unreachable (code 3) is the normal end of a UDP traceroute and has none.
func Marker(typ, code int) string {
	if typ != 3 {
		return ""
	}
	switch code {
	case 0, 6, 11:
		return "!N"
	case 1, 7, 12:
		return "!H"
	case 2:
		return "!P"
	case 3:
		return ""
	case 4:
		return "!F-mtu"
	case 9, 10, 13:
		return "!X"
	}
	return fmt.Sprintf("!%d", code)
}

// UnmarshalText reads a PortState's name.
func (s *PortState) UnmarshalText(b []byte) error {
	for _, x := range []PortState{PortOpen, PortClosed, PortFiltered, PortUnreachable, PortInterrupted} {
		if x.String() == string(b) {
			*s = x
			return nil
		}
	}
	return fmt.Errorf("probe: unknown port state %q", b)
}

// UnmarshalText reads a Method's name.
func (m *Method) UnmarshalText(b []byte) error {
	for _, x := range []Method{MethodSYN, MethodConnect, MethodRecvErr, MethodRaw} {
		if x.String() == string(b) {
			*m = x
			return nil
		}
	}
	return fmt.Errorf("probe: unknown method %q", b)
}
