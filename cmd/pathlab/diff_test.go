package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// referenceWorld is ../shared/examples/shop.yaml; the test skips without it.
func referenceWorld(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "examples", "shop.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("the reference world %s is absent (../shared not checked out beside the repository)", p)
	}
	return p
}

func TestDiffCommand(t *testing.T) {
	ref := referenceWorld(t)
	broken := issue3World("app-sg-admits-nothing")
	t.Run("app SG admits nothing", func(t *testing.T) {
		out, errOut, code := runPathlab(t, false, nil, "diff", "--json", ref, broken)
		if code != 1 {
			t.Fatalf("exit %d; want 1 (something changed)\n%s%s", code, out, errOut)
		}
		var d struct {
			Broken []struct {
				From     string `json:"from"`
				Target   string `json:"target"`
				BrokenAt *struct {
					Component string `json:"component"`
					Code      string `json:"code"`
				} `json:"broken_at"`
			} `json:"broken"`
			Fixed []any `json:"fixed"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		found := false
		for _, b := range d.Broken {
			if b.From == "browser" && b.Target == "https://shop.example.com/" && b.BrokenAt != nil && b.BrokenAt.Component == "web-lb" {
				found = true
			}
		}
		if !found || d.Fixed == nil || len(d.Fixed) != 0 {
			t.Errorf("broken %+v, fixed %v; want browser → https://shop.example.com/ broken at web-lb and nothing fixed", d.Broken, d.Fixed)
		}
	})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"text", []string{"diff", ref, broken}, 1, "browser → https://shop.example.com/\n      now broken at web-lb (http) LB_NO_HEALTHY_TARGETS", ""},
		{"fixed", []string{"diff", broken, ref}, 1, "broken: none\n\nfixed:\n  browser → https://shop.example.com/", ""},
		{"no change", []string{"diff", ref, ref}, 0, "0 broke, 0 fixed", ""},
		{"one world", []string{"diff", ref}, 2, "", "diff needs two worlds"},
		{"missing world", []string{"diff", ref, "/nonexistent/new.yaml"}, 2, "", "/nonexistent/new.yaml"},
		{"bad world", []string{"diff", filepath.Join("..", "..", "testdata", "worlds", "bad", "references.yaml"), ref}, 2, "", "references.yaml:"},
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
