package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
	"golang.org/x/sys/unix"
)

// The ClientHello must fit one segment on a small-MTU path, as curl's
// (about 517 bytes) does; Go's default post-quantum share makes ~1.5 kB,
// which --large-hello sends on purpose, as browsers do.
func TestClientHelloSize(t *testing.T) {
	for _, tc := range []struct {
		large    bool
		min, max int
	}{
		{false, 200, 700},
		{true, 1281, 2000}, // more than a 1280-byte link carries
	} {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan int, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				got <- -1
				return
			}
			defer c.Close()
			var h [5]byte
			if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 22 {
				got <- -1
				return
			}
			got <- 5 + int(binary.BigEndian.Uint16(h[3:5]))
		}()
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		go tlsHandshakeHello(context.Background(), c, "www.lab.test", nil, time.Now(), 200*time.Millisecond, tc.large)
		n := <-got
		t.Logf("ClientHello (large %v): %d bytes", tc.large, n)
		if n < tc.min || n > tc.max {
			t.Errorf("ClientHello record (large %v) is %d bytes; want %d-%d (curl's is about 517)", tc.large, n, tc.min, tc.max)
		}
		c.Close()
		ln.Close()
	}
}

func TestSummarizeSaysWhatHappened(t *testing.T) {
	p, _ := PlanTrace("udp", target, 0, 30, 2, 1, 1)
	hops := func() []HopResult {
		hs := make([]HopResult, 31)
		for i := range hs {
			hs[i].TTL = i
		}
		hs[1] = HopResult{TTL: 1, Address: netip.MustParseAddr("10.77.1.2"), Kind: ReplyTimeExceeded, Probes: 1}
		hs[2] = HopResult{TTL: 2, Address: netip.MustParseAddr("10.77.2.2"), Kind: ReplyTimeExceeded, Probes: 2, AfterPause: true}
		return hs
	}
	t.Run("reached by port unreachable", func(t *testing.T) {
		hs := hops()
		hs[3] = HopResult{TTL: 3, Address: target, Kind: ReplyUnreachable, ICMPType: 3, ICMPCode: 3, Probes: 1}
		r := summarize(&p, hs, 3, false)
		if !r.Reached || r.FirstSilent != 0 || !strings.Contains(r.Reason, "(port unreachable)") || strings.Contains(r.Reason, "(unreachable)") {
			t.Errorf("summarize = %+v; want reached, no first silent TTL, 'port unreachable'", r)
		}
		if len(r.RateLimited) != 1 || r.RateLimited[0] != 2 || !strings.Contains(strings.Join(r.Notes, " "), "rate limiting") {
			t.Errorf("summarize notes = %q, rate-limited %v; want TTL 2 named as rate-limited", r.Notes, r.RateLimited)
		}
	})
	t.Run("a hole between answering hops", func(t *testing.T) {
		hs := hops()
		hs[2] = HopResult{TTL: 2, Probes: 2}
		hs[3] = HopResult{TTL: 3, Address: target, Kind: ReplyUnreachable, ICMPType: 3, ICMPCode: 3, Probes: 1}
		r := summarize(&p, hs, 3, false)
		if !r.Reached || !strings.Contains(strings.Join(r.Notes, " "), "not a filter") {
			t.Errorf("summarize = %+v; want reached with a note that TTL 2 is not a filter", r)
		}
	})
	t.Run("host unreachable", func(t *testing.T) {
		hs := hops()
		hs[3] = HopResult{TTL: 3, Address: router, Kind: ReplyUnreachable, ICMPType: 3, ICMPCode: 1, Marker: "!H", Probes: 1}
		r := summarize(&p, hs, 3, false)
		if r.Reached || !r.Ended || r.FirstSilent != 0 || !strings.Contains(r.Reason, "host unreachable") {
			t.Errorf("summarize = %+v; want ended at !H, not reached", r)
		}
	})
	t.Run("interrupted is not silence", func(t *testing.T) {
		hs := hops()
		hs[3] = HopResult{TTL: 3, Probes: 1}
		r := summarize(&p, hs, 0, true)
		if !r.Interrupted || r.FirstSilent != 0 || !strings.HasPrefix(r.Reason, "interrupted") || strings.Contains(r.Reason, "never answered") {
			t.Errorf("summarize(interrupted) = %+v; want interrupted, no silent TTL claimed", r)
		}
	})
}

func TestRoundWaitFloor(t *testing.T) {
	for _, tc := range []struct{ rtt, timeout, want time.Duration }{
		{0, time.Second, time.Second},
		{time.Millisecond, time.Second, time.Second}, // never shortened below the floor
		{900 * time.Millisecond, time.Second, 2700 * time.Millisecond},
	} {
		if got := roundWait(tc.rtt, tc.timeout); got != tc.want {
			t.Errorf("roundWait(%v, %v) = %v; want %v", tc.rtt, tc.timeout, got, tc.want)
		}
	}
}

func TestExchangeRetriesWithBackoff(t *testing.T) {
	var n atomic.Int32
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		if n.Add(1) < 3 {
			return // the first two are lost
		}
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer = []dns.RR{rr("www.lab.test. 60 IN A 10.77.3.2")}
		w.WriteMsg(m)
	})
	rep := ExchangeTries(context.Background(), srv, NewQuery("www.lab.test", dns.TypeA, true), 50*time.Millisecond, 3)
	if rep.Msg == nil || rep.Tries != 3 {
		t.Fatalf("ExchangeTries = tries %d, %v; want an answer on try 3", rep.Tries, rep.Err)
	}
	n.Store(-100)
	rep = ExchangeTries(context.Background(), srv, NewQuery("www.lab.test", dns.TypeA, true), 20*time.Millisecond, 2)
	if code, _ := rep.Verdict(); rep.Msg != nil || rep.Tries != 2 || code != tracer.DNSTimeout {
		t.Errorf("ExchangeTries(silent) = tries %d code %s; want DNS_TIMEOUT after 2", rep.Tries, code)
	}
}

func TestExchangeMismatchAndTruncation(t *testing.T) {
	wrong := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Id++
		w.WriteMsg(m)
	})
	rep := ExchangeTries(context.Background(), wrong, NewQuery("www.lab.test", dns.TypeA, true), 50*time.Millisecond, 1)
	if code, why := rep.Verdict(); code != tracer.DNSMismatch || !strings.Contains(why, "expected ID") {
		t.Errorf("wrong ID: Verdict = %s %q; want DNS_MISMATCH naming the ID", code, why)
	}
	// Truncated over UDP; nothing listens on TCP at that port.
	trunc := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Truncated = true
		m.Answer = []dns.RR{rr("www.lab.test. 60 IN A 10.77.3.2")}
		w.WriteMsg(m)
	})
	rep = ExchangeTries(context.Background(), trunc, NewQuery("www.lab.test", dns.TypeA, true), 200*time.Millisecond, 1)
	var buf bytes.Buffer
	WriteDNS(&buf, "www.lab.test", dns.TypeA, rep)
	if code, _ := rep.Verdict(); code != tracer.DNSTruncated || rep.Msg == nil || !strings.Contains(buf.String(), "10.77.3.2") || !strings.Contains(buf.String(), "DNS_TRUNCATED") {
		t.Errorf("truncated, TCP refused: Verdict %s; output:\n%s\nwant the partial answer and DNS_TRUNCATED", code, buf.String())
	}
}

func TestEveryRcodeItsOwnCode(t *testing.T) {
	seen := map[tracer.Code]int{}
	for _, rc := range []int{dns.RcodeFormatError, dns.RcodeServerFailure, dns.RcodeNameError, dns.RcodeNotImplemented, dns.RcodeRefused} {
		c := RcodeCode(rc)
		if c == "" || c.Explain() == "" {
			t.Errorf("rcode %s: code %q with no explanation", RcodeName(rc), c)
		}
		seen[c]++
	}
	if len(seen) != 5 {
		t.Errorf("rcodes share codes: %v", seen)
	}
	if RcodeCode(dns.RcodeServerFailure) == tracer.DNSLameDelegation {
		t.Error("SERVFAIL is coded as a lame delegation")
	}
}

func TestResolveDanglingCNAME(t *testing.T) {
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Rcode = dns.RcodeNameError
		m.Answer = []dns.RR{rr("alias.lab.test. 60 IN CNAME gone.lab.test.")}
		w.WriteMsg(m)
	})
	n := &Network{Server: srv.String(), Timeout: time.Second, HostsFile: "-"}
	a, err := n.Resolve(context.Background(), "alias.lab.test", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	last := a.Hops[len(a.Hops)-1]
	if last.Code != tracer.DNSDanglingCNAME || !strings.Contains(last.Detail, "gone.lab.test. does not exist") {
		t.Errorf("Resolve(dangling alias) = %+v; want DNS_DANGLING_CNAME naming gone.lab.test.", last)
	}
}

func TestHostsAndNsswitch(t *testing.T) {
	hosts := []byte("127.0.0.1 localhost\n# comment\n10.0.0.5 app.internal App2 # trailing\n::1 localhost ip6-localhost\nbad line\n")
	if got := ParseHosts(hosts, "APP2.", dns.TypeA); len(got) != 1 || got[0].String() != "10.0.0.5" {
		t.Errorf("ParseHosts(APP2.) = %v; want 10.0.0.5", got)
	}
	if got := ParseHosts(hosts, "localhost", dns.TypeAAAA); len(got) != 1 || got[0].String() != "::1" {
		t.Errorf("ParseHosts(localhost AAAA) = %v; want ::1", got)
	}
	for _, tc := range []struct {
		conf string
		want bool
	}{{"", true}, {"hosts: files dns\n", true}, {"hosts:  dns files\n", false}, {"passwd: files\nhosts: resolve [!UNAVAIL=return] files myhostname dns\n", false},
		{"# hosts: dns\nhosts: files mdns4_minimal [NOTFOUND=return] dns\n", true}} {
		if got := filesFirst([]byte(tc.conf)); got != tc.want {
			t.Errorf("filesFirst(%q) = %v; want %v", tc.conf, got, tc.want)
		}
	}
}

func TestParseTopPorts(t *testing.T) {
	data := []byte("# nmap-services\nhttp\t80/tcp\t0.484143\t# World Wide Web HTTP\nssh\t22/tcp\t0.182286\nhttp\t80/udp\t0.035767\ntelnet\t23/tcp\t0.221265\nodd\tx/tcp\t0.9\nftp\t21/tcp\t0.197667\n")
	got := ParseTopPorts(data, 3)
	if len(got) != 3 || got[0] != 80 || got[1] != 23 || got[2] != 21 {
		t.Errorf("ParseTopPorts = %v; want [80 23 21]", got)
	}
}

func FuzzParseHosts(f *testing.F) {
	f.Add([]byte("127.0.0.1 localhost\n10.0.0.5 app # x\n"), "app")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ParseHosts(data, name, dns.TypeA)
		filesFirst(data)
	})
}

func FuzzParseTopPorts(f *testing.F) {
	f.Add([]byte("http\t80/tcp\t0.484143\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range ParseTopPorts(data, 10) {
			if p == 0 {
				t.Fatal("port 0")
			}
		}
	})
}

func TestRecvInfo(t *testing.T) {
	ts := make([]byte, unix.CmsgSpace(16))
	binary.NativeEndian.PutUint64(ts[0:8], uint64(unix.CmsgLen(16)))
	binary.NativeEndian.PutUint32(ts[8:12], unix.SOL_SOCKET)
	binary.NativeEndian.PutUint32(ts[12:16], unix.SCM_TIMESTAMPNS)
	binary.NativeEndian.PutUint64(ts[16:24], 1700000000)
	binary.NativeEndian.PutUint64(ts[24:32], 5)
	ttl := make([]byte, unix.CmsgSpace(4))
	binary.NativeEndian.PutUint64(ttl[0:8], uint64(unix.CmsgLen(4)))
	binary.NativeEndian.PutUint32(ttl[8:12], unix.SOL_IP)
	binary.NativeEndian.PutUint32(ttl[12:16], unix.IP_TTL)
	binary.NativeEndian.PutUint32(ttl[16:20], 61)
	at, got := recvInfo(append(ts, ttl...))
	if !at.Equal(time.Unix(1700000000, 5)) || got != 61 || BackHops(got) != 4 {
		t.Errorf("recvInfo = %v, ttl %d (back %d); want 1700000000.000000005, 61 (back 4)", at, got, BackHops(got))
	}
}

func FuzzRecvInfo(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, oob []byte) { recvInfo(oob) })
}

func TestWriteTCPSummarisesClosedPorts(t *testing.T) {
	var res []TCPResult
	for p := uint16(1); p <= 100; p++ {
		st := PortClosed
		if p == 22 {
			st = PortOpen
		}
		res = append(res, TCPResult{Addr: netip.AddrPortFrom(target, p), Port: p, State: st, Answered: true})
	}
	var b bytes.Buffer
	WriteTCP(&b, res, nil, false)
	if !strings.Contains(b.String(), "Not shown: 99 closed ports") || strings.Count(b.String(), "\n") != 3 {
		t.Errorf("WriteTCP:\n%s\nwant 'Not shown: 99 closed ports' and the open port only", b.String())
	}
}

func TestInterruptedIsItsOwnState(t *testing.T) {
	srv := startDNS(t, func(w dns.ResponseWriter, q *dns.Msg) {}) // never answers
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := TraceDNS(ctx, "www.lab.test", dns.TypeA, TraceDNSOptions{Roots: []netip.AddrPort{srv}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range res.Issues {
		if is.Code == tracer.DNSTimeout {
			t.Errorf("an interrupted dns --trace reports %s: %s", is.Code, is.Detail)
		}
	}
	if res.Rcode != "INTERRUPTED" {
		t.Errorf("an interrupted dns --trace has rcode %s; want INTERRUPTED", res.Rcode)
	}
	done, stop := context.WithCancel(context.Background())
	stop()
	scan, _, err := ScanTCP(done, []netip.AddrPort{freePort(t), freePort(t)}, TCPOptions{Connect: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range scan {
		if r.State != PortInterrupted {
			t.Errorf("a port never probed = %s; want interrupted", r.State)
		}
	}
}
