package play

import (
	"context"
	"strings"
	"testing"
)

// TestZoneDisabledSession: in mesh-payments-one-leg-09 pay-nlb lost its
// zone-a node. Cross-zone load balancing does not help a target in a zone
// the balancer does not serve (ELB User Guide, "Target health status":
// Target.NotInUse); aws elbv2 set-subnets with both subnets (ELB API
// reference, SetSubnets) enables zone a again and mends it, through the
// fix `lb NAME subnets ...`.
func TestZoneDisabledSession(t *testing.T) {
	sc := libraryScenario(t, "mesh-payments-one-leg-09")
	for _, tc := range []struct {
		name   string
		lines  []string
		want   []string
		solved bool
	}{
		{name: "cross-zone is not it", lines: []string{"lb pay-nlb cross-zone on", "sleep 2m", "check"},
			want: []string{"not solved yet"}},
		{name: "set-subnets", lines: []string{
			"aws elbv2 set-subnets --load-balancer-arn pay-nlb --subnets lb-a",
			"aws elbv2 set-subnets --load-balancer-arn pay-nlb --subnets subnet-nope",
			"aws elbv2 set-subnets --load-balancer-arn pay-nlb --subnets lb-b lb-a", "show lb pay-nlb", "dig payments.mesh.internal +short", "sleep 2m", "dig payments.mesh.internal +short", "check"},
			want: []string{"SubnetNotFound", "Nodes            lb-a 10.20.1.11, lb-b 10.20.2.11", "solved"}, solved: true},
		{name: "fix line", lines: []string{"lb pay-nlb subnets lb-a=10.20.1.20 lb-b", "sleep 2m", "check"},
			want: []string{"solved"}, solved: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sc.Build()
			if err != nil {
				t.Fatal(err)
			}
			sh, out := session(t, st, tc.lines, Options{Echo: true})
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("transcript lacks %q:\n%s", w, out)
				}
			}
			if got := sh.Solved(context.Background()); got != tc.solved {
				t.Errorf("Solved() = %v; want %v\n%s", got, tc.solved, out)
			}
		})
	}
}
