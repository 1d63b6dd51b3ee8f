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
	groupRules(v, groups, groupAddrs, lists, "return", in, out)
	return &Table{Name: "pathlab_appliance_sg", Chains: []*Chain{fwd, in, out}}
}
