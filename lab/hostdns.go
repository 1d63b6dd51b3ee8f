package lab

import (
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Secondary private addresses and DNS servers on instances (issue 10;
// simnet/secondary.go is the simulation's side). An instance's secondary
// addresses are added to its eth0 after the primary one, so the kernel
// marks them secondary and picks the primary as the source of what the
// host sends, as on EC2. A UDP service answers either from the route's
// source (reply_from: primary: one socket on 0.0.0.0 that writes with
// WriteTo and no IP_PKTINFO, as a naive server does) or from the address
// asked (the default: a socket per address, as unbound's interface: lines
// do). A service with dns: answers DNS queries (recursive: forwarded to
// the VPC resolver; zones: from the world's zones) and echoes anything
// else, as the lab's other UDP services do.

// secondaryAddrs adds in's secondary addresses to node n's eth0.
func secondaryAddrs(n *Node, in spec.InstanceSpec, pfx netip.Prefix, hostAt map[netip.Addr]*Node) {
	for _, s := range in.SecondaryPrivateIPs {
		a := addr(s)
		eth := n.iface("eth0")
		eth.Addrs = append(eth.Addrs, netip.PrefixFrom(a, pfx.Bits()))
		if hostAt[a] == nil {
			hostAt[a] = n
		}
	}
}

// instanceServices starts an instance's services: the UDP ones whose
// reply source matters or that speak DNS here, the others as any host's.
func (sv *servers) instanceServices(v *spec.VPCSpec, in spec.InstanceSpec) error {
	var rest []spec.ServiceSpec
	for _, svc := range in.Services {
		if !svc.IsRunning() || protoOf(svc.Protocol) != "udp" || (svc.DNS == nil && len(in.SecondaryPrivateIPs) == 0) {
			rest = append(rest, svc)
			continue
		}
		h := sv.udpAnswer(v, svc)
		addrs := []string{bindAddr(svc.Bind, svc.Port)}
		all := svc.Bind == "" || svc.Bind == "0.0.0.0" || svc.Bind == "*"
		if all && svc.ReplyFrom != spec.ReplyFromPrimary && len(in.SecondaryPrivateIPs) > 0 {
			// Answers from the address asked: a socket per address.
			addrs = addrs[:0]
			for _, a := range append([]string{"127.0.0.1", in.PrivateIP}, in.SecondaryPrivateIPs...) {
				addrs = append(addrs, net.JoinHostPort(a, strconv.Itoa(svc.Port)))
			}
		}
		for _, a := range addrs {
			pc, err := net.ListenPacket("udp4", a)
			if err != nil {
				return err
			}
			go serveUDP(pc, h)
		}
	}
	return sv.services(rest)
}

// serveUDP answers each datagram with h's answer, written with WriteTo:
// its source is the socket's address, or the route's for 0.0.0.0.
func serveUDP(pc net.PacketConn, h func([]byte) []byte) {
	buf := make([]byte, 65536)
	for {
		n, a, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if out := h(buf[:n]); out != nil {
			pc.WriteTo(out, a)
		}
	}
}

// udpAnswer is what a UDP service answers a datagram with.
func (sv *servers) udpAnswer(v *spec.VPCSpec, svc spec.ServiceSpec) func([]byte) []byte {
	d := svc.DNS
	if d == nil {
		return func(b []byte) []byte { return append([]byte(nil), b...) }
	}
	var zones []*zoneData
	for _, zn := range d.Zones {
		for _, z := range sv.w.DNS.Zones {
			if fq(z.Name) == fq(zn) {
				zones = append(zones, buildZone(sv.w, z))
			}
		}
	}
	var vres netip.Addr
	if p, err := netip.ParsePrefix(v.CIDR); err == nil {
		b := p.Masked().Addr().As4()
		b[3] += 2
		vres = netip.AddrFrom4(b)
	}
	return func(b []byte) []byte {
		q := new(dns.Msg)
		if q.Unpack(b) != nil || q.Response || len(q.Question) != 1 {
			return append([]byte(nil), b...) // not a query: echoed
		}
		m := new(dns.Msg)
		m.SetReply(q)
		if d.Recursive {
			m.RecursionAvailable = true
			c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
			if r, _, err := c.Exchange(q, netip.AddrPortFrom(vres, 53).String()); err == nil && r != nil {
				r.Id = q.Id
				m = r
			} else {
				m.Rcode = dns.RcodeServerFailure
			}
		} else {
			name := fq(q.Question[0].Name)
			var best *zoneData
			for _, z := range zones {
				if inZone(name, z.name) && (best == nil || len(z.name) > len(best.name)) {
					best = z
				}
			}
			if best == nil {
				m.Rcode = dns.RcodeRefused
			} else {
				best.answer(m, name, q.Question[0].Qtype)
			}
		}
		out, err := m.Pack()
		if err != nil {
			return nil
		}
		return out
	}
}
