package reach

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Finding kinds.
const (
	Exposed  = "exposed"           // reachable from the internet, neither a public balancer nor published
	Shadowed = "shadowed-acl-rule" // an ACL rule an earlier rule always decides before it
	Unused   = "unused-sg-rule"    // a group rule no flow of the world matches
	TooBroad = "broad-sg-rule"     // a group rule admitting more ports than the flows through it need
)

// Finding is one thing an audit names: the rule, and a witness flow.
type Finding struct {
	Kind    string `json:"kind"`
	Owner   string `json:"owner"`
	Rule    string `json:"rule"`
	Detail  string `json:"detail"`
	Witness string `json:"witness"`
}

// Audit is every finding about a world.
type Audit struct {
	World    string    `json:"world"`
	Findings []Finding `json:"findings"`
}

func ruleName(r *tracer.Rule) string {
	if r.Kind == tracer.RuleACL {
		dir := "egress"
		if r.Ingress {
			dir = "ingress"
		}
		return r.Owner + " " + dir + " " + r.Text
	}
	return r.Owner + " " + r.Text
}

// AuditWorld names what is exposed to the internet without being meant to
// be, the ACL rules earlier rules shadow, the group rules no flow uses and
// those broader than the flows through them need. It walks every pair of
// endpoint profiles (and the internet) over every class, recording the
// rules each class passes.
func AuditWorld(w *simnet.World) *Audit {
	r := w.NewReach()
	r.WithRules = true
	a := &Audit{World: w.Name, Findings: []Finding{}}

	// Every pair of profile representatives, the internet as a source.
	var reps []simnet.Endpoint
	seen := map[int32]bool{}
	for _, e := range r.Endpoints() {
		if p := r.Profile(e); !seen[p] {
			seen[p] = true
			reps = append(reps, e)
		}
	}
	in, hasInternet := r.Internet()
	srcs := reps
	if hasInternet {
		srcs = append([]simnet.Endpoint{in}, reps...)
	}
	used := map[*tracer.Rule]bool{}
	openPorts := map[*tracer.Rule][]simnet.ClassVerdict{} // the open classes each rule passed
	for _, s := range srcs {
		for _, d := range reps {
			if s.Name == d.Name {
				continue
			}
			for _, c := range r.Pair(s, d) {
				for _, x := range c.Rules {
					used[x] = true
					if c.Verdict.Open {
						openPorts[x] = append(openPorts[x], c)
					}
				}
			}
		}
	}

	// Exposure: every endpoint, from the internet.
	if hasInternet {
		published := w.PublishedAddrs()
		for _, d := range r.Endpoints() {
			if d.VPC == "" || d.Kind == "load-balancer" || published[d.Public] {
				continue
			}
			for _, c := range r.Pair(in, d) {
				if !c.Verdict.Open {
					continue
				}
				rule := "(no security group)"
				owner := d.Name
				for _, x := range c.Rules {
					if x.Kind == tracer.RuleSG && x.Ingress {
						rule, owner = ruleName(x), x.Owner
					}
				}
				a.Findings = append(a.Findings, Finding{Kind: Exposed, Owner: owner, Rule: rule,
					Detail:  fmt.Sprintf("%s (%s) is reachable from the internet on %s, but is neither a public balancer nor named in a public zone", d.Name, d.Public, c.PortRange),
					Witness: witnessText(r, c.Witness, c.Verdict)})
			}
		}
	}

	// Shadowed ACL rules and group rules.
	for _, rs := range w.RuleSets() {
		for j, x := range rs.Rules {
			if rs.Kind == tracer.RuleACL {
				if by := shadowedBy(rs.Rules[:j], x); by != nil {
					verb := "decides it the same way, so it is redundant"
					if by.Action != x.Action {
						verb = fmt.Sprintf("decides it the other way (%s), so this rule never takes effect", by.Action)
					}
					a.Findings = append(a.Findings, Finding{Kind: Shadowed, Owner: x.Owner, Rule: ruleName(x),
						Detail:  fmt.Sprintf("never matched: every flow it covers meets %s first, which %s", strings.TrimPrefix(by.Text, ""), verb),
						Witness: fmt.Sprintf("%s from %s: %s decides", flowOf(x), addrOf(x), by.Text)})
				}
				continue
			}
			if !used[x] {
				a.Findings = append(a.Findings, Finding{Kind: Unused, Owner: x.Owner, Rule: ruleName(x),
					Detail: "no flow of the world matches it", Witness: unusedWitness(r, rs, x)})
				continue
			}
			if need, wt, ok := broader(x, openPorts[x]); ok {
				a.Findings = append(a.Findings, Finding{Kind: TooBroad, Owner: x.Owner, Rule: ruleName(x),
					Detail: fmt.Sprintf("admits %s, but the flows through it that connect need only %s", portsOf(x), need), Witness: wt})
			}
		}
	}
	return a
}

func flowOf(x *tracer.Rule) string {
	p := string(x.Proto)
	if p == "" {
		p = "all"
	}
	if x.Proto == tracer.TCP || x.Proto == tracer.UDP {
		return fmt.Sprintf("%s %d", p, x.PortLo)
	}
	return p
}

func addrOf(x *tracer.Rule) string {
	if x.Prefix.IsValid() {
		return x.Prefix.Addr().String()
	}
	return x.Group
}

func portsOf(x *tracer.Rule) string {
	switch x.Proto {
	case tracer.TCP, tracer.UDP:
		if x.PortLo == x.PortHi {
			return fmt.Sprintf("%s %d", x.Proto, x.PortLo)
		}
		return fmt.Sprintf("%s %d-%d", x.Proto, x.PortLo, x.PortHi)
	case "":
		return "all protocols"
	}
	return string(x.Proto)
}

// covers reports whether rule a's protocol and ports hold all of b's.
func protoCovers(a, b *tracer.Rule) bool { return a.Proto == "" || a.Proto == b.Proto }

func ported(p tracer.Proto) bool { return p == tracer.TCP || p == tracer.UDP }

// shadowedBy finds the earlier rule that decides every flow x covers: the
// earlier rules whose prefix holds x's and whose protocol covers x's
// together cover x's ports; it returns the last of those needed.
func shadowedBy(earlier []*tracer.Rule, x *tracer.Rule) *tracer.Rule {
	type span struct{ lo, hi int }
	lo, hi := 0, 65535
	if ported(x.Proto) {
		lo, hi = int(x.PortLo), int(x.PortHi)
	}
	var by *tracer.Rule
	var spans []span
	for _, e := range earlier {
		if !protoCovers(e, x) || !e.Prefix.IsValid() || !x.Prefix.IsValid() || e.Prefix.Bits() > x.Prefix.Bits() || !e.Prefix.Contains(x.Prefix.Addr()) {
			continue
		}
		if e.Proto == "" || !ported(x.Proto) {
			return e
		}
		spans = append(spans, span{int(e.PortLo), int(e.PortHi)})
		// Is [lo, hi] covered by the spans so far?
		next := lo
		for changed := true; changed && next <= hi; {
			changed = false
			for _, s := range spans {
				if s.lo <= next && s.hi >= next {
					next = s.hi + 1
					changed = true
				}
			}
		}
		if next > hi {
			by = e
			return by
		}
	}
	return nil
}

// broader: the open classes through x use fewer ports than x admits.
func broader(x *tracer.Rule, open []simnet.ClassVerdict) (string, string, bool) {
	if len(open) == 0 {
		return "", "", false
	}
	var need []simnet.PortRange
	count := 0
	for _, c := range open {
		if x.Proto != "" && c.Proto != x.Proto {
			continue
		}
		pr := c.PortRange
		if ported(x.Proto) {
			pr.Lo, pr.Hi = max(pr.Lo, x.PortLo), min(pr.Hi, x.PortHi)
			if pr.Lo > pr.Hi {
				continue
			}
		}
		dup := false
		for _, n := range need {
			if n == pr {
				dup = true
			}
		}
		if !dup {
			need = append(need, pr)
			count += int(pr.Hi-pr.Lo) + 1
		}
	}
	if len(need) == 0 {
		return "", "", false
	}
	admits := 0
	switch {
	case ported(x.Proto):
		admits = int(x.PortHi-x.PortLo) + 1
	case x.Proto == "":
		admits = 2*65535 + 1 // tcp, udp and icmp
		protos := map[tracer.Proto]bool{}
		for _, n := range need {
			protos[n.Proto] = true
		}
		if len(protos) == 3 {
			return "", "", false
		}
	default:
		return "", "", false
	}
	if count >= admits {
		return "", "", false
	}
	c := open[0]
	return Ranges(need), fmt.Sprintf("%s → %s %s (open)", c.Witness.From, c.Witness.To, targetOf(c.Witness)), true
}

func targetOf(w simnet.Witness) string {
	if t := w.Target(); t != "" {
		return t
	}
	return "icmp " + w.Addr.String()
}

func witnessText(r *simnet.Reach, w simnet.Witness, v simnet.Verdict) string {
	state := "open"
	if !v.Open {
		state = fmt.Sprintf("stopped at %s: %s", v.At, v.Code)
	}
	return fmt.Sprintf("%s → %s %s (%s)", w.From, w.To, targetOf(w), state)
}

// unusedWitness finds a flow in the rule's space and says what happens to
// it: which endpoint carries the group, which peer matches the rule.
func unusedWitness(r *simnet.Reach, rs simnet.RuleSet, x *tracer.Rule) string {
	var carriers, peers []simnet.Endpoint
	for _, e := range r.Endpoints() {
		for _, g := range e.Groups() {
			if g == x.Owner {
				carriers = append(carriers, e)
			}
			if x.Group != "" && g == x.Group {
				peers = append(peers, e)
			}
		}
		if x.Prefix.IsValid() && (x.Prefix.Contains(e.Addr) || x.Prefix.Contains(e.Public)) {
			peers = append(peers, e)
		}
	}
	if x.Prefix.IsValid() && x.Prefix.Bits() == 0 {
		if in, ok := r.Internet(); ok {
			peers = append([]simnet.Endpoint{in}, peers...)
		}
	}
	if len(carriers) == 0 {
		return fmt.Sprintf("none: nothing carries %s", x.Owner)
	}
	peer := "an endpoint of " + addrOf(x)
	if x.Prefix.IsValid() {
		peer = x.Prefix.String()
	}
	for _, c := range carriers {
		for _, p := range peers {
			if p.Name == c.Name {
				continue
			}
			src, dst := p, c
			if !rs.Ingress {
				src, dst = c, p
			}
			proto, port := x.Proto, x.PortLo
			if proto == "" {
				proto, port = tracer.TCP, 1
			}
			if proto == tracer.ICMP {
				port = 0
			}
			v := r.Flow(src, dst, proto, port)
			wt := simnet.Witness{From: src.Name, To: dst.Name, Proto: proto, Addr: r.Address(src, dst), Port: port}
			return witnessText(r, wt, v) + matchedElsewhere(v)
		}
	}
	if len(peers) > 0 {
		return fmt.Sprintf("none: only %s itself is in %s", peers[0].Name, peer)
	}
	return fmt.Sprintf("none: no endpoint is in %s", peer)
}

func matchedElsewhere(v simnet.Verdict) string {
	if v.Open {
		return "; another rule admits it first"
	}
	return ""
}

// WriteText writes the findings for people.
func (a *Audit) WriteText(out io.Writer) error {
	var b strings.Builder
	noun := "findings"
	if len(a.Findings) == 1 {
		noun = "finding"
	}
	fmt.Fprintf(&b, "audit of world %s: %d %s\n", a.World, len(a.Findings), noun)
	for _, f := range a.Findings {
		fmt.Fprintf(&b, "\n%s  %s\n  %s\n  witness: %s\n", f.Kind, f.Rule, f.Detail, f.Witness)
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteJSON writes the findings as JSON.
func (a *Audit) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}
