package drill

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/debrief"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/story"
	"github.com/pathlab/pathlab/tracer"
)

// Key is the answer key of a scenario: the headline request traced on the
// broken world, the efficient investigation derived from it, the codes
// its follow-up questions are about, and its story in plain words.
type Key struct {
	World  *simnet.World
	Report *tracer.Report
	Steps  []debrief.Step
	Codes  []tracer.Code
	Story  *story.Story
	// Health are the health checks of the balancers on the request's
	// path, on the broken world.
	Health []simnet.TargetHealth
}

// NewKey traces the scenario's headline request on its broken world and
// derives the investigation with the scenario's reference fix. For faults
// a failing-open balancer hides (the request is delivered, its targets
// are unhealthy) the trace has no break; the investigation then starts
// from the balancer's health checks.
func NewKey(ctx context.Context, st *scenarios.Setup) (*Key, error) {
	w := st.World // compiled with the setup
	if w == nil {
		var err error
		if w, err = simnet.Compile(st.Broken); err != nil {
			return nil, err
		}
	}
	r, err := w.Trace(ctx, st.From, st.Target)
	if err != nil {
		return nil, err
	}
	k := &Key{World: w, Report: r, Story: story.Tell(r, st.Target)}
	for _, lb := range balancersOn(r) {
		hs, err := w.TargetHealth(lb)
		if err == nil {
			k.Health = append(k.Health, hs...)
		}
	}
	if r.BrokenAt != nil {
		k.Steps = repair(ctx, st, w, debrief.Investigation(r, st.Fix))
		k.Codes = append(k.Codes, r.BrokenAt.Code)
		for _, b := range r.Blockers {
			k.Codes = append(k.Codes, b.Code)
		}
	} else if flaky := r.Intermittent(); len(flaky) > 0 {
		k.Steps, k.Codes = intermittentInvestigation(flaky[0], st) // intermittent.go
	} else {
		k.Steps, k.Codes = healthInvestigation(r, k.Health, st)
	}
	if c := st.Scenario.Expect.Code; c != "" && !slices.Contains(k.Codes, c) {
		k.Codes = append(k.Codes, c)
	}
	return k, nil
}

// balancersOn lists the balancers a trace passes, in path order.
func balancersOn(r *tracer.Report) []string {
	var out []string
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Kind == tracer.KindLoadBalancer && !slices.Contains(out, h.Component) {
				out = append(out, h.Component)
			}
		}
	}
	return out
}

// healthInvestigation is the investigation of a request that works while
// its balancer's targets fail their health checks: the users see nothing,
// describe-target-health says why, the balancer's health check settings
// and the target's own answer confirm it.
func healthInvestigation(r *tracer.Report, hs []simnet.TargetHealth, st *scenarios.Setup) ([]debrief.Step, []tracer.Code) {
	var bad *simnet.TargetHealth
	for i := range hs {
		if !hs[i].Healthy {
			bad = &hs[i]
			break
		}
	}
	codes := []tracer.Code{tracer.LBUnhealthy}
	var steps []debrief.Step
	add := func(kind, cmd, why string) { steps = append(steps, debrief.Step{Kind: kind, Command: cmd, Why: why}) }
	if t := st.Target; t.Scheme == "http" || t.Scheme == "https" {
		add("observe", "curl -v "+t.String(), "the request works: the balancer still has a target to send it to, or fails open, so users notice nothing yet")
	}
	if bad != nil {
		if bad.Cause != "" {
			codes = append(codes, bad.Cause)
		}
		why := fmt.Sprintf("the balancer's own verdict: %s is unhealthy (%s: %s)", bad.Target, bad.ReasonCode, bad.Description)
		add("observe", "show target-health "+bad.LoadBalancer, why)
		add("inspect", "show lb "+bad.LoadBalancer, "the health check's protocol, port, path and matcher, against what the targets serve")
		switch {
		case bad.Status != 0:
			add("inspect", "ssh "+bad.Target, "the target answers the check, with the wrong status: ask it the same question from inside")
			port, path := checkedPortPath(r, bad.Port)
			add("inspect", fmt.Sprintf("curl -v localhost:%d%s", port, path), fmt.Sprintf("the app's answer to the health check's request (the check got HTTP %d)", bad.Status))
		case bad.CauseComponent != "":
			add("inspect", inspectCommand(bad.CauseComponent, bad.Cause), fmt.Sprintf("what stops the check: %s (%s)", bad.CauseComponent, bad.Cause))
		}
	}
	for _, f := range st.Fix {
		add("fix", f.String(), "then check: every target healthy, and the request still delivered")
	}
	return steps, codes
}

// inspectCommand is the show command for a component that stopped a
// packet with a code.
func inspectCommand(component string, code tracer.Code) string {
	c := string(code)
	switch {
	case strings.HasPrefix(c, "SG_"):
		return "show sg " + component
	case strings.HasPrefix(c, "NACL_"):
		return "show nacl " + component
	case strings.Contains(c, "ROUTE"):
		return "show route-table " + component
	case strings.HasPrefix(c, "HOST_FIREWALL"):
		return "ssh " + component
	}
	return "show instance " + component
}

// checkedPortPath reads the health check's port and path from the rule
// of the trace's unhealthy-target hops; the target group's port and /
// when the trace does not say.
func checkedPortPath(r *tracer.Report, port int) (int, string) {
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code != tracer.LBUnhealthy || h.Matched == nil || h.Matched.Kind != tracer.RuleHealthCheck {
				continue
			}
			path := h.Matched.Path
			if path == "" {
				path = "/"
			}
			return int(h.Matched.PortLo), path
		}
	}
	return port, "/"
}

// repair replaces an inspection the play shell cannot run (a show of a
// name this world does not have, or a zone name both a public and a
// private zone carry) by a show of the component at fault that it can:
// the zone a DNS fix names, then the causes. A learner is never told to
// type a command that fails.
func repair(ctx context.Context, st *scenarios.Setup, w *simnet.World, steps []debrief.Step) []debrief.Step {
	var buf bytes.Buffer
	var sh *play.Shell
	runs := func(cmd string) bool {
		if sh == nil {
			var err error
			if sh, err = play.New(ctx, st, &buf, play.Options{Now: func() time.Time { return time.Time{} }}); err != nil {
				return false
			}
		}
		buf.Reset()
		sh.Exec(ctx, cmd)
		out := buf.String()
		return !strings.HasPrefix(out, "show: ") && !strings.HasPrefix(out, "usage: ")
	}
	var out []debrief.Step
	for _, s := range steps {
		if s.Kind != "inspect" || !strings.HasPrefix(s.Command, "show ") || runs(s.Command) {
			out = append(out, s)
			continue
		}
		var cands []string
		for _, f := range st.Fix {
			if zone, ok := fixZone(f); ok {
				cands = append(cands, "show zone "+zone)
			}
		}
		for _, c := range st.Causes {
			if kind := showWords[w.Kind(c)]; kind != "" {
				cands = append(cands, "show "+kind+" "+c)
			} else if strings.Contains(c, ".") {
				cands = append(cands, "show zone "+c, "show zone private:"+c, "show zone public:"+c)
			}
		}
		for _, c := range cands {
			if c != s.Command && runs(c) {
				_, detail, ok := strings.Cut(s.Why, ": ")
				if !ok {
					detail = s.Why
				}
				s.Command, s.Why = c, "the component at fault: "+detail
				out = append(out, s)
				break
			}
		}
	}
	return out
}
