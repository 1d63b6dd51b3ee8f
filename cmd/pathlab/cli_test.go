package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// runPathlab runs the command in-process, as a user would from a shell.
func runPathlab(t *testing.T, term bool, environ map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin:      strings.NewReader(""),
		stdout:     &out,
		stderr:     &errb,
		getenv:     func(k string) string { return environ[k] },
		isTerminal: func(any) bool { return term },
		clock:      fakeClock,
	}
	code = run(args, e)
	return out.String(), errb.String(), code
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func codesWorld(code string) string {
	return filepath.Join("..", "..", "testdata", "worlds", "codes", code+".yaml")
}

func TestTraceCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // the last line of stdout
		wantErr  string // a fragment of stderr
	}{
		{"builtin headline", []string{"trace"}, 0, "delivered", ""},
		{"builtin url", []string{"trace", "https://shop.example.com/"}, 0, "delivered", ""},
		{"from an instance", []string{"trace", "--from", "app-1", "tcp://db.internal.shop:5432"}, 0, "delivered", ""},
		{"broken world", []string{"trace", "--world", codesWorld("SG_NO_INGRESS_RULE"), "https://shop.example.com/"}, 1, "broken at sg-lb: SG_NO_INGRESS_RULE", ""},
		{"blocked port", []string{"trace", "tcp://203.0.113.10:5432"}, 1, "broken at sg-lb: SG_NO_INGRESS_RULE", ""},
		{"bad target", []string{"trace", "ftp://x/"}, 2, "", `unknown scheme "ftp"`},
		{"target without port", []string{"trace", "tcp://db"}, 2, "", "need a port"},
		{"unknown vantage", []string{"trace", "--from", "nobody"}, 2, "", `--from: unknown name: no client, server or instance is named "nobody"`},
		{"missing world file", []string{"trace", "--world", "/nonexistent/w.yaml"}, 2, "", "/nonexistent/w.yaml"},
		{"built-in world by name", []string{"trace", "--world", "mesh"}, 0, "delivered", ""},
		{"built-in world by prefix", []string{"trace", "--world", "builtin:peered"}, 0, "delivered", ""},
		{"unknown world name", []string{"trace", "--world", "nosuch"}, 2, "", "no built-in world of that name (built-in: hub, mesh, peered, shop)"},
		{"bad world file", []string{"trace", "--world", filepath.Join("..", "..", "testdata", "worlds", "bad", "references.yaml")}, 2, "", "references.yaml:4:52: resolver"},
		{"unknown flag", []string{"trace", "--frm", "x"}, 2, "", "unknown flag: --frm"},
		{"too many args", []string{"trace", "a", "b"}, 2, "", "accepts at most 1 arg"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runPathlab(t, false, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("pathlab %s: exit %d; want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.wantCode, out, errOut)
			}
			if tt.wantOut != "" && lastLine(out) != tt.wantOut {
				t.Errorf("last line = %q; want %q", lastLine(out), tt.wantOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr = %q; want it to contain %q", errOut, tt.wantErr)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") {
				t.Errorf("stderr shows a panic:\n%s", errOut)
			}
		})
	}
}

// TestTraceJSON checks the JSON contract of WORLD-FORMAT.md.
func TestTraceJSON(t *testing.T) {
	out, _, code := runPathlab(t, false, nil, "trace", "--json", "--world", codesWorld("LB_NO_HEALTHY_TARGETS"), "https://shop.example.com/")
	if code != 1 {
		t.Fatalf("exit %d; want 1", code)
	}
	var r struct {
		Target   string           `json:"target"`
		From     string           `json:"from"`
		Verdict  string           `json:"verdict"`
		BrokenAt map[string]any   `json:"broken_at"`
		Blockers []map[string]any `json:"blockers"`
		Stages   []struct {
			Name    string           `json:"name"`
			Verdict string           `json:"verdict"`
			Hops    []map[string]any `json:"hops"`
		} `json:"stages"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if r.Target != "https://shop.example.com/" || r.From != "browser" || r.Verdict != "broken" {
		t.Errorf("target, from, verdict = %q, %q, %q", r.Target, r.From, r.Verdict)
	}
	for _, k := range []string{"stage", "component", "code", "detail"} {
		if _, ok := r.BrokenAt[k]; !ok {
			t.Errorf("broken_at lacks %q: %v", k, r.BrokenAt)
		}
	}
	if r.BrokenAt["stage"] != "http" || r.BrokenAt["component"] != "web-lb" || r.BrokenAt["code"] != "LB_NO_HEALTHY_TARGETS" {
		t.Errorf("broken_at = %v", r.BrokenAt)
	}
	var blockers []string
	for _, b := range r.Blockers {
		blockers = append(blockers, b["component"].(string)+" "+b["code"].(string))
	}
	if len(blockers) < 2 || blockers[1] != "sg-app SG_NO_INGRESS_RULE" {
		t.Errorf("blockers = %v; want web-lb then sg-app", blockers)
	}
	var names []string
	returns := 0
	for _, s := range r.Stages {
		names = append(names, s.Name+":"+s.Verdict)
		for _, h := range s.Hops {
			for _, k := range []string{"component", "kind", "direction", "action", "code", "detail"} {
				if _, ok := h[k]; !ok {
					t.Fatalf("hop lacks %q: %v", k, h)
				}
			}
			if h["direction"] == "return" {
				returns++
			}
		}
	}
	if strings.Join(names, " ") != "dns:ok tcp:ok tls:ok http:broken" {
		t.Errorf("stages = %v", names)
	}
	if returns == 0 {
		t.Error("no hop has direction return")
	}

	out, _, code = runPathlab(t, false, nil, "trace", "--json")
	if code != 0 || !strings.Contains(out, `"broken_at": null`) || !strings.Contains(out, `"blockers": []`) {
		t.Errorf("delivered trace: exit %d, want broken_at null and blockers []:\n%.400s", code, out)
	}
}

func TestColor(t *testing.T) {
	tests := []struct {
		name string
		term bool
		env  map[string]string
		want bool
	}{
		{"terminal", true, nil, true},
		{"pipe", false, nil, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"dumb terminal", true, map[string]string{"TERM": "dumb"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, _ := runPathlab(t, tt.term, tt.env, "trace", "--world", codesWorld("SG_NO_INGRESS_RULE"))
			if got := strings.Contains(out, "\x1b["); got != tt.want {
				t.Errorf("colour = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCheckCommand(t *testing.T) {
	bad := filepath.Join("..", "..", "testdata", "worlds", "bad", "addresses.yaml")
	out, errOut, code := runPathlab(t, false, nil, "check", bad)
	if code != 2 {
		t.Fatalf("check bad: exit %d; want 2", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], bad+":6:") || !strings.HasPrefix(lines[2], bad+":13:") {
		t.Errorf("stderr = %q; want three file:line:col problems and a count", errOut)
	}
	_ = out
	out, _, code = runPathlab(t, false, nil, "check", codesWorld("NO_ROUTE"))
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), ": ok") {
		t.Errorf("check good: exit %d, out %q", code, out)
	}
	out, _, code = runPathlab(t, false, nil, "check", "--json", bad)
	var res []struct {
		Valid    bool `json:"valid"`
		Problems []struct {
			Line int    `json:"line"`
			Msg  string `json:"message"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 2 || len(res) != 1 || res[0].Valid || len(res[0].Problems) != 3 {
		t.Errorf("check --json: exit %d, %v, %s", code, err, out)
	}
	_, _, code = runPathlab(t, false, nil, "check")
	if code != 2 {
		t.Errorf("check with no file: exit %d; want 2", code)
	}
}

func TestWorldsAndCodes(t *testing.T) {
	out, _, code := runPathlab(t, false, nil, "worlds")
	if code != 0 || !strings.Contains(out, "shop") || !strings.Contains(out, "https://shop.example.com/") {
		t.Errorf("worlds: exit %d\n%s", code, out)
	}
	out, _, code = runPathlab(t, false, nil, "codes", "--json")
	var rows []struct{ Code, Meaning string }
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != 0 || len(rows) < 31 {
		t.Fatalf("codes --json: exit %d, %v, %d rows", code, err, len(rows))
	}
	for _, r := range rows {
		if r.Meaning == "" {
			t.Errorf("code %s has no meaning", r.Code)
		}
	}
	if out, _, code = runPathlab(t, false, nil, "codes", "sg_no_ingress_rule"); code != 0 || !strings.Contains(out, "SG_NO_INGRESS_RULE") {
		t.Errorf("codes SG_NO_INGRESS_RULE: exit %d %q", code, out)
	}
	if _, errOut, code := runPathlab(t, false, nil, "codes", "NOPE"); code != 2 || !strings.Contains(errOut, `unknown code "NOPE"`) {
		t.Errorf("codes NOPE: exit %d %q", code, errOut)
	}
}
