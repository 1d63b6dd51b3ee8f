package main

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkShortCommand runs the three short commands of issue 15's
// start-up target in-process: what each costs past the process's start
// (scripts/startup.sh measures whole processes with perf).
func BenchmarkShortCommand(b *testing.B) {
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"help", []string{"--help"}},
		{"trace", []string{"trace"}},
		{"check", []string{"check", "../../simnet/worlds/shop.yaml"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
				if code := run(bc.args, e); code != 0 {
					b.Fatalf("pathlab %s: exit %d", strings.Join(bc.args, " "), code)
				}
			}
		})
	}
}
