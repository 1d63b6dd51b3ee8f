package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// Listener rules, redirect and fixed-response actions, and a listener's
// further certificates (aws_lb_listener_rule, aws_lb_listener_certificate;
// elbv2 describe-rules and describe-listener-certificates), mapped onto
// simnet's ListenerSpec.Rules, DefaultRedirect, FixedResponse and
// Certificates.

type listenerRef struct {
	lb  *wLB
	idx int
}

func (hy *hybridState) noteListener(arn, id string, lb *wLB, idx int) {
	if hy.lsnOf == nil {
		hy.lsnOf = map[string]listenerRef{}
	}
	for _, k := range []string{arn, id} {
		if k != "" {
			hy.lsnOf[k] = listenerRef{lb, idx}
		}
	}
}

// redirectOf reads a redirect action's redirect block. ELB's defaults
// (#{host}, /#{path}, #{query}, HTTP_301... as documented for
// RedirectActionConfig) are kept as they are written.
func redirectOf(a map[string]any) *spec.RedirectSpec {
	rd := &spec.RedirectSpec{}
	for _, m := range blocks(a, "redirect") {
		rd.Protocol = strings.ToUpper(str(m, "protocol"))
		rd.Host, rd.Port, rd.Path, rd.Query = str(m, "host"), str(m, "port"), str(m, "path"), str(m, "query")
		rd.StatusCode = strings.ToUpper(str(m, "status_code"))
	}
	// The placeholders that keep the request's own value are the
	// defaults: written empty.
	if rd.Protocol == "#{PROTOCOL}" {
		rd.Protocol = ""
	}
	if rd.Host == "#{host}" {
		rd.Host = ""
	}
	if rd.Port == "#{port}" {
		rd.Port = ""
	}
	if rd.Path == "/#{path}" {
		rd.Path = ""
	}
	if rd.Query == "#{query}" {
		rd.Query = ""
	}
	if rd.StatusCode == "HTTP_301" {
		rd.StatusCode = ""
	}
	return rd
}

// shortRedirect is the world's short form ("https", "http") of a
// redirect that changes only the scheme to its standard port; "" if the
// redirect says more.
func shortRedirect(rd *spec.RedirectSpec) string {
	if rd.Host != "" || rd.Path != "" || rd.Query != "" || rd.StatusCode != "" {
		return ""
	}
	switch {
	case rd.Protocol == "HTTPS" && rd.Port == "443":
		return "https"
	case rd.Protocol == "HTTP" && rd.Port == "80":
		return "http"
	}
	return ""
}

// fixedOf reads a fixed-response action.
func fixedOf(a map[string]any) *spec.FixedResponseSpec {
	f := &spec.FixedResponseSpec{}
	for _, m := range blocks(a, "fixed_response") {
		f.StatusCode, _ = num(m, "status_code")
		f.ContentType, f.MessageBody = str(m, "content_type"), str(m, "message_body")
	}
	return f
}

// forwardArn is a forward action's target group: target_group_arn, or the
// heaviest of a weighted forward block (the world forwards to one).
func forwardArn(a map[string]any) (arn string, weighted bool) {
	if arn = str(a, "target_group_arn"); arn != "" {
		return arn, false
	}
	best := -1
	n := 0
	for _, f := range blocks(a, "forward") {
		for _, t := range blocks(f, "target_group") {
			n++
			w, ok := num(t, "weight")
			if !ok {
				w = 1
			}
			if w > best {
				best, arn = w, str(t, "arn")
			}
		}
	}
	return arn, n > 1
}

// ruleConditions maps a rule's condition blocks; why is set when the
// world cannot hold them.
func ruleConditions(conds []map[string]any) (c spec.RuleConditionSpec, why string) {
	values := func(m map[string]any, key string) ([]string, bool) {
		bs := blocks(m, key)
		if len(bs) == 0 {
			return nil, false
		}
		return strs(bs[0], "values"), true
	}
	for _, m := range conds {
		set := func(dst *[]string, key, what string) bool {
			v, ok := values(m, key)
			if !ok {
				return false
			}
			if *dst != nil {
				why = "it has two " + what + " conditions, which must both match; the world holds one of each"
			}
			*dst = v
			return true
		}
		switch {
		case set(&c.Host, "host_header", "host-header"):
		case set(&c.Path, "path_pattern", "path-pattern"):
		case set(&c.Method, "http_request_method", "http-request-method"):
		case set(&c.SourceIP, "source_ip", "source-ip"):
		case len(blocks(m, "http_header")) > 0:
			h := blocks(m, "http_header")[0]
			if c.HTTPHeader != nil {
				why = "it has two http-header conditions; the world holds one"
			}
			c.HTTPHeader = &spec.HeaderConditionSpec{Name: str(h, "http_header_name"), Values: strs(h, "values")}
		case len(blocks(m, "query_string")) > 0:
			why = "query-string conditions are not in the world format"
		default:
			why = "a condition the world format does not hold"
		}
	}
	return c, why
}

// listenerRules adds each listener rule to its listener, in priority order.
func (b *builder) listenerRules() {
	hy := b.hybrid()
	type ruled struct {
		r    *resource
		spec spec.ListenerRuleSpec
		note []string
	}
	byListener := map[listenerRef][]ruled{}
	var order []listenerRef
	for _, r := range b.of("aws_lb_listener_rule", "aws_alb_listener_rule") {
		if boolean(r.V, "is_default") {
			continue // the listener's default action (finishReport)
		}
		ref, ok := hy.lsnOf[str(r.V, "listener_arn")]
		if !ok {
			b.unsupported(r, "its listener is not in the input (or not imported)")
			continue
		}
		lb := ref.lb
		if lb.spec.Type != "application" {
			b.unsupported(r, "listener rules belong to application balancers")
			continue
		}
		prio, ok := num(r.V, "priority")
		if !ok || prio < 1 || prio > 50000 {
			b.unsupported(r, fmt.Sprintf("its priority %q is unknown or outside 1-50000", str(r.V, "priority")))
			continue
		}
		spec := spec.ListenerRuleSpec{Priority: prio}
		note := []string{r.Label()}
		conds, why := ruleConditions(blocks(r.V, "condition"))
		if why != "" {
			b.unsupported(r, why)
			b.warn(r.Label(), "listener rule %d of %s left out: %s; the listener's other rules and default action still apply", prio, lb.spec.Name, why)
			continue
		}
		spec.Conditions = conds
		acts := blocks(r.V, "action")
		sort.SliceStable(acts, func(i, j int) bool {
			a, _ := num(acts[i], "order")
			c, _ := num(acts[j], "order")
			return a < c
		})
		done := false
		for _, a := range acts {
			switch strings.ToLower(str(a, "type")) {
			case "forward":
				arn, weighted := forwardArn(a)
				tg := b.tgOf[arn]
				if tg == nil {
					why = fmt.Sprintf("it forwards to target group %s, which the input does not hold", orUnknown(arn))
					break
				}
				if owner := b.tgOwner(tg); owner != nil && owner != lb {
					why = fmt.Sprintf("its target group %s belongs to balancer %s already; the world format gives a target group one balancer", tg.spec.Name, owner.spec.Name)
					break
				}
				if b.tgOwner(tg) == nil {
					lb.tgs = append(lb.tgs, tg)
					b.imported(b.tgRes[tg], tg.spec.Name)
				}
				if weighted {
					note = append(note, "a weighted forward: the world forwards to the heaviest group, "+tg.spec.Name)
				}
				spec.Forward = tg.spec.Name
			case "redirect":
				spec.Redirect = redirectOf(a)
			case "fixed-response":
				spec.FixedResponse = fixedOf(a)
			default:
				continue // authenticate-*: the action after it decides
			}
			done = true
			break
		}
		if !done || why != "" {
			if why == "" {
				why = "its action is not a forward, redirect or fixed response"
			}
			b.unsupported(r, why)
			b.warn(r.Label(), "listener rule %d of %s left out: %s", prio, lb.spec.Name, why)
			continue
		}
		if _, ok := byListener[ref]; !ok {
			order = append(order, ref)
		}
		byListener[ref] = append(byListener[ref], ruled{r, spec, note})
	}
	for _, ref := range order {
		rules := byListener[ref]
		sort.SliceStable(rules, func(i, j int) bool { return rules[i].spec.Priority < rules[j].spec.Priority })
		l := &ref.lb.listeners[ref.idx]
		if ref.lb.ruleNotes == nil {
			ref.lb.ruleNotes = map[int][][]string{}
		}
		for i, x := range rules {
			if i > 0 && rules[i-1].spec.Priority == x.spec.Priority {
				b.unsupported(x.r, "another rule of the listener has priority "+strconv.Itoa(x.spec.Priority)+"; priorities are unique")
				continue
			}
			l.v.Rules = append(l.v.Rules, x.spec)
			ref.lb.ruleNotes[l.v.Port] = append(ref.lb.ruleNotes[l.v.Port], x.note)
			b.imported(x.r, ref.lb.spec.Name)
		}
	}
}

// listenerCerts adds a listener's further certificates, chosen by SNI.
func (b *builder) listenerCerts() {
	hy := b.hybrid()
	for _, r := range b.of("aws_lb_listener_certificate", "aws_alb_listener_certificate") {
		ref, ok := hy.lsnOf[str(r.V, "listener_arn")]
		if !ok {
			b.unsupported(r, "its listener is not in the input (or not imported)")
			continue
		}
		l := &ref.lb.listeners[ref.idx]
		c := b.certOf[str(r.V, "certificate_arn")]
		if c == "" {
			b.unsupported(r, fmt.Sprintf("certificate %s is not in the input", orUnknown(str(r.V, "certificate_arn"))))
			continue
		}
		if l.v.Protocol != "https" && l.v.Protocol != "tls" {
			b.unsupported(r, "its listener is not https or tls")
			continue
		}
		if c != l.v.Certificate && !contains(l.v.Certificates, c) {
			l.v.Certificates = append(l.v.Certificates, c)
		}
		b.imported(r, ref.lb.spec.Name)
	}
}
