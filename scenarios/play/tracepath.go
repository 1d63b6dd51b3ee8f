package play

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// tracepath, as iputils' tracepath (20221126, Debian 12) prints it. Its
// probes start at 65535 bytes with DF set: the host's own interface
// refuses them first ([LOCALHOST] pmtu N, unless the interface takes
// 65535 bytes, as lo does), then a router whose next link is smaller
// answers fragmentation needed (ADDR ... pmtu N), and the TTL is probed
// again with the smaller size. A TTL whose size changed while it was
// probed is probed once more, which is why the first hop usually shows
// twice.
//
// In a world, an instance's eth0 has MTU 9001 (jumbo frames) and the VPC
// carries 9001; traffic over an internet gateway or a VPN connection is
// limited to 1500 (EC2 User Guide, "Network maximum transmission unit
// (MTU) for your EC2 instance", whose tracepath example shows the VPC
// router answering pmtu 1500 at the first hop). Through a NAT gateway,
// the NAT gateway (a hop of the path) is the router before the 1500-byte
// link, as a Linux router would be.

// tpLimit is a link on the path smaller than what comes before it: the
// router before it answers fragmentation needed to probes whose TTL
// takes them past hop after.
type tpLimit struct {
	after int // the TTL of the router that answers; 0: an invisible router (the VPC's)
	addr  string
	name  string
	mtu   int
	rtt   time.Duration
}

// tpPath is what tracepath meets on its way.
type tpPath struct {
	localMTU int // the outgoing interface's MTU
	limit    *tpLimit
	route    *tracer.Route
}

type tpOpts struct {
	numeric, both bool
	maxHops       int
	mtu           int // the first probe's size (-l)
}

// tracepathText runs tracepath's loop over p and returns its output and
// the time it would take.
func tracepathText(p tpPath, o tpOpts) (string, time.Duration) {
	var b strings.Builder
	var took time.Duration
	mtu := o.mtu
	if mtu == 0 {
		mtu = 65535
	}
	hopsTo, hopsFrom := -1, -1
	hops := map[int]tracer.RouteHop{}
	last := 0
	for _, h := range p.route.Hops {
		hops[h.TTL] = h
		last = max(last, h.TTL)
	}
	host := func(addr, name string) string {
		if name == "" {
			name = addr
		}
		switch {
		case o.numeric && o.both:
			return addr + " (" + name + ")"
		case o.numeric:
			return addr
		case o.both:
			return name + " (" + addr + ")"
		}
		return name
	}
	line := func(ttl int, who string, rtt time.Duration, note string) {
		plen := len(who)
		if plen >= 52 {
			plen = 51
		}
		us := rtt.Microseconds()
		fmt.Fprintf(&b, "%2d:  %s%*s%3d.%03dms %s\n", ttl, who, 52-plen, "", us/1000, us%1000, note)
		took += rtt
	}
	// probe is one call of tracepath's probe_ttl: >0 progress, 0 done,
	// <0 silence.
	probe := func(ttl int) int {
		if p.localMTU > 0 && mtu > p.localMTU {
			fmt.Fprintf(&b, "%2d?: %-32s pmtu %d\n", ttl, "[LOCALHOST]", p.localMTU)
			mtu = p.localMTU
		}
		if l := p.limit; l != nil && ttl > l.after && mtu > l.mtu {
			line(ttl, host(l.addr, l.name), l.rtt, fmt.Sprintf("pmtu %d", l.mtu))
			mtu = l.mtu
			return 1
		}
		h, ok := hops[ttl]
		if !ok || h.Address == "" {
			took += time.Second
			return -1
		}
		final := ttl == last && p.route.Reached
		note := ""
		switch {
		case final:
			note = "reached"
		case h.Marker == "!N":
			note = "!N"
		case h.Marker == "!H" || h.Marker == "!X":
			note = "!H" // host unreachable, and administratively filtered (code 13), are EHOSTUNREACH
		}
		name := h.Name
		if name == "" {
			name = h.Address
		}
		line(ttl, host(h.Address, name), h.RTT, note)
		if final {
			hopsTo, hopsFrom = ttl, ttl
		}
		if note != "" {
			return 0
		}
		return 1
	}
	done := false
	for ttl := 1; ttl <= o.maxHops && !done; ttl++ {
		res := -1
	restart:
		for range 3 {
			old := mtu
			res = probe(ttl)
			if mtu != old {
				goto restart
			}
			if res == 0 {
				done = true
				break
			}
			if res > 0 {
				break
			}
		}
		if res < 0 {
			fmt.Fprintf(&b, "%2d:  no reply\n", ttl)
		}
	}
	if !done {
		fmt.Fprintf(&b, "     Too many hops: pmtu %d\n", mtu)
	}
	fmt.Fprintf(&b, "     Resume: pmtu %d ", mtu)
	if hopsTo >= 0 {
		fmt.Fprintf(&b, "hops %d ", hopsTo)
	}
	if hopsFrom >= 0 {
		fmt.Fprintf(&b, "back %d ", hopsFrom)
	}
	b.WriteString("\n")
	return b.String(), took
}

func (s *Shell) tracepath(ctx context.Context, args []string) error {
	o := tpOpts{maxHops: 30}
	port := 44444
	var host string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-n":
			o.numeric = true
		case a == "-b":
			o.both = true
		case a == "-4":
		case a == "-p" || a == "-m" || a == "-l":
			if i+1 >= len(args) {
				s.printf("tracepath: option requires an argument -- '%s'\n%s", a[1:], tracepathUsage)
				return nil
			}
			i++
			v, err := strconv.Atoi(args[i])
			limit := map[string]int{"-p": 65535, "-m": 255, "-l": 1 << 31}[a]
			if err != nil || v < 0 || v > limit || a == "-l" && v <= 28 {
				s.printf("tracepath: invalid argument: '%s'\n", args[i])
				return nil
			}
			switch a {
			case "-p":
				port = v
			case "-m":
				o.maxHops = v
			case "-l":
				o.mtu = v
			}
		case strings.HasPrefix(a, "-") && a != "-":
			s.printf("tracepath: invalid option -- '%s'\n%s", optLetter(a), tracepathUsage)
			return nil
		default:
			if host != "" {
				s.print(tracepathUsage)
				return nil
			}
			host = a
		}
	}
	if host == "" {
		s.print(tracepathUsage)
		return nil
	}
	dst, rt, found, err := s.pathProbe(ctx, "tracepath "+strings.Join(args, " "), host, tracer.UDP, port)
	if err != nil {
		return err
	}
	if !found {
		s.printf("tracepath: %s: Name or service not known\n", host)
		return nil
	}
	p := tpPath{route: rt}
	if s.live != nil {
		p.localMTU = liveMTU(dst)
	} else {
		p.localMTU, p.limit = s.worldMTU(dst, rt)
	}
	text, took := tracepathText(p, o)
	s.elapsed += took
	s.print(text)
	return nil
}

const tracepathUsage = `
Usage
  tracepath [options] <destination>

Options:
  -4             use IPv4
  -6             use IPv6
  -b             print both name and ip
  -l <length>    use packet <length>
  -m <hops>      use maximum <hops>
  -n             no dns name resolution
  -p <port>      use destination <port>
  -V             print version and exit
  <destination>  dns name or ip address

For more details see tracepath(8).
`

// worldMTU is the MTU of the current host's interface towards dst in the
// world, and the link that limits the path rt took, if any. The host's
// own addresses are reached over lo (MTU 65536).
func (s *Shell) worldMTU(dst netip.Addr, rt *tracer.Route) (int, *tpLimit) {
	if own, _, ok := s.hostNet(); dst.IsLoopback() || ok && own == dst {
		return 65536, nil
	}
	local := 1500
	if in, _ := findInstanceSpec(s.spec, s.Host()); in != nil {
		local = 9001
	}
	if local <= 1500 {
		return local, nil
	}
	var nat *tracer.RouteHop
	natSeen := false
	for _, h := range rt.Explain {
		if h.Blocks {
			break
		}
		if h.Direction != tracer.Forward {
			continue
		}
		switch h.Kind {
		case tracer.KindNATGateway:
			natSeen = true
		case tracer.KindInternetGateway, tracer.KindVPNGateway, tracer.KindVPNConnection:
			first := time.Duration(0)
			if len(rt.Hops) > 0 {
				first = rt.Hops[0].RTT / 3
			}
			if natSeen {
				for i := range rt.Hops {
					if rt.Hops[i].Address != "" {
						nat = &rt.Hops[i]
						break
					}
				}
			}
			if nat != nil {
				return local, &tpLimit{after: nat.TTL, addr: nat.Address, name: nat.Name, mtu: 1500, rtt: nat.RTT}
			}
			if _, p, ok := s.hostNet(); ok {
				return local, &tpLimit{addr: gateway(p).String(), mtu: 1500, rtt: first}
			}
			return local, nil
		}
	}
	return local, nil
}

// liveMTU is the MTU of the interface this host would send to dst from;
// 0 when it cannot be told.
func liveMTU(dst netip.Addr) int {
	c, err := net.Dial("udp", netip.AddrPortFrom(dst, 9).String()) // no packet is sent: a UDP connect only picks the route
	if err != nil {
		return 0
	}
	src := c.LocalAddr().(*net.UDPAddr).IP
	c.Close()
	ifs, err := net.Interfaces()
	if err != nil {
		return 0
	}
	for _, ifc := range ifs {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.Equal(src) {
				return ifc.MTU
			}
		}
	}
	return 0
}
