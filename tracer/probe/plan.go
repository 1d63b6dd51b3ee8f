package probe

import (
	"fmt"
	"net/netip"
	"time"
)

// A probe's identity is carried in fields that survive being quoted in an
// ICMP error: the IP ID, the TCP source and destination ports and sequence
// number, the UDP destination port, the ICMP echo id and sequence. Replies
// are matched to probes by these, never by arrival order.

// SYNProbe is one SYN of a TCP port probe.
type SYNProbe struct {
	Target  int // index into SYNPlan.Targets
	Attempt int // 0 for the first try
	Seq     uint32
	IPID    uint16
}

// SYNPlan says which SYNs a TCP port probe sends. It is a value: a test
// can check it, and match replies against it, without sockets.
type SYNPlan struct {
	Targets []netip.AddrPort
	SrcPort uint16
	Key     uint32 // random per run; sequence numbers start here
	Tries   int    // SYNs per target, at least 1
	Timeout time.Duration
}

// maxSYNTargets keeps Target*16+Attempt inside the sequence space we use.
const maxSYNTargets = 1 << 20

// PlanSYN plans tries SYNs to each target from srcPort, with sequence
// numbers derived from key.
func PlanSYN(targets []netip.AddrPort, srcPort uint16, key uint32, tries int, timeout time.Duration) (SYNPlan, error) {
	if len(targets) == 0 {
		return SYNPlan{}, fmt.Errorf("probe: no targets")
	}
	if len(targets) > maxSYNTargets {
		return SYNPlan{}, fmt.Errorf("probe: %d targets; at most %d", len(targets), maxSYNTargets)
	}
	tries = min(max(tries, 1), 15)
	return SYNPlan{Targets: targets, SrcPort: srcPort, Key: key, Tries: tries, Timeout: timeout}, nil
}

// Probe returns the attempt'th SYN to target i.
func (p *SYNPlan) Probe(i, attempt int) SYNProbe {
	n := uint32(i)<<4 | uint32(attempt)
	return SYNProbe{Target: i, Attempt: attempt, Seq: p.Key + n, IPID: uint16(p.Key>>16) + uint16(n)}
}

// MatchTCP returns the probe a TCP segment from `from` answers: a SYN-ACK
// or RST to our source port acknowledging one of our sequence numbers.
func (p *SYNPlan) MatchTCP(from netip.Addr, r TCPReply) (SYNProbe, bool) {
	if r.DstPort != p.SrcPort || r.Kind() == ReplyNone {
		return SYNProbe{}, false
	}
	return p.match(from, r.SrcPort, r.Ack-1)
}

// MatchQuote returns the probe an ICMP error's quote identifies.
func (p *SYNPlan) MatchQuote(q Quote) (SYNProbe, bool) {
	if q.Proto != 6 || q.SrcPort != p.SrcPort {
		return SYNProbe{}, false
	}
	return p.match(q.Dst, q.DstPort, q.Seq)
}

func (p *SYNPlan) match(dst netip.Addr, dport uint16, seq uint32) (SYNProbe, bool) {
	n := seq - p.Key
	i, attempt := int(n>>4), int(n&15)
	if i >= len(p.Targets) || attempt >= p.Tries {
		return SYNProbe{}, false
	}
	t := p.Targets[i]
	if t.Addr().Unmap() != dst.Unmap() || t.Port() != dport {
		return SYNProbe{}, false
	}
	return p.Probe(i, attempt), true
}

// TraceProbe is one probe of a traceroute.
type TraceProbe struct {
	Index   int // position in TracePlan.Probes
	TTL     int
	Attempt int
	IPID    uint16
	SrcPort uint16 // TCP and UDP
	DstPort uint16 // TCP: the port asked for; UDP: BasePort+Index
	Seq     uint32 // TCP
	EchoID  uint16 // ICMP
	EchoSeq uint16
}

// TracePlan says which probes a traceroute sends: Queries probes for each
// TTL from 1 to MaxHops, all at once.
type TracePlan struct {
	Proto   string // icmp, udp or tcp
	Dst     netip.Addr
	Port    uint16 // TCP: the destination port; UDP: the first destination port
	MaxHops int
	Queries int
	SrcPort uint16
	Key     uint32
	Probes  []TraceProbe
}

// Limits on a traceroute, so that a probe stays polite.
const (
	MaxHopsLimit = 64
	QueriesLimit = 5
)

// PlanTrace plans a traceroute to dst. For udp, port is the first
// destination port (33434 when 0), one more for each probe; for tcp it is
// the port every SYN goes to (80 when 0).
func PlanTrace(proto string, dst netip.Addr, port uint16, maxHops, queries int, srcPort uint16, key uint32) (TracePlan, error) {
	if maxHops < 1 || maxHops > MaxHopsLimit {
		return TracePlan{}, fmt.Errorf("probe: max hops %d: use 1 to %d", maxHops, MaxHopsLimit)
	}
	if queries < 1 || queries > QueriesLimit {
		return TracePlan{}, fmt.Errorf("probe: %d queries per hop: use 1 to %d", queries, QueriesLimit)
	}
	p := TracePlan{Proto: proto, Dst: dst, Port: port, MaxHops: maxHops, Queries: queries, SrcPort: srcPort, Key: key}
	switch proto {
	case "udp":
		if p.Port == 0 {
			p.Port = 33434
		}
		if int(p.Port)+maxHops*queries > 65535 {
			return TracePlan{}, fmt.Errorf("probe: udp port %d leaves no room for %d probes", p.Port, maxHops*queries)
		}
	case "tcp":
		if p.Port == 0 {
			p.Port = 80
		}
	case "icmp":
	default:
		return TracePlan{}, fmt.Errorf("probe: protocol %q: use icmp, udp or tcp", proto)
	}
	p.Probes = make([]TraceProbe, 0, maxHops*queries)
	// Attempts go round the TTLs, so the first try of every TTL leaves first.
	for a := 0; a < queries; a++ {
		for ttl := 1; ttl <= maxHops; ttl++ {
			i := len(p.Probes)
			tp := TraceProbe{Index: i, TTL: ttl, Attempt: a, IPID: uint16(key>>16) + uint16(i), SrcPort: srcPort}
			switch proto {
			case "udp":
				tp.DstPort = p.Port + uint16(i)
			case "tcp":
				tp.DstPort = p.Port
				tp.Seq = key + uint32(i)
			case "icmp":
				tp.EchoID = uint16(key)
				tp.EchoSeq = uint16(key>>16) + uint16(i)
			}
			p.Probes = append(p.Probes, tp)
		}
	}
	return p, nil
}

func (p *TracePlan) index(i int) (TraceProbe, bool) {
	if i < 0 || i >= len(p.Probes) {
		return TraceProbe{}, false
	}
	return p.Probes[i], true
}

// MatchQuote returns the probe an ICMP error quotes.
func (p *TracePlan) MatchQuote(q Quote) (TraceProbe, bool) {
	if q.Dst.Unmap() != p.Dst.Unmap() {
		return TraceProbe{}, false
	}
	switch p.Proto {
	case "udp":
		if q.Proto != 17 || q.SrcPort != p.SrcPort {
			return TraceProbe{}, false
		}
		return p.index(int(q.DstPort - p.Port))
	case "tcp":
		if q.Proto != 6 || q.SrcPort != p.SrcPort || q.DstPort != p.Port {
			return TraceProbe{}, false
		}
		return p.index(int(q.Seq - p.Key))
	case "icmp":
		if q.Proto != 1 || q.EchoID != uint16(p.Key) {
			return TraceProbe{}, false
		}
		return p.index(int(q.EchoSeq - uint16(p.Key>>16)))
	}
	return TraceProbe{}, false
}

// MatchTCP returns the probe a SYN-ACK or RST from the target answers.
func (p *TracePlan) MatchTCP(from netip.Addr, r TCPReply) (TraceProbe, bool) {
	if p.Proto != "tcp" || from.Unmap() != p.Dst.Unmap() || r.SrcPort != p.Port || r.DstPort != p.SrcPort || r.Kind() == ReplyNone {
		return TraceProbe{}, false
	}
	return p.index(int(r.Ack - 1 - p.Key))
}

// MatchEcho returns the probe an echo reply from the target answers.
func (p *TracePlan) MatchEcho(from netip.Addr, m ICMPMessage) (TraceProbe, bool) {
	if p.Proto != "icmp" || m.Type != 0 || from.Unmap() != p.Dst.Unmap() || m.EchoID != uint16(p.Key) {
		return TraceProbe{}, false
	}
	return p.index(int(m.EchoSeq - uint16(p.Key>>16)))
}
