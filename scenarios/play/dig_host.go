package play

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// A DNS server on a host of the world (a service with dns:, see
// simnet/secondary.go): dig @ADDR reaches it as a packet (DNSQuery, which
// also knows when its answer comes from another address than the one
// asked and never reaches dig), and the host answers as a recursive
// resolver or as the authoritative server of its zones.

// hostDNSReply fills r with the answer of the DNS server on the host at
// addr, once the query's packets got there and back (c). It reports
// false when no host there runs a DNS server.
func (s *Shell) hostDNSReply(ctx context.Context, r *dnsReply, addr netip.Addr, server, name string, qtype uint16, norec bool, c *tracer.Conn) (bool, error) {
	q := authQuery(name, qtype)
	q.RecursionDesired = !norec
	at := addr
	if at.IsLoopback() {
		// 127.0.0.1 is the host's own: its server answers there too
		// (bound to 0.0.0.0; the answer's source is 127.0.0.1 itself).
		if own, _, ok := s.hostNet(); ok {
			at = own
		}
	}
	m, err := s.world.HostDNS(ctx, at, q)
	if err != nil || m == nil {
		return false, err
	}
	r.msg, r.hops = m, c.Hops
	r.rtt = c.RTT
	if r.rtt < 1e6 {
		r.rtt = 1e6 // dig prints whole milliseconds; a query on the host's own network takes about one
	}
	r.serverAddr = fmt.Sprintf("%s#53", addr)
	r.serverText = fmt.Sprintf("%s#53(%s)", addr, orName(strings.TrimSpace(server), addr.String()))
	return true, nil
}

// secondaryAddrs are the current instance's secondary private addresses,
// which Linux holds on eth0 after the primary one.
func (s *Shell) secondaryAddrs() []netip.Addr {
	if s.spec == nil {
		return nil
	}
	in, _ := findInstanceSpec(s.spec, s.Host())
	if in == nil {
		return nil
	}
	var out []netip.Addr
	for _, x := range in.SecondaryPrivateIPs {
		if a, err := netip.ParseAddr(x); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// isSecondary reports whether a is a secondary address of the current
// instance.
func (s *Shell) isSecondary(a netip.Addr) bool {
	for _, x := range s.secondaryAddrs() {
		if x == a {
			return true
		}
	}
	return false
}

// serviceConfLinux writes a service's DNS role and reply source into its
// configuration, in unbound's words: what it serves, and whether it
// answers from the address asked (interface-automatic, IP_PKTINFO).
func serviceConfLinux(b *strings.Builder, sv spec.ServiceSpec) {
	if d := sv.DNS; d != nil {
		if d.Recursive {
			b.WriteString("forward-zone = . (the host's resolver, /etc/resolv.conf)\n")
		}
		for _, z := range d.Zones {
			fmt.Fprintf(b, "auth-zone = %s\n", strings.TrimSuffix(z, "."))
		}
	}
	if sv.DNS != nil || sv.ReplyFrom != "" {
		auto := "yes"
		if sv.ReplyFrom == spec.ReplyFromPrimary {
			auto = "no"
		}
		fmt.Fprintf(b, "interface-automatic = %s\n", auto)
	}
}
