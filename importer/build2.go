package importer

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

type certNeed struct {
	lb  *wLB
	idx int // listener index
}

// ---- security groups --------------------------------------------------

func (b *builder) securityGroups() {
	var groups []*resource
	for _, r := range b.of("aws_security_group", "aws_default_security_group") {
		v := b.vpcByID(str(r.V, "vpc_id"))
		if v == nil {
			b.unsupported(r, "its VPC is not in the input")
			continue
		}
		sg := &wSG{name: b.name(r), id: str(r.V, "id"), note: []string{r.Label()}}
		v.sgs = append(v.sgs, sg)
		b.sgOf[sg.id] = sg
		b.sgVPC[sg] = v
		b.imported(r, sg.name)
		groups = append(groups, r)
	}
	// The separate rule resources first, so that a rule the inline set
	// repeats keeps the address of the resource that made it.
	for _, r := range b.of("aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule") {
		sg := b.sgOf[str(r.V, "security_group_id")]
		if sg == nil {
			b.unsupported(r, "its security group is not in the input")
			continue
		}
		var m map[string]any
		ingress := r.Type == "aws_vpc_security_group_ingress_rule"
		if r.Type == "aws_security_group_rule" {
			ingress = str(r.V, "type") == "ingress"
			m = map[string]any{"protocol": r.V["protocol"], "from_port": r.V["from_port"], "to_port": r.V["to_port"],
				"cidr_blocks": r.V["cidr_blocks"], "ipv6_cidr_blocks": r.V["ipv6_cidr_blocks"], "prefix_list_ids": r.V["prefix_list_ids"],
				"security_groups": strs(r.V, "source_security_group_id"), "self": r.V["self"]}
		} else {
			m = map[string]any{"protocol": r.V["ip_protocol"], "from_port": r.V["from_port"], "to_port": r.V["to_port"],
				"cidr_blocks": strs(r.V, "cidr_ipv4"), "ipv6_cidr_blocks": strs(r.V, "cidr_ipv6"), "prefix_list_ids": strs(r.V, "prefix_list_id"),
				"security_groups": strs(r.V, "referenced_security_group_id")}
			if m["from_port"] == nil && m["to_port"] == nil {
				m["from_port"], m["to_port"] = float64(-1), float64(-1)
			}
		}
		b.sgRules(sg, m, ingress, r)
		b.imported(r, sg.name)
	}
	for _, r := range groups {
		sg := b.sgOf[str(r.V, "id")]
		for _, m := range blocks(r.V, "ingress") {
			b.sgRules(sg, m, true, r)
		}
		for _, m := range blocks(r.V, "egress") {
			b.sgRules(sg, m, false, r)
		}
	}
}

// sgPeer finds a security group a rule names, by id or by name in the
// same VPC.
func (b *builder) sgPeer(sg *wSG, ref string) *wSG {
	if _, id, ok := strings.Cut(ref, "/"); ok {
		ref = id // account-id/sg-id
	}
	if p := b.sgOf[ref]; p != nil {
		return p
	}
	v := b.sgVPC[sg]
	for _, r := range b.of("aws_security_group") {
		if str(r.V, "name") == ref {
			if p := b.sgOf[str(r.V, "id")]; p != nil && b.sgVPC[p] == v {
				return p
			}
		}
	}
	if v != nil && ref != "" && ref == str(v.r.V, "default_security_group_id") {
		return b.defaultSG(v)
	}
	return nil
}

func (b *builder) sgRules(sg *wSG, m map[string]any, ingress bool, origin *resource) {
	proto := protocol(str(m, "protocol"))
	dir := "egress"
	if ingress {
		dir = "ingress"
	}
	if proto == "" {
		b.warn(origin.Label(), "an %s rule of %s for protocol %q is left out: the world format holds tcp, udp, icmp and all", dir, sg.name, str(m, "protocol"))
		return
	}
	var ports spec.Ports
	var extra []string
	var icmpType, icmpCode *int
	lo, lok := num(m, "from_port")
	hi, hok := num(m, "to_port")
	switch proto {
	case "tcp", "udp":
		if lok && hok && lo >= 0 && hi <= 65535 && lo <= hi && !(lo == 0 && hi == 65535) {
			ports = spec.PortsOf(lo, hi)
		}
	case "icmp":
		// from_port is the ICMP type, to_port the code; -1 is any.
		if lok && lo >= 0 && lo <= 255 {
			icmpType = ptr(lo)
			if hok && hi >= 0 && hi <= 255 {
				icmpCode = ptr(hi)
			}
		}
	}
	var peers []string
	for _, c := range strs(m, "cidr_blocks") {
		pfx, err := netip.ParsePrefix(c)
		if err != nil {
			if a, err2 := netip.ParseAddr(c); err2 == nil {
				pfx = netip.PrefixFrom(a, a.BitLen())
			} else {
				b.warn(origin.Label(), "an %s rule of %s names %q, which is not a range; left out", dir, sg.name, c)
				continue
			}
		}
		if !pfx.Addr().Is4() {
			continue
		}
		peers = append(peers, pfx.Masked().String())
	}
	if n := len(strs(m, "ipv6_cidr_blocks")); n > 0 {
		b.warn(origin.Label(), "%d IPv6 range(s) of an %s rule of %s left out: worlds are IPv4 only", n, dir, sg.name)
	}
	for _, id := range strs(m, "prefix_list_ids") {
		if pl := b.hybrid().plOf[id]; pl != "" {
			peers = append(peers, pl)
			continue
		}
		b.warn(origin.Label(), "an %s rule of %s names prefix list %s, whose ranges the input does not give; that part is left out", dir, sg.name, orUnknown(id))
	}
	for _, g := range strs(m, "security_groups") {
		p := b.sgPeer(sg, g)
		if p == nil {
			b.warn(origin.Label(), "an %s rule of %s names security group %s, which the input does not hold; left out", dir, sg.name, orUnknown(g))
			continue
		}
		peers = append(peers, p.name)
	}
	if boolean(m, "self") {
		peers = append(peers, sg.name)
	}
	list := &sg.egress
	if ingress {
		list = &sg.ingress
	}
outer:
	for _, p := range peers {
		rule := spec.SGRuleSpec{Protocol: proto, Ports: ports, ICMPType: icmpType, ICMPCode: icmpCode}
		if ingress {
			rule.Source = p
		} else {
			rule.Destination = p
		}
		for _, have := range *list {
			if sameSGRule(have.v, rule) {
				continue outer
			}
		}
		*list = append(*list, noted[spec.SGRuleSpec]{v: rule, note: append([]string{origin.Label()}, extra...)})
	}
}

func (b *builder) defaultSG(v *wVPC) *wSG {
	key := "default-sg:" + v.name
	if sg := b.sgOf[key]; sg != nil {
		return sg
	}
	if id := str(v.r.V, "default_security_group_id"); id != "" && b.sgOf[id] != nil {
		return b.sgOf[id]
	}
	sg := &wSG{name: b.unique(v.name + "-default-sg"), id: key}
	sg.note = []string{b.assume(v.name, "VPC %s's default security group, which the input does not hold: AWS creates it admitting its own members and letting everything out", v.name)}
	sg.ingress = []noted[spec.SGRuleSpec]{{v: spec.SGRuleSpec{Protocol: "all", Source: sg.name}}}
	sg.egress = []noted[spec.SGRuleSpec]{{v: spec.SGRuleSpec{Protocol: "all", Destination: "0.0.0.0/0"}}}
	v.sgs = append(v.sgs, sg)
	b.sgOf[key] = sg
	if id := str(v.r.V, "default_security_group_id"); id != "" {
		b.sgOf[id] = sg
	}
	b.sgVPC[sg] = v
	return sg
}

// ---- peerings ---------------------------------------------------------------

func (b *builder) peerings() {
	accepters := map[string]*resource{}
	for _, r := range b.of("aws_vpc_peering_connection_accepter") {
		accepters[str(r.V, "vpc_peering_connection_id")] = r
	}
	handle := func(r *resource, id string) {
		a, c := b.vpcByID(str(r.V, "vpc_id")), b.vpcByID(str(r.V, "peer_vpc_id"))
		if a == nil || c == nil {
			b.unsupported(r, fmt.Sprintf("it joins VPC %s, which the input does not hold", orUnknown(map[bool]string{true: str(r.V, "vpc_id"), false: str(r.V, "peer_vpc_id")}[a == nil])))
			return
		}
		if a == c || netip.MustParsePrefix(a.cidr).Overlaps(netip.MustParsePrefix(c.cidr)) {
			b.unsupported(r, "its VPCs overlap, and overlapping VPCs cannot peer")
			return
		}
		note := []string{r.Label()}
		status := strings.ToLower(str(r.V, "accept_status"))
		acc := accepters[id]
		switch {
		case status == "active":
		case strings.HasPrefix(status, "pending"), status == "provisioning", status == "initiating-request":
			status = "pending"
			if acc != nil {
				status = "active"
				note = append(note, "accepted by "+acc.Label())
			}
		case status == "deleted", status == "rejected", status == "failed", status == "expired", status == "deleting":
			status = "deleted"
		default:
			if boolean(r.V, "auto_accept") || acc != nil {
				status = "active"
				note = append(note, b.assume(r.Label(), "the peering is active once applied (auto_accept or an accepter)"))
			} else {
				status = "pending"
				note = append(note, b.assume(r.Label(), "the peering waits for acceptance (its status is unknown)"))
			}
		}
		name := b.name(r)
		b.w.peerings = append(b.w.peerings, noted[spec.PeeringSpec]{v: spec.PeeringSpec{Name: name, VPCs: []string{a.name, c.name}, Status: status}, note: note})
		b.pcxOf[id] = name
		if x := str(r.V, "arn"); x != "" {
			b.pcxOf[x] = name
		}
		b.imported(r, name)
		if acc != nil {
			b.imported(acc, name)
		}
	}
	for _, r := range b.of("aws_vpc_peering_connection") {
		handle(r, str(r.V, "id"))
	}
	ids := make([]string, 0, len(accepters))
	for id := range accepters {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := accepters[id]
		if _, ok := b.done[r]; ok {
			continue
		}
		if b.pcxOf[id] != "" {
			b.imported(r, b.pcxOf[id])
			continue
		}
		handle(r, id)
	}
}

// ---- addresses -------------------------------------------------------

// freeIn gives an unused address of a subnet, from base+10 on.
func (b *builder) freeIn(pfx netip.Prefix) (netip.Addr, bool) {
	if !pfx.IsValid() {
		return netip.Addr{}, false
	}
	last := lastAddr(pfx)
	for _, start := range []int{10, 4} {
		a := pfx.Addr()
		for i := 0; i < start; i++ {
			a = a.Next()
		}
		for ; pfx.Contains(a) && a != last; a = a.Next() {
			if !b.used[a] && !b.reserved[a] {
				b.used[a] = true
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= 1<<(32-p.Bits()) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// pickPrivate assumes an address in a subnet for key: the one the other
// side of a plan picked, if it is free here, so that before and after
// agree; else the first free one.
func (b *builder) pickPrivate(key string, pfx netip.Prefix) (netip.Addr, bool) {
	if p, err := netip.ParseAddr(b.pins[key]); err == nil && pfx.Contains(p) && !b.used[p] {
		if a, ok := privateIn(p.String(), pfx); ok {
			b.used[a] = true
			b.picks[key] = a.String()
			return a, true
		}
	}
	a, ok := b.freeIn(pfx)
	if ok {
		b.picks[key] = a.String()
	}
	return a, ok
}

// pickPublic assumes a public address for key, as pickPrivate.
func (b *builder) pickPublic(key string) string {
	if p, err := netip.ParseAddr(b.pins[key]); err == nil && !b.used[p] {
		b.used[p] = true
		b.picks[key] = p.String()
		return p.String()
	}
	a := b.freePublic()
	b.picks[key] = a
	return a
}

func (b *builder) freePublic() string {
	for b.used[b.nextPub] || b.reserved[b.nextPub] {
		b.nextPub = b.nextPub.Next()
	}
	a := b.nextPub
	b.used[a] = true
	b.nextPub = a.Next()
	return a.String()
}

// privateIn checks a known address against its subnet: ok when usable.
func privateIn(text string, pfx netip.Prefix) (netip.Addr, bool) {
	a, err := netip.ParseAddr(text)
	if err != nil || !a.Is4() || !pfx.Contains(a) {
		return netip.Addr{}, false
	}
	b4 := pfx.Addr().As4()
	a4 := a.As4()
	off := (uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])) - (uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3]))
	if off < 4 || a == lastAddr(pfx) {
		return netip.Addr{}, false
	}
	return a, true
}

func isPublic(text string) bool {
	a, err := netip.ParseAddr(text)
	return err == nil && a.Is4() && !a.IsPrivate() && !a.IsLoopback() && !a.IsUnspecified()
}

// ---- NAT gateways and EIPs ---------------------------------------------

func (b *builder) eips() {
	b.eipFor = map[string]noted[string]{}
	for _, r := range b.of("aws_eip") {
		b.eipByID[str(r.V, "id")] = r
		if x := str(r.V, "allocation_id"); x != "" {
			b.eipByID[x] = r
		}
	}
	for _, r := range b.of("aws_eip") {
		inst := str(r.V, "instance")
		if inst == "" {
			continue
		}
		if isPublic(str(r.V, "public_ip")) {
			b.eipFor[inst] = noted[string]{v: str(r.V, "public_ip"), note: []string{"public_ip from " + r.Label()}}
		}
	}
	for _, r := range b.of("aws_eip_association") {
		e := b.eipByID[str(r.V, "allocation_id")]
		ip := str(r.V, "public_ip")
		if e != nil && !isPublic(ip) {
			ip = str(e.V, "public_ip")
		}
		inst := str(r.V, "instance_id")
		if inst == "" || !isPublic(ip) {
			b.unsupported(r, "it associates an address with something the world does not hold")
			continue
		}
		b.eipFor[inst] = noted[string]{v: ip, note: []string{"public_ip from " + r.Label()}}
		b.eipAssoc = append(b.eipAssoc, r)
		if e != nil {
			b.eipAssoc = append(b.eipAssoc, e)
		}
	}
}

func (b *builder) natGateways() {
	b.eips()
	for _, r := range b.of("aws_nat_gateway") {
		sid := str(r.V, "subnet_id")
		v := b.subnetVPC[sid]
		if v == nil {
			b.unsupported(r, "its subnet is not in the input")
			continue
		}
		state := strings.ToLower(str(r.V, "state"))
		switch state {
		case "available":
			state = ""
		case "", "pending", "failed", "deleting", "deleted":
		default:
			b.warn(r.Label(), "NAT gateway state %q is taken as failed", state)
			state = "failed"
		}
		if strings.EqualFold(str(r.V, "connectivity_type"), "private") {
			b.unsupported(r, "private NAT gateways are not in the world format")
			continue
		}
		name := b.name(r)
		note := []string{r.Label()}
		priv, ok := privateIn(str(r.V, "private_ip"), b.subnetPfx[sid])
		if !ok {
			a, free := b.pickPrivate(r.Addr+"#private", b.subnetPfx[sid])
			if !free {
				b.unsupported(r, "its subnet has no free address")
				continue
			}
			priv = a
			note = append(note, b.assume(name, "private_ip %s (the input does not give it)", a))
		}
		pub := str(r.V, "public_ip")
		if !isPublic(pub) {
			if e := b.eipByID[str(r.V, "allocation_id")]; e != nil && isPublic(str(e.V, "public_ip")) {
				pub = str(e.V, "public_ip")
				note = append(note, "public_ip from "+e.Label())
				b.imported(e, name)
			} else {
				pub = b.pickPublic(r.Addr + "#public")
				note = append(note, b.assume(name, "public_ip %s (the input does not give it)", pub))
			}
		}
		if e := b.eipByID[str(r.V, "allocation_id")]; e != nil {
			b.imported(e, name)
		}
		if state != "" {
			note = append(note, "state "+state+": AWS keeps routes to it as blackholes")
		}
		v.nats = append(v.nats, noted[spec.NATGatewaySpec]{v: spec.NATGatewaySpec{Name: name, Subnet: b.subnetOf[sid], PrivateIP: priv.String(), PublicIP: pub, State: state}, note: note})
		b.natOf[str(r.V, "id")] = name
		b.imported(r, name)
	}
}

// ---- instances ----------------------------------------------------------

func (b *builder) instances() {
	for _, r := range b.of("aws_instance") {
		sid := str(r.V, "subnet_id")
		v := b.subnetVPC[sid]
		if v == nil {
			b.unsupported(r, "its subnet is not in the input")
			b.warn(r.Label(), "instance left out: its subnet %s is not in the input", orUnknown(sid))
			continue
		}
		name := b.name(r)
		in := &wInstance{note: []string{r.Label()}}
		in.spec.Name, in.spec.Subnet = name, b.subnetOf[sid]
		priv, ok := privateIn(str(r.V, "private_ip"), b.subnetPfx[sid])
		if !ok {
			a, free := b.pickPrivate(r.Addr+"#private", b.subnetPfx[sid])
			if !free {
				b.unsupported(r, "its subnet has no free address")
				continue
			}
			priv = a
			in.note = append(in.note, b.assume(name, "private_ip %s (the input does not give it)", a))
		}
		in.spec.PrivateIP = priv.String()
		b.secondaryIPs(in, r, b.subnetPfx[sid]) // secondary.go
		id := str(r.V, "id")
		if e, ok := b.eipFor[id]; ok {
			in.spec.PublicIP = e.v
			in.note = append(in.note, e.note...)
		} else if isPublic(str(r.V, "public_ip")) {
			in.spec.PublicIP = str(r.V, "public_ip")
		} else if boolean(r.V, "associate_public_ip_address") && str(r.V, "public_ip") == "" {
			in.spec.PublicIP = b.pickPublic(r.Addr + "#public")
			in.note = append(in.note, b.assume(name, "public_ip %s (associate_public_ip_address is set; the address comes at apply)", in.spec.PublicIP))
		}
		seen := map[string]bool{}
		for _, g := range append(strs(r.V, "vpc_security_group_ids"), strs(r.V, "security_groups")...) {
			sg := b.sgPeer(&wSG{}, g)
			if sg == nil {
				if v != nil && g == str(v.r.V, "default_security_group_id") {
					sg = b.defaultSG(v)
				}
			}
			if sg == nil {
				for _, cand := range v.sgs {
					if r2 := b.ref(cand.id); r2 != nil && str(r2.V, "name") == g {
						sg = cand
					}
				}
			}
			if sg == nil || b.sgVPC[sg] != v {
				b.warn(r.Label(), "instance %s names security group %s, which the input does not hold in its VPC; left out", name, orUnknown(g))
				continue
			}
			if !seen[sg.name] {
				seen[sg.name] = true
				in.spec.SecurityGroups = append(in.spec.SecurityGroups, sg.name)
			}
		}
		if len(in.spec.SecurityGroups) == 0 {
			sg := b.defaultSG(v)
			in.spec.SecurityGroups = []string{sg.name}
			in.note = append(in.note, b.assume(name, "security group %s: the input names none the world holds, and AWS then uses the VPC's default", sg.name))
		}
		if sdc, ok := r.V["source_dest_check"].(bool); ok && !sdc {
			f := false
			in.spec.SourceDestCheck = &f
			in.sdcNote = []string{"source_dest_check off: it forwards traffic that is not its own (" + r.Label() + ")"}
		}
		if st := str(r.V, "instance_state"); st != "" && st != "running" && st != "pending" {
			b.warn(r.Label(), "instance %s is %s; its assumed services are marked not running", name, st)
			in.stopped = true
		}
		v.instances = append(v.instances, in)
		b.instOf[id] = in
		if x := str(r.V, "primary_network_interface_id"); x != "" {
			b.instOf[x] = in
		}
		b.instIP[in.spec.PrivateIP] = in
		b.instVPC[in] = v
		b.imported(r, name)
	}
	for _, r := range b.eipAssoc {
		if in := b.instOf[str(r.V, "instance_id")]; in != nil {
			b.imported(r, in.spec.Name)
		} else if in := b.instOf[str(r.V, "instance")]; in != nil {
			b.imported(r, in.spec.Name)
		}
	}
	for _, r := range b.of("aws_eip") {
		if in := b.instOf[str(r.V, "instance")]; in != nil {
			b.imported(r, in.spec.Name)
		}
	}
}

// ---- certificates ----------------------------------------------------

func (b *builder) certificates() {
	for _, r := range b.of("aws_acm_certificate") {
		name := b.name(r)
		var domains []string
		seen := map[string]bool{}
		for _, d := range append([]string{str(r.V, "domain_name")}, strs(r.V, "subject_alternative_names")...) {
			d = strings.ToLower(strings.TrimSuffix(d, "."))
			if _, ok := dns.IsDomainName(d); !ok || d == "" || seen[d] || strings.Contains(strings.TrimPrefix(d, "*."), "*") {
				continue
			}
			seen[d] = true
			domains = append(domains, d)
		}
		if len(domains) == 0 {
			b.unsupported(r, "its domain names are unknown")
			continue
		}
		note := []string{r.Label()}
		nb, ok1 := parseTime(str(r.V, "not_before"))
		na, ok2 := parseTime(str(r.V, "not_after"))
		if !ok1 || !ok2 || na.Before(nb) {
			nb, na = b.clock.AddDate(0, -1, 0), b.clock.AddDate(1, 0, 0)
			note = append(note, b.assume(name, "valid from %s to %s: the input does not give its validity (not issued yet)", nb.Format(time.RFC3339), na.Format(time.RFC3339)))
		}
		b.w.certs = append(b.w.certs, noted[spec.CertSpec]{v: spec.CertSpec{Name: name, Domains: domains, NotBefore: nb.Format(time.RFC3339), NotAfter: na.Format(time.RFC3339)}, note: note})
		b.certOf[str(r.V, "arn")] = name
		b.certOf[str(r.V, "id")] = name
		b.imported(r, name)
	}
	for _, r := range b.of("aws_acm_certificate_validation") {
		if n := b.certOf[str(r.V, "certificate_arn")]; n != "" {
			b.imported(r, n)
		}
	}
}

// ---- load balancers ---------------------------------------------------

func (b *builder) loadBalancers() {
	for _, r := range b.of("aws_lb_target_group", "aws_alb_target_group") {
		tt := str(r.V, "target_type")
		if tt == "lambda" || tt == "alb" {
			b.unsupported(r, "targets of type "+tt+" are not in the world format")
			continue
		}
		proto := strings.ToLower(str(r.V, "protocol"))
		switch proto {
		case "http", "https", "tcp", "tls", "udp":
		case "tcp_udp":
			proto = "tcp"
		default:
			b.unsupported(r, fmt.Sprintf("target group protocol %q is not in the world format", str(r.V, "protocol")))
			continue
		}
		port, ok := num(r.V, "port")
		if !ok || port < 1 || port > 65535 {
			b.unsupported(r, "its port is unknown")
			continue
		}
		tg := &wTG{note: []string{r.Label()}}
		tg.spec = spec.TargetGroupSpec{Name: b.name(r), Protocol: proto, Port: port, Targets: []string{}}
		if hc := blocks(r.V, "health_check"); len(hc) > 0 {
			h := hc[0]
			tg.spec.HealthCheck.Protocol = strings.ToLower(str(h, "protocol"))
			switch tg.spec.HealthCheck.Protocol {
			case "http", "https", "tcp", "":
			default:
				tg.spec.HealthCheck.Protocol = ""
			}
			if p, ok := num(h, "port"); ok && p > 0 && p <= 65535 {
				tg.spec.HealthCheck.Port = p
			}
			hp := tg.spec.HealthCheck.Protocol
			if hp == "" {
				hp = proto
			}
			if hp == "http" || hp == "https" {
				if p := str(h, "path"); strings.HasPrefix(p, "/") {
					tg.spec.HealthCheck.Path = p
				}
				if mt := str(h, "matcher"); mt != "" && validMatcher(mt) {
					tg.spec.HealthCheck.Matcher = mt
				}
			}
		}
		b.tgOf[str(r.V, "arn")] = tg
		b.tgOf[str(r.V, "id")] = tg
		b.tgRes[tg] = r
	}
	for _, r := range b.of("aws_lb", "aws_alb") {
		typ := strings.ToLower(str(r.V, "load_balancer_type"))
		if typ == "" {
			typ = "application"
		}
		if typ != "application" && typ != "network" {
			b.unsupported(r, typ+" load balancers are not in the world format")
			continue
		}
		subnets := strs(r.V, "subnets")
		for _, m := range blocks(r.V, "subnet_mapping") {
			if s := str(m, "subnet_id"); s != "" && !contains(subnets, s) {
				subnets = append(subnets, s)
			}
		}
		var v *wVPC
		for _, s := range subnets {
			if b.subnetVPC[s] != nil {
				v = b.subnetVPC[s]
				break
			}
		}
		if v == nil {
			b.unsupported(r, "its subnets are not in the input")
			continue
		}
		name := b.name(r)
		lb := &wLB{note: []string{r.Label()}}
		lb.spec = spec.LoadBalancerSpec{Name: name, Type: typ, Scheme: "internet-facing"}
		// Cross-zone balancing: always on for application balancers (the
		// attribute cannot turn it off); off by default for network
		// balancers, on with enable_cross_zone_load_balancing.
		if typ == "network" && boolean(r.V, "enable_cross_zone_load_balancing") {
			t := true
			lb.spec.CrossZone = &t
		}
		internal := boolean(r.V, "internal") || strings.EqualFold(str(r.V, "scheme"), "internal")
		if internal {
			lb.spec.Scheme = "internal"
		}
		for _, g := range strs(r.V, "security_groups") {
			sg := b.sgPeer(&wSG{}, g)
			if sg == nil || b.sgVPC[sg] != v {
				b.warn(r.Label(), "balancer %s names security group %s, which the input does not hold; left out", name, orUnknown(g))
				continue
			}
			lb.spec.SecurityGroups = append(lb.spec.SecurityGroups, sg.name)
		}
		if typ == "application" && len(lb.spec.SecurityGroups) == 0 {
			sg := b.defaultSG(v)
			lb.spec.SecurityGroups = []string{sg.name}
			lb.note = append(lb.note, b.assume(name, "security group %s: an application balancer without one the world holds gets the VPC's default", sg.name))
		}
		mapping := map[string]map[string]any{}
		for _, m := range blocks(r.V, "subnet_mapping") {
			mapping[str(m, "subnet_id")] = m
		}
		nodeIPs := map[string]map[string]any{} // from the AWS reader: ENIs of the balancer
		for _, m := range blocks(r.V, "node_addresses") {
			nodeIPs[str(m, "subnet_id")] = m
		}
		seenSubnet := map[string]bool{}
		for _, s := range subnets {
			if b.subnetVPC[s] != v || seenSubnet[s] {
				if b.subnetVPC[s] != v {
					b.warn(r.Label(), "balancer %s: subnet %s is not in the input; no node there", name, orUnknown(s))
				}
				continue
			}
			seenSubnet[s] = true
			node := noted[spec.LBNodeSpec]{v: spec.LBNodeSpec{Subnet: b.subnetOf[s]}}
			m, known := mapping[s], nodeIPs[s]
			priv, ok := privateIn(str(known, "private_ip"), b.subnetPfx[s])
			if !ok {
				priv, ok = privateIn(str(m, "private_ipv4_address"), b.subnetPfx[s])
			}
			if !ok {
				a, free := b.pickPrivate(r.Addr+"#node:"+s+"#private", b.subnetPfx[s])
				if !free {
					b.warn(r.Label(), "balancer %s: subnet %s has no free address; no node there", name, b.subnetOf[s])
					continue
				}
				priv = a
				node.note = append(node.note, b.assume(name, "node address %s in %s (AWS picks it; the input does not say)", a, b.subnetOf[s]))
			}
			node.v.PrivateIP = priv.String()
			if !internal {
				pub := str(known, "public_ip")
				if !isPublic(pub) {
					if e := b.eipByID[str(m, "allocation_id")]; e != nil && isPublic(str(e.V, "public_ip")) {
						pub = str(e.V, "public_ip")
						node.note = append(node.note, "public_ip from "+e.Label())
						b.imported(e, name)
					} else {
						pub = b.pickPublic(r.Addr + "#node:" + s + "#public")
						node.note = append(node.note, b.assume(name, "node public address %s (AWS picks it; the input does not say)", pub))
					}
				}
				node.v.PublicIP = pub
			}
			lb.nodes = append(lb.nodes, node)
		}
		if len(lb.nodes) == 0 {
			b.unsupported(r, "none of its subnets is in the input")
			continue
		}
		v.lbs = append(v.lbs, lb)
		b.lbOf[str(r.V, "arn")] = lb
		b.lbOf[str(r.V, "id")] = lb
		b.lbRes[lb] = r
		b.lbVPC[lb] = v
		dnsName := strings.ToLower(strings.TrimSuffix(str(r.V, "dns_name"), "."))
		if _, ok := dns.IsDomainName(dnsName); !ok || dnsName == "" || strings.HasPrefix(dnsName, unknownPrefix) || !strings.Contains(dnsName, ".") {
			dnsName = name + ".lb.pathlab.invalid"
			lb.note = append(lb.note, b.assume(name, "DNS name %s (AWS assigns it at apply)", dnsName))
			if p := str(r.V, "dns_name"); p != "" {
				b.lbDNS[p] = lb
			}
		}
		b.lbDNS[dnsName] = lb
		b.lbName[lb] = dnsName
		b.imported(r, name)
	}
	for _, r := range b.of("aws_lb_listener", "aws_alb_listener") {
		lb := b.lbOf[str(r.V, "load_balancer_arn")]
		if lb == nil {
			b.unsupported(r, "its balancer is not in the input")
			continue
		}
		b.listener(lb, r)
	}
	b.listenerRules() // listener_rules.go
	b.listenerCerts()
	for _, r := range b.of("aws_lb_target_group_attachment", "aws_alb_target_group_attachment") {
		tg := b.tgOf[str(r.V, "target_group_arn")]
		tid := str(r.V, "target_id")
		in := b.instOf[tid]
		if in == nil {
			in = b.instIP[tid]
		}
		if tg == nil || in == nil {
			b.unsupported(r, "its target group or target is not in the input")
			continue
		}
		if !contains(tg.spec.Targets, in.spec.Name) {
			tg.spec.Targets = append(tg.spec.Targets, in.spec.Name)
		}
		b.imported(r, tg.spec.Name)
	}
	for _, r := range b.tgRes {
		if _, ok := b.done[r]; !ok {
			b.unsupported(r, "no balancer of the input forwards to it")
		}
	}
	// Targets must be instances of the balancer's VPC.
	for _, lb := range b.sortedLBs() {
		v := b.lbVPC[lb]
		for _, tg := range lb.tgs {
			var keep []string
			for _, t := range tg.spec.Targets {
				if in := b.findInstance(t); in != nil && b.instVPC[in] == v {
					keep = append(keep, t)
				} else {
					b.warn(b.tgRes[tg].Label(), "target %s is not in the balancer's VPC; left out", t)
				}
			}
			tg.spec.Targets = append([]string{}, keep...)
		}
	}
}

// sortedLBs lists the balancers by name, for a deterministic order.
func (b *builder) sortedLBs() []*wLB {
	out := make([]*wLB, 0, len(b.lbRes))
	for lb := range b.lbRes {
		out = append(out, lb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.Name < out[j].spec.Name })
	return out
}

func (b *builder) findInstance(name string) *wInstance {
	for _, in := range b.instOf {
		if in.spec.Name == name {
			return in
		}
	}
	return nil
}

func validMatcher(s string) bool {
	for _, part := range strings.Split(s, ",") {
		a, c, isRange := strings.Cut(strings.TrimSpace(part), "-")
		lo, err1 := strconv.Atoi(a)
		hi := lo
		var err2 error
		if isRange {
			hi, err2 = strconv.Atoi(c)
		}
		if err1 != nil || err2 != nil || lo < 100 || hi > 599 || lo > hi {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *builder) listener(lb *wLB, r *resource) {
	port, ok := num(r.V, "port")
	if !ok || port < 1 || port > 65535 {
		b.unsupported(r, "its port is unknown")
		return
	}
	for _, l := range lb.listeners {
		if l.v.Port == port {
			b.unsupported(r, fmt.Sprintf("balancer %s already has a listener on port %d", lb.spec.Name, port))
			return
		}
	}
	proto := strings.ToLower(str(r.V, "protocol"))
	if proto == "" {
		proto = "http"
		if lb.spec.Type == "network" {
			proto = "tcp"
		}
	}
	if proto == "tcp_udp" {
		proto = "tcp"
	}
	valid := map[string]bool{"http": lb.spec.Type == "application", "https": lb.spec.Type == "application", "tcp": lb.spec.Type == "network", "tls": lb.spec.Type == "network", "udp": lb.spec.Type == "network"}
	if !valid[proto] {
		b.unsupported(r, fmt.Sprintf("protocol %s on a %s balancer is not in the world format", str(r.V, "protocol"), lb.spec.Type))
		return
	}
	l := noted[spec.ListenerSpec]{v: spec.ListenerSpec{Port: port, Protocol: proto}, note: []string{r.Label()}}
	acts := blocks(r.V, "default_action")
	sort.SliceStable(acts, func(i, j int) bool {
		a, _ := num(acts[i], "order")
		c, _ := num(acts[j], "order")
		return a < c
	})
	done := false
	for _, a := range acts {
		switch strings.ToLower(str(a, "type")) {
		case "forward":
			arn := str(a, "target_group_arn")
			if arn == "" {
				for _, f := range blocks(a, "forward") {
					for _, t := range blocks(f, "target_group") {
						if arn == "" {
							arn = str(t, "arn")
						}
					}
				}
			}
			tg := b.tgOf[arn]
			if tg == nil {
				b.unsupported(r, fmt.Sprintf("it forwards to target group %s, which the input does not hold", orUnknown(arn)))
				return
			}
			if owner := b.tgOwner(tg); owner != nil && owner != lb {
				b.unsupported(r, fmt.Sprintf("its target group %s already belongs to balancer %s; the world format gives a target group one balancer", tg.spec.Name, owner.spec.Name))
				return
			}
			if b.tgOwner(tg) == nil {
				lb.tgs = append(lb.tgs, tg)
				b.imported(b.tgRes[tg], tg.spec.Name)
			}
			l.v.TargetGroup = tg.spec.Name
			done = true
		case "redirect":
			if lb.spec.Type != "application" {
				continue
			}
			rd := redirectOf(a)
			if short := shortRedirect(rd); short != "" {
				l.v.Redirect = short
			} else {
				l.v.DefaultRedirect = rd
			}
			done = true
		case "fixed-response":
			if lb.spec.Type != "application" {
				continue
			}
			l.v.FixedResponse = fixedOf(a)
			done = true
		default:
			continue // authenticate-*: the forward after it decides
		}
		if done {
			break
		}
	}
	if !done {
		b.unsupported(r, "its default action is unknown or not a forward or redirect")
		return
	}
	if proto == "https" || proto == "tls" {
		c := b.certOf[str(r.V, "certificate_arn")]
		if c == "" {
			b.needCert = append(b.needCert, certNeed{lb: lb, idx: len(lb.listeners)})
		}
		l.v.Certificate = c
	}
	lb.listeners = append(lb.listeners, l)
	b.hybrid().noteListener(str(r.V, "arn"), str(r.V, "id"), lb, len(lb.listeners)-1)
	b.imported(r, lb.spec.Name)
}

func (b *builder) tgOwner(tg *wTG) *wLB {
	for lb := range b.lbRes {
		for _, t := range lb.tgs {
			if t == tg {
				return lb
			}
		}
	}
	return nil
}

// ---- assumed services -----------------------------------------------------

var wellKnown = map[int]string{22: "ssh", 25: "smtp", 53: "dns", 80: "http", 443: "https", 3306: "mysql", 5432: "postgres", 6379: "redis", 27017: "mongodb", 9200: "elasticsearch", 11211: "memcached", 3389: "rdp"}

func (b *builder) services() {
	lbs := b.sortedLBs()
	add := func(in *wInstance, s spec.ServiceSpec, why string) {
		for _, have := range in.services {
			if have.v.Port == s.Port && have.v.Protocol == s.Protocol {
				return
			}
		}
		if in.stopped {
			f := false
			s.Running = &f
		}
		in.services = append(in.services, noted[spec.ServiceSpec]{v: s, note: []string{b.assume(in.spec.Name, "%s listens on %s %d: %s", s.Name, s.Protocol, s.Port, why)}})
	}
	for _, lb := range lbs {
		for _, tg := range lb.tgs {
			for _, t := range tg.spec.Targets {
				in := b.findInstance(t)
				if in == nil {
					continue
				}
				proto := "tcp"
				if tg.spec.Protocol == "udp" {
					proto = "udp"
				}
				hcPath := tg.spec.HealthCheck.Path
				if hcPath == "" {
					hcPath = "/"
				}
				hcProto := tg.spec.HealthCheck.Protocol
				if hcProto == "" {
					hcProto = tg.spec.Protocol
				}
				status := 200
				if m := tg.spec.HealthCheck.Matcher; m != "" {
					a, _, _ := strings.Cut(strings.Split(m, ",")[0], "-")
					if n, err := strconv.Atoi(a); err == nil {
						status = n
					}
				}
				s := spec.ServiceSpec{Name: serviceName(proto, tg.spec.Port), Protocol: proto, Port: tg.spec.Port, Bind: "0.0.0.0"}
				if tg.spec.Protocol == "http" || tg.spec.Protocol == "https" {
					s.HTTP = map[string]int{"/": 200}
					if hcProto == "http" || hcProto == "https" {
						s.HTTP[hcPath] = status
					}
				}
				hcPort := tg.spec.HealthCheck.Port
				if hcPort != 0 && hcPort != tg.spec.Port {
					add(in, s, fmt.Sprintf("target of %s", tg.spec.Name))
					h := spec.ServiceSpec{Name: serviceName("tcp", hcPort), Protocol: "tcp", Port: hcPort, Bind: "0.0.0.0"}
					if hcProto == "http" || hcProto == "https" {
						h.HTTP = map[string]int{hcPath: status}
					}
					add(in, h, fmt.Sprintf("the health check of %s", tg.spec.Name))
					continue
				}
				why := fmt.Sprintf("target of %s", tg.spec.Name)
				if s.HTTP != nil {
					why += fmt.Sprintf(", answering its health check %s", hcPath)
				}
				add(in, s, why)
			}
		}
	}
	for _, v := range b.w.vpcs {
		sgs := map[string]*wSG{}
		for _, sg := range v.sgs {
			sgs[sg.name] = sg
		}
		for _, in := range v.instances {
			for _, g := range in.spec.SecurityGroups {
				sg := sgs[g]
				if sg == nil {
					continue
				}
				for _, rule := range sg.ingress {
					if rule.v.Protocol != "tcp" && rule.v.Protocol != "udp" {
						continue
					}
					lo, hi, err := rule.v.Ports.Range()
					if err != nil || lo != hi || lo == 0 {
						continue
					}
					add(in, spec.ServiceSpec{Name: serviceName(rule.v.Protocol, lo), Protocol: rule.v.Protocol, Port: lo, Bind: "0.0.0.0"},
						fmt.Sprintf("security group %s admits %s %d", sg.name, rule.v.Protocol, lo))
				}
			}
		}
	}
}

func serviceName(proto string, port int) string {
	if n, ok := wellKnown[port]; ok && proto == "tcp" {
		return n
	}
	return fmt.Sprintf("%s-%d", proto, port)
}
