package capture

import (
	"context"
	"flag"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/tracertest"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites golden files instead of comparing with them:
// go test ./simnet -update
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// repoRoot is the repository's top directory, for testdata/.
const repoRoot = "../.."

// sharedExample returns the path of the reference world in ../shared, or
// skips the test when the shared design folder is absent.
func sharedExample(t testing.TB) string {
	t.Helper()
	p := filepath.Join(repoRoot, "..", "shared", "examples", "shop.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("the reference world %s is absent (../shared not checked out beside the repository)", p)
	}
	return p
}

// golden compares got with the golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	tracertest.Golden(t, path, got, *update)
}

func netipAddrPort(a netip.Addr, p uint16) netip.AddrPort { return netip.AddrPortFrom(a, p) }

func storyWorld(t *testing.T, file string) *simnet.World {
	t.Helper()
	if file == "" {
		w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	return loadTestWorld(t, file)
}

func mustBuiltin(t *testing.T) *simnet.World {
	t.Helper()
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func ap(s string) netip.Addr { return netip.MustParseAddr(s) }

func benchWorld(b *testing.B) (*simnet.World, tracer.Target) {
	b.Helper()
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	t, err := tracer.ParseTarget(w.Headline())
	if err != nil {
		b.Fatal(err)
	}
	return w, t
}

func loadTestWorld(t *testing.T, name string) *simnet.World {
	t.Helper()
	w, err := simnet.Load(filepath.Join(repoRoot, "testdata", "worlds", name))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func trace(t testing.TB, w *simnet.World, from, target string) *tracer.Report {
	t.Helper()
	r, err := w.Trace(context.Background(), from, mustTarget(t, target))
	if err != nil {
		t.Fatalf("Trace(%s, %s): %v", from, target, err)
	}
	return r
}

func mustTarget(t testing.TB, s string) tracer.Target {
	t.Helper()
	tg, err := tracer.ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
