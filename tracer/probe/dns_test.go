package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// startDNS runs a DNS server on 127.0.0.1 with handler h and returns its
// address once it is serving.
func startDNS(t *testing.T, h dns.HandlerFunc) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	s := &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() { s.ActivateAndServe(); close(done) }()
	<-started
	t.Cleanup(func() { s.Shutdown(); <-done })
	return pc.LocalAddr().(*net.UDPAddr).AddrPort()
}

func rr(s string) dns.RR {
	r, err := dns.NewRR(s)
	if err != nil {
		panic(err)
	}
	return r
}

func TestExchangeBelievesOnlyMatchingReplies(t *testing.T) {
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		forged := new(dns.Msg)
		forged.SetReply(q)
		forged.Id = q.Id + 1
		forged.Answer = []dns.RR{rr("www.lab.test. 1 IN A 192.0.2.66")}
		w.WriteMsg(forged)
		other := new(dns.Msg)
		other.SetReply(q)
		other.Question[0].Name = "evil.lab.test."
		w.WriteMsg(other)
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		m.Answer = []dns.RR{rr("www.lab.test. 300 IN A 10.77.3.2")}
		w.WriteMsg(m)
	})
	q := NewQuery("www.lab.test", dns.TypeA, true)
	rep := Exchange(context.Background(), srv, q, 2*time.Second)
	if rep.Msg == nil {
		t.Fatalf("Exchange: no reply: %v", rep.Err)
	}
	if rep.Ignored != 2 || len(rep.Msg.Answer) != 1 || rep.Msg.Answer[0].(*dns.A).A.String() != "10.77.3.2" {
		t.Errorf("Exchange = %v (ignored %d); want the real answer after ignoring 2", rep.Msg.Answer, rep.Ignored)
	}
}

func TestExchangeTimeout(t *testing.T) {
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {}) // never answers
	rep := Exchange(context.Background(), srv, NewQuery("x.test", dns.TypeA, true), 50*time.Millisecond)
	if rep.Msg != nil || errText(rep.Err) != "timeout" {
		t.Errorf("Exchange to a silent server = %v, %v; want a timeout", rep.Msg, rep.Err)
	}
}

func TestCheckReply(t *testing.T) {
	q := NewQuery("www.lab.test", dns.TypeA, true)
	ok := func() *dns.Msg { m := new(dns.Msg); m.SetReply(q); return m }
	for _, tc := range []struct {
		name string
		edit func(*dns.Msg)
		want error
	}{
		{"matching", func(*dns.Msg) {}, nil},
		{"case differs", func(m *dns.Msg) { m.Question[0].Name = "WWW.lab.TEST." }, nil},
		{"a query, not a response", func(m *dns.Msg) { m.Response = false }, errNotResponse},
		{"other ID", func(m *dns.Msg) { m.Id ^= 1 }, errWrongID},
		{"other name", func(m *dns.Msg) { m.Question[0].Name = "evil.test." }, errWrongQ},
		{"other type", func(m *dns.Msg) { m.Question[0].Qtype = dns.TypeAAAA }, errWrongQ},
		{"no question", func(m *dns.Msg) { m.Question = nil }, errWrongQ},
	} {
		m := ok()
		tc.edit(m)
		if got := CheckReply(q, m); !errors.Is(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("%s: CheckReply = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	ref := func(child string) *dns.Msg {
		m := new(dns.Msg)
		m.Ns = []dns.RR{rr(child + " 300 IN NS ns." + child)}
		return m
	}
	aa := new(dns.Msg)
	aa.Authoritative = true
	refused := new(dns.Msg)
	refused.Rcode = dns.RcodeRefused
	noAA := new(dns.Msg)
	noAA.Answer = []dns.RR{rr("www.lab.test. 1 IN A 10.0.0.1")}
	for _, tc := range []struct {
		name       string
		m          *dns.Msg
		zone       string
		kind, down string
	}{
		{"referral down", ref("lab.test."), "test.", "referral", "lab.test."},
		{"authoritative", aa, "lab.test.", "answer", ""},
		{"refused", refused, "lab.test.", "lame", ""},
		{"answer without AA", noAA, "lab.test.", "lame", ""},
		{"referral upwards", ref("test."), "lab.test.", "lame", ""},
		{"referral sideways", ref("other.test."), "test.", "lame", ""},
	} {
		kind, down := classify(tc.m, tc.zone, "www.lab.test.")
		if kind != tc.kind || down != tc.down {
			t.Errorf("%s: classify = %s %q; want %s %q", tc.name, kind, down, tc.kind, tc.down)
		}
	}
}

func TestResolveFollowsCNAMEs(t *testing.T) {
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		switch q.Question[0].Name {
		case "alias.lab.test.":
			m.Answer = []dns.RR{rr("alias.lab.test. 60 IN CNAME far.other.test.")} // the target is asked again
		case "far.other.test.":
			m.Answer = []dns.RR{rr("far.other.test. 60 IN A 10.77.3.2")}
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	n := &Network{Server: srv.String(), Timeout: time.Second}
	a, err := n.Resolve(context.Background(), "alias.lab.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Addrs) != 1 || a.Addrs[0].String() != "10.77.3.2" || len(a.CNAMEs) != 1 {
		t.Errorf("Resolve(alias) = %v via %v; want 10.77.3.2 via one CNAME", a.Addrs, a.CNAMEs)
	}
	a, err = n.Resolve(context.Background(), "nope.lab.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	last := a.Hops[len(a.Hops)-1]
	if !last.Blocks || last.Code != tracer.DNSNXDomain || last.Component != srv.String() {
		t.Errorf("Resolve(nope) last hop = %+v; want a blocking DNS_NXDOMAIN from %s", last, srv)
	}
}
