package probe

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	l.Close()
	return ap
}

func listenLoopback(t *testing.T) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l.Addr().(*net.TCPAddr).AddrPort()
}

func TestScanTCPLoopback(t *testing.T) {
	open, closed := listenLoopback(t), freePort(t)
	for _, tc := range []struct {
		name    string
		connect bool
		method  Method
	}{
		{"connect", true, MethodConnect},
		{"syn", false, MethodSYN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.connect && !RawAllowed() {
				t.Skip("raw sockets refused: run as root for the SYN probe")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			res, notes, err := ScanTCP(ctx, []netip.AddrPort{open, closed}, TCPOptions{Connect: tc.connect})
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) != 0 {
				t.Errorf("notes = %q; want none", notes)
			}
			want := []PortState{PortOpen, PortClosed}
			for i, r := range res {
				if r.State != want[i] || r.Method != tc.method {
					t.Errorf("ScanTCP(%s) = %s by %s; want %s by %s", r.Addr, r.State, r.Method, want[i], tc.method)
				}
			}
		})
	}
}

func TestTraceLoopback(t *testing.T) {
	for _, tc := range []struct {
		name   string
		proto  string
		unpriv bool
	}{{"recverr", "udp", true}, {"raw-udp", "udp", false}, {"raw-icmp", "icmp", false}, {"raw-tcp", "tcp", false}} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.unpriv && !RawAllowed() {
				t.Skip("raw sockets refused: run as root for raw traceroutes")
			}
			port := uint16(0)
			if tc.proto == "tcp" {
				port = freePort(t).Port()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r, err := Trace(ctx, netip.MustParseAddr("127.0.0.1"), TraceOptions{Proto: tc.proto, Port: port, MaxHops: 5, Unprivileged: tc.unpriv})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Reached || len(r.Hops) != 1 || r.Hops[0].Address.String() != "127.0.0.1" {
				t.Errorf("Trace(127.0.0.1, %s) = %+v; want reached at TTL 1", tc.proto, r)
			}
			t.Logf("%s %v %s", r.Method, r.Elapsed, r.Reason)
		})
	}
}

// settled waits (bounded) for the goroutine count to fall back to n.
func settled(n int) bool {
	for range 200 {
		if runtime.NumGoroutine() <= n {
			return true
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // polling a count, not waiting for a server
	}
	return false
}

func TestCancelledProbesLeaveNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lo := netip.MustParseAddr("127.0.0.1")
	for _, unpriv := range []bool{true, false} {
		if !unpriv && !RawAllowed() {
			continue
		}
		r, err := Trace(ctx, lo, TraceOptions{Proto: "udp", Unprivileged: unpriv, MaxHops: 8})
		if err != nil {
			t.Fatalf("Trace(cancelled): %v", err)
		}
		if !strings.HasPrefix(r.Reason, "interrupted") {
			t.Errorf("Trace(cancelled) reason = %q; want it to say interrupted", r.Reason)
		}
	}
	res, _, err := ScanTCP(ctx, []netip.AddrPort{freePort(t)}, TCPOptions{})
	if err != nil {
		t.Fatalf("ScanTCP(cancelled): %v", err)
	}
	if res[0].Note != "interrupted" {
		t.Errorf("ScanTCP(cancelled) note = %q; want interrupted", res[0].Note)
	}
	if !settled(before) {
		t.Errorf("%d goroutines left after cancelled probes; %d before", runtime.NumGoroutine(), before)
	}
}
