package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/worldgen"
)

// TestDiffLargeWorldsOverClasses: above 1,000 instances diff compares over
// classes without being asked (tracing every flow one at a time would take
// minutes; 1,001 generated and a bastion), says so on standard error, and lists what the change closed;
// --classes=false keeps the flow-by-flow diff (not run here: it is the
// slow one).
func TestDiffLargeWorldsOverClasses(t *testing.T) {
	var buf bytes.Buffer
	if err := worldgen.Write(&buf, worldgen.Options{Subnets: 40, Instances: 1001, Rules: 1200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	oldPath, newPath := filepath.Join(dir, "old.yaml"), filepath.Join(dir, "new.yaml")
	// The data tier's ACL denies the database port from the VPC where it
	// allowed everything.
	const allow = "{rule: 100, protocol: all, cidr: 10.0.0.0/16, action: allow}"
	if !bytes.Contains(buf.Bytes(), []byte(allow)) {
		t.Fatalf("the generated world has no %s", allow)
	}
	changed := bytes.Replace(buf.Bytes(), []byte(allow), []byte("{rule: 100, protocol: tcp, ports: 5432, cidr: 10.0.0.0/16, action: deny}"), 1)
	if err := os.WriteFile(oldPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(newPath, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runPathlab(t, false, nil, "diff", oldPath, newPath)
	if code != 1 {
		t.Fatalf("exit %d; want 1 (something closed)\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "1002 instances: comparing over classes (--classes=false traces every flow)") {
		t.Errorf("stderr %q; want the note that it compares over classes", errOut)
	}
	if !strings.HasPrefix(out, "reachability over classes from "+oldPath) || !strings.Contains(out, "\nclosed:\n") {
		t.Fatalf("stdout:\n%.2000s", out)
	}
	found := false
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " → data-") && strings.Contains(l, "tcp 5432 (now stopped at acl-data-0: ") {
			found = true
			break
		}
	}
	if !found {
		t.Errorf("no flow to a database closed at acl-data-0:\n%.3000s", out)
	}
	// Small worlds keep the flow-by-flow diff.
	out, _, _ = runPathlab(t, false, nil, "diff", "builtin:shop", "builtin:shop")
	if !strings.HasPrefix(out, "reachability from builtin:shop to builtin:shop: ") {
		t.Errorf("a small world's diff: %q", out)
	}
}
