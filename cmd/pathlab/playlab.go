package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
)

// playLabSession is the scenario's world in the kernel, as the play shell
// drives it: exec in its hosts, a rebuild after each change, live checks.
type playLabSession struct {
	name string
	spec *spec.WorldSpec // the world the lab is built from now
	st   *lab.State
	opts lab.Options
}

// execLimit bounds one exec from the play prompt: ping and tcpdump run
// until stopped, and the prompt must come back.
const execLimit = 60 * time.Second

func (p *playLabSession) Exec(ctx context.Context, host string, args []string, out io.Writer) error {
	if err := checkHost(p.name, host); err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.err != nil {
			return ee.err
		}
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, execLimit)
	defer cancel()
	c := lab.Command(ctx, p.name, host, args...)
	c.Stdout, c.Stderr = out, out
	c.WaitDelay = time.Second
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("stopped after %s (exec runs one command for at most that long; give ping -c, tcpdump -c)", execLimit)
	case errors.As(err, &ee):
		fmt.Fprintf(out, "(exit status %d)\n", ee.ExitCode())
		return nil
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Errorf("%s: not installed on this machine", args[0])
	}
	return err
}

// Apply rebuilds the lab from the changed world under the same name: a
// lab comes up in about a second, and a rebuilt lab is exactly the world,
// where an edit applied piece by piece could drift from it.
func (p *playLabSession) Apply(ctx context.Context, spec *spec.WorldSpec) (string, error) {
	start := time.Now()
	if err := lab.Down(p.name); err != nil {
		return "", fmt.Errorf("lab down: %v", err)
	}
	st, err := lab.Up(ctx, spec, p.name, p.opts)
	if err != nil {
		return "", fmt.Errorf("lab up: %v", err)
	}
	p.st, p.spec = st, spec.Clone()
	return fmt.Sprintf("lab %s rebuilt from the changed world in %.2fs", p.name, time.Since(start).Seconds()), nil
}

func (p *playLabSession) Check(ctx context.Context, c scenarios.Check) (bool, string, error) {
	r, side, err := lab.ProbeFrom(ctx, p.st, p.spec, c.From, c.Target.String(), 3*time.Second)
	if err != nil {
		return false, "", err
	}
	seen := side.Short()
	if side.Component != "" && !r.Delivered() {
		seen += " at " + side.Component
	}
	return r.Delivered(), fmt.Sprintf("%s → %s: %s", c.From, c.Target, strings.TrimSpace(seen)), nil
}

// Health judges a balancer's health from the lab's balancer nodes: their
// last round of health checks, live (lab/health.go). A rebuilt lab's nodes
// report once before they are ready, so a fix shows at once.
func (p *playLabSession) Health(ctx context.Context, lb string) (bool, string, error) {
	hs, err := lab.Health(p.st, p.spec, lb)
	if err != nil {
		return false, "", err
	}
	if len(hs) == 0 {
		return false, lb + " has no targets to check", nil
	}
	var bad []string
	seen := map[string]bool{}
	for _, h := range hs {
		if h.Healthy {
			continue
		}
		s := fmt.Sprintf("%s unhealthy (%s)", h.Target, h.ReasonCode)
		if !seen[s] {
			seen[s] = true
			bad = append(bad, s)
		}
	}
	if len(bad) > 0 {
		return false, lb + ": " + strings.Join(bad, ", ") + " (the lab's health checks)", nil
	}
	return true, fmt.Sprintf("%s: every target healthy (%d health checks in the lab)", lb, len(hs)), nil
}
