package drill

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"github.com/pathlab/pathlab/tracer/tracertest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/play"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/drill")

const goldenDir = "../../testdata/drill"

// clock is a fake wall clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)} }

// typist reads a script and advances the clock by step before each line:
// every command takes the learner step to type.
type typist struct {
	in   play.LineReader
	c    *clock
	step time.Duration
}

func (r *typist) ReadLine(prompt string) (string, error) {
	r.c.t = r.c.t.Add(r.step)
	return r.in.ReadLine(prompt)
}

func setup(t *testing.T, id string) *scenarios.Setup {
	t.Helper()
	sc, err := scenarios.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// drill runs a scripted drill, its debrief and the follow-ups, as the
// command does, and returns the result and the transcript.
func drill(t *testing.T, id string, lines []string, limit, step time.Duration) (*Result, *Debrief, string) {
	t.Helper()
	var out bytes.Buffer
	c := newClock()
	in := &typist{in: play.NewScriptReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), &out), c: c, step: step}
	ctx := context.Background()
	res, err := Run(ctx, setup(t, id), in, &out, Options{Now: c.Now, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDebrief(ctx, res, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	n := AskFollowUps(in, &out, d.FollowUps)
	fmt.Fprintf(&out, "\n%d of %d questions answered.\n", n, len(d.FollowUps))
	return res, d, out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	tracertest.Golden(t, filepath.Join(goldenDir, name), []byte(got), *update)
}

// TestDrillSessions runs scripted drills to each of their ends and keeps
// the transcripts, debrief included, as golden files.
func TestDrillSessions(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		lines   []string
		limit   time.Duration
		outcome Outcome
		steps   int // commands run
		score   int
		want    []string // in the transcript
	}{
		{
			name: "give-up", id: "shop-sg-app-ingress", limit: 10 * time.Minute, outcome: GaveUp, steps: 4, score: 0,
			lines: []string{"curl -v https://shop.example.com/", "show target-health web-lb", "hint", "give-up",
				"the balancer fails open: with no healthy target it tries them all", "", "connection refused is a reset; a timeout is silence"},
			want: []string{"Score: 0 of 1000", "hints             1                        -150", "An efficient investigation",
				"3. inspect  show sg sg-app", "→ not run", "The explained trace:", "✗ 15. web-lb", "Q1/5", "Model answer:", "2 of 5 questions answered."},
		},
		{
			name: "solved-broad", id: "shop-sg-app-ingress", limit: 10 * time.Minute, outcome: Solved, steps: 4, score: 900,
			lines: []string{"curl -v https://shop.example.com/", "show sg sg-app", "sg sg-app add ingress all all from 0.0.0.0/0", "check",
				"never run: the drill ended at the passing check"},
			want: []string{"Solved in 2:40.", "Score: 900 of 1000", "over-broad fixes  1                        -100",
				"review: sg-app ingress all all from 0.0.0.0/0", "you did it your way at 2:00: sg sg-app add ingress all all from",
				"answer> never run: the drill ended at the passing check"},
		},
		{
			name: "out-of-time", id: "shop-acl-data-deny", limit: 2*time.Minute + 30*time.Second, outcome: TimedOut, steps: 3, score: 0,
			lines: []string{"nc -zv db.internal.shop 5432", "dig db.internal.shop", "show nacl acl-data", "nacl acl-data remove ingress rule 90", "check"},
			want:  []string{"[2:30 left]", "[1:50 left]", "[1:10 left]", "Time is up (2:30). \"nacl acl-data remove ingress rule 90\" came too late", "out of time after 2:30 of 2:30"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, out := drill(t, tc.id, tc.lines, tc.limit, 40*time.Second)
			if res.Outcome != tc.outcome {
				t.Errorf("outcome %s; want %s", res.Outcome, tc.outcome)
			}
			if got := len(res.Stats.Timeline); got != tc.steps {
				t.Errorf("%d commands ran; want %d", got, tc.steps)
			}
			if res.Score.Total != tc.score {
				t.Errorf("score %d; want %d", res.Score.Total, tc.score)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("transcript lacks %q", w)
				}
			}
			golden(t, "session-"+tc.name+".txt", out)
		})
	}
}

// TestRunEnds: a drill ends at a passing check, give-up, quit, the end of
// the input or the limit; the last check decides whether it is solved, and
// the limit runs one.
func TestRunEnds(t *testing.T) {
	fix := "sg sg-app add ingress tcp 8080 from sg-lb"
	tests := []struct {
		name    string
		lines   []string
		step    time.Duration
		outcome Outcome
		ran     int
	}{
		{"check-passes", []string{fix, "check", "curl https://shop.example.com/"}, time.Second, Solved, 2},
		{"check-fails", []string{"check", "quit"}, time.Second, Unsolved, 2},
		{"fixed-at-eof-without-check", []string{fix}, time.Second, Unsolved, 1},
		{"quit", []string{"quit", fix}, time.Second, Unsolved, 1},
		{"give-up", []string{"give-up", fix}, time.Second, GaveUp, 1},
		{"give-up-after-fix", []string{fix, "give-up"}, time.Second, GaveUp, 2},
		{"limit-before-check", []string{fix, "check"}, 6 * time.Minute, Solved, 1}, // the limit's own check passes
		{"solved-then-undone", []string{fix, "check", "undo"}, time.Second, Solved, 2},
		{"limit", []string{"hint", "hint"}, 6 * time.Minute, TimedOut, 1},
		{"blank-lines-are-free", []string{"", "", "hint"}, time.Minute, Unsolved, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := newClock()
			in := &typist{in: play.NewScriptReader(strings.NewReader(strings.Join(tc.lines, "\n")+"\n"), &out), c: c, step: tc.step}
			res, err := Run(context.Background(), setup(t, "shop-sg-app-ingress"), in, &out, Options{Now: c.Now, Limit: 10 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.outcome || len(res.Stats.Timeline) != tc.ran {
				t.Errorf("outcome %s after %d commands; want %s after %d\n%s", res.Outcome, len(res.Stats.Timeline), tc.outcome, tc.ran, out.String())
			}
			if strings.Contains(out.String(), "The reference fix:") {
				t.Errorf("the shell's own give-up trace is shown; the debrief replaces it")
			}
		})
	}
	if _, err := Run(context.Background(), nil, nil, &bytes.Buffer{}, Options{}); err != ErrNoSetup {
		t.Errorf("Run(nil) = %v; want ErrNoSetup", err)
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"}, {-time.Second, "0:00"}, {59*time.Second + 999*time.Millisecond, "0:59"}, {10 * time.Minute, "10:00"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"},
	}
	for _, tc := range tests {
		if got := Clock(tc.d); got != tc.want {
			t.Errorf("Clock(%v) = %q; want %q", tc.d, got, tc.want)
		}
	}
	for _, d := range []string{"easy", "medium", "hard", ""} {
		if l := DefaultLimit(d); l < 5*time.Minute || l > MaxLimit {
			t.Errorf("DefaultLimit(%q) = %v", d, l)
		}
	}
}

func TestAskFollowUps(t *testing.T) {
	d := mustDebrief(t, "shop-acl-data-ephemeral")
	if n := len(d.FollowUps); n < 3 || n > 5 {
		t.Fatalf("%d follow-ups; want 3 to 5", n)
	}
	tests := []struct {
		name, input string
		answered    int
	}{
		{"all", strings.Repeat("an answer\n", len(d.FollowUps)), len(d.FollowUps)},
		{"blank-is-skipped", "\nan answer\n", 1},
		{"ended", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			got := AskFollowUps(play.NewScriptReader(strings.NewReader(tc.input), &out), &out, d.FollowUps)
			if got != tc.answered {
				t.Errorf("answered %d; want %d", got, tc.answered)
			}
			if n := strings.Count(out.String(), "Model answer: "); n != len(d.FollowUps) {
				t.Errorf("%d model answers shown; want %d", n, len(d.FollowUps))
			}
		})
	}
}

func mustDebrief(t *testing.T, id string) *Debrief {
	t.Helper()
	st := setup(t, id)
	d, err := NewDebrief(context.Background(), &Result{Setup: st, Limit: time.Minute}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestKey: the investigation comes from the trace for every library
// scenario: it observes first, fixes last with the reference fix, and has
// follow-up codes; a fault a failing-open balancer hides is investigated
// from the health checks.
func TestKey(t *testing.T) {
	lib, err := scenarios.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range lib {
		st, err := sc.Build()
		if err != nil {
			t.Fatal(err)
		}
		k, err := NewKey(context.Background(), st)
		if err != nil {
			t.Fatalf("%s: %v", sc.ID, err)
		}
		if len(k.Steps) < 2 || k.Steps[0].Kind != "observe" || k.Steps[len(k.Steps)-1].Kind != "fix" || len(k.Codes) == 0 {
			t.Errorf("%s: investigation %+v, codes %v", sc.ID, k.Steps, k.Codes)
		}
	}
	k, err := NewKey(context.Background(), setup(t, "shop-hc-wrong-path"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, s := range k.Steps {
		cmds = append(cmds, s.Command)
	}
	want := "curl -v https://shop.example.com/|show target-health web-lb|show lb web-lb|ssh app-1|curl -v localhost:8080/health|lb web-lb health-check path /healthz"
	if got := strings.Join(cmds, "|"); got != want {
		t.Errorf("health-check investigation:\n got %s\nwant %s", got, want)
	}
}

func TestSameCommand(t *testing.T) {
	tests := []struct {
		step, line string
		want       bool
	}{
		{"curl -v https://shop.example.com/", "curl https://shop.example.com", true},
		{"curl -v https://shop.example.com/", "curl -v https://shop.example.com/checkout", false},
		{"nc -zv db.internal.shop 5432", "nc -zv -w 3 db.internal.shop 5432", true},
		{"nc -zv db.internal.shop 5432", "nc -zv db.internal.shop 5433", false},
		{"dig shop.example.com", "dig shop.example.com +short", true},
		{"show sg sg-app", "show sg sg-app", true},
		{"show sg sg-app", "show sg sg-lb", false},
		{"sg sg-app add ingress tcp 8080 from sg-lb", "sg sg-app add ingress tcp 8080 from sg-lb", true},
		{"sg sg-app add ingress tcp 8080 from sg-lb", "sg sg-app add ingress tcp 8080 from 0.0.0.0/0", false},
		{"iptables -L", "iptables -L -n", true},
		{"dig x", "", false},
	}
	for _, tc := range tests {
		if got := sameCommand(tc.step, tc.line); got != tc.want {
			t.Errorf("sameCommand(%q, %q) = %v; want %v", tc.step, tc.line, got, tc.want)
		}
	}
}

// TestRunInterrupted: a drill left with Ctrl-C (its context cancelled)
// after a fix that was never checked is not solved, and without a fix or
// a check it is no attempt at all.
func TestRunInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lines     []string
		attempted bool
	}{
		{"after-a-fix", []string{"sg sg-app add ingress tcp 8080 from sg-lb", "curl https://shop.example.com/"}, true},
		{"after-looking", []string{"hint", "curl https://shop.example.com/"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out bytes.Buffer
			c := newClock()
			in := &cancelAfter{r: play.NewScriptReader(strings.NewReader(strings.Join(tc.lines, "\n")+"\n"), &out), n: 1, cancel: cancel}
			res, err := Run(ctx, setup(t, "shop-checkout-504"), in, &out, Options{Now: c.Now, Limit: 10 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome == Solved || res.Score.Solved {
				t.Errorf("interrupted after %v: outcome %s; a fix never checked is not solved", tc.lines[:1], res.Outcome)
			}
			if res.Attempted != tc.attempted {
				t.Errorf("attempted = %v; want %v", res.Attempted, tc.attempted)
			}
		})
	}
}

// cancelAfter reads lines, and cancels the context after n of them, as
// Ctrl-C would.
type cancelAfter struct {
	r      play.LineReader
	n      int
	cancel func()
}

func (c *cancelAfter) ReadLine(prompt string) (string, error) {
	if c.n == 0 {
		c.cancel()
	}
	c.n--
	return c.r.ReadLine(prompt)
}
