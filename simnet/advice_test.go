package simnet

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestBlockingHopEdits: where the engine names one edit that mends a
// blocking hop, the edit is a value whose command line reads back into
// it, and applying it to the world removes that blocker.
func TestBlockingHopEdits(t *testing.T) {
	cases := []struct{ code, from, target string }{
		{"SG_NO_INGRESS_RULE", "", "https://shop.example.com/"},
		{"SG_NO_EGRESS_RULE", "app-1", "tcp://db.internal.shop:5432"},
		{"HOST_FIREWALL_DROP", "app-1", "tcp://db.internal.shop:5432"},
		{"HOST_FIREWALL_REJECT", "app-1", "tcp://db.internal.shop:5432"},
		{"SERVICE_DOWN", "", "https://api.partner.example.net/"},
		{"BOUND_TO_LOOPBACK", "", "https://api.partner.example.net/"},
		{"LB_TARGET_TIMEOUT", "", "https://shop.example.com/"},
	}
	for _, tt := range cases {
		t.Run(tt.code, func(t *testing.T) {
			w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", tt.code+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			r := trace(t, w, tt.from, tt.target)
			var h *tracer.Hop
			for _, s := range r.Stages {
				for i := range s.Hops {
					if s.Hops[i].Blocks && s.Hops[i].Code == tracer.Code(tt.code) && h == nil {
						h = &s.Hops[i]
					}
				}
			}
			if h == nil {
				t.Fatalf("no blocking %s hop", tt.code)
			}
			e, ok := h.Edit.(spec.Edit)
			if !ok || h.Fix != e.String() || h.Advice != "" {
				t.Fatalf("hop %s %s: edit %#v, fix %q, advice %q; want an edit and its command line", h.Component, h.Code, h.Edit, h.Fix, h.Advice)
			}
			back, err := spec.ParseEdit(h.Fix)
			if err != nil || !reflect.DeepEqual(back, e) {
				t.Fatalf("ParseEdit(%q) = %#v, %v; want %#v", h.Fix, back, err, e)
			}
			spec := w.Spec()
			if _, err := e.Apply(spec); err != nil {
				t.Fatalf("%s: %v", h.Fix, err)
			}
			w2, err := Compile(spec)
			if err != nil {
				t.Fatalf("after %s: %v", h.Fix, err)
			}
			for _, b := range trace(t, w2, tt.from, tt.target).Blockers {
				if b.Component == h.Component && b.Code == h.Code {
					t.Errorf("after %s, %s still blocks with %s", h.Fix, b.Component, b.Code)
				}
			}
		})
	}
}
