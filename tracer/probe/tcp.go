package probe

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/pathlab/pathlab/tracer"
	"golang.org/x/sys/unix"
)

// TCPResult is what a TCP probe learned about one port.
type TCPResult struct {
	Host   string            `json:"host"`
	Port   uint16            `json:"port"`
	State  PortState         `json:"state"`
	RTTms  float64           `json:"rtt_ms"`
	Method Method            `json:"method"`
	ICMP   *tracer.ICMPError `json:"icmp,omitempty"`
	// Note says something the state alone does not ("interrupted").
	Note string         `json:"note,omitempty"`
	Addr netip.AddrPort `json:"-"`
	RTT  time.Duration  `json:"-"`
	// Answered is false when the state comes from silence.
	Answered bool `json:"-"`
}

// TCPOptions tune a TCP port probe. The zero value is polite defaults.
type TCPOptions struct {
	// Connect forces connect() instead of raw SYNs.
	Connect bool
	// Tries is SYNs per port (default 2).
	Tries int
	// Timeout is how long to wait for a port that has not answered, per
	// try: a floor (default 1s), raised to 3 round trips of the slowest
	// answer seen, so a slow link's closed port is never called filtered.
	Timeout time.Duration
	// Rate bounds unanswered probes per second (default DefaultRate);
	// each answer lets one more go at once.
	Rate int
	// Concurrency bounds connect() attempts in flight (default 64).
	Concurrency int
}

func (o TCPOptions) withDefaults() TCPOptions {
	if o.Tries <= 0 {
		o.Tries = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 64
	}
	return o
}

// FellBack is the note a probe adds when raw sockets were refused.
const FellBack = "raw sockets refused (no CAP_NET_RAW): fell back to connect()"

// ScanTCP probes each target: open (SYN-ACK), closed (RST) or filtered
// (silence after every try, or an ICMP error, which the result names).
// It uses half-open SYNs on a raw socket, or connect() when o.Connect is
// set, a target is IPv6, or raw sockets are refused, and then says so in
// the notes. When ctx ends it returns what it has, with the rest marked
// "interrupted".
func ScanTCP(ctx context.Context, targets []netip.AddrPort, o TCPOptions) ([]TCPResult, []string, error) {
	o = o.withDefaults()
	res := make([]TCPResult, len(targets))
	for i, t := range targets {
		res[i] = TCPResult{Host: t.Addr().String(), Port: t.Port(), Addr: t, State: PortFiltered, Method: MethodConnect}
	}
	var notes []string
	var raw, conn []int
	for i, t := range targets {
		if !o.Connect && t.Addr().Unmap().Is4() {
			raw = append(raw, i)
		} else {
			conn = append(conn, i)
		}
	}
	if len(raw) > 0 {
		err := scanSYN(ctx, targets, raw, res, o)
		if errors.Is(err, ErrNoRaw) {
			notes = append(notes, FellBack)
			conn = append(conn, raw...)
		} else if err != nil && ctx.Err() == nil {
			return nil, nil, err
		}
	}
	if len(conn) > 0 {
		scanConnect(ctx, targets, conn, res, o)
	}
	if ctx.Err() != nil {
		for i := range res {
			if !res[i].Answered {
				res[i].State, res[i].Note = PortInterrupted, "interrupted"
			}
		}
	}
	return res, notes, nil
}

func randUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// randPort picks a source port outside the kernel's default ephemeral
// range, so a raw probe does not take a port a socket is using.
func randPort() uint16 { return uint16(20000 + randUint32()%12000) }

func scanSYN(ctx context.Context, targets []netip.AddrPort, idx []int, res []TCPResult, o TCPOptions) error {
	sub := make([]netip.AddrPort, len(idx))
	srcs := make([]netip.Addr, len(idx))
	for j, i := range idx {
		sub[j] = netip.AddrPortFrom(targets[i].Addr().Unmap(), targets[i].Port())
		src, err := sourceFor(sub[j].Addr())
		if err != nil {
			return err
		}
		srcs[j] = src
	}
	plan, err := PlanSYN(sub, randPort(), randUint32(), o.Tries, o.Timeout)
	if err != nil {
		return err
	}
	snd, err := newRawSender()
	if err != nil {
		return err
	}
	defer snd.Close()
	l, err := listen(true, func(p *rawPacket) bool {
		if p.isTCP {
			_, ok := plan.MatchTCP(p.from, p.tcp)
			return ok
		}
		if !p.icmp.HasQuote {
			return false
		}
		_, ok := plan.MatchQuote(p.icmp.Quote)
		return ok
	})
	if err != nil {
		return err
	}
	defer l.Close()
	for j := range idx {
		res[idx[j]].Method = MethodSYN
	}
	sent := make([]time.Time, len(sub)*16)
	done := make([]bool, len(sub))
	left := len(sub)
	b := newBuilder()
	pc := newPacer(o.Rate, 32)
	var maxRTT time.Duration
	take := func(p rawPacket) {
		var pr SYNProbe
		var ok bool
		if p.isTCP {
			pr, ok = plan.MatchTCP(p.from, p.tcp)
		} else {
			pr, ok = plan.MatchQuote(p.icmp.Quote)
		}
		if !ok || done[pr.Target] {
			return
		}
		r := &res[idx[pr.Target]]
		r.RTT = p.at.Sub(sent[pr.Target*16+pr.Attempt])
		r.RTTms = ms(r.RTT)
		r.Answered = true
		switch {
		case p.isTCP && p.tcp.Kind() == ReplySYNACK:
			r.State = PortOpen
		case p.isTCP:
			r.State = PortClosed
		default:
			r.State = icmpState(p.icmp.Type, p.icmp.Code)
			r.ICMP = &tracer.ICMPError{Type: p.icmp.Type, Code: p.icmp.Code, Sender: p.from}
		}
		maxRTT = max(maxRTT, r.RTT)
		done[pr.Target] = true
		left--
		pc.refund()
	}
	drain := func() {
		for {
			select {
			case p := <-l.out:
				take(p)
			default:
				return
			}
		}
	}
	for attempt := 0; attempt < plan.Tries && left > 0; attempt++ {
		for j := range sub {
			if done[j] {
				continue
			}
			for d := pc.ready(); d > 0; d = pc.ready() {
				t := time.NewTimer(d)
				select {
				case p := <-l.out:
					take(p)
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				}
				t.Stop()
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pc.delay()
			pr := plan.Probe(j, attempt)
			pkt, err := b.SYN(srcs[j], sub[j].Addr(), plan.SrcPort, sub[j].Port(), pr.Seq, pr.IPID, 64)
			if err != nil {
				return err
			}
			sent[j*16+attempt] = time.Now()
			if err := snd.send(pkt, sub[j].Addr()); err != nil {
				return fmt.Errorf("probe: send SYN to %s: %w", sub[j], err)
			}
			drain()
		}
		// Wait for this round's answers: the full timeout until the
		// round trip is known, then a few round trips. Each round waits
		// twice the last (as TCP's SYN retransmissions back off), so
		// answers that a slow, busy link holds for seconds still come
		// in before a port is called filtered.
		floor := o.Timeout << attempt
		t := time.NewTimer(roundWait(maxRTT, floor))
	wait:
		for left > 0 {
			select {
			case p := <-l.out:
				take(p)
				if !t.Stop() {
					<-t.C
				}
				t.Reset(roundWait(maxRTT, floor))
			case <-t.C:
				break wait
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		t.Stop()
	}
	return nil
}

// roundWait is how long to wait for silent ports after the last send or
// answer: the timeout is a floor (one second by default, as nmap's
// initial wait), raised to three round trips of the slowest answer seen,
// so a slow link's late RST still counts.
func roundWait(maxRTT, timeout time.Duration) time.Duration {
	return max(timeout, 3*maxRTT)
}

// icmpState is the port state an ICMP error gives: host and network
// unreachable say no host is there; the rest (prohibited, port
// unreachable) that something filters.
func icmpState(typ, code int) PortState {
	if typ == 3 && (code == 0 || code == 1 || code == 6 || code == 7) {
		return PortUnreachable
	}
	return PortFiltered
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// connectPace is what a connect scan has learned of the path so far: the
// slowest answer and when the last one came. It decides how long a silent
// port is waited for, as the raw scan's rounds do.
type connectPace struct {
	mu     sync.Mutex
	floor  time.Duration // the first try's wait (--timeout)
	budget time.Duration // the raw rounds' waits in all: floor, 2×floor, ...
	maxRTT time.Duration
	last   time.Time
}

func (c *connectPace) answered(rtt time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxRTT = max(c.maxRTT, rtt)
	c.last = time.Now()
}

// until is when a port whose connect() began at start is called
// filtered: not before the raw rounds' waits in all, nor before three
// round trips of the slowest answer (nmap's first timeout after a sample
// is its round trip plus four deviations, a few round trips; its floor
// is the initial one second), nor while answers are still coming: a late
// RST on a slow, busy link still counts.
func (c *connectPace) until(start time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := roundWait(c.maxRTT, c.floor)
	d := start.Add(max(c.budget, w))
	if !c.last.IsZero() && c.last.Add(w).After(d) {
		d = c.last.Add(w)
	}
	return d
}

func scanConnect(ctx context.Context, targets []netip.AddrPort, idx []int, res []TCPResult, o TCPOptions) {
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	pc := newPacer(o.Rate, 32)
	pace := &connectPace{floor: o.Timeout}
	// One connect() for as long as the raw rounds wait in all (1 s, 2 s,
	// ...): the kernel resends the SYN itself, and a late answer to the
	// first SYN still reaches this socket, where a new connect() would
	// have dropped it. Answers that show a slow link lengthen it.
	for try := 0; try < o.Tries; try++ {
		pace.budget += o.Timeout << try
	}
	var mu sync.Mutex
	for _, i := range idx {
		if pc.wait(ctx) != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			r, err := connectProbeUntil(ctx, targets[i], pace.until, false)
			if err == nil && (r.State != PortFiltered || r.ICMP != nil) {
				pace.answered(r.RTT)
			}
			mu.Lock()
			defer mu.Unlock()
			t := &res[i]
			t.Method = MethodConnect
			if err != nil {
				return // cancelled: left as not answered
			}
			t.State, t.RTT, t.RTTms = r.State, r.RTT, ms(r.RTT)
			t.Answered = r.State != PortFiltered || r.ICMP != nil
			if errors.Is(r.Errno, unix.EHOSTUNREACH) && r.ICMP == nil {
				t.State, t.Answered, t.Note = PortUnreachable, true, "this host's ARP for it failed"
			}
			if !t.Answered {
				t.RTT, t.RTTms = 0, 0
			}
			if r.ICMP != nil {
				typ, code := v4TypeCode(*r.ICMP)
				t.ICMP = &tracer.ICMPError{Type: typ, Code: code, Sender: r.ICMP.Offender}
				t.State = icmpState(typ, code)
			}
		}(i)
	}
	wg.Wait()
}
