package simnet

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Secondary private addresses and DNS servers on hosts (issue 10,
// Build 2).
//
// An EC2 instance's primary interface may hold secondary private IPv4
// addresses besides its primary one (EC2 User Guide, "Multiple IP
// addresses"): they are in the interface's subnet, reach the instance
// through the same security groups, network ACL and routes, and Linux
// holds them all on eth0, so traffic from the instance to any of them
// goes over lo. The kernel sends from the primary address (the first on
// the interface) unless a socket is bound to another: `ip route get` of a
// secondary address says "local 10.0.10.31 dev lo src 10.0.10.21", so
// even over lo a server that answers from the route's source answers a
// query to the secondary address from the primary one.
//
// A UDP socket bound to 0.0.0.0 that does not ask for IP_PKTINFO (a naive
// server, unbound without interface-automatic) sends its answer from the
// address the route to the client picks: the primary one. A query to a
// secondary address is answered from the primary address; the client's
// socket, connected to the address it asked (dig 9.18 connects its UDP
// socket), never sees the answer: the kernel drops it (ICMP port
// unreachable), and dig says the server timed out. Security groups track
// connections by their addresses, so such an answer is not the reply of
// the tracked query either; the walk judges no group for it (whatever the
// groups say, the client's socket drops it: the fix is the server's).

// dnsServer is what a host's DNS service answers (ServiceSpec.DNS).
type hostDNS struct {
	recursive bool
	zones     []string // fully qualified, lower case
}

// secondaries places an instance's secondary private addresses: each in
// the instance's subnet, not reserved, and unused.
func (c *compiler) secondaries(path string, v *vpc, i *iface, ips []string) {
	for k, ip := range ips {
		p := fmt.Sprintf("%s.secondary_private_ips[%d]", path, k)
		a, ok := c.addr(p, ip, "secondary private IP")
		if !ok {
			continue
		}
		if !a.Is4() {
			c.errf(p, "secondary private IP %s: give an IPv4 address such as 10.0.10.30", ip)
			continue
		}
		if a == i.private {
			c.errf(p, "address %s is %s's primary private_ip already; a secondary address is another address of the subnet", a, i.name)
			continue
		}
		if sn := i.subnet; sn != nil && sn.prefix.IsValid() {
			if !sn.prefix.Contains(a) {
				c.errf(p, "address %s is outside subnet %s (%s): secondary addresses belong to the instance's subnet", a, sn.name, sn.prefix)
				continue
			}
			if off := addrOffset(sn.prefix.Addr(), a); off < 4 || a == lastAddr(sn.prefix) {
				c.errf(p, "address %s is reserved in subnet %s (the first four and the last address are AWS's)", a, sn.name)
				continue
			}
		}
		if prev, dup := v.ifaces[a]; dup {
			if prev == i {
				c.errf(p, "address %s is listed twice for %s", a, i.name)
			} else {
				c.errf(p, "address %s is already used by %s", a, prev.name)
			}
			continue
		}
		v.ifaces[a] = i
		i.secondary = append(i.secondary, a)
	}
}

// isSecondary reports whether a is one of i's secondary addresses.
func (i *iface) isSecondary(a netip.Addr) bool {
	for _, s := range i.secondary {
		if s == a {
			return true
		}
	}
	return false
}

// serviceLinux compiles a service's dns and reply_from.
func (c *compiler) serviceLinux(p svcPath, sv *service, ss spec.ServiceSpec) {
	switch ss.ReplyFrom {
	case "", spec.ReplyFromAsked:
	case spec.ReplyFromPrimary:
		if sv.proto != protoUDP {
			c.errf(p.String()+".reply_from", "reply_from applies to udp services: a TCP connection always answers from the address it was opened to")
		}
		sv.replyPrimary = true
	default:
		c.errf(p.String()+".reply_from", "reply_from %q: want %s (answers leave from the address asked, the default) or %s (from the primary address, as a socket on 0.0.0.0 without IP_PKTINFO does)", ss.ReplyFrom, spec.ReplyFromAsked, spec.ReplyFromPrimary)
	}
	d := ss.DNS
	if d == nil {
		return
	}
	if sv.proto != protoUDP || sv.port != 53 {
		c.errf(p.String()+".dns", "a DNS server is a udp service on port 53; set protocol: udp and port: 53")
	}
	if d.Recursive == (len(d.Zones) > 0) {
		c.errf(p.String()+".dns", "dns: give either recursive: true (forward to the host's own resolver) or zones: [NAME, ...] (authoritative for those zones of the world)")
	}
	hd := &hostDNS{recursive: d.Recursive}
	for k, z := range d.Zones {
		name := fqdn(z)
		hd.zones = append(hd.zones, name)
		zp := fmt.Sprintf("%s.dns.zones[%d]", p, k)
		c.later = append(c.later, func() {
			for _, wz := range c.w.zones {
				if wz.name == name {
					return
				}
			}
			c.errf(zp, "zone %q is not a zone of this world; declare it under dns.zones", z)
		})
	}
	sv.dns = hd
}

// strayReply is called before a UDP service's answer leaves dst: when the
// service answers from the primary address and the query went to a
// secondary one, the answer's source becomes the primary address, and the
// hop that explains why the client never takes it is recorded.
func (t *walk) strayReply(dst *iface, asked *pkt, st *conn, r *pkt) {
	if st == nil || st.svc == nil || !st.svc.replyPrimary || asked.proto != protoUDP || !dst.isSecondary(asked.dst) {
		return
	}
	r.src, r.stray = dst.private, true
	t.cur = r
	what := "its answer"
	if st.svc.dns != nil {
		what = "its DNS answer"
	}
	t.blockAt(dst.name, tracer.KindSocket, "", r, tracer.ReplyFromUnexpectedSource,
		fmt.Sprintf("service %s listens on 0.0.0.0:%d without IP_PKTINFO, so %s to %s leaves from %s, the address the route picks (the primary), not from %s, the address asked: the client's socket is connected to %s:%d and the kernel drops the answer (ICMP port unreachable); the client times out. A server answers from the address asked with IP_PKTINFO (unbound: interface-automatic: yes) or a socket per address",
			st.svc.name, st.svc.port, what, asked.src, dst.private, asked.dst, asked.dst, asked.dport),
		nil, spec.ServiceEdit{Host: dst.name, Service: st.svc.name, Op: "reply-from", ReplyFrom: spec.ReplyFromAsked}, "")
}

// HostDNS answers q as the DNS service of the host at addr would, seen
// from any client (the packets are walked by DNSQuery): nil when no host
// there runs a DNS server (a service with dns) on udp/53.
func (w *World) HostDNS(ctx context.Context, addr netip.Addr, q *dns.Msg) (*dns.Msg, error) {
	h := w.hostAt(addr)
	if h == nil || len(q.Question) != 1 {
		return nil, nil
	}
	var hd *hostDNS
	for _, s := range h.services {
		if s.proto == protoUDP && s.port == 53 && s.running && s.dns != nil {
			hd = s.dns
		}
	}
	if hd == nil {
		return nil, nil
	}
	question := q.Question[0]
	if hd.recursive {
		n := &Net{w: w, from: h.iface}
		ans, err := n.Resolve(ctx, question.Name, question.Qtype)
		if err != nil {
			return nil, err
		}
		if ans.Msg == nil {
			m := new(dns.Msg)
			m.SetRcode(q, dns.RcodeServerFailure)
			m.RecursionAvailable = true
			return m, nil
		}
		m := ans.Msg.Copy()
		m.Id = q.Id
		m.RecursionAvailable = true
		return m, nil
	}
	name := strings.ToLower(question.Name)
	for _, z := range w.zones { // longest first
		for _, zn := range hd.zones {
			if z.name == zn && z.data.Contains(name) {
				m := z.data.Reply(q)
				m.Id = q.Id
				return m, nil
			}
		}
	}
	m := new(dns.Msg)
	m.SetRcode(q, dns.RcodeRefused)
	return m, nil
}

// hostAt is the host that holds addr (a primary, secondary or internet
// address), or nil.
func (w *World) hostAt(addr netip.Addr) *host {
	if i := w.internet[addr]; i != nil {
		return i.host
	}
	for _, v := range w.vpcs {
		if i := v.ifaces[addr]; i != nil {
			return i.host
		}
	}
	return nil
}

// Addrs returns the private (or internet) addresses of the named host:
// the primary first, then its secondary addresses.
func (w *World) Addrs(name string) []netip.Addr {
	h := w.hosts[name]
	if h == nil || h.iface == nil {
		return nil
	}
	return append([]netip.Addr{h.iface.addr()}, h.iface.secondary...)
}
