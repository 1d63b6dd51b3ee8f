package play

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
)

// ip's brief listing, route lookups and neighbours, and hostname's
// options, as iproute2 and hostname print them; ip addr and ip route stay
// in host.go.

// hostNet returns the current host's address and its subnet.
func (s *Shell) hostNet() (netip.Addr, netip.Prefix, bool) {
	_, _, private, _ := s.hostSpec()
	a, err := netip.ParseAddr(private)
	if err != nil {
		return netip.Addr{}, netip.Prefix{}, false
	}
	bits := 24
	if in, v := findInstanceSpec(s.spec, s.Host()); in != nil {
		for _, sn := range v.Subnets {
			if sn.Name == in.Subnet {
				if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
					bits = p.Bits()
				}
			}
		}
	}
	p, _ := a.Prefix(bits)
	return a, p, true
}

// gateway is the subnet's router: its first address, as in a VPC.
func gateway(p netip.Prefix) netip.Addr { return p.Masked().Addr().Next() }

// macOf is a steady MAC address for an IP address of the world.
func macOf(a netip.Addr) string {
	b := a.As4()
	return fmt.Sprintf("0e:%02x:%02x:%02x:%02x:01", b[0], b[1], b[2], b[3])
}

func (s *Shell) ipCmd(ctx context.Context, args []string) error {
	var opts []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opts = append(opts, args[0])
		args = args[1:]
	}
	brief := false
	for _, o := range opts {
		switch o {
		case "-br", "-brief", "--brief":
			brief = true
		case "-4", "-c", "-color", "--color", "-o", "-oneline":
		default:
			s.printf("Option \"%s\" is unknown, try \"ip -help\".\n", o)
			return nil
		}
	}
	if len(args) == 0 {
		s.printf("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | route | neighbor | link ... }\n")
		return nil
	}
	obj := args[0]
	is := func(full string, least int) bool {
		return len(obj) >= least && strings.HasPrefix(full, obj)
	}
	switch {
	case is("address", 1) && brief:
		return s.ipBriefAddr()
	case is("link", 1):
		// the interfaces and their MAC addresses: eth0's is the one EC2
		// lists for the instance's interface (describe-network-interfaces)
		_, _, private, _ := s.hostSpec()
		if brief {
			s.printf("%-16s %-14s %s <LOOPBACK,UP,LOWER_UP> \n", "lo", "UNKNOWN", "00:00:00:00:00:00")
			s.printf("%-16s %-14s %s <BROADCAST,MULTICAST,UP,LOWER_UP> \n", "eth0", "UP", eniMAC(private))
			return nil
		}
		s.printf("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n")
		s.printf("2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP mode DEFAULT group default qlen 1000\n    link/ether %s brd ff:ff:ff:ff:ff:ff\n", eniMAC(private))
		return nil
	case is("route", 1) && len(args) >= 2 && args[1] == "get":
		if len(args) < 3 {
			s.printf("need at least a destination address\n")
			return nil
		}
		return s.ipRouteGet(ctx, args[2])
	case is("neighbor", 1) || is("neighbour", 1):
		a, p, ok := s.hostNet()
		if !ok || !a.Is4() {
			return nil
		}
		gw := gateway(p)
		s.printf("%s dev eth0 lladdr %s REACHABLE \n", gw, macOf(gw))
		return nil
	case is("address", 1) || is("route", 1):
		return s.ip(ctx, args)
	}
	s.printf("Object \"%s\" is unknown, try \"ip help\".\n", obj)
	return nil
}

func (s *Shell) ipBriefAddr() error {
	a, p, ok := s.hostNet()
	s.printf("%-16s %-14s %s \n", "lo", "UNKNOWN", "127.0.0.1/8 ::1/128")
	if ok {
		addrs := fmt.Sprintf("%s/%d ", a, p.Bits())
		for _, x := range s.secondaryAddrs() {
			addrs += fmt.Sprintf("%s/%d ", x, p.Bits())
		}
		s.printf("%-16s %-14s %s\n", "eth0", "UP", addrs)
	}
	return nil
}

// ipRouteGet says which way the kernel sends a packet to dst: over lo to
// the host's own addresses, on the link within its subnet, through the
// subnet's router otherwise.
func (s *Shell) ipRouteGet(ctx context.Context, dst string) error {
	d, err := netip.ParseAddr(dst)
	if err != nil {
		n, nerr := s.net()
		if nerr != nil {
			return nerr
		}
		addrs, _, lerr := s.lookup(ctx, n, dst)
		if lerr != nil || len(addrs) == 0 {
			s.printf("Error: any valid prefix is expected rather than \"%s\".\n", dst)
			return nil
		}
		d = addrs[0]
	}
	a, p, ok := s.hostNet()
	switch {
	case d.IsLoopback() || (ok && d == a) || (ok && s.isSecondary(d)):
		src := d
		if d.IsLoopback() {
			src = netip.MustParseAddr("127.0.0.1")
		} else if d != a {
			src = a // a secondary address's local route has the primary as its source
		}
		s.printf("local %s dev lo src %s uid 0 \n    cache <local> \n", d, src)
	case !ok:
		s.printf("RTNETLINK answers: Network is unreachable\n")
	case p.Contains(d):
		s.printf("%s dev eth0 src %s uid 0 \n    cache \n", d, a)
	default:
		s.printf("%s via %s dev eth0 src %s uid 0 \n    cache \n", d, gateway(p), a)
	}
	return nil
}

func (s *Shell) hostnameCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return s.hostname(ctx, args)
	}
	a, _, ok := s.hostNet()
	switch args[0] {
	case "-I", "--all-ip-addresses", "-i", "--ip-address":
		if ok {
			s.printf("%s ", a)
			for _, x := range s.secondaryAddrs() {
				s.printf("%s ", x)
			}
			s.printf("\n")
		} else {
			s.printf("\n")
		}
	case "-s", "--short", "-f", "--fqdn", "--long", "-A", "--all-fqdns":
		s.printf("%s\n", s.Host())
	default:
		if strings.HasPrefix(args[0], "-") {
			s.printf("hostname: invalid option -- '%s'\nUsage: hostname [-b] {hostname|-F file}         set host name (from file)\n       hostname [-a|-A|-d|-f|-i|-I|-s|-y]       display formatted name\n", optLetter(args[0]))
			return nil
		}
		s.printf("hostname: you must be root to change the host name\n")
	}
	return nil
}
