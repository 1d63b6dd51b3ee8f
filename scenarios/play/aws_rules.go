package play

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// The elbv2 listener-rule commands (issue 11): describe-rules in the API's
// JSON shape (DescribeRules: Rules with RuleArn, Priority as a string,
// Conditions, Actions, IsDefault, the default rule last), and the writes
// create-rule, delete-rule, modify-rule and set-rule-priorities, each made
// of the shell's listener-rule fixes.

func addRuleAWS(awsServices map[string]map[string]*awsOp) {
	ops := awsServices["elbv2"]
	ops["describe-rules"] = &awsOp{name: "DescribeRules", run: (*Shell).awsDescribeRules, options: []string{"--listener-arn", "--rule-arns", "--max-items", "--page-size", "--starting-token"}}
	ops["delete-rule"] = &awsOp{name: "DeleteRule", run: (*Shell).awsDeleteRule, required: []string{"--rule-arn"}, options: []string{"--rule-arn"}}
	ops["set-rule-priorities"] = &awsOp{name: "SetRulePriorities", run: (*Shell).awsSetRulePriorities, required: []string{"--rule-priorities"}, options: []string{"--rule-priorities"}}
	ops["modify-rule"] = &awsOp{name: "ModifyRule", run: (*Shell).awsModifyRule, required: []string{"--rule-arn"}, options: []string{"--rule-arn", "--actions", "--conditions"}}
	ops["create-rule"] = &awsOp{name: "CreateRule", run: (*Shell).awsCreateRule, required: []string{"--listener-arn", "--priority", "--conditions", "--actions"},
		options: []string{"--listener-arn", "--priority", "--conditions", "--actions", "--tags"}}
}

// ruleARN is a listener rule's ARN; the default rule's ends in the
// listener's own id.
func (s *Shell) ruleARN(l spec.LoadBalancerSpec, port int, prio string) string {
	return strings.Replace(s.listenerARN(l, port), ":listener/", ":listener-rule/", 1) + "/" + hexOf("rule", l.Name, strconv.Itoa(port), prio)
}

// ruleRef is what a rule ARN names.
type ruleRef struct {
	lb   spec.LoadBalancerSpec
	li   spec.ListenerSpec
	prio string // "default" for the default rule
}

func (s *Shell) ruleOf(arn string) (ruleRef, bool) {
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				if arn == s.ruleARN(l, li.Port, "default") {
					return ruleRef{l, li, "default"}, true
				}
				for _, r := range li.Rules {
					if p := strconv.Itoa(r.Priority); arn == s.ruleARN(l, li.Port, p) {
						return ruleRef{l, li, p}, true
					}
				}
			}
		}
	}
	return ruleRef{}, false
}

func (s *Shell) listenerOfARN(arn string) (spec.LoadBalancerSpec, spec.ListenerSpec, bool) {
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				if arn == s.listenerARN(l, li.Port) {
					return l, li, true
				}
			}
		}
	}
	return spec.LoadBalancerSpec{}, spec.ListenerSpec{}, false
}

func conditionItems(c spec.RuleConditionSpec) []omap {
	out := []omap{}
	add := func(field, cfg string, vals []string) {
		if len(vals) > 0 {
			out = append(out, omap{{"Field", field}, {"Values", vals}, {cfg, omap{{"Values", vals}}}})
		}
	}
	add("host-header", "HostHeaderConfig", c.Host)
	add("path-pattern", "PathPatternConfig", c.Path)
	if h := c.HTTPHeader; h != nil {
		out = append(out, omap{{"Field", "http-header"}, {"HttpHeaderConfig", omap{{"HttpHeaderName", h.Name}, {"Values", h.Values}}}})
	}
	if len(c.Method) > 0 {
		out = append(out, omap{{"Field", "http-request-method"}, {"HttpRequestMethodConfig", omap{{"Values", c.Method}}}})
	}
	if len(c.SourceIP) > 0 {
		out = append(out, omap{{"Field", "source-ip"}, {"SourceIpConfig", omap{{"Values", c.SourceIP}}}})
	}
	return out
}

func (s *Shell) actionItems(forward string, r *spec.RedirectSpec, f *spec.FixedResponseSpec) []omap {
	switch {
	case forward != "":
		tg := s.tgARN(forward)
		return []omap{{{"Type", "forward"}, {"TargetGroupArn", tg}, {"Order", 1},
			{"ForwardConfig", omap{{"TargetGroups", []omap{{{"TargetGroupArn", tg}, {"Weight", 1}}}}, {"TargetGroupStickinessConfig", omap{{"Enabled", false}}}}}}}
	case r != nil:
		or := func(v, def string) string {
			if v == "" {
				return def
			}
			return v
		}
		return []omap{{{"Type", "redirect"}, {"Order", 1}, {"RedirectConfig", omap{{"Protocol", strings.ToUpper(or(r.Protocol, "#{protocol}"))}, {"Port", or(r.Port, "#{port}")},
			{"Host", or(r.Host, "#{host}")}, {"Path", or(r.Path, "/#{path}")}, {"Query", or(r.Query, "#{query}")}, {"StatusCode", or(r.StatusCode, "HTTP_301")}}}}}
	case f != nil:
		cfg := omap{{"StatusCode", strconv.Itoa(f.StatusCode)}}
		if f.ContentType != "" {
			cfg = append(cfg, kv{"ContentType", f.ContentType})
		}
		if f.MessageBody != "" {
			cfg = append(cfg, kv{"MessageBody", f.MessageBody})
		}
		return []omap{{{"Type", "fixed-response"}, {"Order", 1}, {"FixedResponseConfig", cfg}}}
	}
	return []omap{}
}

func (s *Shell) ruleItems(l spec.LoadBalancerSpec, li spec.ListenerSpec) []omap {
	rules := append([]spec.ListenerRuleSpec(nil), li.Rules...)
	sortRules(rules)
	var out []omap
	for _, r := range rules {
		p := strconv.Itoa(r.Priority)
		out = append(out, omap{{"RuleArn", s.ruleARN(l, li.Port, p)}, {"Priority", p}, {"Conditions", conditionItems(r.Conditions)},
			{"Actions", s.actionItems(r.Forward, r.Redirect, r.FixedResponse)}, {"IsDefault", false}})
	}
	def := s.actionItems(li.TargetGroup, li.DefaultRedirect, li.FixedResponse)
	if li.Redirect != "" {
		def = s.actionItems("", &spec.RedirectSpec{Protocol: strings.ToUpper(li.Redirect), Port: "443"}, nil)
	}
	return append(out, omap{{"RuleArn", s.ruleARN(l, li.Port, "default")}, {"Priority", "default"}, {"Conditions", []omap{}}, {"Actions", def}, {"IsDefault", true}})
}

func (s *Shell) awsDescribeRules(c *awsCall) error {
	lref, arns := c.one("--listener-arn"), c.opts["--rule-arns"]
	if lref == "" && len(arns) == 0 {
		return apiError("ValidationError", c.spec.name, "You must specify either listener rule ARNs or a listener ARN")
	}
	items := []omap{}
	if lref != "" {
		l, li, ok := s.listenerOfARN(lref)
		if !ok {
			return apiError("ListenerNotFound", c.spec.name, "One or more listeners not found")
		}
		items = s.ruleItems(l, li)
	}
	if len(arns) > 0 {
		var picked []omap
		for _, a := range arns {
			r, ok := s.ruleOf(a)
			if !ok {
				return apiError("RuleNotFound", c.spec.name, "One or more rules not found")
			}
			for _, it := range s.ruleItems(r.lb, r.li) {
				if it[0].v == a && (lref == "" || containsItem(items, a)) {
					picked = append(picked, it)
				}
			}
		}
		items = picked
	}
	return s.awsPrint(c, map[string]any{"Rules": items})
}

func containsItem(items []omap, arn string) bool {
	for _, it := range items {
		if it[0].v == arn {
			return true
		}
	}
	return false
}

func ruleHead(r ruleRef) []string {
	return []string{"lb", r.lb.Name, "listener", strconv.Itoa(r.li.Port), "rule"}
}

func (s *Shell) awsDeleteRule(c *awsCall) error {
	arn := c.one("--rule-arn")
	r, ok := s.ruleOf(arn)
	if !ok {
		return apiError("RuleNotFound", c.spec.name, "One or more rules not found")
	}
	if r.prio == "default" {
		return apiError("OperationNotPermitted", c.spec.name, fmt.Sprintf("Default rule '%s' cannot be deleted", arn))
	}
	return s.awsApply(c, [][]string{append(ruleHead(r), r.prio, "delete")}, "aws elbv2 delete-rule "+r.lb.Name+" "+r.prio)
}

// shorthand splits the CLI's shorthand "K=V,K=V" (values may be braced
// structures or bracketed lists, kept whole).
func shorthand(s string) map[string]string {
	out := map[string]string{}
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '{', '[':
				depth++
				continue
			case '}', ']':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if k, v, ok := strings.Cut(s[start:i], "="); ok {
			out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), "{}[]")
		}
		start = i + 1
	}
	return out
}

func (s *Shell) awsSetRulePriorities(c *awsCall) error {
	var lines [][]string
	var what []string
	for _, rp := range c.opts["--rule-priorities"] {
		m := shorthand(rp)
		r, ok := s.ruleOf(m["RuleArn"])
		if !ok {
			return apiError("RuleNotFound", c.spec.name, "One or more rules not found")
		}
		if r.prio == "default" {
			return apiError("OperationNotPermitted", c.spec.name, "The default rule's priority cannot be changed")
		}
		lines = append(lines, append(ruleHead(r), r.prio, "priority", m["Priority"]))
		what = append(what, r.prio+"→"+m["Priority"])
	}
	if err := s.awsApply(c, lines, "aws elbv2 set-rule-priorities "+strings.Join(what, " ")); err != nil {
		return err
	}
	return nil
}

// actionWords reads --actions (shorthand, one action) as fix words.
func (s *Shell) actionWords(c *awsCall) ([]string, error) {
	acts := c.opts["--actions"]
	if len(acts) != 1 {
		return nil, apiError("ValidationError", c.spec.name, "A rule takes exactly one action here: forward, redirect or fixed-response")
	}
	m := shorthand(acts[0])
	switch m["Type"] {
	case "forward":
		tg, ok := nameOf("tg", m["TargetGroupArn"], s.awsNames("tg"))
		if !ok {
			for _, v := range s.spec.VPCs {
				for _, l := range v.LoadBalancers {
					for _, g := range l.TargetGroups {
						if s.tgARN(g.Name) == m["TargetGroupArn"] {
							tg, ok = g.Name, true
						}
					}
				}
			}
		}
		if !ok {
			return nil, apiError("TargetGroupNotFound", c.spec.name, "One or more target groups not found")
		}
		return []string{"forward", tg}, nil
	case "fixed-response":
		f := shorthand(m["FixedResponseConfig"])
		w := []string{"fixed-response", f["StatusCode"]}
		if f["ContentType"] != "" {
			w = append(w, "content-type", f["ContentType"])
		}
		if f["MessageBody"] != "" {
			w = append(w, "body", f["MessageBody"])
		}
		return w, nil
	case "redirect":
		r := shorthand(m["RedirectConfig"])
		w := []string{"redirect"}
		for _, k := range []string{"Protocol", "Host", "Port", "Path", "Query"} {
			if r[k] != "" {
				w = append(w, strings.ToLower(k), r[k])
			}
		}
		if code := strings.TrimPrefix(r["StatusCode"], "HTTP_"); code != "" {
			w = append(w, "status", code)
		}
		return w, nil
	}
	return nil, apiError("ValidationError", c.spec.name, fmt.Sprintf("Action type '%s' must be one of 'forward', 'redirect', 'fixed-response'", m["Type"]))
}

func (s *Shell) awsModifyRule(c *awsCall) error {
	r, ok := s.ruleOf(c.one("--rule-arn"))
	if !ok {
		return apiError("RuleNotFound", c.spec.name, "One or more rules not found")
	}
	if r.prio == "default" || c.has("--conditions") {
		return apiError("ValidationError", c.spec.name, "Here modify-rule changes a rule's actions; the listener's default action and rule conditions are changed with the shell's lb fixes")
	}
	w, err := s.actionWords(c)
	if err != nil {
		return err
	}
	return s.awsApply(c, [][]string{append(append(ruleHead(r), r.prio), w...)}, "aws elbv2 modify-rule "+r.lb.Name+" "+r.prio)
}

func (s *Shell) awsCreateRule(c *awsCall) error {
	l, li, ok := s.listenerOfARN(c.one("--listener-arn"))
	if !ok {
		return apiError("ListenerNotFound", c.spec.name, "One or more listeners not found")
	}
	prio := c.one("--priority")
	line := []string{"lb", l.Name, "listener", strconv.Itoa(li.Port), "rule", "add", prio}
	for _, cond := range c.opts["--conditions"] {
		m := shorthand(cond)
		vals := m["Values"]
		key := map[string]string{"host-header": "host", "path-pattern": "path", "http-request-method": "method", "source-ip": "source"}[m["Field"]]
		if key == "" || vals == "" {
			return apiError("ValidationError", c.spec.name, fmt.Sprintf("Condition field '%s' with Values is one of host-header, path-pattern, http-request-method, source-ip here", m["Field"]))
		}
		line = append(line, key, vals)
	}
	w, err := s.actionWords(c)
	if err != nil {
		return err
	}
	line = append(line, w...)
	if err := s.awsApply(c, [][]string{line}, "aws elbv2 create-rule "+l.Name+" "+prio); err != nil {
		return err
	}
	for _, nl := range s.allLBs() {
		for _, nli := range nl.Listeners {
			if nl.Name == l.Name && nli.Port == li.Port {
				for _, it := range s.ruleItems(nl, nli) {
					if it[1].v == prio {
						return s.awsPrint(c, map[string]any{"Rules": []omap{it}})
					}
				}
			}
		}
	}
	return nil
}

func (s *Shell) allLBs() []spec.LoadBalancerSpec {
	var out []spec.LoadBalancerSpec
	for _, v := range s.spec.VPCs {
		out = append(out, v.LoadBalancers...)
	}
	return out
}
