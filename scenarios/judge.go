package scenarios

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// FlowsCheck is the description of the check that holds a fixed world to
// the flows its world delivered before the faults.
const FlowsCheck = "the world's other requests work as they did before the incident"

// maxFlowsShown caps the flows a failing flows check names.
const maxFlowsShown = 6

// baseline is what a setup's judge holds a world to: the flows the world
// delivered before the faults went in (with the decoys, which are part of
// the world the learner was given, in), and which of them the broken world
// still delivered. Computed once per setup, on first use.
type baseline struct {
	once sync.Once
	keys [][2]string
	// brokenOK says, for each key, whether the broken world delivers it.
	brokenOK []bool
	err      error
}

// Judge runs the scenario's checks against w and, for a scenario with a
// world before the faults, one more: every flow that world delivered is
// still delivered. A flow the fix left broken, or one it broke, fails that
// check by name ("app-2 → tcp://db.internal.shop:5432 still times out
// (acl-data)"). It never stops at the first failure.
func (st *Setup) Judge(ctx context.Context, w *simnet.World) []Result {
	out := RunChecks(ctx, w, st.Checks)
	if r, ok := st.judgeFlows(ctx, w); ok {
		out = append(out, r)
	}
	return out
}

// BaselineFlows lists the flows a fixed world must deliver (from, target):
// those the world delivered before the faults, that the reference fix
// restores.
func (st *Setup) BaselineFlows(ctx context.Context) ([][2]string, error) {
	b := st.baselineOf(ctx)
	return b.keys, b.err
}

func (st *Setup) baselineOf(ctx context.Context) *baseline {
	st.baseline.once.Do(func() { st.baseline.keys, st.baseline.brokenOK, st.baseline.err = st.computeBaseline(ctx) })
	return &st.baseline
}

func (st *Setup) computeBaseline(ctx context.Context) ([][2]string, []bool, error) {
	if st.Base == nil || st.AdHoc {
		return nil, nil, nil
	}
	// The world before the faults, with the decoys in: a decoy is part of
	// the world the learner was handed, and a fix need not mend it.
	ref := st.BaseWorld
	var decoys []FaultSpec
	for _, f := range st.Scenario.Faults {
		if f.Decoy {
			decoys = append(decoys, f)
		}
	}
	if len(decoys) > 0 || ref == nil {
		s := st.Base.Clone()
		for _, f := range decoys {
			if k := LookupKind(f.Kind); k != nil {
				if _, err := k.Apply(s, f.Params); err != nil {
					return nil, nil, err
				}
			}
		}
		w, err := simnet.Compile(s)
		if err != nil {
			return nil, nil, err
		}
		ref = w
	}
	flows, err := ref.Reachability(ctx)
	if err != nil {
		return nil, nil, err
	}
	var keys [][2]string
	for _, f := range flows {
		if f.Delivered && !f.Absent && !st.checks(f.From, f.Target) {
			keys = append(keys, [2]string{f.From, f.Target})
		}
	}
	bw := st.World
	if bw == nil {
		return keys, make([]bool, len(keys)), nil
	}
	before, err := bw.TraceFlows(ctx, keys)
	if err != nil {
		return nil, nil, err
	}
	ok := make([]bool, len(keys))
	for i, f := range before {
		ok[i] = f.Delivered
	}
	return keys, ok, nil
}

// judgeFlows traces the baseline flows in w; ok is false when the setup has
// none to hold it to.
func (st *Setup) judgeFlows(ctx context.Context, w *simnet.World) (Result, bool) {
	b := st.baselineOf(ctx)
	res := Result{Check: Check{Description: FlowsCheck}}
	if b.err != nil {
		res.Seen = "the world's flows could not be traced"
		res.Detail = b.err.Error()
		return res, true
	}
	if len(b.keys) == 0 {
		return res, false
	}
	got, err := w.TraceFlows(ctx, b.keys)
	if err != nil {
		res.Seen, res.Detail = "the world's flows could not be traced", err.Error()
		return res, true
	}
	var bad []string
	for i, f := range got {
		if f.Delivered {
			continue
		}
		bad = append(bad, st.flowBroken(ctx, w, f, b.brokenOK[i]))
	}
	if len(bad) == 0 {
		res.Pass = true
		res.Seen = fmt.Sprintf("%d requests work as before", len(b.keys))
		res.Detail = res.Seen
		return res, true
	}
	res.Detail = strings.Join(bad, "; ")
	if len(bad) > maxFlowsShown {
		bad = append(bad[:maxFlowsShown], fmt.Sprintf("and %d more", len(bad)-maxFlowsShown))
	}
	res.Seen = strings.Join(bad, "\n")
	return res, true
}

// flowBroken words a flow that no longer works: "app-2 →
// tcp://db.internal.shop:5432 still times out (acl-data)". "still" when
// the broken world did not deliver it either (the fix left it broken),
// "now" when the broken world did (the fix broke it).
func (st *Setup) flowBroken(ctx context.Context, w *simnet.World, f simnet.Flow, wasOK bool) string {
	when := "still"
	if wasOK {
		when = "now"
	}
	what, where := "fails", ""
	if f.Absent {
		return fmt.Sprintf("%s → %s: %s is gone", f.From, f.Target, f.From)
	}
	if t, err := tracer.ParseTarget(f.Target); err == nil {
		if r, err := w.Trace(ctx, f.From, t); err == nil {
			what = flowVerb(Observation(r))
			if rc := RootCause(r); rc != nil {
				where = rc.Component
			} else if r.BrokenAt != nil {
				where = r.BrokenAt.Component
			}
		}
	}
	s := fmt.Sprintf("%s → %s %s %s", f.From, f.Target, when, what)
	if where != "" {
		s += " (" + where + ")"
	}
	return s
}

// flowVerb turns an observation ("the connection times out") into what a
// flow does ("times out").
func flowVerb(obs string) string {
	switch {
	case obs == "the connection times out":
		return "times out"
	case obs == "the connection is refused":
		return "is refused"
	case strings.HasPrefix(obs, "the name does not resolve"):
		return "does not resolve" + strings.TrimPrefix(obs, "the name does not resolve")
	case strings.HasPrefix(obs, "the TLS handshake fails"):
		return "fails its TLS handshake"
	case strings.HasPrefix(obs, "the server answers "):
		return "answers " + strings.TrimPrefix(obs, "the server answers ")
	case obs == "no HTTP answer comes back":
		return "gets no HTTP answer"
	}
	return "fails"
}

// checks reports whether one of the scenario's request checks is the flow:
// its verdict is printed already.
func (st *Setup) checks(from, target string) bool {
	for _, c := range st.Checks {
		if c.Healthy == "" && c.From == from && c.Target.String() == target {
			return true
		}
	}
	return false
}
