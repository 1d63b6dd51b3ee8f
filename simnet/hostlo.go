package simnet

import (
	"fmt"
	"net/netip"

	"github.com/pathlab/pathlab/tracer"
)

// Linux semantics on a host. Traffic from a host to one of its own
// addresses (127.0.0.0/8, or the address of its own interface) never
// leaves it: the kernel routes it through the loopback device (the local
// routing table), so no security group, network ACL or route table sees
// it. The host firewall does: iptables runs OUTPUT, then INPUT, for
// packets on lo as for any other. A socket bound to one address is
// reachable only at that address: a service on 127.0.0.1 refuses the
// host's own private address, and one bound to the private address
// refuses 127.0.0.1.

// ownAddr reports whether a is an address of the host i belongs to, so
// that traffic to it goes over lo.
func ownAddr(i *iface, a netip.Addr) bool {
	if i == nil || i.host == nil {
		return false
	}
	return a.IsLoopback() || (i.private.IsValid() && a == i.private) || i.isSecondary(a)
}

// dialLocal walks a packet from a host to one of its own addresses over
// lo: the output chain, the input chain, then the socket.
func (n *Net) dialLocal(t *walk, p *pkt, st *conn, c *tracer.Conn) {
	src := n.from
	if p.dst.IsLoopback() {
		p.src = p.dst // the kernel picks 127.0.0.1 as the source on lo
	}
	c.Local = netip.AddrPortFrom(p.src, p.sport)
	st.local = c.Local
	st.dst, st.target, st.seen = src, src.host, p.src
	if !t.quiet {
		t.add(tracer.Hop{Component: src.name, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActForward, Code: tracer.RouteMatch,
			Detail: fmt.Sprintf("%s is an address of %s itself: the kernel delivers over lo, and no security group, network ACL or route table sees it", p.dst, src.name)})
	}
	accepted := false
	if len(src.host.firewall) > 0 {
		t.hostFirewall(src, p, false)
		t.hostFirewall(src, p, true)
	}
	if p.proto == protoICMP {
		if t.first == "" {
			t.add(tracer.Hop{Component: src.name, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActAccept, Code: tracer.Received,
				Detail: "echo request on lo; the kernel answers with an echo reply"})
		}
		accepted = true
	} else if t.first == "" {
		accepted = t.socket(src, p, st)
		if accepted {
			// A secondary address's local route has the primary address
			// as its source, so the answer of a server that replies from
			// the route's source comes from there (secondary.go).
			t.strayReply(src, p, st, &pkt{proto: p.proto, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, reply: true})
		}
	}
	n.finish(t, c, st, accepted)
}
