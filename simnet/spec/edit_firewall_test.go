package spec

import (
	"strings"
	"testing"
)

// TestFirewallEditNamesIptablesLine: an edit's N counts the host's rules
// over both chains; its message also gives the rule's line in iptables -L
// CHAIN --line-numbers, which counts each chain apart after the
// connection-tracking rule at line 1.
func TestFirewallEditNamesIptablesLine(t *testing.T) {
	rules := func() []FirewallRuleSpec {
		return []FirewallRuleSpec{
			{Chain: "input", Protocol: "tcp", Port: Ports{Text: "22"}, Action: "accept"},
			{Chain: "output", Protocol: "tcp", Port: Ports{Text: "5432"}, Action: "drop"},
			{Chain: "input", Protocol: "tcp", Port: Ports{Text: "8080"}, Action: "reject"},
		}
	}
	for _, tt := range []struct {
		edit FirewallEdit
		want string
	}{
		{FirewallEdit{Host: "h", Op: "remove", Num: 3}, "(it was line 3 of iptables -L INPUT --line-numbers)"},
		{FirewallEdit{Host: "h", Op: "remove", Chain: "output", Num: 1}, "(it was line 2 of iptables -L OUTPUT --line-numbers)"},
		{FirewallEdit{Host: "h", Op: "insert", Num: 1, Rule: FirewallRuleSpec{Chain: "input", Protocol: "tcp", Port: Ports{Text: "80"}, Action: "drop"}},
			"at 1 (line 2 of iptables -L INPUT --line-numbers)"},
		{FirewallEdit{Host: "h", Op: "insert", Num: 4, Rule: FirewallRuleSpec{Chain: "output", Protocol: "udp", Port: Ports{Text: "53"}, Action: "drop"}},
			"at 4 (line 3 of iptables -L OUTPUT --line-numbers)"},
		{FirewallEdit{Host: "h", Op: "replace", Num: 3, Rule: FirewallRuleSpec{Chain: "input", Protocol: "tcp", Port: Ports{Text: "8080"}, Action: "accept"}},
			"(line 3 of iptables -L INPUT --line-numbers)"},
	} {
		t.Run(tt.edit.String(), func(t *testing.T) {
			s := &WorldSpec{Name: "w", VPCs: []VPCSpec{{Name: "v", Instances: []InstanceSpec{{Name: "h", Firewall: rules()}}}}}
			_, msg, err := tt.edit.apply(s)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(msg, tt.want) {
				t.Errorf("message %q; want it to end %q", msg, tt.want)
			}
		})
	}
}
