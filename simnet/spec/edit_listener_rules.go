package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Edits of application balancer listener rules (issue 11), the shell's
// counterparts of elbv2 create-rule, delete-rule, set-rule-priorities and
// modify-rule:
//
//	lb NAME listener PORT rule add PRIO CONDITION... ACTION
//	lb NAME listener PORT rule PRIO delete
//	lb NAME listener PORT rule PRIO priority N
//	lb NAME listener PORT rule PRIO ACTION
//
// A CONDITION is host H[,H], path P[,P], method M[,M], source CIDR[,CIDR]
// or header NAME V[,V]; an ACTION is forward TG, fixed-response STATUS
// [content-type CT] [body TEXT], or redirect [protocol P] [host H] [port N]
// [path P] [query Q] [status 301|302].

// LBRuleAddEdit adds a listener rule.
type LBRuleAddEdit struct {
	LB   string
	Port int
	Rule ListenerRuleSpec
}

// LBRuleDeleteEdit deletes the listener rule of a priority.
type LBRuleDeleteEdit struct {
	LB             string
	Port, Priority int
}

// LBRulePriorityEdit moves a rule to another priority.
type LBRulePriorityEdit struct {
	LB                 string
	Port, Priority, To int
}

// LBRuleActionEdit sets a rule's action (one of the three).
type LBRuleActionEdit struct {
	LB             string
	Port, Priority int
	Forward        string
	Redirect       *RedirectSpec
	FixedResponse  *FixedResponseSpec
}

func init() {
	EditUsage["lb"] = append(EditUsage["lb"],
		"lb NAME listener PORT rule add PRIO [host H,..] [path P,..] [method M,..] [source CIDR,..] [header NAME V,..] ACTION",
		"lb NAME listener PORT rule PRIO delete",
		"lb NAME listener PORT rule PRIO priority N",
		"lb NAME listener PORT rule PRIO forward TG | fixed-response STATUS [content-type CT] [body TEXT] | redirect [protocol P] [host H] [port N] [path P] [query Q] [status 301|302]")
}

const ruleUsage = "listener PORT rule takes add PRIO CONDITION... ACTION, or PRIO delete, PRIO priority N, PRIO ACTION"

func priorityArg(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPriority || strconv.Itoa(n) != s {
		return 0, usagef("lb", "priority %q is not a number from 1 to %d", s, MaxPriority)
	}
	return n, nil
}

// parseRuleEdit reads w = lb NAME listener PORT rule ...
func parseRuleEdit(w []string, name string) (Edit, error) {
	port, err := portArg("lb", w[3])
	if err != nil {
		return nil, err
	}
	if len(w) < 7 {
		return nil, wordCount("lb", ruleUsage)
	}
	if w[5] == "add" {
		prio, err := priorityArg(w[6])
		if err != nil {
			return nil, err
		}
		r := ListenerRuleSpec{Priority: prio}
		rest := w[7:]
		for len(rest) > 0 && !isActionWord(rest[0]) {
			if len(rest) < 2 {
				return nil, usagef("lb", "condition %q needs its values", rest[0])
			}
			switch rest[0] {
			case "host", "path", "method", "source":
				vals, err := listArg(rest[1])
				if err != nil {
					return nil, err
				}
				dst := map[string]*[]string{"host": &r.Conditions.Host, "path": &r.Conditions.Path, "method": &r.Conditions.Method, "source": &r.Conditions.SourceIP}[rest[0]]
				if *dst != nil {
					return nil, usagef("lb", "condition %s is given twice", rest[0])
				}
				*dst = vals
				rest = rest[2:]
			case "header":
				if len(rest) < 3 || r.Conditions.HTTPHeader != nil {
					return nil, usagef("lb", "header takes NAME V[,V], once")
				}
				if err := nameArg("lb", "header name", rest[1]); err != nil {
					return nil, err
				}
				vals, err := listArg(rest[2])
				if err != nil {
					return nil, err
				}
				r.Conditions.HTTPHeader = &HeaderConditionSpec{Name: rest[1], Values: vals}
				rest = rest[3:]
			default:
				return nil, usagef("lb", "%q is not a condition (host, path, method, source, header) or an action (forward, redirect, fixed-response)", rest[0])
			}
		}
		if len(rest) == 0 {
			return nil, usagef("lb", "the rule needs an action: forward TG, redirect ... or fixed-response STATUS")
		}
		a, err := parseRuleAction(rest)
		if err != nil {
			return nil, err
		}
		r.Forward, r.Redirect, r.FixedResponse = a.Forward, a.Redirect, a.FixedResponse
		return LBRuleAddEdit{LB: name, Port: port, Rule: r}, nil
	}
	prio, err := priorityArg(w[5])
	if err != nil {
		return nil, err
	}
	switch w[6] {
	case "delete":
		if len(w) != 7 {
			return nil, wordCount("lb", "rule PRIO delete takes nothing more")
		}
		return LBRuleDeleteEdit{LB: name, Port: port, Priority: prio}, nil
	case "priority":
		if len(w) != 8 {
			return nil, wordCount("lb", "rule PRIO priority takes N")
		}
		to, err := priorityArg(w[7])
		if err != nil {
			return nil, err
		}
		return LBRulePriorityEdit{LB: name, Port: port, Priority: prio, To: to}, nil
	}
	if !isActionWord(w[6]) {
		return nil, usagef("lb", "%q: a rule can be deleted, given a priority, or given an action (forward, redirect, fixed-response)", w[6])
	}
	a, err := parseRuleAction(w[6:])
	if err != nil {
		return nil, err
	}
	a.LB, a.Port, a.Priority = name, port, prio
	return a, nil
}

func isActionWord(s string) bool {
	return s == "forward" || s == "redirect" || s == "fixed-response"
}

// listArg splits V[,V]: at most maxPerCondition values, none empty.
func listArg(s string) ([]string, error) {
	vals := strings.Split(s, ",")
	if len(vals) > MaxPerCondition || slices.Contains(vals, "") {
		return nil, usagef("lb", "%q: want 1 to %d values separated by commas", s, MaxPerCondition)
	}
	return vals, nil
}

// parseRuleAction reads an action's words into an LBRuleActionEdit.
func parseRuleAction(w []string) (LBRuleActionEdit, error) {
	var a LBRuleActionEdit
	switch w[0] {
	case "forward":
		if len(w) != 2 || w[1] == "" {
			return a, wordCount("lb", "forward takes a target group")
		}
		a.Forward = w[1]
	case "fixed-response":
		if len(w) < 2 {
			return a, wordCount("lb", "fixed-response takes STATUS [content-type CT] [body TEXT]")
		}
		st, err := strconv.Atoi(w[1])
		if err != nil || st < 100 || st > 599 || strconv.Itoa(st) != w[1] {
			return a, usagef("lb", "status %q is not an HTTP status such as 503", w[1])
		}
		f := &FixedResponseSpec{StatusCode: st}
		seen := map[string]bool{}
		for rest := w[2:]; len(rest) > 0; rest = rest[2:] {
			if len(rest) < 2 || seen[rest[0]] || rest[1] == "" {
				return a, usagef("lb", "fixed-response takes content-type CT and body TEXT, each once")
			}
			seen[rest[0]] = true
			switch rest[0] {
			case "content-type":
				f.ContentType = rest[1]
			case "body":
				f.MessageBody = rest[1]
			default:
				return a, usagef("lb", "%q is not content-type or body", rest[0])
			}
		}
		a.FixedResponse = f
	case "redirect":
		r := &RedirectSpec{}
		seen := map[string]bool{}
		for rest := w[1:]; len(rest) > 0; rest = rest[2:] {
			if len(rest) < 2 || seen[rest[0]] || rest[1] == "" {
				return a, usagef("lb", "redirect takes protocol, host, port, path, query and status, each once with a value")
			}
			seen[rest[0]] = true
			switch rest[0] {
			case "protocol":
				r.Protocol = rest[1]
			case "host":
				r.Host = rest[1]
			case "port":
				r.Port = rest[1]
			case "path":
				r.Path = rest[1]
			case "query":
				r.Query = rest[1]
			case "status":
				if rest[1] != "301" && rest[1] != "302" {
					return a, usagef("lb", "redirect status is 301 or 302, not %q", rest[1])
				}
				r.StatusCode = "HTTP_" + rest[1]
			default:
				return a, usagef("lb", "%q is not protocol, host, port, path, query or status", rest[0])
			}
		}
		a.Redirect = r
	}
	return a, nil
}

// actionWords is an action as parseRuleAction reads it.
func actionWords(forward string, r *RedirectSpec, f *FixedResponseSpec) []string {
	switch {
	case forward != "":
		return []string{"forward", forward}
	case f != nil:
		w := []string{"fixed-response", strconv.Itoa(f.StatusCode)}
		if f.ContentType != "" {
			w = append(w, "content-type", f.ContentType)
		}
		if f.MessageBody != "" {
			w = append(w, "body", f.MessageBody)
		}
		return w
	case r != nil:
		w := []string{"redirect"}
		for _, kv := range [][2]string{{"protocol", r.Protocol}, {"host", r.Host}, {"port", r.Port}, {"path", r.Path}, {"query", r.Query}, {"status", strings.TrimPrefix(r.StatusCode, "HTTP_")}} {
			if kv[1] != "" {
				w = append(w, kv[0], kv[1])
			}
		}
		return w
	}
	return []string{"forward", ""}
}

func ruleHead(lb string, port int) []string {
	return []string{"lb", lb, "listener", strconv.Itoa(port), "rule"}
}

func (e LBRuleAddEdit) String() string {
	w := append(ruleHead(e.LB, e.Port), "add", strconv.Itoa(e.Rule.Priority))
	c := e.Rule.Conditions
	for _, kv := range []struct {
		k string
		v []string
	}{{"host", c.Host}, {"path", c.Path}, {"method", c.Method}, {"source", c.SourceIP}} {
		if len(kv.v) > 0 {
			w = append(w, kv.k, strings.Join(kv.v, ","))
		}
	}
	if h := c.HTTPHeader; h != nil {
		w = append(w, "header", h.Name, strings.Join(h.Values, ","))
	}
	return JoinLine(append(w, actionWords(e.Rule.Forward, e.Rule.Redirect, e.Rule.FixedResponse)...))
}

func (e LBRuleDeleteEdit) String() string {
	return JoinLine(append(ruleHead(e.LB, e.Port), strconv.Itoa(e.Priority), "delete"))
}

func (e LBRulePriorityEdit) String() string {
	return JoinLine(append(ruleHead(e.LB, e.Port), strconv.Itoa(e.Priority), "priority", strconv.Itoa(e.To)))
}

func (e LBRuleActionEdit) String() string {
	return JoinLine(append(append(ruleHead(e.LB, e.Port), strconv.Itoa(e.Priority)), actionWords(e.Forward, e.Redirect, e.FixedResponse)...))
}

// findRule finds the listener's rule of a priority.
func findRule(s *WorldSpec, lb string, port, prio int) (*ListenerSpec, int, error) {
	l, err := lbFor(s, lb)
	if err != nil {
		return nil, -1, err
	}
	li, _, err := findListener(l, port)
	if err != nil {
		return nil, -1, err
	}
	var prios []string
	for i, r := range li.Rules {
		if r.Priority == prio {
			return li, i, nil
		}
		prios = append(prios, strconv.Itoa(r.Priority))
	}
	if len(prios) == 0 {
		return li, -1, fmt.Errorf("%s's listener on port %d has no rules", lb, port)
	}
	return li, -1, fmt.Errorf("%s's listener on port %d has no rule of priority %d (priorities: %s)", lb, port, prio, strings.Join(prios, ", "))
}

// insertRule puts r among the rules in priority order.
func insertRule(li *ListenerSpec, r ListenerRuleSpec) {
	i := 0
	for i < len(li.Rules) && li.Rules[i].Priority < r.Priority {
		i++
	}
	li.Rules = slices.Insert(li.Rules, i, r)
}

func (e LBRuleAddEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBRuleAddEdit) apply(s *WorldSpec) (Edit, string, error) {
	li, i, err := findRule(s, e.LB, e.Port, e.Rule.Priority)
	if li == nil {
		return nil, "", err
	}
	if i >= 0 {
		return nil, "", fmt.Errorf("%s's listener on port %d already has a rule of priority %d; give the new one another", e.LB, e.Port, e.Rule.Priority)
	}
	insertRule(li, cloneRule(e.Rule))
	return LBRuleDeleteEdit{LB: e.LB, Port: e.Port, Priority: e.Rule.Priority},
		fmt.Sprintf("%s: listener %d has a new rule %d (%s)", e.LB, e.Port, e.Rule.Priority, ConditionText(e.Rule.Conditions)), nil
}

func (e LBRuleDeleteEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBRuleDeleteEdit) apply(s *WorldSpec) (Edit, string, error) {
	li, i, err := findRule(s, e.LB, e.Port, e.Priority)
	if i < 0 {
		return nil, "", err
	}
	old := li.Rules[i]
	li.Rules = slices.Delete(li.Rules, i, i+1)
	if len(li.Rules) == 0 {
		li.Rules = nil
	}
	return LBRuleAddEdit{LB: e.LB, Port: e.Port, Rule: old}, fmt.Sprintf("%s: deleted rule %d of listener %d", e.LB, e.Priority, e.Port), nil
}

func (e LBRulePriorityEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBRulePriorityEdit) apply(s *WorldSpec) (Edit, string, error) {
	li, i, err := findRule(s, e.LB, e.Port, e.Priority)
	if i < 0 {
		return nil, "", err
	}
	if _, j, _ := findRule(s, e.LB, e.Port, e.To); j >= 0 && j != i {
		return nil, "", fmt.Errorf("priority %d is already taken by another rule of %s's listener on port %d; move that one first", e.To, e.LB, e.Port)
	}
	r := li.Rules[i]
	li.Rules = slices.Delete(li.Rules, i, i+1)
	r.Priority = e.To
	insertRule(li, r)
	return LBRulePriorityEdit{LB: e.LB, Port: e.Port, Priority: e.To, To: e.Priority},
		fmt.Sprintf("%s: listener %d's rule %d is now rule %d", e.LB, e.Port, e.Priority, e.To), nil
}

func (e LBRuleActionEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBRuleActionEdit) apply(s *WorldSpec) (Edit, string, error) {
	n := 0
	for _, set := range []bool{e.Forward != "", e.Redirect != nil, e.FixedResponse != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, "", usagef("lb", "a rule has exactly one action: forward, redirect or fixed-response")
	}
	li, i, err := findRule(s, e.LB, e.Port, e.Priority)
	if i < 0 {
		return nil, "", err
	}
	r := &li.Rules[i]
	undo := LBRuleActionEdit{LB: e.LB, Port: e.Port, Priority: e.Priority, Forward: r.Forward, Redirect: r.Redirect, FixedResponse: r.FixedResponse}
	c := cloneRule(ListenerRuleSpec{Forward: e.Forward, Redirect: e.Redirect, FixedResponse: e.FixedResponse})
	r.Forward, r.Redirect, r.FixedResponse = c.Forward, c.Redirect, c.FixedResponse
	return undo, fmt.Sprintf("%s: listener %d's rule %d now does %s", e.LB, e.Port, e.Priority, strings.Join(actionWords(e.Forward, e.Redirect, e.FixedResponse), " ")), nil
}

// cloneRule copies a rule so that the spec shares nothing with an edit.
func cloneRule(r ListenerRuleSpec) ListenerRuleSpec {
	c := r
	c.Conditions.Host = slices.Clone(r.Conditions.Host)
	c.Conditions.Path = slices.Clone(r.Conditions.Path)
	c.Conditions.Method = slices.Clone(r.Conditions.Method)
	c.Conditions.SourceIP = slices.Clone(r.Conditions.SourceIP)
	if h := r.Conditions.HTTPHeader; h != nil {
		c.Conditions.HTTPHeader = &HeaderConditionSpec{Name: h.Name, Values: slices.Clone(h.Values)}
	}
	if r.Redirect != nil {
		x := *r.Redirect
		c.Redirect = &x
	}
	if r.FixedResponse != nil {
		x := *r.FixedResponse
		c.FixedResponse = &x
	}
	return c
}
