package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Options narrow what Generate builds.
type Options struct {
	Difficulty string // easy, medium, hard; empty: any
	Topic      string // the (first) fault's topic; empty: any
}

// ErrNoScenario is returned when no scenario fits the options.
var ErrNoScenario = errors.New("no scenario fits")

// request is a request worth breaking in a built-in world.
type request struct {
	world, from, target string
	who                 string // who complains, for the ticket
}

// requests are the generator's raw material: the paths each built-in
// world exists to carry.
var requests = []request{
	{"shop", "browser", "https://shop.example.com/", "customers"},
	{"shop", "app-1", "tcp://db.internal.shop:5432", "the shop API on app-1"},
	{"shop", "app-1", "https://api.partner.example.net/", "the shop API on app-1"},
	{"mesh", "web-1", "https://api.mesh.internal/", "the web tier on web-1"},
	{"mesh", "orders-1", "tcp://payments.mesh.internal:9000", "the orders service on orders-1"},
	{"mesh", "orders-1", "https://pkg.example.org/", "the deploy job on orders-1"},
	{"peered", "app-1", "https://auth.corp.internal/", "the app on app-1"},
	{"peered", "etl-1", "http://artifacts.corp.internal:8081/", "the nightly ETL on etl-1"},
}

// Generate builds a scenario from a built-in world and one or two faults
// that break its request, chosen by a seeded random source: the same seed
// and options always give the same scenario. The request must break and
// the faults' reference fix must mend it, or the candidate is discarded.
func Generate(ctx context.Context, seed uint64, o Options) (*Scenario, error) {
	if o.Difficulty != "" && !slices.Contains(Difficulties, o.Difficulty) {
		return nil, fmt.Errorf("difficulty %q is not one of %s", o.Difficulty, strings.Join(Difficulties, ", "))
	}
	if o.Topic != "" && !slices.Contains(Topics, o.Topic) {
		return nil, fmt.Errorf("topic %q is not one of %s", o.Topic, strings.Join(Topics, ", "))
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	diff := o.Difficulty
	if diff == "" {
		diff = Difficulties[rng.IntN(len(Difficulties))]
	}
	g := &generator{ctx: ctx, rng: rng, worlds: map[string]*spec.WorldSpec{}}
	for attempt := 0; attempt < 60; attempt++ {
		pool := requestPool(o.Topic) // generate_hybrid.go
		req := pool[rng.IntN(len(pool))]
		two := diff == "hard" && rng.IntN(2) == 0
		first := g.pickKind(o.Topic, diff, two)
		if first == nil {
			return nil, fmt.Errorf("%w: no fault kind is about %s at difficulty %s", ErrNoScenario, o.Topic, diff)
		}
		var second *Kind
		if two {
			second = g.pickKind("", "", true)
		}
		sc, err := g.try(req, first, second)
		if err != nil {
			return nil, err
		}
		if sc == nil {
			continue
		}
		sc.ID = fmt.Sprintf("random-%d", seed)
		sc.File = "random:" + fmt.Sprint(seed)
		sc.Difficulty = diff
		s := seed
		sc.Seed = &s
		return sc, nil
	}
	return nil, fmt.Errorf("%w: seed %d found no %s fault that breaks a request; try another seed", ErrNoScenario, seed, diff)
}

type generator struct {
	ctx    context.Context
	rng    *rand.Rand
	worlds map[string]*spec.WorldSpec
}

func (g *generator) world(name string) (*spec.WorldSpec, error) {
	if s, ok := g.worlds[name]; ok {
		return s, nil
	}
	s, err := builtinSpec(name)
	if err != nil {
		return nil, err
	}
	g.worlds[name] = s
	return s, nil
}

// pickKind draws a fault kind of the topic and difficulty; for one of two
// faults, any kind up to medium.
func (g *generator) pickKind(topic, diff string, partOfTwo bool) *Kind {
	var pool []*Kind
	for _, k := range kinds() {
		if topic != "" && k.Topic != topic {
			continue
		}
		if topic == "" && (hubOnlyTopic(k.Topic) || ruleKinds[k.Name]) { // generate_hybrid.go, faults_rules.go
			continue
		}
		switch {
		case partOfTwo:
			if k.Difficulty == "hard" {
				continue
			}
		case diff != "" && k.Difficulty != diff:
			continue
		}
		pool = append(pool, k)
	}
	if len(pool) == 0 && topic != "" {
		// The topic has no kind of that difficulty: take any of the topic.
		for _, k := range kinds() {
			if k.Topic == topic {
				pool = append(pool, k)
			}
		}
	}
	if len(pool) == 0 {
		return nil
	}
	return pool[g.rng.IntN(len(pool))]
}

// try places the kinds in the request's world where they break it;
// nil when they cannot.
func (g *generator) try(req request, first, second *Kind) (*Scenario, error) {
	base, err := g.world(req.world)
	if err != nil {
		return nil, err
	}
	bw, err := simnet.Compile(base)
	if err != nil {
		return nil, err
	}
	target, err := tracer.ParseTarget(req.target)
	if err != nil {
		return nil, err
	}
	checks, specs := g.checksFor(bw, req, target)
	fs1 := g.place(base, first, checks)
	if fs1 == nil {
		return nil, nil
	}
	faults := []FaultSpec{*fs1}
	if second != nil {
		fs2 := g.place(base, second, checks)
		if fs2 == nil || fs2.Kind == fs1.Kind && fs2.Params.String() == fs1.Params.String() {
			return nil, nil
		}
		faults = append(faults, *fs2)
	}
	sc := &Scenario{World: req.world, From: req.from, Request: req.target, Faults: faults, Checks: specs, loader: DefaultWorlds}
	st, err := sc.Build()
	if err != nil {
		return nil, nil
	}
	bwk := st.World
	if bwk == nil {
		return nil, nil
	}
	results := RunChecks(g.ctx, bwk, st.Checks)
	if Solved(results) {
		return nil, nil
	}
	// A fix must exist: the reference fix, typed as fix commands one by
	// one, each validated as the shell does.
	fixed, fw := st.Broken, bwk
	for _, f := range st.Fix {
		if fixed, fw, _, err = Change(fixed, f); err != nil {
			return nil, nil
		}
	}
	if !Solved(RunChecks(g.ctx, fw, st.Checks)) {
		return nil, nil
	}
	r, err := bwk.Trace(g.ctx, req.from, target)
	if err != nil {
		return nil, err
	}
	g.describe(sc, st, req, r)
	return sc, nil
}

// checksFor is the request delivered, and healthy targets behind every
// balancer the request passes.
func (g *generator) checksFor(w *simnet.World, req request, t tracer.Target) ([]Check, []CheckSpec) {
	specs := []CheckSpec{{Request: req.target, From: req.from}}
	if r, err := w.Trace(g.ctx, req.from, t); err == nil {
		var lbs []string
		for _, s := range r.Stages {
			for _, h := range s.Hops {
				if h.Kind == tracer.KindLoadBalancer && !slices.Contains(lbs, h.Component) {
					lbs = append(lbs, h.Component)
				}
			}
		}
		for _, lb := range lbs {
			specs = append(specs, CheckSpec{Healthy: lb})
		}
	}
	var checks []Check
	for _, c := range specs {
		if ch, err := resolveCheck(c, req.from, w); err == nil {
			checks = append(checks, ch)
		}
	}
	return checks, specs
}

// place finds parameters for kind, in a seeded order, with which it alone
// makes a check fail.
func (g *generator) place(base *spec.WorldSpec, k *Kind, checks []Check) *FaultSpec {
	cands := k.candidates(base)
	for _, i := range g.rng.Perm(len(cands)) {
		p := cands[i]
		s := base.Clone()
		if _, err := k.Apply(s, p); err != nil {
			continue
		}
		w, err := simnet.Compile(s)
		if err != nil {
			continue
		}
		if !Solved(RunChecks(g.ctx, w, checks)) {
			return &FaultSpec{Kind: k.Name, Params: p}
		}
	}
	return nil
}

var topicHints = map[string]string{
	TopicDNS:            "Ask DNS what the name is, from where the request starts (dig NAME), and compare with what should answer it (show zone ZONE).",
	TopicRouting:        "Follow the packet and its reply: which route table does each subnet use, and does it have a route both ways? (show subnet, show route-table)",
	TopicNAT:            "A host without a public address gets out only through a NAT gateway: check the default route of its subnet.",
	TopicPeering:        "Traffic between VPCs needs an active peering and a route on both sides (show route-table, show vpc).",
	TopicSecurityGroups: "Security groups allow only what a rule names: check the inbound rules where the packet arrives and the outbound rules where it leaves.",
	TopicNACL:           "Network ACLs are stateless and ordered: check both directions, the rule order, and the ports replies come back on.",
	TopicHostFirewall:   "If the cloud lets the packet in, the host may still not: ssh to it and look at iptables -L.",
	TopicApp:            "ssh to the server and see what actually listens (ss -ltn), and whether curl localhost works.",
	TopicLoadBalancer:   "Ask the balancer what it thinks of its targets: show target-health LB.",
	TopicTLS:            "Read the certificate the server presents: curl -v shows its names and dates.",
}

// describe writes the ticket, hints, title and debrief of a generated
// scenario.
func (g *generator) describe(sc *Scenario, st *Setup, req request, r *tracer.Report) {
	var topics []string
	for _, f := range sc.Faults {
		if k := LookupKind(f.Kind); k != nil && !slices.Contains(topics, k.Topic) {
			topics = append(topics, k.Topic)
		}
	}
	sc.Topics = topics
	hh, mm := 8+g.rng.IntN(12), g.rng.IntN(60)
	obs := Observation(r)
	if r.Delivered() {
		obs = "it works, but the balancer alarms that its targets are unhealthy"
	}
	// The title says what the client sees, never the cause.
	sc.Title = fmt.Sprintf("%s: %s from %s: %s", req.world, req.target, req.from, obs)
	if req.from == "browser" {
		sc.Ticket = fmt.Sprintf("Support ticket #%d: since %02d:%02d %s report that %s does not work: %s.", 4000+g.rng.IntN(5000), hh, mm, req.who, req.target, obs)
	} else {
		sc.Ticket = fmt.Sprintf("PAGE since %02d:%02d: %s cannot use %s: %s.", hh, mm, req.who, req.target, obs)
	}
	if r.Delivered() {
		sc.Ticket = fmt.Sprintf("PAGE since %02d:%02d: UnHealthyHostCount alarm on the balancer behind %s. Users have not noticed yet.", hh, mm, req.target)
	}
	t, _ := tracer.ParseTarget(req.target)
	repro := fmt.Sprintf("curl -v %s", req.target)
	if t.Scheme == "tcp" {
		repro = fmt.Sprintf("nc -zv %s %d", t.Host, t.Port)
	}
	sc.Hints = []string{fmt.Sprintf("Reproduce it where it happens: you are on %s; run %s.", req.from, repro)}
	for _, tp := range topics {
		sc.Hints = append(sc.Hints, topicHints[tp])
	}
	if len(sc.Faults) > 1 {
		sc.Hints = append(sc.Hints, "There are two faults: check again after the first fix.")
	}
	if rc := RootCause(r); rc != nil {
		sc.Hints = append(sc.Hints, fmt.Sprintf("Look at %s (show %s %s).", rc.Component, showKindFor(rc.Code), rc.Component))
		sc.Expect.Code = r.BrokenAt.Code
	} else {
		sc.Expect.Code = tracer.LBUnhealthy
	}
	var expl []string
	for i, a := range st.Applied {
		k := LookupKind(a.Kind)
		expl = append(expl, fmt.Sprintf("Fault %d (%s): %s. In general: %s.", i+1, a.Kind, a.Summary, k.Doc))
	}
	sc.Explanation = strings.Join(expl, "\n")
}
