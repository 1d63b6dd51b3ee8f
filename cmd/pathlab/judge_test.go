package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/tracer/tracertest"
)

// TestJudgeSessions: scripted sessions over the library, kept as golden
// transcripts. check is the judge: a fix that leaves one of the world's
// flows broken, or breaks one, fails it by name; the right fix passes; and
// the attempt recorded is the last check's verdict, while a session with
// no fix and no check records nothing.
func TestJudgeSessions(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		script   []string
		code     int
		recorded string // solved, not solved, or "" for no attempt
		want     string // a line the transcript must hold
	}{
		{name: "acl-ephemeral-partial", id: "shop-acl-data-ephemeral",
			// The return path for app-a only: app-1 works, app-2 does not.
			script:   []string{"nacl acl-data add egress rule 100 allow tcp 1024-65535 10.0.10.0/24", "check"},
			code:     1,
			recorded: "not solved",
			want:     "app-2 → tcp://db.internal.shop:5432 still times out (acl-data)"},
		{name: "acl-ephemeral-right", id: "shop-acl-data-ephemeral",
			script:   []string{"nacl acl-data add egress rule 100 allow tcp 1024-65535 10.0.10.0/23", "check"},
			code:     0,
			recorded: "solved",
			want:     "PASS  " + "the world's other requests work as they did before the incident"},
		{name: "sg-app-collateral", id: "shop-sg-app-ingress",
			// The right rule, and two tidy-ups that cut the app off its
			// database.
			script: []string{"sg sg-app add ingress tcp 8080 from sg-lb", "sg sg-app remove egress tcp 5432 to sg-db",
				"nacl acl-data remove ingress rule 100", "check"},
			code:     1,
			recorded: "not solved",
			want:     "app-1 → tcp://db.internal.shop:5432 now times out (sg-app)"},
		{name: "sg-app-right", id: "shop-sg-app-ingress",
			script:   []string{"sg sg-app add ingress tcp 8080 from sg-lb", "check"},
			code:     0,
			recorded: "solved",
			want:     "review: the fix opens nothing beyond what the request needs."},
		{name: "solve-undo-quit", id: "shop-sg-app-ingress",
			script:   []string{"sg sg-app add ingress tcp 8080 from sg-lb", "check", "undo", "quit"},
			code:     0,
			recorded: "solved",
			want:     "undone: sg sg-app add ingress tcp 8080 from sg-lb"},
		{name: "fix-without-check", id: "shop-sg-app-ingress",
			script:   []string{"sg sg-app add ingress tcp 8080 from sg-lb"},
			code:     1,
			recorded: "not solved",
			want:     "session: not solved"},
		{name: "help-only", id: "shop-sg-app-ingress",
			script: []string{"help", "help check"},
			code:   1,
			want:   "session: not solved"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := t.TempDir()
			out, errs, code := runPlayCmd(t, state, strings.Join(tc.script, "\n")+"\n", "play", tc.id)
			if code != tc.code {
				t.Errorf("exit %d; want %d\n%s%s", code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("the transcript lacks %q:\n%s", tc.want, out)
			}
			file := filepath.Join(state, "pathlab", "attempts.json")
			if tc.recorded == "" {
				if _, err := os.Stat(file); err == nil {
					t.Errorf("a session without a fix or a check recorded an attempt")
				}
			} else {
				as := attempts(t, state)
				if len(as) != 1 {
					t.Fatalf("%d attempts recorded; want 1", len(as))
				}
				if got := as[0]["solved"] == true; got != (tc.recorded == "solved") {
					t.Errorf("recorded solved=%v; want %s", got, tc.recorded)
				}
			}
			tracertest.Golden(t, filepath.Join("../../testdata/scenarios/golden/judge", tc.name+".txt"), transcript(code, out, errs), *update)
		})
	}
}

// TestWalkRecorded: a walk quiz with answers is stored, and progress shows
// it apart from the sessions; one with no answer is not stored.
func TestWalkRecorded(t *testing.T) {
	state := t.TempDir()
	runPlayCmd(t, state, "", "drill", "walk", "--seed", "5")
	if _, err := os.Stat(filepath.Join(state, "pathlab", "attempts.json")); err == nil {
		t.Errorf("a walk with no answer was recorded")
	}
	runPlayCmd(t, state, "a\nb\nc\n", "drill", "walk", "--seed", "5")
	as := attempts(t, state)
	if len(as) != 1 || as[0]["mode"] != "walk" || as[0]["questions"] == nil {
		t.Fatalf("attempts after a walk: %v", as)
	}
	out, _, code := runPlayCmd(t, state, "", "progress")
	if code != 0 || !strings.Contains(out, "Walk quizzes: 1 taken") || !strings.Contains(out, "No attempts recorded yet.") {
		t.Errorf("progress after one walk: exit %d\n%s", code, out)
	}
}
