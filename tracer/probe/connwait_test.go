package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The connect scan waits for a silent port as the raw scan's rounds do:
// never less than their waits in all, three round trips of the slowest
// answer from the port's start, and as long as answers keep coming.
func TestConnectPaceUntil(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	s := time.Second
	for _, tc := range []struct {
		name          string
		maxRTT        time.Duration
		last          time.Duration // after t0; -1: no answer yet
		start, wantAt time.Duration // after t0
	}{
		{"nothing answered: the budget", 0, -1, 0, 3 * s},
		{"fast answers: the budget", time.Millisecond, 500 * time.Millisecond, 0, 3 * s},
		{"a slow answer: three of its round trips", 2 * s, 0, 0, 6 * s},
		{"a slow answer, later: three round trips after it", 2 * s, 2 * s, 0, 8 * s},
		{"answers still coming: after the last one", 2 * s, 5 * s, 0, 11 * s},
		{"a port started late", 2 * s, 2 * s, 4 * s, 10 * s},
		{"an answer short of the floor: the floor after it", 200 * time.Millisecond, 2900 * time.Millisecond, 0, 3900 * time.Millisecond},
	} {
		c := &connectPace{floor: s, budget: 3 * s, maxRTT: tc.maxRTT}
		if tc.last >= 0 {
			c.last = t0.Add(tc.last)
		}
		if got := c.until(t0.Add(tc.start)); !got.Equal(t0.Add(tc.wantAt)) {
			t.Errorf("%s: until = t0+%v; want t0+%v", tc.name, got.Sub(t0), tc.wantAt)
		}
	}
}

// A connect() that met silence can be waited on again; one whose context
// has ended says so: that is not silence.
func TestPendingConnectWaitsAgain(t *testing.T) {
	ln := listenFull(t)
	p, _, err := startConnect(ln)
	if err != nil || p == nil {
		t.Fatalf("startConnect(%s): %v", ln, err)
	}
	defer p.close()
	// Silent so far: filtered, and still pending, so it can be waited on
	// again.
	r, err := p.wait(context.Background(), func(start time.Time) time.Time { return start.Add(200 * time.Millisecond) }, false)
	if err != nil || r.State != PortFiltered || r.Errno != unix.ETIMEDOUT || p.settled {
		t.Fatalf("wait on a connect() whose SYNs are dropped = %+v, %v (settled %v); want filtered, ETIMEDOUT, still pending", r, err, p.settled)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.wait(ctx, func(start time.Time) time.Time { return start.Add(time.Minute) }, false); err == nil {
		t.Errorf("wait with an ended context returned no error; want the context's")
	}
}

// listenFull returns a loopback address whose listener's accept queue is
// full, so that a new connect() stays pending: its SYNs are dropped.
func listenFull(t *testing.T) netip.AddrPort {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := addrPortOf(sa)
	// Fill the queue: connections nobody accepts.
	for range 2 {
		p, _, err := startConnect(addr)
		if err != nil || p == nil {
			t.Fatalf("filling the accept queue of %s: %v", addr, err)
		}
		t.Cleanup(p.close)
		p.wait(context.Background(), func(start time.Time) time.Time { return start.Add(100 * time.Millisecond) }, false)
	}
	return addr
}
