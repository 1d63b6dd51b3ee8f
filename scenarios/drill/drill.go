// Package drill runs timed troubleshooting drills over the play shell,
// debriefs them against an investigation derived from the trace, prints
// cards for human interviewers, and turns recorded attempts into the
// progress figures that choose what to practise next.
package drill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/play"
)

// Options are a drill's injected dependencies and its limit. The zero
// value works: the real clock, the difficulty's default limit.
type Options struct {
	// Now is the wall clock: the time limit and the score read it.
	Now func() time.Time
	// Limit is the time allowed; zero means DefaultLimit of the
	// scenario's difficulty.
	Limit time.Duration
	// Color enables ANSI colour in the shell's traces.
	Color bool
	// Editor is the shell's editor for the edit command (play's default
	// when nil).
	Editor func(ctx context.Context, path string) error
	// OnShell, if set, is given the shell before the first command (a
	// terminal completes its commands and names).
	OnShell func(*play.Shell)
}

// DefaultLimit is the time a drill allows at a difficulty: twice the
// score's par time, as an interviewer would budget it.
func DefaultLimit(difficulty string) time.Duration {
	switch difficulty {
	case "easy":
		return 10 * time.Minute
	case "hard":
		return 30 * time.Minute
	}
	return 20 * time.Minute
}

// MaxLimit is the longest drill allowed.
const MaxLimit = 4 * time.Hour

// Outcome is how a drill ended.
type Outcome int

const (
	// Unsolved: the input ended or the learner quit with the checks
	// failing.
	Unsolved Outcome = iota
	// Solved: every check passes.
	Solved
	// GaveUp: the learner typed give-up.
	GaveUp
	// TimedOut: the time ran out with the checks failing.
	TimedOut
)

func (o Outcome) String() string {
	switch o {
	case Solved:
		return "solved"
	case GaveUp:
		return "gave up"
	case TimedOut:
		return "out of time"
	}
	return "not solved"
}

// Result is what a finished drill did.
type Result struct {
	Setup   *scenarios.Setup
	Outcome Outcome
	Score   scenarios.Score
	Stats   play.Stats
	// Warnings are the fix review's, from the last passing check.
	Warnings []scenarios.Warning
	Limit    time.Duration
	// Took is the wall time from the start to the end of the session.
	Took time.Duration
	// Skipped is the command typed after the time ran out, which did not
	// run.
	Skipped string
	// Attempted: the learner changed the world, ran a check, gave up or
	// ran out of time. A drill left after only looking is no attempt.
	Attempted bool
}

// ErrNoSetup is returned by Run without a scenario.
var ErrNoSetup = errors.New("drill: no scenario to run")

// Run shows the ticket and runs a play shell over the scenario, with the
// time left at the prompt, until the learner solves it (a check that
// passes), gives up, quits, runs out of time or the input ends. The time
// is read before each command: a command typed after the limit does not
// run. out receives the shell's output; in is a terminal or a script.
func Run(ctx context.Context, st *scenarios.Setup, in play.LineReader, out io.Writer, o Options) (*Result, error) {
	if st == nil || st.Scenario == nil {
		return nil, ErrNoSetup
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Limit <= 0 {
		o.Limit = DefaultLimit(st.Scenario.Difficulty)
	}
	sw := &switchWriter{w: out}
	var deadline time.Time
	left := o.Limit
	sh, err := play.New(ctx, st, sw, play.Options{Now: o.Now, Color: o.Color, Editor: o.Editor,
		Prompt: func() string { return "[" + Clock((left + time.Second - 1).Truncate(time.Second)) + " left] " }})
	if err != nil {
		return nil, err
	}
	if o.OnShell != nil {
		o.OnShell(sh)
	}
	start := sh.Stats().Start
	deadline = start.Add(o.Limit)
	fmt.Fprintf(out, "Drill: %s to solve it. The clock starts now; the time left shows at the prompt.\n", Clock(o.Limit))
	sh.Intro()

	res := &Result{Setup: st, Limit: o.Limit}
	timedOut := false
	for !sh.Done() {
		if err := ctx.Err(); err != nil {
			break
		}
		now := o.Now()
		left = deadline.Sub(now)
		if left <= 0 {
			timedOut = true
			break
		}
		line, err := in.ReadLine(sh.Prompt())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(out, "pathlab: %v\n", err)
			}
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !o.Now().Before(deadline) {
			timedOut = true
			res.Skipped = strings.TrimSpace(line)
			break
		}
		name, _, _ := play.ParseCommand(line)
		if name == "give-up" {
			// The debrief tells the whole story; the shell's own give-up
			// trace would say it twice.
			sw.mute = true
		}
		sh.Exec(ctx, line)
		sw.mute = false
		if sh.GaveUp() {
			break
		}
		if name == "check" && sh.Solved(ctx) {
			break
		}
	}
	end := o.Now()
	if timedOut && !sh.GaveUp() {
		// The outcome is the last check; time-up runs one on the world
		// as the learner left it.
		sh.FinalCheck(context.WithoutCancel(ctx))
	}
	res.Stats = sh.Stats()
	res.Attempted = sh.Attempted() || timedOut
	res.Warnings = sh.Warnings()
	res.Score = sh.Score(context.WithoutCancel(ctx))
	res.Took = end.Sub(start)
	switch {
	case sh.GaveUp():
		res.Outcome = GaveUp
	case res.Score.Solved:
		res.Outcome = Solved
		if timedOut {
			res.Took = min(res.Took, o.Limit)
		}
	case timedOut:
		res.Outcome = TimedOut
		res.Took = min(res.Took, o.Limit)
	default:
		res.Outcome = Unsolved
	}
	switch res.Outcome {
	case TimedOut:
		fmt.Fprintf(out, "\nTime is up (%s).", Clock(o.Limit))
		if res.Skipped != "" {
			fmt.Fprintf(out, " %q came too late and did not run.", res.Skipped)
		}
		fmt.Fprintln(out)
	case GaveUp:
		fmt.Fprintf(out, "\nYou gave up after %s. The debrief shows where it broke and how to find it.\n", Clock(res.Took))
	case Solved:
		if timedOut {
			fmt.Fprintf(out, "\nTime is up (%s); the world as you left it passes the final check.\n", Clock(o.Limit))
			break
		}
		fmt.Fprintf(out, "\nSolved in %s.\n", Clock(res.Took))
	default:
		fmt.Fprintf(out, "\nThe session ended unsolved after %s.\n", Clock(res.Took))
	}
	return res, nil
}

// Clock writes a duration as a stopwatch does: m:ss, or h:mm:ss from an
// hour; negative durations are 0:00.
func Clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// switchWriter passes writes through unless muted.
type switchWriter struct {
	w    io.Writer
	mute bool
}

func (s *switchWriter) Write(p []byte) (int, error) {
	if s.mute {
		return len(p), nil
	}
	return s.w.Write(p)
}
