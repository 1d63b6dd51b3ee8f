package reach

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

func genWorld(t testing.TB, o worldgen.Options) *simnet.World {
	t.Helper()
	var buf bytes.Buffer
	if err := worldgen.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	w, err := simnet.Parse("gen", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// bruteDiff compares every pair of endpoints (the internet as a source)
// in both worlds, with no signatures and no memo.
func bruteDiff(oldW, newW *simnet.World) []string {
	ro, rn := oldW.NewReach(), newW.NewReach()
	var out []string
	in, _ := ro.Internet()
	srcs := append([]simnet.Endpoint{in}, ro.Endpoints()...)
	for _, s := range srcs {
		for _, d := range ro.Endpoints() {
			if s.Name == d.Name {
				continue
			}
			sn, _ := rn.Endpoint(s.Name)
			dn, _ := rn.Endpoint(d.Name)
			for _, c := range diffClasses(ro.Pair(s, d), rn.Pair(sn, dn), s.Name, d.Name) {
				if c.Old.Open != c.New.Open {
					out = append(out, fmt.Sprintf("%s→%s %s %v→%v", c.From, c.To, c.Range, c.Old.Open, c.New.Open))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func changes(d *Difference) []string {
	var out []string
	for _, c := range append(append([]Change{}, d.Opened...), d.Closed...) {
		out = append(out, fmt.Sprintf("%s→%s %s %v→%v", c.From, c.To, c.Range, c.Old.Open, c.New.Open))
	}
	sort.Strings(out)
	return out
}

// TestCompareAgreesWithEveryPair: the diff that walks only the endpoints a
// change touches finds what comparing every pair finds, for changes to a
// group, an ACL, a route and an instance's groups.
func TestCompareAgreesWithEveryPair(t *testing.T) {
	base := genWorld(t, worldgen.Options{Subnets: 10, VPCs: 2, Instances: 16, Rules: 120, Seed: 2})
	edits := map[string]func(s *spec.WorldSpec){
		"sg-rule-removed": func(s *spec.WorldSpec) {
			g := &s.VPCs[0].SecurityGroups[2]
			g.Ingress = g.Ingress[1:]
		},
		"acl-closed": func(s *spec.WorldSpec) {
			a := &s.VPCs[1].NetworkACLs[1]
			a.Ingress = append(a.Ingress, spec.ACLRuleSpec{Rule: 50, Protocol: "tcp", Ports: spec.PortsOf(5432, 5432), CIDR: "10.0.0.0/8", Action: "deny"})
		},
		"route-blackholed": func(s *spec.WorldSpec) {
			s.VPCs[1].RouteTables[1].Routes[0].Target = "blackhole"
		},
		"instance-regrouped": func(s *spec.WorldSpec) {
			in := &s.VPCs[0].Instances[1]
			in.SecurityGroups = []string{s.VPCs[0].SecurityGroups[len(s.VPCs[0].SecurityGroups)-1].Name}
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			spec := base.Spec()
			edit(spec)
			nw, err := simnet.Compile(spec)
			if err != nil {
				t.Fatal(err)
			}
			d := Compare(base, nw)
			got, want := changes(d), bruteDiff(base, nw)
			if len(want) == 0 {
				t.Fatal("the edit changes nothing: the test tells nothing")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Compare:\n%v\nevery pair:\n%v", got, want)
			}
			if d.Touched == d.Endpoints {
				t.Errorf("every endpoint touched by a local change")
			}
		})
	}
}

// TestCompareShop: the app group admitting nothing closes the balancer's
// flows to the app servers.
func TestCompareShop(t *testing.T) {
	old, _ := simnet.LoadBuiltin("shop")
	spec := old.Spec()
	for i := range spec.VPCs[0].SecurityGroups {
		if spec.VPCs[0].SecurityGroups[i].Name == "sg-app" {
			spec.VPCs[0].SecurityGroups[i].Ingress = nil
		}
	}
	nw, err := simnet.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(old, nw)
	found := false
	for _, c := range d.Closed {
		if c.From == "web-lb" && c.To == "app-1" && c.Range.Proto == tracer.TCP && c.Range.Lo == 8080 && c.New.At == "sg-app" {
			found = true
		}
	}
	if !found || len(d.Opened) != 0 {
		var b bytes.Buffer
		d.WriteText(&b, "old", "new")
		t.Errorf("diff:\n%s", b.String())
	}
}

// TestFlowAfterSelf: a host dialling its own address crosses no security
// group, so its verdict is not another endpoint's of the same profile:
// in the 1k world app-0 reaches itself on 22, and app-98 (same subnet and
// group) only through a rule that is not there. The class cache kept the
// first answer for both, and BenchmarkAllPairs counted 8,248 flows open
// that a trace finds shut.
func TestFlowAfterSelf(t *testing.T) {
	w := genWorld(t, sizes[0].opt)
	r := w.NewReach()
	src, _ := r.Endpoint("app-0")
	for _, tc := range []struct {
		dst  string
		port uint16
	}{{"app-0", 22}, {"app-98", 22}, {"app-0", 8080}, {"app-98", 8080}, {"app-0", 5432}, {"app-98", 5432}} {
		dst, ok := r.Endpoint(tc.dst)
		if !ok {
			t.Fatalf("no endpoint %s", tc.dst)
		}
		got := r.Flow(src, dst, tracer.TCP, tc.port)
		want := r.FlowOneByOne(src, dst, r.Address(src, dst), tracer.TCP, tc.port)
		if got.Open != want.Open || got.Code != want.Code {
			t.Errorf("app-0 → %s:%d: classes %+v, one trace %+v", tc.dst, tc.port, got, want)
		}
	}
}
