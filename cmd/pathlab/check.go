package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/spf13/cobra"
)

func init() { register("check", newCheckCmd) }

func newCheckCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Validate world files and list every problem",
		Long: `Check validates world files as a whole: YAML syntax, unknown fields, names
that do not resolve, duplicate names, malformed CIDRs, subnets outside their
VPC, addresses outside their subnet, ports outside 0-65535, negative TTLs.
Every problem is printed as FILE:LINE:COL: MESSAGE. What loads but
deserves a word (a route to a target that does not exist, which AWS keeps
as a blackhole; a NAT gateway in another zone) is printed as
FILE:LINE:COL: warning: MESSAGE and does not fail the check.

Exit status: 0 when every file is valid, 2 when any has a problem.`,
		Example: `  pathlab check world.yaml
  pathlab check --json worlds/*.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			type result struct {
				File     string         `json:"file"`
				Valid    bool           `json:"valid"`
				Problems []spec.Problem `json:"problems"`
				Warnings []spec.Problem `json:"warnings"`
			}
			var results []result
			bad := 0
			for _, f := range args {
				r := result{File: f, Valid: true, Problems: []spec.Problem{}, Warnings: []spec.Problem{}}
				w, err := simnet.Load(f)
				var se *spec.Error
				switch {
				case err == nil:
					r.Warnings = append(r.Warnings, w.Warnings()...)
				case errors.As(err, &se):
					r.Valid, r.Problems = false, se.Problems
				default:
					r.Valid, r.Problems = false, []spec.Problem{{File: f, Msg: err.Error()}}
				}
				if !r.Valid {
					bad++
				}
				results = append(results, r)
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					for _, p := range r.Warnings {
						p.Msg = "warning: " + p.Msg
						fmt.Fprintln(e.stderr, p.String())
					}
					if r.Valid {
						fmt.Fprintf(e.stdout, "%s: ok\n", r.File)
						continue
					}
					for _, p := range r.Problems {
						fmt.Fprintln(e.stderr, p.String())
					}
				}
				if bad > 0 {
					fmt.Fprintf(e.stderr, "%d of %d files have problems\n", bad, len(args))
				}
			}
			if bad > 0 {
				return exitCode(2)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}
