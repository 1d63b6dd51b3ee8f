package scenarios

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Scenario is one exercise as written in a scenario file: a world, the
// faults injected into it, the ticket a learner reads, and what counts as
// fixed. The README documents the format.
type Scenario struct {
	ID string `yaml:"id" json:"id"`
	// Aliases are earlier ids of the scenario: play, scenarios show and
	// drill still accept them.
	Aliases    []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Title      string   `yaml:"title" json:"title"`
	Difficulty string   `yaml:"difficulty" json:"difficulty"`
	Topics     []string `yaml:"topics" json:"topics"`
	// World is a built-in world's name, or a world file's path relative to
	// the scenario file.
	World  string      `yaml:"world" json:"world"`
	Faults []FaultSpec `yaml:"faults,omitempty" json:"faults"`
	// From and Request are the vantage point and the headline request;
	// empty means the world's.
	From    string      `yaml:"from,omitempty" json:"from,omitempty"`
	Request string      `yaml:"request,omitempty" json:"request,omitempty"`
	Ticket  string      `yaml:"ticket" json:"ticket"`
	Expect  Expect      `yaml:"expect,omitempty" json:"expect"`
	Hints   []string    `yaml:"hints" json:"hints"`
	Checks  []CheckSpec `yaml:"checks,omitempty" json:"checks,omitempty"`
	// Fix is the reference fix in fix commands; empty means the faults'
	// own reference fixes (their undo), in order.
	Fix         []string `yaml:"fix,omitempty" json:"fix,omitempty"`
	Explanation string   `yaml:"explanation" json:"explanation"`

	// File is where the scenario was read from ("library:ID" when
	// embedded).
	File string `yaml:"-" json:"-"`
	// Seed is set on generated scenarios.
	Seed *uint64 `yaml:"-" json:"seed,omitempty"`

	loader WorldLoader
}

// FaultSpec is a fault as a scenario writes it: a kind and its parameters,
// side by side in one mapping. A decoy is a real oddity in the world that
// the request never meets: a red herring.
type FaultSpec struct {
	Kind   string `json:"kind"`
	Params Params `json:"params,omitempty"`
	Decoy  bool   `json:"decoy,omitempty"`
}

// Expect says what the faults do to the headline request.
type Expect struct {
	// Code is the code the learner's first look shows: the trace's
	// broken_at code, or, for faults a balancer hides by failing open, a
	// code seen on the way (LB_TARGET_UNHEALTHY).
	Code tracer.Code `yaml:"code,omitempty" json:"code,omitempty"`
	// Causes are the components an answer may name as the cause; empty
	// means those of the (non-decoy) faults.
	Causes []string `yaml:"causes,omitempty" json:"causes,omitempty"`
}

// CheckSpec is one outcome check: a request that must be delivered (or
// must stay blocked), or a balancer whose targets must all be healthy.
type CheckSpec struct {
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	From        string `yaml:"from,omitempty" json:"from,omitempty"`
	Request     string `yaml:"request,omitempty" json:"request,omitempty"`
	Want        string `yaml:"want,omitempty" json:"want,omitempty"` // delivered (default) or blocked
	Healthy     string `yaml:"healthy,omitempty" json:"healthy,omitempty"`
}

// rawScenario is the file as decoded: faults are free-form mappings.
type rawScenario struct {
	ID          string           `yaml:"id"`
	Aliases     []string         `yaml:"aliases"`
	Title       string           `yaml:"title"`
	Difficulty  string           `yaml:"difficulty"`
	Topics      []string         `yaml:"topics"`
	World       string           `yaml:"world"`
	Faults      []map[string]any `yaml:"faults"`
	From        string           `yaml:"from"`
	Request     string           `yaml:"request"`
	Ticket      string           `yaml:"ticket"`
	Expect      Expect           `yaml:"expect"`
	Hints       []string         `yaml:"hints"`
	Checks      []CheckSpec      `yaml:"checks"`
	Fix         []string         `yaml:"fix"`
	Explanation string           `yaml:"explanation"`
}

// WorldLoader returns the spec of the world a scenario names. dir is the
// directory of the scenario file ("" when embedded).
type WorldLoader func(ref, dir string) (*spec.WorldSpec, error)

// DefaultWorlds loads built-in worlds by name, and world files relative to
// the scenario's directory.
func DefaultWorlds(ref, dir string) (*spec.WorldSpec, error) {
	if name, ok := strings.CutPrefix(ref, "builtin:"); ok {
		return builtinSpec(name)
	}
	if slices.Contains(simnet.BuiltinNames(), ref) {
		return builtinSpec(ref)
	}
	if dir == "" {
		return nil, fmt.Errorf("world %q is not a built-in world (%s)", ref, strings.Join(simnet.BuiltinNames(), ", "))
	}
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, ref)
	}
	if _, err := os.Stat(path); err != nil && !strings.ContainsAny(ref, `/\`) && !strings.HasSuffix(ref, ".yaml") && !strings.HasSuffix(ref, ".yml") {
		// A bare word names a built-in world; say so rather than a missing file.
		return nil, fmt.Errorf("%q is neither a built-in world (%s) nor a world file beside the scenario", ref, strings.Join(simnet.BuiltinNames(), ", "))
	}
	return simnet.LoadSpec(path)
}

// builtinSpec returns a copy of a built-in world's spec. Each built-in
// world is parsed once per process: scenarios, the generator and fuzzing
// load the same few worlds over and over, and parsing is the costly part.
func builtinSpec(name string) (*spec.WorldSpec, error) {
	b := loadBuiltin(name)
	if b.err != nil {
		return nil, b.err
	}
	return b.spec.Clone(), nil
}

func loadBuiltin(name string) builtinWorld {
	builtins.Lock()
	defer builtins.Unlock()
	b, ok := builtins.m[name]
	if !ok {
		data, err := simnet.Builtin(name)
		if err == nil {
			b.spec, err = simnet.ParseSpec("builtin:"+name, data)
		}
		if err == nil {
			b.world, err = simnet.Compile(b.spec)
		}
		b.err = err
		if builtins.m == nil {
			builtins.m = map[string]builtinWorld{}
		}
		builtins.m[name] = b
	}
	return b
}

// compiledBuiltin returns the compiled built-in world ref names, as
// DefaultWorlds resolves it, or nil. Worlds are immutable, so every
// scenario over a built-in world shares one.
func compiledBuiltin(ref string) *simnet.World {
	name, ok := strings.CutPrefix(ref, "builtin:")
	if !ok {
		if !slices.Contains(simnet.BuiltinNames(), ref) {
			return nil
		}
		name = ref
	}
	return loadBuiltin(name).world
}

// builtins caches the parsed built-in worlds; the specs are never handed
// out, only copies of them.
var builtins struct {
	sync.Mutex
	m map[string]builtinWorld
}

type builtinWorld struct {
	spec  *spec.WorldSpec
	world *simnet.World
	err   error
}

var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`) })

// LoadFile reads and checks a scenario file.
func LoadFile(path string) (*Scenario, error) {
	b, err := readBounded(path, MaxFileSize)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Problems: []spec.Problem{{File: path, Msg: fmt.Sprintf("cannot read the scenario file: %v", err)}}}
	}
	return Parse(path, b, DefaultWorlds)
}

// readBounded reads at most max+1 bytes of path, so that /dev/zero or a
// huge file is refused by Parse's size check instead of filling memory.
func readBounded(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(max)+1))
}

// Parse reads a scenario strictly (unknown fields are errors) and checks
// it as a whole: its fields, its world, that every fault applies to the
// world and every name it uses exists. The error lists every problem, each
// with its line and column. name is used in messages and, for files, to
// find world files beside the scenario.
func Parse(name string, data []byte, worlds WorldLoader) (*Scenario, error) {
	if worlds == nil {
		worlds = DefaultWorlds
	}
	file, problems := scenarioDoc.Parse(name, data)
	if problems != nil {
		return nil, &Error{File: name, Problems: problems}
	}
	var raw rawScenario
	if problems := scenarioDoc.Decode(name, file, &raw); problems != nil {
		return nil, &Error{File: name, Problems: problems}
	}
	sc := &Scenario{ID: raw.ID, Aliases: raw.Aliases, Title: strings.TrimSpace(raw.Title), Difficulty: raw.Difficulty, Topics: raw.Topics,
		World: raw.World, From: raw.From, Request: raw.Request, Ticket: strings.TrimSpace(raw.Ticket), Expect: raw.Expect,
		Hints: raw.Hints, Checks: raw.Checks, Fix: raw.Fix, Explanation: strings.TrimSpace(raw.Explanation), File: name, loader: worlds}
	add := func(path, format string, args ...any) {
		problems = append(problems, spec.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for i, f := range raw.Faults {
		fs, msgs := faultFromMap(f)
		for _, m := range msgs {
			add(fmt.Sprintf("$.faults[%d]%s", i, m.path), "%s", m.msg)
		}
		sc.Faults = append(sc.Faults, fs)
	}
	sc.validate(add)
	if len(problems) == 0 {
		dir := ""
		if !strings.HasPrefix(name, "library:") {
			dir = filepath.Dir(name)
		}
		if _, err := sc.build(dir, add); err != nil {
			var se *spec.Error
			if errors.As(err, &se) && len(se.Problems) > 0 && se.Problems[0].Line > 0 {
				// A bad world file reports its own lines and columns.
				return nil, err
			}
			add("$.world", "world %q: %v", sc.World, err)
		}
	}
	if len(problems) > 0 {
		spec.Locate(name, file, problems)
		return nil, &Error{File: name, Problems: problems}
	}
	return sc, nil
}

type pathMsg struct{ path, msg string }

// faultFromMap reads one fault mapping: kind, decoy, and the kind's
// parameters.
func faultFromMap(m map[string]any) (FaultSpec, []pathMsg) {
	var fs FaultSpec
	var msgs []pathMsg
	kind, ok := m["kind"].(string)
	if !ok || kind == "" {
		return fs, []pathMsg{{"", "a fault needs a kind: (see 'pathlab scenarios faults')"}}
	}
	fs.Kind = kind
	k := LookupKind(kind)
	if k == nil {
		return fs, []pathMsg{{".kind", fmt.Sprintf("unknown fault kind %q; 'pathlab scenarios faults' lists them", kind)}}
	}
	fs.Params = Params{}
	for _, key := range sortedKeys(m) {
		v := m[key]
		switch key {
		case "kind":
			continue
		case "decoy":
			b, ok := v.(bool)
			if !ok {
				msgs = append(msgs, pathMsg{".decoy", "decoy is true or false"})
			}
			fs.Decoy = b
			continue
		}
		if !slices.ContainsFunc(k.Params, func(p Param) bool { return p.Name == key }) {
			msgs = append(msgs, pathMsg{"." + key, fmt.Sprintf("fault %s has no parameter %q; its parameters: %s", kind, key, k.paramNames())})
			continue
		}
		switch v := v.(type) {
		case string:
			fs.Params[key] = v
		case uint64, int64, int, float64, bool:
			fs.Params[key] = fmt.Sprint(v)
		case []any:
			var parts []string
			for _, x := range v {
				parts = append(parts, fmt.Sprint(x))
			}
			fs.Params[key] = strings.Join(parts, ",")
		default:
			msgs = append(msgs, pathMsg{"." + key, fmt.Sprintf("parameter %s must be a string, a number or a list", key)})
		}
	}
	for _, p := range k.Params {
		if p.Required && fs.Params[p.Name] == "" {
			msgs = append(msgs, pathMsg{"", fmt.Sprintf("fault %s needs the parameter %q (%s)", kind, p.Name, p.Doc)})
		}
	}
	return fs, msgs
}

func (sc *Scenario) validate(add func(path, format string, args ...any)) {
	if sc.ID == "" {
		add("$", "the scenario has no id; add 'id: ...' (lower case letters, digits and dashes)")
	} else if !idPattern().MatchString(sc.ID) {
		add("$.id", "id %q: use lower case letters, digits and dashes (at most 64)", sc.ID)
	}
	for i, a := range sc.Aliases {
		if !idPattern().MatchString(a) || a == sc.ID {
			add(fmt.Sprintf("$.aliases[%d]", i), "alias %q: an earlier id, in lower case letters, digits and dashes, not the id itself", a)
		}
	}
	if sc.Title == "" {
		add("$", "the scenario has no title")
	}
	if !slices.Contains(Difficulties, sc.Difficulty) {
		add("$.difficulty", "difficulty %q is not one of %s", sc.Difficulty, strings.Join(Difficulties, ", "))
	}
	if len(sc.Topics) == 0 {
		add("$", "the scenario has no topics; list them (%s)", strings.Join(Topics, ", "))
	}
	for i, t := range sc.Topics {
		if !slices.Contains(Topics, t) {
			add(fmt.Sprintf("$.topics[%d]", i), "topic %q is not one of %s", t, strings.Join(Topics, ", "))
		}
	}
	if sc.World == "" {
		add("$", "the scenario has no world; name a built-in world (%s) or a world file", strings.Join(simnet.BuiltinNames(), ", "))
	}
	if sc.Ticket == "" {
		add("$", "the scenario has no ticket: write what the user or the pager says")
	}
	if len(sc.Hints) == 0 {
		add("$", "the scenario has no hints; give at least one, from gentle to plain")
	}
	if sc.Explanation == "" {
		add("$", "the scenario has no explanation for the debrief")
	}
	real := 0
	for _, f := range sc.Faults {
		if !f.Decoy {
			real++
		}
	}
	if real == 0 && len(sc.Faults) > 0 {
		add("$.faults", "every fault is a decoy; at least one must break the request")
	}
	if (real > 0 || len(sc.Faults) == 0) && sc.Expect.Code == "" {
		add("$", "the scenario has no expect: code; give the code the headline trace shows (such as SG_NO_INGRESS_RULE)")
	}
	if c := sc.Expect.Code; c != "" && c.Explain() == "" && !slices.Contains(symptomCodes, c) {
		add("$.expect.code", "code %q is not a code a trace shows (see WORLD-FORMAT.md)", c)
	}
	if sc.Request != "" {
		if _, err := tracer.ParseTarget(sc.Request); err != nil {
			add("$.request", "%v", err)
		}
	}
	for i, c := range sc.Checks {
		p := fmt.Sprintf("$.checks[%d]", i)
		switch {
		case c.Request != "" && c.Healthy != "":
			add(p, "a check is either a request or healthy: LB, not both")
		case c.Request == "" && c.Healthy == "":
			add(p, "a check needs a request (with want: delivered or blocked) or healthy: LB")
		case c.Request != "":
			if _, err := tracer.ParseTarget(c.Request); err != nil {
				add(p+".request", "%v", err)
			}
		}
		if c.Want != "" && c.Want != "delivered" && c.Want != "blocked" {
			add(p+".want", "want %q is not delivered or blocked", c.Want)
		}
		if c.Healthy != "" && c.Want != "" {
			add(p+".want", "want applies to requests; a healthy check has none")
		}
	}
	for i, line := range sc.Fix {
		if _, err := ParseFixLine(line); err != nil {
			// A reason ("port -1 is not a port") reads without the "usage:"
			// that a usage line keeps.
			msg := err.Error()
			if reason := strings.TrimPrefix(msg, ErrUsage.Error()+": "); reason != msg && !strings.HasPrefix(reason, strings.SplitN(strings.TrimSpace(line), " ", 2)[0]+" ") {
				msg = "fix command: " + reason
			}
			add(fmt.Sprintf("$.fix[%d]", i), "%s", msg)
		}
	}
}

// symptomCodes are hop codes that are not blockers but may be what a
// scenario's faults show first.
var symptomCodes = []tracer.Code{tracer.LBUnhealthy}

// Setup is a scenario made ready to play: its world with the faults in,
// its resolved checks, answer key and reference fix.
type Setup struct {
	Scenario *Scenario
	// Base is the world before the faults (nil for an ad-hoc scenario);
	// Broken is the world the learner starts from.
	Base    *spec.WorldSpec
	Broken  *spec.WorldSpec
	Applied []*Applied // the faults, then the decoys
	From    string
	Target  tracer.Target
	Checks  []Check
	// World is Broken, compiled; nil when it does not validate. BaseWorld
	// is Base, compiled.
	World, BaseWorld *simnet.World
	// Fix is the reference fix; for an ad-hoc scenario, the blockers' own
	// suggestions that are fix commands.
	Fix []spec.Edit
	// Advice is, for an ad-hoc scenario, every suggestion of the blockers
	// in order, commands and prose.
	Advice []string
	// Causes are the components an answer may name as the cause.
	Causes []string
	// AdHoc: the answer key is the trace's blockers.
	AdHoc bool

	baseline baseline // the flows Judge holds a fixed world to
}

// FixLines is the reference fix as command lines; for an ad-hoc scenario,
// the blockers' suggestions.
func (st *Setup) FixLines() []string {
	if st.AdHoc {
		return st.Advice
	}
	return FixLines(st.Fix)
}

// Decoys returns the applied decoy faults.
func (st *Setup) Decoys() []*Applied {
	var out []*Applied
	for i, a := range st.Applied {
		if i < len(st.Scenario.Faults) && st.Scenario.Faults[i].Decoy {
			out = append(out, a)
		}
	}
	return out
}

// Build applies the scenario's faults to its world and resolves its checks.
func (sc *Scenario) Build() (*Setup, error) {
	var problems []string
	dir := ""
	if sc.File != "" && !strings.HasPrefix(sc.File, "library:") && !strings.HasPrefix(sc.File, "random:") {
		dir = filepath.Dir(sc.File)
	}
	st, err := sc.build(dir, func(path, format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, sc.ID, strings.Join(problems, "; "))
	}
	return st, nil
}

func (sc *Scenario) build(dir string, add func(path, format string, args ...any)) (*Setup, error) {
	loader := sc.loader
	if loader == nil {
		loader = DefaultWorlds
	}
	base, err := loader(sc.World, dir)
	if err != nil {
		return nil, err
	}
	var world *simnet.World
	if reflect.ValueOf(loader).Pointer() == reflect.ValueOf(DefaultWorlds).Pointer() {
		world = compiledBuiltin(sc.World) // base is a copy of its spec
	}
	if world == nil {
		if world, err = simnet.Compile(base); err != nil {
			return nil, err
		}
	}
	st := &Setup{Scenario: sc, Base: base, Broken: base.Clone(), BaseWorld: world}
	for i, f := range sc.Faults {
		k := LookupKind(f.Kind)
		if k == nil {
			add(fmt.Sprintf("$.faults[%d].kind", i), "unknown fault kind %q", f.Kind)
			continue
		}
		a, err := k.Apply(st.Broken, f.Params)
		if err != nil {
			add(fmt.Sprintf("$.faults[%d]", i), "%v", err)
			continue
		}
		st.Applied = append(st.Applied, a)
	}
	if bw, err := simnet.Compile(st.Broken); err != nil {
		add("$.faults", "with the faults in, the world does not validate: %v", err)
	} else {
		st.World = bw
	}
	st.From = sc.From
	if st.From == "" {
		st.From = world.DefaultFrom()
	}
	fromOK := true
	if _, err := world.From(st.From); err != nil {
		add("$.from", "%v", err)
		fromOK = false
	}
	req := sc.Request
	if req == "" {
		req = world.Headline()
	}
	if req == "" {
		add("$", "world %s has no headline request; give request: URL", sc.World)
	} else if t, err := tracer.ParseTarget(req); err == nil {
		st.Target = t
	}
	checks := sc.Checks
	if len(checks) == 0 {
		checks = []CheckSpec{{Request: req, From: st.From}}
	}
	for i, c := range checks {
		ch, err := resolveCheck(c, st.From, world)
		if err != nil {
			if len(sc.Checks) == 0 && !fromOK {
				continue // the default check fails for the same reason
			}
			add(fmt.Sprintf("$.checks[%d]", i), "%v", err)
			continue
		}
		st.Checks = append(st.Checks, ch)
	}
	for _, line := range sc.Fix {
		if e, err := ParseFixLine(line); err == nil {
			st.Fix = append(st.Fix, e)
		}
	}
	if len(sc.Fix) == 0 {
		for i, a := range st.Applied {
			if i < len(sc.Faults) && !sc.Faults[i].Decoy {
				st.Fix = append(st.Fix, a.Fix...)
			}
		}
	}
	st.Causes = sc.Expect.Causes
	if len(st.Causes) == 0 {
		for i, a := range st.Applied {
			if i < len(sc.Faults) && !sc.Faults[i].Decoy {
				st.Causes = append(st.Causes, a.Components...)
			}
		}
	}
	return st, nil
}

func resolveCheck(c CheckSpec, defaultFrom string, w *simnet.World) (Check, error) {
	ch := Check{Description: c.Description, From: c.From, Want: c.Want, Healthy: c.Healthy}
	if ch.From == "" {
		ch.From = defaultFrom
	}
	if ch.Healthy != "" {
		if w.Kind(ch.Healthy) != "load-balancer" {
			return ch, fmt.Errorf("healthy: no load balancer is named %q", ch.Healthy)
		}
		if ch.Description == "" {
			ch.Description = fmt.Sprintf("every target of %s passes its health checks", ch.Healthy)
		}
		return ch, nil
	}
	if ch.Want == "" {
		ch.Want = "delivered"
	}
	t, err := tracer.ParseTarget(c.Request)
	if err != nil {
		return ch, err
	}
	ch.Target = t
	if _, err := w.From(ch.From); err != nil {
		return ch, err
	}
	if ch.Description == "" {
		verb := "is delivered"
		if ch.Want == "blocked" {
			verb = "stays blocked"
		}
		ch.Description = fmt.Sprintf("%s from %s %s", t, ch.From, verb)
	}
	return ch, nil
}
