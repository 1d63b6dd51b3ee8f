package simnet

import (
	"reflect"
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
