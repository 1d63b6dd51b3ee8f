package play

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// rootServer is the root server dig +trace asks first.
var rootServer = netip.MustParseAddr("198.41.0.4")

// serverAddr finds the address of dig's @NAME as dig does: it asks the
// host's own resolver first, and stops when the name does not resolve.
func (s *Shell) serverAddr(ctx context.Context, n *simnet.Net, name string) (netip.Addr, error) {
	ans, err := n.Resolve(ctx, name, dns.TypeA)
	if err != nil || len(ans.Addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("couldn't get address for '%s': not found", name)
	}
	return ans.Addrs[0], nil
}

// dnsBlocked walks a query to server as a packet (the VPC resolver is
// reached without filters; every other server is not) and, when it is
// lost or refused on the way, prints dig's complaint and reports true.
func (s *Shell) dnsBlocked(ctx context.Context, n *simnet.Net, server netip.Addr, b *strings.Builder, short bool) bool {
	if !server.IsValid() {
		return false
	}
	c, err := n.DNSQuery(ctx, server)
	if err != nil || c.State == tracer.ConnOpen {
		return false
	}
	// dig +trace asks the root without recursion; the caller fills in the
	// question so that tcpdump shows the queries.
	s.last = &lastRequest{what: fmt.Sprintf("dig @%s", server), from: s.Host(), hops: c.Hops, world: s.world,
		dns: &lastDNS{server: fmt.Sprintf("%s#53", server), failed: true, refused: c.State != tracer.ConnTimeout, tries: 3, when: s.now(), norec: true}}
	if c.State == tracer.ConnTimeout {
		s.timedOut(b, server, short)
		return true
	}
	// An ICMP error: dig says the connection was refused, three times.
	for range 3 {
		fmt.Fprintf(b, ";; communications error to %s#53: connection refused\n", server)
	}
	if !short {
		b.WriteString("\n")
	}
	b.WriteString(";; no servers could be reached\n")
	return true
}

// traceBlocked prints what dig +trace prints when the root is out of
// reach: the root's NS records from the host's resolver, then silence.
func (s *Shell) traceBlocked(ctx context.Context, b *strings.Builder) bool {
	nw, err := s.net()
	if err != nil {
		return false
	}
	n, ok := nw.(*simnet.Net)
	if !ok {
		return false
	}
	var probe strings.Builder
	if !s.dnsBlocked(ctx, n, rootServer, &probe, true) {
		return false
	}
	resolver := s.resolverAddr(s.ownResolver())
	if in, v := findInstanceSpec(s.spec, s.Host()); in != nil {
		resolver = s.resolverAddr(v.Name + "-resolver")
	}
	fmt.Fprintf(b, ".\t\t\t518400\tIN\tNS\ta.root-servers.net.\n.\t\t\t518400\tIN\tNS\tb.root-servers.net.\n")
	fmt.Fprintf(b, ";; Received 239 bytes from %s#53(%s) in 24 ms\n\n", resolver, resolver)
	b.WriteString(probe.String())
	return true
}
