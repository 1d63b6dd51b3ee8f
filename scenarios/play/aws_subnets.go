package play

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// awsSetSubnets is `aws elbv2 set-subnets --load-balancer-arn ARN
// --subnets ID...`: the subnets given replace the balancer's (ELB API
// reference, SetSubnets). A subnet that has a node keeps it; a new one
// gets a node at a free address, as ELB allocates one. It maps onto the
// fix `lb NAME subnets ...`; an application balancer left with fewer than
// two zones is refused by validation, as ELB refuses it.
func (s *Shell) awsSetSubnets(c *awsCall) error {
	ref := c.one("--load-balancer-arn")
	v, l, ok := s.lbOf(ref)
	if !ok {
		return apiError("LoadBalancerNotFound", c.spec.name, fmt.Sprintf("Load balancer '%s' not found", ref))
	}
	var names []string
	for _, sn := range v.Subnets {
		names = append(names, sn.Name)
	}
	used := specAddrs(s.spec)
	line := []string{"lb", l.Name, "subnets"}
	for _, id := range c.opts["--subnets"] {
		name, ok := nameOf("subnet", id, names)
		if !ok {
			return apiError("SubnetNotFound", c.spec.name, fmt.Sprintf("The subnet ID '%s' is not valid", id))
		}
		if slices.ContainsFunc(l.Nodes, func(n spec.LBNodeSpec) bool { return n.Subnet == name }) {
			line = append(line, name)
			continue
		}
		i := slices.IndexFunc(v.Subnets, func(sn spec.SubnetSpec) bool { return sn.Name == name })
		priv, ok := freeAddr(v.Subnets[i].CIDR, used)
		if !ok {
			return apiError("InvalidSubnet", c.spec.name, fmt.Sprintf("Not enough IP space available in %s. ELB requires at least 8 free IP addresses in each subnet.", id))
		}
		arg := name + "=" + priv.String()
		if l.Scheme == "internet-facing" {
			pub, ok := publicNear(l, used)
			if !ok {
				return apiError("InvalidSubnet", c.spec.name, "no public address is left for a new node")
			}
			arg += "," + pub.String()
		}
		line = append(line, arg)
	}
	// The nodes in zone order, as describe-load-balancers lists the
	// balancer's AvailabilityZones (and so the order its name answers in
	// here), whatever the order of --subnets.
	zone := map[string]string{}
	for _, sn := range v.Subnets {
		zone[sn.Name] = sn.Zone
	}
	args := line[3:]
	slices.SortStableFunc(args, func(a, b string) int {
		za, _, _ := strings.Cut(a, "=")
		zb, _, _ := strings.Cut(b, "=")
		return strings.Compare(zone[za], zone[zb])
	})
	return s.awsApply(c, [][]string{line}, "aws elbv2 set-subnets "+l.Name)
}

// specAddrs are the addresses the world's hosts, nodes and gateways hold.
func specAddrs(s *spec.WorldSpec) map[netip.Addr]bool {
	used := map[netip.Addr]bool{}
	add := func(t string) {
		if a, err := netip.ParseAddr(t); err == nil {
			used[a] = true
		}
	}
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			add(in.PrivateIP)
			add(in.PublicIP)
		}
		for _, n := range v.NATGateways {
			add(n.PrivateIP)
			add(n.PublicIP)
		}
		for _, l := range v.LoadBalancers {
			for _, n := range l.Nodes {
				add(n.PrivateIP)
				add(n.PublicIP)
			}
		}
	}
	return used
}

// freeAddr is the first free address of cidr from host 10 up (AWS keeps
// the first four addresses of a subnet and the last one).
func freeAddr(cidr string, used map[netip.Addr]bool) (netip.Addr, bool) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Addr{}, false
	}
	a := p.Masked().Addr()
	for k := 0; k < 10; k++ {
		a = a.Next()
	}
	for ; p.Contains(a) && p.Contains(a.Next()); a = a.Next() {
		if !used[a] {
			used[a] = true
			return a, true
		}
	}
	return netip.Addr{}, false
}

// publicNear is a free public address beside the balancer's other nodes'.
func publicNear(l spec.LoadBalancerSpec, used map[netip.Addr]bool) (netip.Addr, bool) {
	for _, n := range l.Nodes {
		a, err := netip.ParseAddr(n.PublicIP)
		if err != nil || !a.Is4() {
			continue
		}
		b := a.As4()
		for host := 10; host < 255; host++ {
			c := netip.AddrFrom4([4]byte{b[0], b[1], b[2], byte(host)})
			if !used[c] {
				used[c] = true
				return c, true
			}
		}
	}
	return netip.Addr{}, false
}
