package probe

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestExchangeTCPOnly asks a loopback server that listens on TCP only:
// ExchangeTCP gets its answer over TCP; a UDP exchange with the same port
// is refused, and Resolve says so in the Answer's Failure.
func TestExchangeTCPOnly(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP here: %v", err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		rr, _ := dns.NewRR(q.Question[0].Name + " 60 IN A 192.0.2.7")
		m.Answer = append(m.Answer, rr)
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	defer srv.Shutdown()
	server := netip.MustParseAddrPort(ln.Addr().String())
	ctx := context.Background()

	rep := ExchangeTCP(ctx, server, NewQuery("tcp.test", dns.TypeA, true), 2*time.Second)
	if rep.Msg == nil || !rep.TCP || len(rep.Msg.Answer) != 1 {
		t.Fatalf("ExchangeTCP: got %+v; want one answer over TCP", rep)
	}
	udp := ExchangeTries(ctx, server, NewQuery("tcp.test", dns.TypeA, true), 500*time.Millisecond, 1)
	if !udp.refused() {
		t.Errorf("UDP to a TCP-only server: got %+v; want refused", udp)
	}

	n := &Network{Server: server.String(), Timeout: 2 * time.Second, HostsFile: "-", Tries: 1}
	for _, tc := range []struct {
		tcp     bool
		failure string
	}{{true, ""}, {false, FailureRefused}} {
		resolve := n.Resolve
		if tc.tcp {
			resolve = n.ResolveTCP
		}
		a, err := resolve(ctx, "tcp.test", dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if a.Failure != tc.failure || (tc.failure == "") != (len(a.Addrs) == 1) {
			t.Errorf("Resolve (tcp %v): failure %q, addrs %v; want failure %q", tc.tcp, a.Failure, a.Addrs, tc.failure)
		}
	}

	ln2, _ := net.Listen("tcp4", "127.0.0.1:0")
	closed := netip.MustParseAddrPort(ln2.Addr().String())
	ln2.Close()
	if rep := ExchangeTCP(ctx, closed, NewQuery("tcp.test", dns.TypeA, true), time.Second); !rep.refused() {
		t.Errorf("ExchangeTCP to a closed port: got %+v; want refused", rep)
	}
}
