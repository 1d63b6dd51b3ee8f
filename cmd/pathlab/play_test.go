package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const closedWorldFile = "../../testdata/scenarios/worlds/shop-sg-app-closed.yaml"

// runPlayCmd runs pathlab in-process with stdin and a private state
// directory.
func runPlayCmd(t *testing.T, state, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	environ := map[string]string{"XDG_STATE_HOME": state, "HOME": t.TempDir()}
	e := &env{
		stdin:      strings.NewReader(stdin),
		stdout:     &out,
		stderr:     &errb,
		getenv:     func(k string) string { return environ[k] },
		isTerminal: func(any) bool { return false },
		clock:      fakeClock,
	}
	code = run(args, e)
	return out.String(), errb.String(), code
}

func attempts(t *testing.T, state string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, "pathlab", "attempts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Attempts []map[string]any `json:"attempts"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Attempts
}

func TestPlayExitStatus(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string // a substring of stdout
		err   string // a substring of stderr
	}{
		{"solved", []string{"play", "shop-sg-app-ingress"}, "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", 0, "session: solved", ""},
		// The outcome is the last check, not the world at the end.
		{"fixed-without-check", []string{"play", "shop-sg-app-ingress"}, "sg sg-app add ingress tcp 8080 from sg-lb\n", 1, "session: not solved", ""},
		{"solved-undone", []string{"play", "shop-sg-app-ingress"}, "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\nundo\nquit\n", 0, "session: solved", ""},
		{"not-solved", []string{"play", "shop-sg-app-ingress"}, "curl -v https://shop.example.com/\ncheck\n", 1, "session: not solved", ""},
		{"gave-up", []string{"play", "shop-sg-app-ingress"}, "give-up\nsg sg-app add ingress tcp 8080 from sg-lb\n", 1, "session: gave up", ""},
		{"quit", []string{"play", "shop-sg-app-ingress"}, "check\nquit\nsg sg-app add ingress tcp 8080 from sg-lb\n", 1, "session: not solved", ""},
		{"adhoc", []string{"play", "--world", closedWorldFile, "--from", "browser", "--request", "https://shop.example.com/"},
			"answer sg-app\nsg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", 0, "correct: sg-app", ""},
		{"random", []string{"play", "--random", "--seed", "3", "--difficulty", "easy"}, "give-up\n", 1, "The reference fix:", "seed 3"},
		{"help-only", []string{"play", "shop-sg-app-ingress"}, "help\nhelp sg\n", 1, "session: not solved", ""},
		{"unknown-id", []string{"play", "shop-nope"}, "", 2, "", "no such scenario \"shop-nope\""},
		{"seed-without-random", []string{"play", "--seed", "3"}, "", 2, "", "go with --random"},
		{"mixed", []string{"play", "--world", closedWorldFile, "--random"}, "", 2, "", "do not mix"},
		{"bad-world", []string{"play", "--world", "../../testdata/scenarios/worlds/nope.yaml"}, "", 2, "", "cannot read the world file"},
		{"bad-from", []string{"play", "--world", closedWorldFile, "--from", "nobody"}, "", 2, "", "--from"},
		{"bad-topic", []string{"play", "--random", "--topic", "bgp"}, "", 2, "", "topic \"bgp\""},
		{"bad-file", []string{"play", "../../testdata/scenarios/bad/unknown-kind.yaml"}, "", 2, "", "unknown-kind.yaml:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			out, errs, code := runPlayCmd(t, state, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out)
			}
			if !strings.Contains(errs, tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, errs)
			}
			if code == 2 {
				if _, err := os.Stat(filepath.Join(state, "pathlab", "attempts.json")); err == nil {
					t.Errorf("bad usage recorded an attempt")
				}
				return
			}
			if tc.name == "help-only" {
				if _, err := os.Stat(filepath.Join(state, "pathlab", "attempts.json")); err == nil {
					t.Errorf("a session without a fix or a check recorded an attempt")
				}
				return
			}
			as := attempts(t, state)
			if len(as) != 1 {
				t.Fatalf("%d attempts recorded; want 1", len(as))
			}
			if solved := as[0]["solved"] == true; solved != (tc.code == 0) {
				t.Errorf("attempt solved = %v; exit %d", solved, tc.code)
			}
		})
	}
}

// TestPlayRandomIsSeeded: the same seed plays the same scenario.
func TestPlayRandomIsSeeded(t *testing.T) {
	a, _, _ := runPlayCmd(t, t.TempDir(), "ticket\n", "play", "--random", "--seed", "11")
	b, _, _ := runPlayCmd(t, t.TempDir(), "ticket\n", "play", "--random", "--seed", "11")
	first := func(s string) string { return s[:strings.Index(s, "session:")] }
	if first(a) != first(b) {
		t.Errorf("seed 11 gave two sessions:\n%s\n---\n%s", a, b)
	}
}

// TestPlayCorruptProgress: a corrupt progress file is kept aside and
// reported, and the session still runs and is recorded.
func TestPlayCorruptProgress(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "pathlab")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "attempts.json"), []byte("not json"), 0o600)
	_, errs, code := runPlayCmd(t, state, "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", "play", "shop-sg-app-ingress")
	if code != 0 {
		t.Errorf("exit %d; want 0", code)
	}
	if !strings.Contains(errs, "was corrupt") || !strings.Contains(errs, "attempts.json.corrupt-") {
		t.Errorf("stderr does not report the corrupt file:\n%s", errs)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "attempts.json.corrupt-*"))
	if len(matches) != 1 {
		t.Errorf("kept aside: %v; want one file", matches)
	}
	if as := attempts(t, state); len(as) != 1 {
		t.Errorf("%d attempts; want 1", len(as))
	}
}

func TestScenariosCommands(t *testing.T) {
	out, _, code := runPlayCmd(t, t.TempDir(), "", "scenarios", "list", "--json")
	if code != 0 {
		t.Fatalf("scenarios list --json: exit %d", code)
	}
	var list []struct {
		ID, Title, Difficulty string
		Topics                []string
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	topics := map[string]bool{}
	for _, s := range list {
		if s.ID == "" || s.Title == "" || s.Difficulty == "" || len(s.Topics) == 0 {
			t.Errorf("incomplete entry %+v", s)
		}
		for _, tp := range s.Topics {
			topics[tp] = true
		}
	}
	if len(list) < 40 || len(topics) < 7 {
		t.Errorf("%d scenarios over %d topics; want at least 40 over 7", len(list), len(topics))
	}

	out, _, code = runPlayCmd(t, t.TempDir(), "", "scenarios", "faults", "--json")
	var faults []struct {
		Kind, Topic, Description string
		Parameters               []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &faults); err != nil || code != 0 {
		t.Fatalf("scenarios faults --json: exit %d, %v", code, err)
	}
	if len(faults) < 30 {
		t.Errorf("%d fault kinds; want at least 30", len(faults))
	}
	for _, f := range faults {
		if f.Kind == "" || f.Topic == "" || f.Description == "" || len(f.Parameters) == 0 {
			t.Errorf("incomplete fault %+v", f)
		}
	}

	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"scenarios", "list"}, 0, "shop-checkout-504"},
		{[]string{"scenarios", "faults"}, 0, "fault kinds."},
		{[]string{"scenarios", "show", "peered-transitive"}, 0, "(--spoilers shows"},
		{[]string{"scenarios", "show", "--spoilers", "shop-red-herring-ssh"}, 0, "[decoy]"},
		{[]string{"scenarios", "test"}, 0, "passed, 0 failed"},
		{[]string{"scenarios", "test", "shop-sg-app-ingress", "mesh-two-faults"}, 0, "2 passed, 0 failed"},
		{[]string{"scenarios", "test", "../../testdata/scenarios/bad/wrong-fix.yaml"}, 1, "0 passed, 1 failed"},
		{[]string{"scenarios", "test", "nope"}, 2, ""},
		{[]string{"scenarios", "show", "nope"}, 2, ""},
	}
	for _, tc := range tests {
		out, errs, code := runPlayCmd(t, t.TempDir(), "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, stdout:\n%s\nstderr: %s\nwant exit %d and %q", tc.args, code, out, errs, tc.code, tc.out)
		}
	}
	out, _, _ = runPlayCmd(t, t.TempDir(), "", "scenarios", "test")
	if lastLine(out) != strings.TrimSpace(lastLine(out)) || !strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Errorf("scenarios test does not end with the plain line 'N passed, N failed':\n%s", out)
	}
}
