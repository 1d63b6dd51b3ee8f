package simnet

import (
	"testing"

	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// TestClassesAgreeWithTraces runs the class-based reachability against the
// one-trace-per-flow answer: every pair of endpoints, every protocol, and
// in each port class its first, last and a middle port (the class is
// judged by one walk of its first; the others are traced alone). The
// built-in worlds and generated ones of several seeds.
func TestClassesAgreeWithTraces(t *testing.T) {
	worlds := map[string]*World{}
	for _, n := range BuiltinNames() {
		w, err := LoadBuiltin(n)
		if err != nil {
			t.Fatal(err)
		}
		worlds[n] = w
	}
	for seed := uint64(1); seed <= 3; seed++ {
		o := worldgen.Options{Subnets: 10, VPCs: 2, Instances: 16, Rules: 120, Seed: seed}
		w, err := Parse("gen", generated(t, o))
		if err != nil {
			t.Fatal(err)
		}
		worlds["gen-"+string(rune('0'+seed))] = w
	}
	for name, w := range worlds {
		t.Run(name, func(t *testing.T) {
			r := w.NewReach()
			flows, open := 0, 0
			srcs := r.Endpoints()
			if in, ok := r.Internet(); ok {
				srcs = append(srcs, in)
			} else {
				t.Error("no internet endpoint")
			}
			for _, src := range srcs {
				for _, dst := range r.Endpoints() {
					if src.Name == dst.Name {
						continue
					}
					addr := r.Address(src, dst)
					for _, p := range []tracer.Proto{tracer.TCP, tracer.UDP, tracer.ICMP} {
						for _, c := range r.Classes(p) {
							ports := []uint16{c.Lo, c.Hi, c.Lo + (c.Hi-c.Lo)/2}
							for _, port := range ports {
								got := r.Flow(src, dst, p, port)
								want := r.FlowOneByOne(src, dst, addr, p, port)
								flows++
								if got.Open {
									open++
								}
								if got != want {
									t.Errorf("%s → %s %s %d: classes say %+v, the trace %+v", src.Name, dst.Name, p, port, got, want)
								}
							}
						}
					}
				}
			}
			if open == 0 || open == flows {
				t.Errorf("%d of %d flows open: the world tells nothing apart", open, flows)
			}
			t.Logf("%d flows agree (%d open), %d endpoint profiles", flows, open, r.Profiles())
		})
	}
}
