package lab

import (
	"net/netip"

	"github.com/pathlab/pathlab/simnet/spec"
)

// natInstanceTable is the source NAT of an instance that forwards (its
// source/destination check off) what its subnet's route table sends to the
// internet gateway: such an instance is a NAT instance, whose image
// translates the sources it forwards to its own address (VPC User Guide,
// "NAT instances": the NAT AMI configures iptables masquerade), so that
// the internet gateway maps them to its public address. The simulation
// has it so: the gateway maps the forwarded packet to the instance's
// public address. Nil when nothing goes to the gateway.
func natInstanceTable(v *spec.VPCSpec, in spec.InstanceSpec) *Table {
	if v.InternetGateway == "" {
		return nil
	}
	var rt *spec.RouteTableSpec
	for _, sn := range v.Subnets {
		if sn.Name != in.Subnet {
			continue
		}
		for i := range v.RouteTables {
			if v.RouteTables[i].Name == sn.RouteTable {
				rt = &v.RouteTables[i]
			}
		}
	}
	if rt == nil {
		return nil
	}
	private := addr(in.PrivateIP)
	post := &Chain{Name: "postrouting", Hook: "postrouting", Type: "nat", Priority: 100}
	// What stays in the VPC, and what other targets take, keeps its source.
	if cidr, err := netip.ParsePrefix(v.CIDR); err == nil {
		post.Rules = append(post.Rules, FRule{Dst: cidr.Masked(), Verdict: "accept"})
	}
	var toIGW []netip.Prefix
	for _, r := range rt.Routes {
		dst, err := netip.ParsePrefix(r.Destination)
		if err != nil {
			continue
		}
		if r.Target == v.InternetGateway {
			toIGW = append(toIGW, dst.Masked())
		} else if dst.Bits() > 0 {
			post.Rules = append(post.Rules, FRule{Dst: dst.Masked(), Verdict: "accept"})
		}
	}
	if len(toIGW) == 0 {
		return nil
	}
	for _, d := range toIGW {
		post.Rules = append(post.Rules, FRule{OIF: "eth0", Dst: d, NotSrc: []netip.Prefix{host32(private)}, Verdict: "snat", To: private})
	}
	return &Table{Name: "pathlab_natinstance", Chains: []*Chain{post}}
}
