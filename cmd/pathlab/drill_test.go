package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func runWithInput(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" }, isTerminal: func(any) bool { return false }}
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
