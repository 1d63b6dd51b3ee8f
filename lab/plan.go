// Package lab builds a world into Linux network namespaces, runs small Go
// servers inside them, and holds the simulation against what the kernel
// does (Verify).
//
// The plan of a lab (which namespaces, links, addresses, routes, rules and
// filters) is computed by Plan, a pure function a test can check without
// root; Up carries it out with netlink and nftables, and Down removes
// everything, also after a crash, from the state file and the names'
// prefix.
//
// Nothing of a lab touches the root namespace: every link is created
// directly between two lab namespaces, and the lab's addresses (the
// world's own, possibly public ones) exist only inside them.
package lab

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Node kinds.
const (
	KindInternet    = "internet"     // the internet's router
	KindDNS         = "dns"          // root, TLD and authoritative name servers
	KindClient      = "client"       // an internet client
	KindResolver    = "resolver"     // an internet recursive resolver
	KindServer      = "server"       // an internet server
	KindRouter      = "router"       // a VPC's implied router
	KindVPCResolver = "vpc-resolver" // a VPC's resolver at base+2
	KindIGW         = "internet-gateway"
	KindNAT         = "nat-gateway"
	KindInstance    = "instance"
	KindLBNode      = "load-balancer"
	KindEndpoint    = "vpc-endpoint" // an interface endpoint's interface
)

// Plan is a lab's layout: what Up builds.
type Plan struct {
	Lab    string // the lab's name
	Prefix string // every namespace's name starts with it
	Nodes  []*Node
	Links  []Link
	byName map[string]*Node
	hybrid *hybridLab // tgw.go
}

// Node is one namespace.
type Node struct {
	Name string // the world's name for it (app-1, web-lb.public-a) or _inet, _dns, _router.VPC, ...
	NS   string // the namespace's name
	Kind string
	VPC  string // its VPC, if any
	// Resolver is the address its resolv.conf names; zero for none.
	Resolver netip.Addr
	Ifaces   []*Iface
	Routes   []Route
	Rules    []Rule
	Forward  bool // routes packets
	// PortRange is the ephemeral range for its connections ("1024 65535");
	// empty keeps Linux's 32768-60999.
	PortRange string
	// ReflectTOS: replies carry the TOS of the request (NLB return paths).
	ReflectTOS bool
	Tables     []*Table
	Firewall   []spec.FirewallRuleSpec // the host firewall, as iptables
	// Serves says whether a lab server process runs in it.
	Serves bool
}

// Iface is an interface of a node.
type Iface struct {
	Name   string
	Addrs  []netip.Prefix
	Bridge bool   // a bridge (a subnet, in a router)
	Master string // the bridge it is a port of
	MTU    int
	// Down leaves the link down (a VPN connection with no tunnel up).
	Down bool
}

// Link is a veth pair between two nodes.
type Link struct {
	A, AIf string // node name, interface name
	B, BIf string
	MTU    int
}

// Route is a route of a node. Table 0 is the main table.
type Route struct {
	Table     int
	Dst       netip.Prefix
	Via       netip.Addr
	Dev       string
	Src       netip.Addr
	Blackhole bool
}

// Rule is a policy routing rule.
type Rule struct {
	Prio  int
	IIF   string
	Src   netip.Prefix
	Proto uint8
	Sport uint16
	TOS   uint8
	Mark  uint32
	Table int
}

var labNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`) })

// ValidName checks a lab's name: lower-case letters, digits and dashes, at
// most 32; no dots, so that one lab's prefix never covers another's.
func ValidName(name string) error {
	if !labNameRE().MatchString(name) {
		return fmt.Errorf("lab name %q: use lower-case letters, digits and dashes, at most 32 (--name)", name)
	}
	return nil
}

// PrefixOf is the namespace prefix of a lab.
func PrefixOf(lab string) string { return "pl-" + lab + "." }

// Node returns the named node, or nil.
func (p *Plan) Node(name string) *Node { return p.byName[name] }

// HostNames lists the nodes a user may open a shell in, sorted.
func (p *Plan) HostNames() []string {
	var out []string
	for _, n := range p.Nodes {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out
}

func (p *Plan) add(n *Node) *Node {
	n.NS = p.Prefix + n.Name
	p.Nodes = append(p.Nodes, n)
	p.byName[n.Name] = n
	return n
}

func (n *Node) iface(name string) *Iface {
	for _, i := range n.Ifaces {
		if i.Name == name {
			return i
		}
	}
	i := &Iface{Name: name}
	n.Ifaces = append(n.Ifaces, i)
	return i
}

// p2p allocates the addresses of point-to-point link k: 169.254.x.y/30.
func p2p(k int) (a, b netip.Prefix) {
	hi := byte(k >> 6)
	lo := byte((k & 63) << 2)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{169, 254, hi, lo + 1}), 30),
		netip.PrefixFrom(netip.AddrFrom4([4]byte{169, 254, hi, lo + 2}), 30)
}

// connect joins two nodes with a veth pair addressed as a /30; it returns
// the A side's and the B side's addresses.
func (p *Plan) connect(a *Node, aIf string, b *Node, bIf string, mtu int) (netip.Addr, netip.Addr) {
	pa, pb := p2p(len(p.Links) + 1)
	p.Links = append(p.Links, Link{A: a.Name, AIf: aIf, B: b.Name, BIf: bIf, MTU: mtu})
	ia, ib := a.iface(aIf), b.iface(bIf)
	ia.Addrs = append(ia.Addrs, pa)
	ib.Addrs = append(ib.Addrs, pb)
	ia.MTU, ib.MTU = mtu, mtu
	return pa.Addr(), pb.Addr()
}

func host32(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, 32) }

// Root and TLD server addresses, as the simulation's captures use them
// (the real a.root-servers.net and a.gtld-servers.net).
var (
	RootServer = netip.MustParseAddr("198.41.0.4")
	tldServers = map[string]netip.Addr{
		"com.": netip.MustParseAddr("192.5.6.30"),
		"net.": netip.MustParseAddr("192.5.6.30"),
		"org.": netip.MustParseAddr("199.19.56.1"),
	}
)

// TLDServer is the address of a TLD's server ("com.").
func TLDServer(tld string) netip.Addr {
	if a, ok := tldServers[tld]; ok {
		return a
	}
	h := fnv.New32a()
	h.Write([]byte(tld))
	x := h.Sum32()
	return netip.AddrFrom4([4]byte{198, 18, byte(x >> 8), byte(x)})
}

// TLDServerName is the name of a TLD's server.
func TLDServerName(tld string) string {
	switch tld {
	case "com.", "net.":
		return "a.gtld-servers.net."
	}
	return "a.nic." + tld
}

func tldOf(zone string) string {
	z := strings.TrimSuffix(strings.ToLower(zone), ".")
	if i := strings.LastIndexByte(z, '.'); i >= 0 {
		return z[i+1:] + "."
	}
	return z + "."
}

// DNSAddrs lists the addresses where name servers run: the root, each
// TLD's server and every public zone's name servers.
func DNSAddrs(s *spec.WorldSpec) []netip.Addr {
	seen := map[netip.Addr]bool{RootServer: true}
	out := []netip.Addr{RootServer}
	add := func(a netip.Addr) {
		if a.IsValid() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, z := range s.DNS.Zones {
		if z.Private {
			continue
		}
		add(TLDServer(tldOf(z.Name)))
		for _, ns := range z.Nameservers {
			a, _ := netip.ParseAddr(ns.IP)
			add(a)
		}
	}
	return out
}

func addr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// LBNodeName is the lab's name for a balancer's node in a subnet.
func LBNodeName(lb, subnet string) string { return lb + "." + subnet }

// Table numbers of a router: one per route table, then per NLB node.
const (
	tableBase    = 100
	nlbTableBase = 200
	nlbHostTable = 250 // a target's way back to its balancer node
)

func (n *Node) hasTable(t int) bool {
	for _, r := range n.Routes {
		if r.Table == t {
			return true
		}
	}
	return false
}

// PlanFor lays out the world spec s as a lab named lab. The spec must be
// valid (it is compiled first).
func PlanFor(s *spec.WorldSpec, lab string) (*Plan, error) {
	if err := ValidName(lab); err != nil {
		return nil, err
	}
	if _, err := simnet.Compile(s); err != nil {
		return nil, err
	}
	if err := checkSupported(s); err != nil { // unsupported.go
		return nil, err
	}
	p := &Plan{Lab: lab, Prefix: PrefixOf(lab), byName: map[string]*Node{}}
	inet := p.add(&Node{Name: "_inet", Kind: KindInternet, Forward: true, Tables: []*Table{invisibleTable()}})
	// The internet drops what it has no route for, silently.
	inet.Routes = append(inet.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Blackhole: true})
	inetPort := 0
	attach := func(n *Node, addrs []netip.Addr) {
		inetPort++
		ia, ha := p.connect(inet, fmt.Sprintf("i%d", inetPort), n, "eth0", 0)
		eth := n.iface("eth0")
		for _, a := range addrs {
			eth.Addrs = append(eth.Addrs, host32(a))
			inet.Routes = append(inet.Routes, Route{Dst: host32(a), Via: ha})
		}
		src := netip.Addr{}
		if len(addrs) > 0 {
			src = addrs[0]
		}
		n.Routes = append(n.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: ia, Src: src})
	}
	// Which addresses are taken by internet hosts, so that a name server
	// at a host's address runs in that host.
	hostAt := map[netip.Addr]*Node{}
	resolverAddr := map[string]netip.Addr{}
	for _, r := range s.Internet.Resolvers {
		resolverAddr[r.Name] = addr(r.IP)
	}
	for _, c := range s.Internet.Clients {
		n := p.add(&Node{Name: c.Name, Kind: KindClient, Resolver: resolverAddr[c.Resolver]})
		if !n.Resolver.IsValid() {
			for _, r := range s.Internet.Resolvers {
				n.Resolver = addr(r.IP)
				break
			}
		}
		attach(n, []netip.Addr{addr(c.IP)})
		hostAt[addr(c.IP)] = n
	}
	for _, r := range s.Internet.Resolvers {
		n := p.add(&Node{Name: r.Name, Kind: KindResolver, Serves: true, Resolver: addr(r.IP)})
		attach(n, []netip.Addr{addr(r.IP)})
		hostAt[addr(r.IP)] = n
	}
	for _, sv := range s.Internet.Servers {
		n := p.add(&Node{Name: sv.Name, Kind: KindServer, Serves: true, Firewall: sv.Firewall})
		if len(s.Internet.Resolvers) > 0 {
			n.Resolver = addr(s.Internet.Resolvers[0].IP)
		}
		attach(n, []netip.Addr{addr(sv.IP)})
		hostAt[addr(sv.IP)] = n
	}
	var dnsOwn []netip.Addr
	for _, a := range DNSAddrs(s) {
		if h := hostAt[a]; h != nil {
			// A name server at a host's address answers from that host.
			h.Serves = true
			continue
		}
		dnsOwn = append(dnsOwn, a)
	}
	dnsNode := p.add(&Node{Name: "_dns", Kind: KindDNS, Serves: true})
	attach(dnsNode, dnsOwn)

	// Security groups: the private addresses carrying each group.
	groupAddrs := map[string][]netip.Addr{}
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			for _, g := range in.SecurityGroups {
				groupAddrs[g] = append(groupAddrs[g], addr(in.PrivateIP))
				for _, a := range in.SecondaryPrivateIPs {
					groupAddrs[g] = append(groupAddrs[g], addr(a))
				}
			}
		}
		for _, lb := range v.LoadBalancers {
			for _, nd := range lb.Nodes {
				for _, g := range lb.SecurityGroups {
					groupAddrs[g] = append(groupAddrs[g], addr(nd.PrivateIP))
				}
			}
		}
	}

	// Interface endpoints' interfaces carry their groups too; prefix
	// lists stand for their CIDRs (endpoint.go).
	for _, v := range s.VPCs {
		for _, e := range v.Endpoints {
			for _, i := range e.Interfaces {
				for _, g := range e.SecurityGroups {
					groupAddrs[g] = append(groupAddrs[g], addr(i.PrivateIP))
				}
			}
		}
	}
	lists := prefixListsOf(s)

	routers := map[string]*Node{}
	peerAddr := map[string]map[string]netip.Addr{} // vpc -> peering -> next hop
	for _, v := range s.VPCs {
		r := p.add(&Node{Name: "_router." + v.Name, Kind: KindRouter, VPC: v.Name, Forward: true, Tables: []*Table{invisibleTable()}})
		routers[v.Name] = r
		peerAddr[v.Name] = map[string]netip.Addr{}
	}
	for _, pc := range s.Peerings {
		if pc.Status != "active" || len(pc.VPCs) != 2 || routers[pc.VPCs[0]] == nil || routers[pc.VPCs[1]] == nil || pc.VPCs[0] == pc.VPCs[1] {
			continue
		}
		a, b := routers[pc.VPCs[0]], routers[pc.VPCs[1]]
		aa, ba := p.connect(a, "pcx"+fmt.Sprint(len(p.Links)), b, "pcx"+fmt.Sprint(len(p.Links)), pc.MTU)
		peerAddr[pc.VPCs[0]][pc.Name] = ba
		peerAddr[pc.VPCs[1]][pc.Name] = aa
	}
	// Transit gateways, VPN connections, on-premises networks (tgw.go, vpn.go).
	hy := p.hybridNodes(s, routers)

	for vi := range s.VPCs {
		v := &s.VPCs[vi]
		r := routers[v.Name]
		cidr, err := netip.ParsePrefix(v.CIDR)
		if err != nil {
			return nil, err
		}
		base := cidr.Masked().Addr().As4()
		base[3] += 2
		vres := netip.AddrFrom4(base)

		// The VPC resolver: its own link to the router and to the
		// internet (as Route 53's resolver has its own way out).
		res := p.add(&Node{Name: "_resolver." + v.Name, Kind: KindVPCResolver, VPC: v.Name, Serves: true, Resolver: vres})
		rr, resR := p.connect(r, "res", res, "vpc", 0)
		res.iface("vpc").Addrs = append(res.iface("vpc").Addrs, host32(vres))
		res.Routes = append(res.Routes, Route{Dst: cidr.Masked(), Via: rr, Src: vres})
		inetPort++
		ia, _ := p.connect(inet, fmt.Sprintf("i%d", inetPort), res, "inet", 0)
		res.Routes = append(res.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: ia})
		r.Routes = append(r.Routes, Route{Dst: host32(vres), Via: resR})

		// The internet gateway.
		var igwR netip.Addr
		var igw *Node
		if v.InternetGateway != "" {
			igw = p.add(&Node{Name: v.InternetGateway, Kind: KindIGW, VPC: v.Name, Forward: true, Tables: []*Table{invisibleTable()}})
			var igwSide netip.Addr
			_, igwSide = p.connect(r, "igw", igw, "vpc", 0)
			igwR = igwSide
			ra := r.iface("igw").Addrs[0].Addr()
			igw.Routes = append(igw.Routes, Route{Dst: cidr.Masked(), Via: ra})
			inetPort++
			ia, ga := p.connect(inet, fmt.Sprintf("i%d", inetPort), igw, "inet", 0)
			igw.Routes = append(igw.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: ia})
			var maps [][2]netip.Addr // public, private
			for _, in := range v.Instances {
				if in.PublicIP != "" {
					maps = append(maps, [2]netip.Addr{addr(in.PublicIP), addr(in.PrivateIP)})
				}
			}
			for _, n := range v.NATGateways {
				if n.PublicIP != "" {
					maps = append(maps, [2]netip.Addr{addr(n.PublicIP), addr(n.PrivateIP)})
				}
			}
			for _, lb := range v.LoadBalancers {
				for _, nd := range lb.Nodes {
					if nd.PublicIP != "" {
						maps = append(maps, [2]netip.Addr{addr(nd.PublicIP), addr(nd.PrivateIP)})
					}
				}
			}
			for _, m := range maps {
				inet.Routes = append(inet.Routes, Route{Dst: host32(m[0]), Via: ga})
			}
			igw.Tables = append(igw.Tables, igwTables(maps)...)
		}

		// Subnets: a bridge each in the router, addressed base+1.
		subnetBr := map[string]string{}
		subnetPfx := map[string]netip.Prefix{}
		subnetGW := map[string]netip.Addr{}
		for si, sn := range v.Subnets {
			pfx, err := netip.ParsePrefix(sn.CIDR)
			if err != nil {
				return nil, err
			}
			pfx = pfx.Masked()
			b := pfx.Addr().As4()
			b[3]++
			gw := netip.AddrFrom4(b)
			br := fmt.Sprintf("b%d", si)
			bi := r.iface(br)
			bi.Bridge = true
			bi.Addrs = append(bi.Addrs, netip.PrefixFrom(gw, pfx.Bits()))
			subnetBr[sn.Name], subnetPfx[sn.Name], subnetGW[sn.Name] = br, pfx, gw
		}
		port := 0
		inSubnet := func(n *Node, subnet string, private netip.Addr) {
			port++
			vi := fmt.Sprintf("v%d", port)
			p.Links = append(p.Links, Link{A: r.Name, AIf: vi, B: n.Name, BIf: "eth0"})
			r.iface(vi).Master = subnetBr[subnet]
			eth := n.iface("eth0")
			eth.Addrs = append(eth.Addrs, netip.PrefixFrom(private, subnetPfx[subnet].Bits()))
			n.Routes = append(n.Routes,
				Route{Dst: host32(vres), Via: subnetGW[subnet]},
				Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: subnetGW[subnet]})
			n.VPC = v.Name
			n.Resolver = vres
		}
		// NAT gateways: SNAT to their private address, ports 1024-65535.
		natAddr := map[string]netip.Addr{}
		natSubnet := map[string]string{}
		for _, ng := range v.NATGateways {
			n := p.add(&Node{Name: ng.Name, Kind: KindNAT, Forward: true})
			inSubnet(n, ng.Subnet, addr(ng.PrivateIP))
			// A route to a NAT gateway that is not available is a
			// blackhole (VPC User Guide, "NAT gateways": the route's
			// status is blackhole); it falls to the default below.
			if ng.State == "" || ng.State == "available" {
				natAddr[ng.Name] = addr(ng.PrivateIP)
			}
			natSubnet[ng.Name] = ng.Subnet
			n.Tables = append(n.Tables, natTables(addr(ng.PrivateIP))...)
		}
		instAddr := map[string]netip.Addr{}
		instSubnet := map[string]string{}
		for _, in := range v.Instances {
			// EC2's source/destination check: an instance forwards what is
			// not addressed to it only with the check off (EC2 User Guide,
			// "Source/destination checks"); with it on, the kernel drops
			// such a packet as a host that does not forward does.
			fwd := !in.SrcDstCheck()
			n := p.add(&Node{Name: in.Name, Kind: KindInstance, Serves: true, Firewall: in.Firewall, Forward: fwd})
			inSubnet(n, in.Subnet, addr(in.PrivateIP))
			secondaryAddrs(n, in, subnetPfx[in.Subnet], hostAt) // hostdns.go
			instAddr[in.Name], instSubnet[in.Name] = addr(in.PrivateIP), in.Subnet
			n.Tables = append(n.Tables, sgTable(v, in.SecurityGroups, groupAddrs, lists, vres))
			if fwd {
				// What it forwards crosses its security groups (appliance_sg.go).
				n.Tables = append(n.Tables, applianceSGTable(v, in.SecurityGroups, groupAddrs, lists))
				if t := natInstanceTable(v, in); t != nil { // natinstance.go
					n.Tables = append(n.Tables, t)
				}
			}
			if hostAt[addr(in.PrivateIP)] == nil {
				hostAt[addr(in.PrivateIP)] = n
			}
		}
		nlbTable := nlbTableBase
		nlbTOS := map[string][]uint8{}
		for _, lb := range v.LoadBalancers {
			for ni, nd := range lb.Nodes {
				n := p.add(&Node{Name: LBNodeName(lb.Name, nd.Subnet), Kind: KindLBNode, Serves: true, PortRange: "1024 65535"})
				inSubnet(n, nd.Subnet, addr(nd.PrivateIP))
				var ports []int
				for _, li := range lb.Listeners {
					ports = append(ports, li.Port)
				}
				n.Tables = append(n.Tables, lbNodeTable(ports))
				if len(lb.SecurityGroups) > 0 || lb.Type != "network" {
					n.Tables = append(n.Tables, sgTable(v, lb.SecurityGroups, groupAddrs, lists, vres))
				}
				if lb.Type == "network" {
					n.Forward = true
					n.Tables = append(n.Tables, invisibleTable())
					// Replies of the targets come back through the node
					// that passed the connection on: the node marks the
					// packets it forwards with its TOS, the targets reflect
					// it, and the router sends what carries it to the node.
					tos := uint8(4 * (ni + 1))
					tbl := nlbTable
					nlbTable++
					r.Routes = append(r.Routes, Route{Table: tbl, Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: addr(nd.PrivateIP)})
					for _, tg := range lb.TargetGroups {
						for _, t := range tg.Targets {
							ta, ok := instAddr[t]
							if !ok {
								continue
							}
							tn := p.byName[t]
							tn.ReflectTOS = true
							// Even a client in the target's own subnet gets
							// the replies through the router, and so the node.
							if !tn.hasTable(nlbHostTable) {
								tn.Routes = append(tn.Routes, Route{Table: nlbHostTable, Dst: netip.MustParsePrefix("0.0.0.0/0"), Via: subnetGW[instSubnet[t]]})
							}
							tn.Rules = append(tn.Rules, Rule{Prio: 50, Mark: uint32(tos), Table: nlbHostTable})
							nlbTOS[t] = append(nlbTOS[t], tos)
							r.Rules = append(r.Rules, Rule{Prio: 50, IIF: subnetBr[instSubnet[t]], Src: host32(ta), Proto: 6, Sport: uint16(tg.Port), TOS: tos, Table: tbl})
						}
					}
				}
			}
		}

		for t, toses := range nlbTOS {
			p.byName[t].Tables = append(p.byName[t].Tables, nlbTargetTable(toses))
		}

		// Endpoints (endpoint.go): a gateway endpoint is a link from the
		// router to its service's namespace; an interface endpoint an
		// interface per subnet, linked to its service's namespace.
		gwEndpoint := map[string]netip.Addr{}
		for _, e := range v.Endpoints {
			srv := p.byName[e.Server]
			if srv == nil {
				continue
			}
			switch e.Type {
			case "gateway":
				if !endpointActive(e) {
					continue // its routes are blackholes
				}
				ra, sa := p.connect(r, fmt.Sprintf("ep%d", len(p.Links)+1), srv, fmt.Sprintf("ep%d", len(p.Links)+1), 0)
				srv.Routes = append(srv.Routes, Route{Dst: cidr.Masked(), Via: ra})
				gwEndpoint[e.Name] = sa
			case "interface":
				for _, i := range e.Interfaces {
					n := p.add(&Node{Name: EndpointNodeName(e.Name, i.Subnet), Kind: KindEndpoint, Forward: true, Tables: []*Table{invisibleTable()}})
					inSubnet(n, i.Subnet, addr(i.PrivateIP))
					na, sa := p.connect(n, "svc", srv, fmt.Sprintf("ep%d", len(p.Links)+1), 0)
					n.Routes = append(n.Routes, Route{Dst: host32(addr(srvIP(s, e.Server))), Via: sa})
					n.Tables = append(n.Tables, endpointTable(endpointActive(e), addr(i.PrivateIP), addr(srvIP(s, e.Server)), na,
						sgTable(v, e.SecurityGroups, groupAddrs, lists, vres)))
				}
			}
		}

		// Route tables: one table each, looked up for the subnets using it.
		rtIndex := map[string]int{}
		for ti, rt := range v.RouteTables {
			t := tableBase + ti
			rtIndex[rt.Name] = t
			hasDefault := false
			for sn, pfx := range subnetPfx {
				r.Routes = append(r.Routes, Route{Table: t, Dst: pfx, Dev: subnetBr[sn]})
			}
			r.Routes = append(r.Routes, Route{Table: t, Dst: host32(vres), Via: resR})
			r.Routes = append(r.Routes, Route{Table: t, Dst: cidr.Masked(), Blackhole: true})
			for _, rs := range hy.vpcRoutes(v, rt) { // with its VGW's propagated routes (tgw.go)
				dsts := lists[rs.Destination] // a prefix list: a route per CIDR
				if dsts == nil {
					dst, err := netip.ParsePrefix(rs.Destination)
					if err != nil {
						return nil, err
					}
					dsts = []netip.Prefix{dst.Masked()}
				}
				for _, dst := range dsts {
					if dst.Bits() == 0 {
						hasDefault = true
					}
					route := Route{Table: t, Dst: dst}
					switch {
					case gwEndpoint[rs.Target].IsValid():
						route.Via = gwEndpoint[rs.Target]
					case rs.Target == v.InternetGateway && igw != nil:
						route.Via = igwR
					case natAddr[rs.Target].IsValid():
						route.Via, route.Dev = natAddr[rs.Target], subnetBr[natSubnet[rs.Target]]
					case instAddr[rs.Target].IsValid():
						route.Via, route.Dev = instAddr[rs.Target], subnetBr[instSubnet[rs.Target]]
					case peerAddr[v.Name][rs.Target].IsValid():
						route.Via = peerAddr[v.Name][rs.Target]
					case hy.vpcRoute(v, rs.Target, &route): // a transit or virtual private gateway (tgw.go)
					default:
						// blackhole, a deleted or pending peering, a target
						// that does not exist: AWS shows the route as a
						// blackhole and drops.
						route.Blackhole = true
					}
					r.Routes = append(r.Routes, route)
				}
			}
			if !hasDefault {
				r.Routes = append(r.Routes, Route{Table: t, Dst: netip.MustParsePrefix("0.0.0.0/0"), Blackhole: true})
			}
		}
		for _, sn := range v.Subnets {
			if t, ok := rtIndex[sn.RouteTable]; ok {
				r.Rules = append(r.Rules, Rule{Prio: 100, IIF: subnetBr[sn.Name], Table: t})
			}
		}
		hy.zoneTables(p, v, r, rtIndex, subnetBr) // tgw.go
		// What arrives from gateways, peerings and the resolver goes by
		// the local route; nothing else.
		r.Routes = append(r.Routes, Route{Dst: netip.MustParsePrefix("0.0.0.0/0"), Blackhole: true})
		r.Tables = append(r.Tables, aclTable(v, subnetBr, vres))
		hy.attachmentACLs(v, r, subnetBr) // tgw.go
	}
	return p, nil
}
