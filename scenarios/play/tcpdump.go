package play

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// lastRequest is what the last observing command sent, kept for tcpdump.
type lastRequest struct {
	what   string
	from   string
	target tracer.Target // zero for ping and dig
	icmp   bool
	count  int // echo requests, for ping
	hops   []tracer.Hop
	conn   *tracer.Conn
	status int
	world  *simnet.World // as it was when the request ran
	dns    *lastDNS      // set for dig, host and nslookup
}

// captureAddrs lists every address a capture point owns, and notes what
// kind it is.
func captureAddrs(spec *spec.WorldSpec, name string) []netip.Addr {
	var out []netip.Addr
	add := func(ip string) {
		if a, err := netip.ParseAddr(ip); err == nil {
			out = append(out, a)
		}
	}
	for _, c := range spec.Internet.Clients {
		if c.Name == name {
			add(c.IP)
		}
	}
	for _, c := range spec.Internet.Servers {
		if c.Name == name {
			add(c.IP)
		}
	}
	for _, v := range spec.VPCs {
		for _, in := range v.Instances {
			if in.Name == name {
				add(in.PrivateIP)
				add(in.PublicIP)
				for _, x := range in.SecondaryPrivateIPs { // tcpdump on eth0 sees them too
					add(x)
				}
			}
		}
		for _, l := range v.LoadBalancers {
			if l.Name == name {
				for _, n := range l.Nodes {
					add(n.PrivateIP)
					add(n.PublicIP)
				}
			}
		}
		for _, n := range v.NATGateways {
			if n.Name == name {
				add(n.PrivateIP)
				add(n.PublicIP)
			}
		}
	}
	return out
}

// flowKey names one packet of a conversation.
type flowKey struct {
	proto      string
	src, dst   netip.Addr
	sport, dpt uint16
}

type viewPkt struct {
	flowKey
	reply  bool
	lo, hi uint16
}

// parseView reads a packet view's summary: "tcp A:p → B:q", "tcp A:p →
// B:lo-hi" (a reply to an ephemeral range) or "icmp A → B", the form a
// view has when its packet could not be built; else tcpdump's own line.
func parseView(sum string) (viewPkt, bool) {
	if strings.HasPrefix(sum, "IP ") {
		return parseTcpdumpView(sum)
	}
	var p viewPkt
	f := strings.Fields(sum)
	if len(f) != 4 || f[2] != "→" {
		return p, false
	}
	p.proto = f[0]
	if p.proto == "icmp" {
		a, err1 := netip.ParseAddr(f[1])
		b, err2 := netip.ParseAddr(f[3])
		p.src, p.dst = a, b
		return p, err1 == nil && err2 == nil
	}
	src, err := netip.ParseAddrPort(f[1])
	if err != nil {
		return p, false
	}
	p.src, p.sport = src.Addr(), src.Port()
	host, port, ok := strings.Cut(f[3], ":")
	if i := strings.LastIndexByte(f[3], ':'); i > 0 {
		host, port, ok = f[3][:i], f[3][i+1:], true
	}
	if !ok {
		return p, false
	}
	dst, err := netip.ParseAddr(host)
	if err != nil {
		return p, false
	}
	p.dst = dst
	lo, hi, isRange := strings.Cut(port, "-")
	l, err := strconv.Atoi(lo)
	if err != nil {
		return p, false
	}
	p.dpt, p.lo, p.hi = uint16(l), uint16(l), uint16(l)
	if isRange {
		h, err := strconv.Atoi(hi)
		if err != nil {
			return p, false
		}
		p.hi = uint16(h)
	}
	return p, true
}

// hostKinds are the hops where a packet is at a host's own interface.
var hostKinds = []tracer.Kind{tracer.KindClient, tracer.KindServer, tracer.KindInstance, tracer.KindSocket, tracer.KindHostFirewall, tracer.KindLoadBalancer, tracer.KindNATGateway, tracer.KindResolver, tracer.KindVPCResolver, tracer.KindService}

// renderCapture turns a request's hops into tcpdump -nn lines as seen at
// a capture point: packets that reached one of its addresses, or that it
// sent. A packet a filter dropped before it arrived is not seen; one the
// host's own firewall dropped is (tcpdump sees it before iptables).
func renderCapture(hops []tracer.Hop, at string, addrs []netip.Addr, start time.Time) ([]string, []string, []capPacket) {
	own := func(a netip.Addr) bool { return slices.Contains(addrs, a) }
	var lines, notes []string
	var pkts []capPacket
	lost := map[flowKey]bool{}
	ports := map[[3]string]uint16{} // (server, server port, client) → client port
	seen := map[string]bool{}
	t := start
	emit := func(p viewPkt, flags string) {
		key := fmt.Sprintf("%v %s", p.flowKey, flags)
		if seen[key] {
			return
		}
		seen[key] = true
		t = t.Add(312 * time.Microsecond)
		lines = append(lines, t.UTC().Format("15:04:05.000000")+" "+tcpdumpLine(p, flags))
		cp := capPacket{proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dpt, ports: p.proto != "icmp"}
		if flags == "icmp-unreach" {
			cp = capPacket{proto: "icmp", src: p.src, dst: p.dst}
		}
		pkts = append(pkts, cp)
	}
	var cur *viewPkt
	for _, h := range hops {
		if h.Packet == nil {
			continue
		}
		p, ok := parseView(h.Packet.Summary)
		if !ok {
			continue
		}
		if p.reply = h.Direction == tracer.Return; p.reply && p.lo != p.hi {
			if cp, ok := ports[[3]string{p.src.String(), fmt.Sprint(p.sport), p.dst.String()}]; ok {
				p.dpt = cp
			}
		}
		if !p.reply && p.proto != "icmp" {
			ports[[3]string{p.dst.String(), fmt.Sprint(p.dpt), p.src.String()}] = p.sport
		}
		mirror := flowKey{proto: p.proto, src: p.dst, dst: p.src, sport: p.dpt, dpt: p.sport}
		if p.reply && lost[mirror] {
			continue
		}
		flags := "S"
		if p.reply {
			flags = "S."
		}
		cur = &p
		atHost := h.Component == at && slices.Contains(hostKinds, h.Kind)
		switch {
		case h.Blocks && (h.Code == tracer.PortClosed || h.Code == tracer.ServiceDown || h.Code == tracer.BoundToLoopback):
			if own(p.dst) || atHost {
				emit(p, flags)
				rst := viewPkt{flowKey: mirror, reply: true}
				if p.proto == "udp" {
					emit(rst, "icmp-unreach")
				} else {
					emit(rst, "R.")
				}
			}
			lost[p.flowKey] = true
		case h.Blocks && h.Code == tracer.HostFirewallReject:
			if own(p.dst) || atHost {
				emit(p, flags)
				emit(viewPkt{flowKey: mirror, reply: true}, "icmp-unreach")
			}
			lost[p.flowKey] = true
		case h.Blocks && h.Code == tracer.HostFirewallDrop:
			if atHost && h.Direction == tracer.Forward && own(p.dst) {
				emit(p, flags) // seen on the wire, then dropped by iptables
			}
			lost[p.flowKey] = true
		case h.Blocks:
			if own(p.src) && !lost[p.flowKey] {
				emit(p, flags) // it left, and was lost on the way
			}
			lost[p.flowKey] = true
		case lost[p.flowKey]:
		case atHost || own(p.src) || own(p.dst) && atHost:
			emit(p, flags)
		}
	}
	_ = cur
	if len(lines) == 0 {
		notes = append(notes, fmt.Sprintf("no packet of this request reached %s or left it", at))
	}
	return lines, notes, pkts
}

// tcpdumpLine prints a packet as tcpdump -nn does.
func tcpdumpLine(p viewPkt, flags string) string {
	switch {
	case p.proto == "icmp":
		what := "echo request"
		if p.reply {
			what = "echo reply"
		}
		return fmt.Sprintf("IP %s > %s: ICMP %s, id 1, seq 1, length 64", p.src, p.dst, what)
	case flags == "icmp-unreach":
		return fmt.Sprintf("IP %s > %s: ICMP %s %s port %d unreachable, length 68", p.src, p.dst, p.src, p.proto, p.sport)
	case p.proto == "udp":
		return fmt.Sprintf("IP %s.%d > %s.%d: UDP, length 32", p.src, p.sport, p.dst, p.dpt)
	}
	switch flags {
	case "S":
		return fmt.Sprintf("IP %s.%d > %s.%d: Flags [S], seq 1828167567, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0", p.src, p.sport, p.dst, p.dpt)
	case "S.":
		return fmt.Sprintf("IP %s.%d > %s.%d: Flags [S.], seq 2197521843, ack 1828167568, win 65160, options [mss 1460,sackOK,TS val 1 ecr 1,nop,wscale 7], length 0", p.src, p.sport, p.dst, p.dpt)
	case "R.":
		return fmt.Sprintf("IP %s.%d > %s.%d: Flags [R.], seq 0, ack 1828167568, win 0, length 0", p.src, p.sport, p.dst, p.dpt)
	}
	return fmt.Sprintf("IP %s.%d > %s.%d: Flags [%s], length 0", p.src, p.sport, p.dst, p.dpt, flags)
}
