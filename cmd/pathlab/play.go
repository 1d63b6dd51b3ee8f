package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/scenarios/progress"
	"github.com/pathlab/pathlab/simnet"
	"github.com/spf13/cobra"
)

func init() { register("play", newPlayCmd) }

// playFlags select the scenario to play.
type playFlags struct {
	random     bool
	seed       uint64
	seedSet    bool
	difficulty string
	topic      string
	world      string
	from       string
	request    string
	lab        bool
}

func newPlayCmd(e *env) *cobra.Command {
	var f playFlags
	cmd := &cobra.Command{
		Use:   "play [ID | FILE] | --random [--seed N] [--difficulty D] [--topic T] | --world FILE --from NAME --request TARGET",
		Short: "Play a troubleshooting scenario: read the ticket, investigate, fix, check",
		Long: `Play starts a troubleshooting session. You read a ticket, investigate with the
commands you would use on real hosts (dig, curl -v, nc -zv, ping, traceroute,
tcpdump, ssh, ss, iptables), inspect the cloud resources (show), fix the world
(sg, nacl, route, service, firewall, dns, lb, cert, peering, or edit), and run
check: every check passes, or it says which do not.

  pathlab play ID                  a scenario of the library (pathlab scenarios list)
  pathlab play FILE.yaml           a scenario file
  pathlab play --random --seed 7   a generated one: the same seed, the same scenario
  pathlab play --world broken.yaml --from browser --request https://shop.example.com/
                                   any broken world: fix it until the request is delivered

On a terminal the shell has line editing, history and Tab completion. When
stdin is not a terminal it reads one command per line and prints the output of
each. Each attempt is saved under $XDG_STATE_HOME/pathlab.

Exit status: 0 if solved when the input ends, 1 if not, 2 on bad usage.`,
		Example: `  pathlab play shop-sg-app-ingress
  pathlab play --random --difficulty hard --seed 42
  printf 'curl -v https://shop.example.com/\ncheck\n' | pathlab play shop-sg-app-ingress`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.seedSet = cmd.Flags().Changed("seed")
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			st, mode, err := f.setup(ctx, e, args)
			if err != nil {
				return err
			}
			var pl play.Lab
			if f.lab {
				ls, down, err := playLab(ctx, e, st)
				if err != nil {
					return err
				}
				defer down()
				pl = ls
			}
			return runPlay(ctx, e, st, mode, pl)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.random, "random", false, "generate a scenario from a built-in world and one or two faults")
	fl.Uint64Var(&f.seed, "seed", 0, "the generator's seed (with --random); the same seed gives the same scenario")
	fl.StringVar(&f.difficulty, "difficulty", "", "easy, medium or hard (with --random)")
	fl.StringVar(&f.topic, "topic", "", "the fault's topic (with --random): "+joinTopics())
	fl.StringVar(&f.world, "world", "", "an ad-hoc scenario over this world file (or builtin:NAME)")
	fl.StringVar(&f.from, "from", "", "the vantage point (with --world)")
	fl.BoolVar(&f.lab, "lab", false, "also build the broken world in network namespaces, to investigate with the real tools (root; see pathlab lab)")
	fl.StringVar(&f.request, "request", "", "the request that must be delivered (with --world); default: the world's headline")
	return cmd
}

func joinTopics() string {
	s := ""
	for i, t := range scenarios.Topics {
		if i > 0 {
			s += ", "
		}
		s += t
	}
	return s
}

// setup prepares the scenario the flags name.
func (f *playFlags) setup(ctx context.Context, e *env, args []string) (*scenarios.Setup, string, error) {
	adhoc := f.world != "" || f.from != "" || f.request != ""
	genFlags := f.seedSet || f.difficulty != "" || f.topic != ""
	switch {
	case adhoc && (f.random || genFlags || len(args) > 0):
		return nil, "", usageErr("--world, --from and --request make an ad-hoc scenario; they do not mix with an ID or --random")
	case genFlags && !f.random:
		return nil, "", usageErr("--seed, --difficulty and --topic go with --random")
	case f.random && len(args) > 0:
		return nil, "", usageErr("give an ID or --random, not both")
	}
	switch {
	case adhoc:
		if f.world == "" {
			return nil, "", usageErr("an ad-hoc scenario needs --world FILE")
		}
		w, err := loadWorld(f.world)
		if err != nil {
			return nil, "", err
		}
		st, err := scenarios.AdHoc(ctx, f.world, w.Spec(), f.from, f.request)
		if err != nil {
			if errors.Is(err, simnet.ErrUnknownName) {
				return nil, "", usageErr("--from: %v", err)
			}
			return nil, "", usageErr("%v", err)
		}
		return st, "adhoc", nil
	case f.random || len(args) == 0:
		seed := f.seed
		if !f.seedSet {
			seed = uint64(time.Now().UnixNano() % 1_000_000)
			if len(args) == 0 && !f.random {
				fmt.Fprintf(e.stderr, "pathlab: no scenario named: playing a random one. 'pathlab scenarios list' shows the library.\n")
			}
		}
		sc, err := scenarios.Generate(ctx, seed, scenarios.Options{Difficulty: f.difficulty, Topic: f.topic})
		if err != nil {
			if errors.Is(err, scenarios.ErrNoScenario) {
				return nil, "", &exitError{code: 1, err: err}
			}
			return nil, "", usageErr("%v", err)
		}
		fmt.Fprintf(e.stderr, "pathlab: seed %d (pathlab play --random --seed %d replays it)\n", seed, seed)
		st, err := sc.Build()
		if err != nil {
			return nil, "", &exitError{code: 1, err: err}
		}
		return st, "random", nil
	}
	sc, err := findScenario(args[0])
	if err != nil {
		return nil, "", err
	}
	st, err := sc.Build()
	if err != nil {
		return nil, "", usageErr("%v", err)
	}
	return st, "play", nil
}

// runPlay runs the shell on a terminal or over piped input, then saves the
// attempt and exits 0 when solved.
func runPlay(ctx context.Context, e *env, st *scenarios.Setup, mode string, pl play.Lab) error {
	out := e.stdout
	term := e.openTerminal()
	if term != nil {
		defer term.Close()
		out = term.Writer()
	}
	sh, err := play.New(ctx, st, out, play.Options{Color: term != nil && e.color(e.stdout), Lab: pl})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	e.session(ctx, sh, term, out)
	if term != nil {
		term.Close()
	}
	solved := sh.Solved(context.Background())
	score := sh.Score(context.Background())
	stats := sh.Stats()
	verdict := "not solved"
	if solved {
		verdict = "solved"
	}
	if sh.GaveUp() {
		verdict = "gave up"
	}
	// An ad-hoc world is a place to look around: a session there that
	// changed nothing and checked nothing tried nothing, and failed nothing.
	looked := st.AdHoc && !sh.Attempted()
	if looked {
		verdict = "looked around"
	}
	fmt.Fprintf(e.stdout, "\nsession: %s; %d commands, %d hints, %d wrong answers; %s\n", verdict, stats.Commands, stats.Hints, stats.WrongAnswers, score)
	if sh.Attempted() {
		// Looking around without a fix or a check is not an attempt.
		saveAttempt(e, st, mode, sh, solved, score)
	}
	if solved || looked {
		return nil
	}
	return exitCode(1)
}

// saveAttempt records the session under the XDG state directory; trouble
// there is reported, never fatal.
func saveAttempt(e *env, st *scenarios.Setup, mode string, sh *play.Shell, solved bool, score scenarios.Score) {
	dir, err := progress.DefaultDir(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "pathlab: progress not saved: %v\n", err)
		return
	}
	store, err := progress.Open(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "pathlab: progress not saved: %v\n", err)
		return
	}
	sc := st.Scenario
	stats := sh.Stats()
	a := progress.Attempt{Scenario: sc.ID, Title: sc.Title, Topics: sc.Topics, Difficulty: sc.Difficulty, Mode: mode, Seed: sc.Seed,
		Started: stats.Start.UTC(), Seconds: time.Since(stats.Start).Seconds(), Solved: solved, GaveUp: sh.GaveUp(), Score: score.Total,
		Commands: stats.Commands, Hints: stats.Hints, WrongAnswers: stats.WrongAnswers, Warnings: len(sh.Warnings())}
	notes, err := store.Append(a)
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "pathlab: %s\n", n)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pathlab: progress not saved: %v\n", err)
	}
}
