package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Check is one outcome a fixed world must show: a request delivered (or
// still blocked), or every target of a balancer healthy. Checks judge the
// world, never the commands that changed it, so any fix that works passes.
type Check struct {
	Description string
	From        string
	Target      tracer.Target // for request checks
	Want        string        // delivered or blocked
	Healthy     string        // a balancer, for health checks
}

// Result is a check's verdict on one world.
type Result struct {
	Check Check
	Pass  bool
	// Seen is what a user would observe ("the server answers 504 Gateway
	// Time-out", "app-1 unhealthy (Target.Timeout)"), without the cause.
	Seen string
	// Detail explains it: "broken at web-lb: LB_NO_HEALTHY_TARGETS (behind
	// it: sg-app SG_NO_INGRESS_RULE)". The answer key: not for learners.
	Detail string
}

// RunChecks runs every check against w and returns every result: it never
// stops at the first failure.
func RunChecks(ctx context.Context, w *simnet.World, checks []Check) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		out = append(out, runCheck(ctx, w, c))
	}
	return out
}

// Solved reports whether every result passed.
func Solved(rs []Result) bool {
	for _, r := range rs {
		if !r.Pass {
			return false
		}
	}
	return len(rs) > 0
}

func runCheck(ctx context.Context, w *simnet.World, c Check) Result {
	res := Result{Check: c}
	if c.Healthy != "" {
		hs, err := w.TargetHealth(c.Healthy)
		if err != nil {
			res.Detail = err.Error()
			return res
		}
		var bad, seen []string
		for _, h := range hs {
			if !h.Healthy {
				bad = append(bad, fmt.Sprintf("%s unhealthy from %s: %s", h.Target, h.Node, h.Reason))
				code := h.ReasonCode
				seen = append(seen, fmt.Sprintf("%s unhealthy (%s)", h.Target, code))
			}
		}
		if len(hs) == 0 {
			res.Detail = fmt.Sprintf("%s has no targets to check", c.Healthy)
			res.Seen = res.Detail
			return res
		}
		if len(bad) > 0 {
			res.Detail = strings.Join(dedupe(bad), "; ")
			res.Seen = strings.Join(dedupe(seen), ", ")
			return res
		}
		res.Pass, res.Detail = true, fmt.Sprintf("%d health checks pass", len(hs))
		res.Seen = "every target healthy"
		return res
	}
	r, err := w.Trace(ctx, c.From, c.Target)
	if err != nil {
		res.Detail = err.Error()
		return res
	}
	delivered := r.Delivered()
	res.Pass = delivered == (c.Want != "blocked")
	res.Detail = Outcome(r)
	res.Seen = Observation(r)
	if delivered {
		res.Seen = "it works " + strings.TrimPrefix(res.Detail, "delivered ")
	}
	if flaky := r.Intermittent(); delivered && len(flaky) > 0 && c.Want != "blocked" {
		// Delivered this time, but some connections hang: a fix that
		// leaves part of the ephemeral range denied is not a fix.
		res.Pass = false
		res.Detail += fmt.Sprintf(", but only intermittently: %s %s: %s", flaky[0].Component, flaky[0].Code, flaky[0].Detail)
		res.Seen = "it works only some of the time (some connections hang)"
	}
	return res
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Outcome says in one line what a trace came to: "delivered (HTTP/1.1 200
// OK)" or "broken at sg-app: SG_NO_INGRESS_RULE".
func Outcome(r *tracer.Report) string {
	if r.Delivered() {
		last := r.Stages[len(r.Stages)-1]
		if last.Summary != "" {
			return "delivered (" + last.Summary + ")"
		}
		return "delivered"
	}
	if r.BrokenAt == nil {
		return "broken"
	}
	s := fmt.Sprintf("broken at %s: %s", r.BrokenAt.Component, r.BrokenAt.Code)
	if root := RootCause(r); root != nil && root.Component != r.BrokenAt.Component {
		s += fmt.Sprintf(" (behind it: %s %s)", root.Component, root.Code)
	}
	return s
}

// RootCause returns the blocker a fix must change first (the report's
// root_cause). Nil when delivered.
func RootCause(r *tracer.Report) *tracer.Break { return r.RootCause }

// Verdict is the judgement of an answer.
type Verdict int

const (
	AnswerWrong   Verdict = iota // not a cause
	AnswerCorrect                // a root cause
	AnswerSymptom                // a blocker that only relays the cause's failure
)

// Judgement is what the shell says about an answer.
type Judgement struct {
	Verdict Verdict
	Message string
	// Cause is the cause the answer named, canonical spelling.
	Cause string
}

// JudgeAnswer judges "answer COMPONENT [CODE]" against the setup's causes
// and the blockers of the broken headline trace.
func (st *Setup) JudgeAnswer(r *tracer.Report, component string, code string) Judgement {
	comp := strings.TrimSuffix(strings.TrimSpace(component), ".")
	code = strings.ToUpper(strings.TrimSpace(code))
	var blockers []tracer.Break
	for _, b := range r.Blockers {
		if strings.EqualFold(b.Component, comp) {
			blockers = append(blockers, b)
		}
	}
	codeOK := func() bool {
		if code == "" {
			return true
		}
		for _, b := range blockers {
			if string(b.Code) == code {
				return true
			}
		}
		for i, f := range st.Scenario.Faults {
			if f.Decoy || i >= len(st.Applied) {
				continue
			}
			if slices.ContainsFunc(st.Applied[i].Components, func(c string) bool { return strings.EqualFold(c, comp) }) {
				if k := LookupKind(f.Kind); k != nil && slices.Contains(k.Codes, tracer.Code(code)) {
					return true
				}
			}
		}
		return false
	}
	for _, c := range st.Causes {
		if !strings.EqualFold(c, comp) {
			continue
		}
		if !codeOK() {
			return Judgement{Verdict: AnswerWrong, Cause: c, Message: fmt.Sprintf("not correct: %s is the right place, but it does not show %s", c, code)}
		}
		return Judgement{Verdict: AnswerCorrect, Cause: c, Message: fmt.Sprintf("correct: %s is where the request breaks", c)}
	}
	for _, b := range blockers {
		if !codeOK() {
			return Judgement{Verdict: AnswerWrong, Message: fmt.Sprintf("not correct: %s does stop the request, but not with %s", b.Component, code)}
		}
		if b.Code.Info().Relays && st.AdHoc {
			// The ad-hoc key is the trace: broken_at counts, with a pointer
			// to what stops the balancer's own connections.
			msg := fmt.Sprintf("correct: %s is where the request breaks first (%s)", b.Component, b.Code)
			if rc := RootCause(r); rc != nil && rc.Component != b.Component {
				msg += fmt.Sprintf("; behind it, %s stops the balancer's own connections", rc.Component)
			}
			return Judgement{Verdict: AnswerCorrect, Cause: b.Component, Message: msg}
		}
		if b.Code.Info().Relays {
			return Judgement{Verdict: AnswerSymptom, Cause: b.Component,
				Message: fmt.Sprintf("partly: %s does fail (%s), but only because something behind it does; find what it cannot reach", b.Component, b.Code)}
		}
		return Judgement{Verdict: AnswerCorrect, Cause: b.Component, Message: fmt.Sprintf("correct: %s stops the request (%s)", b.Component, b.Code)}
	}
	for _, d := range st.Decoys() {
		if slices.ContainsFunc(d.Components, func(c string) bool { return strings.EqualFold(c, comp) }) {
			return Judgement{Verdict: AnswerWrong, Message: fmt.Sprintf("not correct: %s is odd (%s), but the request never meets it", comp, d.Summary)}
		}
	}
	return Judgement{Verdict: AnswerWrong, Message: fmt.Sprintf("not correct: %s is not what breaks the request", comp)}
}

// AdHoc makes a scenario of any broken world: the learner's request from a
// vantage point must be delivered, and the answer key is the trace's
// blockers.
func AdHoc(ctx context.Context, name string, ws *spec.WorldSpec, from, request string) (*Setup, error) {
	w, err := simnet.Compile(ws)
	if err != nil {
		return nil, err
	}
	if from == "" {
		from = w.DefaultFrom()
	}
	if request == "" {
		request = w.Headline()
	}
	if request == "" {
		return nil, fmt.Errorf("world %s has no headline request; give --request URL", w.Name)
	}
	t, err := tracer.ParseTarget(request)
	if err != nil {
		return nil, err
	}
	r, err := w.Trace(ctx, from, t)
	if err != nil {
		return nil, err
	}
	sc := &Scenario{ID: "adhoc", Title: fmt.Sprintf("%s from %s in world %s", t, from, w.Name), Difficulty: "medium",
		Topics: topicsOf(r), World: name, From: from, Request: t.String(), File: name}
	sc.Ticket = fmt.Sprintf("From %s, %s does not work: %s.\nMake it work.", from, t, Observation(r))
	if r.Delivered() {
		sc.Ticket = fmt.Sprintf("From %s, %s works already: there is nothing to fix.", from, t)
	}
	sc.Hints = adHocHints(r)
	sc.Explanation = "The trace below is the answer key: every blocker on the path, in order."
	st := &Setup{Scenario: sc, Broken: ws.Clone(), World: w, From: from, Target: t, AdHoc: true}
	st.Checks = []Check{{Description: fmt.Sprintf("%s from %s is delivered", t, from), From: from, Target: t, Want: "delivered"}}
	for _, b := range r.Blockers {
		if !slices.Contains(st.Causes, b.Component) && !b.Code.Info().Relays {
			st.Causes = append(st.Causes, b.Component)
		}
	}
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			m := h.Mend()
			if !h.Blocks || m == "" || slices.Contains(st.Advice, m) {
				continue
			}
			st.Advice = append(st.Advice, m)
			if e, ok := h.Edit.(spec.Edit); ok {
				st.Fix = append(st.Fix, e)
			}
		}
	}
	return st, nil
}

func adHocHints(r *tracer.Report) []string {
	hints := []string{"Reproduce it first: run the request with curl -v (or nc -zv for a port) and read what the client sees."}
	if rc := RootCause(r); rc != nil {
		hints = append(hints,
			fmt.Sprintf("The request breaks in the %s stage.", rc.Stage),
			fmt.Sprintf("Look at %s (show %s %s).", rc.Component, showKindFor(rc.Code), rc.Component),
			fmt.Sprintf("%s: %s", rc.Component, rc.Detail))
	}
	return hints
}

// topicsOf guesses the topics a broken trace is about, from its blockers.
func topicsOf(r *tracer.Report) []string {
	var out []string
	add := func(t string) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, b := range r.Blockers {
		if t := b.Code.Info().Topic; slices.Contains(Topics, t) {
			add(t)
		}
	}
	if len(out) == 0 {
		out = []string{TopicRouting}
	}
	return out
}

// Observation says what a client sees of a broken trace, in a user's words
// ("the connection times out", "HTTP 504"), without the explanation.
func Observation(r *tracer.Report) string {
	if r.Delivered() {
		return "it works"
	}
	for _, s := range r.Stages {
		if s.Verdict != tracer.StageBroken {
			continue
		}
		switch s.Name {
		case tracer.StageDNS:
			return "the name does not resolve (" + s.Summary + ")"
		case tracer.StageTCP, tracer.StageUDP:
			if strings.HasSuffix(s.Summary, "refused") || strings.HasSuffix(s.Summary, "unreachable") {
				return "the connection is refused"
			}
			return "the connection times out"
		case tracer.StageTLS:
			return "the TLS handshake fails (certificate error)"
		case tracer.StageHTTP:
			if s.Summary != "" {
				return "the server answers " + strings.TrimPrefix(s.Summary, "HTTP/1.1 ")
			}
			return "no HTTP answer comes back"
		}
	}
	return "it does not work"
}
