package simnet

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// pkt is a packet in flight: the flow the engine moves. Replies carry the
// range of ports their destination may use (the initiator's ephemeral
// range), since a stateless ACL must allow all of them.
type pkt struct {
	proto    proto
	src, dst netip.Addr
	sport    uint16
	dport    uint16
	dlo, dhi uint16 // replies: the destination's ephemeral range
	reply    bool
	// routed counts the routers that count as hops the packet crossed (a
	// NAT gateway, an instance forwarding): each took one off its TTL.
	// The VPC's implied router is not such a hop.
	routed uint8
	// viaNode: a network load balancer's reply goes back through the node
	// that passed the connection through.
	viaNode *iface
	// icmpType and icmpCode of an ICMP packet (8/0 echo request, 0/0 echo
	// reply, 3/3 port unreachable, 3/4 fragmentation needed).
	icmpType, icmpCode uint8
	// stray: a UDP answer that leaves from another address than the one
	// asked (secondary.go): no tracked connection lets it through, and
	// the walk judges no security group for it.
	stray bool
}

// ttl is the packet's IP TTL now: it left its sender with 64.
func (p *pkt) ttl() uint8 { return initialTTL - p.routed }

// flow is the packet's header as a hop records it.
func (p *pkt) flow() tracer.Flow {
	f := tracer.Flow{Proto: p.proto.tracer(), Src: netip.AddrPortFrom(p.src, p.sport), Dst: netip.AddrPortFrom(p.dst, p.dport), TTL: p.ttl(), Reply: p.reply}
	if p.reply && p.dhi > p.dlo {
		f.EphLo, f.EphHi = p.dlo, p.dhi
	}
	return f
}

func (p *pkt) dir() tracer.Direction {
	if p.reply {
		return tracer.Return
	}
	return tracer.Forward
}

func (p *pkt) String() string {
	if p.proto == protoICMP {
		return "icmp " + p.src.String() + " → " + p.dst.String()
	}
	if p.reply && p.dlo != p.dhi {
		return p.proto.String() + " " + p.src.String() + ":" + strconv.Itoa(int(p.sport)) + " → " + p.dst.String() + ":" + portText(p.dlo, p.dhi)
	}
	return p.proto.String() + " " + p.src.String() + ":" + strconv.Itoa(int(p.sport)) + " → " + p.dst.String() + ":" + strconv.Itoa(int(p.dport))
}

// walk records the hops of one conversation and the state a return leg
// needs.
type walk struct {
	w    *World
	hops []tracer.Hop
	// first is the code of the first block: it decides what the client
	// observes (Code.Info().Observe).
	first tracer.Code
	// NAT state of the connection, for its return leg.
	nat         *iface
	natOrig     netip.Addr
	natOrigPort uint16
	natPort     uint16
	// capture: attach to each hop the packet as it is there (--packets);
	// cur is the packet in flight.
	capture bool
	cur     *pkt
	// quiet skips the hops that block nothing (a health check keeps only
	// its verdict), so their details are never formatted.
	quiet bool
	// mtuLink is a link with a small MTU the request crossed; large
	// packets of the conversation meet it.
	mtuLink *smallLink
	// hybridWalk: the state of transit gateway, VPN and endpoint steps
	// (tgw.go).
	hybridWalk
	// answerLost: the host refused (a reset, an ICMP error), but the
	// refusal was dropped on its way back, so the client only waits.
	answerLost bool
}

// refused sends back the answer of a host that refused p at dst: a TCP
// reset, or an ICMP port unreachable (a host firewall's reject, a UDP
// port with nothing on it). It is a packet like any other on the way
// back: routes and network ACLs apply (ACLs are stateless and filter ICMP
// too; AWS VPC User Guide, network ACLs), security groups let it pass as
// part of the tracked connection. Where it is dropped the client only
// waits (answerLost); the refusing hop says where, and the drop is not a
// blocker of its own: mending the refusal mends the request.
func (t *walk) refused(dst *iface, p *pkt) {
	first := -1
	for i := range t.hops {
		if t.hops[i].Blocks {
			first = i
			break
		}
	}
	if first < 0 {
		return
	}
	o := t.hops[first].Code.Info().Observe
	if o.Conn != tracer.ConnRefused && o.Conn != tracer.ConnUnreachable {
		return // the first block is silent: nothing answers
	}
	r := &pkt{proto: p.proto, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, reply: true, dlo: p.sport, dhi: p.sport}
	what := "reset"
	if o.Conn == tracer.ConnUnreachable || p.proto != protoTCP {
		r.proto, r.sport, r.dport, r.dlo, r.dhi, r.icmpType, r.icmpCode = protoICMP, 0, 0, 0, 0, 3, 3
		what = "ICMP port unreachable"
	}
	back := &walk{w: t.w, quiet: true, nat: t.nat, natOrig: t.natOrig, natOrigPort: t.natOrigPort, natPort: t.natPort}
	// The appliance the request crossed knows the connection: the refusal
	// passes it as any reply does (tgw.go).
	back.fwdApp, back.intoAtt, back.viaGWEndpoint = t.fwdApp, t.intoAtt, t.viaGWEndpoint
	back.send(dst, r)
	for _, h := range back.hops {
		if h.Blocks {
			t.answerLost = true
			t.hops[first].Render()
			t.hops[first].Detail += "; but the " + what + " is dropped on its way back by " + h.Component + " (" + string(h.Code) + "), so the client only times out"
			return
		}
	}
}

func (t *walk) add(h tracer.Hop) {
	if h.Blocks && t.first == "" {
		t.first = h.Code
	}
	if t.cur != nil && !h.Flow.IsValid() {
		h.Flow = t.cur.flow()
	}
	if t.capture && t.cur != nil {
		h.Packet = t.packetView(&h)
	}
	if t.hops == nil {
		t.hops = make([]tracer.Hop, 0, 24) // a connection there and back is about 20 hops
	}
	t.hops = append(t.hops, h)
}

// addQuiet adds a prepared hop unless the walk is quiet.
func (t *walk) addQuiet(h tracer.Hop) {
	if !t.quiet {
		t.add(h)
	}
}

// block records a hop that stops p; rule is the rule that decided (nil
// when none did), advice what would mend it in words.
func (t *walk) block(component string, kind tracer.Kind, p *pkt, code tracer.Code, detail string, rule *tracer.Rule, advice string) {
	t.blockAt(component, kind, "", p, code, detail, rule, nil, advice)
}

// blockAt is block for a filter that guards peer (the hop's Peer): an
// interface's owner, a subnet. fix is the edit that would mend it, where
// one does; advice says it in words where none does.
func (t *walk) blockAt(component string, kind tracer.Kind, peer string, p *pkt, code tracer.Code, detail string, rule *tracer.Rule, fix spec.Edit, advice string) {
	h := tracer.Hop{Component: component, Kind: kind, Direction: p.dir(), Action: actionFor(code), Code: code,
		Detail: detail, Blocks: true, Advice: advice, Peer: peer}
	if fix != nil {
		h.Edit, h.Fix = fix, fix.String()
	}
	if rule != nil {
		h.Rule, h.Matched = rule.Text, rule
	}
	t.add(h)
}

// blockEdit is block for a hop that one edit would mend.
func (t *walk) blockEdit(component string, kind tracer.Kind, p *pkt, code tracer.Code, detail string, rule *tracer.Rule, fix spec.Edit) {
	t.blockAt(component, kind, "", p, code, detail, rule, fix, "")
}

// actionFor is what a filter or socket that stops a packet with code c
// does to it: the code's own action where that is a way of stopping one,
// a silent drop otherwise.
func actionFor(c tracer.Code) tracer.Action {
	switch a := c.Info().Action; a {
	case tracer.ActReject, tracer.ActReset, tracer.ActDeny:
		return a
	}
	return tracer.ActDrop
}

// ifaceAt finds the interface behind an address as seen from inside VPC v
// (nil v: from the internet).
func (w *World) ifaceAt(v *vpc, a netip.Addr) *iface {
	if v != nil {
		if i := v.ifaces[a]; i != nil {
			return i
		}
		for _, o := range v.peers {
			if i := o.ifaces[a]; i != nil {
				return i
			}
		}
	}
	if i := w.internet[a]; i != nil {
		return i
	}
	if i := w.public[a]; i != nil {
		return i
	}
	return w.hy.onpremAddrs[a]
}

// send moves p from an interface towards p.dst and returns the interface it
// reached, or nil when it was lost for good (no route, no host). Filters
// that block are recorded and the walk goes on, as if they had let the
// packet through.
func (t *walk) send(from *iface, p *pkt) *iface {
	if p.reply && t.fwdApp != nil && !t.retChecking {
		return t.replyPastAppliance(from, p) // tgw.go
	}
	t.cur = p
	if from.kind == kindVPCResolver {
		// Traffic to and from the VPC resolver is neither routed nor
		// filtered (WORLD-FORMAT.md rule 6).
		return from.vpc.ifaces[p.dst]
	}
	if !p.reply {
		if from.host != nil && len(from.host.firewall) > 0 {
			t.hostFirewall(from, p, false)
		}
		if from.vpc != nil && len(from.sgs) > 0 && p.dst != from.vpc.resolver.private {
			t.sgEgress(from, p)
		}
	} else if len(from.sgs) > 0 && !p.stray {
		if !t.quiet {
			t.add(tracer.Hop{Component: from.sgs[0].name, Kind: tracer.KindSecurityGroup, Direction: tracer.Return, Action: tracer.ActAllow,
				Code: tracer.SGStateful, Detail: "reply of a tracked connection: security groups are stateful, no rule needed"})
		}
	}
	if from.onprem != nil {
		return t.fromOnPrem(from, p) // vpn.go
	}
	if from.vpc == nil {
		if p.reply && t.viaGWEndpoint != nil {
			return t.gatewayEndpointReturn(p) // endpoint.go
		}
		return t.internet(p)
	}
	if p.viaNode != nil {
		node := p.viaNode
		p.viaNode = nil
		if from.subnet != node.subnet {
			t.acl(from.subnet, false, p)
			t.acl(node.subnet, true, p)
		}
		if !t.quiet {
			t.add(tracer.Hop{Component: node.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActForward,
				Code: tracer.LBForward, Say: sayNodeReturn{}, Ref: node})
		}
		p.src = node.private
		return t.route(node.subnet, node, p, 0)
	}
	return t.route(from.subnet, from, p, 0)
}

func (t *walk) noRoute(p *pkt, rt *routeTable, code tracer.Code, detail, fix string) {
	if p.reply {
		code = tracer.NoReturnRoute
		detail = "the request arrived but its reply is lost: " + detail
	}
	t.block(rt.name, tracer.KindRouteTable, p, code, detail, nil, fix)
}

// route forwards p by the route table of subnet sn; sender is who puts it on
// the wire (the host, a NAT gateway, an appliance).
func (t *walk) route(sn *subnet, sender *iface, p *pkt, depth int) *iface {
	v := sn.vpc
	rt := sn.rt
	if depth > 8 {
		t.block(rt.name, tracer.KindRouteTable, p, tracer.RouteLoop, fmt.Sprintf("the packet to %s went round %d route tables: routes form a loop", p.dst, depth), nil, "point one of the routes at a gateway instead of back along the path")
		return nil
	}
	// The VPC resolver is reached without routes or filters.
	if p.dst == v.resolver.private {
		return v.resolver
	}
	r, ok := rt.lookup(p.dst)
	if !ok {
		t.noRoute(p, rt, tracer.NoRoute, fmt.Sprintf("no route in %s matches %s (subnet %s)", rt.name, p.dst, sn.name),
			fmt.Sprintf("add a route for %s to %s", p.dst, rt.name))
		return nil
	}
	var hop tracer.Hop
	if !t.quiet {
		hop = tracer.Hop{Component: rt.name, Kind: tracer.KindRouteTable, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.RouteMatch,
			Rule: r.rule.Text, Matched: &r.rule, Say: sayRoute{}, Ref: sn}
	}
	switch r.kind {
	case routeLocal:
		dst := v.ifaces[p.dst]
		if dst == nil {
			t.addQuiet(hop)
			t.block(v.name, tracer.KindVPC, p, tracer.NoRoute, fmt.Sprintf("nothing in VPC %s has address %s", v.name, p.dst), nil, "")
			return nil
		}
		t.addQuiet(hop)
		if dst.subnet != sn {
			t.acl(sn, false, p)
			t.acl(dst.subnet, true, p)
		}
		return t.arrive(dst, p)
	case routeIGW:
		pub := sender.public
		t.addQuiet(hop)
		if !pub.IsValid() {
			t.block(r.target, tracer.KindInternetGateway, p, tracer.NoPublicAddress,
				fmt.Sprintf("%s (%s) has no public address, so %s cannot map it", sender.name, sender.private, r.target),
				&r.rule, fmt.Sprintf("give %s a public_ip, or route %s through a NAT gateway", sender.name, r.dst))
			return nil
		}
		t.acl(sn, false, p)
		if !t.quiet {
			t.add(tracer.Hop{Component: r.target, Kind: tracer.KindInternetGateway, Direction: p.dir(), Action: tracer.ActTranslate, Code: tracer.IGWTranslate,
				Say: sayIGWOut{}, Ref: sender})
		}
		p.src = pub
		return t.internet(p)
	case routeNAT:
		if r.nat.state != "available" {
			t.addQuiet(hop)
			t.noRoute(p, rt, tracer.RouteBlackhole, fmt.Sprintf("route %s points at NAT gateway %s, which is %s: the console shows the route as blackhole", r.dst, r.target, r.nat.state),
				fmt.Sprintf("point the %s route of %s at an available NAT gateway", r.dst, rt.name))
			return nil
		}
		if p.reply {
			t.addQuiet(hop)
			t.noRoute(p, rt, tracer.NoReturnRoute, fmt.Sprintf("%s sends the reply to %s through NAT gateway %s, which has no record of the connection", rt.name, p.dst, r.target),
				fmt.Sprintf("route %s to the internet gateway in %s, or move the host to a public subnet", p.dst, rt.name))
			return nil
		}
		t.addQuiet(hop)
		n := r.nat.iface
		if n.subnet != sn {
			t.acl(sn, false, p)
			t.acl(n.subnet, true, p)
		}
		t.natPort = natPort(p)
		t.nat, t.natOrig, t.natOrigPort = n, p.src, p.sport
		if !t.quiet {
			t.add(tracer.Hop{Component: n.name, Kind: tracer.KindNATGateway, Direction: tracer.Forward, Action: tracer.ActTranslate, Code: tracer.NATTranslate,
				Say: saySNAT{}, Ref: n})
		}
		p.src, p.sport = n.private, t.natPort
		p.routed++
		return t.route(n.subnet, n, p, depth+1)
	case routePeering:
		pr := r.peering
		if !pr.active {
			t.addQuiet(hop)
			t.noRoute(p, rt, tracer.RouteBlackhole, fmt.Sprintf("route %s points at peering %s, which is %s", r.dst, pr.name, pr.status),
				fmt.Sprintf("re-create and accept peering %s, or remove the route", pr.name))
			return nil
		}
		t.addQuiet(hop)
		other := pr.other(v)
		t.acl(sn, false, p)
		if !t.quiet {
			t.add(tracer.Hop{Component: pr.name, Kind: tracer.KindPeering, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.PeeringForward,
				Detail: fmt.Sprintf("VPC %s → VPC %s", v.name, other.name)})
		}
		if pr.mtu > 0 && pr.mtu < 1500 && !p.reply {
			t.mtuLink = pr.link()
		}
		dst := other.ifaces[p.dst]
		if dst == nil {
			t.block(other.name, tracer.KindVPC, p, tracer.NoRoute, fmt.Sprintf("nothing in VPC %s has address %s (peerings are not transitive)", other.name, p.dst), nil, "")
			return nil
		}
		if dst.kind != kindVPCResolver {
			t.acl(dst.subnet, true, p)
		}
		return t.arrive(dst, p)
	case routeInstance:
		t.addQuiet(hop)
		app := r.inst
		if app.subnet != sn {
			t.acl(sn, false, p)
			t.acl(app.subnet, true, p)
		}
		if !t.appliance(app, p) { // tgw.go
			return nil
		}
		if app.host != nil && app.host.srcDstCheck {
			t.srcDstCheck(app, p) // zones.go; the walk goes on as if it forwarded
		} else {
			t.applianceSGs(app, p) // appliance_sg.go
			if !t.quiet {
				t.add(tracer.Hop{Component: app.name, Kind: tracer.KindInstance, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.RouteMatch,
					Detail: fmt.Sprintf("%s forwards the packet on", app.name)})
			}
		}
		p.routed++
		return t.route(app.subnet, app, p, depth+1)
	case routeTGW, routeVGW, routeEndpoint:
		t.addQuiet(hop)
		return t.hybridRoute(sn, sender, r, p, depth)
	default: // blackhole, missing
		t.addQuiet(hop)
		why := "a blackhole"
		if r.kind == routeMissing {
			why = fmt.Sprintf("%s, which is not attached to VPC %s", r.target, v.name)
			if t.w.kinds[r.target] == "" {
				why = fmt.Sprintf("%s, which does not exist (deleted, or misspelled): the console shows the route as blackhole", r.target)
			}
		}
		t.noRoute(p, rt, tracer.RouteBlackhole, fmt.Sprintf("route %s points at %s: the packet is dropped", r.dst, why),
			fmt.Sprintf("point the %s route of %s at a working target", r.dst, rt.name))
		return nil
	}
}

// natPort picks the NAT gateway's source port for a connection: stable for
// the same flow.
func natPort(p *pkt) uint16 {
	h := uint32(p.sport)*2654435761 ^ uint32(p.dport)*40503
	return uint16(1024 + h%(65535-1024))
}

// internet carries p from the internet side to whatever owns p.dst.
func (t *walk) internet(p *pkt) *iface {
	if dst := t.w.internet[p.dst]; dst != nil {
		if !t.quiet {
			t.add(tracer.Hop{Component: "internet", Kind: tracer.KindInternet, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.InternetForward,
				Say: sayInternetTo{}, Ref: dst})
		}
		return t.arrive(dst, p)
	}
	if dst := t.w.dnsServer(p.dst); dst != nil {
		if !t.quiet {
			t.add(tracer.Hop{Component: "internet", Kind: tracer.KindInternet, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.InternetForward,
				Detail: "to " + dst.name + " (" + p.dst.String() + ")"})
		}
		return dst
	}
	m := t.w.public[p.dst]
	if m == nil {
		t.block("internet", tracer.KindInternet, p, tracer.NoRoute, fmt.Sprintf("no host on the internet has address %s", p.dst), nil, "")
		return nil
	}
	v := m.vpc
	if !t.quiet {
		t.add(tracer.Hop{Component: "internet", Kind: tracer.KindInternet, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.InternetForward,
			Say: sayInternetPublic{}, Ref: m})
	}
	if v.igw == "" {
		t.block(v.name, tracer.KindVPC, p, tracer.NoRoute, fmt.Sprintf("%s is %s's public address, but VPC %s has no internet gateway", p.dst, m.name, v.name), nil,
			fmt.Sprintf("attach an internet gateway to VPC %s", v.name))
		return nil
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: v.igw, Kind: tracer.KindInternetGateway, Direction: p.dir(), Action: tracer.ActTranslate, Code: tracer.IGWTranslate,
			Say: sayIGWIn{}, Ref: m})
	}
	p.dst = m.private
	if m.kind == kindNAT {
		t.acl(m.subnet, true, p)
		if !p.reply || t.nat != m {
			t.block(m.name, tracer.KindNATGateway, p, tracer.NoRoute, "a NAT gateway only carries replies to connections opened from inside; nothing from the internet can open one through it", nil, "")
			return nil
		}
		if !t.quiet {
			t.add(tracer.Hop{Component: m.name, Kind: tracer.KindNATGateway, Direction: tracer.Return, Action: tracer.ActTranslate, Code: tracer.NATTranslate,
				Detail: fmt.Sprintf("destination %s:%d → %s:%d (the connection's original source)", m.private, t.natPort, t.natOrig, t.natOrigPort)})
		}
		p.dst, p.dport, p.dlo, p.dhi = t.natOrig, t.natOrigPort, t.natOrigPort, t.natOrigPort
		p.routed++
		if orig := v.ifaces[t.natOrig]; orig != nil {
			p.dlo, p.dhi = orig.ephLo, orig.ephHi
		}
		return t.route(m.subnet, m, p, 1)
	}
	t.acl(m.subnet, true, p)
	return t.arrive(m, p)
}

// arrive runs the receiving interface's filters.
func (t *walk) arrive(dst *iface, p *pkt) *iface {
	if p.reply {
		return dst
	}
	if len(dst.sgs) > 0 {
		t.sgIngress(dst, p)
	}
	if dst.host != nil && len(dst.host.firewall) > 0 {
		t.hostFirewall(dst, p, true)
	}
	return dst
}

// acl evaluates subnet sn's network ACL for p: ingress when entering the
// subnet, egress when leaving it.
func (t *walk) acl(sn *subnet, ingress bool, p *pkt) bool {
	a := sn.acl
	rules, peer, dirName, code, deny := a.egress, p.dst, "egress", tracer.NACLEgressDenied, &a.denyOut
	if ingress {
		rules, peer, dirName, code, deny = a.ingress, p.src, "ingress", tracer.NACLIngressDenied, &a.denyIn
	}
	where := "leaving"
	if ingress {
		where = "entering"
	}
	leg := "request"
	lo, hi := p.dport, p.dport
	if p.reply {
		leg = "reply"
		lo, hi = p.dlo, p.dhi
	}
	ported := p.proto == protoTCP || p.proto == protoUDP
	if !ported {
		lo, hi = 0, 0
	}
	if p.reply && ported && lo != hi {
		return t.aclReplyRange(sn, ingress, p) // ephemeral.go
	}
	var rem portSet
	rem.add(lo, hi)
	var allowed []string
	var allowedBuf [4]string
	for i := range rules {
		r := &rules[i]
		if r.proto != protoAll && r.proto != p.proto {
			continue
		}
		if !r.cidr.Contains(peer) || !icmpMatch(r.icmpType, r.icmpCode, p) {
			continue
		}
		rlo, rhi := uint16(0), uint16(65535)
		if r.proto != protoAll && ported {
			rlo, rhi = r.lo, r.hi
		}
		if !ported {
			rlo, rhi = 0, 0
		}
		hit, hlo, hhi := rem.intersects(rlo, rhi)
		if !hit {
			continue
		}
		if !r.allow {
			what := t.aclWhat(p, ported, lo, hi)
			detail := fmt.Sprintf("%s rule %d denies the %s (%s)", dirName, r.num, leg, what)
			if p.reply && (hlo != lo || hhi != hi) {
				detail = fmt.Sprintf("%s rule %d denies replies to ports %s of the ephemeral range %s: the %s is dropped", dirName, r.num, portText(hlo, hhi), portText(lo, hi), leg)
			}
			t.blockAt(a.name, tracer.KindNetworkACL, sn.name, p, code, detail+fmt.Sprintf(", %s subnet %s", where, sn.name),
				&r.rule, nil, fmt.Sprintf("remove rule %d from %s, or add a lower-numbered allow rule for %s", r.num, a.name, fixWhat(p, ingress)))
			return false
		}
		rem.sub(rlo, rhi)
		if !t.quiet {
			if len(allowed) == 0 {
				allowed = allowedBuf[:0]
			}
			allowed = append(allowed, strconv.Itoa(r.num))
		}
		if rem.empty() {
			if !t.quiet {
				h := tracer.Hop{Component: a.name, Kind: tracer.KindNetworkACL, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.NACLAllow, Rule: r.rule.Text, Matched: &r.rule, Peer: sn.name, Say: sayACLAllow{}}
				if len(allowed) > 1 {
					// partial matches of several rules: all of them are named
					h.Ref = append([]string(nil), allowed...)
				}
				t.add(h)
			}
			return true
		}
	}
	detail := fmt.Sprintf("no %s rule allows the %s (%s): the implicit deny (*) drops it", dirName, leg, t.aclWhat(p, ported, lo, hi))
	if p.reply && ported {
		detail = fmt.Sprintf("no %s rule allows replies to ports %s of the client's ephemeral range %s: the implicit deny (*) drops the reply", dirName, rem.String(), portText(lo, hi))
	}
	t.blockAt(a.name, tracer.KindNetworkACL, sn.name, p, code, detail+fmt.Sprintf(", %s subnet %s", where, sn.name),
		deny, nil, fmt.Sprintf("add an %s rule to %s allowing %s", dirName, a.name, fixWhat(p, ingress)))
	return false
}

// aclWhat is the packet an ACL judged, in a detail: "tcp port 443"
// (the protocol alone for a quiet walk, or one without ports).
func (t *walk) aclWhat(p *pkt, ported bool, lo, hi uint16) string {
	if ported && !t.quiet {
		return p.proto.String() + " port " + portText(lo, hi)
	}
	return p.proto.String()
}

func fixWhat(p *pkt, ingress bool) string {
	peer := p.dst
	if ingress {
		peer = p.src
	}
	switch p.proto {
	case protoTCP, protoUDP:
		lo, hi := p.dport, p.dport
		if p.reply {
			lo, hi = p.dlo, p.dhi
		}
		return fmt.Sprintf("%s %s %s", p.proto, portText(lo, hi), cidrFor(peer))
	}
	return fmt.Sprintf("%s %s", p.proto, cidrFor(peer))
}

func cidrFor(a netip.Addr) string {
	if a.IsPrivate() {
		return netip.PrefixFrom(a, 32).String()
	}
	return "0.0.0.0/0"
}

func portText(lo, hi uint16) string {
	if lo == hi {
		return strconv.Itoa(int(lo))
	}
	return strconv.Itoa(int(lo)) + "-" + strconv.Itoa(int(hi))
}

// portSet is a small set of port intervals, kept in place so that an ACL
// check allocates nothing.
type portSet struct {
	iv [8][2]uint16
	n  int
}

func (s *portSet) add(lo, hi uint16) {
	if s.n < len(s.iv) {
		s.iv[s.n] = [2]uint16{lo, hi}
		s.n++
	}
}

func (s *portSet) empty() bool { return s.n == 0 }

// intersects reports the first overlap of [lo,hi] with the set.
func (s *portSet) intersects(lo, hi uint16) (bool, uint16, uint16) {
	for _, v := range s.iv[:s.n] {
		a, b := max(v[0], lo), min(v[1], hi)
		if a <= b {
			return true, a, b
		}
	}
	return false, 0, 0
}

func (s *portSet) sub(lo, hi uint16) {
	var out portSet
	for _, v := range s.iv[:s.n] {
		if hi < v[0] || lo > v[1] {
			out.add(v[0], v[1])
			continue
		}
		if v[0] < lo {
			out.add(v[0], lo-1)
		}
		if v[1] > hi {
			out.add(hi+1, v[1])
		}
	}
	*s = out
}

func (s *portSet) String() string {
	parts := make([]string, s.n)
	for i, v := range s.iv[:s.n] {
		parts[i] = portText(v[0], v[1])
	}
	return strings.Join(parts, ", ")
}

func ruleMatchesPort(rp proto, lo, hi uint16, p *pkt) bool {
	if rp != protoAll && rp != p.proto {
		return false
	}
	if rp == protoAll || (p.proto != protoTCP && p.proto != protoUDP) {
		return true
	}
	return p.dport >= lo && p.dport <= hi
}

func groupNames(gs []*secGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.name
	}
	return strings.Join(names, ", ")
}

func (t *walk) sgIngress(dst *iface, p *pkt) bool {
	// A rule naming a group matches by private address only.
	var src *iface
	if p.src.IsPrivate() {
		src = t.w.ifaceAt(dst.vpc, p.src)
	}
	for _, g := range dst.sgs {
		if i := sgFirst(g.ingress, g.inIx, p, p.src, src); i >= 0 { // sgindex.go
			if !t.quiet {
				r := g.tracerRule(true, i)
				t.add(tracer.Hop{Component: g.name, Kind: tracer.KindSecurityGroup, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.SGAllow, Rule: r.Text, Matched: r, Peer: dst.name,
					Say: saySGIn{}, Ref: refOf(src)})
			}
			return true
		}
	}
	from := cidrFor(p.src)
	if src != nil && len(src.sgs) > 0 {
		from = src.sgs[0].name
	}
	t.blockAt(dst.sgs[0].name, tracer.KindSecurityGroup, dst.name, p, tracer.SGNoIngressRule,
		fmt.Sprintf("no inbound rule of %s (on %s) allows %s from %s", groupNames(dst.sgs), dst.name, protoPort(p), srcDesc(src, p.src)), nil,
		spec.SGRuleEdit{Group: dst.sgs[0].name, Op: "add", Dir: "ingress", Rule: spec.SGRuleSpec{Protocol: p.proto.String(), Ports: fixRulePorts(p), Source: from}}, "")
	return false
}

func (t *walk) sgEgress(from *iface, p *pkt) bool {
	var dst *iface
	if p.dst.IsPrivate() {
		dst = t.w.ifaceAt(from.vpc, p.dst)
	}
	for _, g := range from.sgs {
		if i := sgFirst(g.egress, g.outIx, p, p.dst, dst); i >= 0 { // sgindex.go
			if !t.quiet {
				r := g.tracerRule(false, i)
				t.add(tracer.Hop{Component: g.name, Kind: tracer.KindSecurityGroup, Direction: p.dir(), Action: tracer.ActAllow, Code: tracer.SGAllow, Rule: r.Text, Matched: r, Peer: from.name,
					Say: saySGOut{}, Ref: refOf(dst)})
			}
			return true
		}
	}
	to := cidrFor(p.dst)
	if dst != nil && len(dst.sgs) > 0 {
		to = dst.sgs[0].name
	}
	t.blockAt(from.sgs[0].name, tracer.KindSecurityGroup, from.name, p, tracer.SGNoEgressRule,
		fmt.Sprintf("no outbound rule of %s (on %s) allows %s to %s", groupNames(from.sgs), from.name, protoPort(p), srcDesc(dst, p.dst)), nil,
		spec.SGRuleEdit{Group: from.sgs[0].name, Op: "add", Dir: "egress", Rule: spec.SGRuleSpec{Protocol: p.proto.String(), Ports: fixRulePorts(p), Destination: to}}, "")
	return false
}

// sepPort is the space before a port in a detail, or "" for a protocol
// without ports (a constant: no allocation on the hot path).
func sepPort(p *pkt) string {
	if p.proto == protoTCP || p.proto == protoUDP {
		return " "
	}
	return ""
}

// protoPort is "tcp 443", or "icmp" for a protocol without ports.
func protoPort(p *pkt) string {
	if pp := portOf(p); pp != "" {
		return p.proto.String() + " " + pp
	}
	return p.proto.String()
}

// fixRulePorts is the ports of a rule that would admit p: its destination
// port, none for a protocol without ports.
func fixRulePorts(p *pkt) spec.Ports {
	if p.proto == protoTCP || p.proto == protoUDP {
		return spec.PortsOf(int(p.dport), int(p.dport))
	}
	return spec.Ports{}
}

func portOf(p *pkt) string {
	if p.proto == protoTCP || p.proto == protoUDP {
		return strconv.Itoa(int(p.dport))
	}
	return ""
}

func srcDesc(i *iface, a netip.Addr) string {
	if i == nil {
		return a.String()
	}
	return a.String() + " (" + i.name + ")"
}

// hostFirewall runs a host's input or output chain: first match wins, no
// match accepts. Replies pass by connection tracking.
func (t *walk) hostFirewall(i *iface, p *pkt, input bool) bool {
	chain := "OUTPUT"
	if input {
		chain = "INPUT"
	}
	for j := range i.host.firewall {
		r := &i.host.firewall[j]
		if r.input != input || !ruleMatchesPort(r.proto, r.lo, r.hi, p) {
			continue
		}
		if r.src.IsValid() && !r.src.Contains(p.src) {
			continue
		}
		if r.dst.IsValid() && !r.dst.Contains(p.dst) {
			continue
		}
		switch r.action {
		case "accept":
			if !t.quiet {
				t.add(tracer.Hop{Component: i.name, Kind: tracer.KindHostFirewall, Direction: p.dir(), Action: tracer.ActAccept, Code: tracer.HostFirewallOK, Rule: r.rule.Text, Matched: &r.rule,
					Say: sayFirewallAccept{}})
			}
			return true
		case "drop":
			t.blockEdit(i.name, tracer.KindHostFirewall, p, tracer.HostFirewallDrop, fmt.Sprintf("%s rule %d drops %s from %s silently: the client times out", chain, r.index, protoPort(p), p.src), &r.rule,
				spec.FirewallEdit{Host: i.name, Op: "remove", Num: r.index})
			return false
		default:
			t.blockEdit(i.name, tracer.KindHostFirewall, p, tracer.HostFirewallReject, fmt.Sprintf("%s rule %d rejects %s from %s with ICMP port unreachable", chain, r.index, protoPort(p), p.src), &r.rule,
				spec.FirewallEdit{Host: i.name, Op: "remove", Num: r.index})
			return false
		}
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: i.name, Kind: tracer.KindHostFirewall, Direction: p.dir(), Action: tracer.ActAccept, Code: tracer.HostFirewallOK,
			Detail: "no " + chain + " rule matches: the chain's policy accepts"})
	}
	return true
}
