package simnet

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Net is the simulated network seen from one host: a tracer.Network.
type Net struct {
	w    *World
	from *iface
	// Capture attaches to every hop the packet as it is at that hop
	// (tracer.Hop.Packet). Off by default: it costs allocations.
	Capture bool
	// Cache, if set, is what the resolvers learnt during a session
	// (rescache.go): answers within their TTL come from it, and new ones
	// go into it. Nil: every resolver starts cold (a one-shot trace).
	Cache *ResolverCache
	// Now is the session's clock for the cache; zero means the world's.
	Now time.Time
}

var _ tracer.Network = (*Net)(nil)

// From returns the network as seen from the named client, server or
// instance.
func (w *World) From(name string) (*Net, error) {
	h := w.hosts[name]
	if h == nil {
		var names []string
		for n := range w.hosts {
			names = append(names, n)
		}
		return nil, fmt.Errorf("%w: no client, server or instance is named %q; try one of: %s", ErrUnknownName, name, strings.Join(slices.Sorted(slices.Values(names)), ", "))
	}
	return &Net{w: w, from: h.iface}, nil
}

// DefaultFrom is the vantage point a trace uses when none is named: the
// world's first internet client, else its first instance.
func (w *World) DefaultFrom() string {
	if len(w.spec.Internet.Clients) > 0 {
		return w.spec.Internet.Clients[0].Name
	}
	for _, v := range w.spec.VPCs {
		if len(v.Instances) > 0 {
			return v.Instances[0].Name
		}
	}
	return ""
}

// World returns the world the network belongs to.
func (n *Net) World() *World { return n.w }

// Host returns the vantage point's name.
func (n *Net) Host() string { return n.from.name }

// Addr returns the vantage point's own address.
func (n *Net) Addr() netip.Addr { return n.from.addr() }

// conn is the simulation's state behind a tracer.Conn.
type conn struct {
	dst    *iface
	lis    *listener // balancer listener, if the connection ended at one
	target *host     // the host that serves the connection (pass-through and direct)
	svc    *service
	local  netip.AddrPort
	seen   netip.Addr // the client's address as the server saw it
	// replied: the reply leg was walked already (a pass-through balancer
	// walks its own).
	replied bool
	// mtuLink: the path crosses a link whose MTU is below 1500.
	mtuLink *smallLink
	// ruleTG: the target group a listener rule forwards this request to.
	ruleTG *targetGroup
	// halfOpen: a stateful appliance drops what the client sends after
	// the handshake (tgw.go replyPastAppliance).
	halfOpen *tracer.Hop
}

// Dial opens a connection (or sends a datagram, or a ping for ICMP) and
// walks it there and back.
func (n *Net) Dial(ctx context.Context, p tracer.Proto, addr netip.AddrPort) (*tracer.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pr := protoTCP
	switch p {
	case tracer.UDP:
		pr = protoUDP
	case tracer.ICMP:
		pr = protoICMP
	}
	t := &walk{w: n.w, capture: n.Capture}
	if !n.Capture {
		t.hops = scratchHops() // hopscratch.go
	}
	c, _ := n.dial(t, pr, addr)
	c.Hops = t.hops
	if !n.Capture {
		c.Hops = keepHops(t.hops)
	}
	return c, nil
}

func ephemeral(i *iface, dst netip.AddrPort) uint16 {
	span := uint32(i.ephHi-i.ephLo) + 1
	h := uint32(dst.Port())*2246822519 ^ uint32(dst.Addr().As16()[15])*3266489917
	return i.ephLo + uint16(h%span)
}

func (n *Net) dial(t *walk, pr proto, addr netip.AddrPort) (*tracer.Conn, *conn) {
	src := n.from
	p := &pkt{proto: pr, src: src.addr(), dst: addr.Addr(), dport: addr.Port()}
	if pr == protoICMP {
		p.icmpType = 8 // echo request
	} else {
		p.sport = ephemeral(src, addr)
	}
	if addr.Addr().IsLoopback() && src.host != nil {
		p.src = addr.Addr() // the kernel's source on lo
	}
	c := &tracer.Conn{Proto: tracer.Proto(pr.String()), Addr: addr, Local: netip.AddrPortFrom(p.src, p.sport)}
	st := &conn{local: c.Local}
	c.Handle = st
	t.cur = p
	t.add(tracer.Hop{Component: src.name, Kind: src.kind.kind(), Direction: tracer.Forward, Action: tracer.ActSend, Code: tracer.Sent, Say: saySent{}})
	if addr.Addr().IsLoopback() && src.host == nil {
		c.State = tracer.ConnRefused
		return c, st
	}
	if ownAddr(src, addr.Addr()) {
		n.dialLocal(t, p, st, c)
		return c, st
	}
	dst := t.send(src, p)
	if dst == nil {
		c.State = tracer.ConnTimeout
		return c, st
	}
	st.dst = dst
	st.seen = p.src
	accepted := n.answer(t, dst, p, st)
	t.refused(dst, p)
	if accepted && !st.replied {
		n.reply(t, dst, p, st)
	}
	st.mtuLink = t.mtuLink
	st.halfOpen = t.halfOpen
	n.finish(t, c, st, accepted)
	return c, st
}

// answer decides what the destination does with the packet: a socket, a
// listener, a ping. It reports whether anything accepted it.
func (n *Net) answer(t *walk, dst *iface, p *pkt, st *conn) bool {
	switch dst.kind {
	case kindLBNode:
		l := dst.lb
		if p.proto == protoICMP {
			t.block(l.name, tracer.KindLoadBalancer, p, tracer.NoRoute, "load balancers do not answer ping", nil, "")
			return false
		}
		li := l.listener(p.dport)
		if li == nil {
			ports := make([]string, len(l.listeners))
			for i, x := range l.listeners {
				ports[i] = fmt.Sprintf("%s:%d", x.proto, x.port)
			}
			t.block(l.name, tracer.KindLoadBalancer, p, tracer.LBNoListener, fmt.Sprintf("%s has no listener on port %d (listeners: %s); the SYN goes unanswered", l.name, p.dport, strings.Join(ports, ", ")), nil,
				fmt.Sprintf("add a listener on port %d to %s, or use one of its ports", p.dport, l.name))
			return false
		}
		st.lis = li
		t.add(tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: tracer.ActAccept, Code: tracer.LBListener,
			Say: sayListener{}, Ref: li})
		if !l.alb && li.proto == "tcp" && li.tg != nil {
			return n.passThrough(t, dst, li, p, st)
		}
		return true
	case kindVPCResolver, kindResolver:
		if p.proto == protoICMP || p.dport == 53 {
			t.add(tracer.Hop{Component: dst.name, Kind: dst.kind.kind(), Direction: tracer.Forward, Action: tracer.ActAccept, Code: tracer.PortOpen,
				Detail: fmt.Sprintf("the resolver answers on %s", p.dst)})
			return true
		}
		t.block(dst.name, dst.kind.kind(), p, tracer.PortClosed, fmt.Sprintf("nothing listens on %s port %d: connection refused", p.proto, p.dport), nil, "")
		return false
	case kindNAT:
		t.block(dst.name, tracer.KindNATGateway, p, tracer.PortClosed, "a NAT gateway runs no services", nil, "")
		return false
	case kindEndpoint:
		return n.interfaceEndpoint(t, dst, p, st) // endpoint.go
	}
	if p.proto == protoICMP {
		t.add(tracer.Hop{Component: dst.name, Kind: dst.kind.kind(), Direction: tracer.Forward, Action: tracer.ActAccept, Code: tracer.Received,
			Detail: "echo request received; the kernel answers with an echo reply"})
		return true
	}
	st.target = dst.host
	return t.socket(dst, p, st)
}

func listenerTo(li *listener) string {
	if li.ruled != nil && li.ruled.routes {
		return li.ruled.to(li)
	}
	if li.tg != nil {
		return " → target group " + li.tg.name
	}
	if li.redirect != "" {
		return " → redirect to " + li.redirect
	}
	return ""
}

// socket finds the service for a packet at a host.
func (t *walk) socket(dst *iface, p *pkt, st *conn) bool {
	h := dst.host
	var svc *service
	for _, s := range h.services {
		if s.proto == p.proto && s.port == p.dport {
			svc = s
			break
		}
	}
	switch {
	case svc == nil:
		open := make([]string, 0, len(h.services))
		for _, s := range h.services {
			if s.running {
				open = append(open, fmt.Sprintf("%s/%d", s.proto, s.port))
			}
		}
		detail := fmt.Sprintf("nothing on %s listens on %s port %d: the SYN is answered with a reset (connection refused)", h.name, p.proto, p.dport)
		if p.proto == protoUDP {
			detail = fmt.Sprintf("nothing on %s listens on udp port %d: ICMP port unreachable", h.name, p.dport)
		}
		if len(open) > 0 {
			detail += "; listening: " + strings.Join(open, ", ")
		}
		t.block(h.name, tracer.KindSocket, p, tracer.PortClosed, detail, nil, fmt.Sprintf("start a service on port %d on %s, or connect to the port it uses", p.dport, h.name))
		return false
	case !svc.running:
		t.blockEdit(h.name, tracer.KindSocket, p, tracer.ServiceDown, fmt.Sprintf("service %s (%s/%d) on %s is not running: connection refused", svc.name, svc.proto, svc.port, h.name), nil,
			spec.ServiceEdit{Host: h.name, Service: svc.name, Op: "start"})
		return false
	case svc.own && p.dst != svc.bind:
		t.block(h.name, tracer.KindSocket, p, tracer.PortClosed, fmt.Sprintf("service %s listens on %s:%d only; nothing listens on %s:%d: connection refused", svc.name, svc.bind, svc.port, p.dst, svc.port), nil,
			fmt.Sprintf("connect to %s:%d, where %s listens", svc.bind, svc.port, svc.name))
		return false
	case svc.loop && !p.src.IsLoopback():
		t.blockEdit(h.name, tracer.KindSocket, p, tracer.BoundToLoopback, fmt.Sprintf("service %s listens on 127.0.0.1:%d only; %s from %s is refused", svc.name, svc.port, p.proto, p.src), nil,
			spec.ServiceEdit{Host: h.name, Service: svc.name, Op: "bind", Bind: "0.0.0.0"})
		return false
	}
	st.svc = svc
	if !t.quiet {
		t.add(tracer.Hop{Component: h.name, Kind: tracer.KindSocket, Direction: tracer.Forward, Action: tracer.ActAccept, Code: tracer.PortOpen,
			Say: saySocket{}, Ref: svc})
	}
	return true
}

// reply walks the answer back from dst to whoever sent p.
func (n *Net) reply(t *walk, dst *iface, p *pkt, st *conn) {
	r := &pkt{proto: p.proto, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, reply: true} // an ICMP reply: echo reply, 0/0
	r.dlo, r.dhi = p.sport, p.sport
	if init := n.w.initiator(dst.vpc, p.src); init != nil && p.proto != protoICMP {
		r.dlo, r.dhi = init.ephLo, init.ephHi
	}
	t.strayReply(dst, p, st, r) // secondary.go
	t.send(dst, r)
}

// finish sets what the client observed from the first block.
func (n *Net) finish(t *walk, c *tracer.Conn, st *conn, accepted bool) {
	switch t.first {
	case "":
		c.State = tracer.ConnOpen
		t.add(tracer.Hop{Component: n.from.name, Kind: n.from.kind.kind(), Direction: tracer.Return, Action: tracer.ActReceive, Code: tracer.Received,
			Say: sayReceived{}, Ref: c})
	default:
		c.State, c.ICMP = connObserved(t.first, c.Proto, c.Addr.Addr())
		if t.answerLost {
			c.State, c.ICMP = tracer.ConnTimeout, nil // the refusal never came back
		}
	}
	c.Assumed = accepted && c.State != tracer.ConnOpen
	c.RTT = n.rtt(c.Addr.Addr())
}

// connObserved is the state a connection attempt that code c stopped ends
// in, as the client sees it (Code.Info), and the ICMP error that answered.
func connObserved(c tracer.Code, proto tracer.Proto, sender netip.Addr) (tracer.ConnState, *tracer.ICMPError) {
	o := c.Info().Observe
	state := o.Conn
	if state == tracer.ConnOpen {
		// a code that names no connection failure stops it silently
		state = tracer.ConnTimeout
	}
	if state == tracer.ConnRefused && proto == tracer.UDP {
		// a datagram to a closed port is answered with ICMP port
		// unreachable, not a reset
		return tracer.ConnUnreachable, &tracer.ICMPError{Type: 3, Code: 3, Sender: sender}
	}
	if state == tracer.ConnUnreachable {
		return state, &tracer.ICMPError{Type: o.ICMPType, Code: o.ICMPCode, Sender: sender}
	}
	return state, nil
}

// rtt models the round trip: a few ms inside a region, tens across the
// internet.
func (n *Net) rtt(dst netip.Addr) time.Duration {
	if n.from.vpc != nil && n.w.ifaceAt(n.from.vpc, dst) != nil && n.w.ifaceAt(n.from.vpc, dst).vpc != nil {
		return 600 * time.Microsecond
	}
	if n.from.vpc != nil {
		if i := n.w.initiator(n.from.vpc, dst); i != nil && i.vpc != nil {
			return time.Millisecond // through a transit gateway: still inside the region (tgw.go)
		}
	}
	return 24 * time.Millisecond
}

// passThrough carries a network load balancer's TCP connection on to a
// target, keeping the client's address.
func (n *Net) passThrough(t *walk, node *iface, li *listener, p *pkt, st *conn) bool {
	tg := li.tg
	if len(tg.targets) == 0 {
		t.block(node.name, tracer.KindLoadBalancer, p, tracer.LBNoTargets, fmt.Sprintf("target group %s has no targets", tg.name), nil,
			fmt.Sprintf("lb %s target add INSTANCE", node.name))
		return false
	}
	target := n.pickTarget(node, tg, t)
	if target == nil {
		t.zoneNoTargets(node, tg, p)
		return false
	}
	q := &pkt{proto: p.proto, src: p.src, dst: target.iface.private, sport: p.sport, dport: tg.port}
	t.add(tracer.Hop{Component: node.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: tracer.ActForward, Code: tracer.LBForward, Peer: target.name,
		Detail: fmt.Sprintf("passes the connection through to %s (%s:%d), keeping the client's address %s", target.name, q.dst, q.dport, p.src)})
	t.cur = q
	arrived := t.route(node.subnet, node, q, 1)
	if arrived == nil {
		return false
	}
	st.target = target
	if !t.socket(arrived, q, st) {
		return false
	}
	r := &pkt{proto: q.proto, src: q.dst, dst: q.src, sport: q.dport, dport: q.sport, reply: true, viaNode: node}
	r.dlo, r.dhi = p.sport, p.sport
	if init := n.w.initiator(node.vpc, p.src); init != nil {
		r.dlo, r.dhi = init.ephLo, init.ephHi
	}
	// The reply leg runs to the node, then on as the node's reply.
	t.send(arrived, r)
	st.replied = true
	return true
}

// pickTarget chooses a healthy target (the first), or the first of all when
// none is healthy (fail open).
func (n *Net) pickTarget(node *iface, tg *targetGroup, t *walk) *host {
	pool := node.lb.pool(node, tg) // zones.go
	if len(pool) == 0 {
		return nil
	}
	for _, h := range pool {
		if ok, _ := n.w.healthy(node, tg, h); ok {
			return h
		}
	}
	return pool[0]
}

// leg is a connection the balancer opens to a target.
type leg struct {
	state  tracer.ConnState
	first  tracer.Code
	hops   []tracer.Hop
	svc    *service
	status int
}

// backend opens a connection from a balancer node to a target's port and,
// for http, asks for path.
func (w *World) backend(node *iface, target *host, port uint16, path string, withHTTP, capture, quiet bool) leg {
	t := &walk{w: w, capture: capture, quiet: quiet}
	if !quiet && !capture {
		t.hops = scratchHops() // the caller copies the leg's hops and drops them (hopscratch.go)
	} else if !quiet {
		t.hops = make([]tracer.Hop, 0, 16) // a balancer's leg inside a VPC, there and back, is about 13 hops
	}
	p := &pkt{proto: protoTCP, src: node.private, dst: target.iface.private, sport: ephemeral(node, netip.AddrPortFrom(target.iface.private, port)), dport: port}
	t.cur = p // before the first hop, so that a capture sees the balancer's SYN leave
	if !quiet {
		t.add(tracer.Hop{Component: node.lb.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: tracer.ActSend, Code: tracer.Sent,
			Say: sayNodeSYN{}, Ref: target})
	}
	st := &conn{}
	var out leg
	dst := t.send(node, p)
	accepted := false
	if dst != nil {
		accepted = t.socket(dst, p, st)
		t.refused(dst, p)
		if accepted {
			r := &pkt{proto: protoTCP, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, reply: true, dlo: node.ephLo, dhi: node.ephHi}
			t.send(dst, r)
		}
	}
	out.first = t.first
	out.state = tracer.ConnOpen
	if t.first != "" {
		out.state, _ = connObserved(t.first, tracer.TCP, netip.Addr{})
		if t.answerLost {
			out.state = tracer.ConnTimeout // the refusal never came back
		} else if out.state == tracer.ConnUnreachable {
			// connect() reports an ICMP port unreachable as ECONNREFUSED
			out.state = tracer.ConnRefused
		}
	}
	out.svc = st.svc
	if out.state == tracer.ConnOpen && withHTTP {
		out.status = httpStatus(st.svc, path)
	}
	out.hops = t.hops
	return out
}

// httpStatus is what a service answers for a path; 0 when it does not
// speak HTTP.
func httpStatus(s *service, path string) int {
	if s == nil || s.http == nil {
		return 0
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if st, ok := s.http[path]; ok {
		return st
	}
	return http.StatusNotFound
}

// healthy runs target group tg's health check from node to h: a real trace
// through every filter, then the matcher.
func (w *World) healthy(node *iface, tg *targetGroup, h *host) (bool, string) {
	r := w.healthOf(node, tg, h)
	return r.ok, r.why
}

// healthResult is one health check's outcome: the explanation, and what the
// balancer's API says (its reason code never names the cause).
type healthResult struct {
	ok        bool
	why       string      // the explanation, naming the cause
	status    int         // the HTTP status the check got, 0 if none
	cause     tracer.Code // the code of the hop that stopped the check
	component string      // the component that stopped it
	awsCode   string      // Target.Timeout, Target.ResponseCodeMismatch, Target.FailedHealthChecks
	awsDesc   string
	hop       tracer.Hop // the target group's hop that reports it
}

// healthOf is target h's health as node sees it. Health checks are traces
// from each node to each target; a World runs them once, the first time a
// target group's health is asked for, and keeps the results (it is
// immutable, so they never change).
func (w *World) healthOf(node *iface, tg *targetGroup, h *host) healthResult {
	tg.healthOnce.Do(func() {
		nodes := node.lb.nodes
		tg.health = make([][]healthResult, len(nodes))
		for i, n := range nodes {
			tg.health[i] = make([]healthResult, len(tg.targets))
			for j, t := range tg.targets {
				if !node.lb.inUse(t) {
					// ELB checks no target in a zone it has no node in
					// (Target.NotInUse); see zones.go.
					tg.health[i][j] = healthResult{why: t.name + " is not in use (no node in its zone)", awsCode: "Target.NotInUse"}
					continue
				}
				r := w.checkHealth(n, tg, t)
				code, action := tracer.LBHealthy, tracer.ActHealthy
				if !r.ok {
					code, action = tracer.LBUnhealthy, tracer.ActUnhealthy
				}
				r.hop = tracer.Hop{Component: tg.name, Kind: tracer.KindTargetGroup, Direction: tracer.Forward, Action: action, Code: code,
					Detail: t.name + ": " + r.why, Rule: tg.hcRule.Text, Matched: &tg.hcRule}
				tg.health[i][j] = r
			}
		}
	})
	ni, ti := slices.Index(node.lb.nodes, node), slices.Index(tg.targets, h)
	if ni < 0 || ti < 0 {
		return w.checkHealth(node, tg, h)
	}
	return tg.health[ni][ti]
}

// checkHealth runs one health check: a trace from node to target h on the
// check's port and path, through every filter on the way.
func (w *World) checkHealth(node *iface, tg *targetGroup, h *host) healthResult {
	w.healthChecks.Add(1)
	l := w.backend(node, h, tg.hcPort, tg.hcPath, tg.hcProto != "tcp", false, true)
	r := healthResult{status: l.status}
	for _, hop := range l.hops {
		if hop.Blocks {
			r.cause, r.component = hop.Code, hop.Component
			break
		}
	}
	switch {
	case l.state == tracer.ConnTimeout:
		r.why = fmt.Sprintf("health check to %s:%d timed out (%s)", h.name, tg.hcPort, firstBlockDetail(l.hops))
		r.awsCode, r.awsDesc = "Target.Timeout", "Request timed out"
		return r
	case l.state != tracer.ConnOpen:
		r.why = fmt.Sprintf("health check to %s:%d was refused (%s)", h.name, tg.hcPort, firstBlockDetail(l.hops))
		r.awsCode, r.awsDesc = "Target.FailedHealthChecks", "Health checks failed"
		return r
	case tg.hcProto == "tcp":
		r.ok, r.why = true, fmt.Sprintf("TCP health check to %s:%d connected", h.name, tg.hcPort)
		return r
	case l.status == 0:
		r.why = fmt.Sprintf("health check GET %s on %s:%d got no HTTP response (%s does not speak HTTP)", tg.hcPath, h.name, tg.hcPort, l.svc.name)
		r.cause, r.component = tracer.HTTPError, h.name
		r.awsCode, r.awsDesc = "Target.FailedHealthChecks", "Health checks failed"
		return r
	}
	for _, m := range tg.matcher {
		if l.status >= m.lo && l.status <= m.hi {
			r.ok, r.why = true, fmt.Sprintf("health check GET %s on %s:%d → %d (matcher %s)", tg.hcPath, h.name, tg.hcPort, l.status, tg.matchTx)
			return r
		}
	}
	r.why = fmt.Sprintf("health check GET %s on %s:%d → %d, but the matcher wants %s", tg.hcPath, h.name, tg.hcPort, l.status, tg.matchTx)
	r.cause, r.component = tracer.HTTPStatus, h.name
	r.awsCode, r.awsDesc = "Target.ResponseCodeMismatch", fmt.Sprintf("Health checks failed with these codes: [%d]", l.status)
	return r
}

func firstBlockDetail(hops []tracer.Hop) string {
	for _, h := range hops {
		if h.Blocks {
			return fmt.Sprintf("%s: %s", h.Component, h.Code)
		}
	}
	return "no answer"
}

// Handshake checks the certificate the server presents for serverName
// against the world's clock.
func (n *Net) Handshake(ctx context.Context, c *tracer.Conn, serverName string) (*tracer.TLSResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, ok := c.Handle.(*conn)
	if !ok || st.dst == nil {
		return nil, fmt.Errorf("simnet: handshake over a connection this network did not open")
	}
	res := &tracer.TLSResult{ServerName: serverName, Version: "TLSv1.3", Cipher: "TLS_AES_128_GCM_SHA256"}
	if st.halfOpen != nil {
		res.Hops = append(res.Hops, *st.halfOpen) // the ClientHello vanishes
		return res, nil
	}
	var ct *cert
	var component, certName string
	var kind tracer.Kind
	switch {
	case st.lis != nil:
		component, kind = st.dst.lb.name, tracer.KindLoadBalancer
		switch st.lis.proto {
		case "https", "tls":
			ct, certName = st.lis.cert, st.lis.certName
			if st.lis.ruled != nil && len(st.lis.ruled.certs) > 0 {
				ct = st.lis.ruled.sniCert(ct, serverName, n.w.Clock) // listener_engine.go
				certName = ct.name
			}
		case "tcp":
			if st.svc != nil && st.target != nil {
				component, kind = st.target.name, tracer.KindInstance
				ct, certName = st.svc.tls, st.svc.tlsName
			}
		}
		if ct == nil && certName == "" {
			res.Hops = append(res.Hops, tracer.Hop{Component: component, Kind: kind, Direction: tracer.Return, Action: tracer.ActFail, Code: tracer.TLSNoCertificate, Blocks: true,
				Detail: fmt.Sprintf("listener %s:%d speaks plain %s, not TLS: the handshake fails (wrong version number)", st.lis.proto, st.lis.port, st.lis.proto),
				Advice: fmt.Sprintf("use http:// for port %d, or add an https listener with a certificate", st.lis.port)})
			return res, nil
		}
	case st.svc != nil:
		component, kind = st.dst.name, tracer.KindInstance
		if st.dst.kind == kindServer {
			kind = tracer.KindServer
		}
		ct, certName = st.svc.tls, st.svc.tlsName
		if certName == "" {
			res.Hops = append(res.Hops, tracer.Hop{Component: component, Kind: kind, Direction: tracer.Return, Action: tracer.ActFail, Code: tracer.TLSNoCertificate, Blocks: true,
				Detail: fmt.Sprintf("service %s on port %d does not speak TLS", st.svc.name, st.svc.port),
				Advice: fmt.Sprintf("configure a certificate (tls:) on service %s, or use http://", st.svc.name)})
			res.Assumed = true
			return res, nil
		}
	default:
		res.Hops = append(res.Hops, tracer.Hop{Component: c.Addr.Addr().String(), Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActFail, Code: tracer.TLSHandshakeFailed, Blocks: true,
			Detail: "nothing answered the ClientHello"})
		return res, nil
	}
	res.Certificate = &tracer.Certificate{Name: ct.name, Subject: "CN=" + firstOr(ct.domains, ""), DNSNames: ct.domains, Issuer: "CN=pathlab simulated CA", NotBefore: ct.notBefore, NotAfter: ct.notAfter}
	name := strings.ToLower(strings.TrimSuffix(serverName, "."))
	var blocks []tracer.Hop
	if !certCovers(ct, name) {
		blocks = append(blocks, tracer.Hop{Code: tracer.TLSNameMismatch,
			Detail: fmt.Sprintf("certificate %s covers %s, not %s", ct.name, strings.Join(ct.domains, ", "), name),
			Advice: fmt.Sprintf("serve a certificate that covers %s (add it to %s's domains, or attach another)", name, ct.name)})
	}
	clock := n.w.Clock
	if clock.Before(ct.notBefore) {
		blocks = append(blocks, tracer.Hop{Code: tracer.TLSCertNotYetValid,
			Detail: fmt.Sprintf("certificate %s is valid from %s, but it is %s", ct.name, ct.notBefore.Format(time.RFC3339), clock.Format(time.RFC3339)),
			Advice: fmt.Sprintf("serve a certificate already valid at %s (or fix the clock)", clock.Format(time.RFC3339))})
	}
	if clock.After(ct.notAfter) {
		blocks = append(blocks, tracer.Hop{Code: tracer.TLSCertExpired,
			Detail: fmt.Sprintf("certificate %s expired at %s; it is %s", ct.name, ct.notAfter.Format(time.RFC3339), clock.Format(time.RFC3339)),
			Advice: fmt.Sprintf("renew %s and attach the new certificate", ct.name)})
	}
	for _, b := range blocks {
		b.Component, b.Kind, b.Direction, b.Action, b.Blocks, b.Rule, b.Matched = component, kind, tracer.Return, tracer.ActFail, true, ct.rule.Text, &ct.rule
		res.Hops = append(res.Hops, b)
	}
	if len(blocks) == 0 {
		res.OK = true
		res.Hops = append(make([]tracer.Hop, 0, 1), tracer.Hop{Component: component, Kind: kind, Direction: tracer.Return, Action: tracer.ActPresent, Code: tracer.TLSOK, Rule: ct.rule.Text, Matched: &ct.rule,
			Say: sayTLSOK{}, Ref: res})
	} else {
		res.Assumed = true
	}
	return res, nil
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

// certCovers reports whether a certificate covers name; a wildcard covers
// exactly one label.
func certCovers(c *cert, name string) bool {
	for _, d := range c.domains {
		if d == name {
			return true
		}
		if rest, ok := strings.CutPrefix(d, "*."); ok {
			if i := strings.IndexByte(name, '.'); i > 0 && name[i+1:] == rest {
				return true
			}
		}
	}
	return false
}

// Request sends an HTTP request over c and walks it to whoever answers.
func (n *Net) Request(ctx context.Context, c *tracer.Conn, req *tracer.HTTPRequest) (*tracer.HTTPResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, ok := c.Handle.(*conn)
	if !ok || st.dst == nil {
		return nil, fmt.Errorf("simnet: request over a connection this network did not open")
	}
	path := req.Path
	if path == "" {
		path = "/"
	}
	resp := &tracer.HTTPResponse{Proto: "HTTP/1.1"}
	if st.halfOpen != nil {
		resp.Hops = append(resp.Hops, *st.halfOpen) // the request vanishes
		return resp, nil
	}
	switch {
	case st.lis != nil && st.lis.ruled != nil && st.lis.ruled.routes:
		n.ruledRequest(st, req, path, resp) // listener_engine.go
	case st.lis != nil && st.lis.redirect != "":
		loc := fmt.Sprintf("%s://%s%s", st.lis.redirect, req.Host, path)
		setStatus(resp, http.StatusMovedPermanently)
		resp.Header = append(resp.Header, [2]string{"Server", "awselb/2.0"}, [2]string{"Location", loc})
		resp.Hops = append(resp.Hops, tracer.Hop{Component: st.dst.lb.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRedirect, Code: tracer.LBRedirect,
			Detail: fmt.Sprintf("listener %s:%d answers 301 → %s", st.lis.proto, st.lis.port, loc)})
	case st.lis != nil && st.dst.lb.alb:
		n.albForward(st, req, path, resp)
	case st.lis != nil && st.lis.proto == "tls":
		n.nlbForward(st, path, resp)
	case st.svc != nil:
		if n.mtuBlackhole(st, c, resp) {
			resp.TTFB = 2 * c.RTT
			return resp, nil
		}
		n.serve(st.target, st.svc, path, resp)
	default:
		resp.Hops = append(resp.Hops, tracer.Hop{Component: c.Addr.Addr().String(), Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActFail, Code: tracer.HTTPError, Blocks: true,
			Detail: "nothing served the request"})
	}
	resp.TTFB = 2 * c.RTT
	return resp, nil
}

func setStatus(r *tracer.HTTPResponse, code int) {
	r.Status, r.StatusText = code, http.StatusText(code)
	if code == http.StatusGatewayTimeout {
		r.StatusText = "Gateway Time-out"
	}
}

// serve is a host's service answering a request.
func (n *Net) serve(h *host, s *service, path string, resp *tracer.HTTPResponse) {
	status := httpStatus(s, path)
	if status == 0 {
		resp.Hops = append(resp.Hops, tracer.Hop{Component: h.name, Kind: tracer.KindService, Direction: tracer.Return, Action: tracer.ActClose, Code: tracer.HTTPError, Blocks: true,
			Detail: fmt.Sprintf("service %s on port %d does not speak HTTP: empty reply from server", s.name, s.port)})
		return
	}
	setStatus(resp, status)
	resp.Header = append(resp.Header, [2]string{"Content-Type", "text/html; charset=utf-8"}, [2]string{"Server", s.name})
	resp.Body = "<html><body>" + h.name + ": " + strconv.Itoa(status) + " " + http.StatusText(status) + "</body></html>\n"
	hop := tracer.Hop{Component: h.name, Kind: tracer.KindService, Direction: tracer.Return, Action: tracer.ActRespond, Code: tracer.HTTPOK,
		Say: sayServe{}, Ref: &serveAsk{svc: s, path: path, status: status}}
	if status >= 400 {
		hop.Say, hop.Ref = nil, nil
		hop.Code, hop.Blocks, hop.Action, hop.Status = tracer.HTTPStatus, true, tracer.ActRespond, status
		hop.Detail = fmt.Sprintf("%d: %s answers GET %s with %d %s", status, s.name, path, status, http.StatusText(status))
		hop.Advice = fmt.Sprintf("serve %s on %s, or request a path it serves", path, s.name)
	}
	resp.Hops = append(resp.Hops, hop)
}

// albForward is an application load balancer ending the client's request
// and opening its own to a target.
func (n *Net) albForward(st *conn, req *tracer.HTTPRequest, path string, resp *tracer.HTTPResponse) {
	node, li := st.dst, st.lis
	l := node.lb
	if li.proto == "https" && req.Scheme == "http" {
		setStatus(resp, http.StatusBadRequest)
		resp.Hops = append(resp.Hops, tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRespond, Code: tracer.HTTPStatus, Blocks: true, Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("400: plain HTTP sent to the https listener on port %d", li.port), Advice: "use https://"})
		return
	}
	tg := li.tg
	if st.ruleTG != nil {
		tg = st.ruleTG // a listener rule's forward (listener_engine.go)
	}
	// lbHop records the balancer's answer; the fix of the leg behind it,
	// when given, is the balancer's too.
	lbHop := func(code tracer.Code, status int, detail, advice string, behind ...tracer.Hop) {
		setStatus(resp, status)
		resp.Header = append(resp.Header, [2]string{"Server", "awselb/2.0"})
		h := tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRespond, Code: code, Blocks: true, Status: status,
			Detail: fmt.Sprintf("%d: %s", status, detail), Advice: advice}
		for _, b := range behind {
			h.Fix, h.Edit = b.Fix, b.Edit
		}
		resp.Hops = append(resp.Hops, h)
	}
	if len(tg.targets) == 0 {
		lbHop(tracer.LBNoTargets, http.StatusServiceUnavailable, fmt.Sprintf("target group %s has no registered targets", tg.name),
			fmt.Sprintf("lb %s target add INSTANCE (register a target in %s)", l.name, tg.name))
		return
	}
	// Zones: the targets this node may send to (zones.go).
	pool := l.pool(node, tg)
	if len(pool) == 0 {
		detail, advice, fix := l.zoneBlock(node, tg)
		lbHop(tracer.LBZoneNoTargets, http.StatusServiceUnavailable, detail, advice)
		if fix != nil {
			h := &resp.Hops[len(resp.Hops)-1]
			h.Edit, h.Fix = fix, fix.String()
		}
		resp.Hops = append(l.notInUseHops(tg), resp.Hops...)
		return
	}
	// Health, as this node sees it.
	var healthy []*host
	for _, h := range pool {
		if r := n.w.healthOf(node, tg, h); r.ok {
			healthy = append(healthy, h)
		}
	}
	// The target group's hops, then the leg's: one slice, sized when the
	// leg is known.
	withHealth := func(more int) {
		resp.Hops = make([]tracer.Hop, 0, len(tg.targets)+more)
		if len(pool) < len(tg.targets) {
			resp.Hops = append(resp.Hops, l.notInUseHops(tg)...) // zones.go
		}
		for _, h := range pool {
			resp.Hops = append(resp.Hops, n.w.healthOf(node, tg, h).hop)
		}
	}
	candidates, failOpen := healthy, false
	if len(healthy) == 0 {
		candidates, failOpen = pool, true
	}
	var tried []string
	var firstLeg *leg
	for _, h := range candidates {
		l2 := n.w.backend(node, h, tg.port, path, tg.proto == "http" || tg.proto == "https", n.Capture, false)
		if l2.state == tracer.ConnOpen && l2.status != 0 {
			why := "healthy"
			if failOpen {
				why = "no target is healthy, so the balancer fails open and tries them all"
			}
			ask := &albAsk{path: path, target: h, port: tg.port, why: why, resp: resp}
			withHealth(len(l2.hops) + 3)
			resp.Hops = append(resp.Hops, tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: tracer.ActForward, Code: tracer.LBForward, Peer: h.name,
				Say: sayALBForward{}, Ref: ask})
			resp.Hops = append(resp.Hops, l2.hops...)
			if !n.Capture {
				dropHops(l2.hops)
				if firstLeg != nil {
					dropHops(firstLeg.hops)
				}
			}
			n.serve(h, l2.svc, path, resp)
			resp.Hops = append(resp.Hops, tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRespond, Code: tracer.HTTPOK,
				Say: sayALBRelay{}, Ref: ask})
			return
		}
		tried = append(tried, h.name)
		if firstLeg == nil {
			l2 := l2
			firstLeg = &l2
		} else if !n.Capture {
			dropHops(l2.hops)
		}
	}
	withHealth(len(firstLeg.hops) + 1)
	fix, fixEdit := "mend the target's path: see the hops below", tracer.Hop{}
	for _, h := range firstLeg.hops {
		if h.Blocks && h.Mend() != "" {
			fix, fixEdit = h.Advice, h
			break
		}
	}
	switch {
	case failOpen && firstLeg.state == tracer.ConnTimeout:
		lbHop(tracer.LBNoHealthyTargets, http.StatusGatewayTimeout, fmt.Sprintf("no target of %s is healthy; failing open, %s timed out", tg.name, strings.Join(tried, " and ")), fix, fixEdit)
	case failOpen:
		status := http.StatusBadGateway
		lbHop(tracer.LBNoHealthyTargets, status, fmt.Sprintf("no target of %s is healthy; failing open, %s refused the connection or gave no HTTP answer", tg.name, strings.Join(tried, " and ")), fix, fixEdit)
	case firstLeg.state == tracer.ConnTimeout:
		lbHop(tracer.LBTargetTimeout, http.StatusGatewayTimeout, fmt.Sprintf("the connection to %s:%d timed out, though its health check passes", tried[0], tg.port), fix, fixEdit)
	default:
		lbHop(tracer.LBTargetRefused, http.StatusBadGateway, fmt.Sprintf("%s:%d refused the connection or gave no HTTP answer, though its health check passes", tried[0], tg.port), fix, fixEdit)
	}
	resp.Hops = append(resp.Hops, firstLeg.hops...)
	if !n.Capture {
		dropHops(firstLeg.hops)
	}
}

// mtuBlackhole checks the conversation's large packets against a link with
// a small MTU. The response's full-size segments carry DF; the link answers
// with ICMP fragmentation needed, which must get back to the server through
// its subnet's network ACL (security groups pass related ICMP). If it is
// dropped, small packets pass and large ones vanish.
func (n *Net) mtuBlackhole(st *conn, c *tracer.Conn, resp *tracer.HTTPResponse) bool {
	pr := st.mtuLink
	if pr == nil || st.dst == nil || st.dst.subnet == nil {
		return false
	}
	t := &walk{w: n.w}
	icmp := &pkt{proto: protoICMP, src: c.Local.Addr(), dst: st.dst.private, icmpType: 3, icmpCode: 4}
	if t.acl(st.dst.subnet, true, icmp) {
		code := tracer.PeeringForward
		if pr.kind == tracer.KindVPNConnection {
			code = tracer.VPNForward
		}
		resp.Hops = append(resp.Hops, tracer.Hop{Component: pr.name, Kind: pr.kind, Direction: tracer.Return, Action: tracer.ActSignal, Code: code,
			Detail: fmt.Sprintf("the response's 1500-byte segments exceed %s %s's MTU %d; ICMP fragmentation needed reaches %s, which lowers its segment size (path MTU discovery)", pr.what, pr.name, pr.mtu, st.dst.name)})
		return false
	}
	blocker := t.hops[len(t.hops)-1]
	resp.Hops = append(resp.Hops, tracer.Hop{Component: pr.name, Kind: pr.kind, Direction: tracer.Return, Action: tracer.ActDrop, Code: tracer.MTUBlackhole, Blocks: true,
		Detail: fmt.Sprintf("the handshake's small packets pass, but the response's 1500-byte segments (DF set) exceed %s %s's MTU %d; the ICMP fragmentation-needed that would tell %s is dropped by %s (%s), so the large packets vanish and the request hangs",
			pr.what, pr.name, pr.mtu, st.dst.name, blocker.Component, blocker.Rule),
		Advice: fmt.Sprintf("allow ICMP (type 3 code 4) into subnet %s in %s, or raise the MTU of %s", st.dst.subnet.name, blocker.Component, pr.name)})
	return true
}
