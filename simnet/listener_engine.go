package simnet

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// The engine's side of listener rules (listener_rules.go compiles them).

// to is a ruled listener's action in the listener hop's words:
// " → 2 rules, else target group tg-web".
func (lr *listenerRules) to(li *listener) string {
	s := " → " + strconv.Itoa(len(lr.rules)) + " rule"
	if len(lr.rules) != 1 {
		s += "s"
	}
	return s + ", else " + lr.defaultText(li)
}

// defaultText is the default action in words.
func (lr *listenerRules) defaultText(li *listener) string {
	switch {
	case li.tg != nil:
		return "target group " + li.tg.name
	case li.redirect != "":
		return "redirect to " + li.redirect
	case lr.redirect != nil:
		return "a redirect"
	case lr.fixed != nil:
		return "a fixed response " + strconv.Itoa(lr.fixed.StatusCode)
	}
	return "nothing"
}

// sniCert is the certificate the listener presents for serverName: the
// one in its list (the default first) that covers the name, preferring
// one valid now; the default one when none covers it (ELB, "SSL
// certificates": a client's SNI name that matches no certificate in the
// list gets the default certificate).
func (lr *listenerRules) sniCert(def *cert, serverName string, now time.Time) *cert {
	name := strings.ToLower(strings.TrimSuffix(serverName, "."))
	var covering *cert
	for i := -1; i < len(lr.certs); i++ {
		c := def
		if i >= 0 {
			c = lr.certs[i]
		}
		if c == nil || !certCovers(c, name) {
			continue
		}
		if !now.Before(c.notBefore) && !now.After(c.notAfter) {
			return c
		}
		if covering == nil {
			covering = c
		}
	}
	if covering != nil {
		return covering
	}
	return def
}

// ruleAsk is what a listener rule's hops render from: the request's
// method and path, and the answer when the rule answered itself.
type ruleAsk struct {
	method, path string
	status       int
	location     string
}

// sayLBRule: the rule Matched decided the request (Ref *ruleAsk):
// "rule 10 (path /api/*) → forward tg-api".
type sayLBRule struct{}

func (sayLBRule) Say(h *tracer.Hop) string {
	r, a := h.Matched, h.Ref.(*ruleAsk)
	s := a.method + " " + a.path + ": "
	if r.Number == 0 {
		s += "no rule matches; the default action"
	} else {
		s += r.Text
	}
	switch {
	case r.Action == tracer.ActForward:
		return s + " → forward " + r.Target
	case a.location != "":
		return s + " → redirect " + strconv.Itoa(a.status) + " " + a.location
	}
	return s + " → fixed response " + strconv.Itoa(a.status)
}

// sayRuleRedirect: the balancer answers with a redirect (Ref *ruleAsk).
type sayRuleRedirect struct{}

func (sayRuleRedirect) Say(h *tracer.Hop) string {
	a := h.Ref.(*ruleAsk)
	return "answers " + strconv.Itoa(a.status) + " " + http.StatusText(a.status) + " → " + a.location
}

// sayFixed: the balancer answers with a fixed response (Ref *ruleAsk).
type sayFixed struct{}

func (sayFixed) Say(h *tracer.Hop) string {
	a := h.Ref.(*ruleAsk)
	s := strconv.Itoa(a.status) + ": the balancer answers " + a.method + " " + a.path + " itself with a fixed response (" + h.Matched.Text + ")"
	if a.status >= 400 {
		s += "; no target sees the request"
	}
	return s
}

// hostOnly is a Host header without its port.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

// ruledRequest is an application balancer's listener with rules deciding
// a request: the first rule by priority whose conditions all match acts,
// else the default action ("Listener rules": "evaluates the request
// against each rule in priority order, starting with the lowest numbered
// rule"; the default rule last).
func (n *Net) ruledRequest(st *conn, req *tracer.HTTPRequest, path string, resp *tracer.HTTPResponse) {
	li, l := st.lis, st.dst.lb
	lr := li.ruled
	if li.proto == "https" && req.Scheme == "http" {
		n.albForward(st, req, path, resp) // the 400 for plain HTTP comes before any rule
		return
	}
	p, query, _ := strings.Cut(path, "?")
	method := req.Method
	if method == "" {
		method = "GET"
	}
	host := hostOnly(req.Host)
	q := ruleRequest{host: host, path: p, method: method, header: req.Header, src: st.seen}
	r := lr.decide(&q)
	rule := &lr.def
	tg, redirect, fixed := li.tg, lr.redirect, lr.fixed
	if r != nil {
		rule, tg, redirect, fixed = &r.rule, r.tg, r.redirect, r.fixed
	}
	ask := &ruleAsk{method: method, path: path}
	hop := tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: rule.Action, Code: tracer.LBRule,
		Rule: rule.Text, Matched: rule, Peer: rule.Target, Say: sayLBRule{}, Ref: ask}
	switch {
	case tg != nil:
		st.ruleTG = tg
		n.albForward(st, req, path, resp)
		st.ruleTG = nil
		resp.Hops = append(resp.Hops, tracer.Hop{})
		copy(resp.Hops[1:], resp.Hops)
		resp.Hops[0] = hop
	case redirect != nil || (r == nil && li.redirect != ""):
		if redirect != nil {
			ask.status = redirectStatus(redirect)
			ask.location = redirectLocation(redirect, req.Scheme, host, li.port, p, query)
		} else {
			ask.status, ask.location = http.StatusMovedPermanently, li.redirect+"://"+req.Host+path
		}
		setStatus(resp, ask.status)
		resp.Header = append(resp.Header, [2]string{"Server", "awselb/2.0"}, [2]string{"Location", ask.location})
		resp.Hops = append(resp.Hops, hop, tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRedirect, Code: tracer.LBRedirect,
			Rule: rule.Text, Matched: rule, Status: ask.status, Say: sayRuleRedirect{}, Ref: ask})
	case fixed != nil:
		ask.status = fixed.StatusCode
		setStatus(resp, fixed.StatusCode)
		ct := fixed.ContentType
		if ct == "" {
			ct = "text/plain"
		}
		resp.Header = append(resp.Header, [2]string{"Server", "awselb/2.0"}, [2]string{"Content-Type", ct})
		resp.Body = fixed.MessageBody
		h := tracer.Hop{Component: l.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActRespond, Code: tracer.HTTPOK,
			Rule: rule.Text, Matched: rule, Status: fixed.StatusCode, Say: sayFixed{}, Ref: ask}
		if fixed.StatusCode >= 400 {
			h.Code, h.Blocks = tracer.LBFixedResponse, true
			if r != nil {
				e := spec.LBRuleDeleteEdit{LB: l.name, Port: int(li.port), Priority: r.prio}
				h.Edit, h.Fix = e, e.String()
			} else {
				h.Advice = "the listener's default action answers " + strconv.Itoa(fixed.StatusCode) + " itself: forward it to a target group"
			}
		}
		resp.Hops = append(resp.Hops, hop, h)
	default:
		// a listener whose default action failed to load; nothing to do
		resp.Hops = append(resp.Hops, hop)
	}
}
