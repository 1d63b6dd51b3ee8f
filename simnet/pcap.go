package simnet

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// Packet is one packet of a capture: when it passed the capture point and
// its bytes, from the IP header on (pcap link type RAW).
type Packet struct {
	Time time.Time
	Data []byte
}

// Per-hop latencies of the model: tens of milliseconds across the
// internet, under a millisecond inside a VPC.
const (
	internetDelay = 12 * time.Millisecond
	fabricDelay   = 500 * time.Microsecond // one route-table hop inside a VPC
	natDelay      = 300 * time.Microsecond
	peeringDelay  = time.Millisecond
	upstreamDelay = 10 * time.Millisecond // a resolver to an authoritative server, one way
	wireGap       = 12 * time.Microsecond // back-to-back segments of one sender

	tlsServerThink = time.Millisecond
	tlsClientThink = 500 * time.Microsecond
	appThink       = 3 * time.Millisecond
	lbThink        = 200 * time.Microsecond
	clientThink    = 100 * time.Microsecond
	synTimeout     = time.Second      // the first SYN retransmission; it doubles
	lbConnTimeout  = 10 * time.Second // an application load balancer gives a target this long
)

func hopDelay(h *tracer.Hop) time.Duration {
	switch h.Code {
	case tracer.InternetForward:
		return internetDelay
	case tracer.RouteMatch:
		if h.Kind == tracer.KindRouteTable {
			return fabricDelay
		}
		return 100 * time.Microsecond // an instance forwarding
	case tracer.NATTranslate:
		return natDelay
	case tracer.PeeringForward:
		return peeringDelay
	}
	return 0
}

// CapturePoints lists the names a capture can be made at: clients,
// servers, instances, resolvers, balancers and NAT gateways.
func (w *World) CapturePoints() []string {
	var out []string
	for n := range w.hosts {
		out = append(out, n)
	}
	for n := range w.resolvers {
		out = append(out, n)
	}
	for n := range w.lbs {
		out = append(out, n)
	}
	for n := range w.nats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CapturePackets builds the packets of the request to target from the
// named host (the default vantage point when from is empty) as a capture
// at the named point records them (at the client when at is empty), in
// time order, with the notes that say how to read them. A ping (an
// icmp:// target) sends echoes echo requests. It is the World's side of a
// Capture.
func (w *World) CapturePackets(ctx context.Context, from string, target tracer.Target, at string, echoes int) (packets []Packet, notes []string, err error) {
	if from == "" {
		from = w.DefaultFrom()
	}
	n, err := w.From(from)
	if err != nil {
		return nil, nil, err
	}
	n.Capture = true
	if at == "" {
		at = from
	}
	if w.hosts[at] == nil && w.resolvers[at] == nil && w.lbs[at] == nil && w.nats[at] == nil {
		return nil, nil, fmt.Errorf("%w: nothing to capture at is named %q; capture at a client, server, instance, resolver, balancer or NAT gateway: %s",
			ErrUnknownName, at, strings.Join(w.CapturePoints(), ", "))
	}
	c := &capturer{w: w, n: n, at: at, echoes: echoes}
	if err := c.run(ctx, target); err != nil {
		return nil, nil, err
	}
	sort.SliceStable(c.pkts, func(i, j int) bool { return c.pkts[i].t < c.pkts[j].t })
	for _, p := range c.pkts {
		packets = append(packets, Packet{Time: w.Clock.Add(p.t), Data: p.data})
	}
	switch {
	case w.lbs[at] != nil:
		notes = append(notes, at+" is a managed balancer: in the cloud no one can run tcpdump on it (traffic mirroring comes closest); this is what its interfaces would see")
	case w.nats[at] != nil:
		notes = append(notes, at+" is a managed NAT gateway: no one can run tcpdump on it; this is what its interface would see, both sides of the translation")
	}
	if len(packets) == 0 {
		notes = append(notes, fmt.Sprintf("no packet of this request passes %s", at))
	}
	return packets, notes, nil
}

// TcpdumpLines returns packets as `tcpdump -nn` prints them, one a line,
// with the time of day in UTC (see Capture.Lines).
func TcpdumpLines(packets []Packet) []string {
	d := newDecoder()
	rel := seqBase{}
	out := make([]string, 0, len(packets))
	for _, p := range packets {
		ts := p.Time.UTC().Format("15:04:05.000000")
		if err := d.decode(p.Data); err != nil {
			out = append(out, ts+" undecodable packet: "+err.Error())
			continue
		}
		out = append(out, ts+" "+d.tcpdump(rel))
	}
	return out
}

// capturer builds the packets a capture point sees.
type capturer struct {
	w      *World
	n      *Net
	at     string
	echoes int // how many echo requests a ping sends
	pkts   []timedPacket
}

type timedPacket struct {
	t    time.Duration
	data []byte
}

// tuple is a packet's addresses and ports at one point.
type tuple struct {
	src, dst     netip.Addr
	sport, dport uint16
}

func (t tuple) mirror() tuple { return tuple{src: t.dst, dst: t.src, sport: t.dport, dport: t.sport} }

// sighting is where the capture point sees one direction of a
// connection: the packet's addresses there, how long after leaving its
// sender it gets there, and its TTL.
type sighting struct {
	tup tuple
	d   time.Duration
	ttl uint8
}

// pathView is one connection as the capture point sees it.
type pathView struct {
	fwd, ret []sighting     // requester→responder and back
	f, r     time.Duration  // one-way latencies end to end
	reaches  bool           // the request gets to the responder
	answered bool           // and the responder's reply gets back
	fwdHops  []tracer.Hop   // the request's hops, for ICMP quotes
	quote    map[int][]byte // fwd sighting index → the request as seen there
}

func (c *capturer) emit(t time.Duration, s segment) {
	data, err := s.build()
	if err != nil {
		return
	}
	c.pkts = append(c.pkts, timedPacket{t: t, data: data})
}

// viewTuple is the addresses, ports and TTL of a hop's packet, from the
// flow the engine recorded there. ok is false for a hop without a packet.
func viewTuple(h *tracer.Hop) (tup tuple, ttl uint8, ok bool) {
	if h.Packet == nil || !h.Flow.IsValid() {
		return tuple{}, 0, false
	}
	f := h.Flow
	return tuple{src: f.Src.Addr(), dst: f.Dst.Addr(), sport: f.Src.Port(), dport: f.Dst.Port()}, f.TTL, true
}

func firstBlock(run []tracer.Hop) int {
	for i := range run {
		if run[i].Blocks {
			return i
		}
	}
	return len(run)
}

func translates(h *tracer.Hop) bool {
	return h.Code == tracer.NATTranslate || (h.Code == tracer.LBForward && h.Kind == tracer.KindLoadBalancer)
}

// pathOf reads a walk's hops (one connection there and back) as the
// capture point sees them.
func (c *capturer) pathOf(hops []tracer.Hop) pathView {
	var fwd, ret []tracer.Hop
	for _, h := range hops {
		if h.Packet == nil {
			continue
		}
		if h.Direction == tracer.Return {
			ret = append(ret, h)
		} else if len(ret) == 0 {
			fwd = append(fwd, h)
		}
	}
	var pv pathView
	if len(fwd) == 0 {
		return pv
	}
	pv.fwdHops = fwd
	pv.quote = map[int][]byte{}
	sender, receiver := fwd[0].Component, fwd[len(fwd)-1].Component
	fb := firstBlock(fwd)
	pv.reaches = fb == len(fwd)
	delays := make([]time.Duration, len(fwd)+1)
	for i := range fwd {
		delays[i+1] = delays[i] + hopDelay(&fwd[i])
	}
	pv.f = delays[len(fwd)]
	add := func(i int) {
		if i >= len(fwd) {
			return
		}
		tup, ttl, ok := viewTuple(&fwd[i])
		if !ok {
			return
		}
		if k := len(pv.fwd); k > 0 && pv.fwd[k-1].tup == tup {
			return
		}
		pv.quote[len(pv.fwd)] = fwd[i].Packet.Data
		pv.fwd = append(pv.fwd, sighting{tup: tup, d: delays[i], ttl: ttl})
	}
	for i := range fwd {
		if i > fb {
			break
		}
		if fwd[i].Component == c.at || (i == 0 && sender == c.at) {
			add(i)
			if translates(&fwd[i]) {
				add(i + 1)
			}
		}
	}
	rdel := make([]time.Duration, len(ret)+1)
	for i := range ret {
		rdel[i+1] = rdel[i] + hopDelay(&ret[i])
	}
	pv.r = rdel[len(ret)]
	if len(ret) == 0 {
		pv.r = pv.f // no reply was walked (a reset, an ICMP error): it takes the request's path back
	}
	rb := firstBlock(ret)
	pv.answered = len(ret) > 0 && rb == len(ret)
	if len(pv.fwd) == 0 {
		return pv
	}
	mirrorAt := func(k int) tuple { // the reply's addresses at the k-th return sighting
		j := len(pv.fwd) - 1 - k
		if j < 0 {
			j = 0
		}
		return pv.fwd[j].tup.mirror()
	}
	if len(ret) == 0 {
		for k := range pv.fwd {
			j := len(pv.fwd) - 1 - k
			pv.ret = append(pv.ret, sighting{tup: mirrorAt(k), d: pv.f - pv.fwd[j].d, ttl: initialTTL})
		}
		return pv
	}
	switch {
	case c.at == receiver:
		_, ttl, _ := viewTuple(&ret[0])
		pv.ret = append(pv.ret, sighting{tup: mirrorAt(0), ttl: ttl})
	case c.at == sender:
		if pv.answered {
			_, ttl, _ := viewTuple(&ret[len(ret)-1])
			pv.ret = append(pv.ret, sighting{tup: mirrorAt(0), d: pv.r, ttl: ttl})
		}
	default:
		for i := range ret {
			if i > rb {
				break
			}
			if ret[i].Component != c.at {
				continue
			}
			_, ttl, _ := viewTuple(&ret[i])
			pv.ret = append(pv.ret, sighting{tup: mirrorAt(len(pv.ret)), d: rdel[i], ttl: ttl})
			if translates(&ret[i]) && i+1 < len(ret) {
				_, ttl, _ := viewTuple(&ret[i+1])
				pv.ret = append(pv.ret, sighting{tup: mirrorAt(len(pv.ret)), d: rdel[i+1], ttl: ttl})
			}
			break
		}
	}
	return pv
}

// message is a write of one side of a conversation.
type message struct {
	fromClient bool
	data       []byte
	kind       string        // "request", "response" or "" (TLS handshake, alerts)
	think      time.Duration // after the sender is ready
	// respond, when set, decides when the message leaves, given when the
	// sender got what it answers (a balancer asking its target first).
	respond func(ready time.Duration) time.Duration
	// lost: the message never gets past the responder (an MTU blackhole).
	lost bool
}

// session plays one TCP connection along a path and emits what the
// capture point sees.
type session struct {
	c          *capturer
	pv         pathView
	isnC, isnS uint32
	idC, idS   uint16
}

func newSession(c *capturer, pv pathView, servicePort uint16) *session {
	return &session{c: c, pv: pv, isnC: isn(servicePort, false), isnS: isn(servicePort, true), idC: uint16(isn(servicePort, false) >> 16)}
}

func (s *session) send(fromClient bool, t time.Duration, seg segment) {
	sights := s.pv.ret
	id := &s.idS
	if fromClient {
		sights, id = s.pv.fwd, &s.idC
	}
	*id++
	for _, si := range sights {
		g := seg
		g.src, g.dst, g.sport, g.dport, g.ttl, g.id = si.tup.src, si.tup.dst, si.tup.sport, si.tup.dport, si.ttl, *id
		s.c.emit(t+si.d, g)
	}
}

// icmp sends the responder's ICMP error back, quoting the request as each
// sighting saw it.
func (s *session) icmp(t time.Duration, typ, code uint8) {
	for k, si := range s.pv.ret {
		q := s.pv.quote[len(s.pv.fwd)-1-k]
		if len(q) > 28 {
			q = q[:28] // the IP header and the first 8 bytes of the transport
		}
		s.c.emit(t+si.d, segment{src: si.tup.src, dst: si.tup.dst, ttl: initialTTL, proto: protoICMP, icmpType: typ, icmpCode: code, payload: q})
	}
}

// run plays the connection: the handshake, the messages and, with
// closing, the close. It returns when the requester has the last answer
// (or gave up).
func (s *session) run(start time.Duration, state tracer.ConnState, msgs []message, closing bool) time.Duration {
	pv := s.pv
	syn := segment{proto: protoTCP, flags: flagSYN, seq: s.isnC, win: synWindow, synOpts: true}
	synAck := segment{proto: protoTCP, flags: flagSYN | flagACK, seq: s.isnS, ack: s.isnC + 1, win: synAckWindow, synOpts: true}
	switch state {
	case tracer.ConnRefused:
		s.send(true, start, syn)
		s.send(false, start+pv.f, segment{proto: protoTCP, flags: flagRST | flagACK, ack: s.isnC + 1})
		return start + pv.f + pv.r
	case tracer.ConnUnreachable:
		s.send(true, start, syn)
		s.icmp(start+pv.f, layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort)
		return start + pv.f + pv.r
	case tracer.ConnTimeout:
		// The SYN and its retransmissions, 1 s, 2 s and 4 s apart. Where
		// the request gets through and only the reply is lost, the
		// responder answers every one of them.
		t, rto := start, synTimeout
		for range 4 {
			s.send(true, t, syn)
			if pv.reaches {
				s.send(false, t+pv.f, synAck)
			}
			t += rto
			rto *= 2
		}
		return start + lbConnTimeout
	}
	s.send(true, start, syn)
	s.send(false, start+pv.f, synAck)
	seqC, seqS := s.isnC+1, s.isnS+1
	clientReady := start + pv.f + pv.r
	s.send(true, clientReady, segment{proto: protoTCP, flags: flagACK, seq: seqC, ack: seqS, win: dataWindow})
	serverReady := start + pv.f
	for i, m := range msgs {
		ready := serverReady
		if m.fromClient {
			ready = clientReady
		}
		at := ready + m.think
		if m.respond != nil {
			at = m.respond(ready)
		}
		seq, ack, oneWay := &seqS, seqC, pv.r
		if m.fromClient {
			seq, ack, oneWay = &seqC, seqS, pv.f
		}
		for off := 0; off < len(m.data); off += mss {
			chunk := m.data[off:min(off+mss, len(m.data))]
			flags := flagACK
			if off+mss >= len(m.data) {
				flags |= flagPSH
			}
			seg := segment{proto: protoTCP, flags: flags, seq: *seq, ack: ack, win: dataWindow, payload: chunk}
			if m.lost {
				s.sendLost(at, seg)
			} else {
				s.send(m.fromClient, at, seg)
			}
			*seq += uint32(len(chunk))
			at += wireGap
		}
		if m.lost {
			// The requester waits for an answer that never comes.
			return at + lbConnTimeout
		}
		arrive := at + oneWay
		if m.fromClient {
			clientReady, serverReady = at, max(serverReady, arrive)
		} else {
			serverReady, clientReady = at, max(clientReady, arrive)
		}
		// The receiver acknowledges at once unless its own next message
		// follows straight away and carries the ACK.
		next := i + 1
		piggyback := next < len(msgs) && msgs[next].fromClient != m.fromClient && msgs[next].respond == nil && msgs[next].think <= tlsServerThink
		if !piggyback {
			if m.fromClient {
				s.send(false, arrive, segment{proto: protoTCP, flags: flagACK, seq: seqS, ack: seqC, win: dataWindow})
			} else {
				s.send(true, arrive, segment{proto: protoTCP, flags: flagACK, seq: seqC, ack: seqS, win: dataWindow})
			}
		}
	}
	if !closing {
		return clientReady
	}
	// The requester closes; the responder closes too; the last ACK.
	fin := clientReady + clientThink
	s.send(true, fin, segment{proto: protoTCP, flags: flagFIN | flagACK, seq: seqC, ack: seqS, win: dataWindow})
	seqC++
	s.send(false, fin+pv.f, segment{proto: protoTCP, flags: flagFIN | flagACK, seq: seqS, ack: seqC, win: dataWindow})
	seqS++
	done := fin + pv.f + pv.r
	s.send(true, done, segment{proto: protoTCP, flags: flagACK, seq: seqC, ack: seqS, win: dataWindow})
	return done
}

// sendLost emits a responder's segment that never gets far: only the
// responder itself sees it leave, and retransmit it.
func (s *session) sendLost(t time.Duration, seg segment) {
	if len(s.pv.ret) == 0 || s.pv.ret[0].d != 0 || len(s.pv.fwdHops) == 0 || s.c.at == s.pv.fwdHops[0].Component {
		return
	}
	si := s.pv.ret[0]
	seg.src, seg.dst, seg.sport, seg.dport, seg.ttl = si.tup.src, si.tup.dst, si.tup.sport, si.tup.dport, si.ttl
	s.c.emit(t, seg)
	s.c.emit(t+synTimeout, seg)
}

// run plays the whole request: DNS, the connection, TLS and HTTP, as
// tracer.Diagnose walks them.
func (c *capturer) run(ctx context.Context, target tracer.Target) error {
	n := c.n
	var now time.Duration
	addr, isAddr := target.HostAddr()
	if !isAddr {
		a, err := n.Resolve(ctx, target.Host, dns.TypeA)
		if err != nil {
			return err
		}
		now = c.dns(a)
		if len(a.Addrs) == 0 {
			return nil
		}
		addr = a.Addrs[0]
		now += clientThink
	}
	dst := netip.AddrPortFrom(addr, target.Port)
	cn, err := n.Dial(ctx, target.Proto(), dst)
	if err != nil {
		return err
	}
	pv := c.pathOf(cn.Hops)
	switch target.Proto() {
	case tracer.UDP:
		c.udp(pv, now, cn)
		return nil
	case tracer.ICMP:
		c.echo(pv, now, cn)
		return nil
	}
	s := newSession(c, pv, dst.Port())
	if cn.State != tracer.ConnOpen {
		s.run(now, cn.State, nil, false)
		return nil
	}
	var msgs []message
	req := &tracer.HTTPRequest{Method: http.MethodGet, Scheme: target.Scheme, Host: target.Host, Path: target.Path}
	switch target.Scheme {
	case "https":
		tr, err := n.Handshake(ctx, cn, target.Host)
		if err != nil {
			return err
		}
		plan := tlsPlan{serverName: target.Host, clock: c.w.Clock}
		st, _ := cn.Handle.(*conn)
		plan.cert, plan.plainHTTP = serverCert(st)
		var resp *tracer.HTTPResponse
		if tr.OK {
			if resp, err = n.Request(ctx, cn, req); err != nil {
				return err
			}
			plan.request = httpRequestBytes(req, cn, "")
			plan.response = httpResponseBytes(resp, c.w.Clock)
		}
		msgs, err = tlsTranscript(plan)
		if err != nil {
			return err
		}
		if resp != nil {
			c.httpTiming(msgs, resp, cn, req)
		}
	case "http":
		resp, err := n.Request(ctx, cn, req)
		if err != nil {
			return err
		}
		msgs = []message{
			{fromClient: true, kind: "request", data: httpRequestBytes(req, cn, "")},
			{kind: "response", data: httpResponseBytes(resp, c.w.Clock)},
		}
		c.httpTiming(msgs, resp, cn, req)
	}
	s.run(now, tracer.ConnOpen, msgs, true)
	return nil
}

// httpTiming sets when the response leaves: a balancer first asks its
// target (the backend conversation is played then), a service thinks a
// little; a response that meets an MTU blackhole is lost.
func (c *capturer) httpTiming(msgs []message, resp *tracer.HTTPResponse, cn *tracer.Conn, req *tracer.HTTPRequest) {
	ri := -1
	for i := range msgs {
		if msgs[i].kind == "response" {
			ri = i
			break
		}
	}
	if ri < 0 {
		return
	}
	for _, h := range resp.Hops {
		if h.Code == tracer.MTUBlackhole {
			msgs[ri].lost = true
		}
	}
	st, _ := cn.Handle.(*conn)
	backend := walksIn(resp.Hops)
	if len(backend) == 0 || st == nil || st.lis == nil {
		msgs[ri].think = appThink
		if st != nil && st.lis != nil && st.dst != nil && st.dst.lb != nil && st.dst.lb.alb {
			msgs[ri].think = lbThink // the balancer answers itself
		}
		return
	}
	hops := backend[0]
	forwardedFor := ""
	if st.dst != nil && st.dst.lb != nil && st.dst.lb.alb {
		forwardedFor = cn.Local.Addr().String() // an application balancer says whom it serves
	}
	msgs[ri].respond = func(ready time.Duration) time.Duration {
		return c.backend(ready+lbThink, hops, resp, cn, req, forwardedFor) + lbThink
	}
}

// walksIn finds the connections a balancer walked (its second
// connections): runs of hops with packets, each from the balancer sending
// (an application balancer's SENT, a network balancer's LB_FORWARD).
func walksIn(hops []tracer.Hop) [][]tracer.Hop {
	starts := func(h *tracer.Hop) bool {
		return h.Packet != nil && h.Kind == tracer.KindLoadBalancer && h.Direction == tracer.Forward && (h.Code == tracer.Sent || h.Code == tracer.LBForward)
	}
	var out [][]tracer.Hop
	for i := 0; i < len(hops); i++ {
		if !starts(&hops[i]) {
			continue
		}
		j := i + 1
		for j < len(hops) && hops[j].Packet != nil && !starts(&hops[j]) {
			j++
		}
		out = append(out, hops[i:j])
		i = j - 1
	}
	return out
}

// backend plays a balancer's connection to its target, from start, and
// returns when the balancer has the answer (or gave up on the target).
// The balancer keeps the connection open for the next request.
func (c *capturer) backend(start time.Duration, hops []tracer.Hop, resp *tracer.HTTPResponse, cn *tracer.Conn, req *tracer.HTTPRequest, forwardedFor string) time.Duration {
	tup, _, ok := viewTuple(&hops[0])
	if !ok {
		return start
	}
	pv := c.pathOf(hops)
	state := tracer.ConnOpen
	if fb := firstBlock(hops); fb < len(hops) {
		state, _ = connObserved(hops[fb].Code, tracer.TCP, netip.Addr{})
	}
	s := newSession(c, pv, tup.dport)
	if state != tracer.ConnOpen {
		return s.run(start, state, nil, false)
	}
	msgs := []message{
		{fromClient: true, kind: "request", data: httpRequestBytes(req, cn, forwardedFor)},
		{kind: "response", data: httpResponseBytes(resp, c.w.Clock), think: appThink},
	}
	return s.run(start, tracer.ConnOpen, msgs, false)
}

// udp plays a datagram and its answer, or the ICMP error.
func (c *capturer) udp(pv pathView, start time.Duration, conn *tracer.Conn) {
	s := &session{c: c, pv: pv}
	payload, reply := []byte("pathlab probe\n"), []byte("pathlab probe\n")
	if conn.Addr.Port() == 53 {
		// what answers on port 53 is asked a DNS question
		q := newQuery(".", dns.TypeNS, uint16(isn(53, false)))
		r := new(dns.Msg)
		r.SetReply(q)
		r.RecursionAvailable = true
		b, err1 := q.Pack()
		rb, err2 := r.Pack()
		if err1 == nil && err2 == nil {
			payload, reply = b, rb
		}
	}
	s.send(true, start, segment{proto: protoUDP, payload: payload})
	switch conn.State {
	case tracer.ConnOpen:
		s.send(false, start+pv.f+appThink, segment{proto: protoUDP, payload: reply})
	case tracer.ConnUnreachable, tracer.ConnRefused:
		s.icmp(start+pv.f, layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort)
	}
}

// pings is how many echo requests a captured ping sends, a second apart,
// unless CapturePing says otherwise (ping's own default is to go on).
const Pings = 4

// echo plays a ping: echo requests a second apart, and their replies where
// the path lets them back.
func (c *capturer) echo(pv pathView, start time.Duration, conn *tracer.Conn) {
	s := &session{c: c, pv: pv}
	payload := make([]byte, 56) // ping's default: 56 data bytes, 84 on the wire
	for i := range payload {
		payload[i] = byte(0x10 + i)
	}
	for i := range c.echoes {
		t := start + time.Duration(i)*time.Second
		s.send(true, t, segment{proto: protoICMP, icmpType: layers.ICMPv4TypeEchoRequest, icmpID: 1, icmpSeq: uint16(i + 1), payload: payload})
		if conn.State == tracer.ConnOpen {
			s.send(false, t+pv.f, segment{proto: protoICMP, icmpType: layers.ICMPv4TypeEchoReply, icmpID: 1, icmpSeq: uint16(i + 1), payload: payload})
		}
	}
}

// dns plays the lookup: the client's query and the answer at the client;
// at its resolver, the resolver's walk too. It returns when the answer is
// back at the client.
func (c *capturer) dns(a *tracer.Answer) time.Duration {
	hops := a.Hops
	if len(hops) < 2 || hops[0].Packet == nil {
		return 0
	}
	oneWay := internetDelay
	if c.n.from.vpc != nil {
		oneWay = fabricDelay
	}
	resolver := hops[0].Component
	if c.at == resolver {
		c.pkts = append(c.pkts, timedPacket{t: oneWay, data: hops[0].Packet.Data})
	}
	t := oneWay + clientThink // the query is at the resolver, which gets to work
	d := newDecoder()
	for i := 1; i < len(hops)-1; i++ {
		h := &hops[i]
		if h.Packet == nil || d.decode(h.Packet.Data) != nil || !d.hasUDP {
			continue
		}
		m := new(dns.Msg)
		if m.Unpack(d.udp.Payload) != nil {
			continue
		}
		tup, _, _ := viewTuple(h)
		if !m.Response {
			if h.Code == tracer.DNSTimeout {
				if c.at == resolver {
					c.pkts = append(c.pkts, timedPacket{t: t, data: h.Packet.Data})
				}
				t += 2 * time.Second // the resolver waits, then tries the next server
			}
			continue // the query goes out with the answer that follows
		}
		if c.at == resolver {
			q := newQuery(m.Question[0].Name, m.Question[0].Qtype, m.Id)
			q.RecursionDesired = false
			if b, err := q.Pack(); err == nil {
				s := segment{src: tup.dst, dst: tup.src, sport: tup.dport, dport: tup.sport, proto: protoUDP, payload: b}
				c.emit(t, s)
			}
			c.pkts = append(c.pkts, timedPacket{t: t + 2*upstreamDelay, data: h.Packet.Data})
		}
		t += 2 * upstreamDelay
	}
	switch c.at {
	case c.n.from.name:
		c.pkts = append(c.pkts, timedPacket{t: 0, data: hops[0].Packet.Data})
		if last := hops[len(hops)-1]; last.Packet != nil {
			c.pkts = append(c.pkts, timedPacket{t: t + oneWay, data: last.Packet.Data})
		}
	case resolver:
		if last := hops[len(hops)-1]; last.Packet != nil {
			c.pkts = append(c.pkts, timedPacket{t: t, data: last.Packet.Data})
		}
	}
	return t + oneWay
}

// serverCert is the certificate the TLS server of a connection presents,
// and whether it speaks plain HTTP instead.
func serverCert(st *conn) (*cert, bool) {
	if st == nil {
		return nil, false
	}
	if st.lis != nil {
		switch st.lis.proto {
		case "https", "tls":
			return st.lis.cert, false
		case "tcp":
			if st.svc != nil {
				return st.svc.tls, st.svc.tls == nil
			}
			return nil, false
		}
		return nil, true
	}
	if st.svc != nil {
		return st.svc.tls, st.svc.tls == nil && st.svc.http != nil
	}
	return nil, false
}

// httpRequestBytes is the request as the client (or, with forwardedFor,
// a balancer) writes it.
func httpRequestBytes(r *tracer.HTTPRequest, conn *tracer.Conn, forwardedFor string) []byte {
	path := r.Path
	if path == "" {
		path = "/"
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, "http://"+r.Host+path, nil)
	if err != nil {
		return []byte(method + " " + path + " HTTP/1.1\r\nHost: " + r.Host + "\r\n\r\n")
	}
	req.Host = r.Host
	req.Header.Set("User-Agent", "curl/8.5.0")
	req.Header.Set("Accept", "*/*")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
		req.Header.Set("X-Forwarded-Proto", r.Scheme)
		req.Header.Set("X-Forwarded-Port", strconv.Itoa(int(conn.Addr.Port())))
	}
	var b bytes.Buffer
	if err := req.Write(&b); err != nil {
		return nil
	}
	return b.Bytes()
}

// httpResponseBytes is the response as the server writes it.
func httpResponseBytes(r *tracer.HTTPResponse, clock time.Time) []byte {
	if r == nil || r.Status == 0 {
		return nil
	}
	body := r.Body
	if body == "" && r.Status >= 400 {
		body = fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n", r.Status, r.StatusText, r.Status, r.StatusText)
	}
	h := http.Header{}
	h.Set("Date", clock.UTC().Format(http.TimeFormat))
	for _, kv := range r.Header {
		h.Add(kv[0], kv[1])
	}
	if h.Get("Content-Type") == "" && body != "" {
		h.Set("Content-Type", "text/html")
	}
	resp := &http.Response{Status: fmt.Sprintf("%d %s", r.Status, r.StatusText), StatusCode: r.Status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
	var b bytes.Buffer
	if err := resp.Write(&b); err != nil {
		return nil
	}
	return b.Bytes()
}

// tlsPlan is a TLS conversation to record.
type tlsPlan struct {
	serverName string
	// cert is what the server presents; nil when the server does not speak
	// TLS (plainHTTP: it answers in HTTP, as an http listener does).
	cert      *cert
	plainHTTP bool
	clock     time.Time
	// request and response are the application data; empty request: the
	// client stops after the handshake.
	request, response []byte
}

// memPipe is an in-memory connection whose writes never block (net.Pipe's
// do, and a TLS client that stops reading a flight to send an alert would
// deadlock on one). It records each side's writes, in order.
type memPipe struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    [2]bytes.Buffer // what each side has to read
	closed [2]bool
	msgs   []message
}

// memConn is one side of a memPipe: side 0 is the client.
type memConn struct {
	p    *memPipe
	side int
	kind string // set by the side's own goroutine before it writes
}

func newMemPipe() (*memConn, *memConn) {
	p := &memPipe{}
	p.cond = sync.NewCond(&p.mu)
	return &memConn{p: p}, &memConn{p: p, side: 1}
}

func (c *memConn) Read(b []byte) (int, error) {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.buf[c.side].Len() == 0 && !p.closed[0] && !p.closed[1] {
		p.cond.Wait()
	}
	if p.buf[c.side].Len() == 0 {
		return 0, io.EOF
	}
	return p.buf[c.side].Read(b)
}

func (c *memConn) Write(b []byte) (int, error) {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed[0] || p.closed[1] {
		return 0, io.ErrClosedPipe
	}
	p.buf[1-c.side].Write(b)
	p.msgs = append(p.msgs, message{fromClient: c.side == 0, data: bytes.Clone(b), kind: c.kind})
	p.cond.Broadcast()
	return len(b), nil
}

func (c *memConn) Close() error {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.p.closed[c.side] = true
	c.p.cond.Broadcast()
	return nil
}

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }

func (c *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

// tlsTranscript runs a real TLS conversation with crypto/tls, in memory
// (no packet leaves the process): a client that trusts the simulated CA
// and judges certificates at the world's clock, a server presenting the
// world's certificate, then the HTTP request and response as application
// data, then close_notify. A certificate the simulation rejects is
// rejected here too, and the client's alert is recorded.
func tlsTranscript(p tlsPlan) ([]message, error) {
	cEnd, sEnd := newMemPipe()
	// A safety net: a conversation that hangs is cut after a while.
	stop := time.AfterFunc(5*time.Second, func() { cEnd.Close(); sEnd.Close() })
	defer stop.Stop()
	clock := func() time.Time { return p.clock }

	var leaf tls.Certificate
	pool := x509.NewCertPool()
	if p.cert != nil {
		ca, err := simulatedCA()
		if err != nil {
			return nil, err
		}
		pool.AddCert(ca.cert)
		if leaf, err = ca.issue(p.cert); err != nil {
			return nil, err
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sEnd.Close()
		if p.cert == nil {
			if _, err := sEnd.Read(make([]byte, 64<<10)); err != nil {
				return
			}
			if p.plainHTTP {
				sEnd.kind = "response"
				_, _ = sEnd.Write(httpResponseBytes(&tracer.HTTPResponse{Status: http.StatusBadRequest, StatusText: http.StatusText(http.StatusBadRequest),
					Header: [][2]string{{"Content-Type", "text/html"}, {"Connection", "close"}}}, p.clock))
			}
			return
		}
		s := tls.Server(sEnd, &tls.Config{Certificates: []tls.Certificate{leaf}, SessionTicketsDisabled: true, Time: clock, MinVersion: tls.VersionTLS12, Rand: seededRand("server " + p.serverName)})
		if err := s.Handshake(); err != nil {
			return
		}
		if len(p.request) > 0 {
			if _, err := io.ReadFull(s, make([]byte, len(p.request))); err != nil {
				return
			}
			sEnd.kind = "response"
			if _, err := s.Write(p.response); err != nil {
				return
			}
			sEnd.kind = ""
		}
		_, _ = io.Copy(io.Discard, s) // until the client's close_notify
	}()
	c := tls.Client(cEnd, &tls.Config{ServerName: p.serverName, RootCAs: pool, Time: clock, MinVersion: tls.VersionTLS12, Rand: seededRand("client " + p.serverName)})
	if err := c.Handshake(); err == nil && len(p.request) > 0 {
		cEnd.kind = "request"
		if _, err := c.Write(p.request); err == nil {
			cEnd.kind = ""
			_, _ = io.ReadFull(c, make([]byte, len(p.response)))
		}
	}
	cEnd.kind = ""
	_ = c.Close()
	<-done
	cEnd.p.mu.Lock()
	msgs := cEnd.p.msgs
	cEnd.p.mu.Unlock()
	for i := range msgs {
		switch {
		case i == 0 || msgs[i-1].fromClient == msgs[i].fromClient:
		case msgs[i].fromClient:
			msgs[i].think = tlsClientThink
		default:
			msgs[i].think = tlsServerThink
		}
	}
	return msgs, nil
}

// seededKey derives an Ed25519 key from a name.
func seededKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("pathlab/simnet key: " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// seededRand is a deterministic source for a handshake's randoms and key
// shares, so that a capture repeats.
func seededRand(name string) io.Reader {
	seed := sha256.Sum256([]byte("pathlab/simnet handshake: " + name))
	return mrand.NewChaCha8(seed)
}

// certAuthority is the simulated CA that signs the world's certificates
// for captures.
type certAuthority struct {
	cert *x509.Certificate
	key  ed25519.PrivateKey
}

var (
	caOnce sync.Once
	theCA  *certAuthority
	caErr  error
	leaves sync.Map // certificate name and validity → tls.Certificate
)

func simulatedCA() (*certAuthority, error) {
	caOnce.Do(func() {
		// Ed25519 keys from fixed seeds and deterministic signatures: the
		// same world gives the same capture, byte for byte.
		key := seededKey("pathlab simulated CA")
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pathlab simulated CA"},
			NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			caErr = err
			return
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			caErr = err
			return
		}
		theCA = &certAuthority{cert: c, key: key}
	})
	return theCA, caErr
}

// issue makes (once) an X.509 certificate for a world certificate: its
// domains as DNS names, its validity, signed by the simulated CA.
func (ca *certAuthority) issue(ct *cert) (tls.Certificate, error) {
	k := fmt.Sprintf("%s|%s|%s|%s", ct.name, strings.Join(ct.domains, ","), ct.notBefore.Format(time.RFC3339), ct.notAfter.Format(time.RFC3339))
	if v, ok := leaves.Load(k); ok {
		return v.(tls.Certificate), nil
	}
	key := seededKey(k)
	serial := new(big.Int).SetUint64(uint64(isn(uint16(len(k)), true))<<16 | uint64(len(ct.domains)))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: firstOr(ct.domains, ct.name)}, DNSNames: ct.domains,
		NotBefore: ct.notBefore, NotAfter: ct.notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	c := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	leaves.Store(k, c)
	return c, nil
}
