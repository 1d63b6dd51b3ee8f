package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/spf13/cobra"
)

func init() { register("lab", newLabCmd) }

// labSource is what a lab is built from: a world, or a scenario's broken
// world with its requests.
type labSource struct {
	ref   string
	spec  *spec.WorldSpec
	world *simnet.World
	extra [][2]string // a scenario's headline request and checks
}

// loadLabSource reads WORLD|SCENARIO: a built-in world, a library
// scenario, a world file or a scenario file.
func loadLabSource(ref string) (*labSource, error) {
	name := strings.TrimPrefix(ref, "builtin:")
	if _, err := os.Stat(ref); errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(ref, "/") {
		if w, err := simnet.LoadBuiltin(name); err == nil {
			return &labSource{ref: ref, spec: w.Spec(), world: w}, nil
		}
		if _, err := library(); err != nil {
			return nil, err
		}
		sc, err := scenarios.Lookup(name)
		if err != nil {
			return nil, usageErr("%s: no built-in world, library scenario or file of that name (built-in worlds: %s; pathlab scenarios list shows the scenarios)",
				ref, strings.Join(simnet.BuiltinNames(), ", "))
		}
		return scenarioSource(ref, sc)
	}
	w, werr := simnet.Load(ref)
	if werr == nil {
		return &labSource{ref: ref, spec: w.Spec(), world: w}, nil
	}
	sc, serr := scenarios.LoadFile(ref)
	if serr != nil {
		return nil, usageErr("%s: neither a world (%v) nor a scenario (%v)", ref, werr, serr)
	}
	return scenarioSource(ref, sc)
}

func scenarioSource(ref string, sc *scenarios.Scenario) (*labSource, error) {
	st, err := sc.Build()
	if err != nil {
		return nil, usageErr("%v", err)
	}
	w, err := simnet.Compile(st.Broken)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	src := &labSource{ref: ref, spec: st.Broken, world: w}
	src.extra = append(src.extra, [2]string{st.From, st.Target.String()})
	for _, c := range st.Checks {
		if c.Healthy == "" && c.Target.Host != "" {
			src.extra = append(src.extra, [2]string{c.From, c.Target.String()})
		}
	}
	return src, nil
}

var badLabChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9-]+`) })

// defaultLabName is the world's name made into a lab name.
func defaultLabName(world string) string {
	n := strings.Trim(badLabChars().ReplaceAllString(strings.ToLower(world), "-"), "-")
	if len(n) > 32 {
		n = n[:32]
	}
	if n == "" {
		n = "lab"
	}
	return n
}

// labName is --name, or the only lab that is up.
func labName(name string) (string, error) {
	if name != "" {
		return name, lab.ValidName(name)
	}
	labs := lab.Labs()
	switch len(labs) {
	case 0:
		return "", usageErr("no lab is up; pathlab lab up WORLD builds one")
	case 1:
		return labs[0], nil
	}
	return "", usageErr("labs %s are up; say which with --name", strings.Join(labs, ", "))
}

// labHost is the lab a command about host works on, once it is known
// that we are root, the lab exists and it has host.
func labHost(name, host string) (string, error) {
	if err := needRoot(); err != nil {
		return "", err
	}
	n, err := labName(name)
	if err != nil {
		return "", err
	}
	return n, checkHost(n, host)
}

func needRoot() error {
	if why := lab.Skip(); why != "" {
		return usageErr("%s", why)
	}
	return nil
}

func newLabCmd(e *env) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Build a world in Linux network namespaces and use the real tools in it",
		Long: `A lab is a world built on the Linux kernel: a network namespace per instance,
balancer node, gateway, resolver and internet host; subnets as links to a
router per VPC; route tables as policy routing; security groups as stateful
nftables rules on each instance; network ACLs as stateless rules on the
router's subnet ports; the internet gateway as one-to-one NAT and the NAT
gateway as SNAT; DNS, services and balancers as small Go servers inside.
The world's own addresses are used: the lab is never connected to this
machine's network, so nothing leaves it.

Every subcommand takes --name (default: the world's name, or the only lab
that is up), so that several labs run side by side. Needs root on Linux.`,
		Example: `  sudo pathlab lab up shop
  sudo pathlab lab exec browser -- curl -v https://shop.example.com/
  sudo pathlab lab shell app-1
  sudo pathlab lab verify shop mesh peered
  sudo pathlab lab down`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&name, "name", "", "the lab's name (default: the world's name, or the only lab up)")

	up := &cobra.Command{
		Use:   "up WORLD|SCENARIO",
		Short: "Build a world, or a scenario's broken world, in network namespaces",
		Long: `Up builds WORLD or SCENARIO in network namespaces and starts its servers:
a built-in world (shop, mesh, peered), a library scenario (its broken world,
as pathlab play starts it), a world file or a scenario file.

It prints the time it took. The lab's hosts trust the lab CA (its path is
printed, for tools outside the lab). State lives under $XDG_RUNTIME_DIR/pathlab
or /run/pathlab; pathlab lab down removes everything, also after a crash.`,
		Example: `  sudo pathlab lab up shop
  sudo pathlab lab up shop-sg-app-ingress --name broken`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("lab up needs one WORLD or SCENARIO (a built-in world, a library scenario, or a file)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := loadLabSource(args[0])
			if err != nil {
				return err
			}
			if err := needRoot(); err != nil {
				return err
			}
			n := name
			if n == "" {
				n = defaultLabName(src.spec.Name)
			}
			if err := lab.ValidName(n); err != nil {
				return usageErr("--name: %v", err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			start := time.Now()
			st, err := lab.Up(ctx, src.spec, n, lab.Options{Source: args[0]})
			if err != nil {
				return fmt.Errorf("lab up: %v", err)
			}
			fmt.Fprintf(e.stdout, "lab %s up in %.2fs: world %s, %d namespaces, %d server processes\n",
				st.Name, time.Since(start).Seconds(), st.World, len(lab.Namespaces(st.Name)), len(st.Servers))
			fmt.Fprintf(e.stdout, "lab CA (the lab's hosts trust it; elsewhere: curl --cacert): %s\n", st.CA)
			fmt.Fprintf(e.stdout, "next: pathlab lab shell HOST --name %s; pathlab lab status; pathlab lab down --name %s\n", st.Name, st.Name)
			return nil
		},
	}

	down := &cobra.Command{
		Use:   "down",
		Short: "Remove a lab: processes, namespaces, links, filters, state (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needRoot(); err != nil {
				return err
			}
			n, err := labName(name)
			if err != nil {
				return err
			}
			start := time.Now()
			if err := lab.Down(n); err != nil {
				return fmt.Errorf("lab down: %v", err)
			}
			fmt.Fprintf(e.stdout, "lab %s down in %.2fs\n", n, time.Since(start).Seconds())
			return nil
		},
	}

	status := &cobra.Command{
		Use:   "status",
		Short: "Show the labs that are up, or one lab's hosts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				labs := lab.Labs()
				if len(labs) == 0 {
					fmt.Fprintln(e.stdout, "no lab is up")
					return nil
				}
				if len(labs) > 1 {
					for _, l := range labs {
						printLabLine(e, l)
					}
					return nil
				}
				name = labs[0]
			}
			if err := lab.ValidName(name); err != nil {
				return usageErr("--name: %v", err)
			}
			return printLabStatus(e, name)
		},
	}

	execCmd := &cobra.Command{
		Use:   "exec HOST -- CMD [ARG...]",
		Short: "Run one command in a host of the lab",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr("lab exec needs a HOST and a command: pathlab lab exec HOST -- CMD [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := labHost(name, args[0])
			if err != nil {
				return err
			}
			c := lab.Command(context.Background(), n, args[0], args[1:]...)
			c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stdout, e.stderr
			return runChild(c)
		},
	}

	shell := &cobra.Command{
		Use:   "shell HOST",
		Short: "Open a shell in a host of the lab, with the real tools",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("lab shell needs one HOST")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := labHost(name, args[0])
			if err != nil {
				return err
			}
			sh := e.getenv("SHELL")
			if sh == "" {
				sh = "/bin/bash"
			}
			argv := []string{sh}
			if filepath.Base(sh) == "bash" {
				argv = append(argv, "--norc", "--noprofile", "-i")
			}
			// Its own UTS namespace, so that hostname names the host too.
			if _, err := exec.LookPath("unshare"); err == nil {
				argv = append([]string{"unshare", "--uts", "--", "sh", "-c", `hostname "$0" 2>/dev/null; exec "$@"`, args[0]}, argv...)
			}
			c := lab.Command(context.Background(), n, args[0], argv...)
			prompt := fmt.Sprintf("[lab %s: %s]$ ", n, args[0])
			c.Env = append(os.Environ(), "PS1="+prompt, "PATHLAB_LAB="+n, "PATHLAB_HOST="+args[0])
			c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stdout, e.stderr
			fmt.Fprintf(e.stderr, "lab %s: a shell on %s (exit to leave); the lab CA is %s\n", n, args[0], caOf(n))
			return runChild(c)
		},
	}

	var asJSON bool
	verify := &cobra.Command{
		Use:   "verify [WORLD|SCENARIO...]",
		Short: "Hold the simulation against the kernel: every flow traced and probed",
		Long: `Verify traces every flow of a world (every client and instance to every name,
listener and service it can see; for a scenario also its request and
checks) in the simulation, probes the same flow in the lab with the live
probes, and prints whether they agree: the verdict, the stage where the
request breaks and what the client sees there (NXDOMAIN, a timeout, a
refusal, an HTTP status, a TLS failure).

With WORLD or SCENARIO arguments each is built as a lab in turn, verified
and removed; without, the lab that is up (--name) is verified.

JSON: {"flows": [{"from", "target", "sim": {...}, "lab": {...}, "agree"}],
"agree": N, "total": M}.

Exit status: 0 all agree, 1 some disagree, 2 bad input.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var srcs []*labSource
			for _, a := range args {
				src, err := loadLabSource(a)
				if err != nil {
					return err
				}
				srcs = append(srcs, src)
			}
			if err := needRoot(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			var results []*lab.Result
			if len(srcs) == 0 {
				n, err := labName(name)
				if err != nil {
					return err
				}
				st, err := lab.Load(n)
				if err != nil {
					return usageErr("%v", err)
				}
				spec, err := simnet.LoadSpec(filepath.Join(st.Dir, "world.json"))
				if err != nil {
					return err
				}
				w, err := simnet.Compile(spec)
				if err != nil {
					return err
				}
				var extra [][2]string
				if src, err := loadLabSource(st.Source); err == nil {
					extra = src.extra
				}
				r, err := lab.Verify(ctx, st, w, lab.VerifyOptions{Extra: extra})
				if err != nil {
					return err
				}
				results = append(results, r)
			}
			for i, src := range srcs {
				n := name
				if n == "" {
					n = "verify-" + defaultLabName(src.spec.Name)
				}
				if len(srcs) > 1 && name != "" {
					n = fmt.Sprintf("%s-%d", name, i+1)
				}
				if err := lab.ValidName(n); err != nil {
					return usageErr("--name: %v", err)
				}
				st, err := lab.Up(ctx, src.spec, n, lab.Options{Source: src.ref})
				if err != nil {
					return fmt.Errorf("lab up %s: %v", src.ref, err)
				}
				r, err := lab.Verify(ctx, st, src.world, lab.VerifyOptions{Extra: src.extra})
				lab.Down(n)
				if err != nil {
					return err
				}
				r.World = src.ref
				results = append(results, r)
			}
			agree, total := 0, 0
			for _, r := range results {
				agree += r.Agree
				total += r.Total
			}
			if asJSON {
				if len(results) == 1 {
					if err := results[0].WriteJSON(e.stdout); err != nil {
						return err
					}
				} else {
					all := &lab.Result{Lab: "", World: "", Agree: agree, Total: total}
					for _, r := range results {
						all.Flows = append(all.Flows, r.Flows...)
					}
					if err := all.WriteJSON(e.stdout); err != nil {
						return err
					}
				}
			} else {
				for i, r := range results {
					if i > 0 {
						fmt.Fprintln(e.stdout)
					}
					if err := r.WriteText(e.stdout); err != nil {
						return err
					}
				}
				if len(results) > 1 {
					fmt.Fprintf(e.stdout, "\nin all: %d of %d flows agree\n", agree, total)
				}
			}
			if agree != total {
				return exitCode(1)
			}
			return nil
		},
	}
	verify.Flags().BoolVar(&asJSON, "json", false, `print {"flows": [...], "agree": N, "total": M}`)

	// The servers and probes the lab runs inside its namespaces.
	helper := func(use string) *cobra.Command {
		return &cobra.Command{
			Use:                use,
			Hidden:             true,
			DisableFlagParsing: true,
			RunE: func(cmd *cobra.Command, args []string) error {
				return exitCode(lab.HelperMain(append([]string{cmd.Name()}, args...)))
			},
		}
	}
	cmd.AddCommand(up, down, status, execCmd, shell, verify, helper("serve"), helper("probe"))
	return cmd
}

func caOf(name string) string {
	if st, err := lab.Load(name); err == nil {
		return st.CA
	}
	return "(unknown)"
}

func checkHost(labName, host string) error {
	for _, ns := range lab.Namespaces(labName) {
		if ns == lab.PrefixOf(labName)+host {
			return nil
		}
	}
	var hosts []string
	for _, ns := range lab.Namespaces(labName) {
		h := strings.TrimPrefix(ns, lab.PrefixOf(labName))
		if !strings.HasPrefix(h, "_") {
			hosts = append(hosts, h)
		}
	}
	return usageErr("lab %s has no host %q; hosts: %s", labName, host, strings.Join(hosts, ", "))
}

// runChild runs a command and passes its exit status on.
func runChild(c *exec.Cmd) error {
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return exitCode(ee.ExitCode())
	}
	return err
}

func printLabLine(e *env, name string) {
	st, err := lab.Load(name)
	if err != nil {
		fmt.Fprintf(e.stdout, "%s  (no state file; %d namespaces left: pathlab lab down --name %s)\n", name, len(lab.Namespaces(name)), name)
		return
	}
	fmt.Fprintf(e.stdout, "%s  %s from %s, %d namespaces, up since %s\n", name, st.Phase, st.Source, len(lab.Namespaces(name)), st.Started.Format(time.RFC3339))
}

func printLabStatus(e *env, name string) error {
	st, err := lab.Load(name)
	if err != nil {
		if len(lab.Namespaces(name)) > 0 {
			printLabLine(e, name)
			return nil
		}
		return usageErr("%v", err)
	}
	spec, err := simnet.LoadSpec(filepath.Join(st.Dir, "world.json"))
	if err != nil {
		return err
	}
	p, err := lab.PlanFor(spec, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "lab %s: %s, built from %s (world %s) at %s\n", name, st.Phase, st.Source, st.World, st.Started.Format(time.RFC3339))
	fmt.Fprintf(e.stdout, "lab CA: %s\n\n", st.CA)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tKIND\tADDRESSES\tSERVERS")
	for _, n := range p.Nodes {
		var addrs []string
		for _, i := range n.Ifaces {
			for _, a := range i.Addrs {
				if !a.Addr().IsLinkLocalUnicast() {
					addrs = append(addrs, a.String())
				}
			}
		}
		srv := "-"
		if pid, ok := st.Servers[n.Name]; ok {
			srv = fmt.Sprintf("pid %d", pid)
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
				srv = fmt.Sprintf("pid %d (gone)", pid)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Name, n.Kind, strings.Join(addrs, " "), srv)
	}
	return tw.Flush()
}

// playLab builds a scenario's broken world as a lab for play --lab and
// returns it, with what removes it when the session ends.
func playLab(ctx context.Context, e *env, st *scenarios.Setup) (*playLabSession, func(), error) {
	if err := needRoot(); err != nil {
		return nil, nil, err
	}
	n := "play-" + defaultLabName(st.Broken.Name)
	if len(n) > 32 {
		n = n[:32]
	}
	opts := lab.Options{Source: st.Scenario.ID}
	ls, err := lab.Up(ctx, st.Broken, n, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("lab up: %v", err)
	}
	fmt.Fprintf(e.stdout, "The broken world also runs in the kernel (lab %s). Investigate with the real tools:\n", n)
	fmt.Fprintf(e.stdout, "  exec %s curl -v %s        (from this prompt)\n", st.From, st.Target)
	fmt.Fprintf(e.stdout, "  sudo pathlab lab shell %s --name %s   (in another terminal)\n", st.From, n)
	fmt.Fprintf(e.stdout, "Fixes typed here change the simulated world and rebuild the lab; check probes both.\n\n")
	return &playLabSession{name: n, spec: st.Broken.Clone(), st: ls, opts: opts}, func() { lab.Down(n) }, nil
}
