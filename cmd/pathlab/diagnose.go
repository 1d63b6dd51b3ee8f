package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() { register("diagnose", newDiagnoseCmd) }

func newDiagnoseCmd(e *env) *cobra.Command {
	var lf liveFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diagnose [--server ADDR] [--json] URL|HOST:PORT",
		Short: "Walk a real request (DNS, TCP, TLS, HTTP) and say where it breaks",
		Long: `Diagnose follows a request to a real host from this one, stage by stage,
and stops at the first break, with the same report as 'pathlab trace' (the
same JSON contract and exit statuses). At the break it probes further to
explain: a silently filtered port gets a TCP traceroute to that port,
which names the last hop that answers; a refused port gets a ping of its
host; an ICMP error names the router or host that sent it.

TARGET is a URL (https://NAME/, http://...) or HOST:PORT / tcp://HOST:PORT.
Exit status: 0 delivered, 1 broken, 2 bad input.`,
		Example: `  pathlab diagnose https://www.example.com/
  pathlab diagnose --server 10.77.3.12 --cacert ca.pem https://www.lab.test/
  pathlab diagnose --json 10.77.3.2:9001`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target, err := tracer.ParseTarget(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			n, err := lf.network()
			if err != nil {
				return err
			}
			defer n.Close()
			from, _ := os.Hostname()
			if from == "" {
				from = "this host"
			}
			ctx, stop := interruptible()
			defer stop()
			r, err := tracer.Diagnose(ctx, n, target, from)
			r.Notes = append(r.Notes, n.Notes()...)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					return &exitError{code: 1, err: fmt.Errorf("diagnose %s: %w", target, err)}
				}
				r.Notes = append(r.Notes, "interrupted: the report holds what was learned so far")
				r.Verdict = tracer.Broken
			}
			if asJSON {
				if err := r.WriteJSON(e.stdout); err != nil {
					return err
				}
			} else if err := r.WriteText(e.stdout, tracer.TextOptions{Color: e.color(e.stdout)}); err != nil {
				return err
			}
			return exitCode(r.ExitCode())
		},
	}
	lf.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (the trace contract of WORLD-FORMAT.md)")
	return cmd
}
