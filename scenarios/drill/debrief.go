package drill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/debrief"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/tracer"
)

// Debrief is what a learner reads after a drill: the score and what it
// was made of, their timeline beside the efficient investigation, the
// explained trace, and the follow-up questions.
type Debrief struct {
	Result    *Result
	Key       *Key
	Steps     []StepMatch
	FollowUps []debrief.FollowUp
	// Reached is the number of the learner's first command that named a
	// component at fault (1-based); 0 when none did.
	Reached int
}

// StepMatch is a step of the efficient investigation, and whether the
// learner took it.
type StepMatch struct {
	debrief.Step
	Done bool
	At   time.Duration // when the learner took it
	// As is the learner's own command when it differs from the step's
	// (a fix of the same component written differently).
	As string
}

// NewDebrief derives the debrief of a finished drill; seed picks the
// follow-up questions.
func NewDebrief(ctx context.Context, res *Result, seed uint64) (*Debrief, error) {
	if res == nil || res.Setup == nil {
		return nil, ErrNoSetup
	}
	k, err := NewKey(ctx, res.Setup)
	if err != nil {
		return nil, err
	}
	d := &Debrief{Result: res, Key: k, FollowUps: debrief.FollowUps(k.Codes, seed)}
	tl := res.Stats.Timeline
	for _, s := range k.Steps {
		m := StepMatch{Step: s}
		for _, e := range tl {
			if sameCommand(s.Command, e.Line) {
				m.Done, m.At = true, e.At
				break
			}
		}
		if !m.Done && s.Kind == "fix" {
			// The same component fixed another way.
			for _, e := range tl {
				if e.Kind == "fix" && sameTarget(s.Command, e.Line) {
					m.Done, m.At, m.As = true, e.At, e.Line
					break
				}
			}
		}
		d.Steps = append(d.Steps, m)
	}
	for i, e := range tl {
		if mentionsAny(e.Line, res.Setup.Causes) {
			d.Reached = i + 1
			break
		}
	}
	return d, nil
}

// sameCommand reports whether the learner's line does what a step does:
// the same command, and every argument of the step's that is not a flag
// among the line's (trailing slashes aside), so that "curl
// https://shop.example.com" counts for "curl -v https://shop.example.com/".
func sameCommand(step, line string) bool {
	sw, lw := strings.Fields(step), strings.Fields(line)
	if len(sw) == 0 || len(lw) == 0 || sw[0] != lw[0] {
		return false
	}
	if sw[0] == "show" || slices.Contains(scenarios.FixVerbs, sw[0]) {
		return strings.Join(sw, " ") == strings.Join(lw, " ")
	}
	have := map[string]bool{}
	for _, w := range lw[1:] {
		have[strings.TrimRight(w, "/")] = true
	}
	for _, w := range sw[1:] {
		if strings.HasPrefix(w, "-") {
			continue
		}
		if !have[strings.TrimRight(w, "/")] {
			return false
		}
	}
	return true
}

// sameTarget reports whether two fix commands change the same component
// ("sg sg-app add ..." and "sg sg-app remove ...").
func sameTarget(step, line string) bool {
	sw, lw := strings.Fields(step), strings.Fields(line)
	return len(sw) > 1 && len(lw) > 1 && sw[0] == lw[0] && sw[1] == lw[1]
}

func mentionsAny(line string, names []string) bool {
	for _, w := range strings.Fields(line)[1:] {
		for _, n := range names {
			if strings.EqualFold(w, n) {
				return true
			}
		}
	}
	return false
}

// WriteText writes the debrief for a person, wrapped at 78 columns.
func (d *Debrief) WriteText(w io.Writer) error {
	var b strings.Builder
	res := d.Result
	sc := res.Setup.Scenario
	fmt.Fprintf(&b, "\n== Debrief: %s (%s)\n\n", sc.Title, sc.ID)
	fmt.Fprintf(&b, "Result: %s after %s of %s.\n\n", res.Outcome, Clock(res.Took), Clock(res.Limit))
	writeScore(&b, res)

	fmt.Fprintf(&b, "\nYour timeline (%d commands):\n", len(res.Stats.Timeline))
	if len(res.Stats.Timeline) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, e := range res.Stats.Timeline {
		fmt.Fprintf(&b, "  %5s  %-7s  %s\n", Clock(e.At), e.Kind, e.Line)
	}

	b.WriteString("\nAn efficient investigation, derived from the trace of this fault:\n")
	for i, s := range d.Steps {
		mark := "not run"
		if s.Done {
			mark = "yours at " + Clock(s.At)
			if s.As != "" {
				mark = fmt.Sprintf("you did it your way at %s: %s", Clock(s.At), s.As)
			}
		}
		fmt.Fprintf(&b, "  %d. %-7s  %s\n", i+1, s.Kind, s.Command)
		tracer.Wrap(&b, s.Why, "       ", "       ", 78)
		tracer.Wrap(&b, "→ "+mark, "       ", "         ", 78)
	}
	b.WriteString(d.pace())

	b.WriteString("\nThe fault:\n")
	for i, a := range res.Setup.Applied {
		tag := ""
		if i < len(sc.Faults) && sc.Faults[i].Decoy {
			tag = " (a red herring: the request never meets it)"
		}
		tracer.Wrap(&b, fmt.Sprintf("%s: %s%s", a.Kind, a.Summary, tag), "  - ", "    ", 78)
	}
	if e := strings.TrimSpace(sc.Explanation); e != "" {
		b.WriteString("\n")
		paragraphs(&b, e, "", 78)
	}

	b.WriteString("\nThe explained trace:\n\n")
	if err := d.Key.Story.WriteText(&b); err != nil {
		return err
	}
	if n := len(d.FollowUps); n > 0 {
		b.WriteString("\n")
		tracer.Wrap(&b, fmt.Sprintf("Follow-up questions (%d), as an interviewer would ask them: answer each in a line, then read a model answer.", n), "", "", 78)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeScore writes the score and its parts.
func writeScore(b *strings.Builder, res *Result) {
	s := res.Score
	st := res.Stats
	if s.Solved {
		fmt.Fprintf(b, "Score: %d of %d\n", s.Total, s.Base)
	} else {
		fmt.Fprintf(b, "Score: 0 of %d (a drill scores only when solved; had it been, these would count)\n", s.Base)
	}
	row := func(what, detail string, n int) {
		fmt.Fprintf(b, "  %-17s %-22s %6s\n", what, detail, fmt.Sprintf("-%d", n))
	}
	fmt.Fprintf(b, "  %-17s %-22s %6d\n", "base", res.Setup.Scenario.Difficulty, s.Base)
	row("time", fmt.Sprintf("%s (par %s)", Clock(res.Took), Clock(s.ParTime)), s.Time)
	row("commands", fmt.Sprintf("%d (par %d)", st.Commands, s.ParCommands), s.Commands)
	row("hints", fmt.Sprint(st.Hints), s.Hints)
	row("wrong answers", fmt.Sprint(st.WrongAnswers), s.Wrong)
	row("over-broad fixes", fmt.Sprint(len(res.Warnings)), s.Warnings)
	for _, w := range res.Warnings {
		tracer.Wrap(b, "review: "+w.String(), "    ", "      ", 78)
	}
}

// pace compares the learner's command count with the investigation's.
func (d *Debrief) pace() string {
	n := len(d.Result.Stats.Timeline)
	causes := strings.Join(d.Result.Setup.Causes, ", ")
	s := fmt.Sprintf("You ran %d commands; this investigation takes %d.", n, len(d.Steps))
	switch {
	case causes == "":
	case d.Reached > 0:
		s += fmt.Sprintf(" Your command %d was the first to look at %s, where the fault is.", d.Reached, causes)
	default:
		s += fmt.Sprintf(" No command of yours looked at %s, where the fault is.", causes)
	}
	var b strings.Builder
	b.WriteString("\n")
	tracer.Wrap(&b, s, "", "", 78)
	return b.String()
}

// AskFollowUps asks each question, reads a one-line answer and shows the
// model answer. When the input has ended, the model answers are shown
// anyway. It returns how many questions were answered (the caller says
// so, after giving the terminal back).
func AskFollowUps(in play.LineReader, out io.Writer, fus []debrief.FollowUp) int {
	answered := 0
	ended := in == nil
	for i, f := range fus {
		var b strings.Builder
		b.WriteString("\n")
		tracer.Wrap(&b, fmt.Sprintf("Q%d/%d (%s): %s", i+1, len(fus), f.Concept, f.Question), "", "  ", 78)
		io.WriteString(out, b.String())
		if !ended {
			line, err := in.ReadLine("answer> ")
			switch {
			case err != nil:
				ended = true
				if !errors.Is(err, io.EOF) {
					fmt.Fprintf(out, "pathlab: %v\n", err)
				}
			case strings.TrimSpace(line) != "":
				answered++
			}
		}
		b.Reset()
		if ended {
			b.WriteString("(no answer: the input has ended)\n")
		}
		tracer.Wrap(&b, "Model answer: "+f.ModelAnswer, "", "  ", 78)
		io.WriteString(out, b.String())
	}
	return answered
}

// paragraphs wraps text paragraph by paragraph (blank lines separate
// them), each line starting with indent.
func paragraphs(b *strings.Builder, text, indent string, width int) {
	for i, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		tracer.Wrap(b, p, indent, indent, width)
	}
}
