package worldgen_test

import (
	"bytes"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// TestGenerate: the same options write the same bytes, another seed other
// bytes, and every world written is valid, with the tiers, balancer,
// peering and rules asked for.
func TestGenerate(t *testing.T) {
	for _, o := range []worldgen.Options{
		{Subnets: 4, Instances: 2, Rules: 10, Seed: 1},
		{Subnets: 30, Instances: 100, Rules: 2000, Seed: 7},
		{VPCs: 3, Subnets: 24, Instances: 60, Rules: 500, Seed: 9},
	} {
		var a, b, c bytes.Buffer
		if err := worldgen.Write(&a, o); err != nil {
			t.Fatal(err)
		}
		worldgen.Write(&b, o)
		o2 := o
		o2.Seed++
		worldgen.Write(&c, o2)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%+v: two runs differ", o)
		}
		if o.Rules > 100 && bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Errorf("%+v: another seed gives the same world", o)
		}
		w, err := simnet.Parse("gen", a.Bytes())
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		rules := 0
		for _, rs := range w.RuleSets() {
			if rs.Kind == tracer.RuleSG {
				rules += len(rs.Rules)
			}
		}
		if rules < o.Rules {
			t.Errorf("%+v: %d group rules; want at least %d", o, rules, o.Rules)
		}
		if len(w.Names("instance")) < o.Instances || len(w.Names("load-balancer")) == 0 {
			t.Errorf("%+v: %d instances, %d balancers", o, len(w.Names("instance")), len(w.Names("load-balancer")))
		}
		if o.VPCs > 1 && len(w.Names("peering")) != o.VPCs-1 {
			t.Errorf("%+v: %d peerings", o, len(w.Names("peering")))
		}
	}
	if err := (worldgen.Options{Subnets: 10, Instances: 10000}).Check(); err == nil {
		t.Error("10000 instances in 10 subnets: no error")
	}
}
