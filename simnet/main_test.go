package simnet

import (
	"flag"
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
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run go test ./simnet -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (run with -update and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func netipAddrPort(a netip.Addr, p uint16) netip.AddrPort { return netip.AddrPortFrom(a, p) }
