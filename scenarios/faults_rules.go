package scenarios

import (
	"fmt"
	"strconv"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Fault kinds of application balancer listener rules (issue 11): a
// catch-all rule that lands ahead of a specific one, a maintenance
// fixed response left in, a rule whose host condition names the wrong
// host. Each is made of listener-rule edits, so the reference fix is one
// too.

// ruleKinds are drawn for a generated scenario only when its topic is
// asked for: most worlds' listeners have no rules to shadow.
var ruleKinds = map[string]bool{"lb-rule-shadowed": true, "lb-maintenance-left-in": true}

func addRuleFaults() {
	pLB := Param{Name: "lb", Doc: "the load balancer", Required: true}
	pPort := Param{Name: "port", Doc: "the listener's port", Default: "443"}
	catalogKinds = append(catalogKinds,
		&Kind{Name: "lb-rule-shadowed", Topic: TopicLoadBalancer, Difficulty: "medium",
			Doc: "a catch-all listener rule (path /*) goes in at a lower priority number than a specific rule: it takes the specific rule's requests to the wrong target group",
			Params: []Param{pLB, pPort, {Name: "rule", Doc: "the specific rule's priority", Required: true},
				{Name: "priority", Doc: "the catch-all's priority (default: one less than the rule's)"},
				{Name: "target_group", Doc: "where the catch-all forwards (default: the listener's default target group)"}},
			Codes: []tracer.Code{tracer.HTTPStatus},
			apply: applyRuleShadowed, candidates: candRules},
		&Kind{Name: "lb-maintenance-left-in", Topic: TopicLoadBalancer, Difficulty: "easy",
			Doc:    "a maintenance rule (path /*, a fixed 503 page) put in at priority 1 for a change window is left in: the balancer answers every request itself",
			Params: []Param{pLB, pPort, {Name: "priority", Doc: "the maintenance rule's priority", Default: "1"}},
			Codes:  []tracer.Code{tracer.LBFixedResponse},
			apply:  applyMaintenanceLeftIn, candidates: candRuledListeners},
	)
}

func ruleListener(s *spec.WorldSpec, lb string, port int) (*spec.ListenerSpec, error) {
	for i := range s.VPCs {
		for j := range s.VPCs[i].LoadBalancers {
			l := &s.VPCs[i].LoadBalancers[j]
			if l.Name != lb {
				continue
			}
			for k := range l.Listeners {
				if l.Listeners[k].Port == port {
					return &l.Listeners[k], nil
				}
			}
			return nil, fmt.Errorf("%s has no listener on port %d", lb, port)
		}
	}
	return nil, fmt.Errorf("no load balancer is named %q", lb)
}

func applyRuleShadowed(s *spec.WorldSpec, p Params) (*Applied, error) {
	port, err := strconv.Atoi(p["port"])
	if err != nil {
		return nil, fmt.Errorf("port %q is not a number", p["port"])
	}
	li, err := ruleListener(s, p["lb"], port)
	if err != nil {
		return nil, err
	}
	rule, err := strconv.Atoi(p["rule"])
	if err != nil {
		return nil, fmt.Errorf("rule %q is not a priority", p["rule"])
	}
	prio := rule - 1
	if p["priority"] != "" {
		if prio, err = strconv.Atoi(p["priority"]); err != nil {
			return nil, fmt.Errorf("priority %q is not a number", p["priority"])
		}
	}
	if prio < 1 || prio >= rule {
		return nil, fmt.Errorf("the catch-all's priority %d must be from 1 to %d, ahead of rule %d", prio, rule-1, rule)
	}
	tg := p["target_group"]
	if tg == "" {
		tg = li.TargetGroup
	}
	if tg == "" {
		return nil, fmt.Errorf("%s's listener %d has no default target group; name target_group", p["lb"], port)
	}
	c := &change{s: s}
	r := spec.ListenerRuleSpec{Priority: prio, Conditions: spec.RuleConditionSpec{Path: []string{"/*"}}, Forward: tg}
	if err := c.do(spec.LBRuleAddEdit{LB: p["lb"], Port: port, Rule: r}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("added rule %d (path /*) forwarding to %s on %s's listener %d, ahead of rule %d", prio, tg, p["lb"], port, rule), p["lb"]), nil
}

// candRules: every rule that forwards, on every listener.
func candRules(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				for _, r := range li.Rules {
					if r.Forward != "" && r.Priority > 1 && li.TargetGroup != "" && li.TargetGroup != r.Forward {
						out = append(out, Params{"lb": l.Name, "port": strconv.Itoa(li.Port), "rule": strconv.Itoa(r.Priority)})
					}
				}
			}
		}
	}
	return out
}

func applyMaintenanceLeftIn(s *spec.WorldSpec, p Params) (*Applied, error) {
	port, err := strconv.Atoi(p["port"])
	if err != nil {
		return nil, fmt.Errorf("port %q is not a number", p["port"])
	}
	prio, err := strconv.Atoi(p["priority"])
	if err != nil {
		return nil, fmt.Errorf("priority %q is not a number", p["priority"])
	}
	c := &change{s: s}
	r := spec.ListenerRuleSpec{Priority: prio, Conditions: spec.RuleConditionSpec{Path: []string{"/*"}},
		FixedResponse: &spec.FixedResponseSpec{StatusCode: 503, ContentType: "text/html", MessageBody: "<h1>Down for maintenance</h1>"}}
	if err := c.do(spec.LBRuleAddEdit{LB: p["lb"], Port: port, Rule: r}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("added rule %d (path /*) answering a fixed 503 maintenance page on %s's listener %d", prio, p["lb"], port), p["lb"]), nil
}

// candRuledListeners: every http or https listener of an application
// balancer whose priority 1 is free.
func candRuledListeners(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			if l.Type == "network" {
				continue
			}
		listeners:
			for _, li := range l.Listeners {
				if li.Protocol != "http" && li.Protocol != "https" || li.TargetGroup == "" {
					continue
				}
				for _, r := range li.Rules {
					if r.Priority == 1 {
						continue listeners
					}
				}
				out = append(out, Params{"lb": l.Name, "port": strconv.Itoa(li.Port)})
			}
		}
	}
	return out
}
