package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/spf13/cobra"
)

func init() { register("scenarios", newScenariosCmd) }

func newScenariosCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "The scenario library and the fault catalog: list, show, faults, test",
		Long: `The scenario library is embedded in pathlab: each scenario is a world with
faults injected, a ticket, hints, checks and a reference fix. Play one with
'pathlab play ID'.

  pathlab scenarios list [--json]      the library
  pathlab scenarios show ID            one scenario (--spoilers: faults and fix)
  pathlab scenarios faults [--json]    the fault catalog
  pathlab scenarios test [ID|FILE...]  prove scenarios: the faults break, the fix mends`,
		Args: cobra.NoArgs,
		// Runnable, so that an unknown subcommand is an error (exit 2)
		// rather than the help with exit 0.
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newScenariosListCmd(e), newScenariosShowCmd(e), newScenariosFaultsCmd(e), newScenariosTestCmd(e))
	return cmd
}

// library loads the embedded library; a broken one is a bug, said plainly.
func library() ([]*scenarios.Scenario, error) {
	lib, err := scenarios.Library()
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("the embedded scenario library is broken (a bug):\n%v", err)}
	}
	return lib, nil
}

type scenarioJSON struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Difficulty string   `json:"difficulty"`
	Topics     []string `json:"topics"`
	World      string   `json:"world"`
	Faults     int      `json:"faults"`
}

func newScenariosListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the scenario library",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := library()
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]scenarioJSON, 0, len(lib))
				for _, sc := range lib {
					n := 0
					for _, f := range sc.Faults {
						if !f.Decoy {
							n++
						}
					}
					out = append(out, scenarioJSON{ID: sc.ID, Title: sc.Title, Difficulty: sc.Difficulty, Topics: sc.Topics, World: sc.World, Faults: n})
				}
				return printJSON(e, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "ID\tDIFFICULTY\tWORLD\tTOPICS\tTITLE\n")
			for _, sc := range lib {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sc.ID, sc.Difficulty, sc.World, strings.Join(sc.Topics, ","), sc.Title)
			}
			tw.Flush()
			fmt.Fprintf(e.stdout, "\n%d scenarios. Play one: pathlab play ID\n", len(lib))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the library as JSON")
	return cmd
}

// printJSON writes v as indented JSON on stdout.
func printJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func newScenariosShowCmd(e *env) *cobra.Command {
	var spoilers bool
	cmd := &cobra.Command{
		Use:   "show ID [--spoilers]",
		Short: "Show a scenario: ticket, world, topics (--spoilers: faults, fix, explanation)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := findScenario(args[0])
			if err != nil {
				return err
			}
			st, err := sc.Build()
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			w := e.stdout
			fmt.Fprintf(w, "%s: %s\n", sc.ID, sc.Title)
			fmt.Fprintf(w, "difficulty: %s   topics: %s   world: %s\n", sc.Difficulty, strings.Join(sc.Topics, ", "), sc.World)
			fmt.Fprintf(w, "from %s: %s\n\n", st.From, st.Target)
			for _, l := range strings.Split(sc.Ticket, "\n") {
				fmt.Fprintf(w, "  %s\n", l)
			}
			fmt.Fprintf(w, "\n%d hints; checks:\n", len(sc.Hints))
			for _, c := range st.Checks {
				fmt.Fprintf(w, "  - %s\n", c.Description)
			}
			if !spoilers {
				fmt.Fprintf(w, "\n(--spoilers shows the faults, the reference fix and the explanation)\n")
				return nil
			}
			fmt.Fprintf(w, "\nfaults:\n")
			for i, a := range st.Applied {
				tag := ""
				if sc.Faults[i].Decoy {
					tag = " [decoy]"
				}
				fmt.Fprintf(w, "  - %s %s%s: %s\n", a.Kind, scenarios.Params(sc.Faults[i].Params), tag, a.Summary)
			}
			fmt.Fprintf(w, "expect: %s; causes: %s\nreference fix:\n", sc.Expect.Code, strings.Join(st.Causes, ", "))
			for _, f := range st.Fix {
				fmt.Fprintf(w, "  %s\n", f)
			}
			fmt.Fprintf(w, "\n%s\n", sc.Explanation)
			return nil
		},
	}
	cmd.Flags().BoolVar(&spoilers, "spoilers", false, "also show the faults, the reference fix and the explanation")
	return cmd
}

// findScenario finds a library scenario by id, or reads a scenario file.
func findScenario(ref string) (*scenarios.Scenario, error) {
	if strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") || strings.ContainsRune(ref, os.PathSeparator) {
		sc, err := scenarios.LoadFile(ref)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		return sc, nil
	}
	if _, err := library(); err != nil {
		return nil, err
	}
	sc, err := scenarios.Lookup(ref)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return sc, nil
}

type faultJSON struct {
	Kind        string            `json:"kind"`
	Topic       string            `json:"topic"`
	Difficulty  string            `json:"difficulty"`
	Description string            `json:"description"`
	Parameters  []scenarios.Param `json:"parameters"`
	Codes       []string          `json:"codes"`
}

func newScenariosFaultsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "faults [--json]",
		Short: "List the fault catalog: kind, topic, parameters, description",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat := scenarios.Catalog()
			if asJSON {
				out := make([]faultJSON, 0, len(cat))
				for _, k := range cat {
					codes := make([]string, len(k.Codes))
					for i, c := range k.Codes {
						codes[i] = string(c)
					}
					out = append(out, faultJSON{Kind: k.Name, Topic: k.Topic, Difficulty: k.Difficulty, Description: k.Doc, Parameters: k.Params, Codes: codes})
				}
				return printJSON(e, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "KIND\tTOPIC\tPARAMETERS\tDESCRIPTION\n")
			for _, k := range cat {
				var ps []string
				for _, p := range k.Params {
					switch {
					case p.Required:
						ps = append(ps, p.Name)
					case p.Default != "":
						ps = append(ps, fmt.Sprintf("[%s=%s]", p.Name, p.Default))
					default:
						ps = append(ps, "["+p.Name+"]")
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Name, k.Topic, strings.Join(ps, " "), k.Doc)
			}
			tw.Flush()
			fmt.Fprintf(e.stdout, "\n%d fault kinds.\n", len(cat))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the catalog as JSON")
	return cmd
}

func newScenariosTestCmd(e *env) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "test [ID|FILE...]",
		Short: "Prove scenarios: the faults break the request, the reference fix mends it",
		Long: `Test proves each scenario (the whole library without arguments): its world
passes its checks before the faults; decoys alone break nothing; with the
faults in, the checks fail and the headline request shows the expected code;
and the reference fix, typed into a play shell as a learner would, makes
every check pass. It ends with the line "N passed, N failed" and exits 1 on
any failure.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []*scenarios.Scenario
			if len(args) == 0 {
				lib, err := library()
				if err != nil {
					return err
				}
				list = lib
			}
			for _, a := range args {
				sc, err := findScenario(a)
				if err != nil {
					return err
				}
				list = append(list, sc)
			}
			ctx := context.Background()
			passed, failed := 0, 0
			start := time.Now()
			for _, sc := range list {
				p := play.Prove(ctx, sc, time.Now)
				if p.OK() {
					passed++
					if verbose {
						fmt.Fprintf(e.stdout, "ok    %s (%s)\n", sc.ID, p.Took.Round(time.Millisecond))
					}
					continue
				}
				failed++
				fmt.Fprintf(e.stdout, "FAIL  %s\n", sc.ID)
				for _, pr := range p.Problems {
					fmt.Fprintf(e.stdout, "      %s\n", pr)
				}
			}
			if verbose {
				fmt.Fprintf(e.stdout, "(%s)\n", time.Since(start).Round(time.Millisecond))
			}
			fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every scenario with the time it took")
	return cmd
}
