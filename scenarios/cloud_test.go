package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestCheckFailsIntermittent: a fix that leaves part of the client's
// ephemeral range denied is not a fix. The trace delivers (this connection
// drew an allowed port), but in AWS the connections that draw a denied
// port hang (VPC User Guide, network ACLs, ephemeral ports), so the check
// fails and says why.
func TestCheckFailsIntermittent(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		world string
		pass  bool
		why   string
	}{
		{"../testdata/worlds/cloud/acl-ephemeral-partial.yaml", false, "only intermittently: acl-data NACL_EPHEMERAL_PARTIAL"},
		{"../testdata/worlds/cloud/acl-ephemeral-whole.yaml", false, "broken at acl-data: NACL_EGRESS_DENIED"},
	} {
		w, err := simnet.Load(tt.world)
		if err != nil {
			t.Fatal(err)
		}
		target, _ := tracer.ParseTarget("tcp://db.internal.shop:5432")
		rs := RunChecks(ctx, w, []Check{{From: "app-1", Target: target, Want: "delivered"}})
		if rs[0].Pass != tt.pass || !strings.Contains(rs[0].Detail, tt.why) {
			t.Errorf("%s: pass %v, %q; want pass %v, holding %q", tt.world, rs[0].Pass, rs[0].Detail, tt.pass, tt.why)
		}
	}
	// The built-in shop passes the same check.
	w, _ := simnet.LoadBuiltin("shop")
	target, _ := tracer.ParseTarget("tcp://db.internal.shop:5432")
	if rs := RunChecks(ctx, w, []Check{{From: "app-1", Target: target}}); !rs[0].Pass {
		t.Errorf("shop: %s", rs[0].Detail)
	}
}

// TestReviewZonalNAT: a fix that sends one zone's subnets through another
// zone's NAT gateway works, and the review says what it costs (VPC User
// Guide, NAT gateways: create one in each zone, or the subnets of other
// zones lose internet access when its zone fails).
func TestReviewZonalNAT(t *testing.T) {
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	var sc *Scenario
	for _, s := range lib {
		if s.ID == "shop-nat-route-missing" {
			sc = s
		}
	}
	if sc == nil {
		t.Skip("the library has no shop-nat-route-missing") // renamed elsewhere
	}
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	fixed := st.Broken.Clone()
	if _, err := (spec.RouteEdit{Table: "rt-private", Op: "add", Dest: defaultRoute, Target: "nat-a"}).Apply(fixed); err != nil {
		t.Fatal(err)
	}
	ws := Review(context.Background(), st, fixed)
	found := false
	for _, w := range ws {
		if w.Kind == "zones" && strings.Contains(w.Message, "subnet app-b (zone b) sends 0.0.0.0/0 through NAT gateway nat-a in zone a") {
			found = true
		}
	}
	if !found {
		t.Errorf("review: %v; want the zonal NAT warning", ws)
	}
	// The world as it was (the same route) brings no new warning.
	if ws := Review(context.Background(), st, st.Broken.Clone()); len(ws) != 0 {
		t.Errorf("review of an unchanged world: %v", ws)
	}
}
