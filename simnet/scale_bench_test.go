package simnet

import (
	"bytes"
	"context"
	"net/netip"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// scaleSizes are the generated worlds of the scale benchmarks: instances,
// subnets and rules grow together. The 100k world (95 MiB of YAML) is
// generated only when a benchmark asks for it.
var scaleSizes = []struct {
	name string
	opt  worldgen.Options
}{
	{"1k", worldgen.Options{Subnets: 100, Instances: 1000, Rules: 10000, Seed: 1}},
	{"10k", worldgen.Options{Subnets: 1000, Instances: 10000, Rules: 100000, Seed: 1}},
	{"100k", worldgen.Options{Subnets: 10000, Instances: 100000, Rules: 1000000, Seed: 1}},
}

var genCache sync.Map // options -> []byte

func generated(tb testing.TB, o worldgen.Options) []byte {
	tb.Helper()
	if b, ok := genCache.Load(o); ok {
		return b.([]byte)
	}
	var buf bytes.Buffer
	if err := worldgen.Write(&buf, o); err != nil {
		tb.Fatal(err)
	}
	genCache.Store(o, buf.Bytes())
	return buf.Bytes()
}

// BenchmarkLoad parses, validates and compiles generated worlds.
func BenchmarkLoad(b *testing.B) {
	for _, sz := range scaleSizes {
		b.Run(sz.name, func(b *testing.B) {
			data := generated(b, sz.opt)
			b.SetBytes(int64(len(data)))
			cpuLoop(b, func() {
				if _, err := Parse("gen", data); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// cpu is the process's CPU time (user and system, every thread): on a
// shared machine, wall time says more about the neighbours than about the
// code.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuLoop runs f b.N times and reports CPU time per run, and the peak
// resident memory of the process.
func cpuLoop(b *testing.B, f func()) {
	b.ReportAllocs()
	c0 := cpu()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(cpu()-c0)/float64(time.Microsecond)/float64(n), "cpu-us/op")
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MiB")
}

var worldCache sync.Map

func generatedWorld(b *testing.B, o worldgen.Options) *World {
	if w, ok := worldCache.Load(o); ok {
		return w.(*World)
	}
	w, err := Parse("gen", generated(b, o))
	if err != nil {
		b.Fatal(err)
	}
	worldCache.Store(o, w)
	return w
}

// BenchmarkTrace follows the generated world's headline request (DNS,
// TCP, TLS, HTTP through the balancer) from the browser, and one
// connection between two instances.
func BenchmarkTrace(b *testing.B) {
	for _, sz := range scaleSizes {
		b.Run(sz.name, func(b *testing.B) {
			w := generatedWorld(b, sz.opt)
			target, err := tracer.ParseTarget(w.Headline())
			if err != nil {
				b.Fatal(err)
			}
			w.Trace(context.Background(), "browser", target) // health checks, once per world
			// The load's garbage is the load's: collected here, not by a
			// GC cycle that marks the whole world during the traces
			// (testing collects before the benchmark, not after its setup).
			runtime.GC()
			cpuLoop(b, func() {
				r, err := w.Trace(context.Background(), "browser", target)
				if err != nil || !r.Delivered() {
					b.Fatalf("%v %v", err, r.BrokenAt)
				}
			})
		})
		b.Run(sz.name+"/connect", func(b *testing.B) {
			w := generatedWorld(b, sz.opt)
			n, err := w.From("app-0")
			if err != nil {
				b.Fatal(err)
			}
			dst := netip.MustParseAddrPort(w.spec.VPCs[0].Instances[4].PrivateIP + ":5432")
			cpuLoop(b, func() { n.Dial(context.Background(), tracer.TCP, dst) })
		})
	}
}
