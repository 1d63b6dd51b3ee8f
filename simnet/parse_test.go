package simnet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestBadWorlds checks that every kind of bad world file is refused with
// messages naming the file, line and column, and what is wrong.
func TestBadWorlds(t *testing.T) {
	type want struct {
		line int
		frag string
	}
	tests := []struct {
		file string
		want []want
	}{
		{"syntax.yaml", []want{{4, "']' not found"}}},
		{"unknown-field.yaml", []want{{5, `unknown key "subnetz" in vpcs; did you mean "subnets"?`}}},
		{"references.yaml", []want{
			{4, `resolver "missing-resolver" does not exist`},
			{17, `route table "rt-missing" does not exist`},
			{19, `security group "sg-missing" does not exist`},
		}},
		{"duplicates.yaml", []want{{11, `duplicate name "a"`}, {14, "10.0.1.10 is already used by web"}}},
		{"addresses.yaml", []want{
			{6, `"10.300.0.0/16" is not a CIDR`},
			{11, "is outside its VPC prod"},
			{13, "10.0.2.10 is outside subnet inside"},
		}},
		{"ports-ttl.yaml", []want{{7, "ttl -5 is negative"}, {15, `ports "70000"`}, {23, "port 65536 is outside 1-65535"}}},
		{"ipv6.yaml", []want{{5, "destination ::/0 is an IPv6 range"}, {7, "cidr 2001:db8::/64 is an IPv6 range"}, {8, "private_ip 2001:db8::10 is an IPv6 address"}}},
		{"empty.yaml", []want{{1, "the file is empty"}}},
		{"binary.yaml", []want{{1, "not text"}}},
		{"alias-bomb.yaml", []want{{7, "alias bomb"}}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			path := filepath.Join(repoRoot, "testdata", "worlds", "bad", tt.file)
			_, err := Load(path)
			if !errors.Is(err, spec.ErrInvalid) {
				t.Fatalf("Load(%s) = %v; want an ErrInvalid error", tt.file, err)
			}
			var e *spec.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *simnet.Error", err)
			}
			if len(e.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(e.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				if i >= len(e.Problems) {
					break
				}
				p := e.Problems[i]
				if p.File != path || p.Line != w.line || p.Col < 1 || !strings.Contains(p.Msg, w.frag) {
					t.Errorf("problem %d = %s; want %s:%d:COL: ...%s...", i, p, path, w.line, w.frag)
				}
				if !strings.HasPrefix(p.String(), path+":") {
					t.Errorf("problem %q does not start with the file name", p)
				}
			}
		})
	}
}

// TestAliasBombBoundedMemory checks that a billion-laughs file is refused
// without expanding it.
func TestAliasBombBoundedMemory(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "worlds", "bad", "alias-bomb.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ParseSpec("bomb.yaml", data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, spec.ErrInvalid) {
		t.Fatalf("ParseSpec = %v; want it refused", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("refusing the alias bomb allocated %d MiB; want a bounded few", grew>>20)
	}
}

func TestValidWorlds(t *testing.T) {
	for _, name := range BuiltinNames() {
		if _, err := LoadBuiltin(name); err != nil {
			t.Errorf("built-in world %s: %v", name, err)
		}
	}
	if _, err := Load(sharedExample(t)); err != nil {
		t.Errorf("reference world: %v", err)
	}
}

// FuzzParse feeds the parser arbitrary bytes: it must never panic, and a
// refusal must be an *Error naming the file.
func FuzzParse(f *testing.F) {
	// Seeds: the built-in world, every bad world, and small edge cases.
	if b, err := Builtin(DefaultWorld); err == nil {
		f.Add(b)
	}
	bad, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "worlds", "bad", "*.yaml"))
	corpus, _ := filepath.Glob(filepath.Join(repoRoot, "testdata", "bad", "worlds", "*.yaml")) // issue 16's corpus
	for _, p := range append(bad, corpus...) {
		// The corpus's near-limit files (20000 items) make slow seeds:
		// their mutations parse for 100 ms each. The limits are tested by
		// TestPrescanRefusesPathological and the corpus test instead.
		if b, err := os.ReadFile(p); err == nil && len(b) <= 16<<10 {
			f.Add(b)
		}
	}
	for _, tt := range rootNameWorlds {
		f.Add([]byte(tt.yaml))
	}
	f.Add([]byte("name: x\n"))
	f.Add([]byte("name: x\nvpcs: [{name: v, cidr: 10.0.0.0/16}]\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("name: &a x\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ParseSpec("fuzz.yaml", data)
		if err != nil {
			var e *spec.Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *simnet.Error with problems", err, err)
			}
			for _, p := range e.Problems {
				if p.File != "fuzz.yaml" {
					t.Fatalf("problem %q does not name the file", p)
				}
			}
			return
		}
		w, err := Compile(ws)
		if err != nil {
			t.Fatalf("a spec that validated does not compile: %v", err)
		}
		if h := w.Headline(); h != "" {
			if tg, err := tracer.ParseTarget(h); err == nil {
				w.Trace(context.Background(), "", tg)
			}
		}
	})
}
