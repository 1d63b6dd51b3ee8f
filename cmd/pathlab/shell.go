package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"

	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/probe"
	"github.com/spf13/cobra"
)

func init() { register("shell", newShellCmd) }

func newShellCmd(e *env) *cobra.Command {
	var lf liveFlags
	var live bool
	var host string
	cmd := &cobra.Command{
		Use:   "shell --live [--server ADDR] [--resolve HOST:PORT:ADDR] [--cacert FILE] [--timeout D]",
		Short: "The play shell's observation commands against the real network",
		Long: `shell --live runs the play shell's observation commands (dig, curl, nc,
ping, traceroute, ...) from this host against the real network, through the
live probes. They are the same commands as in a scenario, written once over
the same interface, and print the same output for the same situation.

The commands that read or change a simulated world (show, fixes, check) are
not available. Commands come from a terminal, with line editing, or one per
line from stdin. Traceroute and ping send raw packets: run as root.

Exit status: 0 at the end of the input, 2 on bad usage.`,
		Example: `  pathlab shell --live --server 127.0.0.1:5353
  printf 'dig www.lab.test\ncurl -v http://10.77.3.2/\n' | pathlab shell --live --server 10.77.3.12`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !live {
				return usageErr("shell needs --live (a shell over a simulated world is pathlab play)")
			}
			pn, err := lf.network()
			if err != nil {
				return err
			}
			pn.Explain = false // the shell prints what the tools print, not explanations
			pn.HostsFile = ""
			if host == "" {
				host, _ = os.Hostname()
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			l := play.Live{Net: pn, Host: host, Via: func(addr netip.AddrPort) tracer.Network {
				return &probe.Network{Server: addr.String(), Timeout: pn.Timeout, RootCAs: pn.RootCAs, HostsFile: "-"}
			}}
			return runShell(ctx, e, l)
		},
	}
	lf.add(cmd)
	cmd.Flags().BoolVar(&live, "live", false, "observe the real network from this host")
	cmd.Flags().StringVar(&host, "host", "", "this host's name at the prompt (default: the system's host name)")
	return cmd
}

// runShell reads commands from a terminal or from stdin until the input
// ends or quit.
func runShell(ctx context.Context, e *env, l play.Live) error {
	out := e.stdout
	term := e.openTerminal()
	if term != nil {
		defer term.Close()
		out = term.Writer()
	}
	e.session(ctx, play.NewLive(l, out, play.Options{}), term, out)
	return nil
}

// openTerminal puts the terminal in raw mode for the shell's line editor
// when both stdin and stdout are one; nil when they are not (piped input,
// a script) or the terminal cannot be set up. The caller closes it.
func (e *env) openTerminal() *play.Terminal {
	f, ok := e.stdin.(*os.File)
	if !ok || !e.isTerminal(e.stdin) || !e.isTerminal(e.stdout) {
		return nil
	}
	t, err := play.NewTerminal(int(f.Fd()), struct {
		io.Reader
		io.Writer
	}{e.stdin, e.stdout})
	if err != nil {
		return nil
	}
	return t
}

// session runs the shell's intro and its command loop over the terminal,
// or over the lines of stdin when there is none.
func (e *env) session(ctx context.Context, sh *play.Shell, term *play.Terminal, out io.Writer) {
	var in play.LineReader
	if term != nil {
		term.SetShell(sh)
		in = term
	} else {
		in = play.NewScriptReader(e.stdin, out)
	}
	sh.Intro()
	if err := sh.Run(ctx, in); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stderr, "pathlab: %v\n", err)
	}
}
