package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/pathlab/pathlab/story"
	"github.com/spf13/cobra"
)

func init() { register("explain", newExplainCmd) }

func newExplainCmd(e *env) *cobra.Command {
	var worldFile, from string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "explain [--world FILE] [--from NAME] [--json] [TARGET]",
		Short: "Tell the story of a request in plain words, step by step",
		Long: `Explain tells what happens when you type a URL, over a simulated world: the
resolver's walk and the aliases it follows, the SYN's way through gateways,
network ACLs and security groups and why the reply is allowed back, the
certificate check, the balancer choosing a healthy target and how health was
decided, the app's answer. Each step names the component and teaches its
concept once.

When the path breaks, the story stops there: it says what you would see with
dig, curl or nc, and what change would mend it.

TARGET is as for trace; without it, the world's headline request.

Exit status: 0 delivered, 1 broken, 2 bad input.`,
		Example: `  pathlab explain
  pathlab explain --from app-1 tcp://db.internal.shop:5432
  pathlab explain --world my.yaml --json https://www.example.org/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, target, err := loadRequest(worldFile, args)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			s, err := story.Explain(ctx, w, from, target)
			if err != nil {
				return fromErr(err)
			}
			if asJSON {
				err = s.WriteJSON(e.stdout)
			} else {
				err = s.WriteText(e.stdout)
			}
			if err != nil {
				return err
			}
			if !s.Delivered {
				return exitCode(1)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&worldFile, "world", "w", "", "world file (or builtin:NAME); default: the built-in shop world")
	f.StringVar(&from, "from", "", "vantage point: a client, server or instance name (default: the world's first client)")
	f.BoolVar(&asJSON, "json", false, "print the story as JSON: steps with stage, component, title, text; at the break its code, what you would observe, the fix")
	return cmd
}
