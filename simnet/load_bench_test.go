package simnet

import (
	"os"
	"path/filepath"
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

// BenchmarkLoadFile is what pathlab check does with a generated world:
// Load reads the file and decodes it in place (no copy of its text), then
// validates and compiles it.
func BenchmarkLoadFile(b *testing.B) {
	for _, sz := range scaleSizes {
		b.Run(sz.name, func(b *testing.B) {
			data := generated(b, sz.opt)
			path := filepath.Join(b.TempDir(), "gen.yaml")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			cpuLoop(b, func() {
				if _, err := Load(path); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
