package simnet

import (
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
)

// BenchmarkLoadDecode is the first half of BenchmarkLoad: reading the
// generated world's YAML into a spec (spec.FastDecode), without
// validating or compiling it.
func BenchmarkLoadDecode(b *testing.B) {
	for _, sz := range scaleSizes {
		b.Run(sz.name, func(b *testing.B) {
			data := generated(b, sz.opt)
			b.SetBytes(int64(len(data)))
			cpuLoop(b, func() {
				var ws spec.WorldSpec
				if !spec.FastDecode(data, &ws) {
					b.Fatal("the fast path refused the generated world")
				}
			})
		})
	}
}
