package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExplainCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // a fragment of stdout
		wantErr  string // a fragment of stderr
	}{
		{"builtin headline", []string{"explain"}, 0, "how health was decided", ""},
		{"from an instance", []string{"explain", "--from", "app-1", "tcp://db.internal.shop:5432"}, 0, "postgres listens", ""},
		{"reply lost", []string{"explain", "--world", issue3World("acl-no-ephemeral"), "--from", "app-1", "tcp://db.internal.shop:5432"}, 1, "tcpdump on db-1 would show the SYN arriving", ""},
		{"balancer without healthy targets", []string{"explain", "--world", issue3World("app-sg-admits-nothing")}, 1, "To mend it: sg sg-app add ingress tcp 8080 from sg-lb", ""},
		{"bad target", []string{"explain", "ftp://x/"}, 2, "", `unknown scheme "ftp"`},
		{"unknown vantage", []string{"explain", "--from", "nobody"}, 2, "", `--from: unknown name: no client, server or instance is named "nobody"`},
		{"missing world", []string{"explain", "--world", "/nonexistent/w.yaml"}, 2, "", "/nonexistent/w.yaml"},
		{"too many args", []string{"explain", "a", "b"}, 2, "", "accepts at most 1 arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPathlab(t, false, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(strings.Join(strings.Fields(out), " "), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, errOut)
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		out, _, code := runPathlab(t, false, nil, "explain", "--json", "--world", issue3World("sg-drops-syn"))
		var s struct {
			Delivered bool `json:"delivered"`
			BrokenAt  struct {
				Component string `json:"component"`
				Code      string `json:"code"`
			} `json:"broken_at"`
			Steps []struct {
				Broken  bool   `json:"broken"`
				Observe string `json:"observe"`
				Fix     string `json:"fix"`
			} `json:"steps"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil || code != 1 {
			t.Fatalf("exit %d, %v:\n%s", code, err, out)
		}
		last := s.Steps[len(s.Steps)-1]
		if s.Delivered || s.BrokenAt.Component != "sg-lb" || !last.Broken || !strings.Contains(last.Observe, "Connection timed out") || last.Fix == "" {
			t.Errorf("story = %+v", s)
		}
	})
}
