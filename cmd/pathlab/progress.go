package main

import (
	"github.com/pathlab/pathlab/scenarios/drill"
	"github.com/pathlab/pathlab/scenarios/progress"
	"github.com/spf13/cobra"
)

func init() { register("progress", newProgressCmd) }

func newProgressCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "progress [--json]",
		Short: "Your drill and play attempts, per-topic figures, streak, and what to practise next",
		Long: `Progress lists every drill and play attempt (scenario, topics, result, score,
time, hints), the success rate and median time of each topic, your streak, and
one or two concrete suggestions. pathlab drill uses the same figures to choose
what you practise: more where you are wrong or slow, and where a topic is due
again.

Attempts live in $XDG_STATE_HOME/pathlab/attempts.json (~/.local/state/pathlab
by default); a corrupt file is kept aside under a new name and reported.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			now := e.newClock()
			dir, err := progress.DefaultDir(e.getenv)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			store, err := progress.Open(dir)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			store.Now = now
			as, notes, err := store.Attempts()
			for _, n := range notes {
				e.stderr.Write([]byte("pathlab: " + n.String() + "\n"))
			}
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			sum := drill.Summarize(as, now())
			if asJSON {
				return printJSON(e, sum)
			}
			return sum.WriteText(e.stdout)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the attempts, topics, streak and suggestions as JSON")
	return cmd
}
