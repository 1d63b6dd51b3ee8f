package importer

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Importing the constructs of issue 11: managed prefix lists, VPC DNS
// attributes, virtual private gateways, customer gateways and VPN
// connections (with the on-premises networks behind them), transit
// gateways with their attachments, route tables, associations,
// propagations and routes, and VPC endpoints. The Terraform provider's
// arguments and attributes are the common language; the AWS CLI reader
// (aws_hybrid.go) translates the EC2 API's shapes into them.

// hybridState holds what the steps of this file share.
type hybridState struct {
	plOf    map[string]string      // prefix list id (or ARN) to world name
	plCIDRs map[string][]string    // world name to CIDRs
	vgwOf   map[string]string      // virtual private gateway id to name
	vgwVPC  map[string]*wVPC       // name to the VPC it is attached to
	tgwOf   map[string]*wTGW       // transit gateway id (or ARN)
	attOf   map[string]string      // attachment id to name
	attTGW  map[string]*wTGW       // attachment id to its gateway
	tgwRTOf map[string]*wTGWRT     // transit gateway route table id
	vpnOf   map[string]string      // VPN connection id to name
	cgwOf   map[string]string      // customer gateway id to name
	cgwNet  map[string]int         // customer gateway id to its on-premises network (index)
	epOf    map[string]string      // VPC endpoint id to name
	servers map[string]string      // service name to the server assumed for it
	lsnOf   map[string]listenerRef // listener ARN to its balancer and index
	// serviceNames are the public names of the services endpoints stand
	// for, and their servers' addresses, for hybridLate to serve.
	serviceNames [][2]string
}

func (b *builder) hybrid() *hybridState {
	if b.hy == nil {
		b.hy = &hybridState{plOf: map[string]string{}, plCIDRs: map[string][]string{}, vgwOf: map[string]string{}, vgwVPC: map[string]*wVPC{},
			tgwOf: map[string]*wTGW{}, attOf: map[string]string{}, attTGW: map[string]*wTGW{}, tgwRTOf: map[string]*wTGWRT{},
			vpnOf: map[string]string{}, cgwOf: map[string]string{}, cgwNet: map[string]int{}, epOf: map[string]string{}, servers: map[string]string{}}
	}
	return b.hy
}

// ---- VPC DNS attributes ------------------------------------------------

// vpcDNS reads enable_dns_support and enable_dns_hostnames. The world
// takes both as on unless false; AWS creates a VPC with DNS support on
// and hostnames off (the default VPC: both on), and a private hosted
// zone answers only when both are on.
func (b *builder) vpcDNS() {
	for _, v := range b.w.vpcs {
		for _, k := range []string{"enable_dns_support", "enable_dns_hostnames"} {
			if _, ok := v.r.V[k].(bool); !ok {
				continue
			}
			if boolean(v.r.V, k) {
				continue // on: the world's default
			}
			f := false
			if k == "enable_dns_support" {
				v.dnsSupport = &f
			} else {
				v.dnsHostnames = &f
			}
		}
	}
}

// ---- managed prefix lists ---------------------------------------------

// addPrefixList declares a prefix list; name is its world name.
func (b *builder) addPrefixList(ids []string, name string, own bool, cidrs []string, note []string, subject string) string {
	hy := b.hybrid()
	for _, id := range ids {
		if n := hy.plOf[id]; n != "" {
			return n
		}
	}
	var keep []string
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil || !p.Addr().Is4() {
			if c != "" {
				b.warn(subject, "prefix list %s: entry %q is not an IPv4 range; left out (worlds are IPv4 only)", name, c)
			}
			continue
		}
		if !contains(keep, p.Masked().String()) {
			keep = append(keep, p.Masked().String())
		}
	}
	if len(keep) == 0 {
		return ""
	}
	sort.Slice(keep, func(i, j int) bool { return prefixLess(keep[i], keep[j]) })
	if !own {
		name = b.unique(name)
	}
	b.w.prefixLists = append(b.w.prefixLists, noted[spec.PrefixListSpec]{v: spec.PrefixListSpec{Name: name, CIDRs: keep}, note: note})
	for _, id := range ids {
		if id != "" {
			hy.plOf[id] = name
		}
	}
	hy.plCIDRs[name] = keep
	return name
}

func (b *builder) prefixLists() {
	entries := map[string][]*resource{}
	for _, r := range b.of("aws_ec2_managed_prefix_list_entry") {
		entries[str(r.V, "prefix_list_id")] = append(entries[str(r.V, "prefix_list_id")], r)
	}
	for _, r := range b.of("aws_ec2_managed_prefix_list") {
		id := str(r.V, "id")
		var cidrs []string
		for _, e := range blocks(r.V, "entry") {
			cidrs = append(cidrs, str(e, "cidr"))
		}
		for _, e := range entries[id] {
			cidrs = append(cidrs, str(e.V, "cidr"))
		}
		if af := str(r.V, "address_family"); af != "" && af != "IPv4" {
			b.unsupported(r, "an IPv6 prefix list: worlds are IPv4 only")
			continue
		}
		name := b.name(r)
		if str(r.V, "owner_id") == "AWS" && strings.HasPrefix(id, "pl-") {
			name = id // an AWS-managed list (com.amazonaws.REGION.s3) keeps its id
		}
		note := []string{r.Label()}
		if n := str(r.V, "name"); n != "" && n != r.Name {
			note = append(note, "prefix list "+n)
		}
		ids := []string{id, str(r.V, "arn")}
		if n := str(r.V, "name"); strings.HasPrefix(n, "com.amazonaws.") {
			ids = append(ids, n) // AWS's service lists are known by name too
		}
		got := b.addPrefixList(ids, name, name == b.name(r), cidrs, note, r.Label())
		if got == "" {
			b.unsupported(r, "it has no IPv4 entries the input gives (list them with 'aws ec2 get-managed-prefix-list-entries', or as entry blocks)")
			b.warn(r.Label(), "prefix list left out: no IPv4 entries; routes and rules that name it are left out too")
			continue
		}
		b.imported(r, got)
		for _, e := range entries[id] {
			b.imported(e, got)
		}
	}
	for _, r := range b.of("aws_ec2_managed_prefix_list_entry") {
		if _, ok := b.done[r]; !ok {
			b.unsupported(r, "its prefix list is not in the input")
		}
	}
	// AWS's service lists (S3, DynamoDB), which a gateway endpoint's
	// state names with their ranges (prefix_list_id, cidr_blocks).
	for _, r := range b.of("aws_vpc_endpoint") {
		if id := str(r.V, "prefix_list_id"); id != "" && len(strs(r.V, "cidr_blocks")) > 0 {
			b.addPrefixList([]string{id}, id, false, strs(r.V, "cidr_blocks"), []string{"the AWS-managed prefix list of " + str(r.V, "service_name") + ", from " + r.Label()}, r.Label())
		}
	}
}

// ---- VPN: virtual private gateways, customer gateways, connections ------

func (b *builder) vpnGateways() {
	hy := b.hybrid()
	attach := map[string]string{} // vgw id to VPC id, from attachments
	attRes := map[string]*resource{}
	for _, r := range b.of("aws_vpn_gateway_attachment") {
		attach[str(r.V, "vpn_gateway_id")] = str(r.V, "vpc_id")
		attRes[str(r.V, "vpn_gateway_id")] = r
	}
	for _, r := range b.of("aws_vpn_gateway") {
		id := str(r.V, "id")
		vid := str(r.V, "vpc_id")
		if vid == "" {
			vid = attach[id]
		}
		if st := strings.ToLower(str(r.V, "state")); st == "deleted" || st == "deleting" {
			b.unsupported(r, "it is "+st)
			continue
		}
		v := b.vpcByID(vid)
		if v == nil {
			b.unsupported(r, "it is attached to no VPC of the input")
			continue
		}
		if v.vgw != "" {
			b.unsupported(r, fmt.Sprintf("VPC %s has virtual private gateway %s already; a VPC has at most one", v.name, v.vgw))
			continue
		}
		name := b.name(r)
		v.vgw, v.vgwNote = name, []string{r.Label()}
		hy.vgwOf[id] = name
		hy.vgwVPC[name] = v
		b.imported(r, name)
		if a := attRes[id]; a != nil {
			v.vgwNote = append(v.vgwNote, "attached by "+a.Label())
			b.imported(a, name)
		}
	}
	for _, r := range b.of("aws_vpn_gateway_attachment") {
		if _, ok := b.done[r]; !ok {
			b.unsupported(r, "its gateway or VPC is not in the input")
		}
	}
	// Route propagation: the table takes the routes of the gateway's VPN
	// connections (propagating_vgws, aws_vpn_gateway_route_propagation).
	prop := func(rt *wRT, gid string, origin *resource) bool {
		n := hy.vgwOf[gid]
		v := b.vpcOfRT(rt)
		if n == "" || hy.vgwVPC[n] != v {
			b.warn(origin.Label(), "route table %s propagates virtual private gateway %s, which the input does not attach to its VPC; left out", rt.name, orUnknown(gid))
			return false
		}
		if !contains(rt.propagations, n) {
			rt.propagations = append(rt.propagations, n)
		}
		return true
	}
	for _, r := range b.of("aws_route_table", "aws_default_route_table") {
		rt := b.rtOf[str(r.V, "id")]
		if rt == nil {
			continue
		}
		for _, g := range strs(r.V, "propagating_vgws") {
			prop(rt, g, r)
		}
	}
	for _, r := range b.of("aws_vpn_gateway_route_propagation") {
		rt := b.rtOf[str(r.V, "route_table_id")]
		if rt == nil {
			b.unsupported(r, "its route table is not in the input")
			continue
		}
		if prop(rt, str(r.V, "vpn_gateway_id"), r) {
			b.imported(r, rt.name)
		} else {
			b.unsupported(r, "its virtual private gateway is not attached to the table's VPC in the input")
		}
	}
}

// onPremCandidates are the ranges an on-premises network is assumed to
// use when the input gives none: the first that overlaps no VPC.
var onPremCandidates = []string{"192.168.0.0/16", "172.16.0.0/12", "10.255.0.0/16", "100.64.0.0/16"}

// vpnConnections makes an on-premises network of each customer gateway
// that a VPN connection uses, and the connections.
func (b *builder) vpnConnections() {
	hy := b.hybrid()
	staticOf := map[string][]*resource{}
	for _, r := range b.of("aws_vpn_connection_route") {
		staticOf[str(r.V, "vpn_connection_id")] = append(staticOf[str(r.V, "vpn_connection_id")], r)
	}
	cgws := map[string]*resource{}
	for _, r := range b.of("aws_customer_gateway") {
		if st := strings.ToLower(str(r.V, "state")); st == "deleted" || st == "deleting" {
			b.unsupported(r, "it is "+st+": AWS lists deleted customer gateways for a while")
			continue
		}
		cgws[str(r.V, "id")] = r
	}
	type conn struct {
		r      *resource
		routes []string
	}
	byCGW := map[string][]conn{}
	var cgwOrder []string
	for _, r := range b.of("aws_vpn_connection") {
		st := strings.ToLower(str(r.V, "state"))
		var routes []string
		for _, m := range blocks(r.V, "routes") {
			if s := strings.ToLower(str(m, "state")); s == "deleted" || s == "deleting" {
				continue
			}
			routes = append(routes, str(m, "destination_cidr_block"))
		}
		for _, s := range staticOf[str(r.V, "id")] {
			routes = append(routes, str(s.V, "destination_cidr_block"))
		}
		var keep []string
		for _, c := range routes {
			if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is4() && !contains(keep, p.Masked().String()) {
				keep = append(keep, p.Masked().String())
			}
		}
		cid := str(r.V, "customer_gateway_id")
		if cgws[cid] == nil {
			b.unsupported(r, fmt.Sprintf("its customer gateway %s is not in the input", orUnknown(cid)))
			continue
		}
		if st == "deleted" {
			b.unsupported(r, "it is deleted: AWS lists deleted VPN connections for a while")
			continue
		}
		if _, ok := byCGW[cid]; !ok {
			cgwOrder = append(cgwOrder, cid)
		}
		byCGW[cid] = append(byCGW[cid], conn{r, keep})
	}
	// The networks whose ranges the input gives first, so that an assumed
	// range avoids theirs.
	sort.SliceStable(cgwOrder, func(i, j int) bool {
		ri, rj := 0, 0
		for _, c := range byCGW[cgwOrder[i]] {
			ri += len(c.routes)
		}
		for _, c := range byCGW[cgwOrder[j]] {
			rj += len(c.routes)
		}
		if (ri == 0) != (rj == 0) {
			return rj == 0
		}
		return cgwOrder[i] < cgwOrder[j]
	})
	for _, cid := range cgwOrder {
		cg := cgws[cid]
		ip := str(cg.V, "ip_address")
		if !isPublic(ip) {
			b.unsupported(cg, fmt.Sprintf("its address %q is not a public IPv4 address, and AWS knows a customer gateway by one", ip))
			for _, c := range byCGW[cid] {
				b.unsupported(c.r, "its customer gateway has no public address the world can hold")
			}
			continue
		}
		cname := b.name(cg)
		var cidrs []string
		for _, c := range byCGW[cid] {
			for _, p := range c.routes {
				if !contains(cidrs, p) {
					cidrs = append(cidrs, p)
				}
			}
		}
		var overlap []string
		var ok []string
		for _, c := range cidrs {
			p := netip.MustParsePrefix(c)
			clash := false
			for _, v := range b.w.vpcs {
				if netip.MustParsePrefix(v.cidr).Overlaps(p) {
					clash = true
				}
			}
			if clash {
				overlap = append(overlap, c)
			} else {
				ok = append(ok, c)
			}
		}
		if len(overlap) > 0 {
			b.warn(cg.Label(), "the VPN routes %s overlap a VPC of the input; the on-premises network leaves them out", strings.Join(overlap, ", "))
		}
		oname := b.unique("onprem-" + strings.TrimPrefix(cname, "cgw-"))
		note := []string{"the network behind " + cg.Label()}
		if len(ok) == 0 {
			for _, c := range onPremCandidates {
				p := netip.MustParsePrefix(c)
				free := true
				for _, v := range b.w.vpcs {
					if netip.MustParsePrefix(v.cidr).Overlaps(p) {
						free = false
					}
				}
				for _, o := range b.w.onprems {
					for _, oc := range o.v.CIDRs {
						if netip.MustParsePrefix(oc).Overlaps(p) {
							free = false
						}
					}
				}
				if free {
					ok = []string{c}
					break
				}
			}
			if len(ok) == 0 {
				b.unsupported(cg, "the input gives no range for the network behind it, and every range the importer would assume is taken")
				for _, c := range byCGW[cid] {
					b.unsupported(c.r, "its customer gateway's network has no range")
				}
				continue
			}
			note = append(note, b.assume(oname, "its range is %s: the input gives no static routes (BGP advertises them)", ok[0]))
		} else {
			note = append(note, "its ranges are the static routes of its VPN connections")
		}
		hostIP, _ := b.freeIn(netip.MustParsePrefix(ok[0]))
		host := spec.OnPremHost{Name: b.unique(oname + "-host"), IP: hostIP.String()}
		note = append(note, b.assume(host.Name, "a host of the on-premises network at %s, as a vantage point", host.IP))
		hy.cgwNet[cid] = len(b.w.onprems)
		b.w.onprems = append(b.w.onprems, noted[spec.OnPremSpec]{v: spec.OnPremSpec{Name: oname, CIDRs: ok,
			CustomerGateway: spec.CustomerGWSpec{Name: cname, IP: ip}, Hosts: []spec.OnPremHost{host}}, note: note})
		hy.cgwOf[cid] = cname
		b.imported(cg, cname)
		for _, c := range byCGW[cid] {
			b.vpnConnection(c.r, cname, c.routes)
		}
	}
	for _, r := range b.of("aws_customer_gateway") {
		if _, ok := b.done[r]; !ok {
			b.unsupported(r, "no VPN connection of the input uses it")
		}
	}
}

func (b *builder) vpnConnection(r *resource, cgw string, routes []string) {
	hy := b.hybrid()
	name := b.name(r)
	ws := spec.VPNSpec{Name: name, CustomerGateway: cgw}
	note := []string{r.Label()}
	if g := str(r.V, "vpn_gateway_id"); g != "" {
		n := hy.vgwOf[g]
		if n == "" {
			b.unsupported(r, fmt.Sprintf("its virtual private gateway %s is not in the input (or attached to no VPC of it)", orUnknown(g)))
			return
		}
		ws.VPNGateway = n
	} else if str(r.V, "transit_gateway_id") == "" {
		b.unsupported(r, "it ends at neither a virtual private gateway nor a transit gateway")
		return
	}
	if boolean(r.V, "static_routes_only") {
		ws.StaticRoutes = routes
		if len(routes) == 0 {
			b.warn(r.Label(), "VPN connection %s routes statically but the input lists no static routes; the on-premises network's ranges are used", name)
		}
	} else if len(routes) > 0 {
		note = append(note, "dynamic (BGP) routing: the on-premises ranges are what it advertises")
	}
	// Tunnels: vgw_telemetry's status (UP, DOWN), one per tunnel.
	tel := blocks(r.V, "vgw_telemetry")
	sort.SliceStable(tel, func(i, j int) bool { return str(tel[i], "outside_ip_address") < str(tel[j], "outside_ip_address") })
	anyDown := false
	for _, t := range tel {
		if strings.EqualFold(str(t, "status"), "DOWN") {
			anyDown = true
		}
	}
	if anyDown && len(tel) <= 2 {
		for _, t := range tel {
			st := "up"
			if strings.EqualFold(str(t, "status"), "DOWN") {
				st = "down"
			}
			ws.Tunnels = append(ws.Tunnels, spec.TunnelSpec{State: st})
		}
	}
	switch st := strings.ToLower(str(r.V, "state")); st {
	case "", "available":
	case "pending":
		ws.State = "pending"
	case "deleting":
		ws.State = "deleting"
	default:
		ws.State = "failed"
		note = append(note, "its state is "+st)
	}
	hy.vpnOf[str(r.V, "id")] = name
	b.w.vpns = append(b.w.vpns, noted[spec.VPNSpec]{v: ws, note: note})
	b.imported(r, name)
	for _, s := range b.of("aws_vpn_connection_route") {
		if str(s.V, "vpn_connection_id") == str(r.V, "id") {
			b.imported(s, name)
		}
	}
}

// ---- transit gateways ---------------------------------------------------

func attState(s string) string {
	switch strings.ToLower(s) {
	case "", "available", "modifying":
		return ""
	case "pending", "pendingacceptance", "initiating", "initiatingrequest", "pending-acceptance":
		return "pending"
	case "deleting":
		return "deleting"
	case "deleted", "rejected", "rejecting":
		return "deleted"
	}
	return "failed"
}

func (b *builder) transitGateways() {
	hy := b.hybrid()
	for _, r := range b.of("aws_ec2_transit_gateway") {
		if st := strings.ToLower(str(r.V, "state")); st == "deleted" || st == "deleting" {
			b.unsupported(r, "it is "+st)
			continue
		}
		g := &wTGW{name: b.name(r), id: str(r.V, "id"), note: []string{r.Label()}}
		b.w.tgws = append(b.w.tgws, g)
		hy.tgwOf[g.id] = g
		if a := str(r.V, "arn"); a != "" {
			hy.tgwOf[a] = g
		}
		b.imported(r, g.name)
	}
	// VPC attachments (and the accepter side of a shared one).
	for _, r := range b.of("aws_ec2_transit_gateway_vpc_attachment", "aws_ec2_transit_gateway_vpc_attachment_accepter") {
		g := hy.tgwOf[str(r.V, "transit_gateway_id")]
		id := str(r.V, "id")
		if r.Type == "aws_ec2_transit_gateway_vpc_attachment_accepter" {
			id = firstOf(str(r.V, "transit_gateway_attachment_id"), id)
		}
		if hy.attOf[id] != "" {
			b.imported(r, hy.attOf[id])
			continue
		}
		v := b.vpcByID(str(r.V, "vpc_id"))
		if g == nil || v == nil {
			b.unsupported(r, "its transit gateway or VPC is not in the input")
			continue
		}
		name := b.name(r)
		ws := spec.TGWAttachmentSpec{Name: name, VPC: v.name, State: attState(str(r.V, "state"))}
		note := []string{r.Label()}
		zones := map[string]string{}
		for _, s := range strs(r.V, "subnet_ids") {
			sn := b.subnetOf[s]
			if sn == "" || b.subnetVPC[s] != v {
				b.warn(r.Label(), "attachment %s: subnet %s is not in the input; the attachment has no interface there", name, orUnknown(s))
				continue
			}
			z := b.subnetZone(v, sn)
			if prev, dup := zones[z]; dup {
				b.warn(r.Label(), "attachment %s: subnets %s and %s are both in zone %q; AWS takes one subnet per zone, the first is kept", name, prev, sn, z)
				continue
			}
			zones[z] = sn
			ws.Subnets = append(ws.Subnets, sn)
		}
		if len(ws.Subnets) == 0 {
			b.unsupported(r, "none of its subnets is in the input")
			continue
		}
		ws.ApplianceMode = strings.EqualFold(str(r.V, "appliance_mode_support"), "enable")
		g.atts = append(g.atts, noted[spec.TGWAttachmentSpec]{v: ws, note: note})
		hy.attOf[id] = name
		hy.attTGW[id] = g
		b.imported(r, name)
	}
	// VPN attachments: a VPN connection that ends at a transit gateway.
	for _, r := range b.of("aws_vpn_connection") {
		g := hy.tgwOf[str(r.V, "transit_gateway_id")]
		vname := hy.vpnOf[str(r.V, "id")]
		if g == nil || vname == "" {
			if str(r.V, "transit_gateway_id") != "" && vname != "" {
				b.warn(r.Label(), "VPN connection %s ends at transit gateway %s, which the input does not hold; it ends nowhere in the world", vname, orUnknown(str(r.V, "transit_gateway_id")))
				b.dropVPN(vname)
				b.done[r] = ""
				b.skip[r] = "its transit gateway is not in the input"
			}
			continue
		}
		id := str(r.V, "transit_gateway_attachment_id")
		name := b.unique("att-" + vname)
		if id == "" {
			id = "vpn-attachment:" + str(r.V, "id")
		}
		g.atts = append(g.atts, noted[spec.TGWAttachmentSpec]{v: spec.TGWAttachmentSpec{Name: name, VPN: vname, State: attState(str(r.V, "attachment_state"))}, note: []string{"the transit gateway attachment of " + r.Label()}})
		hy.attOf[id] = name
		hy.attTGW[id] = g
	}
	for _, r := range b.of("aws_ec2_transit_gateway_peering_attachment", "aws_ec2_transit_gateway_peering_attachment_accepter", "aws_ec2_transit_gateway_connect", "aws_ec2_transit_gateway_connect_peer") {
		b.unsupported(r, "transit gateway peering and Connect attachments are not in the world format; routes to them drop")
	}
	// Route tables, and the default ones AWS creates (Terraform holds them
	// as the gateway's association/propagation_default_route_table_id).
	for _, r := range b.of("aws_ec2_transit_gateway_route_table") {
		if st := strings.ToLower(str(r.V, "state")); st == "deleted" || st == "deleting" {
			b.unsupported(r, "it is "+st)
			continue
		}
		g := hy.tgwOf[str(r.V, "transit_gateway_id")]
		if g == nil {
			b.unsupported(r, "its transit gateway is not in the input")
			continue
		}
		t := &wTGWRT{name: b.name(r), id: str(r.V, "id"), note: []string{r.Label()}}
		g.rts = append(g.rts, t)
		hy.tgwRTOf[t.id] = t
		b.imported(r, t.name)
	}
	for _, r := range b.of("aws_ec2_transit_gateway") {
		g := hy.tgwOf[str(r.V, "id")]
		if g == nil {
			continue
		}
		for _, k := range []string{"association_default_route_table_id", "propagation_default_route_table_id"} {
			id := defaultTableID(r, k)
			if id == "" || hy.tgwRTOf[id] != nil {
				continue
			}
			why := fmt.Sprintf("its default route table %s, which AWS creates with the gateway (the input names it, %s)", id, k)
			if strings.HasPrefix(id, "default-route-table:") {
				why = "its default route table, which AWS creates with the gateway when default association or propagation is enabled (the default); the input does not give its id"
			}
			t := &wTGWRT{name: b.unique(g.name + "-default"), id: id, note: []string{b.assume(g.name, "%s", why)}}
			g.rts = append(g.rts, t)
			hy.tgwRTOf[id] = t
		}
	}
	assocOf := map[string]bool{}
	associate := func(t *wTGWRT, att string) {
		if !assocOf[att] {
			assocOf[att] = true
			t.assoc = append(t.assoc, att)
		}
	}
	for _, r := range b.of("aws_ec2_transit_gateway_route_table_association") {
		t := hy.tgwRTOf[str(r.V, "transit_gateway_route_table_id")]
		a := hy.attOf[str(r.V, "transit_gateway_attachment_id")]
		if t == nil || a == "" {
			b.unsupported(r, "its route table or attachment is not in the input")
			continue
		}
		if assocOf[a] {
			b.warn(r.Label(), "attachment %s is associated with two route tables; an attachment has one, the first is kept", a)
		}
		associate(t, a)
		b.imported(r, t.name)
	}
	for _, r := range b.of("aws_ec2_transit_gateway_route_table_propagation") {
		t := hy.tgwRTOf[str(r.V, "transit_gateway_route_table_id")]
		a := hy.attOf[str(r.V, "transit_gateway_attachment_id")]
		if t == nil || a == "" {
			b.unsupported(r, "its route table or attachment is not in the input")
			continue
		}
		if !contains(t.props, a) {
			t.props = append(t.props, a)
		}
		b.imported(r, t.name)
	}
	// Default association and propagation: an attachment that does not
	// opt out (transit_gateway_default_route_table_association, on by
	// default) goes with the gateway's default table when the gateway has
	// default association on.
	for _, r := range b.of("aws_ec2_transit_gateway_vpc_attachment", "aws_vpn_connection") {
		id := str(r.V, "id")
		if r.Type == "aws_vpn_connection" {
			id = firstOf(str(r.V, "transit_gateway_attachment_id"), "vpn-attachment:"+str(r.V, "id"))
		}
		att, g := hy.attOf[id], hy.attTGW[id]
		if att == "" || g == nil {
			continue
		}
		gr := b.ref(g.id)
		if gr == nil {
			continue
		}
		for _, d := range []struct{ flag, attFlag, table string }{
			{"default_route_table_association", "transit_gateway_default_route_table_association", "association_default_route_table_id"},
			{"default_route_table_propagation", "transit_gateway_default_route_table_propagation", "propagation_default_route_table_id"},
		} {
			if !strings.EqualFold(str(gr.V, d.flag), "enable") {
				continue
			}
			if v, ok := r.V[d.attFlag].(bool); ok && !v {
				continue
			}
			t := hy.tgwRTOf[defaultTableID(gr, d.table)]
			if t == nil {
				continue
			}
			if d.table == "association_default_route_table_id" {
				if !assocOf[att] {
					associate(t, att)
				}
			} else if !contains(t.props, att) {
				t.props = append(t.props, att)
			}
		}
	}
	for _, r := range b.of("aws_ec2_transit_gateway_route") {
		t := hy.tgwRTOf[str(r.V, "transit_gateway_route_table_id")]
		if t == nil {
			b.unsupported(r, "its route table is not in the input")
			continue
		}
		p, err := netip.ParsePrefix(str(r.V, "destination_cidr_block"))
		if err != nil || !p.Addr().Is4() {
			b.unsupported(r, "its destination is not an IPv4 range")
			continue
		}
		target, why := "blackhole", ""
		if !boolean(r.V, "blackhole") {
			aid := str(r.V, "transit_gateway_attachment_id")
			if a := hy.attOf[aid]; a != "" {
				target = a
			} else {
				why = fmt.Sprintf("attachment %s is not in the input, so the route drops", orUnknown(aid))
				b.warn(r.Label(), "route %s → %s", p.Masked(), why)
			}
		}
		dup := false
		for _, have := range t.routes {
			if have.v.Destination == p.Masked().String() {
				dup = true
			}
		}
		if !dup {
			t.routes = append(t.routes, noted[spec.RouteSpec]{v: spec.RouteSpec{Destination: p.Masked().String(), Target: target}, note: routeNote(r, why)})
		}
		b.imported(r, t.name)
	}
	for _, g := range b.w.tgws {
		for _, t := range g.rts {
			sort.SliceStable(t.routes, func(i, j int) bool { return prefixLess(t.routes[i].v.Destination, t.routes[j].v.Destination) })
		}
	}
}

// defaultTableID is the id of a transit gateway's default association or
// propagation table; before apply (a plan) AWS has not made it yet, and
// one table stands for both, as AWS makes one.
func defaultTableID(g *resource, key string) string {
	if id := str(g.V, key); id != "" && !strings.HasPrefix(id, unknownPrefix) {
		return id
	}
	flag := map[string]string{"association_default_route_table_id": "default_route_table_association", "propagation_default_route_table_id": "default_route_table_propagation"}[key]
	if v := str(g.V, flag); v == "" || strings.EqualFold(v, "enable") { // enable is the default
		if _, known := g.V[flag]; known || g.Unknown != nil {
			return "default-route-table:" + str(g.V, "id")
		}
	}
	return ""
}

// dropVPN removes a VPN connection that ends nowhere the world holds.
func (b *builder) dropVPN(name string) {
	var keep []noted[spec.VPNSpec]
	for _, v := range b.w.vpns {
		if v.v.Name != name {
			keep = append(keep, v)
		}
	}
	b.w.vpns = keep
}

func (b *builder) subnetZone(v *wVPC, name string) string {
	for _, s := range v.subnets {
		if s.v.Name == name {
			return s.v.Zone
		}
	}
	return ""
}

// ---- VPC endpoints ---------------------------------------------------------

// awsService splits an AWS service name (com.amazonaws.REGION.SERVICE)
// into its region and service; ok is false for other services
// (PrivateLink services of other accounts).
func awsService(name string) (region, svc string, ok bool) {
	parts := strings.Split(name, ".")
	if len(parts) < 4 || parts[0] != "com" || parts[1] != "amazonaws" || parts[2] == "vpce" {
		return "", "", false
	}
	return parts[2], strings.Join(parts[3:], "."), true
}

// server assumes the internet server a service stands for: an address
// in the service's prefix list for a gateway endpoint, else a public one.
func (b *builder) server(service, within string) (string, bool) {
	hy := b.hybrid()
	if n := hy.servers[service]; n != "" {
		return n, true
	}
	var ip string
	if a := b.inputA(service); a.IsValid() && !b.used[a] && (within == "" || b.inPrefixList(within, a)) {
		ip = a.String()
		b.used[a] = true
	} else if within != "" {
		for _, c := range hy.plCIDRs[within] {
			p := netip.MustParsePrefix(c)
			if p.Bits() > 30 {
				continue
			}
			if a, ok := b.freeIn(p); ok {
				ip = a.String()
				break
			}
		}
		if ip == "" {
			return "", false
		}
	} else {
		ip = b.freePublic()
	}
	name := b.unique(sanitize(service))
	cert := b.unique("cert-" + name)
	nb, na := b.clock.AddDate(0, -1, 0), b.clock.AddDate(1, 0, 0)
	b.w.certs = append(b.w.certs, noted[spec.CertSpec]{v: spec.CertSpec{Name: cert, Domains: []string{service}, NotBefore: nb.Format(time.RFC3339), NotAfter: na.Format(time.RFC3339)},
		note: []string{b.assume(cert, "the certificate the service %s presents", service)}})
	b.w.servers = append(b.w.servers, noted[spec.ServerSpec]{v: spec.ServerSpec{Name: name, IP: ip, Services: []spec.ServiceSpec{{Name: "https", Protocol: "tcp", Port: 443, TLS: cert, HTTP: map[string]int{"/": 200}}}},
		note: []string{b.assume(name, "the service %s answers https at %s; the input describes the endpoint, not the service", service, ip)}})
	hy.servers[service] = name
	hy.serviceNames = append(hy.serviceNames, [2]string{service, ip})
	return name, true
}

// inputA is the first address an A record of the input gives name.
func (b *builder) inputA(name string) netip.Addr {
	for _, r := range b.of("aws_route53_record") {
		if zoneName(str(r.V, "name")) == name && strings.EqualFold(str(r.V, "type"), "A") {
			for _, v := range strs(r.V, "records") {
				if a, err := netip.ParseAddr(v); err == nil && a.Is4() {
					return a
				}
			}
		}
	}
	return netip.Addr{}
}

func (b *builder) inPrefixList(pl string, a netip.Addr) bool {
	for _, c := range b.hybrid().plCIDRs[pl] {
		if netip.MustParsePrefix(c).Contains(a) {
			return true
		}
	}
	return false
}

func (b *builder) endpoints() {
	hy := b.hybrid()
	rtAssoc := map[string][]*resource{}
	for _, r := range b.of("aws_vpc_endpoint_route_table_association") {
		rtAssoc[str(r.V, "vpc_endpoint_id")] = append(rtAssoc[str(r.V, "vpc_endpoint_id")], r)
	}
	snAssoc := map[string][]*resource{}
	for _, r := range b.of("aws_vpc_endpoint_subnet_association") {
		snAssoc[str(r.V, "vpc_endpoint_id")] = append(snAssoc[str(r.V, "vpc_endpoint_id")], r)
	}
	sgAssoc := map[string][]*resource{}
	for _, r := range b.of("aws_vpc_endpoint_security_group_association") {
		sgAssoc[str(r.V, "vpc_endpoint_id")] = append(sgAssoc[str(r.V, "vpc_endpoint_id")], r)
	}
	for _, r := range b.of("aws_vpc_endpoint") {
		id := str(r.V, "id")
		v := b.vpcByID(str(r.V, "vpc_id"))
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			continue
		}
		typ := strings.ToLower(firstOf(str(r.V, "vpc_endpoint_type"), "gateway"))
		region, svc, ok := awsService(str(r.V, "service_name"))
		if !ok {
			b.unsupported(r, fmt.Sprintf("service %q is not an AWS service (com.amazonaws.REGION.SERVICE); endpoint services of other accounts are not in the world format", str(r.V, "service_name")))
			continue
		}
		name := b.name(r)
		note := []string{r.Label()}
		ws := spec.EndpointSpec{Name: name, State: attState(str(r.V, "state"))}
		switch typ {
		case "gateway":
			pl := hy.plOf[str(r.V, "prefix_list_id")]
			if pl == "" {
				pl = hy.plOf["com.amazonaws."+region+"."+svc]
			}
			if pl == "" {
				how := "its prefix_list_id and cidr_blocks are unknown"
				if b.kind == KindAWS {
					how = "add the output of 'aws ec2 describe-prefix-lists'"
				}
				b.unsupported(r, fmt.Sprintf("the ranges of its service's prefix list %s are not in the input (%s)", orUnknown(firstOf(str(r.V, "prefix_list_id"), "com.amazonaws."+region+"."+svc)), how))
				continue
			}
			server, ok := b.server(svc+"."+region+".amazonaws.com", pl)
			if !ok {
				b.unsupported(r, "its prefix list has no address for the service")
				continue
			}
			ws.Type, ws.Service, ws.Server, ws.PrefixList = "gateway", svc, server, pl
			// Its routes: one per route table, the prefix list to it.
			tables := strs(r.V, "route_table_ids")
			for _, a := range rtAssoc[id] {
				tables = append(tables, str(a.V, "route_table_id"))
			}
			for _, t := range tables {
				rt := b.rtOf[t]
				if rt == nil {
					b.warn(r.Label(), "endpoint %s: route table %s is not in the input; no route there", name, orUnknown(t))
					continue
				}
				found := false
				for _, have := range rt.routes {
					if have.v.Destination == pl {
						found = true
					}
				}
				if !found {
					rt.routes = append(rt.routes, noted[spec.RouteSpec]{v: spec.RouteSpec{Destination: pl, Target: name}, note: []string{"the route of " + r.Label()}})
				}
			}
		case "interface":
			ws.Type, ws.Service = "interface", svc+"."+region+".amazonaws.com"
			server, _ := b.server(ws.Service, "")
			ws.Server = server
			ws.PrivateDNS = boolean(r.V, "private_dns_enabled")
			known := map[string]string{}
			for _, m := range blocks(r.V, "interface_addresses") { // from the AWS reader: the endpoint's interfaces
				known[str(m, "subnet_id")] = str(m, "private_ip")
			}
			for _, m := range blocks(r.V, "subnet_configuration") {
				if ip := str(m, "ipv4"); ip != "" {
					known[str(m, "subnet_id")] = ip
				}
			}
			subnets := strs(r.V, "subnet_ids")
			for _, a := range snAssoc[id] {
				if !contains(subnets, str(a.V, "subnet_id")) {
					subnets = append(subnets, str(a.V, "subnet_id"))
				}
			}
			zones := map[string]bool{}
			for _, s := range subnets {
				sn := b.subnetOf[s]
				if sn == "" || b.subnetVPC[s] != v {
					b.warn(r.Label(), "endpoint %s: subnet %s is not in the input; no interface there", name, orUnknown(s))
					continue
				}
				if z := b.subnetZone(v, sn); z != "" {
					if zones[z] {
						b.warn(r.Label(), "endpoint %s: two subnets in zone %s; AWS takes one per zone, the first is kept", name, z)
						continue
					}
					zones[z] = true
				}
				ip, ok := privateIn(known[s], b.subnetPfx[s])
				if !ok {
					a, free := b.pickPrivate(r.Addr+"#if:"+s, b.subnetPfx[s])
					if !free {
						b.warn(r.Label(), "endpoint %s: subnet %s has no free address", name, sn)
						continue
					}
					ip = a
					note = append(note, b.assume(name, "interface address %s in %s (AWS picks it; the input does not say)", a, sn))
				}
				b.used[ip] = true
				ws.Interfaces = append(ws.Interfaces, spec.LBNodeSpec{Subnet: sn, PrivateIP: ip.String()})
			}
			if len(ws.Interfaces) == 0 {
				b.unsupported(r, "none of its subnets is in the input")
				continue
			}
			groups := strs(r.V, "security_group_ids")
			for _, a := range sgAssoc[id] {
				groups = append(groups, str(a.V, "security_group_id"))
			}
			for _, g := range groups {
				sg := b.sgOf[g]
				if sg == nil || b.sgVPC[sg] != v {
					b.warn(r.Label(), "endpoint %s names security group %s, which the input does not hold in its VPC; left out", name, orUnknown(g))
					continue
				}
				if !contains(ws.SecurityGroups, sg.name) {
					ws.SecurityGroups = append(ws.SecurityGroups, sg.name)
				}
			}
			if len(ws.SecurityGroups) == 0 {
				sg := b.defaultSG(v)
				ws.SecurityGroups = []string{sg.name}
				note = append(note, b.assume(name, "security group %s: the input names none the world holds, and AWS then uses the VPC's default", sg.name))
			}
		default:
			b.unsupported(r, "Gateway Load Balancer endpoints are not in the world format")
			continue
		}
		v.endpoints = append(v.endpoints, noted[spec.EndpointSpec]{v: ws, note: note})
		hy.epOf[id] = name
		b.imported(r, name)
		for _, list := range [][]*resource{rtAssoc[id], snAssoc[id], sgAssoc[id]} {
			for _, a := range list {
				b.imported(a, name)
			}
		}
	}
	for _, t := range []string{"aws_vpc_endpoint_route_table_association", "aws_vpc_endpoint_subnet_association", "aws_vpc_endpoint_security_group_association"} {
		for _, r := range b.of(t) {
			if _, ok := b.done[r]; !ok {
				b.unsupported(r, "its endpoint is not in the input")
			}
		}
	}
}

// hybridLate finishes what needs the internet side: on-premises hosts
// resolve through the assumed internet resolver.
func (b *builder) hybridLate() {
	// The services' public names answer with their servers' addresses
	// (outside a VPC, and inside one without private DNS), from a zone
	// of the region's names.
	for _, sn := range b.hybrid().serviceNames {
		label, parent, _ := strings.Cut(sn[0], ".")
		var z *wZone
		for _, x := range b.w.zones { // a zone of the input that holds the name
			if !x.private && strings.HasSuffix(sn[0], "."+x.name) && (z == nil || len(x.name) > len(z.name)) {
				z = x
			}
		}
		if z != nil {
			rel := strings.TrimSuffix(sn[0], "."+z.name)
			have := false
			for _, r := range z.records {
				if r.v.Name == rel {
					have = true
				}
			}
			if !have {
				z.records = append(z.records, noted[spec.RecordSpec]{v: spec.RecordSpec{Name: rel, Type: "A", Value: sn[1], TTL: ptr(60)}, note: []string{b.assume(sn[0], "the public name of the service answers %s", sn[1])}})
			}
			continue
		}
		if z == nil {
			z = &wZone{name: parent, note: []string{b.assume(parent, "the zone AWS serves the region's service names from")}}
			ip := b.nsAddr()
			z.nameservers = []noted[spec.NameserverSpec]{{v: spec.NameserverSpec{Name: "ns1." + parent, IP: ip}, note: []string{b.assume(parent, "its nameserver ns1.%s answers at %s", parent, ip)}}}
			b.w.zones = append(b.w.zones, z)
		}
		z.records = append(z.records, noted[spec.RecordSpec]{v: spec.RecordSpec{Name: label, Type: "A", Value: sn[1], TTL: ptr(60)}, note: []string{b.assume(sn[0], "the public name of the service answers %s", sn[1])}})
	}
	if len(b.w.resolvers) == 0 {
		return
	}
	for i := range b.w.onprems {
		for j := range b.w.onprems[i].v.Hosts {
			b.w.onprems[i].v.Hosts[j].Resolver = b.w.resolvers[0].v.Name
		}
	}
}

// prefixListRoute adds a route whose destination is a prefix list. The
// world routes a prefix list only to a gateway endpoint; to another target
// the list's ranges become one route each, as AWS matches them.
func (b *builder) prefixListRoute(v *wVPC, rt *wRT, m map[string]any, origin *resource) {
	hy := b.hybrid()
	id := str(m, "destination_prefix_list_id")
	pl := hy.plOf[id]
	if pl == "" {
		b.warn(origin.Label(), "a route of %s to prefix list %s is left out: the list's ranges are not in the input (add 'aws ec2 describe-prefix-lists' or 'describe-managed-prefix-lists')", rt.name, id)
		return
	}
	target, why, ok := b.routeTarget(v, m, origin.Label())
	if !ok {
		b.warn(origin.Label(), "route to %s in %s has no target the world can hold; left out", pl, rt.name)
		return
	}
	for _, have := range rt.routes {
		if have.v.Destination == pl {
			return
		}
	}
	isEndpoint := false
	for _, e := range v.endpoints {
		if e.v.Name == target && e.v.Type == "gateway" {
			isEndpoint = true
		}
	}
	if isEndpoint {
		rt.routes = append(rt.routes, noted[spec.RouteSpec]{v: spec.RouteSpec{Destination: pl, Target: target}, note: routeNote(origin, why)})
		return
	}
	if why != "" {
		b.warn(origin.Label(), "route %s → %s", pl, why)
	}
	for _, c := range hy.plCIDRs[pl] {
		dup := false
		for _, have := range rt.routes {
			if have.v.Destination == c {
				dup = true
			}
		}
		if !dup {
			rt.routes = append(rt.routes, noted[spec.RouteSpec]{v: spec.RouteSpec{Destination: c, Target: target},
				note: append(routeNote(origin, why), "an entry of prefix list "+pl+": the world routes a prefix list as a whole only to a gateway endpoint")})
		}
	}
}

// sameSGRule compares two rules by value (the ICMP fields are pointers).
func sameSGRule(a, c spec.SGRuleSpec) bool {
	eq := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Protocol == c.Protocol && a.Ports == c.Ports && a.Source == c.Source && a.Destination == c.Destination && eq(a.ICMPType, c.ICMPType) && eq(a.ICMPCode, c.ICMPCode)
}
