package main

import (
	"github.com/pathlab/pathlab/reach"
	"github.com/spf13/cobra"
)

func init() { register("audit", newAuditCmd) }

func newAuditCmd(e *env) *cobra.Command {
	var world string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit [--world W]",
		Short: "Name what is exposed, and the rules that are shadowed, unused or too broad",
		Long: `Audit names, each with the rule and a witness flow:

  exposed            an instance reachable from the internet that is neither
                     a public balancer nor named in a public zone
  shadowed-acl-rule  a network ACL rule never matched: earlier rules decide
                     every flow it covers
  unused-sg-rule     a security group rule no flow of the world matches
  broad-sg-rule      a security group rule admitting more ports than the
                     flows through it that connect need

Flows are every pair of endpoints (and the internet) over classes of
headers, as 'pathlab reach' computes them.

Exit status: 0 no finding, 1 findings (so CI can gate on it), 2 bad input.`,
		Example: `  pathlab audit
  pathlab audit --world my-world.yaml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := loadWorld(world)
			if err != nil {
				return err
			}
			a := reach.AuditWorld(w)
			if asJSON {
				err = a.WriteJSON(e.stdout)
			} else {
				err = a.WriteText(e.stdout)
			}
			if err != nil {
				return err
			}
			if len(a.Findings) > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&world, "world", "", "the world: a file, or builtin:NAME (default: the built-in shop)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"world", "findings": [{"kind", "owner", "rule", "detail", "witness"}...]} as JSON`)
	return cmd
}
