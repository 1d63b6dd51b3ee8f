// Package simtest holds what the tests of the packages above simnet
// share (story, graph, diff, simnet/capture): the repository's testdata,
// the reference world in ../shared, worlds loaded or failed on the spot,
// one-line traces and golden files. Only tests import it.
package simtest

import (
	"context"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/tracertest"
)

// update rewrites golden files instead of comparing with them:
// go test ./story -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Root is the repository's top directory (the one holding go.mod), found
// from the test's working directory, its package's directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// SharedExample returns the path of the reference world in ../shared, or
// skips the test when the shared design folder is absent.
func SharedExample(t testing.TB) string {
	t.Helper()
	p := filepath.Join(Root(t), "..", "shared", "examples", "shop.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("the reference world %s is absent (../shared not checked out beside the repository)", p)
	}
	return p
}

// Golden compares got with the golden file at path (relative to the
// repository's top), or rewrites it with -update.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	tracertest.Golden(t, filepath.Join(Root(t), path), got, *update)
}

// Builtin is the default built-in world.
func Builtin(t testing.TB) *simnet.World {
	t.Helper()
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// World is the built-in world for "", else testdata/worlds/FILE.
func World(t testing.TB, file string) *simnet.World {
	t.Helper()
	if file == "" {
		return Builtin(t)
	}
	w, err := simnet.Load(filepath.Join(Root(t), "testdata", "worlds", file))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// BenchWorld is the default built-in world and its headline request.
func BenchWorld(b *testing.B) (*simnet.World, tracer.Target) {
	b.Helper()
	w := Builtin(b)
	return w, Target(b, w.Headline())
}

// Addr parses an address the test knows to be valid.
func Addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// Target parses a trace target or fails the test.
func Target(t testing.TB, s string) tracer.Target {
	t.Helper()
	tg, err := tracer.ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// Trace traces target from the vantage point or fails the test.
func Trace(t testing.TB, w *simnet.World, from, target string) *tracer.Report {
	t.Helper()
	r, err := w.Trace(context.Background(), from, Target(t, target))
	if err != nil {
		t.Fatalf("Trace(%s, %s): %v", from, target, err)
	}
	return r
}
