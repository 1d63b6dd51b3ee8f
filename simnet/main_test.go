package simnet

import (
	"flag"
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
const repoRoot = ".."

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
