package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func runWithInput(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	state := t.TempDir() // progress stays out of the real home
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if k == "XDG_STATE_HOME" {
				return state
			}
			return ""
		}, isTerminal: func(any) bool { return false }, clock: fakeClock}
	code := run(args, e)
	return out.String(), errb.String(), code
}

// TestDrillWalk answers the built-in world's quiz all right, then all with
// "a", and checks the marks.
func TestDrillWalk(t *testing.T) {
	out, errOut, code := runWithInput(t, "", "drill", "walk", "--seed", "5", "--json")
	if code != 0 {
		t.Fatalf("drill walk --json: exit %d: %s", code, errOut)
	}
	var quiz struct {
		Questions []struct {
			Choices []string `json:"choices"`
			Answer  int      `json:"answer"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(out), &quiz); err != nil || len(quiz.Questions) < 8 {
		t.Fatalf("quiz JSON: %v, %d questions", err, len(quiz.Questions))
	}
	var right, allA strings.Builder
	wantWrong := 0
	for _, q := range quiz.Questions {
		right.WriteString(string(rune('a'+q.Answer)) + "\n")
		allA.WriteString("a\n")
		if q.Answer != 0 {
			wantWrong++
		}
	}
	n := len(quiz.Questions)
	out, _, code = runWithInput(t, right.String(), "drill", "walk", "--seed", "5")
	if code != 0 || !strings.Contains(out, "right. ") || strings.Contains(out, "wrong:") || !strings.HasSuffix(out, strconv.Itoa(n)+" of "+strconv.Itoa(n)+" right\n") {
		t.Errorf("all right: exit %d, output ends %q", code, tail(out))
	}
	out, _, _ = runWithInput(t, allA.String(), "drill", "walk", "--seed", "5")
	if got := strings.Count(out, "wrong: the answer is"); got != wantWrong {
		t.Errorf("answering a throughout: %d marked wrong; want %d", got, wantWrong)
	}
	if _, errOut, code := runWithInput(t, "", "drill", "walk", "--from", "nobody"); code != 2 || !strings.Contains(errOut, "nobody") {
		t.Errorf("unknown --from: exit %d, %q", code, errOut)
	}
}

func tail(s string) string {
	if len(s) > 80 {
		return s[len(s)-80:]
	}
	return s
}

// The drills of these tests read a fake clock: it starts at the same
// moment for every command and moves ten seconds at each reading, so
// seeds drawn from it, times and the limit are deterministic.
func fakeClock() func() time.Time {
	t := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(10 * time.Second)
		return t
	}
}

// TestDrillCommand scripts drills through stdin to each of their ends.
func TestDrillCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   []string // in stdout
		err   string   // in stderr
	}{
		{"give-up", []string{"drill", "shop-sg-app-ingress"}, "curl -v https://shop.example.com/\ngive-up\nit fails open\n", 1,
			[]string{"You gave up", "Score: 0 of 1000", "An efficient investigation", "3. inspect  show sg sg-app", "The explained trace:",
				"Q1/5", "answer> it fails open", "Model answer:", "1 of 5 questions answered."}, "drill seed"},
		{"solved", []string{"drill", "shop-sg-app-ingress", "--seed", "4"}, "show target-health web-lb\nsg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", 0,
			[]string{"Solved in", "Score: 1000 of 1000", "→ yours at", "(no answer: the input has ended)"}, "drill seed 4"},
		{"out-of-time", []string{"drill", "shop-sg-app-ingress", "--minutes", "1"}, strings.Repeat("hint\n", 8), 1,
			[]string{"Drill: 1:00 to solve it.", "[0:50 left]", "[0:20 left]", "Time is up (1:00).", "Result: out of time"}, ""},
		{"chosen-topic", []string{"drill", "--topic", "nacl", "--seed", "2"}, "give-up\n", 1, []string{"Topic nacl: you asked for network ACL.", "nacl]"}, ""},
		{"chosen-weakest", []string{"drill", "--seed", "2"}, "give-up\n", 1, []string{"Topic ", "you have not practised"}, ""},
		{"file", []string{"drill", "../../testdata/scenarios/bad/wrong-fix.yaml"}, "give-up\n", 1, []string{"Debrief"}, ""},
		{"bad-minutes", []string{"drill", "--minutes", "0"}, "", 2, nil, "--minutes 0"},
		{"too-many-minutes", []string{"drill", "--minutes", "1000"}, "", 2, nil, "--minutes 1000"},
		{"bad-topic", []string{"drill", "--topic", "bgp"}, "", 2, nil, "--topic \"bgp\""},
		{"bad-difficulty", []string{"drill", "--difficulty", "extreme"}, "", 2, nil, "--difficulty \"extreme\""},
		{"id-and-topic", []string{"drill", "shop-sg-app-ingress", "--topic", "dns"}, "", 2, nil, "shop-sg-app-ingress"},
		{"unknown-id", []string{"drill", "shop-nope"}, "", 2, nil, "no such scenario \"shop-nope\""},
		{"bad-seed", []string{"drill", "--seed", "-1"}, "", 2, nil, "--seed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			out, errs, code := runPlayCmd(t, state, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, tail(out), errs)
			}
			for _, w := range tc.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			if !strings.Contains(errs, tc.err) || strings.Contains(errs, "panic") {
				t.Errorf("stderr lacks %q:\n%s", tc.err, errs)
			}
			if code == 2 {
				if _, err := os.Stat(filepath.Join(state, "pathlab", "attempts.json")); err == nil {
					t.Errorf("bad usage recorded an attempt")
				}
				return
			}
			as := attempts(t, state)
			if len(as) != 1 || as[0]["mode"] != "drill" || (as[0]["solved"] == true) != (code == 0) {
				t.Errorf("recorded %v; want one drill, solved %v", as, code == 0)
			}
			if tc.name == "out-of-time" && as[0]["timed_out"] != true {
				t.Errorf("recorded %v; want timed_out", as[0])
			}
		})
	}
}

// TestDrillSeeded: the same seed and history give the same drill.
func TestDrillSeeded(t *testing.T) {
	a, _, _ := runPlayCmd(t, t.TempDir(), "give-up\n", "drill", "--seed", "17")
	b, _, _ := runPlayCmd(t, t.TempDir(), "give-up\n", "drill", "--seed", "17")
	if a != b {
		t.Errorf("seed 17 gave two drills:\n%s\n---\n%s", tail(a), tail(b))
	}
}

// TestDrillFollowsProgress: with a history where network ACLs fail, the
// drill's choice falls on the weakest topics, and progress says so.
func TestDrillFollowsProgress(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "pathlab")
	os.MkdirAll(dir, 0o700)
	var as []string
	for i, tp := range []string{"nacl", "dns", "nacl", "security-groups", "nacl"} {
		solved := tp != "nacl"
		as = append(as, fmt.Sprintf(`{"scenario": "s%d", "topics": [%q], "mode": "drill", "started": "2026-11-2%dT10:00:00Z", "seconds": 120, "solved": %v, "score": 0, "commands": 3, "hints": 0, "wrong_answers": 0, "warnings": 0}`, i, tp, i%2, solved))
	}
	os.WriteFile(filepath.Join(dir, "attempts.json"), []byte(`{"version": 1, "attempts": [`+strings.Join(as, ",")+`]}`), 0o600)
	out, _, code := runPlayCmd(t, state, "", "progress")
	if code != 0 || !strings.Contains(out, "you solved 0 of 3 network ACL scenarios: `pathlab drill --topic nacl`") {
		t.Errorf("progress: exit %d\n%s", code, out)
	}
	chosen := map[string]int{}
	for seed := range 8 {
		out, _, _ := runPlayCmd(t, state, "quit\n", "drill", "--seed", strconv.Itoa(seed))
		topic, _, _ := strings.Cut(strings.TrimPrefix(out, "Topic "), ":")
		chosen[topic]++
	}
	// The weakest three: network ACLs (failed three times), then the
	// first topics never practised.
	if chosen["nacl"] == 0 || chosen["nacl"]+chosen["routing"]+chosen["nat"] != 8 {
		t.Errorf("topics chosen over 8 seeds: %v; want nacl, routing and nat only", chosen)
	}
}

// TestDrillCard: the same seed gives the same card, which names the
// fault; bad input exits 2 naming the argument.
func TestDrillCard(t *testing.T) {
	a, _, code := runPlayCmd(t, t.TempDir(), "", "drill", "card", "--seed", "3")
	b, _, _ := runPlayCmd(t, t.TempDir(), "", "drill", "card", "--seed", "3")
	if code != 0 || a != b {
		t.Fatalf("drill card --seed 3: exit %d, identical %v", code, a == b)
	}
	for _, w := range []string{"# Interviewer card", "nacl-deny-first", "acl-mesh", "nacl acl-mesh remove egress rule 90", "### `dig api.mesh.internal`", "**Weak candidates**", "Model answer:"} {
		if !strings.Contains(a, w) {
			t.Errorf("the card lacks %q", w)
		}
	}
	tests := []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"drill", "card", "shop-db-down", "--format", "text"}, 0, "INTERVIEWER CARD", ""},
		{[]string{"drill", "card", "--seed", "3", "--format", "json"}, 0, `"follow_ups"`, ""},
		{[]string{"drill", "card", "--seed", "3", "--topic", "tls"}, 0, "· tls", ""},
		{[]string{"drill", "card"}, 2, "", "give --seed N"},
		{[]string{"drill", "card", "--seed", "3", "shop-db-down"}, 2, "", "not both"},
		{[]string{"drill", "card", "shop-db-down", "--format", "pdf"}, 2, "", "--format \"pdf\""},
		{[]string{"drill", "card", "shop-db-down", "--topic", "dns"}, 2, "", "go with --seed"},
		{[]string{"drill", "card", "--seed", "3", "--topic", "bgp"}, 2, "", "--topic \"bgp\""},
		{[]string{"drill", "card", "shop-nope"}, 2, "", "no such scenario"},
	}
	for _, tc := range tests {
		out, errs, code := runPlayCmd(t, t.TempDir(), "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, %q in stdout and %q in stderr", tc.args, code, errs, tc.code, tc.out, tc.err)
		}
	}
}

// TestProgressJSON lists the attempts of a play and a drill.
func TestProgressJSON(t *testing.T) {
	state := t.TempDir()
	runPlayCmd(t, state, "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", "play", "shop-sg-app-ingress")
	runPlayCmd(t, state, "hint\ngive-up\n", "drill", "shop-acl-data-deny")
	out, _, code := runPlayCmd(t, state, "", "progress", "--json")
	var p struct {
		Attempts []struct {
			Scenario string   `json:"scenario"`
			Topics   []string `json:"topics"`
			Mode     string   `json:"mode"`
			Solved   bool     `json:"solved"`
			Score    int      `json:"score"`
			Seconds  float64  `json:"seconds"`
			Hints    int      `json:"hints"`
		} `json:"attempts"`
		Topics []struct {
			Topic    string  `json:"topic"`
			Attempts int     `json:"attempts"`
			Rate     float64 `json:"success_rate"`
		} `json:"topics"`
		Streak      map[string]int   `json:"streak"`
		Suggestions []map[string]any `json:"suggestions"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil || code != 0 {
		t.Fatalf("progress --json: exit %d, %v\n%s", code, err, out)
	}
	if len(p.Attempts) != 2 || p.Attempts[0].Mode != "play" || !p.Attempts[0].Solved || p.Attempts[0].Score != 1000 ||
		p.Attempts[1].Mode != "drill" || p.Attempts[1].Solved || p.Attempts[1].Hints != 1 || p.Attempts[1].Scenario != "shop-half-lost-db" ||
		p.Attempts[1].Seconds <= 0 || len(p.Attempts[1].Topics) == 0 {
		t.Errorf("attempts %+v", p.Attempts)
	}
	if len(p.Topics) != 12 || p.Streak == nil || len(p.Suggestions) == 0 {
		t.Errorf("topics %v, streak %v, suggestions %v", p.Topics, p.Streak, p.Suggestions)
	}
	out, _, code = runPlayCmd(t, state, "", "progress")
	if code != 0 || !strings.Contains(out, "shop-half-lost-db") || !strings.Contains(out, "Streak:") || !strings.Contains(out, "Next:") {
		t.Errorf("progress: exit %d\n%s", code, out)
	}
	out, _, code = runPlayCmd(t, t.TempDir(), "", "progress")
	if code != 0 || !strings.Contains(out, "No attempts recorded yet.") {
		t.Errorf("progress with no attempts: exit %d\n%s", code, out)
	}
	if _, errs, code := runPlayCmd(t, t.TempDir(), "", "progress", "extra"); code != 2 || !strings.Contains(errs, "extra") {
		t.Errorf("progress extra: exit %d, %q", code, errs)
	}
}

// TestDrillsInParallel: ten drills finishing at the same moment against
// one state directory record ten attempts.
func TestDrillsInParallel(t *testing.T) {
	state := t.TempDir()
	var wg sync.WaitGroup
	codes := make([]int, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stdin := "give-up\n"
			if i%2 == 0 {
				stdin = "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\n"
			}
			_, _, codes[i] = runPlayCmd(t, state, stdin, "drill", "shop-sg-app-ingress", "--seed", strconv.Itoa(i))
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != i%2 {
			t.Errorf("drill %d: exit %d; want %d", i, c, i%2)
		}
	}
	as := attempts(t, state)
	solved := 0
	for _, a := range as {
		if a["solved"] == true {
			solved++
		}
	}
	if len(as) != 10 || solved != 5 {
		t.Errorf("%d attempts recorded, %d solved; want 10, 5", len(as), solved)
	}
}

// TestDrillCorruptProgress: a corrupt progress file is kept aside and
// reported, never overwritten, and the drill still runs and is recorded.
func TestDrillCorruptProgress(t *testing.T) {
	state := t.TempDir()
	dir := filepath.Join(state, "pathlab")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "attempts.json"), []byte("{not json"), 0o600)
	out, errs, code := runPlayCmd(t, state, "sg sg-app add ingress tcp 8080 from sg-lb\ncheck\n", "drill", "--topic", "security-groups", "--seed", "1")
	if !strings.Contains(out, "Debrief") {
		t.Errorf("the drill did not run:\n%s", tail(out))
	}
	if !strings.Contains(errs, "was corrupt") || !strings.Contains(errs, "attempts.json.corrupt-20261121T140010Z") {
		t.Errorf("stderr does not report the file kept aside:\n%s", errs)
	}
	kept, err := os.ReadFile(filepath.Join(dir, "attempts.json.corrupt-20261121T140010Z"))
	if err != nil || string(kept) != "{not json" {
		t.Errorf("kept aside: %q, %v", kept, err)
	}
	if as := attempts(t, state); len(as) != 1 || (as[0]["solved"] == true) != (code == 0) {
		t.Errorf("recorded %v (exit %d); want the drill", as, code)
	}
}
