package main

import (
	"context"
	"errors"
	"os"
	"os/signal"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() { register("trace", newTraceCmd) }

func newTraceCmd(e *env) *cobra.Command {
	var worldFile, from string
	var asJSON, packets bool
	cmd := &cobra.Command{
		Use:   "trace [--world FILE] [--from NAME] [--json] [TARGET]",
		Short: "Trace a request through a simulated world and explain every hop",
		Long: `Trace follows a request through a simulated world: DNS (the resolver's walk
from the root), then the TCP connection hop by hop (route tables, internet and
NAT gateways, network ACLs, security groups, host firewalls, the socket),
then TLS and HTTP, balancers and their health checks included, and the way
back. Every hop names the resource and the rule that decided.

TARGET is a URL (https://shop.example.com/, http://...) or tcp://HOST:PORT,
udp://HOST:PORT; HOST is a name or an address. Without TARGET, the world's
headline request. Without --world, the built-in shop world.

When the path breaks, the trace goes on as if each block had let the packet
through, so that one run names every blocker a fix must change.

Exit status: 0 delivered, 1 broken, 2 bad input.`,
		Example: `  pathlab trace
  pathlab trace https://shop.example.com/
  pathlab trace --from app-1 tcp://db.internal.shop:5432
  pathlab trace --world my.yaml --from browser --json https://www.example.org/`,
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
				return usageErr("world %s has no headline request; give a TARGET such as https://NAME/ or tcp://HOST:PORT", w.Name)
			}
			target, err := tracer.ParseTarget(raw)
			if err != nil {
				return usageErr("%v", err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			r, err := w.Trace(ctx, from, target)
			if err != nil {
				if errors.Is(err, simnet.ErrUnknownName) {
					return usageErr("--from: %v", err)
				}
				return usageErr("%v", err)
			}
			if asJSON {
				if err := r.WriteJSON(e.stdout); err != nil {
					return err
				}
			} else if err := r.WriteText(e.stdout, tracer.TextOptions{Color: e.color(e.stdout), Packets: packets}); err != nil {
				return err
			}
			return exitCode(r.ExitCode())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&worldFile, "world", "w", "", "world file (or builtin:NAME); default: the built-in shop world")
	f.StringVar(&from, "from", "", "vantage point: a client, server or instance name (default: the world's first client)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (the trace contract of WORLD-FORMAT.md)")
	return cmd
}
