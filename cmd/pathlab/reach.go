package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/reach"
	"github.com/spf13/cobra"
)

func init() { register("reach", newReachCmd) }

func newReachCmd(e *env) *cobra.Command {
	var world, from, to string
	var asJSON, explain bool
	cmd := &cobra.Command{
		Use:   "reach [--world W] --from NAME|internet | --to NAME[:PORT] | --from A --to B",
		Short: "Ask the whole world what reaches what, over classes of ports and addresses",
		Long: `Reach answers questions of the whole world at once:

  --from NAME        what NAME reaches: every endpoint, with the ports open to it
  --from internet    what anyone on the internet reaches
  --to NAME[:PORT]   who reaches NAME (on PORT): every endpoint, the internet included
  --from A --to B    which ports and protocols pass from A to B, and where the rest stop

Endpoints are instances, balancers, and internet clients and servers. An
instance is reached at its primary private address (the answer names it);
its secondary addresses are not walked: trace one with
pathlab trace --from NAME udp://ADDRESS:PORT.

Reachability is computed over equivalence classes of headers (port ranges
cut by every rule, service and listener of the world; addresses by the
prefixes rules name), as Batfish and header-space analysis do: one walk per
class, not one trace per port. A connection counts as open when it is
accepted (a socket, a balancer's listener) and its reply gets back.

--explain traces a witness flow of each answer in full, hop by hop.

Exit status: 0 answered, 2 bad input.`,
		Example: `  pathlab reach --from internet
  pathlab reach --world builtin:shop --to db-1:5432
  pathlab reach --from app-1 --to db-1 --explain`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" && to == "" {
				return usageErr("reach needs --from NAME, --to NAME[:PORT], or both (see 'pathlab reach --help')")
			}
			var port uint16
			if to != "" {
				if name, p, ok := strings.Cut(to, ":"); ok {
					n, err := strconv.ParseUint(p, 10, 16)
					if err != nil || n == 0 {
						return usageErr("--to %s: the port %q is not a number from 1 to 65535", to, p)
					}
					if from != "" {
						return usageErr("--to %s: with --from, give the endpoint alone; the answer lists every port", to)
					}
					to, port = name, uint16(n)
				}
			}
			w, err := loadWorld(world)
			if err != nil {
				return err
			}
			r := w.NewReach()
			var a *reach.Answer
			switch {
			case from != "" && to != "":
				a, err = reach.Between(w, r, from, to)
			case from != "":
				a, err = reach.From(w, r, from)
			default:
				a, err = reach.To(w, r, to, port)
			}
			var re *reach.Error
			if errors.As(err, &re) {
				return usageErr("%v", err)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return a.WriteJSON(e.stdout)
			}
			return a.WriteText(e.stdout, r, explain)
		},
	}
	f := cmd.Flags()
	f.StringVar(&world, "world", "", "the world: a file, or builtin:NAME (default: the built-in shop)")
	f.StringVar(&from, "from", "", "the endpoint flows start at (`NAME` or internet)")
	f.StringVar(&to, "to", "", "the endpoint flows go to (`NAME[:PORT]`)")
	f.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	f.BoolVar(&explain, "explain", false, "trace a witness flow of each answer in full")
	return cmd
}
