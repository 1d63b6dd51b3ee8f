package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// TraceOptions tune a traceroute. The zero value is polite defaults.
type TraceOptions struct {
	Proto   string // icmp, udp or tcp (default udp, as traceroute)
	Port    uint16 // tcp: destination port (default 80); udp: first port (default 33434)
	MaxHops int    // default 30
	Queries int    // probes per TTL, all sent at once (default 2)
	Rate    int    // probes per second (default DefaultRate)
	// Wait bounds the adaptive wait for silent hops: Factor times the
	// largest round trip seen, at least MinWait, at most MaxWait. Initial
	// is the wait when nothing has answered yet.
	MinWait, MaxWait, Initial time.Duration
	Factor                    float64
	// Unprivileged forces UDP probes with IP_RECVERR even when raw
	// sockets are allowed.
	Unprivileged bool
}

func (o TraceOptions) withDefaults() TraceOptions {
	if o.Proto == "" {
		o.Proto = "udp"
	}
	if o.MaxHops == 0 {
		o.MaxHops = 30
	}
	if o.Queries == 0 {
		o.Queries = 2
	}
	if o.MinWait <= 0 {
		o.MinWait = 200 * time.Millisecond
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 3 * time.Second
	}
	if o.Initial <= 0 {
		o.Initial = 3 * time.Second
	}
	if o.Factor <= 0 {
		o.Factor = 3
	}
	o.MaxWait = max(o.MaxWait, o.MinWait)
	return o
}

// SilentWait is how long to wait for silent hops after the last reply:
// Factor round trips of the slowest hop seen, within [MinWait, MaxWait].
func (o TraceOptions) SilentWait(maxRTT time.Duration) time.Duration {
	o = o.withDefaults()
	return min(o.MaxWait, max(o.MinWait, time.Duration(o.Factor*float64(maxRTT))))
}

// HopResult is one TTL of a traceroute.
type HopResult struct {
	TTL      int
	Address  netip.Addr // zero when silent
	RTT      time.Duration
	Marker   string // !X, !H, !N, !F-mtu, ...
	Kind     ReplyKind
	ICMPType int
	ICMPCode int
}

// Silent reports whether no probe of this TTL was answered.
func (h HopResult) Silent() bool { return !h.Address.IsValid() }

// TraceResult is a traceroute's result.
type TraceResult struct {
	Dst     netip.Addr
	Proto   string
	Port    uint16
	Method  Method
	Hops    []HopResult
	Reached bool
	// StoppedAfter is the last TTL that answered (0 if none did);
	// FirstSilent the first TTL after it with no answer (0 if none).
	StoppedAfter int
	FirstSilent  int
	Reason       string
	Notes        []string
	Elapsed      time.Duration
}

// LastHop returns the last hop that answered, if any.
func (r *TraceResult) LastHop() (HopResult, bool) {
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if !r.Hops[i].Silent() {
			return r.Hops[i], true
		}
	}
	return HopResult{}, false
}

// sendTimes holds when each probe left; the sender writes it while the
// collector reads it.
type sendTimes []atomic.Int64

func (s sendTimes) set(i int, t time.Time) { s[i].Store(t.UnixNano()) }

func (s sendTimes) get(i int) time.Time {
	n := s[i].Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// traceEvent is one reply matched to its probe.
type traceEvent struct {
	probe int
	from  netip.Addr
	at    time.Time
	kind  ReplyKind
	typ   int
	code  int
}

// Trace finds the hops to dst. It sends every TTL at once, matches each
// reply by the probe it quotes, and stops when the target has answered and
// every nearer TTL has too, or after an adaptive wait past the last reply.
// Without raw sockets (or with o.Unprivileged) it sends UDP probes and
// reads their ICMP errors from each socket's error queue, and says so in
// Notes. When ctx ends it returns what it learned so far.
func Trace(ctx context.Context, dst netip.Addr, o TraceOptions) (*TraceResult, error) {
	o = o.withDefaults()
	dst = dst.Unmap()
	start := time.Now()
	method := MethodRaw
	var notes []string
	if o.Unprivileged || !dst.Is4() || !RawAllowed() {
		if o.Proto != "udp" {
			why := "raw sockets refused (no CAP_NET_RAW)"
			if dst.Is6() {
				why = "raw probes are IPv4 only"
			}
			notes = append(notes, fmt.Sprintf("%s: traced with UDP probes and IP_RECVERR instead of %s", why, o.Proto))
			o.Proto = "udp"
		} else if !o.Unprivileged {
			notes = append(notes, "raw sockets refused (no CAP_NET_RAW): UDP probes read with IP_RECVERR")
		}
		method = MethodRecvErr
	}
	plan, err := PlanTrace(o.Proto, dst, o.Port, o.MaxHops, o.Queries, randPort(), randUint32())
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan traceEvent, len(plan.Probes)+16)
	sentAt := make(sendTimes, len(plan.Probes))
	var wg sync.WaitGroup
	var sendErr error
	sentAll := make(chan struct{})
	if method == MethodRecvErr {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(sentAll)
			sendErr = traceRecvErr(cctx, &plan, o, sentAt, events, &wg)
		}()
	} else {
		eng, err := newRawTrace(&plan)
		if err != nil {
			return nil, err
		}
		defer eng.Close()
		wg.Add(2)
		go func() {
			defer wg.Done()
			eng.forward(cctx, events)
		}()
		go func() {
			defer wg.Done()
			defer close(sentAll)
			sendErr = eng.send(cctx, o, sentAt)
		}()
	}
	res := collect(cctx, ctx, &plan, o, sentAt, events, sentAll)
	cancel()
	wg.Wait()
	if sendErr != nil && !errors.Is(sendErr, context.Canceled) && !errors.Is(sendErr, context.DeadlineExceeded) {
		return nil, sendErr
	}
	res.Method, res.Notes = method, notes
	res.Dst, res.Proto, res.Port = dst, o.Proto, plan.Port
	res.Elapsed = time.Since(start)
	return res, nil
}

// collect gathers replies until the path is known or the adaptive wait
// past the last reply (or the last send) runs out.
func collect(ctx, parent context.Context, plan *TracePlan, o TraceOptions, sentAt sendTimes, events <-chan traceEvent, sentAll <-chan struct{}) *TraceResult {
	hops := make([]HopResult, plan.MaxHops+1)
	for i := range hops {
		hops[i].TTL = i
	}
	end := 0 // the nearest TTL at which the path ended (target or unreachable)
	var maxRTT time.Duration
	var last time.Time
	timer := time.NewTimer(o.Initial)
	defer timer.Stop()
	sending := sentAll
	complete := func() bool {
		if end == 0 {
			return false
		}
		for t := 1; t < end; t++ {
			if hops[t].Silent() {
				return false
			}
		}
		return true
	}
	reset := func(d time.Duration) {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(d)
	}
	interrupted := false
loop:
	for {
		select {
		case ev := <-events:
			p := plan.Probes[ev.probe]
			sent := sentAt.get(ev.probe)
			rtt := ev.at.Sub(sent)
			if sent.IsZero() || rtt < 0 {
				rtt = 0
			}
			h := &hops[p.TTL]
			if h.Silent() {
				h.Address, h.RTT, h.Kind, h.ICMPType, h.ICMPCode = ev.from, rtt, ev.kind, ev.typ, ev.code
				if ev.kind == ReplyUnreachable {
					h.Marker = Marker(ev.typ, ev.code)
				}
			}
			maxRTT = max(maxRTT, rtt)
			last = ev.at
			if ev.from == plan.Dst || ev.kind == ReplyUnreachable || ev.kind == ReplySYNACK || ev.kind == ReplyRST || ev.kind == ReplyEchoReply {
				if end == 0 || p.TTL < end {
					end = p.TTL
				}
			}
			if complete() {
				break loop
			}
			if sending == nil {
				reset(time.Until(last.Add(o.SilentWait(maxRTT))))
			}
		case <-sending:
			sending = nil
			from := time.Now()
			if !last.IsZero() && last.After(from) {
				from = last
			}
			wait := o.Initial
			if maxRTT > 0 {
				wait = o.SilentWait(maxRTT)
			}
			reset(time.Until(from.Add(wait)))
		case <-timer.C:
			if sending == nil {
				break loop
			}
			timer.Reset(o.Initial)
		case <-ctx.Done():
			interrupted = parent.Err() != nil
			break loop
		}
	}
	return summarize(plan, hops, end, interrupted)
}

func summarize(plan *TracePlan, hops []HopResult, end int, interrupted bool) *TraceResult {
	r := &TraceResult{}
	lastAns := 0
	for t := 1; t < len(hops); t++ {
		if !hops[t].Silent() && (end == 0 || t <= end) {
			lastAns = t
		}
	}
	upto := end
	if end == 0 {
		upto = min(plan.MaxHops, lastAns+1)
	}
	r.Hops = append(r.Hops, hops[1:upto+1]...)
	r.StoppedAfter = lastAns
	for t := lastAns + 1; t <= plan.MaxHops; t++ {
		if hops[t].Silent() {
			r.FirstSilent = t
			break
		}
	}
	switch {
	case end > 0 && hops[end].Address == plan.Dst && hops[end].Marker == "":
		r.Reached = true
		r.Reason = fmt.Sprintf("reached %s at TTL %d (%s)", plan.Dst, end, hops[end].Kind)
	case end > 0:
		h := hops[end]
		r.Reason = fmt.Sprintf("%s answered %s at TTL %d: ICMP type %d code %d (%s)", h.Address, h.Marker, end, h.ICMPType, h.ICMPCode, unreachText(h.ICMPCode))
		r.Reached = h.Address == plan.Dst && h.ICMPCode == 3
	case lastAns == 0:
		r.Reason = fmt.Sprintf("no hop answered (%d TTLs silent)", plan.MaxHops)
	default:
		r.Reason = fmt.Sprintf("silent after TTL %d (%s, the last hop that answers): TTL %d and beyond never answered",
			lastAns, hops[lastAns].Address, r.FirstSilent)
		if r.FirstSilent == 0 {
			r.Reason = fmt.Sprintf("the target did not answer within %d hops", plan.MaxHops)
		}
	}
	if interrupted {
		r.Reason = "interrupted; " + r.Reason
	}
	return r
}

func unreachText(code int) string {
	switch code {
	case 0:
		return "network unreachable"
	case 1:
		return "host unreachable"
	case 2:
		return "protocol unreachable"
	case 3:
		return "port unreachable"
	case 4:
		return "fragmentation needed"
	case 9, 10:
		return "administratively prohibited (network or host)"
	case 13:
		return "communication administratively prohibited"
	}
	return "unreachable"
}

// rawTrace sends a plan's probes on a raw socket and reads the replies.
type rawTrace struct {
	plan *TracePlan
	src  netip.Addr
	snd  *rawSender
	l    *listeners
}

func newRawTrace(plan *TracePlan) (*rawTrace, error) {
	src, err := sourceFor(plan.Dst)
	if err != nil {
		return nil, err
	}
	snd, err := newRawSender()
	if err != nil {
		return nil, err
	}
	e := &rawTrace{plan: plan, src: src, snd: snd}
	e.l, err = listen(plan.Proto == "tcp", func(p *rawPacket) bool {
		_, ok := e.match(p)
		return ok
	})
	if err != nil {
		snd.Close()
		return nil, err
	}
	return e, nil
}

func (e *rawTrace) match(p *rawPacket) (traceEvent, bool) {
	ev := traceEvent{from: p.from, at: p.at}
	var tp TraceProbe
	var ok bool
	switch {
	case p.isTCP:
		tp, ok = e.plan.MatchTCP(p.from, p.tcp)
		ev.kind = p.tcp.Kind()
	case p.icmp.HasQuote:
		tp, ok = e.plan.MatchQuote(p.icmp.Quote)
		ev.typ, ev.code = p.icmp.Type, p.icmp.Code
		ev.kind = ReplyUnreachable
		if p.icmp.Type == 11 {
			ev.kind = ReplyTimeExceeded
		}
	default:
		tp, ok = e.plan.MatchEcho(p.from, p.icmp)
		ev.kind = ReplyEchoReply
	}
	ev.probe = tp.Index
	return ev, ok
}

func (e *rawTrace) send(ctx context.Context, o TraceOptions, sentAt sendTimes) error {
	b := newBuilder()
	pc := newPacer(o.Rate, 64)
	for i, p := range e.plan.Probes {
		if err := pc.wait(ctx); err != nil {
			return err
		}
		var pkt []byte
		var err error
		switch e.plan.Proto {
		case "tcp":
			pkt, err = b.SYN(e.src, e.plan.Dst, p.SrcPort, p.DstPort, p.Seq, p.IPID, uint8(p.TTL))
		case "udp":
			pkt, err = b.UDP(e.src, e.plan.Dst, p.SrcPort, p.DstPort, p.IPID, uint8(p.TTL))
		case "icmp":
			pkt, err = b.Echo(e.src, e.plan.Dst, p.EchoID, p.EchoSeq, p.IPID, uint8(p.TTL))
		}
		if err != nil {
			return err
		}
		sentAt.set(i, time.Now())
		if err := e.snd.send(pkt, e.plan.Dst); err != nil {
			return fmt.Errorf("probe: send to %s: %w", e.plan.Dst, err)
		}
	}
	return nil
}

// forward turns matched raw packets into events until ctx ends.
func (e *rawTrace) forward(ctx context.Context, events chan<- traceEvent) {
	for {
		select {
		case p := <-e.l.out:
			if ev, ok := e.match(&p); ok {
				select {
				case events <- ev:
				default: // the collector has all it can use
				}
			}
		case <-ctx.Done():
			return
		}
	}
}

func (e *rawTrace) Close() {
	e.l.Close()
	e.snd.Close()
}

// traceRecvErr sends each probe from its own UDP socket with IP_RECVERR
// and the probe's TTL; the kernel matches the quoted packet to the socket,
// and the socket's error queue gives the ICMP type, code and sender.
func traceRecvErr(ctx context.Context, plan *TracePlan, o TraceOptions, sentAt sendTimes, events chan<- traceEvent, wg *sync.WaitGroup) error {
	pc := newPacer(o.Rate, 64)
	for i, p := range plan.Probes {
		if err := pc.wait(ctx); err != nil {
			return err
		}
		s, err := newErrSocket(plan.Dst, unix.SOCK_DGRAM)
		if err != nil {
			return err
		}
		if err := s.setTTL(p.TTL); err != nil {
			s.Close()
			return fmt.Errorf("probe: set TTL: %w", err)
		}
		if err := s.connect(netip.AddrPortFrom(plan.Dst, p.DstPort)); err != nil {
			return fmt.Errorf("probe: udp to %s: %w", plan.Dst, err)
		}
		sentAt.set(i, time.Now())
		if _, err := s.f.Write(make([]byte, 12)); err != nil {
			s.Close()
			continue // an error already queued (unreachable): counts as silent
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer s.Close()
			if ev, ok := waitRecvErr(ctx, s, plan.Dst); ok {
				ev.probe = i
				select {
				case events <- ev:
				case <-ctx.Done():
				}
			}
		}(i)
	}
	return nil
}

// waitRecvErr waits for the socket's ICMP error (or a UDP reply).
func waitRecvErr(ctx context.Context, s *errSocket, dst netip.Addr) (traceEvent, bool) {
	stop := context.AfterFunc(ctx, func() { s.f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := s.f.SyscallConn()
	if err != nil {
		return traceEvent{}, false
	}
	var ev traceEvent
	var got bool
	rc.Read(func(fd uintptr) bool {
		var b [64]byte
		var oob [256]byte
		_, oobn, _, _, err := unix.Recvmsg(int(fd), b[:], oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err == nil {
			e, ok := ParseErrQueue(oob[:oobn])
			if !ok || !e.ICMP() {
				return false
			}
			typ, code := v4TypeCode(e)
			ev = traceEvent{from: e.Offender, at: time.Now(), typ: typ, code: code, kind: ReplyUnreachable}
			if typ == 11 {
				ev.kind = ReplyTimeExceeded
			}
			got = true
			return true
		}
		if _, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_DONTWAIT); err == nil {
			ev = traceEvent{from: dst, at: time.Now(), kind: ReplyEchoReply}
			got = true
			return true
		}
		return false
	})
	return ev, got
}

// v4TypeCode maps an ICMPv6 error to its ICMPv4 type and code, so markers
// and codes read the same for both families.
func v4TypeCode(e ExtError) (int, int) {
	if e.Origin != unix.SO_EE_ORIGIN_ICMP6 {
		return int(e.Type), int(e.Code)
	}
	switch e.Type {
	case 1: // destination unreachable
		switch e.Code {
		case 0:
			return 3, 0
		case 1, 5, 6:
			return 3, 13
		case 4:
			return 3, 3
		}
		return 3, 1
	case 2: // packet too big
		return 3, 4
	case 3: // time exceeded
		return 11, int(e.Code)
	}
	return int(e.Type), int(e.Code)
}
