package simnet

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/pathlab/pathlab/simnet/worldgen"
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
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse("gen", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var _ = fmt.Sprint
