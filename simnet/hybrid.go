package simnet

import (
	"net/netip"

	"github.com/pathlab/pathlab/tracer"
)

// Runtime forms of the issue-11 constructs: transit gateways, VPN,
// on-premises networks, VPC endpoints and prefix lists. The engine's steps
// over them live in tgw.go, vpn.go and endpoint.go.

// hybrid holds the compiled constructs of a world, beside World's own
// indexes (one field on World, so that the big struct stays as it was).
type hybrid struct {
	prefixLists map[string]*prefixList
	tgws        map[string]*tgw
	tgwTables   map[string]*tgwTable
	atts        map[string]*tgwAttachment
	vgws        map[string]*vgw
	vpns        map[string]*vpnConn
	onprems     []*onPrem
	onpremAddrs map[netip.Addr]*iface
	endpoints   map[string]*vpcEndpoint
	zones       map[*subnet]string // each subnet's availability zone
}

type prefixList struct {
	name  string
	cidrs []netip.Prefix
}

type tgw struct {
	name   string
	atts   []*tgwAttachment
	vpcAtt map[*vpc]*tgwAttachment
}

type tgwAttachment struct {
	name      string
	tgw       *tgw
	vpc       *vpc
	subnets   []*subnet // one per zone
	enis      []*iface  // the gateway's interface in each subnet
	vpn       *vpnConn
	appliance bool
	state     string
	active    bool
	table     *tgwTable // the association
}

// inZone returns the attachment's subnet in zone z, or -1.
func (a *tgwAttachment) inZone(w *World, z string) int {
	for i, sn := range a.subnets {
		if w.hy.zones[sn] == z {
			return i
		}
	}
	return -1
}

type tgwRoute struct {
	dst        netip.Prefix
	att        *tgwAttachment // nil for a blackhole
	blackhole  bool
	propagated bool
	text       string
	rule       tracer.Rule
}

type tgwTable struct {
	name   string
	tgw    *tgw
	routes []tgwRoute // longest prefix first; static before propagated
}

func (t *tgwTable) lookup(a netip.Addr) *tgwRoute {
	for i := range t.routes {
		if t.routes[i].dst.Contains(a) {
			return &t.routes[i]
		}
	}
	return nil
}

type vgw struct {
	name  string
	vpc   *vpc
	conns []*vpnConn
}

type vpnConn struct {
	name    string
	cgw     string
	onprem  *onPrem
	vgw     *vgw
	att     *tgwAttachment // a transit gateway's VPN attachment
	routes  []netip.Prefix // the on-premises prefixes sent into the tunnels
	tunnels []bool         // up
	mtu     int
	state   string
	active  bool
}

// up returns the number (1-based) of the first tunnel that is up, 0 when
// none is.
func (c *vpnConn) up() int {
	if !c.active {
		return 0
	}
	for i, u := range c.tunnels {
		if u {
			return i + 1
		}
	}
	return 0
}

// carries reports whether the connection sends a to the on-premises side.
func (c *vpnConn) carries(a netip.Addr) bool {
	for _, p := range c.routes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type onPrem struct {
	name   string
	cidrs  []netip.Prefix
	cgw    string
	cgwIP  netip.Addr
	hosts  map[netip.Addr]*iface
	vpns   []*vpnConn
	native bool
}

func (o *onPrem) contains(a netip.Addr) bool {
	for _, p := range o.cidrs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type vpcEndpoint struct {
	name       string
	gateway    bool
	service    string // the service's DNS name or short name
	server     *host
	vpc        *vpc
	list       *prefixList
	ifaces     []*iface
	privateDNS bool
	state      string
	active     bool
}

// smallLink is a link whose MTU is below 1500 that a conversation crossed:
// a peering or a VPN tunnel. Large packets meet it (MTU_BLACKHOLE).
type smallLink struct {
	name string
	kind tracer.Kind
	what string // "peering", "VPN connection"
	mtu  int
}

func (p *peering) link() *smallLink {
	return &smallLink{name: p.name, kind: tracer.KindPeering, what: "peering", mtu: p.mtu}
}
