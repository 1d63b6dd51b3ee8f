package lab

import (
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
)

// TestPlanApplianceSG: an instance with its source/destination check off
// filters what it forwards through its security groups (inbound rules,
// then outbound, replies by conntrack); one with the check on forwards
// nothing and has no such table.
func TestPlanApplianceSG(t *testing.T) {
	spec, err := simnet.LoadSpec("../testdata/worlds/cloud/appliance-sg-blocks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanFor(spec, "shop")
	if err != nil {
		t.Fatal(err)
	}
	chains := func(node string) map[string][]string {
		n := p.Node(node)
		if n == nil {
			t.Fatalf("no node %s", node)
		}
		out := map[string][]string{}
		for _, tb := range n.Tables {
			if tb.Name != "pathlab_appliance_sg" {
				continue
			}
			for _, c := range tb.Chains {
				for _, r := range c.Rules {
					out[c.Name] = append(out[c.Name], r.String())
				}
			}
		}
		return out
	}
	if got := chains("app-1"); len(got) != 0 {
		t.Errorf("app-1 (check on) has an appliance table: %v", got)
	}
	b := chains("bastion")
	tests := []struct {
		chain string
		want  []string
	}{
		{"forward", []string{"ct established,related accept", "jump appliance-ingress", "jump appliance-egress"}},
		{"appliance-ingress", []string{"saddr 203.0.113.200/32 tcp dport 22-22 return", "drop"}},
		{"appliance-egress", []string{"daddr 10.0.0.0/16 tcp dport 22-22 return", "daddr 0.0.0.0/0 tcp dport 443-443 return", "drop"}},
	}
	for _, tc := range tests {
		t.Run(tc.chain, func(t *testing.T) {
			if got := strings.Join(b[tc.chain], "; "); got != strings.Join(tc.want, "; ") {
				t.Errorf("bastion %s:\n got  %s\n want %s", tc.chain, got, strings.Join(tc.want, "; "))
			}
		})
	}
}
