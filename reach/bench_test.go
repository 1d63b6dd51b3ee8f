package reach

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// The generated worlds of the scale benchmarks (as in simnet's): 1k, 10k
// and 100k instances, with 10 rules and a tenth of a subnet per instance.
var sizes = []struct {
	name string
	opt  worldgen.Options
}{
	{"1k", worldgen.Options{Subnets: 100, Instances: 1000, Rules: 10000, Seed: 1}},
	{"10k", worldgen.Options{Subnets: 1000, Instances: 10000, Rules: 100000, Seed: 1}},
	{"100k", worldgen.Options{Subnets: 10000, Instances: 100000, Rules: 1000000, Seed: 1}},
}

var worlds sync.Map

func world(b *testing.B, o worldgen.Options) *simnet.World {
	if w, ok := worlds.Load(o); ok {
		return w.(*simnet.World)
	}
	w := genWorld(b, o)
	worlds.Store(o, w)
	return w
}

// BenchmarkReachFrom answers reach --from app-0: every endpoint, every
// class, from a fresh Reach (no class cached).
func BenchmarkReachFrom(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			w := world(b, sz.opt)
			cpuLoop(b, func() {
				if _, err := From(w, w.NewReach(), "app-0"); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// changed is w with one data group admitting nothing: what a reviewer
// diffs.
func changed(b testing.TB, w *simnet.World) *simnet.World {
	spec := w.Spec()
	for i := range spec.VPCs[0].SecurityGroups {
		g := &spec.VPCs[0].SecurityGroups[i]
		if g.Name == "sg-vpc-0-data-0" {
			g.Ingress = nil // the group admits nothing
		}
	}
	nw, err := simnet.Compile(spec)
	if err != nil {
		b.Fatal(err)
	}
	return nw
}

// BenchmarkDiff compares a world with itself after one group rule
// changed, over classes (diff --classes), worlds loaded.
func BenchmarkDiff(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			w := world(b, sz.opt)
			nw := changed(b, w)
			cpuLoop(b, func() {
				d := Compare(w, nw)
				if len(d.Closed) == 0 {
					b.Fatal("nothing closed")
				}
				b.ReportMetric(float64(len(d.Closed)), "closed")
			})
		})
	}
}

// reviewed is w after a change as a review sees one: one data group
// admits nothing, the last VPC's data tier loses its last route (to the
// hub, over the peering; with one VPC, the blackhole) and its ACL denies
// ssh from the VPC's first public subnet (the bastion's).
func reviewed(b testing.TB, w *simnet.World) *simnet.World {
	spec := w.Spec()
	for i := range spec.VPCs[0].SecurityGroups {
		if g := &spec.VPCs[0].SecurityGroups[i]; g.Name == "sg-vpc-0-data-0" {
			g.Ingress = nil
		}
	}
	v := &spec.VPCs[len(spec.VPCs)-1]
	for i := range v.RouteTables {
		if rt := &v.RouteTables[i]; rt.Name == "rt-data-"+v.Name[len("vpc-"):] {
			rt.Routes = rt.Routes[:len(rt.Routes)-1]
		}
	}
	for i := range v.NetworkACLs {
		if a := &v.NetworkACLs[i]; a.Name == "acl-data-"+v.Name[len("vpc-"):] {
			a.Ingress = append(a.Ingress, specACLRule(90, "tcp", 22, v.Subnets[0].CIDR, "deny"))
		}
	}
	nw, err := simnet.Compile(spec)
	if err != nil {
		b.Fatal(err)
	}
	return nw
}

// BenchmarkDiffReview compares a world with itself after the change of
// reviewed: a group, a route and an ACL rule, worlds loaded.
func BenchmarkDiffReview(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			w := world(b, sz.opt)
			nw := reviewed(b, w)
			cpuLoop(b, func() {
				d := Compare(w, nw)
				if len(d.Closed) == 0 {
					b.Fatal("nothing closed")
				}
				b.ReportMetric(float64(d.Touched), "touched")
				b.ReportMetric(float64(len(d.Closed)), "closed")
			})
		})
	}
}

// BenchmarkAllPairs: 1,000 endpoints × 1,000 endpoints × 3 ports (22,
// 5432, 8080), through the classes and by tracing each flow alone, side
// by side, on the 1k world.
func BenchmarkAllPairs(b *testing.B) {
	w := world(b, sizes[0].opt)
	r0 := w.NewReach()
	var eps []simnet.Endpoint
	for _, e := range r0.Endpoints() {
		if e.Kind == "instance" && len(eps) < 1000 {
			eps = append(eps, e)
		}
	}
	if len(eps) < 1000 {
		b.Fatalf("%d instances", len(eps))
	}
	ports := []uint16{22, 5432, 8080}
	b.Run("classes", func(b *testing.B) {
		cpuLoop(b, func() {
			r := w.NewReach()
			open := 0
			for _, s := range eps {
				for _, d := range eps {
					for _, p := range ports {
						if r.Flow(s, d, tracer.TCP, p).Open {
							open++
						}
					}
				}
			}
			b.ReportMetric(float64(open), "open")
		})
	})
	b.Run("one-by-one", func(b *testing.B) {
		cpuLoop(b, func() {
			open := 0
			for _, s := range eps {
				for _, d := range eps {
					addr := r0.Address(s, d)
					for _, p := range ports {
						if r0.FlowOneByOne(s, d, addr, tracer.TCP, p).Open {
							open++
						}
					}
				}
			}
			b.ReportMetric(float64(open), "open")
		})
	})
}

// cpu is the process's CPU time (user and system, every thread): on a
// shared machine, wall time says more about the neighbours than about the
// code.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuLoop runs f b.N times and reports CPU milliseconds per run.
func cpuLoop(b *testing.B, f func()) {
	b.ReportAllocs()
	c0 := cpu()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(cpu()-c0)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}

func specACLRule(num int, proto string, port int, cidr, action string) spec.ACLRuleSpec {
	return spec.ACLRuleSpec{Rule: num, Protocol: proto, Ports: spec.PortsOf(port, port), CIDR: cidr, Action: action}
}
