package probe

import (
	"net/netip"
	"testing"
	"time"
)

var (
	target = netip.MustParseAddr("10.77.3.2")
	router = netip.MustParseAddr("10.77.2.2")
)

func TestPlanSYN(t *testing.T) {
	targets := []netip.AddrPort{netip.AddrPortFrom(target, 80), netip.AddrPortFrom(target, 81), netip.AddrPortFrom(router, 80)}
	p, err := PlanSYN(targets, 40000, 0xfffffff0, 2, time.Second) // the key wraps: sequence space is modular
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint32]bool{}
	for i := range targets {
		for a := 0; a < p.Tries; a++ {
			pr := p.Probe(i, a)
			if seen[pr.Seq] {
				t.Fatalf("Probe(%d, %d) reuses sequence %d", i, a, pr.Seq)
			}
			seen[pr.Seq] = true
			// A SYN-ACK and a RST acknowledge seq+1; an ICMP error quotes seq.
			for _, r := range []TCPReply{{SrcPort: targets[i].Port(), DstPort: 40000, Ack: pr.Seq + 1, SYN: true, ACK: true},
				{SrcPort: targets[i].Port(), DstPort: 40000, Ack: pr.Seq + 1, RST: true, ACK: true}} {
				got, ok := p.MatchTCP(targets[i].Addr(), r)
				if !ok || got != pr {
					t.Errorf("MatchTCP(%s, %+v) = %+v, %v; want %+v", targets[i], r, got, ok, pr)
				}
			}
			q := Quote{Proto: 6, Src: netip.MustParseAddr("10.77.1.1"), Dst: targets[i].Addr(), SrcPort: 40000, DstPort: targets[i].Port(), Seq: pr.Seq}
			if got, ok := p.MatchQuote(q); !ok || got != pr {
				t.Errorf("MatchQuote(%+v) = %+v, %v; want %+v", q, got, ok, pr)
			}
		}
	}
	for _, tc := range []struct {
		name string
		from netip.Addr
		r    TCPReply
	}{
		{"other source port", target, TCPReply{SrcPort: 80, DstPort: 40001, Ack: p.Probe(0, 0).Seq + 1, SYN: true, ACK: true}},
		{"another host answering for the target", router, TCPReply{SrcPort: 80, DstPort: 40000, Ack: p.Probe(0, 0).Seq + 1, RST: true}},
		{"wrong port for the sequence", target, TCPReply{SrcPort: 81, DstPort: 40000, Ack: p.Probe(0, 0).Seq + 1, RST: true}},
		{"a plain ACK", target, TCPReply{SrcPort: 80, DstPort: 40000, Ack: p.Probe(0, 0).Seq + 1, ACK: true}},
		{"an attempt never sent", target, TCPReply{SrcPort: 80, DstPort: 40000, Ack: p.Probe(0, 5).Seq + 1, RST: true}},
		{"a sequence past the targets", target, TCPReply{SrcPort: 80, DstPort: 40000, Ack: p.Probe(9, 0).Seq + 1, RST: true}},
	} {
		if got, ok := p.MatchTCP(tc.from, tc.r); ok {
			t.Errorf("%s: MatchTCP matched %+v; want no match", tc.name, got)
		}
	}
	if _, err := PlanSYN(nil, 1, 1, 1, time.Second); err == nil {
		t.Error("PlanSYN(no targets) succeeded; want an error")
	}
}

func TestPlanTrace(t *testing.T) {
	for _, proto := range []string{"udp", "tcp", "icmp"} {
		t.Run(proto, func(t *testing.T) {
			p, err := PlanTrace(proto, target, 0, 30, 2, 41000, 0xfffe0005)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Probes) != 60 {
				t.Fatalf("%d probes; want 60", len(p.Probes))
			}
			// First tries of every TTL leave before any second try.
			for i := 0; i < 30; i++ {
				if p.Probes[i].TTL != i+1 || p.Probes[i].Attempt != 0 || p.Probes[30+i].Attempt != 1 {
					t.Fatalf("probe %d = %+v; want TTL %d attempt 0", i, p.Probes[i], i+1)
				}
			}
			ids := map[uint16]bool{}
			for _, pr := range p.Probes {
				if ids[pr.IPID] {
					t.Fatalf("IP ID %d reused", pr.IPID)
				}
				ids[pr.IPID] = true
				q := Quote{Dst: target, SrcPort: pr.SrcPort, DstPort: pr.DstPort, Seq: pr.Seq, EchoID: pr.EchoID, EchoSeq: pr.EchoSeq}
				switch proto {
				case "udp":
					q.Proto = 17
				case "tcp":
					q.Proto = 6
				case "icmp":
					q.Proto = 1
				}
				if got, ok := p.MatchQuote(q); !ok || got != pr {
					t.Errorf("MatchQuote(%+v) = %+v, %v; want %+v", q, got, ok, pr)
				}
				q.Dst = router
				if _, ok := p.MatchQuote(q); ok {
					t.Errorf("MatchQuote matched a quote to another destination")
				}
			}
			// Replies from the target itself.
			last := p.Probes[59]
			switch proto {
			case "tcp":
				if got, ok := p.MatchTCP(target, TCPReply{SrcPort: 80, DstPort: 41000, Ack: last.Seq + 1, RST: true}); !ok || got != last {
					t.Errorf("MatchTCP(RST) = %+v, %v; want %+v", got, ok, last)
				}
			case "icmp":
				if got, ok := p.MatchEcho(target, ICMPMessage{Type: 0, EchoID: last.EchoID, EchoSeq: last.EchoSeq}); !ok || got != last {
					t.Errorf("MatchEcho = %+v, %v; want %+v", got, ok, last)
				}
			}
		})
	}
	for _, tc := range []struct {
		proto         string
		port          uint16
		hops, queries int
	}{{"sctp", 0, 30, 1}, {"udp", 0, 0, 1}, {"udp", 0, 65, 1}, {"udp", 0, 30, 6}, {"udp", 65500, 30, 2}} {
		if _, err := PlanTrace(tc.proto, target, tc.port, tc.hops, tc.queries, 1, 1); err == nil {
			t.Errorf("PlanTrace(%s, port %d, %d hops, %d queries) succeeded; want an error", tc.proto, tc.port, tc.hops, tc.queries)
		}
	}
}

func TestSummarize(t *testing.T) {
	p, _ := PlanTrace("tcp", target, 9001, 30, 1, 1, 1)
	hop := func(ttl int, a string, kind ReplyKind, code int) HopResult {
		h := HopResult{TTL: ttl, Address: netip.MustParseAddr(a), Kind: kind, ICMPType: 3, ICMPCode: code}
		if kind == ReplyUnreachable {
			h.Marker = Marker(3, code)
		}
		return h
	}
	base := func() []HopResult {
		hs := make([]HopResult, 31)
		for i := range hs {
			hs[i].TTL = i
		}
		hs[1] = hop(1, "10.77.1.2", ReplyTimeExceeded, 0)
		hs[2] = hop(2, "10.77.2.2", ReplyTimeExceeded, 0)
		return hs
	}
	t.Run("silent filter", func(t *testing.T) {
		r := summarize(&p, base(), 0, false)
		if r.Reached || r.StoppedAfter != 2 || r.FirstSilent != 3 || len(r.Hops) != 3 || !r.Hops[2].Silent() {
			t.Errorf("summarize = %+v; want stopped after 2, TTL 3 silent", r)
		}
	})
	t.Run("reached", func(t *testing.T) {
		hs := base()
		hs[3] = hop(3, "10.77.3.2", ReplySYNACK, 0)
		hs[4] = hop(4, "10.77.3.2", ReplySYNACK, 0)
		r := summarize(&p, hs, 3, false)
		if !r.Reached || len(r.Hops) != 3 || r.StoppedAfter != 3 {
			t.Errorf("summarize = %+v; want reached at 3 with 3 hops", r)
		}
	})
	t.Run("prohibited", func(t *testing.T) {
		hs := base()
		hs[3] = hop(3, "10.77.2.2", ReplyUnreachable, 13)
		r := summarize(&p, hs, 3, true)
		if r.Reached || r.Hops[2].Marker != "!X" || r.Reason[:11] != "interrupted" {
			t.Errorf("summarize = %+v; want !X at 3, interrupted", r)
		}
	})
}

func TestSilentWait(t *testing.T) {
	o := TraceOptions{}
	for _, tc := range []struct{ rtt, want time.Duration }{
		{0, 200 * time.Millisecond},
		{time.Millisecond, 200 * time.Millisecond},
		{100 * time.Millisecond, 300 * time.Millisecond},
		{5 * time.Second, 3 * time.Second},
	} {
		if got := o.SilentWait(tc.rtt); got != tc.want {
			t.Errorf("SilentWait(%v) = %v; want %v", tc.rtt, got, tc.want)
		}
	}
}

func TestPacer(t *testing.T) {
	now := time.Unix(0, 0)
	p := newPacer(100, 2)
	p.now = func() time.Time { return now }
	var got []time.Duration
	for range 4 {
		got = append(got, p.delay())
	}
	want := []time.Duration{0, 0, 10 * time.Millisecond, 20 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays = %v; want %v", got, want)
		}
	}
	now = now.Add(time.Second) // the bucket refills, up to its burst
	if d := p.delay(); d != 0 {
		t.Errorf("delay after a second = %v; want 0", d)
	}
}

func TestMarker(t *testing.T) {
	for _, tc := range []struct {
		typ, code int
		want      string
	}{{3, 13, "!X"}, {3, 1, "!H"}, {3, 0, "!N"}, {3, 4, "!F-mtu"}, {3, 3, ""}, {11, 0, ""}, {3, 15, "!15"}} {
		if got := Marker(tc.typ, tc.code); got != tc.want {
			t.Errorf("Marker(%d, %d) = %q; want %q", tc.typ, tc.code, got, tc.want)
		}
	}
	for _, s := range []PortState{PortOpen, PortClosed, PortFiltered} {
		var back PortState
		b, _ := s.MarshalText()
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("PortState %s does not round-trip: %v", s, err)
		}
	}
}
