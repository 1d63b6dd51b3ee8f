package importer

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Assumed addresses: documentation and benchmarking ranges, never a real
// host's.
var (
	clientIP   = netip.MustParseAddr("198.51.100.10")
	resolverIP = netip.MustParseAddr("198.51.100.53")
	nsPool     = netip.MustParseAddr("192.0.2.53")
	publicPool = netip.MustParseAddr("198.18.0.10")
)

const (
	clientName   = "internet-client"
	resolverName = "internet-resolver"
)

// notYet are resource types the world format does not hold yet; they are
// listed as unsupported with this reason.
var notYet = []struct{ prefix, what string }{
	{"aws_dx_", "Direct Connect is not in the world format yet"},
	{"aws_ec2_transit_gateway", "this part of a transit gateway is not in the world format"},
	{"aws_vpn_", "this part of a VPN is not in the world format"},
	{"aws_vpc_endpoint", "this part of a VPC endpoint is not in the world format"},
	{"aws_egress_only_internet_gateway", "egress-only internet gateways are IPv6, and worlds are IPv4 only"},
	{"aws_network_interface", "extra network interfaces are not in the world format: an instance has one"},
	{"aws_vpc_ipv4_cidr_block_association", "secondary VPC ranges are not in the world format: a VPC has one range"},
	{"aws_route53_resolver", "Route 53 Resolver endpoints and rules are not in the world format"},
	{"aws_networkfirewall", "AWS Network Firewall is not in the world format"},
	{"aws_globalaccelerator", "Global Accelerator is not in the world format"},
	{"aws_cloudfront", "CloudFront is not in the world format"},
	{"aws_autoscaling", "Auto Scaling groups launch instances the input does not list"},
	{"aws_launch", "launch templates describe instances the input does not list"},
}

// builder turns resources into a world.
type builder struct {
	src   string
	kind  Kind
	rs    []*resource
	byID  map[string]*resource
	names map[string]string // address to world name
	rep   *Report
	w     *wWorld
	// done records what each resource became (its world name), or why
	// it is unsupported.
	done map[*resource]string
	skip map[*resource]string

	vpcOf      map[string]*wVPC // VPC id to VPC
	subnetOf   map[string]string
	subnetVPC  map[string]*wVPC
	subnetPfx  map[string]netip.Prefix
	sgOf       map[string]*wSG
	sgVPC      map[*wSG]*wVPC
	rtOf       map[string]*wRT
	aclOf      map[string]*wACL
	natOf      map[string]string
	pcxOf      map[string]string
	instOf     map[string]*wInstance
	instIP     map[string]*wInstance // private address to instance
	instVPC    map[*wInstance]*wVPC
	lbOf       map[string]*wLB
	lbRes      map[*wLB]*resource
	lbVPC      map[*wLB]*wVPC
	lbDNS      map[string]*wLB // DNS name (lower case) to balancer
	tgOf       map[string]*wTG
	tgRes      map[*wTG]*resource
	certOf     map[string]string
	used       map[netip.Addr]bool // addresses taken
	nextPub    netip.Addr
	nextNS     netip.Addr
	eipByID    map[string]*resource
	clock      time.Time
	mainRT     map[*wVPC]*wRT
	pins       map[string]string   // assumed addresses to keep (from the other side of a plan)
	picks      map[string]string   // assumed addresses picked
	reserved   map[netip.Addr]bool // the pins' addresses, which only their own keys take
	extraNames []string
	zoneOf     map[string]*wZone
	needCert   []certNeed
	eipFor     map[string]noted[string]
	eipAssoc   []*resource
	lbName     map[*wLB]string
	zoneRes    []*resource
	aliases    map[*wLB][]string
	addresses  map[string]string // world name to label
	hy         *hybridState      // build_hybrid.go
}

func newBuilder(src string, kind Kind, rs []*resource, names map[string]string) *builder {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Addr < rs[j].Addr })
	b := &builder{
		src: src, kind: kind, rs: rs, names: names,
		rep:  &Report{Source: src, Kind: kind, Imported: []Item{}, Unsupported: []Item{}, Assumed: []Note{}, Unresolved: []Note{}, Warnings: []Note{}},
		w:    &wWorld{},
		done: map[*resource]string{}, skip: map[*resource]string{},
		byID: map[string]*resource{}, vpcOf: map[string]*wVPC{}, subnetOf: map[string]string{}, subnetVPC: map[string]*wVPC{},
		subnetPfx: map[string]netip.Prefix{}, sgOf: map[string]*wSG{}, sgVPC: map[*wSG]*wVPC{}, rtOf: map[string]*wRT{},
		aclOf: map[string]*wACL{}, natOf: map[string]string{}, pcxOf: map[string]string{}, instOf: map[string]*wInstance{},
		instIP: map[string]*wInstance{}, instVPC: map[*wInstance]*wVPC{}, lbOf: map[string]*wLB{}, lbRes: map[*wLB]*resource{},
		lbVPC: map[*wLB]*wVPC{}, lbDNS: map[string]*wLB{}, tgOf: map[string]*wTG{}, tgRes: map[*wTG]*resource{},
		certOf: map[string]string{}, used: map[netip.Addr]bool{}, nextPub: publicPool, nextNS: nsPool,
		eipByID: map[string]*resource{}, addresses: map[string]string{}, pins: map[string]string{}, picks: map[string]string{}, reserved: map[netip.Addr]bool{}, lbName: map[*wLB]string{}, aliases: map[*wLB][]string{}, zoneOf: map[string]*wZone{},
	}
	if b.names == nil {
		b.names = assignNames(rs)
	}
	for _, r := range rs {
		for _, k := range []string{"id", "arn"} {
			if v := str(r.V, k); v != "" {
				if _, dup := b.byID[v]; !dup || !r.Data {
					b.byID[v] = r
				}
			}
		}
		if r.Type == "aws_route53_zone" {
			if v := str(r.V, "zone_id"); v != "" {
				b.byID[v] = r
			}
		}
		for _, k := range []string{"public_ip", "private_ip"} {
			if a, err := netip.ParseAddr(str(r.V, k)); err == nil {
				b.used[a] = true
			}
		}
	}
	return b
}

// name is the world name of a resource.
func (b *builder) name(r *resource) string {
	if n := b.names[r.Addr]; n != "" {
		return n
	}
	return sanitize(r.Addr)
}

func (b *builder) imported(r *resource, name string) {
	if _, ok := b.done[r]; ok {
		return
	}
	b.done[r] = name
	if name != "" {
		if _, ok := b.addresses[name]; !ok {
			b.addresses[name] = r.Label()
		}
	}
}

func (b *builder) unsupported(r *resource, reason string) {
	if _, ok := b.done[r]; ok {
		return
	}
	b.skip[r] = reason
	b.done[r] = ""
}

func (b *builder) warn(subject, format string, args ...any) {
	b.rep.Warnings = append(b.rep.Warnings, Note{Subject: subject, Text: fmt.Sprintf(format, args...)})
}

func (b *builder) assume(subject, format string, args ...any) string {
	t := fmt.Sprintf(format, args...)
	b.rep.Assumed = append(b.rep.Assumed, Note{Subject: subject, Text: t})

	return "assumed: " + t
}

func (b *builder) of(types ...string) []*resource {
	var out []*resource
	for _, r := range b.rs {
		for _, t := range types {
			if r.Type == t && !r.Data {
				out = append(out, r)
			}
		}
	}
	return out
}

// ref finds the resource an id, ARN or placeholder names.
func (b *builder) ref(id string) *resource {
	if id == "" {
		return nil
	}
	return b.byID[id]
}

// build runs every step, in dependency order.
func (b *builder) build(worldName string) {
	b.w.name = worldName
	b.clockFrom()
	b.vpcs()
	b.vpcDNS()
	b.gateways()
	b.subnets()
	b.routeTables()
	b.networkACLs()
	b.associations()
	b.prefixLists()
	b.securityGroups()
	b.peerings()
	b.natGateways()
	b.instances()
	b.vpnGateways()
	b.vpnConnections()
	b.transitGateways()
	b.endpoints()
	b.fillRoutes()
	b.certificates()
	b.loadBalancers()
	b.services()
	b.dns()
	b.internet()
	b.hybridLate()
	b.finishReport()
}

func (b *builder) clockFrom() {
	b.clock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if b.w.clock != "" {
		if t, err := time.Parse(time.RFC3339, b.w.clock); err == nil {
			b.clock = t.UTC()
			b.w.clock = b.clock.Format(time.RFC3339)
			return
		}
	}
	var latest time.Time
	for _, r := range b.of("aws_acm_certificate") {
		if t, ok := parseTime(str(r.V, "not_before")); ok && t.After(latest) {
			latest = t
		}
	}
	if !latest.IsZero() {
		b.clock = latest.Add(24 * time.Hour).UTC()
		b.w.clockNote = b.assume("clock", "the world's clock is a day after the newest certificate was issued (%s)", b.clock.Format(time.RFC3339))
	} else {
		b.w.clockNote = b.assume("clock", "the world's clock is %s; the input has no time", b.clock.Format(time.RFC3339))
	}
	b.w.clock = b.clock.Format(time.RFC3339)
}

func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, f := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000000-07:00", "2006-01-02T15:04:05-0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(f, s); err == nil {
			return t.UTC(), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e11 {
		return time.Unix(int64(f), 0).UTC(), true
	}
	return time.Time{}, false
}

// ---- VPCs -----------------------------------------------------------

func (b *builder) vpcs() {
	for _, r := range b.rs {
		if r.Type != "aws_vpc" && r.Type != "aws_default_vpc" {
			continue
		}
		id := str(r.V, "id")
		if r.Data {
			if id == "" || b.vpcOf[id] != nil {
				continue
			}
			if b.byID[id] != r {
				continue // the managed VPC of the same id is imported instead
			}
		}
		pfx, err := netip.ParsePrefix(str(r.V, "cidr_block"))
		if err != nil || !pfx.Addr().Is4() {
			b.unsupported(r, "its cidr_block is unknown or not an IPv4 range")
			b.rep.Unresolved = append(b.rep.Unresolved, Note{Subject: r.Label(), Text: "the VPC's cidr_block is unknown; the VPC and everything in it are left out"})
			continue
		}
		if pfx.Bits() < 16 || pfx.Bits() > 28 {
			b.unsupported(r, fmt.Sprintf("its range %s is not between /16 and /28, as AWS requires", pfx))
			continue
		}
		v := &wVPC{r: r, id: id, name: b.name(r), cidr: pfx.Masked().String(), note: []string{r.Label()}}
		if r.Data {
			v.note = append(v.note, "read by a data source: the VPC exists outside this configuration")
		}
		b.w.vpcs = append(b.w.vpcs, v)
		if id != "" {
			b.vpcOf[id] = v
		}
		b.imported(r, v.name)
	}
}

func (b *builder) vpcByID(id string) *wVPC { return b.vpcOf[id] }

func (b *builder) gateways() {
	for _, r := range b.of("aws_internet_gateway", "aws_internet_gateway_attachment") {
		if r.Type == "aws_internet_gateway_attachment" {
			ig := b.ref(str(r.V, "internet_gateway_id"))
			v := b.vpcByID(str(r.V, "vpc_id"))
			if ig == nil || v == nil {
				b.unsupported(r, "it attaches a gateway or VPC the input does not hold")
				continue
			}
			v.igw, v.igwNote = b.name(ig), []string{ig.Label(), "attached by " + r.Label()}
			b.imported(r, v.igw)
			continue
		}
		vid := str(r.V, "vpc_id")
		if vid == "" {
			continue // attached by an attachment, or not at all
		}
		v := b.vpcByID(vid)
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			continue
		}
		if v.igw != "" {
			b.warn(r.Label(), "VPC %s already has internet gateway %s; a VPC has at most one", v.name, v.igw)
			b.unsupported(r, "a second internet gateway for one VPC")
			continue
		}
		v.igw, v.igwNote = b.name(r), []string{r.Label()}
		b.imported(r, v.igw)
	}
	for _, r := range b.of("aws_internet_gateway") {
		if _, ok := b.done[r]; !ok {
			found := false
			for _, v := range b.w.vpcs {
				if v.igw == b.name(r) {
					found = true
				}
			}
			if !found {
				b.unsupported(r, "it is attached to no VPC of the input")
			}
		}
	}
}

func (b *builder) subnets() {
	for _, r := range b.of("aws_subnet", "aws_default_subnet") {
		v := b.vpcByID(str(r.V, "vpc_id"))
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			b.warn(r.Label(), "subnet left out: its VPC %s is not in the input", orUnknown(str(r.V, "vpc_id")))
			continue
		}
		pfx, err := netip.ParsePrefix(str(r.V, "cidr_block"))
		vp := netip.MustParsePrefix(v.cidr)
		switch {
		case err != nil || !pfx.Addr().Is4():
			b.unsupported(r, "its cidr_block is unknown or not IPv4")
			b.rep.Unresolved = append(b.rep.Unresolved, Note{Subject: r.Label(), Text: "the subnet's cidr_block is unknown; it is left out"})
			continue
		case !vp.Contains(pfx.Addr()) || pfx.Bits() < vp.Bits():
			b.unsupported(r, fmt.Sprintf("its range %s is outside the VPC's primary range %s (secondary ranges are not in the world format)", pfx, vp))
			continue
		case pfx.Bits() > 28:
			b.unsupported(r, "its range is smaller than /28")
			continue
		}
		pfx = pfx.Masked()
		name := b.name(r)
		zone := str(r.V, "availability_zone")
		v.subnets = append(v.subnets, noted[spec.SubnetSpec]{v: spec.SubnetSpec{Name: name, CIDR: pfx.String(), Zone: zone}, note: []string{r.Label()}})
		id := str(r.V, "id")
		b.subnetOf[id] = name
		b.subnetVPC[id] = v
		b.subnetPfx[id] = pfx
		b.imported(r, name)
	}
}

func orUnknown(s string) string {
	if s == "" || strings.HasPrefix(s, unknownPrefix) {
		if s != "" {
			return "(known after apply) " + strings.TrimPrefix(s, unknownPrefix)
		}
		return "(unknown)"
	}
	return s
}

// ---- route tables -------------------------------------------------------

func (b *builder) routeTables() {
	for _, r := range b.of("aws_route_table", "aws_default_route_table") {
		v := b.vpcByID(str(r.V, "vpc_id"))
		if v == nil && r.Type == "aws_default_route_table" {
			// The default route table is the main one of a VPC that names it.
			for _, vv := range b.w.vpcs {
				if str(vv.r.V, "main_route_table_id") == str(r.V, "default_route_table_id") {
					v = vv
				}
			}
		}
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			continue
		}
		rt := &wRT{name: b.name(r), id: str(r.V, "id"), note: []string{r.Label()}}
		v.rts = append(v.rts, rt)
		b.rtOf[rt.id] = rt
		if d := str(r.V, "default_route_table_id"); d != "" {
			b.rtOf[d] = rt
		}
		b.imported(r, rt.name)
	}
}

// routeTarget maps a route's target attributes to a world name; "" with
// a reason when the route cannot be held.
func (b *builder) routeTarget(v *wVPC, m map[string]any, subject string) (target, note string, ok bool) {
	if boolean(m, "blackhole") {
		return "blackhole", "AWS marks the route a blackhole: its target is gone", true
	}
	for _, k := range []string{"gateway_id", "nat_gateway_id", "vpc_peering_connection_id", "transit_gateway_id", "vpc_endpoint_id",
		"instance_id", "network_interface_id", "egress_only_gateway_id", "carrier_gateway_id", "local_gateway_id", "core_network_arn"} {
		id := str(m, k)
		if id == "" {
			continue // "" is an unset target
		}
		r := b.ref(id)
		switch k {
		case "gateway_id":
			if id == "local" {
				return "", "", false
			}
			if strings.HasPrefix(id, "vgw-") || (r != nil && strings.HasPrefix(r.Type, "aws_vpn_gateway")) {
				if n := b.hybrid().vgwOf[id]; n != "" && b.hybrid().vgwVPC[n] == v {
					return n, "", true
				}
				return "blackhole", fmt.Sprintf("virtual private gateway %s is not in the input (or not attached to this VPC), so the route drops", labelOr(r, id)), true
			}
			if r != nil && r.Type == "aws_vpc_endpoint" || strings.HasPrefix(id, "vpce-") {
				if n := b.hybrid().epOf[id]; n != "" {
					return n, "", true
				}
				return "blackhole", fmt.Sprintf("VPC endpoint %s is not in the input, so the route drops", labelOr(r, id)), true
			}
			if r != nil && (r.Type == "aws_internet_gateway") {
				name := b.name(r)
				if v.igw == "" {
					v.igw, v.igwNote = name, []string{r.Label()}
					b.imported(r, name)
				}
				return name, "", true
			}
			if r == nil && (strings.HasPrefix(id, "igw-") || strings.HasPrefix(id, unknownPrefix)) {
				if v.igw == "" {
					v.igw = "igw-" + strings.TrimPrefix(sanitize(id), "igw-")
					v.igwNote = []string{b.assume(v.name, "internet gateway %s, which a route names and the input does not hold, is attached to VPC %s", id, v.name)}
				}
				if id == v.igw || strings.TrimPrefix(sanitize(id), "igw-") == strings.TrimPrefix(v.igw, "igw-") {
					return v.igw, "", true
				}
			}
		case "nat_gateway_id":
			if n := b.natOf[id]; n != "" {
				return n, "", true
			}
		case "vpc_peering_connection_id":
			if n := b.pcxOf[id]; n != "" {
				return n, "", true
			}
			return "blackhole", fmt.Sprintf("peering %s is not in the input, so the route drops", orUnknown(id)), true
		case "transit_gateway_id":
			if g := b.hybrid().tgwOf[id]; g != nil {
				return g.name, "", true
			}
			return "blackhole", fmt.Sprintf("transit gateway %s is not in the input, so the route drops", labelOr(r, id)), true
		case "vpc_endpoint_id":
			if n := b.hybrid().epOf[id]; n != "" {
				return n, "", true
			}
			return "blackhole", fmt.Sprintf("VPC endpoint %s is not in the input, so the route drops", labelOr(r, id)), true
		case "instance_id", "network_interface_id":
			if in := b.instOf[id]; in != nil {
				return in.spec.Name, "", true
			}
		case "egress_only_gateway_id":
			return "", "", false
		default:
			return "blackhole", fmt.Sprintf("target %s (%s) is not in the world format, so the route drops", id, k), true
		}
		return "blackhole", fmt.Sprintf("target %s (%s) is not in the input, so the route drops", orUnknown(id), k), true
	}
	return "", "", false
}

func labelOr(r *resource, id string) string {
	if r != nil {
		return r.Label()
	}
	return id
}

// addRoute adds a route to a table unless it has one for the destination.
func (b *builder) addRoute(v *wVPC, rt *wRT, m map[string]any, origin *resource) {
	dst := str(m, "destination_cidr_block")
	if dst == "" {
		dst = str(m, "cidr_block")
	}
	if dst == "" && str(m, "destination_prefix_list_id") != "" {
		b.prefixListRoute(v, rt, m, origin) // build_hybrid.go
		return
	}
	if dst == "" {
		if str(m, "destination_ipv6_cidr_block") != "" || str(m, "ipv6_cidr_block") != "" {
			b.warn(origin.Label(), "a route of %s to an IPv6 range is left out: worlds are IPv4 only", rt.name)
		}
		return
	}
	pfx, err := netip.ParsePrefix(dst)
	if err != nil || !pfx.Addr().Is4() {
		b.warn(origin.Label(), "route to %q in %s is left out: not an IPv4 range", dst, rt.name)
		return
	}
	pfx = pfx.Masked()
	if pfx.String() == v.cidr {
		return // the local route is implicit
	}
	target, why, ok := b.routeTarget(v, m, origin.Label())
	if !ok {
		if str(m, "gateway_id") != "local" {
			b.warn(origin.Label(), "route to %s in %s has no target the world can hold; left out", pfx, rt.name)
		}
		return
	}
	for i, have := range rt.routes {
		if have.v.Destination == pfx.String() {
			if origin.Type == "aws_route" && have.v.Target == target {
				rt.routes[i].note = routeNote(origin, why) // the separate resource names it better
			}
			return
		}
	}
	if why != "" {
		b.warn(origin.Label(), "route %s → %s", pfx, why)
	}
	rt.routes = append(rt.routes, noted[spec.RouteSpec]{v: spec.RouteSpec{Destination: pfx.String(), Target: target}, note: routeNote(origin, why)})
}

func routeNote(origin *resource, why string) []string {
	n := []string{origin.Label()}
	if why != "" {
		n = append(n, why)
	}
	return n
}

func (b *builder) fillRoutes() {
	for _, v := range b.w.vpcs {
		for _, rt := range v.rts {
			r := b.ref(rt.id)
			if r == nil {
				continue
			}
			for _, m := range blocks(r.V, "route") {
				b.addRoute(v, rt, m, r)
			}
			for _, m := range blocks(r.V, "Routes") {
				b.addRoute(v, rt, m, r)
			}
		}
	}
	for _, r := range b.of("aws_route") {
		rt := b.rtOf[str(r.V, "route_table_id")]
		if rt == nil {
			b.unsupported(r, "its route table is not in the input")
			continue
		}
		v := b.vpcOfRT(rt)
		b.addRoute(v, rt, r.V, r)
		b.imported(r, rt.name)
	}
	for _, v := range b.w.vpcs {
		for _, rt := range v.rts {
			sort.SliceStable(rt.routes, func(i, j int) bool {
				return prefixLess(rt.routes[i].v.Destination, rt.routes[j].v.Destination)
			})
		}
	}
}

func prefixLess(a, b string) bool {
	pa, e1 := netip.ParsePrefix(a)
	pb, e2 := netip.ParsePrefix(b)
	if e1 != nil || e2 != nil {
		return a < b
	}
	if pa.Addr() != pb.Addr() {
		return pa.Addr().Less(pb.Addr())
	}
	return pa.Bits() < pb.Bits()
}

func (b *builder) vpcOfRT(rt *wRT) *wVPC {
	for _, v := range b.w.vpcs {
		for _, x := range v.rts {
			if x == rt {
				return v
			}
		}
	}
	return nil
}

// ---- network ACLs ---------------------------------------------------------

func (b *builder) networkACLs() {
	for _, r := range b.of("aws_network_acl", "aws_default_network_acl") {
		v := b.vpcByID(str(r.V, "vpc_id"))
		if v == nil && r.Type == "aws_default_network_acl" {
			for _, vv := range b.w.vpcs {
				if str(vv.r.V, "default_network_acl_id") == str(r.V, "default_network_acl_id") {
					v = vv
				}
			}
		}
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			continue
		}
		a := &wACL{name: b.name(r), id: str(r.V, "id"), note: []string{r.Label()}}
		v.acls = append(v.acls, a)
		b.aclOf[a.id] = a
		if d := str(r.V, "default_network_acl_id"); d != "" {
			b.aclOf[d] = a
		}
		b.imported(r, a.name)
	}
	for _, r := range b.of("aws_network_acl_rule") {
		a := b.aclOf[str(r.V, "network_acl_id")]
		if a == nil {
			b.unsupported(r, "its network ACL is not in the input")
			continue
		}
		m := map[string]any{"rule_no": r.V["rule_number"], "action": r.V["rule_action"], "protocol": r.V["protocol"],
			"from_port": r.V["from_port"], "to_port": r.V["to_port"], "cidr_block": r.V["cidr_block"], "ipv6_cidr_block": r.V["ipv6_cidr_block"],
			"icmp_type": r.V["icmp_type"], "icmp_code": r.V["icmp_code"]}
		b.addACLRule(a, m, boolean(r.V, "egress"), r)
		b.imported(r, a.name)
	}
	// The inline sets after the separate rules, which they repeat.
	for _, r := range b.of("aws_network_acl", "aws_default_network_acl") {
		a := b.aclOf[str(r.V, "id")]
		if a == nil || b.skip[r] != "" {
			continue
		}
		for _, m := range blocks(r.V, "ingress") {
			b.addACLRule(a, m, false, r)
		}
		for _, m := range blocks(r.V, "egress") {
			b.addACLRule(a, m, true, r)
		}
	}
	for _, a := range b.aclOf {
		for _, list := range [][]noted[spec.ACLRuleSpec]{a.ingress, a.egress} {
			sort.SliceStable(list, func(i, j int) bool { return list[i].v.Rule < list[j].v.Rule })
		}
	}
}

// protocol normalises a Terraform or AWS protocol: tcp, udp, icmp, all, or
// "" when the world cannot hold it.
func protocol(p string) string {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "-1", "all":
		return "all"
	case "tcp", "6":
		return "tcp"
	case "udp", "17":
		return "udp"
	case "icmp", "1":
		return "icmp"
	}
	return ""
}

func (b *builder) addACLRule(a *wACL, m map[string]any, egress bool, origin *resource) {
	n, ok := num(m, "rule_no")
	if !ok {
		n, ok = num(m, "rule_number")
	}
	if !ok || n < 1 || n > 32766 {
		return // 32767 is the implicit deny every ACL has
	}
	cidr := str(m, "cidr_block")
	if cidr == "" {
		if str(m, "ipv6_cidr_block") != "" {
			b.warn(origin.Label(), "%s rule %d is for an IPv6 range; left out (worlds are IPv4 only)", a.name, n)
		}
		return
	}
	pfx, err := netip.ParsePrefix(cidr)
	if err != nil || !pfx.Addr().Is4() {
		b.warn(origin.Label(), "%s rule %d has range %q; left out", a.name, n, cidr)
		return
	}
	proto := protocol(str(m, "protocol"))
	if proto == "" {
		b.warn(origin.Label(), "%s rule %d is for protocol %s, which the world format does not hold; left out", a.name, n, str(m, "protocol"))
		return
	}
	action := strings.ToLower(str(m, "action"))
	if action != "allow" && action != "deny" {
		b.warn(origin.Label(), "%s rule %d has action %q; left out", a.name, n, action)
		return
	}
	rule := spec.ACLRuleSpec{Rule: n, Protocol: proto, CIDR: pfx.Masked().String(), Action: action}
	var extra []string
	if proto == "tcp" || proto == "udp" {
		lo, lok := num(m, "from_port")
		hi, hok := num(m, "to_port")
		if lok && hok && !(lo == 0 && hi == 65535) && lo >= 0 && hi <= 65535 && lo <= hi {
			rule.Ports = spec.PortsOf(lo, hi)
		}
	}
	if proto == "icmp" {
		if t, ok := num(m, "icmp_type"); ok && t >= 0 && t <= 255 {
			rule.ICMPType = ptr(t)
			if c, ok := num(m, "icmp_code"); ok && c >= 0 && c <= 255 {
				rule.ICMPCode = ptr(c)
			}
		}
	}
	list := &a.ingress
	if egress {
		list = &a.egress
	}
	for _, have := range *list {
		if have.v.Rule == n {
			return // the inline set repeats the separate rules
		}
	}
	*list = append(*list, noted[spec.ACLRuleSpec]{v: rule, note: append([]string{origin.Label()}, extra...)})
}

// ---- associations: subnets to route tables and ACLs ---------------------

func (b *builder) associations() {
	rtFor := map[string]*wRT{}   // subnet id
	aclFor := map[string]*wACL{} // subnet id
	mainRT := map[*wVPC]*wRT{}
	for _, r := range b.of("aws_route_table_association") {
		rt := b.rtOf[str(r.V, "route_table_id")]
		sid := str(r.V, "subnet_id")
		if rt == nil || b.subnetOf[sid] == "" {
			if str(r.V, "gateway_id") != "" {
				b.unsupported(r, "edge associations (a route table on a gateway) are not in the world format")
			} else {
				b.unsupported(r, "its route table or subnet is not in the input")
			}
			continue
		}
		rtFor[sid] = rt
		b.imported(r, b.subnetOf[sid])
	}
	for _, r := range b.of("aws_main_route_table_association") {
		rt := b.rtOf[str(r.V, "route_table_id")]
		v := b.vpcByID(str(r.V, "vpc_id"))
		if rt == nil || v == nil {
			b.unsupported(r, "its route table or VPC is not in the input")
			continue
		}
		mainRT[v] = rt
		b.imported(r, rt.name)
	}
	for _, r := range b.of("aws_network_acl", "aws_default_network_acl") {
		a := b.aclOf[str(r.V, "id")]
		if a == nil {
			continue
		}
		for _, sid := range strs(r.V, "subnet_ids") {
			aclFor[sid] = a
		}
	}
	for _, r := range b.of("aws_network_acl_association") {
		a := b.aclOf[str(r.V, "network_acl_id")]
		sid := str(r.V, "subnet_id")
		if a == nil || b.subnetOf[sid] == "" {
			b.unsupported(r, "its network ACL or subnet is not in the input")
			continue
		}
		aclFor[sid] = a
		b.imported(r, b.subnetOf[sid])
	}
	for _, v := range b.w.vpcs {
		if mainRT[v] == nil {
			if rt := b.rtOf[str(v.r.V, "main_route_table_id")]; rt != nil {
				mainRT[v] = rt
			}
		}
	}
	b.mainRT = mainRT
	// Each subnet: its own association, else the VPC's main table and
	// default ACL (assumed as AWS creates them when the input lacks them).
	for _, v := range b.w.vpcs {
		for i := range v.subnets {
			sn := &v.subnets[i]
			sid := b.subnetIDByName(sn.v.Name)
			if rt := rtFor[sid]; rt != nil {
				sn.v.RouteTable = rt.name
			} else {
				rt := b.mainTable(v)
				sn.v.RouteTable = rt.name
			}
			if a := aclFor[sid]; a != nil {
				sn.v.NetworkACL = a.name
			} else {
				sn.v.NetworkACL = b.defaultACL(v).name
			}
		}
	}
}

func (b *builder) subnetIDByName(name string) string {
	for id, n := range b.subnetOf {
		if n == name {
			return id
		}
	}
	return ""
}

func (b *builder) mainTable(v *wVPC) *wRT {
	if rt := b.mainRT[v]; rt != nil {
		return rt
	}
	for _, rt := range v.rts {
		if r := b.ref(rt.id); r != nil && boolean(r.V, "main") {
			b.mainRT[v] = rt
			return rt
		}
	}
	rt := &wRT{name: b.unique(v.name + "-main"), note: []string{b.assume(v.name, "VPC %s's main route table, which the input does not hold: AWS creates it with the local route only", v.name)}}
	v.rts = append(v.rts, rt)
	b.mainRT[v] = rt
	return rt
}

func (b *builder) defaultACL(v *wVPC) *wACL {
	if a := b.aclOf[str(v.r.V, "default_network_acl_id")]; a != nil && str(v.r.V, "default_network_acl_id") != "" {
		return a
	}
	for _, a := range v.acls {
		if r := b.ref(a.id); r != nil && boolean(r.V, "is_default") {
			return a
		}
	}
	key := "default-acl:" + v.name
	if a := b.aclOf[key]; a != nil {
		return a
	}
	a := &wACL{name: b.unique(v.name + "-default-acl"), id: key,
		note:    []string{b.assume(v.name, "VPC %s's default network ACL, which the input does not hold: AWS creates it allowing all traffic", v.name)},
		ingress: []noted[spec.ACLRuleSpec]{{v: spec.ACLRuleSpec{Rule: 100, Protocol: "all", CIDR: "0.0.0.0/0", Action: "allow"}}},
		egress:  []noted[spec.ACLRuleSpec]{{v: spec.ACLRuleSpec{Rule: 100, Protocol: "all", CIDR: "0.0.0.0/0", Action: "allow"}}},
	}
	v.acls = append(v.acls, a)
	b.aclOf[key] = a
	return a
}

// unique returns name, or name-2, name-3... if taken.
func (b *builder) unique(name string) string {
	taken := map[string]bool{}
	for _, n := range b.names {
		taken[n] = true
	}
	for n := range b.addresses {
		taken[n] = true
	}
	for _, n := range b.extraNames {
		taken[n] = true
	}
	out := name
	for i := 2; taken[out]; i++ {
		out = fmt.Sprintf("%s-%d", name, i)
	}
	b.extraNames = append(b.extraNames, out)
	return out
}
