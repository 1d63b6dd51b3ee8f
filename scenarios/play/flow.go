package play

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

func (s *Shell) ticket(_ context.Context, _ []string) error {
	s.printTicket()
	return nil
}

func (s *Shell) hintCmd(_ context.Context, _ []string) error {
	hints := s.setup.Scenario.Hints
	if s.hint >= len(hints) {
		s.printf("No more hints. give-up shows the explained trace and the reference fix.\n")
		return nil
	}
	s.hint++
	s.stats.Hints++
	s.printf("hint %d/%d: %s\n", s.hint, len(hints), strings.TrimSpace(hints[s.hint-1]))
	return nil
}

func (s *Shell) answer(_ context.Context, args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return badUsage("name the component you think is at fault, and optionally its code: answer sg-app SG_NO_INGRESS_RULE")
	}
	code := ""
	if len(args) == 2 {
		code = args[1]
	}
	if !s.knownComponent(args[0]) {
		s.printf("answer: nothing in this world is named %q (no penalty); show lists the resources\n", args[0])
		return nil
	}
	j := s.setup.JudgeAnswer(s.broken, args[0], code)
	s.printf("%s\n", j.Message)
	switch j.Verdict {
	case scenarios.AnswerWrong:
		s.stats.WrongAnswers++
	case scenarios.AnswerCorrect:
		real := 0
		for i, a := range s.setup.Applied {
			if s.setup.Scenario.Faults[i].Decoy {
				continue
			}
			real++
			if slices.ContainsFunc(a.Components, func(c string) bool { return strings.EqualFold(c, j.Cause) }) {
				s.named[i] = true
			}
		}
		if real > 1 {
			s.printf("(%d of %d faults named)\n", len(s.named), real)
		}
	}
	return nil
}

func (s *Shell) check(ctx context.Context, _ []string) error {
	results := s.setup.Judge(ctx, s.world)
	live := s.liveChecks(ctx, results)
	liveFail := 0
	for i, r := range results {
		verdict := "PASS"
		if !r.Pass {
			verdict = "FAIL"
		}
		s.printf("%s  %s\n      %s\n", verdict, r.Check.Description, strings.ReplaceAll(r.Seen, "\n", "\n      "))
		if live != nil {
			v := "pass"
			if !live[i].pass {
				v, liveFail = "FAIL", liveFail+1
			}
			s.printf("      in the lab: %s: %s\n", v, live[i].line)
		}
	}
	s.checked = true
	s.passed = scenarios.Solved(results) && liveFail == 0
	if s.passed {
		// The fix is right, but the clients may still get the old
		// answer from a resolver's cache (cmd_cache.go): not solved yet,
		// and not wrong either; it passes once the TTL has run out.
		if words, _ := s.staleCache(ctx); words != "" {
			s.printf("WAIT  %s\n", words)
			s.printf("not solved yet: the clients still see the old answer.\n")
			s.passed = false
			return nil
		}
	}
	if !s.passed {
		n := 0
		for i, r := range results {
			if !r.Pass || (live != nil && !live[i].pass) {
				n++
			}
		}
		s.printf("%d of %d checks fail: not solved yet.\n", n, len(results))
		return nil
	}
	if s.solvedAt.IsZero() {
		s.solvedAt = s.opts.Now()
	}
	s.warnings = scenarios.ReviewWorld(ctx, s.setup, s.spec, s.world)
	s.printf("solved\n")
	for _, w := range s.warnings {
		s.printf("review: warning: %s\n", w)
	}
	if len(s.warnings) == 0 && s.spec != nil {
		s.printf("review: the fix opens nothing beyond what the request needs.\n")
	}
	s.printf("%s\n", s.Score(ctx))
	return nil
}

func (s *Shell) giveUp(ctx context.Context, _ []string) error {
	s.gaveUp = true
	r, err := s.world.Trace(ctx, s.setup.From, s.setup.Target)
	if err != nil {
		return err
	}
	if r.Delivered() {
		r = s.broken
		s.printf("The request works in your world now; this is how it broke at the start:\n\n")
	}
	if err := r.WriteText(s.out, tracer.TextOptions{Color: s.opts.Color}); err != nil {
		return err
	}
	st := s.setup
	if st.AdHoc {
		s.printf("\nWhat each blocker needs (the trace's suggestions):\n")
	} else {
		s.printf("\nThe faults:\n")
		for i, a := range st.Applied {
			tag := ""
			if st.Scenario.Faults[i].Decoy {
				tag = " (a red herring: the request never meets it)"
			}
			s.printf("  - %s: %s%s\n", a.Kind, a.Summary, tag)
		}
		s.printf("\nThe reference fix:\n")
	}
	for _, f := range st.FixLines() {
		s.printf("  %s\n", f)
	}
	if e := strings.TrimSpace(st.Scenario.Explanation); e != "" {
		s.printf("\n%s\n", e)
	}
	s.printf("\n(The session counts as not solved. You can still apply the fix and check.)\n")
	return nil
}

// fix runs one fix command: the spec is edited, validated as a whole and
// compiled, once; a refused edit changes nothing.
func (s *Shell) fix(_ context.Context, words []string) error {
	msg, err := s.applyFix(words)
	if err != nil {
		var ue *spec.UsageError
		if errors.As(err, &ue) {
			return badUsage("%s", ue.Reason)
		}
		if errors.Is(err, scenarios.ErrUsage) {
			// Keep the reason ("port -1 is not a port"); a bare usage
			// error only repeats the command's usage, which Exec prints.
			msg := strings.TrimPrefix(err.Error(), scenarios.ErrUsage.Error()+": ")
			if c := shellCommands()[words[0]]; c != nil && strings.Contains(c.usage, strings.SplitN(msg, "\n", 2)[0]) {
				msg = ""
			}
			return usageError{msg: msg}
		}
		s.printf("refused: %v\n", err)
		return nil
	}
	s.printf("ok: %s\n", msg)
	return nil
}

// Fix applies one fix command line, as the learner would type it, and
// says what changed; a refused fix changes nothing.
func (s *Shell) Fix(line string) (string, error) {
	words, err := scenarios.SplitLine(line)
	if err != nil {
		return "", err
	}
	return s.applyFix(words)
}

func (s *Shell) applyFix(words []string) (string, error) {
	f, err := scenarios.ParseFix(words)
	if err != nil {
		return "", err
	}
	next, w, msg, err := scenarios.Change(s.spec, f)
	if err != nil {
		return "", err
	}
	s.commit(next, w, f.String())
	return msg, nil
}

// commit makes next, compiled as w, the current world, keeping the old one
// for undo.
func (s *Shell) commit(next *spec.WorldSpec, w *simnet.World, what string) {
	s.undo = append(s.undo, change{spec: s.spec, world: s.world, what: what})
	s.spec, s.world = next, w
	s.stats.Fixes++
	if !slices.Contains(s.world.Names(""), s.Host()) {
		s.vantage = []string{s.setup.From}
	}
}

// undoCmd takes back the last change: the world before it comes back as
// it was compiled then.
func (s *Shell) undoCmd(_ context.Context, _ []string) error {
	if len(s.undo) == 0 {
		s.printf("nothing to undo\n")
		return nil
	}
	last := s.undo[len(s.undo)-1]
	s.undo = s.undo[:len(s.undo)-1]
	s.spec, s.world = last.spec, last.world
	s.printf("undone: %s\n", last.what)
	return nil
}

func (s *Shell) reset(_ context.Context, _ []string) error {
	if sameSpec(s.spec, s.setup.Broken) {
		s.printf("the world is as the ticket found it already\n")
		return nil
	}
	w := s.setup.World
	if w == nil {
		var err error
		if w, err = simnet.Compile(s.setup.Broken); err != nil {
			return err
		}
	}
	s.commit(s.setup.Broken.Clone(), w, "reset")
	s.stats.Fixes--
	s.printf("reset: the world is as the ticket found it (undo brings your changes back)\n")
	return nil
}

func sameSpec(a, b *spec.WorldSpec) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// edit writes the world to a file, lets the learner edit it, and loads it
// back: validated as a whole, refused with the file's line and column when
// it is wrong.
func (s *Shell) edit(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return badUsage("edit takes no arguments: it opens the whole world in $EDITOR")
	}
	data, err := yaml.MarshalWithOptions(s.spec, yaml.IndentSequence(true))
	if err != nil {
		return fmt.Errorf("cannot write the world out: %v", err)
	}
	dir, err := os.MkdirTemp("", "pathlab-edit-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The world's name is validated as a word, but the file name must not
	// depend on it: a name is a name, not a path.
	base := "world"
	if n := s.spec.Name; n != "" && filepath.IsLocal(n) && !strings.ContainsAny(n, `/\`) {
		base = n
	}
	path := filepath.Join(dir, base+".yaml")
	header := "# The world as it is now. Save and quit to apply; it is validated first.\n"
	if err := os.WriteFile(path, append([]byte(header), data...), 0o600); err != nil {
		return err
	}
	if err := s.opts.Editor(ctx, path); err != nil {
		return fmt.Errorf("the editor failed (%v); nothing changed", err)
	}
	next, err := simnet.LoadSpec(path)
	if err != nil {
		s.printf("refused: the edited world is not valid, so nothing changed:\n")
		var se *spec.Error
		if errors.As(err, &se) {
			for _, p := range se.Problems {
				p.File = filepath.Base(p.File)
				s.printf("  %s\n", p)
			}
		} else {
			s.printf("  %v\n", err)
		}
		return nil
	}
	if sameSpec(next, s.spec) {
		s.printf("no change\n")
		return nil
	}
	w, err := simnet.Compile(next)
	if err != nil {
		s.printf("refused: %v\n", err)
		return nil
	}
	s.commit(next, w, "edit")
	s.printf("ok: the edited world is loaded (undo takes it back)\n")
	return nil
}
