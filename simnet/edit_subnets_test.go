package simnet

import (
	"github.com/pathlab/pathlab/simnet/spec"
	"slices"
	"testing"
)

// TestLBSubnetsDNSFollows: set-subnets enables the zones given and no
// others (ELB API reference, SetSubnets); the balancer's DNS name answers
// with one address per enabled zone, so a record that lists exactly the
// node addresses follows them, and the undo brings node and address back.
func TestLBSubnetsDNSFollows(t *testing.T) {
	s := builtinWorldSpec(t, "mesh")
	e, err := spec.ParseEdit("lb pay-nlb subnets lb-b")
	if err != nil {
		t.Fatal(err)
	}
	payments := func() []string {
		z, err := spec.SpecZone(s, "mesh.internal")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range z.Records {
			if r.Name == "payments" {
				return r.AllValues()
			}
		}
		t.Fatal("no payments record")
		return nil
	}
	undo, err := e.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := payments(); !slices.Equal(got, []string{"10.20.2.20"}) {
		t.Errorf("after %s: payments = %v; want [10.20.2.20]", e, got)
	}
	if got := undo.String(); got != "lb pay-nlb subnets lb-a=10.20.1.20 lb-b" {
		t.Errorf("undo = %q; want lb pay-nlb subnets lb-a=10.20.1.20 lb-b", got)
	}
	if _, err := undo.Apply(s); err != nil {
		t.Fatal(err)
	}
	if got := payments(); !slices.Equal(got, []string{"10.20.1.20", "10.20.2.20"}) {
		t.Errorf("after the undo: payments = %v; want [10.20.1.20 10.20.2.20]", got)
	}
	if _, err := Compile(s); err != nil {
		t.Errorf("after the undo the world does not compile: %v", err)
	}
}
