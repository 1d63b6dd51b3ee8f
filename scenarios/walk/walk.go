// Package walk makes the walkthrough quiz: "what happens when you type a
// URL", asked stage by stage from a trace of any world. Every question comes
// from a hop of the trace, with distractors drawn from the same world, and
// every answer is explained by the hop that decided.
package walk

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Question is one multiple-choice question.
type Question struct {
	Stage   string   `json:"stage"`
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
	Answer  int      `json:"answer"` // index into Choices
	Reason  string   `json:"reason"` // why, from the hop that decided
}

// Letter returns the choice letter for an index: a, b, c, ...
func Letter(i int) string { return string(rune('a' + i)) }

// Parse reads an answer as a letter (a), a number (1) or the choice's text,
// and returns its index, or -1.
func (q Question) Parse(s string) int {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return -1
	}
	if len(s) == 1 && s[0] >= 'a' && int(s[0]-'a') < len(q.Choices) {
		return int(s[0] - 'a')
	}
	if len(s) == 1 && s[0] >= '1' && int(s[0]-'1') < len(q.Choices) {
		return int(s[0] - '1')
	}
	for i, c := range q.Choices {
		if strings.ToLower(c) == s {
			return i
		}
	}
	return -1
}

// pools are the world's names of each kind, for distractors.
type pools struct {
	groups, acls, certs, instances, nameservers, addrs []string
	aclRules, sgRules                                  map[string][]string
	targets                                            []string
}

func poolsOf(w *simnet.World) pools {
	s := w.Spec()
	p := pools{groups: w.Names("security-group"), acls: w.Names("network-acl"), certs: w.Names("certificate"), instances: w.Names("instance"),
		aclRules: map[string][]string{}, sgRules: map[string][]string{}}
	for _, z := range s.DNS.Zones {
		for _, ns := range z.Nameservers {
			p.nameservers = append(p.nameservers, strings.TrimSuffix(ns.Name, "."))
		}
	}
	add := func(ip string) {
		if _, err := netip.ParseAddr(ip); err == nil {
			p.addrs = append(p.addrs, ip)
		}
	}
	for _, c := range s.Internet.Clients {
		add(c.IP)
	}
	for _, sv := range s.Internet.Servers {
		add(sv.IP)
	}
	for _, v := range s.VPCs {
		for _, a := range v.NetworkACLs {
			for _, r := range append(a.Ingress, a.Egress...) {
				p.aclRules[a.Name] = append(p.aclRules[a.Name], aclRuleText(r))
			}
		}
		for _, g := range v.SecurityGroups {
			for _, r := range g.Ingress {
				p.sgRules[g.Name] = append(p.sgRules[g.Name], "ingress "+sgRuleText(r, r.Source, "from"))
			}
		}
		for _, n := range v.NATGateways {
			add(n.PrivateIP)
			add(n.PublicIP)
		}
		for _, i := range v.Instances {
			add(i.PrivateIP)
			add(i.PublicIP)
		}
		for _, l := range v.LoadBalancers {
			for _, n := range l.Nodes {
				add(n.PrivateIP)
				add(n.PublicIP)
			}
			for _, tg := range l.TargetGroups {
				p.targets = append(p.targets, tg.Targets...)
			}
		}
	}
	return p
}

func aclRuleText(r spec.ACLRuleSpec) string {
	ports := ""
	if !r.Ports.IsZero() {
		ports = " " + r.Ports.Text
	}
	return fmt.Sprintf("rule %d %s %s%s %s", r.Rule, strings.ToLower(r.Action), strings.ToLower(r.Protocol), ports, r.CIDR)
}

func sgRuleText(r spec.SGRuleSpec, peer, dir string) string {
	ports := ""
	if !r.Ports.IsZero() {
		ports = " " + r.Ports.Text
	}
	return fmt.Sprintf("%s%s %s %s", strings.ToLower(r.Protocol), ports, dir, peer)
}

// Questions makes the quiz for a trace of w: at most one question per
// decision worth asking about, in path order. rng shuffles the choices; the
// same seed gives the same quiz.
func Questions(w *simnet.World, r *tracer.Report, rng *rand.Rand) []Question {
	p := poolsOf(w)
	var qs []Question
	ask := func(stage, prompt, right, reason string, wrong []string) {
		var ds []string
		seen := map[string]bool{right: true}
		for _, d := range wrong {
			if d != "" && !seen[d] {
				seen[d] = true
				ds = append(ds, d)
			}
		}
		if len(ds) < 2 {
			return // too few plausible distractors to be a fair question
		}
		rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
		if len(ds) > 3 {
			ds = ds[:3]
		}
		choices := append([]string{right}, ds...)
		rng.Shuffle(len(choices), func(i, j int) { choices[i], choices[j] = choices[j], choices[i] })
		qs = append(qs, Question{Stage: stage, Prompt: prompt, Choices: choices, Answer: slices.Index(choices, right), Reason: reason})
	}
	asked := map[string]bool{}
	once := func(key string) bool {
		if asked[key] {
			return false
		}
		asked[key] = true
		return true
	}
	var lbNode, dnsSummary string
	if s := r.Stage(tracer.StageDNS); s != nil {
		dnsSummary = s.Summary
	}
	for _, st := range r.Stages {
		var dnsComponents []string
		for _, h := range st.Hops {
			dnsComponents = append(dnsComponents, h.Component)
		}
		for _, h := range st.Hops {
			switch {
			case h.Code == tracer.DNSQuery && h.Kind == tracer.KindNameserver && once("authority"):
				zone := strings.TrimSuffix(h.DNS.Zone, ".")
				ask(st.Name, fmt.Sprintf("The resolver has followed the delegation down from the root. Which server answers authoritatively for %s?", zone),
					h.Component, h.Text(), append(append([]string{}, p.nameservers...), filter(dnsComponents, h.Component)...))
			case h.Code == tracer.DNSCNAME && once("cname"):
				alias, target := h.DNS.Name, h.DNS.Target
				ask(st.Name, fmt.Sprintf("%s is not an address record. What does the zone answer for it?", alias),
					"an alias (CNAME) for "+target, h.Text(), []string{"an A record with the balancer's private address", "NXDOMAIN: the resolver must ask the TLD",
						"a referral to another nameserver", "an MX record"})
			case h.Code == tracer.Sent && st.Name == tracer.StageTCP && once("connect"):
				dst := sentDestination(h.Flow)
				if dst == "" {
					continue
				}
				why := "the target is an address: no DNS lookup"
				if dnsSummary != "" {
					why = "the first address of the DNS answer (" + dnsSummary + ")"
				}
				ask(st.Name, fmt.Sprintf("Which address does %s send its SYN to?", h.Component), dst, why, filter(p.addrs, dst))
			case h.Code == tracer.IGWTranslate && h.Direction == tracer.Forward && h.Flow.IsValid() && !h.Flow.Src.Addr().IsPrivate() && once("igw-in"):
				ask(st.Name, fmt.Sprintf("The SYN reaches internet gateway %s. What does it do with it?", h.Component),
					"maps the public destination to the private address: "+h.Text(), "an internet gateway maps each public address one to one to a private one, in both directions",
					[]string{"rewrites the source to its own address, like a NAT gateway", "forwards it unchanged: the VPC routes public addresses itself",
						"drops it: internet gateways only carry outbound traffic"})
			case h.Code == tracer.SGAllow && h.Direction == tracer.Forward && h.Matched != nil && h.Matched.Ingress && once("sg-in-"+st.Name):
				ask(st.Name, fmt.Sprintf("Which security group admits the SYN into %s?", firstNonEmpty(h.Peer, "its destination")), h.Component, h.Text()+" — "+h.Rule,
					filter(p.groups, h.Component))
				rules := filter(p.sgRules[h.Component], h.Rule)
				for _, g := range p.groups {
					if g != h.Component {
						rules = append(rules, p.sgRules[g]...)
					}
				}
				ask(st.Name, fmt.Sprintf("Which rule of %s matched?", h.Component), h.Rule, h.Text(), filter(rules, h.Rule))
			case h.Code == tracer.SGStateful && once("stateful-"+st.Name):
				ask(st.Name, fmt.Sprintf("The reply leaves through %s, which has no rule for it. Why is it allowed?", h.Component),
					"security groups are stateful: replies of tracked connections pass", h.Text(),
					[]string{"its egress rules allow all traffic by default", "the network ACL allowed it, and ACLs decide for replies",
						"replies are never filtered in a VPC"})
			case h.Code == tracer.NACLAllow && h.Direction == tracer.Return && once("acl-reply-"+st.Name):
				ask(st.Name, fmt.Sprintf("The reply crosses %s (%s). Which rule lets it through?", h.Component, aclWhere(h)), h.Rule, h.Text(),
					filter(append(append([]string{}, p.aclRules[h.Component]...), otherRules(p, h.Component)...), h.Rule))
			case h.Code == tracer.TLSOK && once("cert"):
				name := ""
				if h.Matched != nil {
					name = h.Matched.Target
				}
				ask(st.Name, fmt.Sprintf("Which certificate does %s present?", h.Component), name, h.Text(),
					append(filter(p.certs, name), "none: TLS passes through to the app server, which presents its own", "a self-signed certificate made at boot"))
			case h.Code == tracer.LBListener:
				lbNode = h.Component
			case h.Code == tracer.LBForward && h.Direction == tracer.Forward && st.Name == tracer.StageHTTP && h.Peer != "" && once("target"):
				target := h.Peer
				why := "it passed its health check"
				if !slices.ContainsFunc(st.Hops, func(x tracer.Hop) bool { return x.Code == tracer.LBHealthy }) {
					why = "no target is healthy, so the balancer fails open"
				}
				var wrong []string
				for _, t := range p.targets {
					if t != target {
						wrong = append(wrong, t+": it failed its health check", t+": round robin, health does not matter")
					}
				}
				wrong = append(wrong, target+": targets are chosen by the client's address")
				ask(st.Name, fmt.Sprintf("Which target does %s send the request to, and why?", firstNonEmpty(h.Component, lbNode)), target+": "+why, h.Text(), wrong)
			case h.Code == tracer.RouteMatch && h.Direction == tracer.Forward && h.Matched != nil && h.Matched.Prefix.IsValid() && h.Matched.Prefix.Bits() == 0 && once("default-route"):
				ask(st.Name, fmt.Sprintf("Which route of %s carries the packet on?", h.Component), h.Rule, h.Text(),
					[]string{h.Matched.Prefix.String() + " → local", "0.0.0.0/0 → blackhole", "10.0.0.0/8 → " + h.Matched.Target})
			}
		}
	}
	return qs
}

func filter(ss []string, not string) []string {
	var out []string
	for _, s := range ss {
		if s != not {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sentDestination is the address a connection's first packet goes to;
// empty for a flow without ports (ICMP) or none recorded.
func sentDestination(f tracer.Flow) string {
	if !f.IsValid() || f.Proto == tracer.ICMP {
		return ""
	}
	return f.Dst.Addr().String()
}

// interfaceOf reads "... allowed (on NAME)".
// aclWhere is where an ACL hop's packet crosses: "entering subnet NAME"
// or "leaving subnet NAME".
func aclWhere(h tracer.Hop) string {
	if h.Matched == nil || h.Peer == "" {
		return "on the way back"
	}
	if h.Matched.Ingress {
		return "entering subnet " + h.Peer
	}
	return "leaving subnet " + h.Peer
}

func otherRules(p pools, not string) []string {
	var out []string
	for _, a := range p.acls {
		if a != not {
			out = append(out, p.aclRules[a]...)
		}
	}
	return out
}
