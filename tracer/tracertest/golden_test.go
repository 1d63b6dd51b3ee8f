package tracertest

import (
	"path/filepath"
	"testing"
)

func TestGoldenWritesThenCompares(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.txt")
	Golden(t, path, []byte("a\nb\n"), true)
	Golden(t, path, []byte("a\nb\n"), false) // equal: passes

	ft := &fakeT{TB: t}
	Golden(ft, path, []byte("a\nc\n"), false)
	if !ft.failed {
		t.Error("a differing result did not fail")
	}
}

func TestFirstDiff(t *testing.T) {
	for _, tt := range []struct{ want, got, diff string }{
		{"a\nb", "a\nb", ""},
		{"a\nb", "a\nc", "line 2:\n- b\n+ c"},
		{"a", "a\nextra", "line 2:\n- \n+ extra"},
	} {
		if d := FirstDiff(tt.want, tt.got); d != tt.diff {
			t.Errorf("FirstDiff(%q, %q) = %q; want %q", tt.want, tt.got, d, tt.diff)
		}
	}
}

// fakeT records a failure instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
