package lab

import (
	"net/netip"

	"github.com/pathlab/pathlab/simnet/spec"
)

// applianceSGTable filters what an instance forwards (its
// source/destination check off: a NAT instance or a firewall appliance)
// through the security groups of its network interface, as the
// simulation does (simnet/appliance_sg.go): a security group belongs to
// the interface and filters whatever crosses it (VPC User Guide, "NAT
// instances": the NAT instance's security group must allow inbound
// traffic from the private subnet and outbound traffic to the internet).
// A forwarded packet meets the inbound rules on its way in and the
// outbound rules on its way out; groups are stateful, so the replies of a
// flow let through (conntrack established or related) pass.
func applianceSGTable(v *spec.VPCSpec, groups []string, groupAddrs map[string][]netip.Addr, lists map[string][]netip.Prefix) *Table {
	fwd := &Chain{Name: "forward", Hook: "forward", Type: "filter", Priority: -10}
	in := &Chain{Name: "appliance-ingress"}
	out := &Chain{Name: "appliance-egress"}
	fwd.Rules = append(fwd.Rules,
		FRule{Established: true, Verdict: "accept", Comment: "security groups are stateful"},
		FRule{Verdict: "jump " + in.Name},
		FRule{Verdict: "jump " + out.Name})
	for _, g := range groups {
		var sg *spec.SecurityGroupSpec
		for i := range v.SecurityGroups {
			if v.SecurityGroups[i].Name == g {
				sg = &v.SecurityGroups[i]
			}
		}
		if sg == nil {
			continue
		}
		for _, r := range sg.Ingress {
			lo, hi := portsOf(r.Ports)
			for _, src := range peers(r.Source, groupAddrs, lists) {
				in.Rules = append(in.Rules, FRule{Src: src, Proto: protoOf(r.Protocol), PortLo: lo, PortHi: hi, Verdict: "return", Comment: g})
			}
		}
		for _, r := range sg.Egress {
			lo, hi := portsOf(r.Ports)
			for _, dst := range peers(r.Destination, groupAddrs, lists) {
				out.Rules = append(out.Rules, FRule{Dst: dst, Proto: protoOf(r.Protocol), PortLo: lo, PortHi: hi, Verdict: "return", Comment: g})
			}
		}
	}
	in.Rules = append(in.Rules, FRule{Verdict: "drop"})
	out.Rules = append(out.Rules, FRule{Verdict: "drop"})
	return &Table{Name: "pathlab_appliance_sg", Chains: []*Chain{fwd, in, out}}
}
