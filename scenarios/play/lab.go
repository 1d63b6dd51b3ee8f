package play

import (
	"context"
	"fmt"
	"io"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Lab is the scenario's world built in the kernel (pathlab play --lab):
// exec runs real commands in it, every change to the world is applied to
// it too, and check probes it live.
type Lab interface {
	// Exec runs a real command in host's namespace, its output to out.
	Exec(ctx context.Context, host string, args []string, out io.Writer) error
	// Apply makes the lab match spec, and says what it did.
	Apply(ctx context.Context, spec *spec.WorldSpec) (string, error)
	// Check probes a request check's flow live from its vantage point:
	// whether the request is delivered, and what a client sees.
	Check(ctx context.Context, c scenarios.Check) (delivered bool, seen string, err error)
}

// LabHealth is a lab that judges a balancer's health live, from its
// proxies' own health checks: a health check passes when every target is
// healthy, and seen says what describe-target-health would.
type LabHealth interface {
	Health(ctx context.Context, lb string) (healthy bool, seen string, err error)
}

// execCmd runs a real command in a host of the lab.
func (s *Shell) execCmd(ctx context.Context, args []string) error {
	if s.opts.Lab == nil {
		return fmt.Errorf("exec runs real commands in the world built in the kernel: start the session with pathlab play --lab ID (as root)")
	}
	if len(args) < 2 {
		return badUsage("name a host and a command: exec %s curl -v URL", s.Host())
	}
	return s.opts.Lab.Exec(ctx, args[0], args[1:], s.out)
}

// syncLab applies the world as it is now to the lab, after a fix, an
// edit, an undo or a reset changed it.
func (s *Shell) syncLab(ctx context.Context) {
	if s.opts.Lab == nil {
		return
	}
	msg, err := s.opts.Lab.Apply(ctx, s.spec)
	if err != nil {
		s.printf("lab: the change is in the simulated world, but the lab could not follow: %v\n", err)
		return
	}
	s.printf("lab: %s\n", msg)
}

// liveCheck is a check's outcome probed in the lab.
type liveCheck struct {
	pass bool
	line string
}

// liveChecks probes each request check in the lab; nil without a lab. A
// balancer's health is judged by the lab's balancer when it can (LabHealth).
func (s *Shell) liveChecks(ctx context.Context, results []scenarios.Result) []liveCheck {
	if s.opts.Lab == nil {
		return nil
	}
	out := make([]liveCheck, len(results))
	for i, r := range results {
		c := r.Check
		if c.Healthy != "" {
			lh, ok := s.opts.Lab.(LabHealth)
			if !ok {
				out[i] = liveCheck{pass: r.Pass, line: "(a balancer's health is judged in the simulation)"}
				continue
			}
			healthy, seen, err := lh.Health(ctx, c.Healthy)
			if err != nil {
				out[i] = liveCheck{line: fmt.Sprintf("the lab's health checks: %v", err)}
				continue
			}
			out[i] = liveCheck{pass: healthy, line: seen}
			continue
		}
		if c.From == "" {
			// The judge's check of the world's other flows: one result
			// over many requests, traced in the simulation.
			out[i] = liveCheck{pass: r.Pass, line: "(the world's other flows are judged in the simulation)"}
			continue
		}
		delivered, seen, err := s.opts.Lab.Check(ctx, c)
		if err != nil {
			out[i] = liveCheck{line: fmt.Sprintf("the probe failed: %v", err)}
			continue
		}
		out[i] = liveCheck{pass: delivered == (c.Want != "blocked"), line: seen}
	}
	return out
}
