package simnet

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// BenchmarkTracePlain is a trace without packets: the allocation count must
// not grow with the packet view (issue 3). Before the packet view existed
// it made 276 allocs/op (23644 B/op) on the built-in headline.
func BenchmarkTracePlain(b *testing.B) {
	w, t := benchWorld(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Trace(ctx, "", t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTracePackets is the same trace with every hop's packet built
// with gopacket (trace --packets).
func BenchmarkTracePackets(b *testing.B) {
	w, t := benchWorld(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.TracePackets(ctx, "", t); err != nil {
			b.Fatal(err)
		}
	}
}

// decoded is a hop's packet, decoded for a test.
type decoded struct {
	tup     tuple
	ttl     uint8
	syn     bool
	ack     bool
	seq     uint32
	ackNum  uint32
	dns     *dns.Msg
	layers  []string
	summary string
}

func decodeHop(t *testing.T, h tracer.Hop) decoded {
	t.Helper()
	if h.Packet == nil {
		t.Fatalf("hop %s %s has no packet", h.Component, h.Code)
	}
	d := newDecoder()
	if err := d.decode(h.Packet.Data); err != nil {
		t.Fatalf("hop %s %s: packet does not decode: %v", h.Component, h.Code, err)
	}
	tup, ttl, ok := viewTuple(&h)
	if !ok {
		t.Fatalf("hop %s %s: no flow recorded", h.Component, h.Code)
	}
	// The packet the hop shows is the flow the engine recorded there.
	sp, dp := d.ports()
	if wire := (tuple{src: d.src(), dst: d.dst(), sport: sp, dport: dp}); wire != tup || d.ip4.TTL != ttl {
		t.Fatalf("hop %s %s: packet %+v ttl %d, flow %+v ttl %d", h.Component, h.Code, wire, d.ip4.TTL, tup, ttl)
	}
	out := decoded{tup: tup, ttl: ttl, layers: h.Packet.Layers, summary: h.Packet.Summary}
	if d.hasTCP {
		out.syn, out.ack, out.seq, out.ackNum = d.tcp.SYN, d.tcp.ACK, d.tcp.Seq, d.tcp.Ack
	}
	if d.hasUDP {
		m := new(dns.Msg)
		if m.Unpack(d.udp.Payload) == nil {
			out.dns = m
		}
	}
	return out
}

func hopsOf(r *tracer.Report, stage string) []tracer.Hop {
	if s := r.Stage(stage); s != nil {
		return s.Hops
	}
	return nil
}

// findHop returns the first hop of the stage that matches.
func findHop(t *testing.T, r *tracer.Report, stage string, match func(tracer.Hop) bool) (int, tracer.Hop) {
	t.Helper()
	for i, h := range hopsOf(r, stage) {
		if match(h) {
			return i, h
		}
	}
	t.Fatalf("no %s hop matches", stage)
	return -1, tracer.Hop{}
}

func TestPacketViews(t *testing.T) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, target string
		check              func(t *testing.T, r *tracer.Report)
	}{
		{"the DNS question and answer", "browser", "https://shop.example.com/", func(t *testing.T, r *tracer.Report) {
			hops := hopsOf(r, tracer.StageDNS)
			q := decodeHop(t, hops[0])
			if q.dns == nil || q.dns.Response || q.dns.Question[0].Name != "shop.example.com." || q.dns.Question[0].Qtype != dns.TypeA {
				t.Errorf("first DNS hop = %+v; want the query shop.example.com. A", q.dns)
			}
			if q.tup.dst != ap("198.51.100.53") || q.tup.dport != 53 || q.tup.src != ap("198.51.100.10") {
				t.Errorf("query goes %+v; want browser to public-resolver:53", q.tup)
			}
			a := decodeHop(t, hops[len(hops)-1])
			if a.dns == nil || !a.dns.Response || a.dns.Id != q.dns.Id || len(a.dns.Answer) != 3 {
				t.Fatalf("last DNS hop = %v; want the answer to query %d with a CNAME and two A records", a.dns, q.dns.Id)
			}
			if c, ok := a.dns.Answer[0].(*dns.CNAME); !ok || c.Target != "web-lb.example.com." {
				t.Errorf("answer starts with %v; want the CNAME to web-lb.example.com.", a.dns.Answer[0])
			}
			// The resolver's walk: the root's referral names the com. servers.
			_, root := findHop(t, r, tracer.StageDNS, func(h tracer.Hop) bool { return h.Kind == "root-server" })
			if rr := decodeHop(t, root); rr.dns == nil || len(rr.dns.Ns) == 0 || rr.dns.Ns[0].Header().Name != "com." {
				t.Errorf("root hop = %v; want a referral to com.", rr.dns)
			}
		}},
		{"the SYN and its SYN-ACK", "browser", "https://shop.example.com/", func(t *testing.T, r *tracer.Report) {
			hops := hopsOf(r, tracer.StageTCP)
			syn := decodeHop(t, hops[0])
			if !syn.syn || syn.ack || syn.tup != (tuple{ap("198.51.100.10"), ap("203.0.113.10"), syn.tup.sport, 443}) || syn.ttl != 64 {
				t.Errorf("the client sends %+v; want a SYN to 203.0.113.10:443 with TTL 64", syn)
			}
			last := decodeHop(t, hops[len(hops)-1])
			if !last.syn || !last.ack || last.ackNum != syn.seq+1 || last.tup != syn.tup.mirror() {
				t.Errorf("the client receives %+v; want the SYN-ACK acknowledging seq %d from %v", last, syn.seq, syn.tup.mirror())
			}
			if !strings.Contains(syn.summary, "Flags [S], seq ") {
				t.Errorf("summary %q is not a tcpdump line", syn.summary)
			}
		}},
		{"the internet gateway maps public to private", "browser", "https://shop.example.com/", func(t *testing.T, r *tracer.Report) {
			i, igw := findHop(t, r, tracer.StageTCP, func(h tracer.Hop) bool {
				return h.Code == tracer.IGWTranslate && h.Direction == tracer.Forward
			})
			before, after := decodeHop(t, igw), decodeHop(t, hopsOf(r, tracer.StageTCP)[i+1])
			if before.tup.dst != ap("203.0.113.10") || after.tup.dst != ap("10.0.1.10") {
				t.Errorf("destination %v at the gateway, %v after it; want 203.0.113.10 → 10.0.1.10", before.tup.dst, after.tup.dst)
			}
			if l := igw.Packet.Layers[len(igw.Packet.Layers)-1]; !strings.Contains(l, "destination rewritten") || !strings.Contains(l, "10.0.1.10:443") {
				t.Errorf("the gateway's view ends %q; want the rewrite to 10.0.1.10:443 shown", l)
			}
			_, back := findHop(t, r, tracer.StageTCP, func(h tracer.Hop) bool {
				return h.Code == tracer.IGWTranslate && h.Direction == tracer.Return
			})
			if l := back.Packet.Layers[len(back.Packet.Layers)-1]; !strings.Contains(l, "source rewritten: 203.0.113.10:443") {
				t.Errorf("the reply's gateway view ends %q; want the source rewritten to 203.0.113.10:443", l)
			}
		}},
		{"the balancer's second connection", "browser", "https://shop.example.com/", func(t *testing.T, r *tracer.Report) {
			_, sent := findHop(t, r, tracer.StageHTTP, func(h tracer.Hop) bool { return h.Code == tracer.Sent && h.Kind == "load-balancer" })
			p := decodeHop(t, sent)
			if !p.syn || p.tup.src != ap("10.0.1.10") || p.tup.dport != 8080 || !(p.tup.dst == ap("10.0.10.21") || p.tup.dst == ap("10.0.11.21")) {
				t.Errorf("the balancer sends %+v; want a SYN from its private address 10.0.1.10 to an app server on 8080", p)
			}
		}},
		{"the NAT gateway rewrites the source", "app-1", "https://api.partner.example.net/", func(t *testing.T, r *tracer.Report) {
			hops := hopsOf(r, tracer.StageTCP)
			i, nat := findHop(t, r, tracer.StageTCP, func(h tracer.Hop) bool {
				return h.Code == tracer.NATTranslate && h.Direction == tracer.Forward
			})
			syn := decodeHop(t, hops[0])
			before, after := decodeHop(t, nat), decodeHop(t, hops[i+1])
			if before.tup != syn.tup || after.tup.src != ap("10.0.1.5") || after.tup.sport == syn.tup.sport || after.ttl != 63 {
				t.Errorf("at nat-a %+v, after %+v; want %v rewritten to 10.0.1.5 with a new port and TTL 63", before.tup, after, syn.tup)
			}
			_, out := findHop(t, r, tracer.StageTCP, func(h tracer.Hop) bool {
				return h.Code == tracer.IGWTranslate && h.Direction == tracer.Forward
			})
			if l := out.Packet.Layers[len(out.Packet.Layers)-1]; !strings.Contains(l, "source rewritten: 203.0.113.20:"+itoa(after.tup.sport)) {
				t.Errorf("the gateway's view ends %q; want nat-a's public address 203.0.113.20 and its port", l)
			}
			j, back := findHop(t, r, tracer.StageTCP, func(h tracer.Hop) bool {
				return h.Code == tracer.NATTranslate && h.Direction == tracer.Return
			})
			home := decodeHop(t, hops[j+1])
			if home.tup != syn.tup.mirror() {
				t.Errorf("after %s the reply is %+v; want it back at %v", back.Component, home.tup, syn.tup.mirror())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := w.TracePackets(context.Background(), tt.from, mustTarget(t, tt.target))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func itoa(p uint16) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), p).String()[len("0.0.0.0:"):]
}

// TestPlainTraceBuildsNoPackets: packets cost allocations, so only
// TracePackets builds them.
func TestPlainTraceBuildsNoPackets(t *testing.T) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	r := trace(t, w, "", w.Headline())
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Packet != nil {
				t.Fatalf("plain trace: hop %s %s carries a packet", h.Component, h.Code)
			}
		}
	}
	rp, err := w.TracePackets(context.Background(), "", mustTarget(t, w.Headline()))
	if err != nil {
		t.Fatal(err)
	}
	if rp.Verdict != r.Verdict || len(rp.Stages) != len(r.Stages) {
		t.Errorf("with packets the verdict is %s over %d stages; without, %s over %d", rp.Verdict, len(rp.Stages), r.Verdict, len(r.Stages))
	}
	for i := range r.Stages {
		if a, b := len(r.Stages[i].Hops), len(rp.Stages[i].Hops); a != b {
			t.Errorf("stage %s: %d hops without packets, %d with", r.Stages[i].Name, a, b)
		}
	}
}

// FuzzDescribePacket: describing any bytes as a packet never panics.
func FuzzDescribePacket(f *testing.F) {
	s := segment{src: ap("10.0.0.1"), dst: ap("10.0.0.2"), proto: protoTCP, sport: 1, dport: 2, flags: flagSYN, synOpts: true}
	b, _ := s.build()
	f.Add(b) // a SYN with options
	u := segment{src: ap("10.0.0.1"), dst: ap("10.0.0.2"), proto: protoUDP, sport: 53, dport: 53, payload: []byte{0, 1, 0, 0, 0, 1}}
	b, _ = u.build()
	f.Add(b)               // a truncated DNS message
	f.Add([]byte{0x45})    // a lone IPv4 version byte
	f.Add([]byte{0x60, 0}) // a lone IPv6 start
	f.Fuzz(func(t *testing.T, data []byte) {
		v := describePacket(data)
		if v == nil || v.Summary == "" {
			t.Fatal("no description")
		}
		_ = TcpdumpLines([]Packet{{Data: data}})
	})
}
