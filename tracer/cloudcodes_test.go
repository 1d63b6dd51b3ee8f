package tracer

import "testing"

// TestCloudCodes: every code of issue 11 has its meaning and facts in the
// one table; only the flags of a working path let the request through.
func TestCloudCodes(t *testing.T) {
	want := map[Code]bool{NACLEphemeralPartial: false, SrcDstCheck: true, LBZoneNoTargets: true, LBTargetNotInUse: false}
	for _, c := range CloudCodes() {
		i := c.Info()
		if i.Meaning == "" || i.Kind == "" || i.Action == "" || i.Topic == "" {
			t.Errorf("%s: incomplete info %+v", c, i)
		}
		blocks, ok := want[c]
		if !ok {
			t.Errorf("%s: not expected", c)
		}
		if i.Blocks != blocks {
			t.Errorf("%s: blocks %v; want %v", c, i.Blocks, blocks)
		}
		delete(want, c)
	}
	for c := range want {
		t.Errorf("%s is missing from CloudCodes", c)
	}
	// An application balancer's LB_ZONE_NO_TARGETS is a 503, as ELB
	// answers when no target is usable.
	if o := LBZoneNoTargets.Info().Observe; o.HTTPStatus != 503 {
		t.Errorf("LB_ZONE_NO_TARGETS observed as %+v; want 503", o)
	}
}
