package play

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
)

// TestEditFileIsNotThePath: the edit command's file is named after the
// world only when the name is a plain word (issue 16: a world named
// ../../tmp/x made edit write outside its temporary directory).
func TestEditFileIsNotThePath(t *testing.T) {
	for _, name := range []string{"../../tmp/pathlab-edit-escape", "/tmp/pathlab-edit-abs", "a/b", "..", "shop"} {
		var got string
		sh, _ := session(t, adHoc(t), nil, Options{Editor: func(_ context.Context, path string) error {
			got = path
			return nil
		}})
		sh.spec.Name = name // as if validation had let it through
		sh.Exec(context.Background(), "edit")
		if got == "" {
			t.Fatalf("%q: the editor did not run", name)
		}
		dir := filepath.Dir(got)
		if !strings.Contains(filepath.Base(dir), "pathlab-edit-") || strings.Contains(got, "..") {
			t.Errorf("%q: edit wrote %s, outside its temporary directory", name, got)
		}
		if _, err := os.Stat(got); err == nil {
			t.Errorf("%q: %s was left behind", name, got)
		}
	}
	for _, p := range []string{"/tmp/pathlab-edit-escape.yaml", "/tmp/pathlab-edit-abs.yaml"} {
		if _, err := os.Stat(p); err == nil {
			os.Remove(p)
			t.Errorf("edit wrote %s", p)
		}
	}
}

// TestEditRoundTrip: the world the edit command writes out reads back as
// it was (the strict checks of issue 16 refuse empty values and unknown
// keys; what pathlab itself writes must pass them), for every library
// scenario's broken world.
func TestEditRoundTrip(t *testing.T) {
	lib, err := scenarios.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range lib {
		st, err := sc.Build()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		sh, err := New(context.Background(), st, &out, Options{Editor: func(context.Context, string) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		sh.Exec(context.Background(), "edit")
		if !strings.Contains(out.String(), "no change") {
			t.Errorf("%s: the world written by edit does not read back unchanged:\n%s", sc.ID, out.String())
		}
	}
}
