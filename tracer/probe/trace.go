package probe

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// TraceOptions tune a traceroute. The zero value is polite defaults.
type TraceOptions struct {
	Proto   string // icmp, udp or tcp (default udp, as traceroute)
	Port    uint16 // tcp: destination port (default 80); udp: first port (default 33434)
	MaxHops int    // default 30
	// Queries is the most probes a TTL gets (default 2): one in the first
	// wave, and one more after each Refill pause while it stays silent.
	Queries int
	// Wave is how many TTLs are probed at once (default 5); the next wave
	// goes when this one has answered or its wait has run out, and none
	// goes past a target that has answered.
	Wave int
	// Gap is how many silent TTLs past the last one that answered end the
	// trace (default 5).
	Gap  int
	Rate int // probes per second (default DefaultRate)
	// Wait bounds the adaptive wait for silent hops: Factor times the
	// largest round trip seen, at least MinWait, at most MaxWait. Initial
	// is the wait when nothing has answered yet.
	MinWait, MaxWait, Initial time.Duration
	Factor                    float64
	// Refill is the pause before a silent TTL is probed again, so that
	// routers' ICMP rate limits have refilled (Linux's icmp_ratelimit
	// gives one message a second after a burst of 6); default 1.1s.
	Refill time.Duration
	// Linger is the least time, from the first probe past the last hop
	// that answered, before silence is concluded; an ARP failure at the
	// last router (ICMP host unreachable) takes 3s. 0: no linger.
	Linger time.Duration
	// Unprivileged forces the probes a user without CAP_NET_RAW can send:
	// UDP with IP_RECVERR, or TCP connect() with IP_TTL and IP_RECVERR.
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
	if o.Wave <= 0 {
		o.Wave = 5
	}
	if o.Gap <= 0 {
		o.Gap = 5
	}
	if o.MinWait <= 0 {
		o.MinWait = 200 * time.Millisecond
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 3 * time.Second
	}
	if o.Initial <= 0 {
		o.Initial = time.Second
	}
	if o.Factor <= 0 {
		o.Factor = 3
	}
	if o.Refill <= 0 {
		o.Refill = 1100 * time.Millisecond
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
	// Probes is how many probes this TTL got.
	Probes int
	// AfterPause is set when the TTL answered only a probe sent after a
	// Refill pause: its first silence was a rate limit, not a filter.
	AfterPause bool
	// Back is the hops the reply travelled, from its arrival TTL (as
	// tracepath's "back N"); 0 when unknown. Back != TTL hints that the
	// return path differs from the forward one.
	Back int
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
	// Ended is set when the path ended in an answer: the target, or an
	// ICMP error that stops it (!H, !N, !X, ...).
	Ended bool
	// StoppedAfter is the last TTL that answered (0 if none did);
	// FirstSilent the first TTL after it with no answer (0 if none, or
	// if the path ended in an answer).
	StoppedAfter int
	FirstSilent  int
	// Probed is the largest TTL probed.
	Probed int
	Reason string
	// Interrupted is set when the trace was stopped (Ctrl-C) before it
	// finished: silent TTLs then prove nothing.
	Interrupted bool
	// RateLimited lists TTLs that answered only after a pause.
	RateLimited []int
	Notes       []string
	Elapsed     time.Duration
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

// Hop returns the hop of a TTL, if the result has it.
func (r *TraceResult) Hop(ttl int) (HopResult, bool) {
	for _, h := range r.Hops {
		if h.TTL == ttl {
			return h, true
		}
	}
	return HopResult{}, false
}

// traceEvent is one reply matched to its probe.
type traceEvent struct {
	probe int
	from  netip.Addr
	at    time.Time
	ttl   int // the reply's IP TTL; 0 if unknown
	// rtt, when set, is the kernel's own measure of the round trip (a
	// connect()'s SYN to SYN-ACK, from TCP_INFO): it wins over at.
	rtt  time.Duration
	kind ReplyKind
	typ  int
	code int
}

// traceEngine sends probes of a plan; their replies arrive as events.
type traceEngine interface {
	// send sends one probe and returns when it left.
	send(ctx context.Context, p TraceProbe) (time.Time, error)
	close()
}

// ErrNoTCPTrace is returned when a TCP traceroute cannot be made at all:
// it is never replaced by probes of another protocol.
var ErrNoTCPTrace = errors.New("a TCP traceroute needs raw sockets or TCP connect() with IP_TTL and IP_RECVERR, and neither is allowed here")

// Trace finds the hops to dst, in waves of o.Wave TTLs with one probe
// each, matching each reply by the probe it quotes. A TTL that stays
// silent is probed again after a pause long enough for ICMP rate limits to
// refill, and only then called silent; no wave goes past a target that has
// answered. Without raw sockets (or with o.Unprivileged) UDP probes are
// sent from ordinary sockets and TCP probes with connect(), both with
// IP_TTL and IP_RECVERR, and Notes say so; ICMP probes then are refused
// (with an error), never replaced by another protocol. When ctx ends it
// returns what it learned so far, marked Interrupted.
func Trace(ctx context.Context, dst netip.Addr, o TraceOptions) (*TraceResult, error) {
	o = o.withDefaults()
	dst = dst.Unmap()
	// Replies are timed by the kernel's receive stamps: on before the
	// first probe leaves.
	defer holdTimestamps()()
	start := time.Now()
	method := MethodRaw
	var notes []string
	if o.Unprivileged || !dst.Is4() || !RawAllowed() {
		why := "raw sockets refused (no CAP_NET_RAW)"
		if o.Unprivileged {
			why = "unprivileged probes asked for"
		} else if dst.Is6() {
			why = "raw probes are IPv4 only"
		}
		switch o.Proto {
		case "udp":
			method = MethodRecvErr
			notes = append(notes, why+": UDP probes from ordinary sockets, ICMP errors read with IP_RECVERR")
		case "tcp":
			method = MethodConnect
			notes = append(notes, why+": TCP probes made with connect() and IP_TTL, ICMP errors read with IP_RECVERR")
		default:
			return nil, fmt.Errorf("probe: %s: an ICMP traceroute needs raw sockets; use --proto udp or --proto tcp", why)
		}
	}
	plan, err := PlanTrace(o.Proto, dst, o.Port, o.MaxHops, o.Queries, randPort(), randUint32())
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan traceEvent, len(plan.Probes)+16)
	var eng traceEngine
	switch method {
	case MethodRecvErr:
		eng = &errEngine{plan: &plan, events: events, ctx: cctx}
	case MethodConnect:
		eng = &errEngine{plan: &plan, events: events, ctx: cctx, stream: true}
	default:
		re, err := newRawTrace(&plan)
		if err != nil {
			return nil, err
		}
		re.start(cctx, events)
		eng = re
	}
	run := newTraceRun(&plan, o, eng, events)
	interrupted, err := run.run(ctx)
	cancel()
	eng.close()
	if err != nil && ctx.Err() == nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) || errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("probe: %w (%v)", ErrNoTCPTrace, err)
		}
		return nil, err
	}
	res := summarize(&plan, run.hops, run.end, interrupted || ctx.Err() != nil)
	res.Probed = run.probed
	res.Notes = append(notes, res.Notes...)
	res.Method = method
	res.Dst, res.Proto, res.Port = dst, o.Proto, plan.Port
	res.Elapsed = time.Since(start)
	return res, nil
}

// traceRun drives one traceroute: it sends the waves and the pauses'
// repeats, and takes the replies. One goroutine does both, so its state
// needs no locks.
type traceRun struct {
	plan     *TracePlan
	o        TraceOptions
	eng      traceEngine
	events   <-chan traceEvent
	pc       *pacer
	hops     []HopResult // by TTL
	sentAt   []time.Time // by probe index
	lastSend []time.Time // by TTL
	end      int         // the nearest TTL at which the path ended
	maxRTT   time.Duration
	last     time.Time // the last send or reply
	probed   int
}

func newTraceRun(plan *TracePlan, o TraceOptions, eng traceEngine, events <-chan traceEvent) *traceRun {
	t := &traceRun{plan: plan, o: o, eng: eng, events: events, pc: newPacer(o.Rate, 64),
		hops: make([]HopResult, plan.MaxHops+1), sentAt: make([]time.Time, len(plan.Probes)),
		lastSend: make([]time.Time, plan.MaxHops+1)}
	for i := range t.hops {
		t.hops[i].TTL = i
	}
	return t
}

func (t *traceRun) lastAnswered() int {
	last := 0
	for ttl := 1; ttl < len(t.hops); ttl++ {
		if !t.hops[ttl].Silent() && (t.end == 0 || ttl <= t.end) {
			last = ttl
		}
	}
	return last
}

func (t *traceRun) sendTTL(ctx context.Context, ttl int) error {
	a := t.hops[ttl].Probes
	if a >= t.plan.Queries {
		return nil
	}
	p := t.plan.Probes[a*t.plan.MaxHops+ttl-1]
	if err := t.pc.wait(ctx); err != nil {
		return err
	}
	at, err := t.eng.send(ctx, p)
	if err != nil {
		return err
	}
	t.sentAt[p.Index], t.lastSend[ttl], t.last = at, at, at
	t.hops[ttl].Probes++
	t.probed = max(t.probed, ttl)
	return nil
}

func (t *traceRun) take(ev traceEvent) {
	if ev.probe < 0 || ev.probe >= len(t.plan.Probes) {
		return
	}
	p := t.plan.Probes[ev.probe]
	sent := t.sentAt[ev.probe]
	rtt := ev.at.Sub(sent)
	if sent.IsZero() || rtt < 0 {
		rtt = 0
	}
	if ev.rtt > 0 {
		rtt = ev.rtt
	}
	h := &t.hops[p.TTL]
	if h.Silent() {
		h.Address, h.RTT, h.Kind, h.ICMPType, h.ICMPCode = ev.from, rtt, ev.kind, ev.typ, ev.code
		h.Back = BackHops(ev.ttl)
		h.AfterPause = p.Attempt > 0
		if ev.kind == ReplyUnreachable {
			h.Marker = Marker(ev.typ, ev.code)
		}
	}
	t.maxRTT = max(t.maxRTT, rtt)
	t.last = time.Now()
	if ev.from == t.plan.Dst || ev.kind == ReplyUnreachable || ev.kind == ReplySYNACK || ev.kind == ReplyRST || ev.kind == ReplyEchoReply {
		if t.end == 0 || p.TTL < t.end {
			t.end = p.TTL
		}
	}
}

// settled reports whether every TTL of ttls has answered or lies past
// the end of the path.
func (t *traceRun) settled(ttls []int) bool {
	for _, ttl := range ttls {
		if t.hops[ttl].Silent() && (t.end == 0 || ttl < t.end) {
			return false
		}
	}
	return true
}

// wait takes replies until ttls have settled, or until the adaptive wait
// after the last send or reply has run out and until is past, or ctx
// ends (it then returns true).
func (t *traceRun) wait(ctx context.Context, ttls []int, until time.Time) bool {
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for {
		if t.settled(ttls) && until.IsZero() {
			return false
		}
		w := t.o.Initial
		if t.maxRTT > 0 {
			w = t.o.SilentWait(t.maxRTT)
		}
		deadline := t.last.Add(w)
		if until.After(deadline) {
			deadline = until
		}
		d := time.Until(deadline)
		if d <= 0 {
			return false
		}
		timer.Reset(d)
		select {
		case ev := <-t.events:
			if !timer.Stop() {
				<-timer.C
			}
			t.take(ev)
			if !until.IsZero() && t.settled(ttls) {
				return false
			}
		case <-timer.C:
		case <-ctx.Done():
			return true
		}
	}
}

// silentTTLs are the TTLs short of the path's end (or of the last probed
// TTL) that have not answered and may be probed again.
func (t *traceRun) silentTTLs(upto int) []int {
	var out []int
	for ttl := 1; ttl <= upto; ttl++ {
		if t.end > 0 && ttl >= t.end {
			break
		}
		if t.hops[ttl].Silent() && t.hops[ttl].Probes > 0 && t.hops[ttl].Probes < t.plan.Queries {
			out = append(out, ttl)
		}
	}
	return out
}

// run sends waves until the path ends or Gap TTLs past the last answer
// are silent, then probes silent TTLs again after a Refill pause, and goes
// on with waves if those answers moved the last answering hop.
func (t *traceRun) run(ctx context.Context) (interrupted bool, err error) {
	next := 1
	for {
		for next <= t.plan.MaxHops && t.end == 0 {
			tail := next - 1 - t.lastAnswered()
			if tail >= t.o.Gap {
				break
			}
			n := t.o.Wave
			if tail > 0 {
				n = min(n, t.o.Gap-tail)
			}
			hi := min(next+n-1, t.plan.MaxHops)
			var ttls []int
			for ttl := next; ttl <= hi; ttl++ {
				if t.end > 0 && ttl > t.end {
					break
				}
				if err := t.sendTTL(ctx, ttl); err != nil {
					return ctx.Err() != nil, err
				}
				ttls = append(ttls, ttl)
				t.drain()
			}
			next = hi + 1
			if t.wait(ctx, ttls, time.Time{}) {
				return true, nil
			}
		}
		before := t.lastAnswered()
		for {
			silent := t.silentTTLs(next - 1)
			if len(silent) == 0 {
				break
			}
			// The pause runs from the last probe of any TTL: the hop a
			// silent TTL reaches (the target, often) may have spent its
			// token on a later TTL's probe.
			var latest time.Time
			for _, at := range t.lastSend {
				if at.After(latest) {
					latest = at
				}
			}
			if t.wait(ctx, silent, latest.Add(t.o.Refill)) {
				return true, nil
			}
			silent = t.silentTTLs(next - 1)
			for _, ttl := range silent {
				if err := t.sendTTL(ctx, ttl); err != nil {
					return ctx.Err() != nil, err
				}
				t.drain()
			}
			if t.wait(ctx, silent, time.Time{}) {
				return true, nil
			}
		}
		if t.end == 0 && next <= t.plan.MaxHops && t.lastAnswered() > before && next-1-t.lastAnswered() < t.o.Gap {
			continue
		}
		break
	}
	// Linger for late errors (an ARP failure's host unreachable) from
	// probes past the last hop that answered.
	if last := t.lastAnswered(); t.o.Linger > 0 && t.end == 0 && last < t.probed {
		first := t.lastSend[last+1]
		for _, p := range t.plan.Probes {
			if p.TTL == last+1 && !t.sentAt[p.Index].IsZero() && t.sentAt[p.Index].Before(first) {
				first = t.sentAt[p.Index]
			}
		}
		var tail []int
		for ttl := last + 1; ttl <= t.probed; ttl++ {
			tail = append(tail, ttl)
		}
		if t.wait(ctx, tail, first.Add(t.o.Linger)) {
			return true, nil
		}
	}
	return false, nil
}

// drain takes the replies already waiting, without blocking.
func (t *traceRun) drain() {
	for {
		select {
		case ev := <-t.events:
			t.take(ev)
		default:
			return
		}
	}
}

func kindText(h HopResult, proto string) string {
	switch h.Kind {
	case ReplySYNACK:
		return "SYN-ACK: the port is open"
	case ReplyRST:
		return "RST: the port is closed"
	case ReplyEchoReply:
		if proto == "udp" {
			return "a UDP reply"
		}
		return "echo reply"
	case ReplyUnreachable:
		if h.ICMPCode == 3 {
			return "port unreachable"
		}
		return unreachText(h.ICMPCode)
	}
	return h.Kind.String()
}

func ttlRange(a, b int) string {
	if a == b {
		return fmt.Sprintf("TTL %d", a)
	}
	return fmt.Sprintf("TTLs %d-%d", a, b)
}

func summarize(plan *TracePlan, hops []HopResult, end int, interrupted bool) *TraceResult {
	r := &TraceResult{Interrupted: interrupted}
	lastAns := 0
	probed := 0
	for t := 1; t < len(hops); t++ {
		if !hops[t].Silent() && (end == 0 || t <= end) {
			lastAns = t
		}
		if hops[t].Probes > 0 || !hops[t].Silent() {
			probed = t
		}
	}
	upto := end
	if end == 0 {
		upto = min(plan.MaxHops, max(lastAns+1, probed))
	}
	r.Hops = append(r.Hops, hops[1:upto+1]...)
	r.StoppedAfter = lastAns
	r.Ended = end > 0
	if end == 0 {
		for t := lastAns + 1; t <= plan.MaxHops; t++ {
			if hops[t].Silent() {
				r.FirstSilent = t
				break
			}
		}
	}
	tries := func() string {
		n := 0
		for t := lastAns + 1; t <= upto; t++ {
			n = max(n, hops[t].Probes)
		}
		switch n {
		case 0:
			return "never probed"
		case 1:
			return "probed once"
		}
		return fmt.Sprintf("each probed %d times, the last after a pause for rate limits", n)
	}
	switch {
	case end > 0 && hops[end].Address == plan.Dst && hops[end].Marker == "":
		r.Reached = true
		r.Reason = fmt.Sprintf("reached %s at TTL %d (%s)", plan.Dst, end, kindText(hops[end], plan.Proto))
	case end > 0:
		h := hops[end]
		r.Reason = fmt.Sprintf("%s answered %s at TTL %d: ICMP type %d code %d (%s)", h.Address, h.Marker, end, h.ICMPType, h.ICMPCode, unreachText(h.ICMPCode))
		if h.Marker == "!H" {
			r.Reason += fmt.Sprintf(": no host at %s answers on %s's link", plan.Dst, h.Address)
		}
	case lastAns == 0:
		r.Reason = fmt.Sprintf("no hop answered (%s silent, %s)", ttlRange(1, max(upto, 1)), tries())
	default:
		r.Reason = fmt.Sprintf("silent after TTL %d (%s, the last hop that answers): %s never answered (%s)",
			lastAns, hops[lastAns].Address, ttlRange(lastAns+1, max(upto, lastAns+1)), tries())
		if r.FirstSilent == 0 {
			r.Reason = fmt.Sprintf("the target did not answer within %d hops", plan.MaxHops)
		}
	}
	// What the hops say beyond the verdict.
	var holes []int
	for t := 1; t < lastAns; t++ {
		if hops[t].Silent() {
			holes = append(holes, t)
		}
	}
	if len(holes) > 0 && !interrupted {
		ss := make([]string, len(holes))
		for i, t := range holes {
			ss[i] = fmt.Sprint(t)
		}
		r.Notes = append(r.Notes, fmt.Sprintf("TTL %s never answered, yet later hops do: a router there forwards but sends no time-exceeded (or rate-limits it); it is not a filter", strings.Join(ss, ", ")))
	}
	for t := 1; t <= upto; t++ {
		if hops[t].AfterPause && !hops[t].Silent() {
			r.RateLimited = append(r.RateLimited, t)
		}
	}
	if len(r.RateLimited) > 0 {
		ss := make([]string, len(r.RateLimited))
		for i, t := range r.RateLimited {
			ss[i] = fmt.Sprintf("%d (%s)", t, hops[t].Address)
		}
		r.Notes = append(r.Notes, fmt.Sprintf("rate limiting: TTL %s answered only after a pause: ICMP rate limits (Linux's icmp_ratelimit) silenced the first probe", strings.Join(ss, ", ")))
	}
	var asym []string
	for t := 1; t <= upto; t++ {
		h := hops[t]
		if !h.Silent() && h.Back > 0 && h.Back != t {
			asym = append(asym, fmt.Sprintf("TTL %d back %d", t, h.Back))
		}
	}
	sort.Strings(asym)
	if len(asym) > 0 {
		r.Notes = append(r.Notes, "replies came back over a different number of hops ("+strings.Join(asym, ", ")+"): the return path may differ from the forward one")
	}
	if interrupted {
		r.FirstSilent = 0
		r.Reason = "interrupted; so far: " + r.Reason
		if !r.Ended && !r.Reached {
			r.Reason = fmt.Sprintf("interrupted after probing up to TTL %d; %d answered so far, silence proves nothing yet", probed, countAnswered(hops))
		}
	}
	return r
}

func countAnswered(hops []HopResult) int {
	n := 0
	for _, h := range hops {
		if !h.Silent() {
			n++
		}
	}
	return n
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
	b    *builder
	wg   sync.WaitGroup
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
	e := &rawTrace{plan: plan, src: src, snd: snd, b: newBuilder()}
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
	ev := traceEvent{from: p.from, at: p.at, ttl: p.ttl}
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

func (e *rawTrace) send(ctx context.Context, p TraceProbe) (time.Time, error) {
	var pkt []byte
	var err error
	switch e.plan.Proto {
	case "tcp":
		pkt, err = e.b.SYN(e.src, e.plan.Dst, p.SrcPort, p.DstPort, p.Seq, p.IPID, uint8(p.TTL))
	case "udp":
		pkt, err = e.b.UDP(e.src, e.plan.Dst, p.SrcPort, p.DstPort, p.IPID, uint8(p.TTL))
	case "icmp":
		pkt, err = e.b.Echo(e.src, e.plan.Dst, p.EchoID, p.EchoSeq, p.IPID, uint8(p.TTL))
	}
	if err != nil {
		return time.Time{}, err
	}
	at := time.Now()
	if err := e.snd.send(pkt, e.plan.Dst); err != nil {
		return at, fmt.Errorf("probe: send to %s: %w", e.plan.Dst, err)
	}
	return at, nil
}

// start turns matched raw packets into events until ctx ends.
func (e *rawTrace) start(ctx context.Context, events chan<- traceEvent) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
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
	}()
}

func (e *rawTrace) close() {
	e.wg.Wait()
	e.l.Close()
	e.snd.Close()
}

// errEngine sends each probe from its own socket with the probe's TTL and
// IP_RECVERR: a UDP datagram, or (stream) a TCP connect(). The kernel
// matches a quoted packet to its socket, and the socket's error queue
// gives the ICMP type, code and sender; neither needs privileges. A
// connect() that succeeds, or is refused with no ICMP error, reached the
// target (SYN-ACK or RST).
type errEngine struct {
	plan   *TracePlan
	events chan<- traceEvent
	ctx    context.Context
	stream bool
	wg     sync.WaitGroup
}

func (e *errEngine) send(ctx context.Context, p TraceProbe) (time.Time, error) {
	typ := unix.SOCK_DGRAM
	if e.stream {
		typ = unix.SOCK_STREAM
	}
	s, err := newErrSocket(e.plan.Dst, typ)
	if err != nil {
		return time.Time{}, err
	}
	enableRecvInfo(s.fd, s.six)
	if err := s.setTTL(p.TTL); err != nil {
		s.Close()
		return time.Time{}, fmt.Errorf("probe: set TTL: %w", err)
	}
	if e.stream {
		// Close with a RST: a probe that connects leaves nothing behind.
		unix.SetsockoptLinger(s.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	}
	at := time.Now()
	if err := s.connect(netip.AddrPortFrom(e.plan.Dst, p.DstPort)); err != nil {
		if e.stream && (errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES)) {
			return at, err
		}
		return at, nil // refused at once (a local error): counts as silent
	}
	if !e.stream {
		// A UDP connect() sends nothing: the probe leaves with the write.
		payload := make([]byte, 12)
		at = time.Now()
		if _, err := s.f.Write(payload); err != nil {
			s.Close()
			return at, nil // an error already queued: counts as silent
		}
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer s.Close()
		var ev traceEvent
		var ok bool
		if e.stream {
			ev, ok = waitConnect(e.ctx, s, e.plan.Dst)
		} else {
			ev, ok = waitRecvErr(e.ctx, s, e.plan.Dst)
		}
		if ok {
			ev.probe = p.Index
			select {
			case e.events <- ev:
			case <-e.ctx.Done():
			}
		}
	}()
	return at, nil
}

func (e *errEngine) close() { e.wg.Wait() }

// readErrEvent takes one ICMP error from the socket's error queue as an
// event, with the kernel's receive time.
func readErrEvent(fd int) (traceEvent, bool) {
	var b [64]byte
	var oob [512]byte
	_, oobn, _, _, err := unix.Recvmsg(fd, b[:], oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return traceEvent{}, false
	}
	e, ok := ParseErrQueue(oob[:oobn])
	if !ok || !e.ICMP() {
		return traceEvent{}, false
	}
	at, _ := recvInfo(oob[:oobn])
	if at.IsZero() {
		at = time.Now()
	}
	typ, code := v4TypeCode(e)
	ev := traceEvent{from: e.Offender, at: at, typ: typ, code: code, kind: ReplyUnreachable}
	if typ == 11 {
		ev.kind = ReplyTimeExceeded
	}
	return ev, true
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
		if e, ok := readErrEvent(int(fd)); ok {
			ev, got = e, true
			return true
		}
		var b [64]byte
		if _, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_DONTWAIT); err == nil {
			ev = traceEvent{from: dst, at: time.Now(), kind: ReplyEchoReply}
			got = true
			return true
		}
		return false
	})
	return ev, got
}

// waitConnect waits for a TCP connect() made with a low TTL to end: an
// ICMP error from a router or the target (time exceeded, unreachable), a
// SYN-ACK (connected) or a RST (refused, with no ICMP error queued).
func waitConnect(ctx context.Context, s *errSocket, dst netip.Addr) (traceEvent, bool) {
	stop := context.AfterFunc(ctx, func() { s.f.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := s.f.SyscallConn()
	if err != nil {
		return traceEvent{}, false
	}
	var ev traceEvent
	var got bool
	rc.Write(func(fd uintptr) bool {
		if e, ok := readErrEvent(int(fd)); ok {
			ev, got = e, true
			return true
		}
		v, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			return true
		}
		if v != 0 {
			if unix.Errno(v) == unix.ECONNREFUSED {
				ev, got = traceEvent{from: dst, at: time.Now(), kind: ReplyRST}, true
			}
			return true
		}
		if _, err := unix.Getpeername(int(fd)); err != nil {
			return false // still connecting
		}
		ev, got = traceEvent{from: dst, at: time.Now(), kind: ReplySYNACK}, true
		// The kernel timed the SYN and its SYN-ACK itself: its first
		// RTT sample is this probe's round trip, however late this
		// goroutine runs.
		if ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil && ti.Rtt > 0 {
			ev.rtt = time.Duration(ti.Rtt) * time.Microsecond
		}
		return true
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
