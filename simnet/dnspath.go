package simnet

import (
	"context"
	"net/netip"
	"sort"
	"sync"

	"github.com/pathlab/pathlab/tracer"
)

// DNS servers are hosts on the internet like any other. A query to any
// server but the VPC resolver is a packet (udp/53) that security groups,
// network ACLs, routes and host firewalls see; only the VPC resolver is
// reached without them (WORLD-FORMAT.md rule 6). The authoritative servers
// a world's zones name, and the root and top-level-domain servers that
// dig +trace asks, answer on the internet of every world.

// InternetDNS are the root and top-level-domain servers every world's
// internet holds, by address: what dig +trace asks before the world's own
// zones.
var InternetDNS = map[netip.Addr]string{
	netip.MustParseAddr("198.41.0.4"):  "a.root-servers.net.",
	netip.MustParseAddr("192.5.6.30"):  "a.gtld-servers.net.",
	netip.MustParseAddr("199.19.56.1"): "a0.org.afilias-nst.info.",
	netip.MustParseAddr("192.0.32.53"): "a.nic.",
}

// dnsServers holds the internet's DNS servers that are not declared as
// resolvers: built once per world, on first use (a World is immutable).
type dnsServers struct {
	once sync.Once
	m    map[netip.Addr]*iface
}

// dnsServer returns the internet DNS server at a, or nil.
func (w *World) dnsServer(a netip.Addr) *iface {
	w.dns.once.Do(func() {
		w.dns.m = map[netip.Addr]*iface{}
		add := func(a netip.Addr, name string) {
			if _, taken := w.internet[a]; taken || w.public[a] != nil || !a.IsValid() {
				return
			}
			w.dns.m[a] = &iface{name: name, kind: kindResolver, public: a, ephLo: 32768, ephHi: 60999}
		}
		for a, name := range InternetDNS {
			add(a, name)
		}
		addrs := make([]netip.Addr, 0, len(w.nameservers))
		for a := range w.nameservers {
			addrs = append(addrs, a)
		}
		sort.Slice(addrs, func(i, j int) bool { return addrs[i].Less(addrs[j]) })
		for _, a := range addrs {
			add(a, w.nameservers[a].name)
		}
	})
	return w.dns.m[a]
}

// DNSQuery walks a DNS query (udp/53) from the vantage point to server and
// its reply back, as any packet: the returned connection is open when the
// reply arrives, timed out when a filter or a missing route lost either,
// unreachable when something answered with an ICMP error. Its hops say
// why.
func (n *Net) DNSQuery(ctx context.Context, server netip.Addr) (*tracer.Conn, error) {
	return n.Dial(ctx, tracer.UDP, netip.AddrPortFrom(server, 53))
}
