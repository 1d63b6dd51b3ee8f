package lab

import (
	"fmt"
	"net/netip"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Site-to-site VPN and on-premises networks in the lab, as the simulation
// models them (simnet/vpn.go, after the AWS Site-to-Site VPN guide):
//
//   - an on-premises network is a router namespace (its customer gateway)
//     with its hosts as namespaces of their own, like instances, with
//     their services, firewalls and resolvers;
//   - a VPN connection is a link between that router and the transit
//     gateway's router (a VPN attachment) or the VPC's router (a virtual
//     private gateway), with the tunnels' MTU when the world gives one
//     (the customer gateway then does not clamp TCP's MSS: path MTU
//     discovery meets the link); with no tunnel up, or the connection not
//     available, the link is down on the customer's side and both sides
//     route into it as a blackhole (VPN_TUNNEL_DOWN);
//   - AWS sends into the tunnels only the connection's prefixes (its
//     static routes, else the network's CIDRs): the customer gateway drops
//     the rest;
//   - the customer gateway sends into a connection to a virtual private
//     gateway what is bound for that VPC, and everything else into its
//     first connection to a transit gateway; with neither it has no route
//     (the office's own internet access is outside the world).

// onPremNodes adds the on-premises networks, their hosts and the VPN links.
func (p *Plan) onPremNodes(hy *hybridLab, routers map[string]*Node) {
	s := hy.s
	// Which transit gateway a VPN connection's attachment belongs to.
	vpnTGW := map[string]string{}
	for _, g := range s.TransitGateways {
		for _, a := range g.Attachments {
			if a.VPN != "" {
				vpnTGW[a.VPN] = g.Name
			}
		}
	}
	vgwVPC := map[string]spec.VPCSpec{}
	for _, v := range s.VPCs {
		if v.VPNGateway != "" {
			vgwVPC[v.VPNGateway] = v
		}
	}
	resolverAddr := map[string]netip.Addr{}
	for _, r := range s.Internet.Resolvers {
		resolverAddr[r.Name] = addr(r.IP)
	}
	for _, o := range s.OnPremises {
		r := p.add(&Node{Name: "_onprem." + o.Name, Kind: KindOnPremRouter, Forward: true, Tables: []*Table{invisibleTable()}})
		for _, c := range o.CIDRs {
			// An address of the network that no host has: nothing answers.
			if pfx, err := netip.ParsePrefix(c); err == nil {
				r.Routes = append(r.Routes, Route{Dst: pfx.Masked(), Blackhole: true})
			}
		}
		for _, h := range o.Hosts {
			n := p.add(&Node{Name: h.Name, Kind: KindOnPremHost, Serves: true, Firewall: h.Firewall, Resolver: resolverAddr[h.Resolver]})
			ra, ha := p.connect(r, fmt.Sprintf("h%d", len(p.Links)+1), n, "eth0", 0)
			a := addr(h.IP)
			n.iface("eth0").Addrs = append(n.iface("eth0").Addrs, host32(a))
			n.Routes = append(n.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: ra, Src: a})
			r.Routes = append(r.Routes, Route{Dst: host32(a), Via: ha})
		}
		fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: 0}
		var defaultVia *vpnLink
		for i := range s.VPNConnections {
			c := &s.VPNConnections[i]
			if c.CustomerGateway != o.CustomerGateway.Name {
				continue
			}
			var aws *Node
			vpc, toVGW := vgwVPC[c.VPNGateway]
			switch {
			case c.VPNGateway != "" && toVGW:
				aws = routers[vpc.Name]
			case vpnTGW[c.Name] != "":
				aws = hy.tgwNodes[vpnTGW[c.Name]]
			}
			if aws == nil {
				continue
			}
			k := len(p.Links) + 1
			l := &vpnLink{vpn: c, up: vpnUp(c), oIf: fmt.Sprintf("vpn%d", k), aIf: fmt.Sprintf("vpn%d", k), routes: vpnRoutes(s, c)}
			mtu := 0
			if c.MTU > 0 && c.MTU < 1500 {
				mtu = c.MTU
			}
			l.oAddr, l.aAddr = p.connect(r, l.oIf, aws, l.aIf, mtu)
			if !l.up {
				r.iface(l.oIf).Down = true
			}
			hy.vpns[c.Name] = l
			if toVGW {
				hy.vgwVPN[c.VPNGateway] = append(hy.vgwVPN[c.VPNGateway], l)
				if cidr, err := netip.ParsePrefix(vpc.CIDR); err == nil {
					route := Route{Dst: cidr.Masked(), Blackhole: true}
					if l.up {
						route = Route{Dst: cidr.Masked(), Via: l.aAddr}
					}
					if !hasRoute(r, 0, route.Dst) {
						r.Routes = append(r.Routes, route)
					}
				}
			} else if defaultVia == nil {
				defaultVia = l
			}
			// AWS sends in only the connection's prefixes.
			for _, d := range l.routes {
				fwd.Rules = append(fwd.Rules, FRule{IIF: l.oIf, Dst: d, Verdict: "accept"})
			}
			fwd.Rules = append(fwd.Rules, FRule{IIF: l.oIf, Verdict: "drop", Comment: "not among the connection's prefixes"})
		}
		def := Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Blackhole: true}
		if defaultVia != nil && defaultVia.up {
			def = Route{Dst: def.Dst, Via: defaultVia.aAddr}
		}
		r.Routes = append(r.Routes, def)
		if len(fwd.Rules) > 0 {
			r.Tables = append(r.Tables, &Table{Name: "pathlab_cgw", Chains: []*Chain{fwd}})
		}
	}
}

func hasRoute(n *Node, table int, dst netip.Prefix) bool {
	for _, r := range n.Routes {
		if r.Table == table && r.Dst == dst {
			return true
		}
	}
	return false
}

// onPremServices are the services of on-premises host node, if it is one.
func onPremServices(s *spec.WorldSpec, node string) ([]spec.ServiceSpec, bool) {
	for _, o := range s.OnPremises {
		for _, h := range o.Hosts {
			if h.Name == node {
				return h.Services, true
			}
		}
	}
	return nil, false
}
