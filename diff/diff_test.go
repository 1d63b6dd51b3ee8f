package diff

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/simtest"
	"github.com/pathlab/pathlab/simnet/spec"
	"testing"
)

func sgSpec(s *spec.WorldSpec, name string) *spec.SecurityGroupSpec {
	for i := range s.VPCs {
		for j := range s.VPCs[i].SecurityGroups {
			if s.VPCs[i].SecurityGroups[j].Name == name {
				return &s.VPCs[i].SecurityGroups[j]
			}
		}
	}
	return nil
}

// specVariant compiles a copy of w with an edit.
func specVariant(t testing.TB, w *simnet.World, edit func(s *spec.WorldSpec)) *simnet.World {
	t.Helper()
	s := w.Spec()
	edit(s)
	w2, err := simnet.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

func appSGAdmitsNothing(s *spec.WorldSpec) { sgSpec(s, "sg-app").Ingress = nil }

// dbGoesOut lets db-1 reach the internet through nat-a: more than any
// fix of the database should open.
func dbGoesOut(s *spec.WorldSpec) {
	sgSpec(s, "sg-db").Egress = []spec.SGRuleSpec{{Protocol: "tcp", Ports: spec.PortsOf(443, 443), Destination: "0.0.0.0/0"}}
	for i := range s.VPCs {
		for j := range s.VPCs[i].RouteTables {
			if rt := &s.VPCs[i].RouteTables[j]; rt.Name == "rt-isolated" {
				rt.Routes = append(rt.Routes, spec.RouteSpec{Destination: "0.0.0.0/0", Target: "nat-a"})
			}
		}
		for j := range s.VPCs[i].NetworkACLs {
			if a := &s.VPCs[i].NetworkACLs[j]; a.Name == "acl-data" {
				all := []spec.ACLRuleSpec{{Rule: 50, Protocol: "all", CIDR: "0.0.0.0/0", Action: "allow"}}
				a.Ingress, a.Egress = append(all, a.Ingress...), append(all, a.Egress...)
			}
		}
	}
}

type change struct{ from, target, at string }

func changes(cs []FlowChange) []change {
	var out []change
	for _, c := range cs {
		at := ""
		if c.BrokenAt != nil {
			at = c.BrokenAt.Component + " " + string(c.BrokenAt.Code)
		}
		out = append(out, change{c.From, c.Target, at})
	}
	return out
}

func hasChange(cs []change, want change) bool {
	for _, c := range cs {
		if c == want {
			return true
		}
	}
	return false
}

func TestDiff(t *testing.T) {
	worlds := map[string]func(t *testing.T) *simnet.World{
		"builtin": func(t *testing.T) *simnet.World { return simtest.World(t, "") },
		"reference": func(t *testing.T) *simnet.World {
			w, err := simnet.Load(simtest.SharedExample(t))
			if err != nil {
				t.Fatal(err)
			}
			return w
		},
	}
	browserShop := change{"browser", "https://shop.example.com/", "web-lb LB_NO_HEALTHY_TARGETS"}
	dbOut := change{"db-1", "https://api.partner.example.net/", "sg-db SG_NO_EGRESS_RULE"}
	for name, load := range worlds {
		t.Run(name, func(t *testing.T) {
			ref := load(t)
			tests := []struct {
				name        string
				old, new    *simnet.World
				wantBroken  []change // must be listed
				wantFixed   []change
				noBroken    bool // and nothing else broke
				noFixed     bool
				wantChanged bool
			}{
				{"app SG admits nothing", ref, specVariant(t, ref, appSGAdmitsNothing), []change{browserShop}, nil, false, true, true},
				{"and back", specVariant(t, ref, appSGAdmitsNothing), ref, nil, []change{browserShop}, true, false, true},
				{"a fix that opens more", ref, specVariant(t, ref, dbGoesOut), nil, []change{dbOut}, true, false, true},
				{"no change", ref, ref, nil, nil, true, true, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					d, err := Diff(context.Background(), tt.old, tt.new)
					if err != nil {
						t.Fatal(err)
					}
					broken, fixed := changes(d.Broken), changes(d.Fixed)
					for _, c := range tt.wantBroken {
						if !hasChange(broken, c) {
							t.Errorf("broken = %v; want it to list %v", broken, c)
						}
					}
					for _, c := range tt.wantFixed {
						if !hasChange(fixed, c) {
							t.Errorf("fixed = %v; want it to list %v", fixed, c)
						}
					}
					if tt.noBroken && len(broken) > 0 {
						t.Errorf("broken = %v; want none", broken)
					}
					if tt.noFixed && len(fixed) > 0 {
						t.Errorf("fixed = %v; want none", fixed)
					}
					if d.Changed() != tt.wantChanged {
						t.Errorf("Changed() = %v; want %v", d.Changed(), tt.wantChanged)
					}
					if d.Compared < 10 {
						t.Errorf("only %d flows compared", d.Compared)
					}
				})
			}
		})
	}
}

// TestDiffJSON: the contract {"broken": [...], "fixed": [...]}, empty
// lists and not null.
func TestDiffJSON(t *testing.T) {
	ref := simtest.World(t, "")
	d, err := Diff(context.Background(), ref, specVariant(t, ref, appSGAdmitsNothing))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := d.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string][]map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["fixed"] == nil || len(got["broken"]) == 0 {
		t.Fatalf("JSON = %s", b.String())
	}
	for _, f := range got["broken"] {
		if f["from"] == nil || f["target"] == nil || f["broken_at"] == nil {
			t.Errorf("flow %v lacks from, target or broken_at", f)
		}
	}
}

// TestFlowsMakeSense: the flows a world lists are the ones that make sense.
func TestFlowsMakeSense(t *testing.T) {
	w := simtest.World(t, "")
	flows, err := w.Flows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	has := map[[2]string]bool{}
	for _, f := range flows {
		if has[f] {
			t.Errorf("flow %v listed twice", f)
		}
		has[f] = true
		if f[0] == "browser" && (f[1] == "tcp://10.0.20.10:5432" || f[1] == "tcp://db.internal.shop:5432") {
			t.Errorf("a client tries a private address or a private name: %v", f)
		}
	}
	for _, want := range [][2]string{
		{"browser", "https://shop.example.com/"},
		{"browser", "http://shop.example.com/"},
		{"app-1", "tcp://db.internal.shop:5432"},
		{"app-1", "https://api.partner.example.net/"},
	} {
		if !has[want] {
			t.Errorf("flow %v is missing", want)
		}
	}
	if has[[2]string{"db-1", "tcp://db.internal.shop:5432"}] {
		t.Error("db-1 tries its own service")
	}
}

// BenchmarkDiff is the check the play shell runs after a fix: two worlds,
// every flow traced in both.
func BenchmarkDiff(b *testing.B) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	w2 := specVariant(b, w, appSGAdmitsNothing)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Diff(ctx, w, w2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReachability(b *testing.B) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Reachability(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
