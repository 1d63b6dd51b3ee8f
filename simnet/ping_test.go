package simnet

import (
	"context"
	"github.com/pathlab/pathlab/simnet/spec"
	"strings"
	"testing"
)

// TestPing traces icmp:// targets: hosts answer only where security groups
// and ACLs allow ICMP both ways, and balancers never answer.
func TestPing(t *testing.T) {
	w := mustBuiltin(t)
	tests := []struct{ from, target, want string }{
		{"browser", "icmp://api.partner.example.net", "delivered"},
		{"bastion", "icmp://10.0.10.21", "icmp sg-bastion SG_NO_EGRESS_RULE"},
		{"browser", "icmp://203.0.113.10", "icmp sg-lb SG_NO_INGRESS_RULE"},
		{"app-1", "icmp://127.0.0.1", "delivered"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.target, func(t *testing.T) {
			if got := brokenAt(trace(t, w, tt.from, tt.target)); got != tt.want {
				t.Errorf("ping = %s; want %s", got, tt.want)
			}
		})
	}
	// Opened to ICMP, the balancer still does not answer.
	ws := w.Spec()
	for i, g := range ws.VPCs[0].SecurityGroups {
		if g.Name == "sg-lb" {
			ws.VPCs[0].SecurityGroups[i].Ingress = append(g.Ingress, spec.SGRuleSpec{Protocol: "icmp", Source: "0.0.0.0/0"})
		}
	}
	open, err := Compile(ws)
	if err != nil {
		t.Fatal(err)
	}
	r := trace(t, open, "browser", "icmp://203.0.113.10")
	if brokenAt(r) != "icmp web-lb NO_ROUTE" || !strings.Contains(r.BrokenAt.Detail, "do not answer ping") {
		t.Errorf("ping of an open balancer = %s (%s); want no answer", brokenAt(r), r.BrokenAt.Detail)
	}
}

// traceAllocBudget is what a plain URL trace of the built-in world may
// allocate: packets are built only when asked (--packets), hop details are
// rendered only when a view asks (tracer.Hop.Text), and resolver walks are
// kept per World, so a plain trace must not grow. Raise it only with a
// reason in the commit.
const traceAllocBudget = 50

func TestTraceAllocBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation budget: skipped in -short and under the race detector, which allocates on its own")
	}
	w := mustBuiltin(t)
	target := mustTarget(t, "https://shop.example.com/")
	ctx := context.Background()
	got := testing.AllocsPerRun(20, func() {
		if _, err := w.Trace(ctx, "browser", target); err != nil {
			t.Fatal(err)
		}
	})
	if got > traceAllocBudget {
		t.Errorf("a plain URL trace allocates %.0f times; the budget is %d (go test ./simnet -bench TraceURL -benchmem to see)", got, traceAllocBudget)
	}
}

// TestHealthOncePerWorld: health checks are traces, run once per World
// (each node to each target), however many requests and views ask.
func TestHealthOncePerWorld(t *testing.T) {
	w := mustBuiltin(t)
	ctx := context.Background()
	target := mustTarget(t, "https://shop.example.com/")
	for range 3 {
		if _, err := w.Trace(ctx, "browser", target); err != nil {
			t.Fatal(err)
		}
	}
	th, err := w.TargetHealth("web-lb")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.healthChecks.Load(), int64(len(th)); got != want {
		t.Errorf("%d health checks ran for 3 traces and a describe-target-health; want %d (nodes × targets, once)", got, want)
	}
}
