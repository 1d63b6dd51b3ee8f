// Command pathlab follows a request from a browser to an app server and says
// exactly where it breaks, in a simulated world or on the real network.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	// Map the binary's code and data in a few system calls before the
	// other packages' init functions run (in a cgo build, cstart's C
	// constructor before the Go runtime starts): a short command's CPU is
	// mostly page faults otherwise (see the packages).
	_ "github.com/pathlab/pathlab/cmd/pathlab/internal/cstart"
	_ "github.com/pathlab/pathlab/cmd/pathlab/internal/prefault"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

func main() {
	os.Exit(run(os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		isTerminal: func(f any) bool {
			if ff, ok := f.(*os.File); ok {
				return term.IsTerminal(int(ff.Fd()))
			}
			return false
		},
	}))
}

// env is everything a command touches outside itself, so tests can run
// commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     func(any) bool
	// clock makes the wall clock of one drill or progress command; nil
	// means the real one.
	clock func() func() time.Time
}

// newClock returns the wall clock of one command.
func (e *env) newClock() func() time.Time {
	if e.clock == nil {
		return time.Now
	}
	return e.clock()
}

// color reports whether output to w may be coloured: a terminal, and
// NO_COLOR unset (https://no-color.org).
func (e *env) color(w io.Writer) bool {
	if e.getenv("NO_COLOR") != "" || e.getenv("TERM") == "dumb" {
		return false
	}
	return e.isTerminal != nil && e.isTerminal(w)
}

// exitError carries an exit status out of a command. Status 2 is bad input.
type exitError struct {
	code int
	err  error // printed to stderr when non-nil
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr is bad input: it exits 2 with the message.
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// exitCode ends a command with a status and no further message.
func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}

// commands holds the constructors of the subcommands; each file registers
// its own in init, so commands stay apart.
var commands = map[string]func(*env) *cobra.Command{}

func register(name string, f func(*env) *cobra.Command) { commands[name] = f }

func newRoot(e *env, only string) *cobra.Command {
	root := &cobra.Command{
		Use:   "pathlab",
		Short: "Follow a request from a browser to an app server and see where it breaks",
		Long: `pathlab follows a request from a browser to an app server and says exactly
where it breaks: DNS, routes, gateways, security groups, network ACLs, host
firewalls, sockets, load balancers, TLS and HTTP.

It works in two worlds. In a simulated one (a world file, or the built-in
shop) every hop is explained down to the rule that matched. On the real
network, live probes observe what packets show.

Start with:
  pathlab trace                      trace the built-in world's headline request, hop by hop
  pathlab explain                    the same request told as a story
  pathlab play                       a troubleshooting scenario: ticket, investigate, fix, check
  pathlab drill                      a timed interview drill, with a debrief
  pathlab diagnose https://HOST/     a real request on the real network
  pathlab check world.yaml           validate a world file

Exit status: 0 delivered (or success), 1 broken, 2 bad input.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.CompletionOptions.DisableDefaultCmd = true
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if only != "" && n != only {
			continue
		}
		root.AddCommand(commands[n](e))
	}
	maxWorld := root.PersistentFlags().Int("max-world-size", spec.MaxFileSize>>20, "the largest world file read, in MiB")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if *maxWorld < 1 || *maxWorld > 1<<20 {
			return usageErr("--max-world-size %d: give a size in MiB from 1 to 1048576", *maxWorld)
		}
		if size := *maxWorld << 20; size != spec.WorldDoc.MaxSize {
			// A process-wide bound: set only when asked for, so that runs
			// with the default (tests run many at once) only read it.
			spec.WorldDoc.MaxSize = size
		}
		return emptyFlags(c)
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr("%s\nsee '%s --help'", flagError(c, err), c.CommandPath())
	})
	return root
}

func run(args []string, e *env) int {
	importLog.Store(logWriter{e.stderr}) // --world's import notes, whichever command runs
	root := newRoot(e, commandOf(args))
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintf(e.stderr, "pathlab: %s\n", spec.Printable(xe.err.Error()))
		}
		return xe.code
	}
	// cobra's own errors (unknown command, bad args) are usage errors.
	fmt.Fprintf(e.stderr, "pathlab: %s\n", spec.Printable(err.Error()))
	return 2
}

var badFlagValue = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag: `)
})

// flagError words pflag's "invalid argument" errors, which quote Go's
// strconv and time messages, as what the flag wants.
func flagError(c *cobra.Command, err error) string {
	m := badFlagValue().FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	want := "another value"
	if f := c.Flags().Lookup(m[2]); f != nil {
		switch t := f.Value.Type(); {
		case strings.HasPrefix(t, "uint"):
			want = "a whole number from 0 up, such as 7"
			if strings.Contains(err.Error(), "out of range") {
				want = "a smaller whole number (at most 18446744073709551615)"
			}
		case strings.HasPrefix(t, "int"):
			want = "a whole number, such as 10"
			if strings.Contains(err.Error(), "out of range") {
				want = "a smaller whole number"
			}
		case t == "duration":
			want = "a duration such as 2s, 500ms or 1m"
		case t == "bool":
			want = "true or false"
		}
	}
	return fmt.Sprintf("--%s %q: want %s", m[2], m[1], want)
}

// emptyFlags refuses a text flag given an empty value (--world ""): taking
// it as unset would run something other than what was asked.
func emptyFlags(c *cobra.Command) error {
	var err error
	c.Flags().Visit(func(f *pflag.Flag) {
		if err == nil && f.Value.Type() == "string" && f.Value.String() == "" {
			err = usageErr("--%s \"\": give a value, or leave the flag out (see '%s --help')", f.Name, c.CommandPath())
		}
	})
	return err
}
