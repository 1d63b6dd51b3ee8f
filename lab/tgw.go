package lab

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Transit gateways in the lab, as the simulation models them
// (simnet/tgw.go, after the AWS Transit Gateway guide):
//
//   - a transit gateway is a router namespace; each VPC attachment is a
//     link per attachment subnet between it and the VPC's router (the
//     gateway's interface in that subnet), so the zone a packet crosses in
//     is the link it crosses;
//   - a VPC route to the gateway leaves by the attachment's link in the
//     zone of the subnet the packet came from, or is a blackhole when the
//     attachment has no subnet there ("how transit gateways work":
//     resources in a zone without an attachment subnet cannot reach it).
//     Route tables used in several zones are copied per zone;
//   - what the gateway delivers into a VPC enters by its interface's
//     subnet and is routed by that subnet's route table;
//   - a transit gateway route table is a kernel table per (table, zone of
//     entry, appliance choice); an association is an ip rule per link of
//     the attachment; propagations install the attachment's VPC CIDR, or
//     its VPN's routes; static routes win over propagated ones for the
//     same prefix; blackhole routes and routes to attachments that are not
//     available are blackholes; a packet the table has no route for falls
//     to the main table, which drops it;
//   - into a VPC the gateway uses the attachment's subnet in the zone the
//     packet came from, else its first; with appliance mode the subnet is
//     chosen by the simulation's flow hash of the two addresses
//     (simnet.FlowHash), which the lab's gateway computes as a packet mark
//     from a rule per pair of the world's addresses (nft has no symmetric
//     hash with a fixed seed);
//   - an appliance in a VPC attached to a gateway is stateful: a reply it
//     never saw the connection of (conntrack: invalid, as a SYN-ACK with no
//     SYN is) is dropped (TGW_ASYMMETRIC_RETURN).

// Kinds of the hybrid constructs' nodes.
const (
	KindTGW          = "transit-gateway"
	KindOnPremRouter = "on-prem-router" // an on-premises network and its customer gateway
	KindOnPremHost   = "on-prem-host"
)

// Table numbers of the hybrid constructs.
const (
	zoneTableBase = 300 // a VPC router's per-zone copies of its route tables
	tgwTableBase  = 100 // a transit gateway's tables
	tgwLocalTable = 99  // what a transit gateway sends itself (ICMP errors)
	tgwMarkBase   = 1   // appliance choice k is mark tgwMarkBase+k
)

// tgwVia marks a VPC route to a transit gateway until the zone of the
// table's copy resolves it.
const tgwVia = "\x00tgw:"

// attLink is one of a VPC attachment's interfaces: a link between the VPC
// router and the gateway router.
type attLink struct {
	subnet, zone string
	rIf, tIf     string     // the VPC router's and the gateway's interface
	rAddr, tAddr netip.Addr // their addresses
}

// vpnLink is a VPN connection: a link between the on-premises router and
// the AWS side (a gateway router or, for a virtual private gateway, the
// VPC router).
type vpnLink struct {
	vpn          *spec.VPNSpec
	up           bool
	oIf, aIf     string
	oAddr, aAddr netip.Addr
	routes       []netip.Prefix // the on-premises prefixes AWS sends into it
}

// hybridLab is what PlanFor's hooks share about transit gateways, VPNs and
// on-premises networks.
type hybridLab struct {
	s        *spec.WorldSpec
	zones    map[string]string // subnet -> zone
	subnetRT map[string]string // subnet -> route table
	atts     map[string]*spec.TGWAttachmentSpec
	links    map[string][]attLink  // attachment -> links, in its subnets' order
	vpns     map[string]*vpnLink   // VPN connection -> link
	vgwVPN   map[string][]*vpnLink // virtual private gateway -> its VPNs' links
	vpcTGWs  map[string][]string   // VPC -> transit gateways it is attached to
	tgwNodes map[string]*Node
}

func attActive(state string) bool { return state == "" || state == "available" }

// vpnRoutes are the prefixes AWS sends into VPN connection c: its static
// routes, else its on-premises network's CIDRs.
func vpnRoutes(s *spec.WorldSpec, c *spec.VPNSpec) []netip.Prefix {
	var out []netip.Prefix
	src := c.StaticRoutes
	if len(src) == 0 {
		for _, o := range s.OnPremises {
			if o.CustomerGateway.Name == c.CustomerGateway {
				src = o.CIDRs
			}
		}
	}
	for _, t := range src {
		if p, err := netip.ParsePrefix(t); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// vpnUp: traffic passes while the connection is available and at least one
// of its tunnels is up (no tunnels listed: both up).
func vpnUp(c *spec.VPNSpec) bool {
	if !attActive(strings.ToLower(c.State)) {
		return false
	}
	if len(c.Tunnels) == 0 {
		return true
	}
	for _, t := range c.Tunnels {
		if strings.EqualFold(t.State, "up") {
			return true
		}
	}
	return false
}

// hybridNodes adds the transit gateways, the on-premises networks and
// their hosts, and the links of attachments and VPN connections. It runs
// once the VPC routers exist, before their route tables are laid out.
func (p *Plan) hybridNodes(s *spec.WorldSpec, routers map[string]*Node) *hybridLab {
	hy := &hybridLab{s: s, zones: map[string]string{}, subnetRT: map[string]string{}, atts: map[string]*spec.TGWAttachmentSpec{},
		links: map[string][]attLink{}, vpns: map[string]*vpnLink{}, vgwVPN: map[string][]*vpnLink{}, vpcTGWs: map[string][]string{}, tgwNodes: map[string]*Node{}}
	for _, v := range s.VPCs {
		for _, sn := range v.Subnets {
			hy.zones[sn.Name], hy.subnetRT[sn.Name] = sn.Zone, sn.RouteTable
		}
	}
	for gi := range s.TransitGateways {
		g := &s.TransitGateways[gi]
		n := p.add(&Node{Name: "_tgw." + g.Name, Kind: KindTGW, Forward: true, Tables: []*Table{invisibleTable()}})
		n.Routes = append(n.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Blackhole: true})
		hy.tgwNodes[g.Name] = n
		for ai := range g.Attachments {
			a := &g.Attachments[ai]
			hy.atts[a.Name] = a
			if a.VPC == "" || routers[a.VPC] == nil || !attActive(strings.ToLower(a.State)) {
				continue // a VPN attachment's link is its VPN's; a deleted one has none
			}
			hy.vpcTGWs[a.VPC] = append(hy.vpcTGWs[a.VPC], g.Name)
			for _, sn := range a.Subnets {
				k := len(p.Links) + 1
				l := attLink{subnet: sn, zone: hy.zones[sn], rIf: fmt.Sprintf("tg%d", k), tIf: fmt.Sprintf("a%d", k)}
				l.rAddr, l.tAddr = p.connect(routers[a.VPC], l.rIf, n, l.tIf, 0)
				hy.links[a.Name] = append(hy.links[a.Name], l)
			}
		}
	}
	p.hybrid = hy
	p.onPremNodes(hy, routers)
	for _, g := range s.TransitGateways {
		p.tgwTables(hy, g)
	}
	return hy
}

// vpcRoute resolves a VPC route whose target is a transit gateway or a
// virtual private gateway of the world; it reports whether it did.
func (hy *hybridLab) vpcRoute(v *spec.VPCSpec, target string, r *Route) bool {
	if hy == nil {
		return false
	}
	for _, g := range hy.s.TransitGateways {
		if g.Name == target {
			r.Dev = tgwVia + target // resolved per zone (zoneTables)
			return true
		}
	}
	for _, w := range hy.s.VPCs {
		if w.VPNGateway == "" || w.VPNGateway != target {
			continue
		}
		r.Blackhole = true // a gateway of another VPC: the route is dead
		if w.Name != v.Name {
			return true
		}
		// The first connection that carries the destination, as the
		// virtual private gateway picks (simnet/vpn.go toVGW).
		for _, l := range hy.vgwVPN[target] {
			for _, c := range l.routes {
				if c.Overlaps(r.Dst) && l.up {
					r.Blackhole, r.Via = false, l.oAddr
					return true
				}
				if c.Overlaps(r.Dst) {
					return true // its tunnels are down
				}
			}
		}
		return true
	}
	return false
}

// vpcRoutes is a VPC route table's routes with those it propagates from
// its virtual private gateway: its VPN connections' prefixes, unless the
// table has a static route for the same prefix.
func (hy *hybridLab) vpcRoutes(v *spec.VPCSpec, rt spec.RouteTableSpec) []spec.RouteSpec {
	if hy == nil || len(rt.Propagations) == 0 {
		return rt.Routes
	}
	out := append([]spec.RouteSpec(nil), rt.Routes...)
	have := map[netip.Prefix]bool{}
	for _, r := range rt.Routes {
		if d, err := netip.ParsePrefix(r.Destination); err == nil {
			have[d.Masked()] = true
		}
	}
	for _, g := range rt.Propagations {
		if g != v.VPNGateway {
			continue
		}
		for _, l := range hy.vgwVPN[g] {
			if !attActive(strings.ToLower(l.vpn.State)) {
				continue
			}
			for _, d := range l.routes {
				if !have[d] {
					have[d] = true
					out = append(out, spec.RouteSpec{Destination: d.String(), Target: g})
				}
			}
		}
	}
	return out
}

// zoneTables resolves the routes to transit gateways of VPC v's router r:
// each route table holding one is copied per zone that uses it, the
// gateway route leaving by the attachment's link in that zone, and the
// subnets' rules point at their zone's copy. What a gateway delivers by an
// attachment link is routed by the table of that link's subnet.
func (hy *hybridLab) zoneTables(p *Plan, v *spec.VPCSpec, r *Node, rtIndex map[string]int, subnetBr map[string]string) {
	if hy == nil {
		return
	}
	links := hy.vpcLinks(v.Name)
	hasTGW := map[int]bool{}
	for _, rt := range r.Routes {
		if strings.HasPrefix(rt.Dev, tgwVia) {
			hasTGW[rt.Table] = true
		}
	}
	copies := map[[2]any]int{} // (table, zone) -> its copy
	next := zoneTableBase
	tableFor := func(subnet string) (int, bool) {
		t, ok := rtIndex[hy.subnetRT[subnet]]
		if !ok || !hasTGW[t] {
			return t, ok
		}
		z := hy.zones[subnet]
		key := [2]any{t, z}
		if c, ok := copies[key]; ok {
			return c, true
		}
		c := next
		next++
		copies[key] = c
		for _, rt := range r.Routes {
			if rt.Table != t {
				continue
			}
			rt.Table = c
			if g, ok := strings.CutPrefix(rt.Dev, tgwVia); ok {
				rt.Dev = ""
				rt.Blackhole = true
				// The attachment of this VPC to g, its link in zone z.
				for _, gs := range hy.s.TransitGateways {
					if gs.Name != g {
						continue
					}
					for _, a := range gs.Attachments {
						if a.VPC != v.Name {
							continue
						}
						for _, l := range hy.links[a.Name] {
							if l.zone == z {
								rt.Blackhole, rt.Via = false, l.tAddr
							}
						}
					}
				}
			}
			r.Routes = append(r.Routes, rt)
		}
		return c, true
	}
	for i := range r.Rules {
		ru := &r.Rules[i]
		if ru.Prio != 100 {
			continue
		}
		for sn, br := range subnetBr {
			if br == ru.IIF {
				if t, ok := tableFor(sn); ok {
					ru.Table = t
				}
			}
		}
	}
	for _, l := range links {
		if t, ok := tableFor(l.subnet); ok {
			r.Rules = append(r.Rules, Rule{Prio: 100, IIF: l.rIf, Table: t})
		}
	}
	// The originals are looked up by no rule now; their gateway routes
	// are blackholes.
	for i := range r.Routes {
		if strings.HasPrefix(r.Routes[i].Dev, tgwVia) {
			r.Routes[i].Dev, r.Routes[i].Blackhole = "", true
		}
	}
	// An appliance in a VPC attached to a gateway is stateful.
	if len(links) > 0 {
		for _, in := range v.Instances {
			if !in.SrcDstCheck() {
				if n := p.Node(in.Name); n != nil {
					n.Tables = append(n.Tables, statefulTable())
				}
			}
		}
	}
}

// vpcLinks are the attachment links into VPC v.
func (hy *hybridLab) vpcLinks(v string) []attLink {
	var links []attLink
	for _, g := range hy.vpcTGWs[v] {
		for _, gs := range hy.s.TransitGateways {
			if gs.Name != g {
				continue
			}
			for _, a := range gs.Attachments {
				if a.VPC == v {
					links = append(links, hy.links[a.Name]...)
				}
			}
		}
	}
	return links
}

// attachmentACLs puts the attachment links behind their subnets' network
// ACLs, as the simulation does (simnet/tgw.go toTGW, engine.go route): a
// packet for the gateway leaves its subnet and enters the attachment's
// (unless it is in that subnet already); one the gateway delivers leaves
// the attachment's subnet for its destination's.
func (hy *hybridLab) attachmentACLs(v *spec.VPCSpec, r *Node, subnetBr map[string]string) {
	if hy == nil {
		return
	}
	var fwd *Chain
	for _, t := range r.Tables {
		if t.Name == "pathlab_acl" {
			for _, c := range t.Chains {
				if c.Name == "forward" {
					fwd = c
				}
			}
		}
	}
	acl := map[string]string{}
	for _, sn := range v.Subnets {
		acl[sn.Name] = sn.NetworkACL
	}
	links := hy.vpcLinks(v.Name)
	if fwd == nil || len(links) == 0 {
		return
	}
	var first, last []FRule
	for _, l := range links {
		br := subnetBr[l.subnet]
		first = append(first, FRule{IIF: br, OIF: l.rIf, Verdict: "accept", Comment: "within subnet " + l.subnet},
			FRule{IIF: l.rIf, OIF: br, Verdict: "accept", Comment: "within subnet " + l.subnet})
		last = append(last, FRule{OIF: l.rIf, Verdict: "jump " + aclChain(acl[l.subnet], "ingress"), Comment: "into attachment subnet " + l.subnet},
			FRule{IIF: l.rIf, Verdict: "jump " + aclChain(acl[l.subnet], "egress"), Comment: "out of attachment subnet " + l.subnet})
	}
	fwd.Rules = append(append(first, fwd.Rules...), last...)
}

// statefulTable drops what a stateful appliance forwards without having
// seen its connection begin (conntrack's invalid: a SYN-ACK with no SYN).
func statefulTable() *Table {
	fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: -20}
	fwd.Rules = append(fwd.Rules, FRule{CtInvalid: true, Verdict: "drop", Comment: "a stateful appliance drops what it never saw begin"})
	return &Table{Name: "pathlab_stateful", Chains: []*Chain{fwd}}
}

// tgwRoute is one route of a transit gateway table.
type tgwRoute struct {
	dst       netip.Prefix
	att       *spec.TGWAttachmentSpec // nil: a blackhole
	blackhole bool
}

// tgwTableRoutes computes a gateway table's routes as the simulation does
// (simnet/compile_hybrid.go tgwRoutes): static routes, then propagated
// ones for prefixes no static route has.
func (hy *hybridLab) tgwTableRoutes(rt spec.RouteTableSpec) []tgwRoute {
	var out []tgwRoute
	seen := map[netip.Prefix]bool{}
	for _, r := range rt.Routes {
		d, err := netip.ParsePrefix(r.Destination)
		if err != nil || seen[d.Masked()] {
			continue
		}
		d = d.Masked()
		seen[d] = true
		tr := tgwRoute{dst: d, att: hy.atts[r.Target]}
		if r.Target == "blackhole" || tr.att == nil || !attActive(strings.ToLower(tr.att.State)) {
			tr.blackhole = true
		}
		out = append(out, tr)
	}
	for _, an := range rt.Propagations {
		a := hy.atts[an]
		if a == nil || !attActive(strings.ToLower(a.State)) {
			continue
		}
		var dsts []netip.Prefix
		switch {
		case a.VPC != "":
			for _, v := range hy.s.VPCs {
				if v.Name == a.VPC {
					if c, err := netip.ParsePrefix(v.CIDR); err == nil {
						dsts = append(dsts, c.Masked())
					}
				}
			}
		case a.VPN != "":
			if l := hy.vpns[a.VPN]; l != nil && attActive(strings.ToLower(l.vpn.State)) {
				dsts = l.routes
			}
		}
		for _, d := range dsts {
			if !seen[d] {
				seen[d] = true
				out = append(out, tgwRoute{dst: d, att: a})
			}
		}
	}
	return out
}

// applianceModulus is the number of appliance choices a gateway's tables
// need: the least common multiple of its appliance-mode attachments'
// subnet counts (a choice k serves each as k mod its count).
func applianceModulus(g spec.TransitGatewaySpec) int {
	l := 1
	for _, a := range g.Attachments {
		if a.ApplianceMode && len(a.Subnets) > 1 {
			n := len(a.Subnets)
			x, y := l, n
			for y != 0 {
				x, y = y, x%y
			}
			l = l / x * n
		}
	}
	return l
}

// tgwTables lays out transit gateway g's route tables, associations and
// appliance choices in its router.
func (p *Plan) tgwTables(hy *hybridLab, g spec.TransitGatewaySpec) {
	n := hy.tgwNodes[g.Name]
	L := applianceModulus(g)
	// Zones the gateway is entered from: its VPC attachments' subnets'
	// and "" for its VPN attachments.
	zoneSet := map[string]bool{}
	for _, a := range g.Attachments {
		for _, l := range hy.links[a.Name] {
			zoneSet[l.zone] = true
		}
		if a.VPN != "" {
			zoneSet[""] = true
		}
	}
	zones := make([]string, 0, len(zoneSet))
	for z := range zoneSet {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	next := tgwTableBase
	for _, rt := range g.RouteTables {
		routes := hy.tgwTableRoutes(rt)
		table := map[[2]any]int{}
		for _, z := range zones {
			for k := 0; k < L; k++ {
				t := next
				next++
				table[[2]any{z, k}] = t
				for _, r := range routes {
					route := Route{Table: t, Dst: r.dst, Blackhole: true}
					if !r.blackhole {
						route.Blackhole, route.Via = hy.tgwOut(r.att, z, k)
					}
					n.Routes = append(n.Routes, route)
				}
			}
		}
		for _, an := range rt.Associations {
			a := hy.atts[an]
			if a == nil || !attActive(strings.ToLower(a.State)) {
				continue // a deleted attachment takes nothing in
			}
			var ins []struct{ iif, zone string }
			for _, l := range hy.links[an] {
				ins = append(ins, struct{ iif, zone string }{l.tIf, l.zone})
			}
			if l := hy.vpns[a.VPN]; a.VPN != "" && l != nil {
				ins = append(ins, struct{ iif, zone string }{l.aIf, ""})
			}
			for _, in := range ins {
				for k := 0; k < L; k++ {
					ru := Rule{Prio: 100, IIF: in.iif, Table: table[[2]any{in.zone, k}]}
					if L > 1 {
						ru.Mark = uint32(tgwMarkBase + k)
					}
					n.Rules = append(n.Rules, ru)
				}
			}
		}
	}
	// What the gateway sends itself (ICMP errors: fragmentation needed
	// toward a server behind it) goes to each attachment's range.
	for _, a := range g.Attachments {
		for _, r := range hy.tgwTableRoutes(spec.RouteTableSpec{Propagations: []string{a.Name}}) {
			if blackhole, via := hy.tgwOut(r.att, "", 0); !blackhole {
				n.Routes = append(n.Routes, Route{Table: tgwLocalTable, Dst: r.dst, Via: via})
			}
		}
	}
	if n.hasTable(tgwLocalTable) {
		n.Rules = append(n.Rules, Rule{Prio: 90, IIF: "lo", Table: tgwLocalTable})
	}
	if L > 1 {
		n.Tables = append(n.Tables, applianceMarkTable(hy.s, L))
	}
}

// tgwOut is the next hop of a route to attachment a for a packet that
// entered from zone z with appliance choice k.
func (hy *hybridLab) tgwOut(a *spec.TGWAttachmentSpec, z string, k int) (blackhole bool, via netip.Addr) {
	if a.VPN != "" {
		l := hy.vpns[a.VPN]
		if l == nil || !l.up {
			return true, via
		}
		return false, l.oAddr
	}
	links := hy.links[a.Name]
	if len(links) == 0 {
		return true, via
	}
	i := 0
	if a.ApplianceMode {
		i = k % len(links)
	} else {
		for j, l := range links {
			if l.zone == z {
				i = j
				break
			}
		}
	}
	return false, links[i].rAddr
}

// applianceMarkTable marks each packet entering the gateway with its
// appliance choice: tgwMarkBase + FlowHash(src, dst) mod L, for every pair
// of the world's addresses (others get choice 0).
func applianceMarkTable(s *spec.WorldSpec, L int) *Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "filter", Priority: -150}
	pre.Rules = append(pre.Rules, FRule{SetMark: tgwMarkBase, Verdict: "accept"})
	// The first rule's accept ends the chain: the choices go first.
	var rules []FRule
	addrs := worldAddrs(s)
	for _, a := range addrs {
		for _, b := range addrs {
			if a == b {
				continue
			}
			k := int(simnet.FlowHash(a, b) % uint32(L))
			if k != 0 {
				rules = append(rules, FRule{Src: host32(a), Dst: host32(b), SetMark: uint32(tgwMarkBase + k), Verdict: "accept"})
			}
		}
	}
	pre.Rules = append(rules, pre.Rules...)
	return &Table{Name: "pathlab_tgw", Chains: []*Chain{pre}}
}

// worldAddrs lists the addresses a packet crossing a transit gateway may
// carry: every host's, gateway's and name server's of the world, sorted.
func worldAddrs(s *spec.WorldSpec) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	add := func(t string) {
		if a, err := netip.ParseAddr(t); err == nil && a.Is4() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for a := range addrOwners(s, true, func(lb, _ string) string { return lb }) {
		add(a.String())
	}
	for _, a := range DNSAddrs(s) {
		add(a.String())
	}
	for _, v := range s.VPCs {
		for _, e := range v.Endpoints {
			for _, i := range e.Interfaces {
				add(i.PrivateIP)
			}
		}
	}
	for _, o := range s.OnPremises {
		add(o.CustomerGateway.IP)
		for _, h := range o.Hosts {
			add(h.IP)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}
