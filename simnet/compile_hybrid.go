package simnet

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	dnszone "github.com/pathlab/pathlab/simnet/zone"
	"github.com/pathlab/pathlab/tracer"
)

// Compiling the issue-11 constructs. compile calls prefixListSpecs before
// the VPCs, vpcHybrid at the end of each VPC, and hybridSpecs after the
// peerings; routes and propagations resolve in c.later, once every name is
// known.

// Route kinds of the extensions (world.go has the baseline's).
const (
	routeTGW      routeKind = iota + 100 // a transit gateway
	routeVGW                             // a virtual private gateway
	routeEndpoint                        // a gateway endpoint
)

func (c *compiler) prefixListSpecs(s *spec.WorldSpec) {
	c.w.hy = hybrid{
		prefixLists: map[string]*prefixList{}, tgws: map[string]*tgw{}, tgwTables: map[string]*tgwTable{},
		atts: map[string]*tgwAttachment{}, vgws: map[string]*vgw{}, vpns: map[string]*vpnConn{},
		onpremAddrs: map[netip.Addr]*iface{}, endpoints: map[string]*vpcEndpoint{}, zones: map[*subnet]string{},
	}
	for i, ps := range s.PrefixLists {
		path := fmt.Sprintf("$.prefix_lists[%d]", i)
		if !c.declare(path, ps.Name, "prefix-list") {
			continue
		}
		pl := &prefixList{name: ps.Name}
		if len(ps.CIDRs) == 0 {
			c.errf(path, "prefix list %s has no cidrs; list them under cidrs", ps.Name)
		}
		for j, t := range ps.CIDRs {
			if p, ok := c.prefix(fmt.Sprintf("%s.cidrs[%d]", path, j), t, "cidr"); ok {
				pl.cidrs = append(pl.cidrs, p)
			}
		}
		c.w.hy.prefixLists[ps.Name] = pl
	}
}

// state reads a resource's state: available unless it says otherwise.
func (c *compiler) state(path, text string) (string, bool) {
	switch strings.ToLower(text) {
	case "", "available":
		return "available", true
	case "pending", "deleted", "deleting", "failed":
		return strings.ToLower(text), false
	}
	c.errf(path, "state %q is not available, pending, deleted or failed", text)
	return text, false
}

// vpcHybrid compiles a VPC's virtual private gateway, zones and endpoints.
func (c *compiler) vpcHybrid(path string, v *vpc, vs *spec.VPCSpec) {
	for j, ss := range vs.Subnets {
		if sn := c.w.subnets[ss.Name]; sn != nil && sn.vpc == v {
			c.w.hy.zones[sn] = ss.Zone
		}
		_ = j
	}
	if vs.VPNGateway != "" && c.declare(path+".vpn_gateway", vs.VPNGateway, "vpn-gateway") {
		c.w.hy.vgws[vs.VPNGateway] = &vgw{name: vs.VPNGateway, vpc: v}
	}
	for j := range vs.Endpoints {
		es := &vs.Endpoints[j]
		p := fmt.Sprintf("%s.endpoints[%d]", path, j)
		if !c.declare(p, es.Name, "vpc-endpoint") {
			continue
		}
		ep := &vpcEndpoint{name: es.Name, vpc: v, service: es.Service, privateDNS: es.PrivateDNS}
		ep.state, ep.active = c.state(p+".state", es.State)
		if h := c.w.hosts[es.Server]; h != nil && h.iface.kind == kindServer {
			ep.server = h
		} else {
			c.errf(p+".server", "server %q is not an internet server; name the server that is the service in this world", es.Server)
		}
		switch strings.ToLower(es.Type) {
		case "gateway":
			ep.gateway = true
			if ep.list = c.w.hy.prefixLists[es.PrefixList]; ep.list == nil {
				c.errf(p+".prefix_list", "prefix list %q does not exist; a gateway endpoint names its service's prefix list (declare it under prefix_lists)", es.PrefixList)
			} else if ep.server != nil && !ep.list.contains(ep.server.iface.public) {
				c.errf(p+".prefix_list", "prefix list %s does not cover server %s (%s)", es.PrefixList, es.Server, ep.server.iface.public)
			}
			if len(es.Interfaces) > 0 || len(es.SecurityGroups) > 0 || es.PrivateDNS {
				c.errf(p, "a gateway endpoint has no interfaces, security groups or private DNS; it is reached through route tables")
			}
		case "interface":
			if !hostName(es.Service) {
				c.errf(p+".service", "service %q is not a DNS name; an interface endpoint's service is its public name, such as secretsmanager.us-east-1.amazonaws.com", es.Service)
			}
			if len(es.Interfaces) == 0 {
				c.errf(p, "interface endpoint %s has no interfaces; give one subnet and private_ip per zone", es.Name)
			}
			sgs := c.groupList(p+".security_groups", v, es.SecurityGroups)
			for k, ns := range es.Interfaces {
				ip := fmt.Sprintf("%s.interfaces[%d]", p, k)
				i := &iface{name: es.Name, kind: kindEndpoint, vpc: v, ep: ep, sgs: sgs, ephLo: 1024, ephHi: 65535}
				c.placePrivate(ip, v, ns.Subnet, ns.PrivateIP, i)
				if ns.PublicIP != "" {
					c.errf(ip+".public_ip", "an endpoint's interfaces have private addresses only")
				}
				ep.ifaces = append(ep.ifaces, i)
			}
		default:
			c.errf(p+".type", "endpoint type %q is not gateway or interface", es.Type)
		}
		c.w.hy.endpoints[es.Name] = ep
	}
}

func (pl *prefixList) contains(a netip.Addr) bool {
	for _, p := range pl.cidrs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hybridSpecs compiles on-premises networks, VPN connections and transit
// gateways.
func (c *compiler) hybridSpecs(s *spec.WorldSpec) {
	hy := &c.w.hy
	cgws := map[string]*onPrem{}
	for i, os := range s.OnPremises {
		path := fmt.Sprintf("$.on_premises[%d]", i)
		if !c.declare(path, os.Name, "on-prem-network") {
			continue
		}
		o := &onPrem{name: os.Name, hosts: map[netip.Addr]*iface{}}
		if len(os.CIDRs) == 0 {
			c.errf(path, "on-premises network %s has no cidrs; list its ranges under cidrs", os.Name)
		}
		for j, t := range os.CIDRs {
			if p, ok := c.prefix(fmt.Sprintf("%s.cidrs[%d]", path, j), t, "cidr"); ok {
				for _, v := range c.w.vpcs {
					if v.prefix.IsValid() && v.prefix.Overlaps(p) {
						c.errf(fmt.Sprintf("%s.cidrs[%d]", path, j), "%s overlaps VPC %s (%s); a VPN joins ranges that do not overlap", p, v.name, v.prefix)
					}
				}
				o.cidrs = append(o.cidrs, p)
			}
		}
		cg := os.CustomerGateway
		if c.declare(path+".customer_gateway", cg.Name, "customer-gateway") {
			o.cgw = cg.Name
			if a, ok := c.addr(path+".customer_gateway.ip", cg.IP, "ip"); ok {
				if a.IsPrivate() {
					c.errf(path+".customer_gateway.ip", "a customer gateway is known to AWS by a public address; %s is private", a)
				}
				o.cgwIP = a
			}
			cgws[cg.Name] = o
		}
		for j, hs := range os.Hosts {
			p := fmt.Sprintf("%s.hosts[%d]", path, j)
			if !c.declare(p, hs.Name, "on-prem-host") {
				continue
			}
			h := &host{name: hs.Name}
			a, ok := c.addr(p+".ip", hs.IP, "ip")
			h.iface = &iface{name: hs.Name, kind: kindOnPrem, host: h, onprem: o, public: a, private: a, ephLo: 32768, ephHi: 60999}
			if ok {
				if !o.contains(a) {
					c.errf(p+".ip", "address %s is outside the cidrs of %s", a, os.Name)
				} else if prev := o.hosts[a]; prev != nil {
					c.errf(p+".ip", "address %s is already used by %s", a, prev.name)
				} else {
					o.hosts[a] = h.iface
					hy.onpremAddrs[a] = h.iface
				}
			}
			if hs.Resolver != "" {
				if r, ok := c.w.resolvers[hs.Resolver]; ok {
					h.resolver = r
				} else {
					c.errf(p+".resolver", "resolver %q does not exist; declare it under internet.resolvers", hs.Resolver)
				}
			}
			c.services(p, h, hs.Services)
			c.firewall(p, h, hs.Firewall)
			c.w.hosts[hs.Name] = h
		}
		hy.onprems = append(hy.onprems, o)
	}
	for i, vs := range s.VPNConnections {
		path := fmt.Sprintf("$.vpn_connections[%d]", i)
		if !c.declare(path, vs.Name, "vpn-connection") {
			continue
		}
		vc := &vpnConn{name: vs.Name, cgw: vs.CustomerGateway, mtu: vs.MTU}
		vc.state, vc.active = c.state(path+".state", vs.State)
		// 0: the customer gateway clamps TCP's MSS (1379, as AWS's
		// customer gateway configuration recommends), so segments fit the
		// tunnel's 1446 bytes and no MTU problem shows.
		if vc.mtu != 0 && (vc.mtu < 576 || vc.mtu > 1446) {
			c.errf(path+".mtu", "mtu %d is outside 576-1446 (AWS's VPN tunnels carry at most 1446 bytes)", vc.mtu)
		}
		if vc.onprem = cgws[vs.CustomerGateway]; vc.onprem == nil {
			c.errf(path+".customer_gateway", "customer gateway %q does not exist; declare it as an on-premises network's customer_gateway", vs.CustomerGateway)
		} else {
			vc.onprem.vpns = append(vc.onprem.vpns, vc)
		}
		for j, t := range vs.StaticRoutes {
			if p, ok := c.prefix(fmt.Sprintf("%s.static_routes[%d]", path, j), t, "static route"); ok {
				vc.routes = append(vc.routes, p)
			}
		}
		if len(vs.StaticRoutes) == 0 && vc.onprem != nil {
			vc.routes = vc.onprem.cidrs
		}
		if len(vs.Tunnels) == 0 {
			vc.tunnels = []bool{true, true}
		}
		if len(vs.Tunnels) > 2 {
			c.errf(path+".tunnels", "a VPN connection has two tunnels")
		}
		for j, ts := range vs.Tunnels {
			switch strings.ToLower(ts.State) {
			case "up":
				vc.tunnels = append(vc.tunnels, true)
			case "down":
				vc.tunnels = append(vc.tunnels, false)
			default:
				c.errf(fmt.Sprintf("%s.tunnels[%d].state", path, j), "tunnel state %q is not up or down", ts.State)
			}
		}
		if vs.VPNGateway != "" {
			if g := hy.vgws[vs.VPNGateway]; g != nil {
				vc.vgw = g
				g.conns = append(g.conns, vc)
			} else {
				c.errf(path+".vpn_gateway", "virtual private gateway %q does not exist; attach it to a VPC with vpn_gateway", vs.VPNGateway)
			}
		}
		hy.vpns[vs.Name] = vc
	}
	for i := range s.TransitGateways {
		c.transitGateway(fmt.Sprintf("$.transit_gateways[%d]", i), &s.TransitGateways[i])
	}
	for i, vs := range s.VPNConnections {
		if vc := hy.vpns[vs.Name]; vc != nil && vc.vgw == nil && vc.att == nil {
			c.errf(fmt.Sprintf("$.vpn_connections[%d]", i), "VPN connection %s ends nowhere on the AWS side: give it a vpn_gateway, or name it in a transit gateway's VPN attachment", vs.Name)
		}
	}
	c.later = append(c.later, c.endpointZones)
}

func (c *compiler) transitGateway(path string, gs *spec.TransitGatewaySpec) {
	hy := &c.w.hy
	if !c.declare(path, gs.Name, "transit-gateway") {
		return
	}
	g := &tgw{name: gs.Name, vpcAtt: map[*vpc]*tgwAttachment{}}
	hy.tgws[gs.Name] = g
	for j, as := range gs.Attachments {
		p := fmt.Sprintf("%s.attachments[%d]", path, j)
		if !c.declare(p, as.Name, "tgw-attachment") {
			continue
		}
		a := &tgwAttachment{name: as.Name, tgw: g, appliance: as.ApplianceMode}
		a.state, a.active = c.state(p+".state", as.State)
		switch {
		case as.VPC != "" && as.VPN != "":
			c.errf(p, "an attachment is to a vpc or to a vpn, not both")
		case as.VPC != "":
			v := c.w.vpcIndex[as.VPC]
			if v == nil {
				c.errf(p+".vpc", "VPC %q does not exist", as.VPC)
				break
			}
			a.vpc = v
			if prev := g.vpcAtt[v]; prev != nil {
				c.errf(p+".vpc", "VPC %s is attached to %s already (by %s); a VPC has one attachment to a transit gateway", v.name, g.name, prev.name)
			}
			g.vpcAtt[v] = a
			if len(as.Subnets) == 0 {
				c.errf(p+".subnets", "a VPC attachment needs a subnet in at least one zone")
			}
			zones := map[string]string{}
			for k, sname := range as.Subnets {
				sp := fmt.Sprintf("%s.subnets[%d]", p, k)
				sn := c.w.subnets[sname]
				if sn == nil || sn.vpc != v {
					c.errf(sp, "subnet %q does not exist in VPC %s", sname, v.name)
					continue
				}
				z := hy.zones[sn]
				if prev, dup := zones[z]; dup {
					c.errf(sp, "subnets %s and %s are both in zone %q; an attachment has one subnet per zone", prev, sname, z)
					continue
				}
				zones[z] = sname
				a.subnets = append(a.subnets, sn)
				a.enis = append(a.enis, &iface{name: as.Name, kind: kindTGW, vpc: v, subnet: sn, att: a, ephLo: 1024, ephHi: 65535})
			}
			if as.ApplianceMode && len(a.subnets) < 2 {
				// Not refused: one zone is legal, and appliance mode then changes nothing.
			}
		case as.VPN != "":
			vc := hy.vpns[as.VPN]
			if vc == nil {
				c.errf(p+".vpn", "VPN connection %q does not exist", as.VPN)
				break
			}
			if vc.vgw != nil {
				c.errf(p+".vpn", "VPN connection %s ends at virtual private gateway %s already", as.VPN, vc.vgw.name)
			}
			vc.att, a.vpn = a, vc
			if as.ApplianceMode || len(as.Subnets) > 0 {
				c.errf(p, "a VPN attachment has no subnets and no appliance mode")
			}
		default:
			c.errf(p, "attachment %s names neither a vpc nor a vpn", as.Name)
		}
		hy.atts[as.Name] = a
		g.atts = append(g.atts, a)
	}
	for j := range gs.RouteTables {
		rs := &gs.RouteTables[j]
		p := fmt.Sprintf("%s.route_tables[%d]", path, j)
		if !c.declare(p, rs.Name, "tgw-route-table") {
			continue
		}
		t := &tgwTable{name: rs.Name, tgw: g}
		hy.tgwTables[rs.Name] = t
		for k, an := range rs.Associations {
			ap := fmt.Sprintf("%s.associations[%d]", p, k)
			a := hy.atts[an]
			if a == nil || a.tgw != g {
				c.errf(ap, "attachment %q does not exist in transit gateway %s", an, g.name)
				continue
			}
			if a.table != nil {
				c.errf(ap, "attachment %s is associated with %s already; an attachment has one route table", an, a.table.name)
				continue
			}
			a.table = t
		}
		c.later = append(c.later, func() { c.tgwRoutes(p, g, t, rs) })
	}
}

// tgwRoutes compiles a transit gateway table's static routes and the
// routes its propagations bring.
func (c *compiler) tgwRoutes(path string, g *tgw, t *tgwTable, rs *spec.RouteTableSpec) {
	hy := &c.w.hy
	seen := map[netip.Prefix]bool{}
	for k, r := range rs.Routes {
		p := fmt.Sprintf("%s.routes[%d]", path, k)
		dst, ok := c.prefix(p+".destination", r.Destination, "destination")
		if !ok {
			continue
		}
		if seen[dst] {
			c.errf(p+".destination", "route table %s already has a route for %s", t.name, dst)
			continue
		}
		seen[dst] = true
		tr := tgwRoute{dst: dst, text: dst.String() + " → " + r.Target + " (static)"}
		switch {
		case r.Target == "blackhole":
			tr.blackhole = true
		case hy.atts[r.Target] != nil && hy.atts[r.Target].tgw == g:
			tr.att = hy.atts[r.Target]
		default:
			c.errf(p+".target", "route target %q is not an attachment of transit gateway %s, nor blackhole", r.Target, g.name)
			continue
		}
		t.routes = append(t.routes, tr)
	}
	for k, an := range rs.Propagations {
		p := fmt.Sprintf("%s.propagations[%d]", path, k)
		a := hy.atts[an]
		if a == nil || a.tgw != g {
			c.errf(p, "attachment %q does not exist in transit gateway %s", an, g.name)
			continue
		}
		if !a.active {
			continue // a deleted attachment's routes are withdrawn
		}
		var dsts []netip.Prefix
		switch {
		case a.vpc != nil && a.vpc.prefix.IsValid():
			dsts = []netip.Prefix{a.vpc.prefix}
		case a.vpn != nil && a.vpn.active:
			dsts = a.vpn.routes
		}
		for _, d := range dsts {
			if seen[d] {
				continue // a static route for the same prefix wins
			}
			seen[d] = true
			t.routes = append(t.routes, tgwRoute{dst: d, att: a, propagated: true, text: d.String() + " → " + a.name + " (propagated)"})
		}
	}
	sort.SliceStable(t.routes, func(i, j int) bool { return t.routes[i].dst.Bits() > t.routes[j].dst.Bits() })
	for i := range t.routes {
		r := &t.routes[i]
		target := "blackhole"
		if r.att != nil {
			target = r.att.name
		}
		r.rule = tracerRouteRule(t.name, r.dst, target, r.text)
	}
}

// vpcPropagations adds to a VPC route table the routes of the VPN
// connections of the virtual private gateways it propagates. A route the
// table has as a static route wins (AWS prefers static routes to
// propagated ones for the same prefix).
func (c *compiler) vpcPropagations(path string, v *vpc, rt *routeTable, names []string) {
	have := map[netip.Prefix]bool{}
	for _, r := range rt.routes {
		have[r.dst] = true
	}
	for k, n := range names {
		p := fmt.Sprintf("%s.propagations[%d]", path, k)
		g := c.w.hy.vgws[n]
		if g == nil {
			c.errf(p, "virtual private gateway %q does not exist; a VPC route table propagates the routes of a vpn_gateway", n)
			continue
		}
		if g.vpc != v {
			c.errf(p, "virtual private gateway %s is attached to VPC %s, not %s", n, g.vpc.name, v.name)
			continue
		}
		for _, vc := range g.conns {
			if !vc.active {
				continue
			}
			for _, d := range vc.routes {
				if have[d] {
					continue
				}
				have[d] = true
				rt.routes = append(rt.routes, route{dst: d, target: g.name, kind: routeVGW, text: d.String() + " → " + g.name + " (propagated)"})
			}
		}
	}
	sort.SliceStable(rt.routes, func(i, j int) bool { return rt.routes[i].dst.Bits() > rt.routes[j].dst.Bits() })
}

// hybridTarget resolves a route target of the extensions in VPC v's table;
// ok is false when the target is none of them.
func (c *compiler) hybridTarget(path string, v *vpc, rs spec.RouteSpec, r *route, list *prefixList) bool {
	hy := &c.w.hy
	switch {
	case hy.tgws[rs.Target] != nil:
		r.kind = routeTGW
	case hy.vgws[rs.Target] != nil:
		r.kind = routeVGW
		if hy.vgws[rs.Target].vpc != v {
			r.kind = routeMissing // a gateway attached to another VPC: the route is dead
		}
	case hy.endpoints[rs.Target] != nil:
		ep := hy.endpoints[rs.Target]
		r.kind = routeEndpoint
		switch {
		case !ep.gateway:
			c.errf(path+".target", "endpoint %s is an interface endpoint; only gateway endpoints are route targets", rs.Target)
		case ep.vpc != v:
			c.errf(path+".target", "endpoint %s is in another VPC", rs.Target)
		case ep.list != nil && list != ep.list:
			c.errf(path+".destination", "a route to gateway endpoint %s has its prefix list (%s) as destination", rs.Target, ep.list.name)
		}
	default:
		return false
	}
	return true
}

// endpointZones gives every interface endpoint with private DNS a private
// zone for its service's name, associated with its VPC: inside the VPC the
// public name answers with the endpoint's addresses (AWS does this with a
// hidden private hosted zone).
func (c *compiler) endpointZones() {
	for _, v := range c.w.vpcs {
		_ = v
	}
	names := make([]string, 0, len(c.w.hy.endpoints))
	for n := range c.w.hy.endpoints {
		names = append(names, n)
	}
	sort.Strings(names)
	added := false
	for _, n := range names {
		ep := c.w.hy.endpoints[n]
		if ep.gateway || !ep.privateDNS || !ep.active || !hostName(ep.service) {
			continue
		}
		z := &zone{name: fqdn(ep.service), private: true, vpcs: []*vpc{ep.vpc}}
		z.data = dnszone.New(z.name, true, "")
		for _, i := range ep.ifaces {
			if i.private.IsValid() {
				z.data.Add(buildRR(record{name: z.name, rtype: dns.TypeA, ttl: 60, value: i.private.String()}))
			}
		}
		ep.vpc.private = append(ep.vpc.private, z)
		c.w.zones = append(c.w.zones, z)
		added = true
	}
	if added {
		sort.SliceStable(c.w.zones, func(i, j int) bool {
			return dns.CountLabel(c.w.zones[i].name) > dns.CountLabel(c.w.zones[j].name)
		})
	}
}

func tracerRouteRule(owner string, dst netip.Prefix, target, text string) tracer.Rule {
	return tracer.Rule{Kind: tracer.RuleRoute, Owner: owner, Action: tracer.ActForward, Prefix: dst, Target: target, Text: text}
}
