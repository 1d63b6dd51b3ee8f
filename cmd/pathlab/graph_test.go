package main

import (
	"strings"
	"testing"
)

func TestGraphCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // a fragment of stdout
		wantErr  string // a fragment of stderr
	}{
		{"mermaid", []string{"graph"}, 0, "flowchart LR", ""},
		{"dot", []string{"graph", "--format", "dot"}, 0, "digraph \"world shop\" {", ""},
		{"trace", []string{"graph", "--trace", "https://shop.example.com/"}, 0, `n_igw_prod ==>|"4"| n_web_lb`, ""},
		{"broken trace", []string{"graph", "--world", issue3World("sg-drops-syn"), "--trace", "https://shop.example.com/"}, 0, "✗ sg-lb: SG_NO_INGRESS_RULE", ""},
		{"reply lost", []string{"graph", "--world", issue3World("acl-no-ephemeral"), "--from", "app-1", "--trace", "tcp://db.internal.shop:5432", "--format", "dot"}, 0, "NACL_EGRESS_DENIED (the reply)", ""},
		{"bad format", []string{"graph", "--format", "png"}, 2, "", `--format "png": use mermaid or dot`},
		{"bad target", []string{"graph", "--trace", "ftp://x/"}, 2, "", `--trace: bad target "ftp://x/"`},
		{"from without trace", []string{"graph", "--from", "app-1"}, 2, "", "--from app-1 needs --trace TARGET"},
		{"unknown vantage", []string{"graph", "--from", "nobody", "--trace", "https://shop.example.com/"}, 2, "", `--from: unknown name`},
		{"stray argument", []string{"graph", "https://shop.example.com/"}, 2, "", "use --trace https://shop.example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPathlab(t, false, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
		})
	}
}
