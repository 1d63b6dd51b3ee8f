package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/pathlab/pathlab/scenarios/walk"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() { register("drill", newDrillCmd) }

// drillSubcommands are added to the drill command by the files that define
// them.
var drillSubcommands []func(*env) *cobra.Command

func newDrillCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drill",
		Short: "Interview practice: timed troubleshooting, the URL walkthrough, interviewer cards",
		Long: `Interview practice.

  pathlab drill walk      the "what happens when you type a URL" quiz, stage by stage`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newDrillWalkCmd(e))
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
			w, err := loadWorld(worldFile)
			if err != nil {
				return err
			}
			raw := w.Headline()
			if len(args) == 1 {
				raw = args[0]
			}
			if raw == "" {
				return usageErr("world %s has no headline request; give a TARGET", w.Name)
			}
			target, err := tracer.ParseTarget(raw)
			if err != nil {
				return usageErr("%v", err)
			}
			r, err := w.Trace(context.Background(), from, target)
			if err != nil {
				if errors.Is(err, simnet.ErrUnknownName) {
					return usageErr("--from: %v", err)
				}
				return usageErr("%v", err)
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
			walk.Run(e.stdin, e.stdout, qs)
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
