package simnet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/simnet/worldgen"
)

// slowSpec decodes through the general path: the YAML parser, the shape
// check and the strict decoder.
func slowSpec(data []byte) (*spec.WorldSpec, bool) {
	file, problems := spec.WorldDoc.Parse("t", data)
	if problems != nil {
		return nil, false
	}
	var ws spec.WorldSpec
	if problems := spec.WorldDoc.Decode("t", file, &ws); problems != nil {
		return nil, false
	}
	return &ws, true
}

// TestFastDecodeAgrees: every world file the fast path takes decodes to
// exactly what the general path gives; the built-in and generated worlds
// take the fast path.
func TestFastDecodeAgrees(t *testing.T) {
	files := map[string][]byte{}
	for _, n := range BuiltinNames() {
		b, _ := Builtin(n)
		files["builtin:"+n] = b
	}
	paths, _ := filepath.Glob("../testdata/worlds/*.yaml")
	more, _ := filepath.Glob("../testdata/worlds/*/*.yaml")
	for _, p := range append(paths, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	var gen bytes.Buffer
	if err := worldgen.Write(&gen, worldgen.Options{Subnets: 12, Instances: 40, Rules: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	files["generated"] = gen.Bytes()
	fast := 0
	for name, data := range files {
		var ws spec.WorldSpec
		ok := spec.FastDecode(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &ws)
		if (strings.HasPrefix(name, "builtin:") || name == "generated") && !ok {
			t.Errorf("%s: the fast path refused it", name)
		}
		if !ok {
			continue
		}
		fast++
		slow, sok := slowSpec(data)
		if !sok {
			t.Errorf("%s: the fast path took a file the general path refuses", name)
			continue
		}
		if !reflect.DeepEqual(&ws, slow) {
			t.Errorf("%s: the fast path decodes it differently:\nfast %+v\nslow %+v", name, ws, *slow)
		}
	}
	t.Logf("%d of %d files took the fast path", fast, len(files))
}

// FuzzFastDecode: whatever the fast path takes, the general path takes
// too, into the same value.
func FuzzFastDecode(f *testing.F) {
	for _, n := range BuiltinNames() {
		b, _ := Builtin(n)
		f.Add(b)
	}
	f.Add([]byte("name: x\nvpcs:\n- name: a\n  cidr: 10.0.0.0/16\n"))
	f.Add([]byte("name: x\ndescription: |-\n  a\n\n  b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ws spec.WorldSpec
		if !spec.FastDecode(data, &ws) {
			return
		}
		slow, ok := slowSpec(data)
		if !ok {
			t.Fatalf("the fast path took a file the general path refuses:\n%s", data)
		}
		if !reflect.DeepEqual(&ws, slow) {
			t.Fatalf("decoded differently:\nfast %+v\nslow %+v\n%s", ws, *slow, data)
		}
	})
}

// TestFastLocateAgrees: for bad worlds the fast path reads, its positions
// of the problems are the general path's.
func TestFastLocateAgrees(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/worlds/bad/*.yaml")
	more, _ := filepath.Glob("../testdata/bad/worlds/*.yaml")
	n := 0
	for _, path := range append(paths, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var ws spec.WorldSpec
		if !spec.FastDecode(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &ws) {
			continue
		}
		_, problems := compile(&ws)
		if len(problems) == 0 {
			continue
		}
		n++
		fast := append([]spec.Problem(nil), problems...)
		spec.FastLocate(path, data, fast)
		_, _, err = parseWorld(path, data)
		var e *spec.Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: %v", path, err)
		}
		if !reflect.DeepEqual(fast, e.Problems) {
			t.Errorf("%s:\nfast %v\nslow %v", path, fast, e.Problems)
		}
	}
	if n == 0 {
		t.Fatal("no bad world took the fast path")
	}
	t.Logf("%d bad worlds compared", n)
}

// TestWorldSizeLimit: the size bound is an option, and its message names
// it.
func TestWorldSizeLimit(t *testing.T) {
	defer func(n int) { spec.WorldDoc.MaxSize = n }(spec.WorldDoc.MaxSize)
	if spec.WorldDoc.MaxSize != 256<<20 {
		t.Errorf("the default bound is %d bytes; want 256 MiB", spec.WorldDoc.MaxSize)
	}
	b, _ := Builtin("shop")
	p := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	spec.WorldDoc.MaxSize = 1 << 10
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "larger than 1 KiB, the limit for a world file; raise it with --max-world-size") {
		t.Errorf("Load over the bound = %v", err)
	}
	spec.WorldDoc.MaxSize = 1 << 20
	if _, err := Load(p); err != nil {
		t.Errorf("Load under the bound = %v", err)
	}
}

// TestFastLocateGenerated: a generated world of a megabyte holds more
// entries than the general path reads (MaxEntries), so the fast path
// names its problems and warnings itself, at their line and column,
// instead of refusing the file for its size.
func TestFastLocateGenerated(t *testing.T) {
	var gen bytes.Buffer
	if err := worldgen.Write(&gen, worldgen.Options{Subnets: 100, Instances: 1000, Rules: 10000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	data := gen.Bytes()
	if spec.Prescan(data) == nil || len(data) > spec.FastLocateOver {
		t.Fatalf("the world (%d bytes) should be past the general path's limits and under fastLocateOver", len(data))
	}
	w, err := Parse("gen.yaml", data)
	if err != nil || len(w.Warnings()) != 0 {
		t.Fatalf("the generated world: %v, warnings %v", err, w.Warnings())
	}
	// lineCol is where the first occurrence of s starts.
	lineCol := func(b []byte, s string) (int, int) {
		i := bytes.Index(b, []byte(s))
		if i < 0 {
			t.Fatalf("%q not in the world", s)
		}
		nl := bytes.LastIndexByte(b[:i], '\n')
		return bytes.Count(b[:i], []byte("\n")) + 1, i - nl
	}
	for _, tc := range []struct {
		name, old, new, at, msg string
		warning                 bool
	}{
		{"problem", "cidr: 10.0.0.0/16", "cidr: 10.0.0.0/66", "10.0.0.0/66", `cidr "10.0.0.0/66" is not a CIDR`, false},
		{"warning", "target: nat-0-b}", "target: nat-9}", "nat-9}", `route target "nat-9" does not exist`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
			line, col := lineCol(bad, tc.at)
			w, err := Parse("gen.yaml", bad)
			var got []spec.Problem
			if tc.warning {
				if err != nil {
					t.Fatal(err)
				}
				got = w.Warnings()
			} else {
				var e *spec.Error
				if !errors.As(err, &e) {
					t.Fatalf("Parse = %v; want a problem", err)
				}
				got = e.Problems
			}
			if len(got) != 1 || got[0].Line != line || got[0].Col != col || !strings.Contains(got[0].Msg, tc.msg) {
				t.Errorf("got %v; want one at gen.yaml:%d:%d saying %q", got, line, col, tc.msg)
			}
		})
	}
}
