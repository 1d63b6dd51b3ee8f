package simnet

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	dnszone "github.com/pathlab/pathlab/simnet/zone"
)

// Compile validates a spec and builds the immutable World. The World keeps
// its own copy of the spec.
func Compile(s *spec.WorldSpec) (*World, error) {
	w, problems := compile(s)
	if len(problems) > 0 {
		return nil, &spec.Error{Problems: problems}
	}
	return w, nil
}

type compiler struct {
	w        *World
	problems []spec.Problem
	names    map[string]string // name to the path that declared it
	warnings []spec.Problem    // what loads but deserves a word (check prints them)
	// deferred reference checks that need every name first
	later []func()
}

func (c *compiler) errf(path, format string, args ...any) {
	c.problems = append(c.problems, spec.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// declare records a world-wide unique resource name.
func (c *compiler) declare(path, name, kind string) bool {
	if name == "" {
		c.errf(path, "%s has no name; give it one (names are how traces refer to things)", kind)
		return false
	}
	if !c.nameOK(path, name, kind) {
		return false
	}
	if _, ok := c.names[name]; ok {
		c.errf(path+".name", "duplicate name %q (%s here, %s before): names are unique across a world so that a trace names one thing", name, article(kind), article(c.w.kinds[name]))
		return false
	}
	c.names[name] = path
	c.w.kinds[name] = kind
	return true
}

// MaxName bounds a resource name, as AWS bounds its Name tags.
const MaxName = 255

// nameOK refuses names no trace could print: too long, or holding control
// characters.
func (c *compiler) nameOK(path, name, kind string) bool {
	if len(name) > MaxName {
		c.errf(path+".name", "the %s's name is %d bytes long; a name has at most %d", kind, len(name), MaxName)
		return false
	}
	if bad, r := spec.HasControl(name); bad {
		c.errf(path+".name", "the %s's name %q holds a control character (%U); names are printable", kind, spec.Clip(spec.Printable(name), 80), r)
		return false
	}
	return true
}

func (c *compiler) addr(path, text, what string) (netip.Addr, bool) {
	if text == "" {
		c.errf(path, "%s is missing", what)
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(text)
	if err != nil || a.Zone() != "" {
		c.errf(path, "%s %q is not an IP address (want something like 10.0.1.10)", what, text)
		return netip.Addr{}, false
	}
	if !a.Is4() {
		c.errf(path, "%s %s is an IPv6 address; worlds are IPv4 only for now", what, text)
		return netip.Addr{}, false
	}
	return a, true
}

func (c *compiler) prefix(path, text, what string) (netip.Prefix, bool) {
	if text == "" {
		c.errf(path, "%s is missing", what)
		return netip.Prefix{}, false
	}
	p, err := netip.ParsePrefix(text)
	if err != nil {
		c.errf(path, "%s %q is not a CIDR (want something like 10.0.0.0/16)", what, text)
		return netip.Prefix{}, false
	}
	if !p.Addr().Is4() {
		c.errf(path, "%s %s is an IPv6 range; worlds are IPv4 only for now", what, text)
		return netip.Prefix{}, false
	}
	if p.Masked() != p {
		c.errf(path, "%s %q has host bits set; did you mean %s?", what, text, p.Masked())
		return p.Masked(), true
	}
	return p, true
}

func (c *compiler) proto(path, text string, allowAll, allowICMP bool) (proto, bool) {
	switch strings.ToLower(text) {
	case "tcp", "6":
		return protoTCP, true
	case "udp", "17":
		return protoUDP, true
	case "icmp", "1":
		if allowICMP {
			return protoICMP, true
		}
	case "all", "-1":
		if allowAll {
			return protoAll, true
		}
	}
	want := "tcp or udp"
	if allowAll {
		want = "tcp, udp, icmp or all"
	} else if allowICMP {
		want = "tcp, udp or icmp"
	}
	if text == "" {
		c.errf(path, "protocol is missing; want %s", want)
	} else {
		c.errf(path, "protocol %q is not one of %s", text, want)
	}
	return protoAll, false
}

func (c *compiler) ports(path string, p spec.Ports, pr proto) (uint16, uint16, bool) {
	lo, hi, err := p.Range()
	if err != nil {
		c.errf(path, "%v", err)
		return 0, 0, false
	}
	if !p.IsZero() && (pr == protoICMP || pr == protoAll) && !(lo == 0 && hi == 65535) {
		c.errf(path, "ports apply to tcp and udp only; remove them from this %s rule", pr)
	}
	return uint16(lo), uint16(hi), true
}

func (c *compiler) port(path string, n int, what string) (uint16, bool) {
	if n == 0 {
		c.errf(path, "%s is missing; give a port from 1 to 65535, such as 443", what)
		return 0, false
	}
	if n < 1 || n > 65535 {
		c.errf(path, "%s %d is outside 1-65535", what, n)
		return 0, false
	}
	return uint16(n), true
}

func (c *compiler) time(path, text, what string) (time.Time, bool) {
	if text == "" {
		c.errf(path, "%s is missing (RFC 3339, such as 2026-11-21T12:00:00Z)", what)
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		c.errf(path, "%s %q is not an RFC 3339 time such as 2026-11-21T12:00:00Z", what, text)
		return time.Time{}, false
	}
	return t, true
}

// placeInternet records an internet address; shared says whether a clash is
// allowed (a nameserver may live on an internet server).
func (c *compiler) placeInternet(path string, a netip.Addr, i *iface) {
	if prev, ok := c.w.internet[a]; ok {
		c.errf(path, "address %s is already used by %s", a, prev.name)
		return
	}
	if prev, ok := c.w.public[a]; ok {
		c.errf(path, "address %s is already used by %s", a, prev.name)
		return
	}
	if a.IsPrivate() || a.IsLoopback() {
		c.errf(path, "address %s is private or loopback; internet hosts need public addresses", a)
	}
	c.w.internet[a] = i
}

func compile(s *spec.WorldSpec) (*World, []spec.Problem) { return compileSpec(s, s.Clone()) }

// compileSpec compiles s; the World keeps own, a copy of s or s itself
// when no one else holds it.
func compileSpec(s, own *spec.WorldSpec) (*World, []spec.Problem) {
	compilations.Add(1)
	w := &World{
		spec:        own,
		Name:        s.Name,
		Description: strings.TrimSpace(s.Description),
		hosts:       map[string]*host{},
		resolvers:   map[string]*resolver{},
		internet:    map[netip.Addr]*iface{},
		public:      map[netip.Addr]*iface{},
		vpcIndex:    map[string]*vpc{},
		certs:       map[string]*cert{},
		peerings:    map[string]*peering{},
		lbs:         map[string]*lb{},
		sgs:         map[string]*secGroup{},
		acls:        map[string]*acl{},
		rts:         map[string]*routeTable{},
		subnets:     map[string]*subnet{},
		nats:        map[string]*natGW{},
		nameservers: map[netip.Addr]*nameserver{},
		kinds:       map[string]string{},
	}
	c := &compiler{w: w, names: map[string]string{}}
	c.presize(s) // compile_fast.go
	if s.Name == "" {
		c.errf("$", "the world has no name; add 'name: ...' at the top")
	} else if !worldNameOK(s.Name) {
		c.errf("$.name", "world name %q: a world's name is a word of letters, digits, '.', '-' and '_' (at most 64), not a path", spec.Clip(spec.Printable(s.Name), 80))
	}
	if s.Clock != "" {
		w.Clock, _ = c.time("$.clock", s.Clock, "clock")
	} else {
		w.Clock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}

	c.certificates(s)
	c.internetSide(s)
	c.prefixListSpecs(s)
	for i := range s.VPCs {
		c.vpc(i, &s.VPCs[i])
	}
	c.peeringSpecs(s)
	c.hybridSpecs(s)
	c.zones(s)
	for _, f := range c.later {
		f()
	}
	c.zoneChecks() // zones.go
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	w.compileRules()
	w.warnings = c.warnings
	return w, nil
}

func (c *compiler) certificates(s *spec.WorldSpec) {
	for i, cs := range s.Certificates {
		path := fmt.Sprintf("$.certificates[%d]", i)
		if !c.declare(path, cs.Name, "certificate") {
			continue
		}
		ct := &cert{name: cs.Name}
		ct.notBefore, _ = c.time(path+".not_before", cs.NotBefore, "not_before")
		ct.notAfter, _ = c.time(path+".not_after", cs.NotAfter, "not_after")
		if !ct.notBefore.IsZero() && !ct.notAfter.IsZero() && ct.notAfter.Before(ct.notBefore) {
			c.errf(path+".not_after", "not_after %s is before not_before %s", cs.NotAfter, cs.NotBefore)
		}
		if len(cs.Domains) == 0 {
			c.errf(path, "certificate %s covers no domains; list them under domains", cs.Name)
		}
		for j, d := range cs.Domains {
			d = strings.ToLower(strings.TrimSuffix(d, "."))
			if _, ok := dns.IsDomainName(d); !ok || d == "" || !hostName(strings.TrimPrefix(d, "*.")) {
				c.errf(fmt.Sprintf("%s.domains[%d]", path, j), "%q is not a domain name (a wildcard is only allowed as the first label: *.example.com)", d)
			}
			ct.domains = append(ct.domains, d)
		}
		c.w.certs[cs.Name] = ct
	}
}

func (c *compiler) internetSide(s *spec.WorldSpec) {
	for i, rs := range s.Internet.Resolvers {
		path := fmt.Sprintf("$.internet.resolvers[%d]", i)
		if !c.declare(path, rs.Name, "resolver") {
			continue
		}
		a, ok := c.addr(path+".ip", rs.IP, "ip")
		r := &resolver{name: rs.Name, iface: &iface{name: rs.Name, kind: kindResolver, public: a, ephLo: 32768, ephHi: 60999}}
		if ok {
			c.placeInternet(path+".ip", a, r.iface)
		}
		c.w.resolvers[rs.Name] = r
	}
	for i, cs := range s.Internet.Clients {
		path := fmt.Sprintf("$.internet.clients[%d]", i)
		if !c.declare(path, cs.Name, "client") {
			continue
		}
		a, ok := c.addr(path+".ip", cs.IP, "ip")
		h := &host{name: cs.Name}
		h.iface = &iface{name: cs.Name, kind: kindClient, public: a, host: h, ephLo: 32768, ephHi: 60999}
		if ok {
			c.placeInternet(path+".ip", a, h.iface)
		}
		if cs.Resolver == "" {
			c.errf(path, "client %s names no resolver; add 'resolver:' with one of internet.resolvers", cs.Name)
		} else if r, ok := c.w.resolvers[cs.Resolver]; ok {
			h.resolver = r
		} else {
			c.errf(path+".resolver", "resolver %q does not exist; declare it under internet.resolvers", cs.Resolver)
		}
		c.w.hosts[cs.Name] = h
	}
	for i, ss := range s.Internet.Servers {
		path := fmt.Sprintf("$.internet.servers[%d]", i)
		if !c.declare(path, ss.Name, "server") {
			continue
		}
		a, ok := c.addr(path+".ip", ss.IP, "ip")
		h := &host{name: ss.Name}
		h.iface = &iface{name: ss.Name, kind: kindServer, public: a, host: h, ephLo: 32768, ephHi: 60999}
		if ok {
			c.placeInternet(path+".ip", a, h.iface)
		}
		c.services(path, h, ss.Services)
		c.firewall(path, h, ss.Firewall)
		c.w.hosts[ss.Name] = h
	}
}

func (c *compiler) services(path string, h *host, specs []spec.ServiceSpec) {
	// Paths are built only for problems (svcPath): a world may hold
	// hundreds of thousands of services.
	first := len(h.services)
	for j, ss := range specs {
		p := svcPath{path, j}
		sv := &service{name: ss.Name, running: ss.IsRunning(), http: ss.HTTP, tlsName: ss.TLS}
		if ss.Name == "" {
			c.errf(p.String(), "service has no name")
		} else if bad, _ := spec.HasControl(ss.Name); bad || len(ss.Name) > MaxName {
			c.nameOK(p.String(), ss.Name, "service")
		}
		sv.proto, sv.port = c.servicePort(p, ss)
		switch ss.Bind {
		case "", "0.0.0.0", "::", "*":
		case "127.0.0.1", "localhost", "::1":
			sv.loop = true
		default:
			if a, err := netip.ParseAddr(ss.Bind); err != nil || (h.iface != nil && a != h.iface.addr() && !h.iface.isSecondary(a)) {
				c.errf(p.String()+".bind", "bind %q: want 0.0.0.0 (all addresses), 127.0.0.1 (loopback only) or the host's own address", ss.Bind)
			} else {
				sv.own, sv.bind = true, a
			}
		}
		if prev := takenBy(h.services[first:], sv); prev != nil && sv.port != 0 {
			c.errf(p.String()+".port", "%s/%d is already taken by service %s on this host", sv.proto, sv.port, prev.name)
		}
		if ss.TLS != "" {
			sv.tls = c.w.certs[ss.TLS]
			if sv.tls == nil {
				c.errf(p.String()+".tls", "certificate %q does not exist; declare it under certificates", ss.TLS)
			}
		}
		for path, code := range ss.HTTP {
			if !strings.HasPrefix(path, "/") {
				c.errf(p.String()+".http", "http path %q must start with /", path)
			}
			if code < 100 || code > 599 {
				c.errf(p.String()+".http", "http status %d for %s is not an HTTP status (100-599)", code, path)
			}
		}
		if ss.DNS != nil || ss.ReplyFrom != "" {
			c.serviceLinux(p, sv, ss) // secondary.go
		}
		h.services = append(h.services, sv)
	}
}

func (c *compiler) firewall(path string, h *host, specs []spec.FirewallRuleSpec) {
	for j, fs := range specs {
		p := fmt.Sprintf("%s.firewall[%d]", path, j)
		r := fwRule{index: j + 1, action: strings.ToLower(fs.Action)}
		switch strings.ToLower(fs.Chain) {
		case "input":
			r.input = true
		case "output":
		default:
			c.errf(p+".chain", "chain %q is not input or output", fs.Chain)
		}
		var protoOK bool
		r.proto, protoOK = c.proto(p+".protocol", fs.Protocol, true, true)
		if protoOK { // a bad protocol says so once, not again as "ports apply to tcp and udp"
			r.lo, r.hi, _ = c.ports(p+".port", fs.Port, r.proto)
		}
		if fs.Source != "" {
			r.src, _ = c.prefixOrAddr(p+".source", fs.Source)
		}
		if fs.Destination != "" {
			r.dst, _ = c.prefixOrAddr(p+".destination", fs.Destination)
		}
		switch r.action {
		case "accept", "drop", "reject":
		default:
			c.errf(p+".action", "action %q is not accept, drop or reject", fs.Action)
		}
		r.text = fwText(fs)
		h.firewall = append(h.firewall, r)
	}
}

func (c *compiler) prefixOrAddr(path, text string) (netip.Prefix, bool) {
	if a, err := netip.ParseAddr(text); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	if text == "" {
		return c.prefix(path, text, "address")
	}
	p, err := netip.ParsePrefix(text)
	if err != nil || !p.Addr().Is4() {
		c.errf(path, "%q is neither an IPv4 address nor a CIDR (want 10.0.1.10 or 10.0.0.0/16)", text)
		return netip.Prefix{}, false
	}
	return c.prefix(path, text, "CIDR")
}

// article puts "a" or "an" before a word: "an instance", "a route-table".
func article(w string) string {
	if w != "" && strings.ContainsRune("aeiou", rune(w[0])) {
		return "an " + w
	}
	return "a " + w
}

func fwText(fs spec.FirewallRuleSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", strings.ToUpper(fs.Chain), strings.ToLower(fs.Protocol))
	if !fs.Port.IsZero() {
		fmt.Fprintf(&b, " dport %s", fs.Port.Text)
	}
	if fs.Source != "" {
		fmt.Fprintf(&b, " from %s", fs.Source)
	}
	if fs.Destination != "" {
		fmt.Fprintf(&b, " to %s", fs.Destination)
	}
	fmt.Fprintf(&b, " -j %s", strings.ToUpper(fs.Action))
	return b.String()
}

func (c *compiler) vpc(i int, vs *spec.VPCSpec) {
	path := fmt.Sprintf("$.vpcs[%d]", i)
	if !c.declare(path, vs.Name, "vpc") {
		return
	}
	v := &vpc{name: vs.Name, ifaces: make(map[netip.Addr]*iface, len(vs.Instances)+len(vs.NATGateways)), igw: vs.InternetGateway,
		dnsOff: vs.EnableDNSSupport != nil && !*vs.EnableDNSSupport, noPrivateDNS: vs.EnableDNSHostnames != nil && !*vs.EnableDNSHostnames}
	c.w.vpcs = append(c.w.vpcs, v)
	c.w.vpcIndex[v.name] = v
	var ok bool
	v.prefix, ok = c.prefix(path+".cidr", vs.CIDR, "cidr")
	if ok && !v.prefix.Addr().Is4() {
		c.errf(path+".cidr", "VPC cidr %s: only IPv4 VPCs are supported", vs.CIDR)
		ok = false
	}
	if ok && (v.prefix.Bits() < 16 || v.prefix.Bits() > 28) {
		c.errf(path+".cidr", "VPC cidr %s: a VPC is between /16 and /28", vs.CIDR)
	}
	// Separate VPCs may reuse ranges; overlapping VPCs cannot peer, which
	// is checked with the peerings.
	if ok {
		b := v.prefix.Addr().As4()
		b[3] += 2
		v.resolver = &iface{name: v.name + "-resolver", kind: kindVPCResolver, vpc: v, private: netip.AddrFrom4(b)}
		v.ifaces[v.resolver.private] = v.resolver
	}
	if vs.InternetGateway != "" {
		c.declare(path+".internet_gateway", vs.InternetGateway, "internet-gateway")
	}

	// Route tables first declare names; their targets resolve later.
	for j := range vs.RouteTables {
		rs := &vs.RouteTables[j]
		p := fmt.Sprintf("%s.route_tables[%d]", path, j)
		if !c.declare(p, rs.Name, "route-table") {
			continue
		}
		rt := &routeTable{name: rs.Name, vpc: v}
		c.w.rts[rs.Name] = rt
		c.later = append(c.later, func() {
			c.routes(p, v, rt, rs.Routes)
			c.vpcPropagations(p, v, rt, rs.Propagations)
		})
		if len(rs.Associations) > 0 {
			c.errf(p+".associations", "a VPC route table has no associations; subnets name their route_table (associations are for transit gateway route tables)")
		}
	}
	for j, as := range vs.NetworkACLs {
		p := fmt.Sprintf("%s.network_acls[%d]", path, j)
		if !c.declare(p, as.Name, "network-acl") {
			continue
		}
		a := &acl{name: as.Name}
		a.ingress = c.aclRules(p+".ingress", as.Ingress)
		a.egress = c.aclRules(p+".egress", as.Egress)
		c.w.acls[as.Name] = a
	}
	for j, ss := range vs.Subnets {
		p := fmt.Sprintf("%s.subnets[%d]", path, j)
		if !c.declare(p, ss.Name, "subnet") {
			continue
		}
		sn := &subnet{name: ss.Name, vpc: v, zone: ss.Zone}
		var pok bool
		sn.prefix, pok = c.prefix(p+".cidr", ss.CIDR, "cidr")
		if pok && ok {
			if !v.prefix.Contains(sn.prefix.Addr()) || sn.prefix.Bits() < v.prefix.Bits() {
				c.errf(p+".cidr", "subnet %s (%s) is outside its VPC %s (%s)", ss.Name, ss.CIDR, v.name, vs.CIDR)
			}
			if sn.prefix.Bits() > 28 {
				c.errf(p+".cidr", "subnet %s (%s) is smaller than /28, the smallest AWS allows", ss.Name, ss.CIDR)
			}
			for _, other := range v.subnets {
				if other.prefix.IsValid() && other.prefix.Overlaps(sn.prefix) {
					c.errf(p+".cidr", "subnet %s (%s) overlaps subnet %s (%s)", ss.Name, ss.CIDR, other.name, other.prefix)
				}
			}
		}
		if ss.RouteTable == "" {
			c.errf(p, "subnet %s has no route_table", ss.Name)
		} else if rt := c.w.rts[ss.RouteTable]; rt == nil || rt.vpc != v {
			c.errf(p+".route_table", "route table %q does not exist in VPC %s", ss.RouteTable, v.name)
		} else {
			sn.rt = rt
		}
		if ss.NetworkACL == "" {
			c.errf(p, "subnet %s has no network_acl", ss.Name)
		} else if a := c.w.acls[ss.NetworkACL]; a == nil || !strings.HasPrefix(c.names[ss.NetworkACL], path+".") {
			c.errf(p+".network_acl", "network ACL %q does not exist in VPC %s", ss.NetworkACL, v.name)
		} else {
			sn.acl = a
		}
		v.subnets = append(v.subnets, sn)
		c.w.subnets[ss.Name] = sn
	}
	// Security groups: declare all first, since rules name each other.
	for j := range vs.SecurityGroups {
		gs := &vs.SecurityGroups[j]
		p := fmt.Sprintf("%s.security_groups[%d]", path, j)
		if !c.declare(p, gs.Name, "security-group") {
			continue
		}
		c.w.sgs[gs.Name] = &secGroup{name: gs.Name, id: int32(len(c.w.sgs)), vpc: v, spec: &c.w.spec.VPCs[i].SecurityGroups[j]}
	}
	for j := range vs.SecurityGroups {
		gs := &vs.SecurityGroups[j]
		g := c.w.sgs[gs.Name]
		if g == nil || g.vpc != v {
			continue
		}
		p := fmt.Sprintf("%s.security_groups[%d]", path, j)
		c.later = append(c.later, func() {
			g.ingress = c.sgRules(p+".ingress", v, gs.Ingress, true)
			g.egress = c.sgRules(p+".egress", v, gs.Egress, false)
			g.inIx, g.outIx = newSGIndex(g.ingress), newSGIndex(g.egress) // sgindex.go
		})
	}
	for j, ns := range vs.NATGateways {
		p := fmt.Sprintf("%s.nat_gateways[%d]", path, j)
		if !c.declare(p, ns.Name, "nat-gateway") {
			continue
		}
		n := &natGW{name: ns.Name, state: c.natState(p+".state", ns.State)}
		n.iface = &iface{name: ns.Name, kind: kindNAT, vpc: v, nat: n, ephLo: 1024, ephHi: 65535}
		c.placePrivate(p, v, ns.Subnet, ns.PrivateIP, n.iface)
		if a, ok := c.addr(p+".public_ip", ns.PublicIP, "public_ip"); ok {
			c.placePublic(p+".public_ip", v, a, n.iface)
		}
		c.w.nats[ns.Name] = n
	}
	for j := range vs.Instances {
		is := &vs.Instances[j]
		p := fmt.Sprintf("%s.instances[%d]", path, j)
		if !c.declare(p, is.Name, "instance") {
			continue
		}
		h := &host{name: is.Name, srcDstCheck: is.SrcDstCheck()}
		h.iface = &iface{name: is.Name, kind: kindInstance, vpc: v, host: h, ephLo: 32768, ephHi: 60999}
		c.placePrivate(p, v, is.Subnet, is.PrivateIP, h.iface)
		c.secondaries(p, v, h.iface, is.SecondaryPrivateIPs) // secondary.go
		if is.PublicIP != "" {
			if a, ok := c.addr(p+".public_ip", is.PublicIP, "public_ip"); ok {
				c.placePublic(p+".public_ip", v, a, h.iface)
			}
		}
		h.iface.sgs = c.groupList(p+".security_groups", v, is.SecurityGroups)
		c.services(p, h, is.Services)
		c.firewall(p, h, is.Firewall)
		c.w.hosts[is.Name] = h
		v.instances = append(v.instances, h)
	}
	for j := range vs.LoadBalancers {
		c.loadBalancer(fmt.Sprintf("%s.load_balancers[%d]", path, j), v, &vs.LoadBalancers[j])
	}
	c.vpcHybrid(path, v, vs)
}

func (c *compiler) groupList(path string, v *vpc, names []string) []*secGroup {
	var out []*secGroup
	for k, n := range names {
		g := c.w.sgs[n]
		if g == nil || g.vpc != v {
			c.errf(fmt.Sprintf("%s[%d]", path, k), "security group %q does not exist in VPC %s", n, v.name)
			continue
		}
		out = append(out, g)
	}
	return out
}

// placePrivate puts an interface in a subnet at an address.
func (c *compiler) placePrivate(path string, v *vpc, subnetName, ip string, i *iface) {
	sn := c.w.subnets[subnetName]
	if subnetName == "" {
		c.errf(path, "%s has no subnet", i.name)
	} else if sn == nil || sn.vpc != v {
		c.errf(path+".subnet", "subnet %q does not exist in VPC %s", subnetName, v.name)
		sn = nil
	}
	i.subnet = sn
	a, ok := c.addr(path+".private_ip", ip, "private_ip")
	if !ok {
		return
	}
	i.private = a
	if sn != nil && sn.prefix.IsValid() {
		if !sn.prefix.Contains(a) {
			c.errf(path+".private_ip", "address %s is outside subnet %s (%s)", a, sn.name, sn.prefix)
			return
		}
		// AWS reserves the first four addresses and the last of a subnet.
		base := sn.prefix.Addr()
		if off := addrOffset(base, a); off < 4 || a == lastAddr(sn.prefix) {
			c.errf(path+".private_ip", "address %s is reserved in subnet %s (the first four and the last address are AWS's)", a, sn.name)
		}
	}
	if prev, dup := v.ifaces[a]; dup {
		c.errf(path+".private_ip", "address %s is already used by %s", a, prev.name)
		return
	}
	v.ifaces[a] = i
}

func (c *compiler) placePublic(path string, v *vpc, a netip.Addr, i *iface) {
	if prev, ok := c.w.public[a]; ok {
		c.errf(path, "address %s is already used by %s", a, prev.name)
		return
	}
	if prev, ok := c.w.internet[a]; ok {
		c.errf(path, "address %s is already used by %s", a, prev.name)
		return
	}
	if a.IsPrivate() {
		c.errf(path, "public_ip %s is a private address", a)
	}
	i.public = a
	c.w.public[a] = i
}

func addrOffset(base, a netip.Addr) uint32 {
	b4, a4 := base.As4(), a.As4()
	return (uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])) -
		(uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3]))
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n |= (1<<(32-p.Bits()) - 1)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func (c *compiler) routes(path string, v *vpc, rt *routeTable, specs []spec.RouteSpec) {
	if v.prefix.IsValid() {
		rt.routes = append(rt.routes, route{dst: v.prefix, target: "local", kind: routeLocal, text: v.prefix.String() + " → local"})
	}
	seen := map[netip.Prefix]bool{}
	for k, rs := range specs {
		p := fmt.Sprintf("%s.routes[%d]", path, k)
		if pl := c.w.hy.prefixLists[rs.Destination]; pl != nil {
			// A prefix list as destination: one entry per CIDR, each
			// matched by longest prefix (extension).
			r := route{target: rs.Target}
			if !c.hybridTarget(p, v, rs, &r, pl) {
				c.errf(p+".target", "a route to prefix list %s goes to a gateway endpoint; %q is none", pl.name, rs.Target)
				continue
			}
			for _, d := range pl.cidrs {
				if !seen[d] {
					seen[d] = true
					r.dst, r.text = d, rs.Destination+" ("+d.String()+") → "+rs.Target
					rt.routes = append(rt.routes, r)
				}
			}
			continue
		}
		dst, ok := c.prefix(p+".destination", rs.Destination, "destination")
		if !ok {
			continue
		}
		if seen[dst] || (dst == v.prefix) {
			c.errf(p+".destination", "route table %s already has a route for %s", rt.name, dst)
			continue
		}
		seen[dst] = true
		r := route{dst: dst, target: rs.Target, text: rs.Destination + " → " + rs.Target}
		switch {
		case rs.Target == "":
			c.errf(p, "route to %s has no target", rs.Destination)
			continue
		case rs.Target == "blackhole":
			r.kind = routeBlackhole
		case rs.Target == "local":
			c.errf(p+".target", "'local' is implicit for the VPC range; name a gateway, NAT gateway, peering or instance")
			continue
		case c.w.kinds[rs.Target] == "internet-gateway":
			r.kind = routeIGW
			if v.igw != rs.Target {
				// A gateway attached to another VPC: the route is dead.
				r.kind = routeMissing
			}
		case c.w.nats[rs.Target] != nil:
			r.kind, r.nat = routeNAT, c.w.nats[rs.Target]
			if r.nat.iface.vpc != v {
				c.errf(p+".target", "NAT gateway %s is in another VPC", rs.Target)
			}
		case c.w.peerings[rs.Target] != nil:
			r.kind, r.peering = routePeering, c.w.peerings[rs.Target]
			if r.peering.other(v) == nil {
				c.errf(p+".target", "peering %s does not connect VPC %s", rs.Target, v.name)
			}
		case c.w.hosts[rs.Target] != nil && c.w.hosts[rs.Target].iface.vpc == v:
			r.kind, r.inst = routeInstance, c.w.hosts[rs.Target].iface
		case c.hybridTarget(p, v, rs, &r, nil):
		case c.w.kinds[rs.Target] != "":
			c.errf(p+".target", "route target %q is %s; a route points at an internet gateway, NAT gateway, peering or instance of VPC %s, or blackhole", rs.Target, article(c.w.kinds[rs.Target]), v.name)
			continue
		default:
			// AWS keeps a route whose target was deleted, as a blackhole
			// (WORLD-FORMAT.md rule 1): the world loads, and check warns.
			r.kind = routeMissing
			c.missingTarget(p+".target", v, rs.Target)
		}
		rt.routes = append(rt.routes, r)
	}
	sort.SliceStable(rt.routes, func(i, j int) bool { return rt.routes[i].dst.Bits() > rt.routes[j].dst.Bits() })
}

func (c *compiler) aclRules(path string, specs []spec.ACLRuleSpec) []aclRule {
	var out []aclRule
	nums := map[int]bool{}
	for k, rs := range specs {
		p := fmt.Sprintf("%s[%d]", path, k)
		r := aclRule{num: rs.Rule}
		if rs.ICMPType != nil || rs.ICMPCode != nil {
			r.icmpType, r.icmpCode = c.icmpTypeCode(p, rs.Protocol, rs.ICMPType, rs.ICMPCode) // icmp.go
		}
		if rs.Rule < 1 || rs.Rule > 32766 {
			c.errf(p+".rule", "rule number %d is outside 1-32766", rs.Rule)
		}
		if nums[rs.Rule] {
			c.errf(p+".rule", "rule number %d is used twice; rule numbers are unique in a direction", rs.Rule)
		}
		nums[rs.Rule] = true
		var protoOK bool
		r.proto, protoOK = c.proto(p+".protocol", rs.Protocol, true, true)
		if protoOK { // a bad protocol says so once, not again as "ports apply to tcp and udp"
			r.lo, r.hi, _ = c.ports(p+".ports", rs.Ports, r.proto)
		}
		r.cidr, _ = c.prefix(p+".cidr", rs.CIDR, "cidr")
		switch strings.ToLower(rs.Action) {
		case "allow":
			r.allow = true
		case "deny":
		default:
			c.errf(p+".action", "action %q is not allow or deny", rs.Action)
		}
		r.text = aclText(rs)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out
}

func aclText(rs spec.ACLRuleSpec) string {
	ports := ""
	if !rs.Ports.IsZero() {
		ports = " " + rs.Ports.Text
	}
	return fmt.Sprintf("rule %d %s %s%s%s %s", rs.Rule, strings.ToLower(rs.Action), strings.ToLower(rs.Protocol), ports, icmpRuleText(rs.ICMPType, rs.ICMPCode), rs.CIDR)
}

func (c *compiler) sgRules(path string, v *vpc, specs []spec.SGRuleSpec, ingress bool) []sgRule {
	out := make([]sgRule, 0, len(specs))
	for k, rs := range specs {
		// The rule's path, only for its problems: a world may hold a
		// million rules.
		p := lazyPath{path, k}
		r := sgRule{src: int32(k)}
		if rs.ICMPType != nil || rs.ICMPCode != nil {
			r.icmpType, r.icmpCode = c.icmpTypeCode(p.at(""), rs.Protocol, rs.ICMPType, rs.ICMPCode) // icmp.go
		}
		r.proto, r.lo, r.hi = c.ruleProtoPorts(p, rs.Protocol, rs.Ports) // compile_fast.go
		peer, field, other := rs.Source, "source", rs.Destination
		if !ingress {
			peer, field, other = rs.Destination, "destination", rs.Source
		}
		if other != "" {
			wrong := "destination"
			if !ingress {
				wrong = "source"
			}
			c.errf(p.at("."+wrong), "an %s rule has a %s, not a %s", map[bool]string{true: "ingress", false: "egress"}[ingress], field, wrong)
		}
		switch {
		case c.w.hy.prefixLists[peer] != nil:
			// A prefix list as source or destination: one rule per CIDR
			// (extension).
			for _, d := range c.w.hy.prefixLists[peer].cidrs {
				r2 := r
				r2.setPrefix(d)
				r2.plist = true
				out = append(out, r2)
			}
			continue
		case peer == "":
			c.errf(p.at(""), "rule has no %s; give a CIDR or a security group name", field)
		case c.w.sgs[peer] != nil:
			g := c.w.sgs[peer]
			if g.vpc != v && !c.peered(v, g.vpc) {
				c.errf(p.at("."+field), "security group %s is in VPC %s, which is not peered with %s", peer, g.vpc.name, v.name)
			}
			r.gid = g.id + 1
		default:
			pfx, err := netip.ParsePrefix(peer)
			if err != nil {
				if a, err2 := netip.ParseAddr(peer); err2 == nil {
					pfx = netip.PrefixFrom(a, 32)
				} else {
					c.errf(p.at("."+field), "%s %q is neither a CIDR nor a security group of VPC %s", field, peer, v.name)
					continue
				}
			}
			r.setPrefix(pfx.Masked())
		}
		out = append(out, r)
	}
	return out
}

// lazyPath is the YAML path of a list item, built only when a problem
// names it.
type lazyPath struct {
	list string
	i    int
}

func (l lazyPath) at(field string) string { return l.list + "[" + strconv.Itoa(l.i) + "]" + field }

func (c *compiler) peered(a, b *vpc) bool {
	for _, p := range c.w.spec.Peerings {
		if len(p.VPCs) == 2 && ((p.VPCs[0] == a.name && p.VPCs[1] == b.name) || (p.VPCs[1] == a.name && p.VPCs[0] == b.name)) {
			return true
		}
	}
	return false
}

func (c *compiler) loadBalancer(path string, v *vpc, ls *spec.LoadBalancerSpec) {
	if !c.declare(path, ls.Name, "load-balancer") {
		return
	}
	l := &lb{name: ls.Name, vpc: v, tgs: map[string]*targetGroup{}}
	c.w.lbs[ls.Name] = l
	typeOK := true
	switch ls.Type {
	case "application", "alb":
		l.alb = true
	case "network", "nlb":
	default:
		c.errf(path+".type", "type %q is not application or network", ls.Type)
		typeOK = false
	}
	switch ls.Scheme {
	case "internet-facing":
	case "internal":
		l.internal = true
	default:
		c.errf(path+".scheme", "scheme %q is not internet-facing or internal", ls.Scheme)
	}
	l.sgs = c.groupList(path+".security_groups", v, ls.SecurityGroups)
	if l.alb && len(ls.SecurityGroups) == 0 {
		c.errf(path, "application load balancer %s has no security_groups; an ALB always has at least one", ls.Name)
	}
	if len(ls.Nodes) == 0 {
		c.errf(path, "load balancer %s has no nodes; give it at least one subnet under nodes", ls.Name)
	}
	for k, ns := range ls.Nodes {
		p := fmt.Sprintf("%s.nodes[%d]", path, k)
		i := &iface{name: ls.Name, kind: kindLBNode, vpc: v, lb: l, sgs: l.sgs, ephLo: 1024, ephHi: 65535}
		c.placePrivate(p, v, ns.Subnet, ns.PrivateIP, i)
		if ns.PublicIP != "" {
			if l.internal {
				c.errf(p+".public_ip", "an internal load balancer has no public addresses")
			}
			if a, ok := c.addr(p+".public_ip", ns.PublicIP, "public_ip"); ok {
				c.placePublic(p+".public_ip", v, a, i)
			}
		} else if !l.internal {
			c.errf(p, "an internet-facing load balancer node needs a public_ip")
		}
		l.nodes = append(l.nodes, i)
	}
	for k, ts := range ls.TargetGroups {
		p := fmt.Sprintf("%s.target_groups[%d]", path, k)
		if !c.declare(p, ts.Name, "target-group") {
			continue
		}
		tg := &targetGroup{name: ts.Name, proto: strings.ToLower(ts.Protocol)}
		tgProtoOK := true
		switch tg.proto {
		case "http", "https", "tcp", "tls", "udp":
		default:
			c.errf(p+".protocol", "target group protocol %q is not http, https, tcp, tls or udp", ts.Protocol)
			tgProtoOK = false
		}
		tg.port, _ = c.port(p+".port", ts.Port, "port")
		hc := ts.HealthCheck
		tg.hcProto = strings.ToLower(hc.Protocol)
		if tg.hcProto == "" {
			tg.hcProto = tg.proto
			if tg.proto == "tls" || tg.proto == "udp" {
				tg.hcProto = "tcp"
			}
		}
		switch tg.hcProto {
		case "http", "https", "tcp":
		default:
			if !tgProtoOK && hc.Protocol == "" {
				break // the target group's protocol is the problem, said above
			}
			c.errf(p+".health_check.protocol", "health check protocol %q is not http, https or tcp", hc.Protocol)
		}
		tg.hcPort = tg.port
		if hc.Port != 0 {
			tg.hcPort, _ = c.port(p+".health_check.port", hc.Port, "health check port")
		}
		tg.hcPath = hc.Path
		if tg.hcPath == "" {
			tg.hcPath = "/"
		}
		if !strings.HasPrefix(tg.hcPath, "/") {
			c.errf(p+".health_check.path", "health check path %q must start with /", hc.Path)
		}
		tg.matchTx = hc.Matcher
		if tg.matchTx == "" {
			tg.matchTx = "200"
		}
		var err error
		if tg.matcher, err = parseMatcher(tg.matchTx); err != nil {
			c.errf(p+".health_check.matcher", "%v", err)
		}
		for m, tn := range ts.Targets {
			t := c.w.hosts[tn]
			if t == nil || t.iface.vpc != v {
				c.errf(fmt.Sprintf("%s.targets[%d]", p, m), "target %q is not an instance of VPC %s", tn, v.name)
				continue
			}
			tg.targets = append(tg.targets, t)
		}
		l.tgs[ts.Name] = tg
	}
	ports := map[int]bool{}
	for k, lsn := range ls.Listeners {
		p := fmt.Sprintf("%s.listeners[%d]", path, k)
		li := &listener{proto: strings.ToLower(lsn.Protocol), certName: lsn.Certificate, redirect: lsn.Redirect}
		li.port, _ = c.port(p+".port", lsn.Port, "port")
		if ports[lsn.Port] {
			c.errf(p+".port", "load balancer %s already has a listener on port %d", ls.Name, lsn.Port)
		}
		ports[lsn.Port] = true
		valid := map[bool][]string{true: {"http", "https"}, false: {"tcp", "tls", "udp"}}[l.alb]
		if !slices.Contains(valid, li.proto) && typeOK {
			c.errf(p+".protocol", "listener protocol %q is not one of %s for %s load balancer", lsn.Protocol, strings.Join(valid, ", "), article(ls.Type))
		}
		if lsn.Certificate != "" {
			li.cert = c.w.certs[lsn.Certificate]
			if li.cert == nil {
				c.errf(p+".certificate", "certificate %q does not exist; declare it under certificates", lsn.Certificate)
			}
		} else if li.proto == "https" || li.proto == "tls" {
			c.errf(p, "%s listener needs a certificate", article(li.proto))
		}
		switch {
		case lsn.TargetGroup != "" && lsn.Redirect != "":
			c.errf(p, "a listener either forwards to a target_group or redirects, not both")
		case lsn.TargetGroup != "":
			li.tg = l.tgs[lsn.TargetGroup]
			if li.tg == nil {
				c.errf(p+".target_group", "target group %q does not exist in load balancer %s", lsn.TargetGroup, ls.Name)
			}
		case lsn.Redirect != "":
			if lsn.Redirect != "https" && lsn.Redirect != "http" {
				c.errf(p+".redirect", "redirect %q: want https (or http)", lsn.Redirect)
			}
			if !l.alb {
				c.errf(p+".redirect", "only application load balancers redirect")
			}
		case lsn.DefaultRedirect != nil || lsn.FixedResponse != nil:
			// the other default actions: listener_rules.go
		default:
			c.errf(p, "listener on port %d has neither target_group nor redirect", lsn.Port)
		}
		c.listenerRules(p, l, li, lsn) // listener_rules.go
		l.listeners = append(l.listeners, li)
	}
	c.lbZones(path, l, ls) // zones.go
}

func parseMatcher(s string) ([]statusRange, error) {
	var out []statusRange
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		a, b, isRange := strings.Cut(part, "-")
		lo, err1 := strconv.Atoi(a)
		hi := lo
		var err2 error
		if isRange {
			hi, err2 = strconv.Atoi(b)
		}
		if err1 != nil || err2 != nil || lo < 100 || hi > 599 || lo > hi {
			return nil, fmt.Errorf("matcher %q: want HTTP codes such as 200, 200-299 or 200,302", s)
		}
		out = append(out, statusRange{lo, hi})
	}
	return out, nil
}

func (c *compiler) peeringSpecs(s *spec.WorldSpec) {
	// Peerings are declared before routes resolve (routes run later).
	for i, ps := range s.Peerings {
		path := fmt.Sprintf("$.peerings[%d]", i)
		if !c.declare(path, ps.Name, "peering") {
			continue
		}
		p := &peering{name: ps.Name, status: ps.Status, mtu: ps.MTU}
		switch ps.Status {
		case "active", "":
			p.active = true
			p.status = "active"
		case "pending", "deleted", "pending-acceptance", "rejected", "failed", "expired":
		default:
			c.errf(path+".status", "status %q is not active, pending or deleted", ps.Status)
		}
		if len(ps.VPCs) != 2 {
			c.errf(path+".vpcs", "a peering joins exactly two VPCs: vpcs: [a, b]")
		} else {
			p.a, p.b = c.w.vpcIndex[ps.VPCs[0]], c.w.vpcIndex[ps.VPCs[1]]
			if p.a == nil {
				c.errf(path+".vpcs[0]", "VPC %q does not exist", ps.VPCs[0])
			}
			if p.b == nil {
				c.errf(path+".vpcs[1]", "VPC %q does not exist", ps.VPCs[1])
			}
			if p.a != nil && p.a == p.b {
				c.errf(path+".vpcs", "a peering joins two different VPCs")
			}
			if p.a != nil && p.b != nil && p.a != p.b && p.a.prefix.IsValid() && p.b.prefix.IsValid() && p.a.prefix.Overlaps(p.b.prefix) {
				c.errf(path+".vpcs", "VPCs %s (%s) and %s (%s) overlap; overlapping VPCs cannot peer", p.a.name, p.a.prefix, p.b.name, p.b.prefix)
			}
		}
		if ps.MTU != 0 && (ps.MTU < 576 || ps.MTU > 9001) {
			c.errf(path+".mtu", "mtu %d is outside 576-9001", ps.MTU)
		}
		c.w.peerings[ps.Name] = p
		if p.active && p.a != nil && p.b != nil && p.a != p.b {
			p.a.peers = append(p.a.peers, p.b)
			p.b.peers = append(p.b.peers, p.a)
		}
	}
}

func fqdn(s string) string { return dns.Fqdn(strings.ToLower(strings.TrimSpace(s))) }

// hostName reports whether s is a domain name as hosts and zones are
// written: dot-separated labels of letters, digits, '-' and '_' (miekg's
// IsDomainName takes any bytes, spaces included, as zone files may).
func hostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

func (c *compiler) zones(s *spec.WorldSpec) {
	seen := map[string]map[bool]bool{}
	for i, zs := range s.DNS.Zones {
		path := fmt.Sprintf("$.dns.zones[%d]", i)
		if _, ok := dns.IsDomainName(zs.Name); !ok || zs.Name == "" || (zs.Name != "." && !hostName(zs.Name)) {
			c.errf(path+".name", "zone name %q is not a domain name (labels of letters, digits and '-', such as example.com)", zs.Name)
			continue
		}
		if fqdn(zs.Name) == "." {
			c.errf(path+".name", "zone name %q is the root of the DNS, which a world does not serve; give a domain such as example.com", zs.Name)
			continue
		}
		z := &zone{name: fqdn(zs.Name), private: zs.Private}
		if seen[z.name] == nil {
			seen[z.name] = map[bool]bool{}
		}
		if seen[z.name][z.private] {
			c.errf(path+".name", "zone %s is declared twice", zs.Name)
		}
		seen[z.name][z.private] = true
		if z.private {
			if len(zs.VPCs) == 0 {
				c.errf(path, "private zone %s is associated with no VPC; list them under vpcs", zs.Name)
			}
			for k, vn := range zs.VPCs {
				v := c.w.vpcIndex[vn]
				if v == nil {
					c.errf(fmt.Sprintf("%s.vpcs[%d]", path, k), "VPC %q does not exist", vn)
					continue
				}
				z.vpcs = append(z.vpcs, v)
				v.private = append(v.private, z)
			}
			if len(zs.Nameservers) > 0 {
				c.errf(path+".nameservers", "a private zone has no nameservers: the VPC resolver answers it")
			}
		} else {
			if len(zs.VPCs) > 0 {
				c.errf(path+".vpcs", "only private zones are associated with VPCs; add private: true")
			}
			if len(zs.Nameservers) == 0 {
				c.errf(path, "public zone %s has no nameservers; list them (name and ip)", zs.Name)
			}
			z.nameservers = c.nsList(path+".nameservers", zs.Nameservers, z)
			z.delegation = c.nsList(path+".delegation", zs.Delegation, nil)
			if len(z.delegation) == 0 {
				z.delegation = z.nameservers
			}
		}
		primary := ""
		if len(z.nameservers) > 0 {
			primary = z.nameservers[0].name
		}
		z.data = dnszone.New(z.name, z.private, primary)
		for k, rs := range zs.Records {
			c.record(fmt.Sprintf("%s.records[%d]", path, k), z, rs)
		}
		c.w.zones = append(c.w.zones, z)
	}
	// Longest zone name first, so lookups find the closest enclosing zone.
	sort.SliceStable(c.w.zones, func(i, j int) bool {
		return dns.CountLabel(c.w.zones[i].name) > dns.CountLabel(c.w.zones[j].name)
	})
}

func (c *compiler) nsList(path string, specs []spec.NameserverSpec, serves *zone) []nsRef {
	var out []nsRef
	for k, ns := range specs {
		p := fmt.Sprintf("%s[%d]", path, k)
		if _, ok := dns.IsDomainName(ns.Name); !ok || ns.Name == "" || (ns.Name != "." && !hostName(ns.Name)) {
			c.errf(p+".name", "nameserver name %q is not a domain name (such as ns1.example.com)", ns.Name)
		} else if fqdn(ns.Name) == "." {
			c.errf(p+".name", "nameserver name %q is the root name; give the server's own name, such as ns1.example.com", ns.Name)
		}
		a, ok := c.addr(p+".ip", ns.IP, "ip")
		if !ok {
			continue
		}
		if ih, taken := c.w.public[a]; taken {
			c.errf(p+".ip", "address %s belongs to %s inside a VPC; authoritative servers live on the internet", a, ih.name)
		} else if a.IsPrivate() || a.IsLoopback() || a.IsUnspecified() {
			c.errf(p+".ip", "address %s is private; authoritative servers live on the internet, at public addresses", a)
		}
		ref := nsRef{name: fqdn(ns.Name), addr: a}
		out = append(out, ref)
		if serves != nil {
			srv := c.w.nameservers[a]
			if srv == nil {
				srv = &nameserver{name: ref.name, addr: a, zones: map[string]bool{}}
				c.w.nameservers[a] = srv
			}
			srv.zones[serves.name] = true
		}
	}
	return out
}

func (c *compiler) record(path string, z *zone, rs spec.RecordSpec) {
	name := strings.TrimSpace(rs.Name)
	var owner string
	switch {
	case name == "":
		c.errf(path, "record has no name; use @ for the zone apex")
		return
	case name == "@":
		owner = z.name
	case strings.HasSuffix(name, "."):
		owner = fqdn(name)
		if !dns.IsSubDomain(z.name, owner) {
			c.errf(path+".name", "record %s is outside zone %s", name, z.name)
			return
		}
	default:
		owner = fqdn(name + "." + z.name)
	}
	if _, ok := dns.IsDomainName(owner); !ok {
		c.errf(path+".name", "record name %q is not a domain name", name)
		return
	}
	rtype, ok := dns.StringToType[strings.ToUpper(rs.Type)]
	switch strings.ToUpper(rs.Type) {
	case "A", "AAAA", "CNAME", "MX", "TXT", "NS":
	default:
		ok = false
	}
	if !ok {
		c.errf(path+".type", "record type %q is not one of A, AAAA, CNAME, MX, TXT, NS", rs.Type)
		return
	}
	ttl := 300
	if rs.TTL != nil {
		ttl = *rs.TTL
		if ttl < 0 || ttl > 2147483647 {
			c.errf(path+".ttl", "ttl %d is negative or too large; a TTL is 0 to 2147483647 seconds", ttl)
			return
		}
	}
	if rs.Failover != "" {
		c.failoverRecord(path, z, owner, name, rs) // failover.go
		return
	}
	if rtype == dns.TypeA {
		c.simpleA(z, owner) // failover.go: a failover group may not mix policies
	}
	if rs.Alias != nil {
		c.aliasRecord(path, z, owner, name, rs) // dnscheck.go
		return
	}
	if rtype == dns.TypeCNAME && owner == z.name {
		c.errf(path+".type", "a CNAME at the zone apex (%s) is not allowed: the apex holds the zone's SOA and NS records, and a CNAME stands alone (RFC 1034; Route 53 refuses it); use an alias record: {name: \"@\", type: A, alias: {target: BALANCER}}", strings.TrimSuffix(z.name, "."))
		return
	}
	if rs.Value != "" && len(rs.Values) > 0 {
		c.errf(path+".values", "record %s %s has both value and values; write one value as value:, several as values: [...]", name, rs.Type)
		return
	}
	values := rs.AllValues()
	if len(values) == 0 {
		c.errf(path, "record %s %s has no value", name, rs.Type)
		return
	}
	if rtype == dns.TypeCNAME {
		if len(values) > 1 {
			c.errf(path, "a CNAME has exactly one value")
		}
	}
	for _, val := range values {
		r := record{name: owner, rtype: rtype, ttl: uint32(ttl), value: val}
		switch rtype {
		case dns.TypeA, dns.TypeAAAA:
			a, err := netip.ParseAddr(val)
			if err != nil || (rtype == dns.TypeA) != a.Is4() {
				c.errf(path, "%s record value %q is not an IPv%s address", rs.Type, val, map[bool]string{true: "4", false: "6"}[rtype == dns.TypeA])
				continue
			}
			r.value = a.String()
		case dns.TypeCNAME, dns.TypeNS:
			if _, ok := dns.IsDomainName(val); !ok || strings.TrimSpace(val) == "" {
				c.errf(path, "%s value %q is not a domain name", rs.Type, val)
				continue
			}
			if fqdn(val) == "." {
				c.errf(path, "%s value %q is the root name, which has no address; give a host name such as web-lb.example.com", rs.Type, val)
				continue
			}
			if !strings.HasSuffix(val, ".") {
				// A bare name in a zone file is relative; here a name with a
				// dot is taken as absolute, as people write them.
				if !strings.Contains(val, ".") {
					val += "." + z.name
				}
			}
			r.value = fqdn(val)
		case dns.TypeMX:
			r.value = val
		}
		rr := buildRR(r)
		for _, other := range z.data.Records(owner) {
			isCNAME := other.Header().Rrtype == dns.TypeCNAME
			if isCNAME != (rtype == dns.TypeCNAME) || (isCNAME && !dns.IsDuplicate(other, rr)) {
				c.errf(path, "%s has a CNAME and other records; a CNAME stands alone", name)
				break
			}
		}
		z.data.Add(rr)
	}
}
