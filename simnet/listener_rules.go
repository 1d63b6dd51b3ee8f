package simnet

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Application balancer listener rules (issue 11, Build item 2), following
// the Elastic Load Balancing User Guide for Application Load Balancers:
// "Listener rules" (rules are evaluated in priority order, lowest first;
// the default rule last), "Condition types for listener rules" (host-header,
// http-header, http-request-method, path-pattern, source-ip), "Rule action
// types" (forward, redirect, fixed-response) and "SSL certificates" (SNI
// chooses among the listener's certificate list, else the default one).

// listenerRules is what a listener does beyond forwarding to one target
// group or the short redirect: its rules, the other default actions, the
// further certificates. A listener without any keeps a nil pointer, so it
// costs nothing.
type listenerRules struct {
	rules    []*lbRule // by priority, lowest first
	redirect *spec.RedirectSpec
	fixed    *spec.FixedResponseSpec
	def      tracer.Rule // the default action as a rule (Number 0)
	certs    []*cert     // the certificate list beside the default one
	// routes: rules or a default action other than forward/redirect https
	// decide the request (false when only certificates were added).
	routes bool
}

// lbRule is one compiled listener rule.
type lbRule struct {
	prio     int
	hosts    []string // lower case
	paths    []string
	header   string // lower case
	hvals    []string
	methods  []string
	srcs     []netip.Prefix
	tg       *targetGroup
	redirect *spec.RedirectSpec
	fixed    *spec.FixedResponseSpec
	rule     tracer.Rule
}

// fixedContentTypes are the content types a fixed response may have
// (FixedResponseActionConfig.ContentType).
var fixedContentTypes = []string{"text/plain", "text/css", "text/html", "application/javascript", "application/json"}

func (c *compiler) listenerRules(p string, l *lb, li *listener, lsn spec.ListenerSpec) {
	if len(lsn.Rules) == 0 && lsn.DefaultRedirect == nil && lsn.FixedResponse == nil && len(lsn.Certificates) == 0 {
		return
	}
	lr := &listenerRules{routes: len(lsn.Rules) > 0 || lsn.DefaultRedirect != nil || lsn.FixedResponse != nil}
	li.ruled = lr
	httpish := l.alb && (li.proto == "http" || li.proto == "https")
	if lr.routes && !httpish {
		what := "rules"
		if len(lsn.Rules) == 0 {
			what = "a redirect or fixed-response default action"
		}
		c.errf(p, "only http and https listeners of application load balancers have %s; this is %s %s listener", what, article(li.proto), l.kindName())
	}
	// The certificate list (SNI).
	for k, name := range lsn.Certificates {
		cp := fmt.Sprintf("%s.certificates[%d]", p, k)
		ct := c.w.certs[name]
		switch {
		case li.proto != "https" && li.proto != "tls":
			c.errf(cp, "only https and tls listeners present certificates; this listener speaks %s", li.proto)
		case ct == nil:
			c.errf(cp, "certificate %q does not exist; declare it under certificates", name)
		case lsn.Certificate == "":
			c.errf(cp, "the certificate list needs a default certificate too: set certificate")
		default:
			lr.certs = append(lr.certs, ct)
		}
	}
	// The default action.
	defaults := 0
	for _, set := range []bool{lsn.TargetGroup != "", lsn.Redirect != "", lsn.DefaultRedirect != nil, lsn.FixedResponse != nil} {
		if set {
			defaults++
		}
	}
	if defaults > 1 && (lsn.DefaultRedirect != nil || lsn.FixedResponse != nil) {
		c.errf(p, "a listener has exactly one default action: target_group, redirect, default_redirect or fixed_response, not %d of them", defaults)
	}
	if lsn.DefaultRedirect != nil {
		lr.redirect = lsn.DefaultRedirect
		c.redirectSpec(p+".default_redirect", li, lsn.DefaultRedirect)
	}
	if lsn.FixedResponse != nil {
		lr.fixed = lsn.FixedResponse
		c.fixedSpec(p+".fixed_response", lsn.FixedResponse)
	}
	lr.def = tracer.Rule{Kind: tracer.RuleListener, Owner: l.name, PortLo: li.port, PortHi: li.port, Text: "default action"}
	switch {
	case li.tg != nil:
		lr.def.Action, lr.def.Target = tracer.ActForward, li.tg.name
	case lr.redirect != nil || li.redirect != "":
		lr.def.Action = tracer.ActRedirect
	default:
		lr.def.Action = tracer.ActRespond
	}
	// The rules.
	prios := map[int]int{}
	for k, rs := range lsn.Rules {
		rp := fmt.Sprintf("%s.rules[%d]", p, k)
		r := &lbRule{prio: rs.Priority}
		if rs.Priority < 1 || rs.Priority > spec.MaxPriority {
			c.errf(rp+".priority", "priority %d is outside 1-%d (ELB's rule priorities; lower numbers are evaluated first)", rs.Priority, spec.MaxPriority)
		} else if j, dup := prios[rs.Priority]; dup {
			c.errf(rp+".priority", "priority %d is already used by rules[%d]; each rule of a listener has its own priority", rs.Priority, j)
		}
		prios[rs.Priority] = k
		c.ruleConditions(rp+".conditions", r, rs.Conditions)
		actions := 0
		if rs.Forward != "" {
			actions++
			r.tg = l.tgs[rs.Forward]
			if r.tg == nil {
				c.errf(rp+".forward", "target group %q does not exist in load balancer %s%s", rs.Forward, l.name, ruleDidYouMean(rs.Forward, mapKeys(l.tgs)))
			}
		}
		if rs.Redirect != nil {
			actions++
			r.redirect = rs.Redirect
			c.redirectSpec(rp+".redirect", li, rs.Redirect)
		}
		if rs.FixedResponse != nil {
			actions++
			r.fixed = rs.FixedResponse
			c.fixedSpec(rp+".fixed_response", rs.FixedResponse)
		}
		if actions != 1 {
			c.errf(rp, "a rule has exactly one action: forward, redirect or fixed_response (it has %d)", actions)
		}
		r.rule = tracer.Rule{Kind: tracer.RuleListener, Owner: l.name, Number: rs.Priority, PortLo: li.port, PortHi: li.port,
			Text: "rule " + strconv.Itoa(rs.Priority) + " (" + spec.ConditionText(rs.Conditions) + ")"}
		switch {
		case r.tg != nil:
			r.rule.Action, r.rule.Target = tracer.ActForward, r.tg.name
		case r.redirect != nil:
			r.rule.Action = tracer.ActRedirect
		default:
			r.rule.Action = tracer.ActRespond
		}
		if len(rs.Conditions.Path) > 0 {
			r.rule.Path = rs.Conditions.Path[0]
		}
		lr.rules = append(lr.rules, r)
	}
	slices.SortStableFunc(lr.rules, func(a, b *lbRule) int { return a.prio - b.prio })
}

func (l *lb) kindName() string {
	if l.alb {
		return "application load balancer"
	}
	return "network load balancer"
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// didYouMean suggests the nearest of names, or says none.
func ruleDidYouMean(name string, names []string) string {
	if best := spec.NearestName(name, names, 3); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	if len(names) > 0 {
		return " (it has " + strings.Join(names, ", ") + ")"
	}
	return ""
}

// ruleConditions checks a rule's conditions against ELB's formats and
// quotas and compiles them into r.
func (c *compiler) ruleConditions(p string, r *lbRule, cs spec.RuleConditionSpec) {
	total := 0
	count := func(key string, n int) {
		total += n
		if n > spec.MaxPerCondition {
			c.errf(p+"."+key, "a condition takes at most %d values (ELB's match evaluations per condition); this has %d", spec.MaxPerCondition, n)
		}
	}
	count("host", len(cs.Host))
	for k, h := range cs.Host {
		if h == "" || len(h) > spec.MaxPattern || strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.*?") != "" {
			c.errf(fmt.Sprintf("%s.host[%d]", p, k), "host pattern %q: want up to %d of a-z, 0-9, - _ . and the wildcards * and ?", h, spec.MaxPattern)
		}
		r.hosts = append(r.hosts, strings.ToLower(h))
	}
	count("path", len(cs.Path))
	for k, pa := range cs.Path {
		if pa == "" || len(pa) > spec.MaxPattern || strings.ContainsRune(pa, ' ') {
			c.errf(fmt.Sprintf("%s.path[%d]", p, k), "path pattern %q: want up to %d characters without spaces, such as /api/*", pa, spec.MaxPattern)
		}
		r.paths = append(r.paths, pa)
	}
	if h := cs.HTTPHeader; h != nil {
		count("http_header.values", len(h.Values))
		if h.Name == "" || len(h.Name) > spec.MaxHeaderName || strings.ContainsAny(h.Name, " :*?") {
			c.errf(p+".http_header.name", "header name %q: want a header's name of up to %d characters, such as User-Agent (no wildcards)", h.Name, spec.MaxHeaderName)
		}
		if len(h.Values) == 0 {
			c.errf(p+".http_header.values", "an http_header condition needs values to match")
		}
		r.header = strings.ToLower(h.Name)
		for k, v := range h.Values {
			if v == "" || len(v) > spec.MaxPattern {
				c.errf(fmt.Sprintf("%s.http_header.values[%d]", p, k), "header value %q: want 1 to %d characters", v, spec.MaxPattern)
			}
			r.hvals = append(r.hvals, strings.ToLower(v))
		}
	}
	count("http_method", len(cs.Method))
	for k, m := range cs.Method {
		if m == "" || len(m) > spec.MaxMethod || strings.Trim(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != "" {
			c.errf(fmt.Sprintf("%s.http_method[%d]", p, k), "method %q: want an HTTP method in capitals, such as GET or POST (methods match case-sensitively, without wildcards)", m)
		}
		r.methods = append(r.methods, m)
	}
	count("source_ip", len(cs.SourceIP))
	for k, s := range cs.SourceIP {
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			c.errf(fmt.Sprintf("%s.source_ip[%d]", p, k), "source_ip %q is not a CIDR such as 192.0.2.0/24", s)
			continue
		}
		r.srcs = append(r.srcs, pf.Masked())
	}
	switch {
	case total == 0:
		c.errf(p, "a rule needs at least one condition (host, path, http_header, http_method or source_ip); the default action covers everything else")
	case total > spec.MaxPerRule:
		c.errf(p, "a rule takes at most %d condition values in all (ELB's match evaluations per rule); this has %d", spec.MaxPerRule, total)
	}
}

// redirectSpec checks a redirect action (RedirectActionConfig): protocol
// HTTP, HTTPS or #{protocol}, never HTTPS to HTTP; port 1-65535 or
// #{port}; an absolute path; status HTTP_301 or HTTP_302; and at least
// one of protocol, host, port or path changed, "to avoid a redirect loop".
func (c *compiler) redirectSpec(p string, li *listener, r *spec.RedirectSpec) {
	proto := strings.ToLower(r.Protocol)
	switch proto {
	case "", "#{protocol}", "http", "https":
	default:
		c.errf(p+".protocol", "redirect protocol %q: want HTTP, HTTPS or #{protocol}", r.Protocol)
	}
	if li.proto == "https" && proto == "http" {
		c.errf(p+".protocol", "an https listener cannot redirect to HTTP (ELB redirects HTTP to HTTP, HTTP to HTTPS and HTTPS to HTTPS)")
	}
	if r.Port != "" && r.Port != "#{port}" {
		if n, err := strconv.Atoi(r.Port); err != nil || n < 1 || n > 65535 {
			c.errf(p+".port", "redirect port %q: want 1-65535 or #{port}", r.Port)
		}
	}
	if len(r.Host) > spec.MaxPattern || strings.Trim(strings.ReplaceAll(r.Host, "#{host}", ""), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != "" {
		c.errf(p+".host", "redirect host %q: want a host name (letters, digits, - and .), which may use #{host}", r.Host)
	}
	if r.Path != "" && (!strings.HasPrefix(r.Path, "/") || len(r.Path) > spec.MaxPattern) {
		c.errf(p+".path", "redirect path %q: want an absolute path starting with /, up to %d characters (it may use #{path})", r.Path, spec.MaxPattern)
	}
	if strings.HasPrefix(r.Query, "?") || len(r.Query) > spec.MaxPattern {
		c.errf(p+".query", "redirect query %q: want up to %d characters without the leading ?", r.Query, spec.MaxPattern)
	}
	switch r.StatusCode {
	case "", "HTTP_301", "HTTP_302":
	default:
		c.errf(p+".status_code", "redirect status_code %q: want HTTP_301 (permanent, the default) or HTTP_302 (temporary)", r.StatusCode)
	}
	sameProto := proto == "" || proto == "#{protocol}" || proto == li.proto
	sameHost := r.Host == "" || r.Host == "#{host}"
	samePort := r.Port == "" || r.Port == "#{port}" || r.Port == strconv.Itoa(int(li.port))
	samePath := r.Path == "" || r.Path == "/#{path}"
	if sameProto && sameHost && samePort && samePath {
		c.errf(p, "this redirect changes none of protocol, host, port or path, so the client would come back to the same URL (a loop); ELB refuses it: change at least one")
	}
}

// fixedSpec checks a fixed-response action (FixedResponseActionConfig):
// a 2XX, 4XX or 5XX status, one of five content types, a body of up to
// 1024 characters.
func (c *compiler) fixedSpec(p string, f *spec.FixedResponseSpec) {
	s := f.StatusCode
	if !(s >= 200 && s <= 299 || s >= 400 && s <= 599) {
		c.errf(p+".status_code", "fixed response status %d: want a 2XX, 4XX or 5XX code", s)
	}
	if f.ContentType != "" && !slices.Contains(fixedContentTypes, f.ContentType) {
		c.errf(p+".content_type", "content_type %q: want one of %s", f.ContentType, strings.Join(fixedContentTypes, ", "))
	}
	if len(f.MessageBody) > spec.MaxBody {
		c.errf(p+".message_body", "message_body has %d characters; a fixed response holds at most %d", len(f.MessageBody), spec.MaxBody)
	}
}

// wildMatch matches s against an ELB pattern: * is zero or more
// characters, ? exactly one.
func wildMatch(pat, s string) bool {
	// iterative glob with backtracking to the last star
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// ruleRequest is what a rule condition sees of a request.
type ruleRequest struct {
	host, path, method string
	header             [][2]string
	src                netip.Addr
}

func anyWild(pats []string, s string) bool {
	for _, p := range pats {
		if wildMatch(p, s) {
			return true
		}
	}
	return false
}

// matches reports whether all of the rule's conditions match q. Hosts and
// header values compare case-insensitively, paths and methods exactly
// ("Condition types for listener rules"); the path pattern sees the path
// only, not the query; source_ip is the address the balancer sees.
func (r *lbRule) matches(q *ruleRequest) bool {
	if len(r.hosts) > 0 && !anyWild(r.hosts, strings.ToLower(q.host)) {
		return false
	}
	if len(r.paths) > 0 && !anyWild(r.paths, q.path) {
		return false
	}
	if len(r.methods) > 0 && !slices.Contains(r.methods, q.method) {
		return false
	}
	if r.header != "" {
		ok := false
		for _, h := range q.header {
			if strings.ToLower(h[0]) == r.header && anyWild(r.hvals, strings.ToLower(h[1])) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if len(r.srcs) > 0 {
		ok := false
		for _, p := range r.srcs {
			ok = ok || p.Contains(q.src)
		}
		if !ok {
			return false
		}
	}
	return true
}

// decide picks the rule that acts on q: the first by priority whose
// conditions all match, else nil for the default action.
func (lr *listenerRules) decide(q *ruleRequest) *lbRule {
	for _, r := range lr.rules {
		if r.matches(q) {
			return r
		}
	}
	return nil
}

// redirectLocation builds the Location of a redirect action for a request:
// components left empty keep the request's own, and #{protocol}, #{host},
// #{port}, #{path} (without its leading /) and #{query} are replaced
// (RedirectActionConfig). ELB writes the port into the Location.
func redirectLocation(r *spec.RedirectSpec, scheme, host string, port uint16, path, query string) string {
	sub := func(s string) string {
		if !strings.Contains(s, "#{") {
			return s
		}
		return strings.NewReplacer("#{protocol}", scheme, "#{host}", host, "#{port}", strconv.Itoa(int(port)),
			"#{path}", strings.TrimPrefix(path, "/"), "#{query}", query).Replace(s)
	}
	proto := strings.ToLower(sub(r.Protocol))
	if proto == "" {
		proto = scheme
	}
	h := sub(r.Host)
	if h == "" {
		h = host
	}
	pt := sub(r.Port)
	if pt == "" {
		pt = strconv.Itoa(int(port))
	}
	pa := sub(r.Path)
	if pa == "" {
		pa = path
	}
	q := query
	if r.Query != "" {
		q = sub(r.Query)
	}
	loc := proto + "://" + h + ":" + pt + pa
	if q != "" {
		loc += "?" + q
	}
	return loc
}

// redirectStatus is the redirect's HTTP status: 301 unless HTTP_302.
func redirectStatus(r *spec.RedirectSpec) int {
	if r.StatusCode == "HTTP_302" {
		return 302
	}
	return 301
}
