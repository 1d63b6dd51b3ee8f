package simnet

import (
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	dnszone "github.com/pathlab/pathlab/simnet/zone"
	"github.com/pathlab/pathlab/tracer"
)

// World is a compiled, immutable world: the runtime form of a WorldSpec,
// with indexes for tracing. Many traces may read one World at once.
type World struct {
	spec        *spec.WorldSpec
	Name        string
	Description string
	Clock       time.Time

	hosts     map[string]*host // clients, servers and instances
	resolvers map[string]*resolver
	// internet holds the addresses reachable on the internet without a
	// gateway (clients, servers, resolvers); public holds those an internet
	// gateway maps into a VPC (instances, balancer nodes, NAT gateways).
	internet map[netip.Addr]*iface
	dns      dnsServers // the internet's DNS servers, built on first use
	public   map[netip.Addr]*iface
	vpcs     []*vpc
	vpcIndex map[string]*vpc
	zones    []*zone
	certs    map[string]*cert
	peerings map[string]*peering
	lbs      map[string]*lb
	sgs      map[string]*secGroup
	acls     map[string]*acl
	rts      map[string]*routeTable
	subnets  map[string]*subnet
	nats     map[string]*natGW
	// nameservers maps an authoritative server's address to the zones it
	// serves.
	nameservers map[netip.Addr]*nameserver
	kinds       map[string]string // resource name to kind, for show and completion
	warnings    []spec.Problem    // see Warnings
	// locateWarnings gives the warnings of a world read by the fast path
	// their line and column, once, when they are first asked for (see
	// Warnings); nil when they need nothing.
	locateWarnings func()
	warnOnce       sync.Once
	// healthChecks counts the health checks run, for the test that they
	// run once per World.
	healthChecks atomic.Int64
	// hy holds transit gateways, VPN, on-premises networks and endpoints
	// (hybrid.go).
	hy      hybrid
	lookups lookupCache // resolver walks, once per question (dnscache.go)
}

// Spec returns a deep copy of the spec the world was compiled from, to edit
// and compile anew.
func (w *World) Spec() *spec.WorldSpec { return w.spec.Clone() }

// Kind returns the kind of the named resource ("instance", "security-group",
// ...) or "".
func (w *World) Kind(name string) string { return w.kinds[name] }

// Names returns every resource name of the given kind, sorted; every name
// when kind is "".
func (w *World) Names(kind string) []string {
	var out []string
	for n, k := range w.kinds {
		if kind == "" || k == kind {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

type proto uint8

const (
	protoAll proto = iota
	protoTCP
	protoUDP
	protoICMP
)

func (p proto) String() string {
	switch p {
	case protoTCP:
		return "tcp"
	case protoUDP:
		return "udp"
	case protoICMP:
		return "icmp"
	}
	return "all"
}

// tracer is the protocol as the tracer names it ("" for all).
func (p proto) tracer() tracer.Proto {
	switch p {
	case protoTCP:
		return tracer.TCP
	case protoUDP:
		return tracer.UDP
	case protoICMP:
		return tracer.ICMP
	}
	return ""
}

type ifaceKind uint8

const (
	kindClient ifaceKind = iota
	kindServer
	kindResolver
	kindInstance
	kindLBNode
	kindNAT
	kindVPCResolver
	kindOnPrem   // a host on an on-premises network
	kindEndpoint // an interface endpoint's interface
	kindTGW      // a transit gateway's interface in an attachment subnet
)

func (k ifaceKind) String() string { return string(k.kind()) }

// kind is the tracer's kind for a hop at such an interface.
func (k ifaceKind) kind() tracer.Kind {
	return [...]tracer.Kind{tracer.KindClient, tracer.KindServer, tracer.KindResolver, tracer.KindInstance, tracer.KindLoadBalancer, tracer.KindNATGateway, tracer.KindVPCResolver,
		tracer.KindOnPremHost, tracer.KindEndpoint, tracer.KindTGWAttachment}[k]
}

// iface is an address something answers on.
type iface struct {
	name    string // the owning resource
	kind    ifaceKind
	vpc     *vpc    // nil on the internet
	subnet  *subnet // nil on the internet
	private netip.Addr
	public  netip.Addr // the internet gateway's mapping; zero when none
	sgs     []*secGroup
	host    *host // instances, servers, clients
	lb      *lb
	nat     *natGW
	onprem  *onPrem        // on-premises hosts
	ep      *vpcEndpoint   // interface endpoints
	att     *tgwAttachment // a transit gateway's interfaces
	ephLo   uint16         // the ephemeral source ports it uses for connections
	ephHi   uint16
	// secondary: an instance's secondary private addresses (secondary.go).
	secondary []netip.Addr
}

// addr is the address the interface sends from.
func (i *iface) addr() netip.Addr {
	if i.vpc == nil {
		return i.public
	}
	return i.private
}

type host struct {
	name     string
	iface    *iface
	services []*service
	firewall []fwRule
	resolver *resolver // clients: their resolver; nil for instances (the VPC resolver)
	// srcDstCheck: the instance drops traffic not addressed to it (on by
	// default, as EC2's source/destination check). Extension.
	srcDstCheck bool
}

type service struct {
	name    string
	proto   proto
	port    uint16
	loop    bool // bound to 127.0.0.1 only
	own     bool // bound to the host's own address (bind) only
	bind    netip.Addr
	running bool
	tls     *cert
	tlsName string // the certificate name as written, even if unknown
	http    map[string]int
	// replyPrimary: UDP answers leave from the primary address whatever
	// was asked; dns: a DNS server (secondary.go).
	replyPrimary bool
	dns          *hostDNS
}

type fwRule struct {
	index  int // 1-based, as iptables -L --line-numbers shows
	input  bool
	proto  proto
	lo, hi uint16
	src    netip.Prefix // zero: any
	dst    netip.Prefix
	action string // accept, drop, reject
	text   string
	rule   tracer.Rule
}

type resolver struct {
	name  string
	iface *iface
}

type vpc struct {
	name    string
	prefix  netip.Prefix
	igw     string
	subnets []*subnet
	ifaces  map[netip.Addr]*iface
	// peers are the VPCs of its active peerings, in the spec's order:
	// ifaceAt looks there, without iterating the world's peering map.
	peers     []*vpc
	resolver  *iface // base + 2
	private   []*zone
	instances []*host
	// dnsOff: enable_dns_support is false, the resolver does not answer;
	// noPrivateDNS: enable_dns_hostnames is false, private zones are not
	// answered (dnscheck.go).
	dnsOff, noPrivateDNS bool
}

type subnet struct {
	zone   string // the availability zone; "" when the file gives none
	name   string
	prefix netip.Prefix
	vpc    *vpc
	rt     *routeTable
	acl    *acl
}

type routeKind uint8

const (
	routeLocal routeKind = iota
	routeIGW
	routeNAT
	routePeering
	routeInstance
	routeBlackhole
	routeMissing // the target names nothing that exists (or an unattached gateway)
)

type route struct {
	dst     netip.Prefix
	target  string
	kind    routeKind
	nat     *natGW
	peering *peering
	inst    *iface
	text    string
	rule    tracer.Rule // the route as a value, for the hops it decides
}

type routeTable struct {
	name   string
	vpc    *vpc
	routes []route // longest prefix first; the implicit local route included
	// index finds the longest prefix match (routeindex.go); nil for a
	// small table.
	index *routeIndex
}

// lookup finds the longest prefix match.
func (rt *routeTable) lookup(a netip.Addr) (*route, bool) {
	if rt.index != nil {
		if i := rt.index.lookup(a); i >= 0 {
			return &rt.routes[i], true
		}
		return nil, false
	}
	for i := range rt.routes {
		if rt.routes[i].dst.Contains(a) {
			return &rt.routes[i], true
		}
	}
	return nil, false
}

type aclRule struct {
	num    int
	proto  proto
	lo, hi uint16
	cidr   netip.Prefix
	allow  bool
	text   string
	rule   tracer.Rule

	// icmpType and icmpCode narrow an ICMP rule, stored plus one: 0 is
	// any (icmp.go).
	icmpType, icmpCode int16
}

type acl struct {
	name    string
	ingress []aclRule // by rule number
	egress  []aclRule
	// denyIn and denyOut are the implicit deny (*) at the end of each
	// direction's rules.
	denyIn, denyOut tracer.Rule
}

// sgRule is a compiled security group rule: what a decision reads, and no
// more. Its words and its tracer.Rule are made when something asks for
// them (sgindex.go): a world may hold a million rules, and a trace names
// a handful.
//
// It holds no pointer, so that the garbage collector need not read the
// world's rules: its CIDR is an address and a length (prefix, setPrefix),
// its peer group an id.
type sgRule struct {
	addr   [16]byte // the CIDR's address (an IPv4 one as its last 4 bytes)
	bits1  uint8    // the CIDR's length plus one; 0 for none (a group rule)
	v6     bool     // the CIDR is IPv6
	proto  proto
	plist  bool  // one CIDR of a prefix list the rule names
	gid    int32 // the id plus one of the group the rule names; 0 for none
	src    int32 // the rule's index in its spec list
	lo, hi uint16

	// icmpType and icmpCode narrow an ICMP rule, stored plus one: 0 is
	// any (icmp.go).
	icmpType, icmpCode int16
}

type secGroup struct {
	name    string
	id      int32 // its place among the world's groups, for indexes
	vpc     *vpc
	ingress []sgRule
	egress  []sgRule
	// inIx and outIx find the first rule that allows a packet in a large
	// group (sgindex.go); nil for a small one, which is scanned.
	inIx, outIx *sgIndex
	// spec is the group as the world's spec holds it, for the rules'
	// words; cold holds their tracer.Rule values once asked for.
	spec *spec.SecurityGroupSpec
	cold sgCold
}

type natGW struct {
	name  string
	iface *iface
	state string // available, pending, failed, deleting, deleted
}

type lb struct {
	name      string
	alb       bool
	internal  bool
	vpc       *vpc
	sgs       []*secGroup
	nodes     []*iface
	listeners []*listener
	tgs       map[string]*targetGroup
	// crossZone is cross-zone load balancing; pools holds, per target
	// group, the targets each node may send to (zones.go).
	crossZone bool
	pools     map[*targetGroup][][]*host
}

func (l *lb) listener(port uint16) *listener {
	for _, li := range l.listeners {
		if li.port == port {
			return li
		}
	}
	return nil
}

type listener struct {
	port     uint16
	proto    string // http, https, tcp, tls
	cert     *cert
	certName string
	tg       *targetGroup
	redirect string
	// ruled: the listener has rules or a default action beyond forward
	// and the short redirect (listener_rules.go); nil costs nothing.
	ruled *listenerRules
}

type targetGroup struct {
	name    string
	proto   string
	port    uint16
	hcProto string
	hcPort  uint16
	hcPath  string
	matcher []statusRange
	targets []*host
	matchTx string
	hcRule  tracer.Rule // the health check as a rule, for its hops
	// health is each target's health as each node of the balancer sees
	// it ([node][target]), computed once (healthOnce).
	healthOnce sync.Once
	health     [][]healthResult
}

type statusRange struct{ lo, hi int }

type cert struct {
	name      string
	domains   []string
	notBefore time.Time
	notAfter  time.Time
	rule      tracer.Rule // "certificate NAME", for the hops that present it
}

type peering struct {
	name   string
	a, b   *vpc
	active bool
	status string
	mtu    int
}

// other returns the VPC across the peering from v.
func (p *peering) other(v *vpc) *vpc {
	if p.a == v {
		return p.b
	}
	if p.b == v {
		return p.a
	}
	return nil
}

type zone struct {
	name        string // fully qualified, lower case: "example.com."
	private     bool
	vpcs        []*vpc
	nameservers []nsRef
	delegation  []nsRef
	data        *dnszone.Zone           // the records, and the one lookup over them
	failover    map[string]*failoverSet // Route 53 failover records by owner (failover.go)
	simpleA     map[string]bool         // owners of A records without a routing policy (compile only)
}

type nsRef struct {
	name string // fqdn
	addr netip.Addr
}

// record is a record as the world file gives it, on its way to a dns.RR.
type record struct {
	name  string // fqdn
	rtype uint16
	value string // fqdn for names, text for TXT, address for A/AAAA
	ttl   uint32
}

type nameserver struct {
	name  string
	addr  netip.Addr
	zones map[string]bool // fqdn zone names it serves
}
