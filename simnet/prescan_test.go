package simnet

import (
	"fmt"
	"github.com/pathlab/pathlab/simnet/spec"
	"strings"
	"testing"
)

// pathological are the inputs of issue 16 that kept the YAML parser busy
// for seconds to minutes, within the size limit. Each must be refused by
// the pre-scan, naming where.
func pathological() []struct {
	name string
	data string
	line int
	frag string
} {
	var topKeys, nestedKeys, deepBlock, manyItems strings.Builder
	for i := range 200_000 {
		fmt.Fprintf(&topKeys, "k%d: v\n", i)
	}
	nestedKeys.WriteString("name: w\nvpcs:\n")
	for i := range 1500 {
		fmt.Fprintf(&nestedKeys, "  k%d: v\n", i)
	}
	for i := range 100 {
		fmt.Fprintf(&deepBlock, "%sk:\n", strings.Repeat(" ", i))
	}
	manyItems.WriteString("name: w\nx: [")
	for range 60_000 {
		manyItems.WriteString("1,")
	}
	manyItems.WriteString("]\n")
	return []struct {
		name string
		data string
		line int
		frag string
	}{
		{"deep flow 32k", strings.Repeat("[", 32_000) + strings.Repeat("]", 32_000), 1, "nests more than 64 levels"},
		{"deep flow 100k", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), 1, "nests more than 64 levels"},
		{"deep flow maps", "name: w\nx: " + strings.Repeat("{a: ", 20_000) + strings.Repeat("}", 20_000), 2, "nests more than 64 levels"},
		{"deep compact items", "name: w\nx:\n" + strings.Repeat("- ", 20_000) + "x\n", 3, "nests more than 64 levels"},
		{"deep block", deepBlock.String(), 65, "nests more than 64 levels"},
		{"200k top-level keys", topKeys.String(), 501, "more than 500 keys"},
		{"1500 keys in one mapping", nestedKeys.String(), 503, "more than 500 keys"},
		{"60k flow items", manyItems.String(), 2, "more than 20000 keys and items"},
	}
}

func TestPrescanRefusesPathological(t *testing.T) {
	for _, tt := range pathological() {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSpec("p.yaml", []byte(tt.data))
			e, ok := err.(*spec.Error)
			if !ok || len(e.Problems) != 1 {
				t.Fatalf("ParseSpec = %v; want one problem", err)
			}
			p := e.Problems[0]
			if p.Line != tt.line || !strings.Contains(p.Msg, tt.frag) {
				t.Errorf("problem %q; want line %d and %q", p, tt.line, tt.frag)
			}
		})
	}
}

// TestPrescanPassesRealFiles: what real files hold is far inside the
// limits, including quotes, comments and block scalars that hold
// brackets and colons.
func TestPrescanPassesRealFiles(t *testing.T) {
	for _, name := range BuiltinNames() {
		b, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		if lim := spec.Prescan(b); lim != nil {
			t.Errorf("built-in %s: %d:%d: %s", name, lim.Line, lim.Col, lim.Msg)
		}
	}
	tricky := "name: w # [[[[ not a bracket\n" +
		"description: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n  a: b: c:\n" +
		"clock: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n" +
		"x: 'it''s [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n" +
		"y: a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
	if lim := spec.Prescan([]byte(tricky)); lim != nil {
		t.Errorf("%d:%d: %s", lim.Line, lim.Col, lim.Msg)
	}
	var wide strings.Builder
	wide.WriteString("name: w\nvpcs:\n")
	for i := range 900 {
		fmt.Fprintf(&wide, "  - {name: v%d, cidr: 10.0.0.0/16}\n", i)
	}
	if lim := spec.Prescan([]byte(wide.String())); lim != nil {
		t.Errorf("900 VPCs: %d:%d: %s", lim.Line, lim.Col, lim.Msg)
	}
}

// BenchmarkPrescanLimits parses the worst files the limits let through,
// and the refusal of the pathological ones: the figures for issue 16's
// "refused in well under a second".
func BenchmarkPrescanLimits(b *testing.B) {
	var atKeys, atDepth, atEntries strings.Builder
	atKeys.WriteString("name: w\n")
	for i := range spec.MaxKeysPerMapping - 1 {
		fmt.Fprintf(&atKeys, "k%d: v\n", i)
	}
	atDepth.WriteString("name: w\nx: " + strings.Repeat("[", spec.MaxDepth-1) + strings.Repeat("]", spec.MaxDepth-1) + "\n")
	atEntries.WriteString("name: w\nx:\n")
	for range spec.MaxEntries/4 - 10 { // 4 entries a line: the item, two keys, a comma
		atEntries.WriteString("  - {a: 1, b: 2}\n")
	}
	cases := []struct{ name, data string }{
		{"keys-at-limit", atKeys.String()},
		{"depth-at-limit", atDepth.String()},
		{"entries-near-limit", atEntries.String()},
	}
	for _, p := range pathological() {
		cases = append(cases, struct{ name, data string }{"refuse-" + strings.ReplaceAll(p.name, " ", "-"), p.data})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				spec.WorldDoc.Parse("b.yaml", []byte(c.data))
			}
		})
	}
}

// BenchmarkPrescanWorstSpread: the most keys the limits let through, in
// as many full mappings as fit.
func BenchmarkPrescanWorstSpread(b *testing.B) {
	var s strings.Builder
	s.WriteString("name: w\nx:\n")
	for m := range spec.MaxEntries/(spec.MaxKeysPerMapping+1) - 1 {
		fmt.Fprintf(&s, "  m%d:\n", m)
		for k := range spec.MaxKeysPerMapping - 1 {
			fmt.Fprintf(&s, "    k%d: v\n", k)
		}
	}
	if lim := spec.Prescan([]byte(s.String())); lim != nil {
		b.Fatalf("%d:%d: %s", lim.Line, lim.Col, lim.Msg)
	}
	b.ReportAllocs()
	b.SetBytes(int64(s.Len()))
	for b.Loop() {
		spec.WorldDoc.Parse("b.yaml", []byte(s.String()))
	}
}
