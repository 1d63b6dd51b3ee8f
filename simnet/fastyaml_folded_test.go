package simnet

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
)

// foldedCases are worlds with ">" scalars: fast says whether the fast path
// must take the file (the common shape) or may leave it to the general
// path. Either way, what it takes decodes as the general path decodes it.
var foldedCases = []struct {
	name string
	yaml string
	fast bool
}{
	{"two lines", "name: x\ndescription: >\n  An online shop: a balancer\n  and two app servers.\nclock: 2026-11-21T12:00:00Z\n", true},
	{"strip", "name: x\ndescription: >-\n  a\n  b\n", true},
	{"one line", "name: x\ndescription: >\n  just one\n", true},
	{"blank line between", "name: x\ndescription: >\n  a\n\n  b\n", true},
	{"two blank lines", "name: x\ndescription: >\n  a\n\n\n  b\nclock: 2026-11-21T12:00:00Z\n", true},
	{"blank line after", "name: x\ndescription: >\n  a\n  b\n\nclock: 2026-11-21T12:00:00Z\n", true},
	{"comment after", "name: x\ndescription: > # about\n  a # not a comment\n  b\n", true},
	{"deeper indent", "name: x\ndescription: >\n      a\n      b\n", true},
	{"more indented", "name: x\ndescription: >\n  a\n    b\n  c\n", false},
	{"keep", "name: x\ndescription: >+\n  a\n\n", false},
	{"indent indicator", "name: x\ndescription: >2\n  a\n", false},
	{"leading blank", "name: x\ndescription: >\n\n  a\n", false},
	{"no final newline", "name: x\ndescription: >\n  a\n  b", false},
	{"trailing space", "name: x\ndescription: >\n  a \n  b\n", false},
	{"tab", "name: x\ndescription: >\n  a\tb\n", false},
	{"spaces on a blank line", "name: x\ndescription: >\n  a\n     \n  b\n", false},
}

func TestFastDecodeFolded(t *testing.T) {
	for _, c := range foldedCases {
		t.Run(c.name, func(t *testing.T) {
			var ws spec.WorldSpec
			fast := spec.FastDecode([]byte(c.yaml), &ws)
			if c.fast && !fast {
				t.Fatalf("the fast path left a common folded scalar to the general path:\n%s", c.yaml)
			}
			if !fast {
				return
			}
			slow, ok := slowSpec([]byte(c.yaml))
			if !ok {
				t.Fatalf("the fast path took a file the general path refuses:\n%s", c.yaml)
			}
			if !reflect.DeepEqual(&ws, slow) {
				t.Fatalf("decoded differently:\nfast %q\nslow %q", ws.Description, slow.Description)
			}
		})
	}
}

func FuzzFastDecodeFolded(f *testing.F) {
	for _, c := range foldedCases {
		f.Add([]byte(c.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var ws spec.WorldSpec
		if !spec.FastDecode(data, &ws) {
			return
		}
		slow, ok := slowSpec(data)
		if !ok {
			t.Fatalf("the fast path took a file the general path refuses:\n%q", data)
		}
		if !reflect.DeepEqual(&ws, slow) {
			t.Fatalf("decoded differently:\nfast %+v\nslow %+v\n%q", ws, *slow, data)
		}
	})
}

// TestFastLocateWarningsAgree: for every world of the repository the fast
// path reads that has warnings, the fast path's positions of the warnings
// are the general reader's, so a world of ordinary size can have them
// located by either.
func TestFastLocateWarningsAgree(t *testing.T) {
	var paths []string
	filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") && strings.Contains(path, "testdata") {
			paths = append(paths, path)
		}
		return nil
	})
	datas := map[string][]byte{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		datas[path] = data
	}
	for _, n := range BuiltinNames() {
		datas["builtin:"+n], _ = Builtin(n)
	}
	n := 0
	for path, data := range datas {
		var ws spec.WorldSpec
		if !spec.FastDecode(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &ws) {
			continue
		}
		w, problems := compile(&ws)
		if len(problems) > 0 || len(w.warnings) == 0 {
			continue
		}
		n++
		fast := append([]spec.Problem(nil), w.warnings...)
		spec.FastLocate(path, data, fast)
		slow := append([]spec.Problem(nil), w.warnings...)
		locateGeneral(path, data, slow)
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\nfast %v\nslow %v", path, fast, slow)
		}
	}
	if n == 0 {
		t.Fatal("no world with warnings took the fast path")
	}
	t.Logf("%d worlds with warnings compared", n)
}

// locateGeneral gives problems their line and column from the general
// reader's syntax tree, as parseWorld's general path does. A file that
// reader refuses keeps its problems unlocated: the fast path read it.
func locateGeneral(name string, data []byte, problems []spec.Problem) {
	file, bad := spec.WorldDoc.Parse(name, data)
	if bad != nil {
		for i := range problems {
			problems[i].File = name
		}
		return
	}
	spec.Locate(name, file, problems)
}
