package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/drill"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/scenarios/progress"
	"github.com/pathlab/pathlab/scenarios/walk"
	"github.com/spf13/cobra"
)

func init() { register("drill", newDrillCmd) }

// drillSubcommands are added to the drill command by the files that define
// them.
var drillSubcommands []func(*env) *cobra.Command

func newDrillCmd(e *env) *cobra.Command {
	var f drillFlags
	cmd := &cobra.Command{
		Use:   "drill [ID | FILE] [--minutes N] [--seed N] [--topic T] [--difficulty D]",
		Short: "Interview practice: timed troubleshooting, the URL walkthrough, interviewer cards",
		Long: `Interview practice.

  pathlab drill               a timed troubleshooting drill, from your weakest topics
  pathlab drill walk          the "what happens when you type a URL" quiz, stage by stage
  pathlab drill card          a printable card for a human interviewer
  pathlab progress            your attempts, per-topic figures, what to practise next

A drill shows a ticket and runs the play shell with the time left at the
prompt. It ends when you solve it (a check that passes), give up, quit or
run out of time; then comes the debrief: the score and what it was made of,
your timeline beside an efficient investigation derived from the fault's
trace, the explained trace, and three to five follow-up questions an
interviewer would ask. Type an answer to each, then read a model answer.

Without --topic (or an ID), the drill draws one of your three weakest topics
from your progress: where you fail, where you are slow, and where a topic is
due again (spaced repetition). The same seed and history give the same drill.

When stdin is not a terminal, commands are read one per line; the lines after
the session ends answer the follow-up questions (when the input has ended,
the model answers are shown anyway). The time is read before each command: a
command typed after the limit does not run.

Exit status: 0 if solved, 1 if not, 2 on bad usage.`,
		Example: `  pathlab drill
  pathlab drill --topic nacl --minutes 15
  pathlab drill shop-sg-app-ingress
  printf 'curl -v https://shop.example.com/\ngive-up\nfail open\n' | pathlab drill --seed 3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.seedSet = cmd.Flags().Changed("seed")
			f.minutesSet = cmd.Flags().Changed("minutes")
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			return runDrill(ctx, e, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.minutes, "minutes", 0, "the time limit in minutes (default: 10 easy, 20 medium, 30 hard)")
	fl.Uint64Var(&f.seed, "seed", 0, "the seed of the choice and of a generated scenario (default: from the clock)")
	fl.StringVar(&f.topic, "topic", "", "practise this topic: "+joinTopics())
	fl.StringVar(&f.difficulty, "difficulty", "", "easy, medium or hard")
	cmd.AddCommand(newDrillWalkCmd(e), newDrillCardCmd(e))
	for _, f := range drillSubcommands {
		cmd.AddCommand(f(e))
	}
	return cmd
}

func newDrillWalkCmd(e *env) *cobra.Command {
	var worldFile, from string
	var seed uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "walk [--world FILE] [--from NAME] [--seed N] [TARGET]",
		Short: `The "what happens when you type a URL" quiz, asked from a trace`,
		Long: `Walk traces a request (the world's headline request without TARGET) and asks,
stage by stage, what it meets next: which server answers for the zone, which
address the browser connects to, which security group admits the SYN, which
rule lets the reply back, which certificate is presented, which target the
balancer picks and why. Questions come from the trace itself, as multiple
choice with distractors drawn from the world; each answer is marked with the
reason. It works on any world.

Answer with a letter (a, b, c, d), one per line; from a pipe, one line per
question. --json prints the questions with their answers and exits.`,
		Example: `  pathlab drill walk
  pathlab drill walk --from app-1 https://api.partner.example.net/
  printf 'a\nb\nc\n' | pathlab drill walk --seed 3`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, target, err := loadRequest(worldFile, args)
			if err != nil {
				return err
			}
			r, err := w.Trace(context.Background(), from, target)
			if err != nil {
				return fromErr(err)
			}
			qs := walk.Questions(w, r, rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"target": r.Target, "from": r.From, "verdict": r.Verdict, "questions": qs})
			}
			if len(qs) == 0 {
				fmt.Fprintf(e.stdout, "the trace of %s from %s has no decisions to ask about\n", r.Target, r.From)
				return nil
			}
			fmt.Fprintf(e.stdout, "Walk the request %s from %s, stage by stage (%d questions).\n", r.Target, r.From, len(qs))
			if !r.Delivered() {
				fmt.Fprintf(e.stdout, "(this request breaks at %s: %s; the questions follow it as far as it goes)\n", r.BrokenAt.Component, r.BrokenAt.Code)
			}
			now := e.newClock()
			start := now()
			res := walk.Run(e.stdin, e.stdout, qs)
			saveWalk(e, r.Target, r.From, res, len(qs), start, now().Sub(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&worldFile, "world", "w", "", "world file (or builtin:NAME); default: the built-in shop world")
	f.StringVar(&from, "from", "", "vantage point (default: the world's first client)")
	f.Uint64Var(&seed, "seed", 1, "shuffle seed: the same seed gives the same quiz")
	f.BoolVar(&asJSON, "json", false, "print the questions and answers as JSON")
	return cmd
}

// drillFlags choose and limit a drill.
type drillFlags struct {
	minutes    int
	minutesSet bool
	seed       uint64
	seedSet    bool
	topic      string
	difficulty string
}

// validate checks the flags before anything runs.
func (f *drillFlags) validate(args []string) error {
	// Compared in minutes: a Duration product overflows past the check.
	if f.minutesSet && (f.minutes < 1 || f.minutes > int(drill.MaxLimit/time.Minute)) {
		return usageErr("--minutes %d: give the time limit in whole minutes, from 1 to %d", f.minutes, int(drill.MaxLimit/time.Minute))
	}
	if err := checkTopicDifficulty(f.topic, f.difficulty); err != nil {
		return err
	}
	if len(args) == 1 && (f.topic != "" || f.difficulty != "") {
		return usageErr("--topic and --difficulty choose the scenario; they do not go with a scenario ID (%s)", args[0])
	}
	return nil
}

func checkTopicDifficulty(topic, difficulty string) error {
	if topic != "" && !slices.Contains(scenarios.Topics, topic) {
		return usageErr("--topic %q is not one of %s", topic, joinTopics())
	}
	if difficulty != "" && !slices.Contains(scenarios.Difficulties, difficulty) {
		return usageErr("--difficulty %q is not one of %s", difficulty, strings.Join(scenarios.Difficulties, ", "))
	}
	return nil
}

// openStore opens the progress store under the XDG state directory;
// trouble there is reported and the drill goes on without it.
func openStore(e *env, now func() time.Time) *progress.Store {
	dir, err := progress.DefaultDir(e.getenv)
	if err == nil {
		var s *progress.Store
		if s, err = progress.Open(dir); err == nil {
			s.Now = now
			return s
		}
	}
	fmt.Fprintf(e.stderr, "pathlab: progress not available: %v\n", err)
	return nil
}

// history reads the recorded attempts; a corrupt file is kept aside and
// reported by the store, and the drill goes on without it.
func history(e *env, s *progress.Store) []progress.Attempt {
	if s == nil {
		return nil
	}
	as, notes, err := s.Attempts()
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "pathlab: %s\n", n)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pathlab: progress not read: %v\n", err)
	}
	return as
}

func runDrill(ctx context.Context, e *env, f *drillFlags, args []string) error {
	if err := f.validate(args); err != nil {
		return err
	}
	now := e.newClock()
	seed := f.seed
	if !f.seedSet {
		seed = uint64(now().UnixNano()) % 1_000_000
	}
	store := openStore(e, now)
	var sc *scenarios.Scenario
	why := ""
	if len(args) == 1 {
		var err error
		if sc, err = findScenario(args[0]); err != nil {
			return err
		}
	} else {
		c, err := drill.Choose(ctx, history(e, store), seed, drill.ChooseOptions{Topic: f.topic, Difficulty: f.difficulty})
		if err != nil {
			if errors.Is(err, scenarios.ErrNoScenario) {
				return &exitError{code: 1, err: err}
			}
			return usageErr("%v", err)
		}
		sc, why = c.Scenario, fmt.Sprintf("Topic %s: %s.", c.Topic, c.Why)
	}
	st, err := sc.Build()
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	fmt.Fprintf(e.stderr, "pathlab: drill seed %d (pathlab drill card %s prints its interviewer card)\n", seed, cardArg(sc))
	limit := drill.DefaultLimit(sc.Difficulty)
	if f.minutesSet {
		limit = time.Duration(f.minutes) * time.Minute
	}

	in, out, term := openInput(e)
	o := drill.Options{Now: now, Limit: limit}
	stopTimer := func() bool { return false }
	if term != nil {
		defer term.Close()
		o.Color = e.color(e.stdout)
		o.OnShell = term.SetShell
		// On a terminal nobody types after the limit: say it is up.
		t := time.AfterFunc(limit, func() { fmt.Fprintf(out, "\ntime is up: press Enter for the debrief\n") })
		stopTimer = t.Stop
	}
	if why != "" {
		fmt.Fprintf(out, "%s\n", why)
	}
	res, err := drill.Run(ctx, st, in, out, o)
	stopTimer()
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	dctx := context.WithoutCancel(ctx)
	d, err := drill.NewDebrief(dctx, res, seed)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if err := d.WriteText(out); err != nil {
		return err
	}
	answered := drill.AskFollowUps(in, out, d.FollowUps)
	if term != nil {
		term.Close()
	}
	if n := len(d.FollowUps); n > 0 {
		fmt.Fprintf(e.stdout, "\n%d of %d questions answered.\n", answered, n)
	}
	if store != nil && res.Attempted {
		stats := res.Stats
		notes, err := store.Append(progress.Attempt{Scenario: sc.ID, Title: sc.Title, Topics: sc.Topics, Difficulty: sc.Difficulty, Mode: "drill",
			Seed: sc.Seed, Started: stats.Start.UTC(), Seconds: res.Took.Seconds(), Solved: res.Outcome == drill.Solved,
			GaveUp: res.Outcome == drill.GaveUp, TimedOut: res.Outcome == drill.TimedOut, Score: res.Score.Total,
			Commands: stats.Commands, Hints: stats.Hints, WrongAnswers: stats.WrongAnswers, Warnings: len(res.Warnings)})
		for _, n := range notes {
			fmt.Fprintf(e.stderr, "pathlab: %s\n", n)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "pathlab: progress not saved: %v\n", err)
		}
	}
	if res.Outcome == drill.Solved {
		return nil
	}
	return exitCode(1)
}

// cardArg is how drill card names a scenario.
func cardArg(sc *scenarios.Scenario) string {
	if sc.Seed != nil && strings.HasPrefix(sc.File, "random:") {
		return fmt.Sprintf("--seed %d", *sc.Seed)
	}
	if strings.HasPrefix(sc.File, "library:") || sc.File == "" {
		return sc.ID
	}
	return sc.File
}

// openInput is a terminal with line editing when stdin and stdout are
// one, else a script read line by line with each command echoed.
func openInput(e *env) (play.LineReader, io.Writer, *play.Terminal) {
	if f, ok := e.stdin.(*os.File); ok && e.isTerminal(e.stdin) && e.isTerminal(e.stdout) {
		t, err := play.NewTerminal(int(f.Fd()), struct {
			io.Reader
			io.Writer
		}{e.stdin, e.stdout})
		if err == nil {
			return t, t.Writer(), t
		}
	}
	return play.NewScriptReader(e.stdin, e.stdout), e.stdout, nil
}

func newDrillCardCmd(e *env) *cobra.Command {
	var seed uint64
	var format, topic, difficulty string
	cmd := &cobra.Command{
		Use:   "card [--seed N | ID] [--format markdown|text|json]",
		Short: "A printable card for a human interviewer: ticket, fault, command outputs, hints, rubric, follow-ups",
		Long: `Card prints what an interviewer needs to run a troubleshooting interview
without a computer: the ticket to read aloud; the hidden fault and its fix;
the efficient investigation; what each likely command shows in this world
(dig, curl -v, nc, traceroute, target-health and the relevant show outputs,
run by the play shell against the broken world), so that "what does dig
say?" has an answer; hints to give when the candidate is stuck; a rubric of
what strong and weak candidates do; and follow-up questions with model
answers.

--seed N generates the scenario (as play --random --seed N, with --topic and
--difficulty); an ID names one of the library (pathlab scenarios list) or a
scenario file. The same seed, or the same ID, always gives the same card.`,
		Example: `  pathlab drill card --seed 7
  pathlab drill card shop-sg-app-ingress --format text
  pathlab drill card --seed 12 --topic nacl --difficulty hard > card.md`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			seedSet := cmd.Flags().Changed("seed")
			switch {
			case seedSet && len(args) == 1:
				return usageErr("give --seed N or a scenario ID (%s), not both", args[0])
			case !seedSet && len(args) == 0:
				return usageErr("give --seed N (a generated scenario) or a scenario ID ('pathlab scenarios list' shows them)")
			case !seedSet && (topic != "" || difficulty != ""):
				return usageErr("--topic and --difficulty go with --seed")
			case format != "markdown" && format != "text" && format != "json":
				return usageErr("--format %q is not markdown, text or json", format)
			}
			if err := checkTopicDifficulty(topic, difficulty); err != nil {
				return err
			}
			ctx := context.Background()
			var sc *scenarios.Scenario
			cardSeed := seed
			if seedSet {
				var err error
				sc, err = scenarios.Generate(ctx, seed, scenarios.Options{Topic: topic, Difficulty: difficulty})
				if err != nil {
					if errors.Is(err, scenarios.ErrNoScenario) {
						return &exitError{code: 1, err: err}
					}
					return usageErr("%v", err)
				}
			} else {
				var err error
				if sc, err = findScenario(args[0]); err != nil {
					return err
				}
				cardSeed = drill.CardSeed(sc.ID)
			}
			st, err := sc.Build()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			card, err := drill.NewCard(ctx, st, cardSeed)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			switch format {
			case "text":
				return card.WriteText(e.stdout)
			case "json":
				return printJSON(e, card)
			}
			return card.WriteMarkdown(e.stdout)
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&seed, "seed", 0, "generate the scenario from this seed")
	fl.StringVar(&format, "format", "markdown", "markdown, text or json")
	fl.StringVar(&topic, "topic", "", "with --seed: the fault's topic: "+joinTopics())
	fl.StringVar(&difficulty, "difficulty", "", "with --seed: easy, medium or hard")
	return cmd
}
