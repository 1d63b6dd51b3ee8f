package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
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
