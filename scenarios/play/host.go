package play

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

func (s *Shell) ssh(_ context.Context, args []string) error {
	if len(args) != 1 {
		return badUsage("ssh INSTANCE")
	}
	name := strings.TrimPrefix(args[0], "ec2-user@")
	if s.world.Kind(name) != "instance" {
		return fmt.Errorf("could not resolve hostname %s: no instance is named so (instances: %s)", name, strings.Join(s.world.Names("instance"), ", "))
	}
	if name == s.Host() {
		return fmt.Errorf("you are on %s already", name)
	}
	s.vantage = append(s.vantage, name)
	in, _ := findInstanceSpec(s.spec, name)
	s.printf("Connected to %s (%s) through the session manager: no network path is needed to log in.\n", name, in.PrivateIP)
	s.printf("Your commands now run on %s; exit comes back.\n", name)
	return nil
}

func (s *Shell) exit(ctx context.Context, args []string) error {
	if len(s.vantage) == 1 {
		s.quit = true
		return nil
	}
	left := s.Host()
	s.vantage = s.vantage[:len(s.vantage)-1]
	s.printf("logout\nConnection to %s closed.\n", left)
	return nil
}

func (s *Shell) hostname(_ context.Context, _ []string) error {
	s.printf("%s\n", s.Host())
	return nil
}

// hostSpec returns the services, firewall and addresses of the host the
// learner is on.
func (s *Shell) hostSpec() (svcs []spec.ServiceSpec, fw []spec.FirewallRuleSpec, private, public string) {
	if s.spec == nil {
		return nil, nil, "", "" // a live shell has no world
	}
	if in, _ := findInstanceSpec(s.spec, s.Host()); in != nil {
		return in.Services, in.Firewall, in.PrivateIP, in.PublicIP
	}
	for _, sv := range s.spec.Internet.Servers {
		if sv.Name == s.Host() {
			return sv.Services, sv.Firewall, sv.IP, ""
		}
	}
	for _, c := range s.spec.Internet.Clients {
		if c.Name == s.Host() {
			return nil, nil, c.IP, ""
		}
	}
	return nil, nil, "", ""
}

func (s *Shell) ip(_ context.Context, args []string) error {
	if len(args) == 0 {
		return badUsage("ip addr | ip route")
	}
	_, _, private, public := s.hostSpec()
	in, v := findInstanceSpec(s.spec, s.Host())
	switch args[0] {
	case "a", "addr", "address":
		var b strings.Builder
		// iproute2's form, as the real ip prints it for addresses set
		// statically (TestHostFormatsMatchRealTools)
		const forever = "       valid_lft forever preferred_lft forever\n"
		b.WriteString("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n" + forever + "    inet6 ::1/128 scope host \n" + forever)
		bits := 24
		if in != nil {
			for _, sn := range v.Subnets {
				if sn.Name == in.Subnet {
					if p, err := netip.ParsePrefix(sn.CIDR); err == nil {
						bits = p.Bits()
					}
				}
			}
		}
		fmt.Fprintf(&b, "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000\n    link/ether %s brd ff:ff:ff:ff:ff:ff\n    inet %s/%d scope global eth0\n"+forever, eniMAC(private), private, bits)
		for _, x := range s.secondaryAddrs() {
			fmt.Fprintf(&b, "    inet %s/%d scope global secondary eth0\n"+forever, x, bits)
		}
		if public != "" {
			fmt.Fprintf(&b, "    (public address %s is mapped by the internet gateway; the host never sees it)\n", public)
		}
		s.print(b.String())
	case "r", "route":
		if in == nil {
			s.printf("default via 198.51.100.1 dev eth0\n")
			return nil
		}
		var sub *spec.SubnetSpec
		for i := range v.Subnets {
			if v.Subnets[i].Name == in.Subnet {
				sub = &v.Subnets[i]
			}
		}
		if sub == nil {
			return nil
		}
		p, err := netip.ParsePrefix(sub.CIDR)
		if err != nil {
			return nil
		}
		gw := p.Masked().Addr().Next()
		s.printf("default via %s dev eth0 proto dhcp src %s metric 100\n%s dev eth0 proto kernel scope link src %s metric 100\n", gw, private, p.Masked(), private)
		s.printf("# the VPC router at %s forwards by the subnet's route table (show route-table %s)\n", gw, sub.RouteTable)
	default:
		return badUsage("ip addr | ip route")
	}
	return nil
}
