package simnet

import (
	"context"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

func benchWorld(b *testing.B) (*World, tracer.Target) {
	b.Helper()
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	t, err := tracer.ParseTarget(w.Headline())
	if err != nil {
		b.Fatal(err)
	}
	return w, t
}

// BenchmarkTracePlain is a trace without packets: the allocation count must
// not grow with the packet view (issue 3).
func BenchmarkTracePlain(b *testing.B) {
	w, t := benchWorld(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Trace(ctx, "", t); err != nil {
			b.Fatal(err)
		}
	}
}
