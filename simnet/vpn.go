package simnet

import (
	"fmt"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Site-to-site VPN and on-premises networks, after the AWS Site-to-Site
// VPN guide:
//   - a connection ends at a virtual private gateway attached to a VPC, or
//     at a transit gateway (a VPN attachment); it has two tunnels, and
//     traffic passes while at least one is up;
//   - AWS sends into the tunnels the on-premises prefixes of the
//     connection's static routes (with BGP, those the customer gateway
//     advertises; here the on-premises network's CIDRs);
//   - a VPC route table reaches them by a static route to the virtual
//     private gateway or by route propagation from it; without either the
//     subnet has no route to the office;
//   - the tunnels carry at most 1446 bytes; a customer gateway that does
//     not clamp TCP's MSS (a smaller `mtu` here) meets path MTU discovery,
//     and the MTU_BLACKHOLE logic of peerings.

// toVGW sends p from subnet sn to the virtual private gateway r names.
func (t *walk) toVGW(sn *subnet, r *route, p *pkt) *iface {
	g := t.w.hy.vgws[r.target]
	t.acl(sn, false, p)
	for _, vc := range g.conns {
		if vc.carries(p.dst) {
			if !t.quiet {
				t.add(tracer.Hop{Component: g.name, Kind: tracer.KindVPNGateway, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.VPNForward,
					Detail: fmt.Sprintf("virtual private gateway %s sends %s into VPN connection %s", g.name, p.dst, vc.name)})
			}
			return t.throughVPN(vc, p)
		}
	}
	t.block(g.name, tracer.KindVPNGateway, p, tracer.NoRoute, fmt.Sprintf("no VPN connection of %s routes %s to the on-premises side%s", g.name, p.dst, replyNote(p)), nil,
		fmt.Sprintf("add %s to the static routes of the VPN connection", p.dst))
	return nil
}

// throughVPN carries p from AWS through connection vc to its on-premises
// network.
func (t *walk) throughVPN(vc *vpnConn, p *pkt) *iface {
	if !t.tunnel(vc, p) {
		return nil
	}
	o := vc.onprem
	if !vc.carries(p.dst) {
		t.block(vc.name, tracer.KindVPNConnection, p, tracer.NoRoute, fmt.Sprintf("%s is not among the prefixes VPN connection %s sends to the on-premises side%s", p.dst, vc.name, replyNote(p)), nil,
			fmt.Sprintf("add %s to the static routes of %s", p.dst, vc.name))
		return nil
	}
	dst := o.hosts[p.dst]
	if dst == nil {
		t.block(o.name, tracer.KindOnPremNetwork, p, tracer.NoRoute, fmt.Sprintf("nothing on %s has address %s", o.name, p.dst), nil, "")
		return nil
	}
	return t.arrive(dst, p)
}

// tunnel passes p through the first tunnel of vc that is up, or blocks.
func (t *walk) tunnel(vc *vpnConn, p *pkt) bool {
	n := vc.up()
	if n == 0 {
		why := "both tunnels are down"
		if !vc.active {
			why = "the connection is " + vc.state
		} else if len(vc.tunnels) == 1 {
			why = "its tunnel is down"
		}
		var fix spec.Edit
		if vc.active && len(vc.tunnels) > 0 {
			fix = spec.VPNEdit{VPN: vc.name, Op: "tunnel", Tunnel: 1, Arg: "up"}
		}
		t.blockAt(vc.name, tracer.KindVPNConnection, vc.cgw, p, tracer.VPNTunnelDown,
			fmt.Sprintf("VPN connection %s to customer gateway %s carries nothing: %s%s", vc.name, vc.cgw, why, replyNote(p)), nil, fix,
			fmt.Sprintf("bring a tunnel of %s up (check the customer gateway %s's IPsec and IKE settings)", vc.name, vc.cgw))
		return false
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: vc.name, Kind: tracer.KindVPNConnection, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.VPNForward, Peer: vc.cgw,
			Detail: fmt.Sprintf("through tunnel %d of %s (customer gateway %s, %s)", n, vc.name, vc.cgw, vc.onprem.cgwIP)})
	}
	if vc.mtu > 0 && vc.mtu < 1500 && !p.reply {
		t.mtuLink = &smallLink{name: vc.name, kind: tracer.KindVPNConnection, what: "VPN connection", mtu: vc.mtu}
	}
	return true
}

// fromOnPrem moves p from an on-premises host: to a host of its own
// network, or through the customer gateway into a VPN connection.
func (t *walk) fromOnPrem(from *iface, p *pkt) *iface {
	o := from.onprem
	if o.contains(p.dst) {
		dst := o.hosts[p.dst]
		if dst == nil {
			t.block(o.name, tracer.KindOnPremNetwork, p, tracer.NoRoute, fmt.Sprintf("nothing on %s has address %s", o.name, p.dst), nil, "")
			return nil
		}
		return t.arrive(dst, p)
	}
	// The customer gateway sends into the tunnels what AWS's side holds:
	// a VPC behind a virtual private gateway, else the transit gateway.
	var vc *vpnConn
	for _, c := range o.vpns {
		if c.vgw != nil && c.vgw.vpc.prefix.Contains(p.dst) {
			vc = c
			break
		}
	}
	if vc == nil {
		for _, c := range o.vpns {
			if c.att != nil {
				vc = c
				break
			}
		}
	}
	if vc == nil {
		t.block(o.name, tracer.KindOnPremNetwork, p, tracer.NoRoute, fmt.Sprintf("%s has no route to %s: no VPN connection leads there (the office's own internet access is outside this world)", o.name, p.dst), nil, "")
		return nil
	}
	if !t.tunnel(vc, p) {
		return nil
	}
	if vc.att != nil {
		a := vc.att
		if !a.active {
			t.block(a.name, tracer.KindTGWAttachment, p, tracer.TGWBlackhole, fmt.Sprintf("VPN attachment %s is %s, so the transit gateway takes nothing from %s%s", a.name, a.state, vc.name, replyNote(p)), nil,
				fmt.Sprintf("re-create attachment %s", a.name))
			return nil
		}
		if !t.quiet {
			t.add(tracer.Hop{Component: a.name, Kind: tracer.KindTGWAttachment, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.TGWForward,
				Detail: fmt.Sprintf("enters transit gateway %s through VPN attachment %s", a.tgw.name, a.name)})
		}
		return t.tgwForward(a.tgw, a, "", p, 1)
	}
	v := vc.vgw.vpc
	if !t.quiet {
		t.add(tracer.Hop{Component: vc.vgw.name, Kind: tracer.KindVPNGateway, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.VPNForward,
			Detail: fmt.Sprintf("virtual private gateway %s delivers into VPC %s", vc.vgw.name, v.name)})
	}
	dst := v.ifaces[p.dst]
	if dst == nil {
		t.block(v.name, tracer.KindVPC, p, tracer.NoRoute, fmt.Sprintf("nothing in VPC %s has address %s", v.name, p.dst), nil, "")
		return nil
	}
	if dst.kind != kindVPCResolver {
		t.acl(dst.subnet, true, p)
	}
	return t.arrive(dst, p)
}
