package drill

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/debrief"
	"github.com/pathlab/pathlab/scenarios/play"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Card is what a human interviewer needs to run a scenario without a
// computer: the ticket, the hidden fault and its fix, what each likely
// command shows in this world, hints, a rubric and follow-up questions.
type Card struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Difficulty string   `json:"difficulty"`
	Topics     []string `json:"topics"`
	World      string   `json:"world"`
	Seed       *uint64  `json:"seed,omitempty"`
	From       string   `json:"from"`
	Request    string   `json:"request"`
	Ticket     string   `json:"ticket"`

	Faults []CardFault `json:"faults"`
	// Code is what the candidate's first look shows; Causes are the
	// components an answer may name.
	Code        tracer.Code `json:"code,omitempty"`
	Causes      []string    `json:"causes"`
	Fix         []string    `json:"fix"`
	Explanation string      `json:"explanation,omitempty"`

	Investigation []debrief.Step     `json:"investigation"`
	Observations  []Observation      `json:"observations"`
	Hints         []string           `json:"hints"`
	Strong        []string           `json:"strong"`
	Weak          []string           `json:"weak"`
	FollowUps     []debrief.FollowUp `json:"follow_ups"`
}

// CardFault is a fault as the card tells it.
type CardFault struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	Decoy   bool   `json:"decoy,omitempty"`
}

// Observation is a command run in the broken world, and its output.
type Observation struct {
	Host    string `json:"host"` // where it ran
	Command string `json:"command"`
	Output  string `json:"output"`
	// Step is the number of the efficient investigation's step it is
	// (1-based); 0 for the other likely commands.
	Step int `json:"step,omitempty"`
}

// CardSeed is the seed of a library scenario's card: the same ID, the
// same follow-up questions.
func CardSeed(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// NewCard builds the card of a scenario. The observations are the play
// shell's own commands run against the broken world; seed picks the
// follow-up questions. The same scenario and seed give the same card.
func NewCard(ctx context.Context, st *scenarios.Setup, seed uint64) (*Card, error) {
	if st == nil || st.Scenario == nil {
		return nil, ErrNoSetup
	}
	k, err := NewKey(ctx, st)
	if err != nil {
		return nil, err
	}
	sc := st.Scenario
	c := &Card{ID: sc.ID, Title: sc.Title, Difficulty: sc.Difficulty, Topics: sc.Topics, World: sc.World, Seed: sc.Seed,
		From: st.From, Request: st.Target.String(), Ticket: strings.TrimRight(sc.Ticket, "\n"),
		Code: sc.Expect.Code, Causes: st.Causes, Fix: st.FixLines(), Explanation: strings.TrimSpace(sc.Explanation),
		Investigation: k.Steps, Hints: sc.Hints, FollowUps: debrief.FollowUps(k.Codes, seed)}
	if c.Code == "" && k.Report.BrokenAt != nil {
		c.Code = k.Report.BrokenAt.Code
	}
	for i, a := range st.Applied {
		c.Faults = append(c.Faults, CardFault{Kind: a.Kind, Summary: a.Summary, Decoy: i < len(sc.Faults) && sc.Faults[i].Decoy})
	}
	c.Observations, err = observe(ctx, st, ObservationPlan(st, k))
	if err != nil {
		return nil, err
	}
	c.Strong, c.Weak = rubric(ctx, st, k)
	return c, nil
}

// plannedCommand is a command of the observation plan; step is its
// number in the investigation (0 for none).
type plannedCommand struct {
	line string
	step int
}

// ObservationPlan lists the commands a card shows, in the order they run:
// the efficient investigation's observations and inspections first (an
// ssh followed by what runs on that host, then exit), then the other
// likely ones: dig, curl -v, nc, traceroute, target-health, and show for
// every component at fault and every decoy.
func ObservationPlan(st *scenarios.Setup, k *Key) []plannedCommand {
	var plan []plannedCommand
	seen := map[string]bool{}
	ssh := ""
	add := func(line string, step int) {
		if seen[ssh+"\x00"+line] {
			return
		}
		seen[ssh+"\x00"+line] = true
		plan = append(plan, plannedCommand{line, step})
	}
	exit := func() {
		if ssh != "" {
			plan = append(plan, plannedCommand{"exit", 0})
			ssh = ""
		}
	}
	for i, s := range k.Steps {
		if s.Kind == "fix" {
			continue
		}
		if host, ok := strings.CutPrefix(s.Command, "ssh "); ok {
			exit()
			add(s.Command, i+1)
			ssh = host
			continue
		}
		if ssh != "" && !onHost(s.Command) {
			exit()
		}
		add(s.Command, i+1)
	}
	exit()
	t := st.Target
	if _, err := netip.ParseAddr(t.Host); err != nil {
		add("dig "+t.Host, 0)
	}
	switch t.Scheme {
	case "http", "https":
		add("curl -v "+t.String(), 0)
		add(fmt.Sprintf("nc -zv %s %d", t.Host, t.Port), 0)
		add(fmt.Sprintf("traceroute -T -p %d %s", t.Port, t.Host), 0)
	case "udp":
		add(fmt.Sprintf("nc -zvu %s %d", t.Host, t.Port), 0)
		add(fmt.Sprintf("traceroute -p %d %s", t.Port, t.Host), 0)
	default:
		add(fmt.Sprintf("nc -zv %s %d", t.Host, t.Port), 0)
		add(fmt.Sprintf("traceroute -T -p %d %s", t.Port, t.Host), 0)
	}
	for _, lb := range balancersOn(k.Report) {
		add("show target-health "+lb, 0)
	}
	var comps []string
	for _, a := range st.Applied {
		comps = append(comps, a.Components...)
	}
	for _, c := range append(slices.Clone(st.Causes), comps...) {
		switch kind := k.World.Kind(c); {
		case kind == "instance":
			add("ssh "+c, 0)
			ssh = c
			add("ss -ltn", 0)
			add("iptables -L", 0)
			exit()
		case showWords[kind] != "":
			add("show "+showWords[kind]+" "+c, 0)
		case kind == "" && strings.Contains(c, "."):
			add("show zone "+c, 0)
		}
	}
	return plan
}

// showWords are the show kinds of the world's kinds.
var showWords = map[string]string{
	"security-group": "sg", "network-acl": "nacl", "route-table": "route-table", "load-balancer": "lb",
	"certificate": "cert", "peering": "peering", "nat-gateway": "nat-gateway", "vpc": "vpc", "subnet": "subnet",
}

// onHost reports whether a command runs on the host an ssh logged in to.
func onHost(cmd string) bool {
	w, _, _ := strings.Cut(cmd, " ")
	switch w {
	case "ss", "iptables", "ip", "hostname":
		return true
	case "curl":
		return strings.Contains(cmd, "localhost")
	}
	return false
}

// observe runs the plan in a play shell over the broken world and keeps
// each command's output. exit lines are run, not shown; a show whose
// output is the shell's error (a name this world lacks) is left out.
func observe(ctx context.Context, st *scenarios.Setup, plan []plannedCommand) ([]Observation, error) {
	var buf bytes.Buffer
	clock := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	sh, err := play.New(ctx, st, &buf, play.Options{Now: func() time.Time { return clock }})
	if err != nil {
		return nil, err
	}
	var out []Observation
	for _, p := range plan {
		host := sh.Host()
		buf.Reset()
		sh.Exec(ctx, p.line)
		if p.line == "exit" {
			continue
		}
		text := buf.String()
		if strings.HasPrefix(p.line, "show ") && (strings.HasPrefix(text, "show: ") || strings.HasPrefix(text, "usage: ")) {
			continue // a name this world does not show
		}
		if strings.HasPrefix(p.line, "tcpdump") {
			text = steadyCapture(text)
		}
		out = append(out, Observation{Host: host, Command: p.line, Output: text, Step: p.step})
	}
	return out, nil
}

// captureNumbers are the fields of a tcpdump line that vary with the
// simulated certificates' signatures from one run to the next.
var captureNumbers = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(, seq [0-9:]+|, ack [0-9]+|, length [0-9]+)`) })

// steadyCapture leaves sequence numbers, acknowledgements and lengths out
// of a capture, so that a card is the same at every run: what an
// interviewer reads out is who sends what flags to whom, and when.
func steadyCapture(text string) string {
	out := captureNumbers().ReplaceAllString(text, "")
	if out != text {
		out += "(sequence numbers and lengths left out)\n"
	}
	return out
}

// rubric derives what strong and weak candidates do from the
// investigation, the fix and the trace.
func rubric(ctx context.Context, st *scenarios.Setup, k *Key) (strong, weak []string) {
	var first string
	var narrow, confirm []debrief.Step
	for _, s := range k.Steps {
		switch {
		case s.Kind == "observe" && first == "":
			first = s.Command
			strong = append(strong, fmt.Sprintf("Observes before changing anything: `%s`, and reads it: %s.", s.Command, s.Why))
		case s.Kind == "observe":
			narrow = append(narrow, s)
		case s.Kind == "inspect":
			confirm = append(confirm, s)
		}
	}
	for _, s := range narrow {
		strong = append(strong, fmt.Sprintf("Narrows by stage: `%s`: %s.", s.Command, s.Why))
	}
	if len(confirm) > 0 {
		var cmds []string
		for _, s := range confirm {
			cmds = append(cmds, "`"+s.Command+"`")
		}
		strong = append(strong, fmt.Sprintf("Confirms at the component before touching it: %s: %s.", strings.Join(cmds, " then "), confirm[len(confirm)-1].Why))
	}
	code := st.Scenario.Expect.Code
	if rc := scenarios.RootCause(k.Report); rc != nil {
		code = rc.Code
	}
	if len(st.Causes) > 0 {
		strong = append(strong, fmt.Sprintf("Names the cause in the path's terms: %s (%s), and the stage it breaks.", strings.Join(st.Causes, ", "), code))
	}
	if lines := st.FixLines(); len(lines) > 0 {
		scope := ""
		if len(st.Fix) > 0 {
			scope = fixScope(st.Fix[0])
		}
		strong = append(strong, fmt.Sprintf("Makes the least-privilege fix: `%s`, and says why it is enough%s.", strings.Join(lines, "`, `"), scope))
	}
	recheck := first
	if recheck == "" {
		recheck = "the failing request"
	} else {
		recheck = "`" + recheck + "`"
	}
	lbs := balancersOn(k.Report)
	if len(lbs) > 0 {
		recheck += fmt.Sprintf(" and `show target-health %s`", lbs[0])
	}
	strong = append(strong, fmt.Sprintf("Re-checks: runs %s again, and asks what else the change opened.", recheck))

	weak = append(weak, "Guesses fixes before observing: "+misdirection(k.Report)+".")
	if b, rc := k.Report.BrokenAt, scenarios.RootCause(k.Report); b != nil && rc != nil && rc.Component != b.Component {
		weak = append(weak, fmt.Sprintf("Stops at the symptom: blames %s (%s) instead of what it cannot reach, %s.", b.Component, b.Code, rc.Component))
	}
	for _, d := range st.Decoys() {
		weak = append(weak, fmt.Sprintf("Chases the red herring: %s, which the request never meets.", d.Summary))
	}
	if len(st.Fix) > 0 {
		if line, text := weakFix(st.Fix[0]); text != "" {
			s := "Over-reaches: " + text
			if line != "" {
				s = fmt.Sprintf("Over-reaches: `%s` %s", line, text)
				if ws := reviewOf(ctx, st, line); len(ws) > 0 {
					s += fmt.Sprintf("; the review says: %s", ws[0].Message)
				}
			}
			weak = append(weak, s+".")
		}
	}
	weak = append(weak, "Skips the check: calls it fixed without re-running the request, or without looking at what else the change let through.")
	return strong, weak
}

// fixScope says what a least-privilege security group or ACL fix is
// limited to.
func fixScope(fix spec.Edit) string {
	switch f := fix.(type) {
	case spec.SGRuleEdit:
		if f.Op != "add" {
			return ""
		}
		proto, _ := spec.NormProto(f.Rule.Protocol)
		ports := spec.PortsText(f.Rule.Protocol, f.Rule.Ports)
		if f.Dir == "ingress" {
			return fmt.Sprintf(" (%s %s only, from %s only)", proto, ports, f.Rule.Source)
		}
		return fmt.Sprintf(" (%s %s only, to %s only)", proto, ports, f.Rule.Destination)
	case spec.NACLRuleEdit:
		if f.Op != "add" {
			return ""
		}
		proto, _ := spec.NormProto(f.Rule.Protocol)
		return fmt.Sprintf(" (%s %s for %s only)", proto, spec.PortsText(f.Rule.Protocol, f.Rule.Ports), f.Rule.CIDR)
	}
	return ""
}

// misdirection is what a guesser changes, given where the request breaks.
func misdirection(r *tracer.Report) string {
	b := r.BrokenAt
	if b == nil {
		return "closes the ticket because the site works, or restarts the targets, without asking the balancer why its targets fail"
	}
	switch b.Stage {
	case tracer.StageDNS:
		return "opens security groups, changes routes or restarts the app although the name does not resolve: no packet has left yet"
	case tracer.StageTCP, tracer.StageUDP:
		if obs := scenarios.Observation(r); strings.Contains(obs, "refused") {
			return "opens security groups or changes routes although the connection is refused: a refusal means the packet arrived and the host said no"
		}
		return "restarts the app or edits DNS although the name resolves and the connection times out: silence means a filter or a route"
	case tracer.StageTLS:
		return "opens ports or restarts the app although TCP connects and the handshake fails on the certificate, or tests with curl -k and stops there"
	}
	return fmt.Sprintf("edits DNS or the filters in front of %s although curl connects and gets an answer: the fault is behind the listener", b.Component)
}

// weakFix is the over-broad version of a reference fix: a fix command
// when one says it, and what is wrong with it.
func weakFix(fix spec.Edit) (line, text string) {
	switch f := fix.(type) {
	case spec.SGRuleEdit:
		if f.Op == "add" && f.Dir == "ingress" {
			wide := spec.SGRuleEdit{Group: f.Group, Op: "add", Dir: "ingress", Rule: spec.SGRuleSpec{Protocol: "all", Source: "0.0.0.0/0"}}
			return wide.String(), fmt.Sprintf("opens every port of %s to the internet", f.Group)
		}
		if f.Op == "add" && f.Dir == "egress" {
			wide := spec.SGRuleEdit{Group: f.Group, Op: "add", Dir: "egress", Rule: spec.SGRuleSpec{Protocol: "all", Destination: "0.0.0.0/0"}}
			return wide.String(), fmt.Sprintf("lets %s send anything anywhere", f.Group)
		}
		return "", fmt.Sprintf("adds allow-all rules to %s instead of correcting the one rule", f.Group)
	case spec.NACLRuleEdit:
		if f.Op == "add" {
			wide := spec.NACLRuleEdit{ACL: f.ACL, Op: "add", Dir: f.Dir, Rule: spec.ACLRuleSpec{Rule: f.Rule.Rule, Action: "allow", Protocol: "all", CIDR: "0.0.0.0/0"}}
			return wide.String(), fmt.Sprintf("lets every protocol and port through %s", f.ACL)
		}
		return "", fmt.Sprintf("puts an allow-all rule in front of %s's deny instead of removing it", f.ACL)
	case spec.RouteEdit:
		return "", fmt.Sprintf("changes routes without reading %s first, or points a private subnet's default route at the internet gateway", f.Table)
	case spec.FirewallEdit:
		return "", fmt.Sprintf("flushes every rule of %s's firewall (iptables -F) instead of removing the one that matches", f.Host)
	case spec.ServiceEdit:
		return "", fmt.Sprintf("restarts the services of %s blindly, or binds them to every address, without reading ss -ltn", f.Host)
	case spec.LBHealthCheckEdit:
		return "", fmt.Sprintf("points %s's health check at anything that answers 200, or turns it off, hiding real failures", f.LB)
	case spec.CertRenewEdit, spec.CertReissueEdit:
		return "", "tests with curl -k and calls it fixed, or tells users to click through the warning"
	case spec.SrcDstEdit:
		return "", fmt.Sprintf("turns the source/destination check off on every instance, or opens %s's security groups to everything, instead of on the one that routes", f.Instance)
	case spec.DNSAliasEdit:
		return "", fmt.Sprintf("pins the balancer's addresses in /etc/hosts, or opens port 443 on whatever %s answers with, instead of pointing the alias at the right balancer", f.Name)
	case spec.CrossZoneEdit:
		return "", fmt.Sprintf("registers every instance with %s, or adds nodes in every subnet, without asking which zone the client's node is in", f.LB)
	case spec.PeeringEdit, spec.PeeringStatusEdit:
		return "", "peers every VPC with every other, or routes 0.0.0.0/0 over the peering"
	case spec.AttachmentEdit:
		return "", fmt.Sprintf("associates and propagates %s everywhere, or routes around the inspection VPC, instead of reading the transit gateway's tables", f.Attachment)
	case spec.PropagationEdit:
		return "", fmt.Sprintf("propagates every attachment into every table, or adds static routes to %s by hand, so that traffic bypasses inspection", f.Table)
	case spec.VPNEdit:
		return "", fmt.Sprintf("re-creates %s (new tunnel addresses and keys) instead of reading the tunnels' status and the customer gateway's logs", f.VPN)
	case spec.EndpointEdit:
		return "", fmt.Sprintf("gives the VPC a NAT gateway to reach the service over the internet instead of mending endpoint %s", f.Endpoint)
	case spec.LBRuleDeleteEdit, spec.LBRulePriorityEdit, spec.LBRuleActionEdit, spec.LBRuleAddEdit:
		lb, _ := fixLB(fix)
		return "", fmt.Sprintf("deletes all of %s's listener rules, or piles another rule in at priority 1, instead of reading the rules in priority order (describe-rules) and mending the one that acts", lb)
	}
	if zone, ok := fixZone(fix); ok {
		return "", fmt.Sprintf("pins an address in the client's /etc/hosts, or lowers TTLs and waits, instead of mending %s", zone)
	}
	if lb, ok := fixLB(fix); ok {
		return "", fmt.Sprintf("recreates %s, or registers every instance in its target groups", lb)
	}
	return "", ""
}

// fixZone is the zone a DNS fix edits.
func fixZone(fix spec.Edit) (string, bool) {
	switch f := fix.(type) {
	case spec.DNSRecordEdit:
		return f.Zone, true
	case spec.DNSDelegateEdit:
		return f.Zone, true
	case spec.ZoneAssocEdit:
		return f.Zone, true
	case spec.ZoneEdit:
		return f.Zone, true
	}
	return "", false
}

// fixLB is the balancer a load balancer fix edits.
func fixLB(fix spec.Edit) (string, bool) {
	switch f := fix.(type) {
	case spec.LBHealthCheckEdit:
		return f.LB, true
	case spec.LBTargetEdit:
		return f.LB, true
	case spec.LBTargetGroupPortEdit:
		return f.LB, true
	case spec.LBListenerCertEdit:
		return f.LB, true
	case spec.LBListenerActionEdit:
		return f.LB, true
	case spec.LBListenerAddEdit:
		return f.LB, true
	case spec.LBListenerRemoveEdit:
		return f.LB, true
	case spec.LBRuleDeleteEdit:
		return f.LB, true
	case spec.LBRulePriorityEdit:
		return f.LB, true
	case spec.LBRuleActionEdit:
		return f.LB, true
	case spec.LBRuleAddEdit:
		return f.LB, true
	}
	return "", false
}

// reviewOf applies a fix line to the broken world and returns what the
// fix review says of it; none when it does not apply.
func reviewOf(ctx context.Context, st *scenarios.Setup, line string) []scenarios.Warning {
	f, err := scenarios.ParseFixLine(line)
	if err != nil {
		return nil
	}
	fixed, fw, _, err := scenarios.Change(st.Broken, f)
	if err != nil {
		return nil
	}
	return scenarios.ReviewWorld(ctx, st, fixed, fw)
}

// WriteMarkdown writes the card as Markdown, to print or to paste.
func (c *Card) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Interviewer card: %s\n\n", c.Title)
	fmt.Fprintf(&b, "`%s` · %s · %s · world %s", c.ID, c.Difficulty, strings.Join(c.Topics, ", "), c.World)
	if c.Seed != nil {
		fmt.Fprintf(&b, " · seed %d", *c.Seed)
	}
	b.WriteString("\n\n## The ticket (read it aloud)\n\n")
	for _, l := range strings.Split(c.Ticket, "\n") {
		b.WriteString(strings.TrimRight("> "+l, " ") + "\n")
	}
	fmt.Fprintf(&b, "\nThe candidate is on **%s**; the request is `%s`.\n", c.From, c.Request)

	b.WriteString("\n## The hidden fault (do not read aloud)\n\n")
	for _, f := range c.Faults {
		tag := ""
		if f.Decoy {
			tag = " *(a red herring: the request never meets it)*"
		}
		fmt.Fprintf(&b, "- `%s`: %s%s\n", f.Kind, f.Summary, tag)
	}
	fmt.Fprintf(&b, "\nThe first look shows `%s`. Accept as the cause: %s.\n\nThe reference fix:\n\n```\n%s\n```\n", c.Code, backquote(c.Causes), strings.Join(c.Fix, "\n"))
	if c.Explanation != "" {
		b.WriteString("\n" + c.Explanation + "\n")
	}

	b.WriteString("\n## The efficient investigation\n\n")
	for i, s := range c.Investigation {
		fmt.Fprintf(&b, "%d. %s `%s`: %s\n", i+1, s.Kind, s.Command, s.Why)
	}

	b.WriteString("\n## What the commands show in this world\n\nWhen the candidate asks \"what does this command say?\", read the output.\n")
	for _, o := range c.Observations {
		step := ""
		if o.Step > 0 {
			step = fmt.Sprintf(" (investigation step %d)", o.Step)
		}
		fmt.Fprintf(&b, "\n### `%s` on %s%s\n\n```\n%s```\n", o.Command, o.Host, step, ensureNewline(o.Output))
	}

	b.WriteString("\n## Hints, when the candidate is stuck (in order)\n\n")
	for i, h := range c.Hints {
		fmt.Fprintf(&b, "%d. %s\n", i+1, strings.TrimSpace(h))
	}
	b.WriteString("\n## Rubric\n\n**Strong candidates**\n\n")
	for _, s := range c.Strong {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	b.WriteString("\n**Weak candidates**\n\n")
	for _, s := range c.Weak {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	b.WriteString("\n## Follow-up questions\n")
	for i, f := range c.FollowUps {
		fmt.Fprintf(&b, "\n%d. **%s** *(%s)*\n\n   Model answer: %s\n", i+1, f.Question, f.Concept, f.ModelAnswer)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the card as plain text, wrapped at 78 columns.
func (c *Card) WriteText(w io.Writer) error {
	var b strings.Builder
	heading := func(s string) { fmt.Fprintf(&b, "\n%s\n%s\n", s, strings.Repeat("=", len(s))) }
	fmt.Fprintf(&b, "INTERVIEWER CARD: %s\n", c.Title)
	fmt.Fprintf(&b, "%s · %s · %s · world %s", c.ID, c.Difficulty, strings.Join(c.Topics, ", "), c.World)
	if c.Seed != nil {
		fmt.Fprintf(&b, " · seed %d", *c.Seed)
	}
	b.WriteString("\n")
	heading("The ticket (read it aloud)")
	for _, l := range strings.Split(c.Ticket, "\n") {
		if strings.TrimSpace(l) == "" {
			b.WriteString("\n")
			continue
		}
		tracer.Wrap(&b, l, "  ", "  ", 80) // a written ticket keeps its lines
	}
	fmt.Fprintf(&b, "\nThe candidate is on %s; the request is %s.\n", c.From, c.Request)

	heading("The hidden fault (do not read aloud)")
	for _, f := range c.Faults {
		tag := ""
		if f.Decoy {
			tag = " (a red herring: the request never meets it)"
		}
		tracer.Wrap(&b, fmt.Sprintf("%s: %s%s", f.Kind, f.Summary, tag), "  - ", "    ", 78)
	}
	b.WriteString("\n")
	tracer.Wrap(&b, fmt.Sprintf("The first look shows %s. Accept as the cause: %s.", c.Code, strings.Join(c.Causes, ", ")), "", "", 78)
	b.WriteString("\nThe reference fix:\n")
	for _, f := range c.Fix {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	if c.Explanation != "" {
		b.WriteString("\n")
		paragraphs(&b, c.Explanation, "", 78)
	}

	heading("The efficient investigation")
	for i, s := range c.Investigation {
		fmt.Fprintf(&b, "  %d. %-7s  %s\n", i+1, s.Kind, s.Command)
		tracer.Wrap(&b, s.Why, "       ", "       ", 78)
	}

	heading("What the commands show in this world")
	for _, o := range c.Observations {
		step := ""
		if o.Step > 0 {
			step = fmt.Sprintf("   (investigation step %d)", o.Step)
		}
		fmt.Fprintf(&b, "\n[%s]$ %s%s\n", o.Host, o.Command, step)
		for _, l := range strings.Split(strings.TrimRight(o.Output, "\n"), "\n") {
			b.WriteString(strings.TrimRight("    "+l, " ") + "\n")
		}
	}

	heading("Hints, when the candidate is stuck (in order)")
	for i, h := range c.Hints {
		tracer.Wrap(&b, strings.TrimSpace(h), fmt.Sprintf("  %d. ", i+1), "     ", 78)
	}
	heading("Rubric")
	b.WriteString("Strong candidates:\n")
	for _, s := range c.Strong {
		tracer.Wrap(&b, s, "  + ", "    ", 78)
	}
	b.WriteString("Weak candidates:\n")
	for _, s := range c.Weak {
		tracer.Wrap(&b, s, "  - ", "    ", 78)
	}
	heading("Follow-up questions")
	for i, f := range c.FollowUps {
		b.WriteString("\n")
		tracer.Wrap(&b, fmt.Sprintf("%s (%s)", f.Question, f.Concept), fmt.Sprintf("  %d. ", i+1), "     ", 78)
		tracer.Wrap(&b, "Model answer: "+f.ModelAnswer, "     ", "     ", 78)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func backquote(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
