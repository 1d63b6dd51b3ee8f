package simnet

import (
	"fmt"
	"net/netip"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// The transit gateway's steps. They follow the AWS Transit Gateway guide:
//   - a VPC reaches the gateway through the attachment's interface in the
//     sender's availability zone; resources in a zone where the attachment
//     has no subnet cannot reach it ("how transit gateways work");
//   - a packet that enters through an attachment is routed by the route
//     table associated with that attachment, longest prefix first; static
//     routes beat propagated ones for the same prefix; a blackhole route
//     drops ("transit gateway route tables");
//   - into a VPC the gateway sends the packet through its interface in the
//     zone the packet came from, if the attachment has one; with appliance
//     mode it picks one interface per flow by a hash, the same for both
//     directions ("appliance in a shared services VPC");
//   - inside the VPC the packet is routed by the route table of the subnet
//     of that interface.

// hybridWalk is the state a conversation keeps about transit gateways,
// VPN tunnels and endpoints.
type hybridWalk struct {
	// fwdApp is the stateful appliance (an instance used as a route
	// target inside a VPC the transit gateway delivered to) the request
	// crossed; intoApp the attachment that delivered it there.
	fwdApp, retApp *iface
	intoAtt        *tgwAttachment
	// enteredFrom is the attachment the packet in flight last left the
	// gateway by (to find an appliance's VPC).
	enteredFrom *tgwAttachment
	retChecking bool
	// viaGWEndpoint: the request went out through a gateway endpoint, so
	// its reply comes back through it.
	viaGWEndpoint *vpcEndpoint
	// halfOpen: the reply bypassed the appliance the request crossed; the
	// hop that drops the client's next segments there.
	halfOpen *tracer.Hop
}

// hybridRoute forwards p by a route to a transit gateway, a virtual private
// gateway or a gateway endpoint.
func (t *walk) hybridRoute(sn *subnet, sender *iface, r *route, p *pkt, depth int) *iface {
	switch r.kind {
	case routeTGW:
		return t.toTGW(sn, r, p, depth)
	case routeVGW:
		return t.toVGW(sn, r, p)
	}
	return t.toGatewayEndpoint(sn, r, p)
}

// toTGW sends p from subnet sn to the transit gateway r names.
func (t *walk) toTGW(sn *subnet, r *route, p *pkt, depth int) *iface {
	v := sn.vpc
	g := t.w.hy.tgws[r.target]
	att := g.vpcAtt[v]
	if att == nil || !att.active {
		why := fmt.Sprintf("VPC %s has no attachment to %s", v.name, g.name)
		if att != nil {
			why = fmt.Sprintf("attachment %s of VPC %s is %s", att.name, v.name, att.state)
		}
		t.noRoute(p, sn.rt, tracer.RouteBlackhole, fmt.Sprintf("route %s points at transit gateway %s, but %s: the route is a blackhole", r.dst, g.name, why),
			fmt.Sprintf("attach VPC %s to %s (or make the attachment available)", v.name, g.name))
		return nil
	}
	zone := t.w.hy.zones[sn]
	i := att.inZone(t.w, zone)
	if i < 0 {
		var fix spec.Edit
		if cand := t.w.subnetInZone(v, zone, sn); cand != nil {
			fix = spec.AttachmentEdit{Attachment: att.name, Op: "subnet-add", Arg: cand.name}
		}
		t.blockAt(att.name, tracer.KindTGWAttachment, sn.name, p, tracer.TGWZoneNotAttached,
			fmt.Sprintf("subnet %s is in zone %q, where attachment %s has no subnet: traffic from that zone cannot reach %s (its zones: %s)", sn.name, zone, att.name, g.name, t.w.attZones(att)),
			nil, fix, fmt.Sprintf("add a subnet of zone %q to attachment %s", zone, att.name))
		return nil
	}
	ent := att.subnets[i]
	if ent != sn {
		t.acl(sn, false, p)
		t.acl(ent, true, p)
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: att.name, Kind: tracer.KindTGWAttachment, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.TGWForward, Peer: ent.name,
			Detail: fmt.Sprintf("enters transit gateway %s through attachment %s (its interface in subnet %s, zone %q)", g.name, att.name, ent.name, zone)})
	}
	return t.tgwForward(g, att, zone, p, depth)
}

// tgwForward routes p inside transit gateway g; it entered by attachment
// in, from zone (empty for a VPN).
func (t *walk) tgwForward(g *tgw, in *tgwAttachment, zone string, p *pkt, depth int) *iface {
	if depth > 8 {
		t.block(g.name, tracer.KindTransitGateway, p, tracer.RouteLoop, fmt.Sprintf("the packet to %s went round %d route tables: routes form a loop", p.dst, depth), nil, "point one of the routes at a gateway instead of back along the path")
		return nil
	}
	tbl := in.table
	if tbl == nil {
		t.block(in.name, tracer.KindTGWAttachment, p, tracer.TGWNoRoute,
			fmt.Sprintf("attachment %s is associated with no route table of %s, so the gateway cannot route what enters by it%s", in.name, g.name, replyNote(p)), nil,
			fmt.Sprintf("associate %s with a route table of %s", in.name, g.name))
		return nil
	}
	r := tbl.lookup(p.dst)
	if r == nil {
		t.block(tbl.name, tracer.KindTGWRouteTable, p, tracer.TGWNoRoute,
			fmt.Sprintf("no route in %s (associated with %s, which the packet entered by) matches %s%s", tbl.name, in.name, p.dst, replyNote(p)), nil,
			fmt.Sprintf("add a route for %s to %s, or propagate the attachment that leads there into it", p.dst, tbl.name))
		return nil
	}
	if r.blackhole || !r.att.active {
		why := "a blackhole route"
		if !r.blackhole {
			why = fmt.Sprintf("attachment %s, which is %s", r.att.name, r.att.state)
		}
		var fix spec.Edit
		if r.blackhole {
			fix = spec.RouteEdit{Table: tbl.name, Op: "remove", Dest: r.dst}
		}
		t.blockAt(tbl.name, tracer.KindTGWRouteTable, "", p, tracer.TGWBlackhole,
			fmt.Sprintf("%s matches %s in %s: %s, so the packet is dropped%s", p.dst, r.dst, tbl.name, why, replyNote(p)), &r.rule, fix,
			fmt.Sprintf("point the %s route of %s at an available attachment", r.dst, tbl.name))
		return nil
	}
	out := r.att
	if !t.quiet {
		how := "static"
		if r.propagated {
			how = "propagated"
		}
		t.add(tracer.Hop{Component: tbl.name, Kind: tracer.KindTGWRouteTable, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.TGWForward, Rule: r.rule.Text, Matched: &r.rule,
			Detail: fmt.Sprintf("%s matches %s (%s, longest prefix) in %s, the table of %s: on to attachment %s", p.dst, r.dst, how, tbl.name, in.name, out.name)})
	}
	if out.vpn != nil {
		return t.throughVPN(out.vpn, p)
	}
	if len(out.subnets) == 0 {
		t.block(out.name, tracer.KindTGWAttachment, p, tracer.TGWBlackhole, fmt.Sprintf("attachment %s has no subnet to deliver into", out.name), nil, "")
		return nil
	}
	i := -1
	why := ""
	if out.appliance {
		i = int(flowHash(p.src, p.dst) % uint32(len(out.subnets)))
		why = "appliance mode: one interface per flow, the same both ways"
	} else if i = out.inZone(t.w, zone); i >= 0 {
		why = "the zone the packet came from"
	} else {
		i = 0
		why = "the attachment has no subnet in the zone the packet came from"
	}
	ent, eni := out.subnets[i], out.enis[i]
	if !t.quiet {
		t.add(tracer.Hop{Component: out.name, Kind: tracer.KindTGWAttachment, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.TGWForward, Peer: ent.name,
			Detail: fmt.Sprintf("leaves %s into VPC %s through its interface in subnet %s (zone %q: %s)", g.name, out.vpc.name, ent.name, t.w.hy.zones[ent], why)})
	}
	t.enteredFrom = out
	return t.route(ent, eni, p, depth+1)
}

// replyNote says " (the reply)" for a reply.
func replyNote(p *pkt) string {
	if p.reply {
		return " (the reply)"
	}
	return ""
}

// flowHash is the appliance-mode choice of interface: a function of the
// two addresses that is the same in both directions.
func flowHash(a, b netip.Addr) uint32 {
	x, y := a.As4(), b.As4()
	h := (uint32(x[0]^y[0])<<24 | uint32(x[1]^y[1])<<16 | uint32(x[2]^y[2])<<8 | uint32(x[3]^y[3]))
	h ^= h >> 16
	h *= 0x45d9f3b
	h ^= h >> 16
	return h
}

// FlowHash is the appliance-mode choice's hash of a flow's two addresses
// (the same both ways): the lab builds the same choice into its transit
// gateways (lab/tgw.go).
func FlowHash(a, b netip.Addr) uint32 { return flowHash(a, b) }

// appliance notes an instance that forwards p inside a VPC the transit
// gateway delivered it to: a stateful appliance (a firewall). The request
// names the appliance; a reply through another appliance of that VPC is
// dropped, since that one never saw the connection. It reports whether
// the packet goes on.
func (t *walk) appliance(app *iface, p *pkt) bool {
	if t.enteredFrom == nil || t.enteredFrom.vpc != app.vpc {
		return true
	}
	if !p.reply {
		if t.fwdApp == nil {
			t.fwdApp, t.intoAtt = app, t.enteredFrom
		}
		return true
	}
	if t.fwdApp == nil {
		// The request skipped the inspection VPC, the reply crosses it:
		// the appliance sees a reply to a connection it never saw.
		att := t.enteredFrom
		t.retApp = app
		t.blockAt(app.name, tracer.KindInstance, app.name, p, tracer.TGWAsymmetricReturn,
			fmt.Sprintf("the reply reaches appliance %s (through %s), but the request never crossed it: it drops a reply to a connection it never saw (the request's route table at the transit gateway skips the inspection VPC)", app.name, att.name),
			nil, nil, "send both directions through the inspection attachment: check which transit gateway route table each side's attachment is associated with")
		return false
	}
	if t.fwdApp.vpc != app.vpc {
		return true
	}
	if app == t.fwdApp {
		t.retApp = app
		return true
	}
	t.retApp = app
	att := t.enteredFrom
	var fix spec.Edit
	if !att.appliance {
		fix = spec.AttachmentEdit{Attachment: att.name, Op: "appliance-mode", Arg: "on"}
	}
	t.blockAt(att.name, tracer.KindTGWAttachment, app.name, p, tracer.TGWAsymmetricReturn,
		fmt.Sprintf("the request crossed appliance %s, but the reply enters VPC %s in another zone and reaches %s, which never saw the connection and drops it (appliance mode is off on %s, so the gateway keeps each direction in its own zone)",
			t.fwdApp.name, app.vpc.name, app.name, att.name), nil, fix, fmt.Sprintf("turn on appliance mode for attachment %s", att.name))
	return false
}

// replyPastAppliance walks a reply and then checks that it crossed the
// appliance its request crossed: a reply that bypasses it (through
// another route table) leaves the appliance with half a connection, and
// it drops the rest.
func (t *walk) replyPastAppliance(from *iface, p *pkt) *iface {
	t.retChecking = true
	t.enteredFrom = nil
	got := t.send(from, p)
	t.retChecking = false
	if got == nil || t.retApp != nil {
		return got
	}
	att := t.intoAtt
	table := ""
	if att != nil && att.table != nil {
		table = att.table.name
	}
	// The reply itself reaches the client, so its connection opens (a
	// ping or a datagram is answered); the appliance saw the SYN and not
	// the SYN-ACK, so it holds the connection half open and drops the
	// client's next segments as invalid (Linux conntrack: an ACK from the
	// originator in SYN_SENT is invalid; a stateful firewall drops it).
	// What breaks is the first data the client sends (Net.Handshake,
	// Net.Request).
	t.halfOpen = &tracer.Hop{Component: t.fwdApp.name, Kind: tracer.KindInstance, Peer: t.fwdApp.name, Direction: tracer.Forward, Action: tracer.ActDrop, Code: tracer.TGWAsymmetricReturn, Blocks: true,
		Detail: fmt.Sprintf("the request crossed appliance %s, but the reply came back on a path that misses it (the route tables of the return, not %s, decided): the client's handshake completes, but the appliance saw half a connection and drops the rest, so what the client sends next vanishes",
			t.fwdApp.name, table),
		Advice: "route the reply through the inspection attachment too: associate the responder's attachment with the table that sends traffic to the appliance"}
	return got
}

// subnetInZone is a subnet of v in zone z, preferring one whose name
// says it is for the gateway, else sn's own zone's first.
func (w *World) subnetInZone(v *vpc, z string, prefer *subnet) *subnet {
	var first *subnet
	for _, s := range v.subnets {
		if w.hy.zones[s] != z {
			continue
		}
		if first == nil {
			first = s
		}
	}
	return first
}

func (w *World) attZones(a *tgwAttachment) string {
	out := ""
	for i, s := range a.subnets {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%q", w.hy.zones[s])
	}
	return out
}

// initiator finds the interface a reply goes back to, for the ephemeral
// range its network ACLs must allow: as ifaceAt sees it from v, else in a
// VPC that shares a transit gateway with v (worlds without transit
// gateways see no difference).
func (w *World) initiator(v *vpc, a netip.Addr) *iface {
	if i := w.ifaceAt(v, a); i != nil || v == nil {
		return i
	}
	for _, g := range w.hy.tgws {
		if g.vpcAtt[v] == nil {
			continue
		}
		for _, att := range g.atts {
			if att.vpc != nil {
				if i := att.vpc.ifaces[a]; i != nil {
					return i
				}
			}
		}
	}
	return nil
}
