package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"

	"github.com/pathlab/pathlab/graph"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() { register("graph", newGraphCmd) }

func newGraphCmd(e *env) *cobra.Command {
	var worldFile, from, traceTarget, format string
	cmd := &cobra.Command{
		Use:   "graph [--world FILE] [--trace TARGET] [--from NAME] [--format mermaid|dot]",
		Short: "Draw the world; with --trace, the request's path and where it breaks",
		Long: `Graph draws a world: the internet side and each VPC as clusters, subnets as
clusters inside them (with their route table and network ACL), and internet
gateways, balancer nodes, NAT gateways and instances as nodes. Dashed arrows
are routes (from a subnet to its route's target) and a balancer's targets.

With --trace TARGET (a URL, tcp://HOST:PORT or udp://HOST:PORT, as for
trace), the request's path is drawn numbered and highlighted up to where it
breaks, and the break is marked.

--format mermaid (the default) renders in a GitHub README inside a
` + "```mermaid" + ` block; --format dot renders with Graphviz (dot -Tsvg).

Exit status: 0 drawn, 2 bad input. (A broken path is drawn, not an error.)`,
		Example: `  pathlab graph
  pathlab graph --trace https://shop.example.com/
  pathlab graph --world my.yaml --format dot --trace tcp://db.internal.shop:5432 --from app-1 | dot -Tsvg > path.svg`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("graph takes no argument; to draw the path of a request, use --trace %s", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != graph.GraphMermaid && format != graph.GraphDot {
				return usageErr("--format %q: use mermaid or dot", format)
			}
			if from != "" && traceTarget == "" {
				return usageErr("--from %s needs --trace TARGET: a vantage point is for tracing a request", from)
			}
			w, err := loadWorld(worldFile)
			if err != nil {
				return err
			}
			var r *tracer.Report
			if traceTarget != "" {
				target, err := tracer.ParseTarget(traceTarget)
				if err != nil {
					return usageErr("--trace: %v", err)
				}
				ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
				defer stop()
				if r, err = w.Trace(ctx, from, target); err != nil {
					if errors.Is(err, simnet.ErrUnknownName) {
						return usageErr("--from: %v", err)
					}
					return usageErr("%v", err)
				}
			}
			out, err := graph.Graph(w, format, r)
			if err != nil {
				return usageErr("%v", err)
			}
			_, err = io.WriteString(e.stdout, out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&worldFile, "world", "w", "", "world file (or builtin:NAME); default: the built-in shop world")
	f.StringVar(&traceTarget, "trace", "", "highlight the path of a request to `TARGET` and mark where it breaks")
	f.StringVar(&from, "from", "", "with --trace: the vantage point (default: the world's first client)")
	f.StringVar(&format, "format", graph.GraphMermaid, "mermaid (GitHub READMEs) or dot (Graphviz)")
	return cmd
}
