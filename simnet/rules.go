package simnet

import (
	"strconv"

	"github.com/pathlab/pathlab/tracer"
)

// compileRules gives every rule of the world its value as the tracer
// names it (tracer.Rule), once, so that a hop points at the rule that
// decided it instead of describing it again in words.
func (w *World) compileRules() {
	for _, rt := range w.rts {
		for i := range rt.routes {
			r := &rt.routes[i]
			target := r.target
			if r.kind == routeBlackhole {
				target = "blackhole"
			}
			r.rule = tracer.Rule{Kind: tracer.RuleRoute, Owner: rt.name, Action: tracer.ActForward, Prefix: r.dst, Target: target, Text: r.text}
		}
		rt.index = newRouteIndex(rt.routes) // routeindex.go
	}
	for _, a := range w.acls {
		for _, dir := range []struct {
			rules   []aclRule
			ingress bool
			deny    *tracer.Rule
		}{{a.ingress, true, &a.denyIn}, {a.egress, false, &a.denyOut}} {
			for i := range dir.rules {
				r := &dir.rules[i]
				act := tracer.ActDeny
				if r.allow {
					act = tracer.ActAllow
				}
				r.rule = tracer.Rule{Kind: tracer.RuleACL, Owner: a.name, Ingress: dir.ingress, Number: r.num, Action: act,
					Proto: r.proto.tracer(), PortLo: r.lo, PortHi: r.hi, Prefix: r.cidr, Text: r.text}
			}
			*dir.deny = tracer.Rule{Kind: tracer.RuleACL, Owner: a.name, Ingress: dir.ingress, Action: tracer.ActDeny, Text: "* deny all"}
		}
	}
	// Security group rules get theirs when first asked (sgindex.go).
	for _, h := range w.hosts {
		for i := range h.firewall {
			r := &h.firewall[i]
			peer := r.src
			if !r.input {
				peer = r.dst
			}
			r.rule = tracer.Rule{Kind: tracer.RuleFirewall, Owner: h.name, Ingress: r.input, Number: r.index, Action: tracer.Action(r.action),
				Proto: r.proto.tracer(), PortLo: r.lo, PortHi: r.hi, Prefix: peer, Text: strconv.Itoa(r.index) + ": " + r.text}
		}
	}
	for _, l := range w.lbs {
		for _, tg := range l.tgs {
			tg.hcRule = tracer.Rule{Kind: tracer.RuleHealthCheck, Owner: tg.name, Proto: tracer.TCP, PortLo: tg.hcPort, PortHi: tg.hcPort,
				Path: tg.hcPath, Matcher: tg.matchTx,
				Text: "health check " + tg.hcProto + ":" + strconv.Itoa(int(tg.hcPort)) + " " + tg.hcPath + " matcher " + tg.matchTx}
		}
	}
	for _, c := range w.certs {
		c.rule = tracer.Rule{Kind: tracer.RuleCertificate, Owner: c.name, Target: c.name, Text: "certificate " + c.name}
	}
}
