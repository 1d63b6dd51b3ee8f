package lab

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/probe"
)

// HelperMain runs what the lab re-executes its program for, inside a
// namespace: "serve NODE" (a node's servers; the lab directory comes from
// ServeEnv) or "probe [--ca FILE] [--from NAME] TARGET" (a live diagnosis
// printed as JSON). It returns the exit status.
func HelperMain(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "lab helper: serve NODE | probe TARGET")
		return 2
	}
	switch args[0] {
	case "serve":
		if len(args) != 2 {
			fmt.Fprintln(os.Stderr, "lab serve NODE")
			return 2
		}
		dir := os.Getenv(ServeEnv)
		if dir == "" {
			fmt.Fprintf(os.Stderr, "lab serve runs inside a lab only (%s unset)\n", ServeEnv)
			return 2
		}
		if err := ServeMain(dir, args[1]); err != nil {
			fmt.Fprintf(os.Stderr, "lab serve %s: %v\n", args[1], err)
			return 1
		}
		return 0
	case "probe":
		fs := flag.NewFlagSet("probe", flag.ContinueOnError)
		ca := fs.String("ca", "", "trust this CA")
		from := fs.String("from", "", "the vantage point's name")
		timeout := fs.Duration("timeout", 3*time.Second, "per step")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
			fmt.Fprintln(os.Stderr, "lab probe [--ca FILE] [--from NAME] TARGET")
			return 2
		}
		r, err := Probe(context.Background(), *ca, *from, fs.Arg(0), *timeout)
		if err != nil {
			fmt.Fprintf(os.Stderr, "lab probe: %v\n", err)
			return 1
		}
		if err := r.WriteJSON(os.Stdout); err != nil {
			return 1
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "lab helper: unknown %q\n", args[0])
	return 2
}

// Probe diagnoses target from this namespace with the live probes, asking
// the resolver of /etc/resolv.conf (the lab host's, under ip netns exec)
// and trusting the lab CA in caFile.
func Probe(ctx context.Context, caFile, from, target string, timeout time.Duration) (*tracer.Report, error) {
	t, err := tracer.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	n := &probe.Network{Timeout: timeout}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New(caFile + ": no certificate")
		}
		n.RootCAs = pool
	}
	defer n.Close()
	return tracer.Diagnose(ctx, n, t, from)
}
