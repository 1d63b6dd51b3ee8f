package play

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Proof is what proving one scenario found.
type Proof struct {
	ID       string
	Problems []string // empty when the scenario holds
	Took     time.Duration
}

// OK reports whether the scenario holds.
func (p Proof) OK() bool { return len(p.Problems) == 0 }

// Prove checks that a scenario does what it says: its world passes its
// checks before the faults (a scenario without faults is about a world
// broken by design); decoys alone break nothing; with the faults in,
// the checks fail and the headline request shows the expected code, and
// the causes are real; and the reference fix, typed into a shell as a
// learner would, makes every check pass.
func Prove(ctx context.Context, sc *scenarios.Scenario, now func() time.Time) (p Proof) {
	if now == nil {
		now = time.Now
	}
	start := now()
	p = Proof{ID: sc.ID}
	fail := func(format string, args ...any) { p.Problems = append(p.Problems, fmt.Sprintf(format, args...)) }
	defer func() { p.Took = now().Sub(start) }()
	st, err := sc.Build()
	if err != nil {
		fail("%v", err)
		return p
	}
	if st.Base != nil && len(sc.Faults) > 0 {
		if w := st.BaseWorld; w == nil {
			fail("the world does not compile")
		} else {
			for _, r := range scenarios.RunChecks(ctx, w, st.Checks) {
				if !r.Pass {
					fail("without the faults, the check %q already fails: %s", r.Check.Description, r.Detail)
				}
			}
			if decoys := decoyOnly(st); decoys != nil {
				if dw, err := simnet.Compile(decoys); err == nil {
					for _, r := range scenarios.RunChecks(ctx, dw, st.Checks) {
						if !r.Pass {
							fail("the decoys alone break the check %q: %s (a red herring must not)", r.Check.Description, r.Detail)
						}
					}
				}
			}
		}
	}
	sh, err := New(ctx, st, io.Discard, Options{Now: now})
	if err != nil {
		fail("%v", err)
		return p
	}
	if scenarios.Solved(scenarios.RunChecks(ctx, sh.World(), st.Checks)) {
		fail("with the faults in, every check still passes: nothing to fix")
	}
	r := sh.broken
	if want := sc.Expect.Code; want != "" {
		got := tracer.Code("")
		if r.BrokenAt != nil {
			got = r.BrokenAt.Code
		}
		if got != want && !(r.Delivered() && hasCode(r, want)) {
			fail("the headline request %s from %s shows %s; the scenario expects %s", st.Target, st.From, scenarios.Outcome(r), want)
		}
	}
	for _, c := range st.Causes {
		if !isCause(st, r, c) {
			fail("cause %q is neither a blocker of the headline request nor a component a fault changed", c)
		}
	}
	for _, f := range st.Fix {
		// Typed as a learner would: the line, not the value.
		if _, err := sh.Fix(f.String()); err != nil {
			fail("reference fix %q: %v", f, err)
		}
	}
	for _, res := range st.Judge(ctx, sh.World()) {
		if !res.Pass {
			fail("after the reference fix, the check %q fails: %s", res.Check.Description, res.Detail)
		}
	}
	return p
}

func hasCode(r *tracer.Report, c tracer.Code) bool {
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code == c {
				return true
			}
		}
	}
	return false
}

func isCause(st *scenarios.Setup, r *tracer.Report, c string) bool {
	for _, b := range r.Blockers {
		if strings.EqualFold(b.Component, c) {
			return true
		}
	}
	for i, a := range st.Applied {
		if st.Scenario.Faults[i].Decoy {
			continue
		}
		if slices.ContainsFunc(a.Components, func(x string) bool { return strings.EqualFold(x, c) }) {
			return true
		}
	}
	return false
}

// decoyOnly is the base world with only the decoys in; nil when there are
// none.
func decoyOnly(st *scenarios.Setup) *spec.WorldSpec {
	var decoys []scenarios.FaultSpec
	for _, f := range st.Scenario.Faults {
		if f.Decoy {
			decoys = append(decoys, f)
		}
	}
	if len(decoys) == 0 {
		return nil
	}
	s := st.Base.Clone()
	for _, f := range decoys {
		if k := scenarios.LookupKind(f.Kind); k != nil {
			if _, err := k.Apply(s, f.Params); err != nil {
				return nil
			}
		}
	}
	return s
}
