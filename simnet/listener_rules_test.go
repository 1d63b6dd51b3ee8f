package simnet

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestListenerRuleWorlds: the worlds of testdata/worlds/cloud/rules-*
// (gen_rules.py), each the shop world with one change to web-lb's
// listeners, traced as Elastic Load Balancing behaves.
func TestListenerRuleWorlds(t *testing.T) {
	runCloudCases(t, []cloudCase{
		// ELB User Guide, "Listener rules": rules are evaluated in
		// priority order, lowest first; the first whose conditions all
		// match acts. rule 10 (path /cart*) forwards to tg-cart (app-2).
		{name: "rules-path-forward", target: "https://shop.example.com/cart", verdict: tracer.Delivered,
			code: tracer.LBRule, comp: "web-lb", detail: "GET /cart: rule 10 (path /cart*) → forward tg-cart"},
		// No rule matches: the default action (forward tg-app).
		{name: "rules-path-forward", target: "https://shop.example.com/", verdict: tracer.Delivered,
			code: tracer.LBRule, comp: "web-lb", detail: "no rule matches; the default action → forward tg-app"},
		// "Condition types for listener rules": host names compare
		// case-insensitively (rule 20 is written API.shop.example.com).
		{name: "rules-path-forward", target: "https://api.shop.example.com/", verdict: tracer.Delivered,
			code: tracer.LBRule, comp: "web-lb", detail: "rule 20 (host API.shop.example.com) → forward tg-cart"},
		// Path patterns are case-sensitive: /CART is not /cart*.
		{name: "rules-path-forward", target: "https://shop.example.com/CART", verdict: tracer.Broken,
			code: tracer.LBRule, comp: "web-lb", detail: "no rule matches"},
		// A catch-all at a lower priority number takes the requests of a
		// specific rule behind it.
		{name: "rules-order-catchall", target: "https://shop.example.com/cart", verdict: tracer.Broken, brokenAt: "http web-lb LB_FIXED_RESPONSE",
			code: tracer.LBRule, comp: "web-lb", detail: "rule 5 (path /*) → fixed response 404"},
		// "Rule action types", fixed-response: the balancer answers
		// itself; no target sees the request.
		{name: "rules-maintenance", target: "https://shop.example.com/", verdict: tracer.Broken, brokenAt: "http web-lb LB_FIXED_RESPONSE",
			code: tracer.LBFixedResponse, comp: "web-lb", detail: "503: the balancer answers GET / itself"},
		// source_ip is the client's address as the balancer sees it: the
		// office (203.0.113.200/32) passes rule 10.
		{name: "rules-maintenance", from: "office", target: "https://shop.example.com/", verdict: tracer.Delivered,
			code: tracer.LBRule, comp: "web-lb", detail: "rule 10 (source 203.0.113.200/32) → forward tg-app"},
		// A redirect the client follows to a port with no listener: the
		// SYN goes unanswered, as for any port without a listener.
		{name: "rules-redirect-missing-listener", follow: true, target: "http://shop.example.com/", verdict: tracer.Broken, brokenAt: "tcp web-lb LB_NO_LISTENER",
			code: tracer.LBRedirect, comp: "web-lb", detail: "answers 301 Moved Permanently → https://shop.example.com:8443/"},
		// Redirects that come back to a URL already requested: a loop
		// (curl -L gives up after --max-redirs, 50).
		{name: "rules-redirect-loop", follow: true, target: "https://shop.example.com/old", verdict: tracer.Broken, brokenAt: "http web-lb REDIRECT_LOOP",
			code: tracer.RedirectLoop, comp: "web-lb", detail: "comes back to a URL already requested"},
		// "SSL certificates": the certificate of the list that matches
		// the client's SNI name; else the default certificate.
		{name: "rules-sni", target: "https://www.example.com/", verdict: tracer.Delivered,
			code: tracer.TLSOK, comp: "web-lb", detail: "certificate www-cert covers www.example.com"},
		{name: "rules-sni", target: "https://shop.example.com/", verdict: tracer.Delivered,
			code: tracer.TLSOK, comp: "web-lb", detail: "certificate shop-cert covers shop.example.com"},
	})
}

// TestListenerRuleFacts: views read the rule that decided from the hop's
// facts (issue 9), not its words.
func TestListenerRuleFacts(t *testing.T) {
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "rules-path-forward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r := trace(t, w, "", "https://shop.example.com/cart")
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code != tracer.LBRule {
				continue
			}
			if h.Detail != "" {
				t.Errorf("the rule hop is rendered eagerly: %q", h.Detail)
			}
			m := h.Matched
			if m == nil || m.Kind != tracer.RuleListener || m.Number != 10 || m.Owner != "web-lb" || m.PortLo != 443 ||
				m.Action != tracer.ActForward || m.Target != "tg-cart" || m.Path != "/cart*" || h.Peer != "tg-cart" {
				t.Errorf("rule facts = %+v, peer %q", m, h.Peer)
			}
			if got := m.Kind.String(); got != "listener-rule" {
				t.Errorf("kind = %q", got)
			}
			return
		}
	}
	t.Fatal("no LB_RULE hop")
}

// TestRedirectFollowed: the trace follows the shop's http → https redirect
// as curl -L does, and reports the second request's stages as redirect 1.
func TestRedirectFollowed(t *testing.T) {
	w, err := Parse("builtin:shop", builtinSource(t, "shop"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.TraceFollow(context.Background(), "", mustTarget(t, "http://shop.example.com/"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != tracer.Delivered {
		t.Fatalf("verdict %s", r.Verdict)
	}
	var names []string
	for _, s := range r.Stages {
		names = append(names, s.Name+"@"+string(rune('0'+s.Redirect)))
	}
	if got, want := strings.Join(names, " "), "dns@0 tcp@0 http@0 dns@1 tcp@1 tls@1 http@1"; got != want {
		t.Errorf("stages = %s; want %s", got, want)
	}
	if s := r.Stages[2]; s.Location != "https://shop.example.com/" {
		t.Errorf("location = %q", s.Location)
	}
	if s := r.Stages[3]; s.URL != "https://shop.example.com/" {
		t.Errorf("url = %q", s.URL)
	}
}

func builtinSource(t *testing.T, name string) []byte {
	t.Helper()
	b, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWildMatch: ELB's * (zero or more characters) and ? (exactly one).
func TestWildMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"/api/*", "/api/v1/users", true},
		{"/api/*", "/api/", true},
		{"/api/*", "/api", false},
		{"/img/*.png", "/img/a/b.png", true},
		{"/img/*.png", "/img/a/b.jpg", false},
		{"/v?/x", "/v2/x", true},
		{"/v?/x", "/v10/x", false},
		{"*.example.com", "shop.example.com", true},
		{"*.example.com", "example.com", false},
		{"*", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := wildMatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v; want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

// TestRuleMatches: all of a rule's conditions must match; values within
// one condition are alternatives ("Condition types for listener rules").
func TestRuleMatches(t *testing.T) {
	src := netip.MustParseAddr("198.51.100.10")
	r := &lbRule{hosts: []string{"shop.example.com"}, paths: []string{"/api/*"}, methods: []string{"GET", "HEAD"},
		header: "user-agent", hvals: []string{"*mobile*"}, srcs: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}}
	base := ruleRequest{host: "SHOP.example.com", path: "/api/x", method: "GET", header: [][2]string{{"User-Agent", "Foo MOBILE"}}, src: src}
	tests := []struct {
		name string
		edit func(q *ruleRequest)
		want bool
	}{
		{"all match", func(q *ruleRequest) {}, true},
		{"other host", func(q *ruleRequest) { q.host = "www.example.com" }, false},
		{"path case", func(q *ruleRequest) { q.path = "/API/x" }, false},
		{"method is case-sensitive", func(q *ruleRequest) { q.method = "get" }, false},
		{"second method", func(q *ruleRequest) { q.method = "HEAD" }, true},
		{"no header", func(q *ruleRequest) { q.header = nil }, false},
		{"header name case", func(q *ruleRequest) { q.header = [][2]string{{"user-agent", "x mobile y"}} }, true},
		{"source outside", func(q *ruleRequest) { q.src = netip.MustParseAddr("203.0.113.200") }, false},
	}
	for _, tt := range tests {
		q := base
		tt.edit(&q)
		if got := r.matches(&q); got != tt.want {
			t.Errorf("%s: matches = %v; want %v", tt.name, got, tt.want)
		}
	}
}

// TestRedirectLocation: empty components keep the request's, the
// placeholders are replaced, and #{path} has no leading / (ELB API
// Reference, RedirectActionConfig).
func TestRedirectLocation(t *testing.T) {
	tests := []struct {
		r    spec.RedirectSpec
		want string
	}{
		{spec.RedirectSpec{Protocol: "HTTPS", Port: "443"}, "https://shop.example.com:443/a/b?x=1"},
		{spec.RedirectSpec{Host: "www.#{host}"}, "http://www.shop.example.com:80/a/b?x=1"},
		{spec.RedirectSpec{Path: "/new/#{path}", Query: "#{query}&y=2"}, "http://shop.example.com:80/new/a/b?x=1&y=2"},
		{spec.RedirectSpec{Protocol: "#{protocol}", Port: "#{port}", Path: "/"}, "http://shop.example.com:80/?x=1"},
	}
	for _, tt := range tests {
		if got := redirectLocation(&tt.r, "http", "shop.example.com", 80, "/a/b", "x=1"); got != tt.want {
			t.Errorf("%+v: %s; want %s", tt.r, got, tt.want)
		}
	}
}

// TestListenerRulesRefused: what ELB refuses, the world refuses at load.
func TestListenerRulesRefused(t *testing.T) {
	fwd := func(prio int, path, tg string) spec.ListenerRuleSpec {
		return spec.ListenerRuleSpec{Priority: prio, Conditions: spec.RuleConditionSpec{Path: []string{path}}, Forward: tg}
	}
	tests := []struct {
		name string
		edit func(li *spec.ListenerSpec, s *spec.WorldSpec)
		want string
	}{
		// "Listener rules": priorities 1-50000, one per rule.
		{"priority zero", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{fwd(0, "/a", "tg-app")}
		}, "priority 0 is outside 1-50000"},
		{"priority too big", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{fwd(50001, "/a", "tg-app")}
		}, "outside 1-50000"},
		{"duplicate priority", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{fwd(10, "/a", "tg-app"), fwd(10, "/b", "tg-app")}
		}, "priority 10 is already used by rules[0]"},
		// "Rule action types": one action per rule (forward, redirect,
		// fixed-response are terminal).
		{"two actions", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			r := fwd(1, "/a", "tg-app")
			r.FixedResponse = &spec.FixedResponseSpec{StatusCode: 503}
			li.Rules = []spec.ListenerRuleSpec{r}
		}, "exactly one action"},
		{"no action", func(li *spec.ListenerSpec, s *spec.WorldSpec) { li.Rules = []spec.ListenerRuleSpec{fwd(1, "/a", "")} }, "exactly one action"},
		{"forward to a missing group", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{fwd(1, "/a", "tg-ap")}
		}, `target group "tg-ap" does not exist in load balancer web-lb (did you mean tg-app?)`},
		// "Add a listener rule": each rule needs a condition.
		{"no condition", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Forward: "tg-app"}}
		}, "needs at least one condition"},
		// "Condition types": three values per condition, five per rule.
		{"four paths", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{Path: []string{"/a", "/b", "/c", "/d"}}, Forward: "tg-app"}}
		}, "at most 3 values"},
		{"six values", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{Path: []string{"/a", "/b", "/c"}, Host: []string{"a.com", "b.com", "c.com"}}, Forward: "tg-app"}}
		}, "at most 5 condition values"},
		{"bad CIDR", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{SourceIP: []string{"10.0.0.300/8"}}, Forward: "tg-app"}}
		}, "is not a CIDR"},
		{"bad host pattern", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{Host: []string{"shop example"}}, Forward: "tg-app"}}
		}, "host pattern"},
		{"lower-case method", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{Method: []string{"get"}}, Forward: "tg-app"}}
		}, "in capitals"},
		// RedirectActionConfig: at least one of protocol, host, port,
		// path must change "to avoid a redirect loop".
		{"redirect that changes nothing", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.Rules = []spec.ListenerRuleSpec{{Priority: 1, Conditions: spec.RuleConditionSpec{Path: []string{"/a"}}, Redirect: &spec.RedirectSpec{Protocol: "HTTPS", Port: "443", Query: "x=1"}}}
		}, "changes none of protocol, host, port or path"},
		{"default redirect that changes nothing", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.DefaultRedirect = "", &spec.RedirectSpec{Host: "#{host}", Path: "/#{path}"}
		}, "changes none of protocol, host, port or path"},
		// "You cannot redirect HTTPS to HTTP."
		{"https to http", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.DefaultRedirect = "", &spec.RedirectSpec{Protocol: "HTTP"}
		}, "cannot redirect to HTTP"},
		{"redirect status", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.DefaultRedirect = "", &spec.RedirectSpec{Host: "www.example.com", StatusCode: "HTTP_307"}
		}, "HTTP_301"},
		{"redirect port", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.DefaultRedirect = "", &spec.RedirectSpec{Port: "70000"}
		}, "want 1-65535"},
		{"redirect path", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.DefaultRedirect = "", &spec.RedirectSpec{Path: "new"}
		}, "absolute path"},
		// FixedResponseActionConfig: 2XX, 4XX, 5XX; five content types;
		// 1024 characters.
		{"fixed 302", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.FixedResponse = "", &spec.FixedResponseSpec{StatusCode: 302}
		}, "2XX, 4XX or 5XX"},
		{"fixed content type", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.FixedResponse = "", &spec.FixedResponseSpec{StatusCode: 503, ContentType: "image/png"}
		}, "content_type"},
		{"fixed body", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.TargetGroup, li.FixedResponse = "", &spec.FixedResponseSpec{StatusCode: 503, MessageBody: strings.Repeat("x", 1025)}
		}, "at most 1024"},
		{"two default actions", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			li.FixedResponse = &spec.FixedResponseSpec{StatusCode: 503}
		}, "exactly one default action"},
		// SSL certificates: the list names certificates that exist.
		{"missing certificate", func(li *spec.ListenerSpec, s *spec.WorldSpec) { li.Certificates = []string{"nope-cert"} }, `certificate "nope-cert" does not exist`},
		// Rules are an application balancer's http/https listeners'.
		{"rules on a network balancer", func(li *spec.ListenerSpec, s *spec.WorldSpec) {
			lb := &s.VPCs[0].LoadBalancers[0]
			lb.Type = "network"
			lb.SecurityGroups = nil
			lb.Listeners = []spec.ListenerSpec{{Port: 443, Protocol: "tcp", TargetGroup: "tg-app", Rules: []spec.ListenerRuleSpec{fwd(1, "/a", "tg-app")}}}
			lb.TargetGroups[0].Protocol = "tcp"
		}, "only http and https listeners of application load balancers have rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := builtinWorldSpec(t, "shop")
			li := &s.VPCs[0].LoadBalancers[0].Listeners[0]
			tt.edit(li, s)
			_, err := Compile(s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile: %v; want an error saying %q", err, tt.want)
			}
		})
	}
}

// TestListenerRuleProblemPosition: a bad rule is named by file:line:col.
func TestListenerRuleProblemPosition(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "rules-path-forward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "{priority: 20,", "{priority: 10,", 1)
	_, err = Parse("rules.yaml", []byte(bad))
	var e *spec.Error
	if !errors.As(err, &e) || len(e.Problems) == 0 {
		t.Fatalf("Parse: %v; want problems", err)
	}
	p := e.Problems[0]
	wantLine := 0
	for i, l := range strings.Split(bad, "\n") {
		if strings.Contains(l, "{priority: 10, conditions: {host:") {
			wantLine = i + 1
		}
	}
	if p.Line != wantLine || p.Col == 0 || !strings.Contains(p.Msg, "priority 10 is already used by rules[0]") {
		t.Errorf("problem = %+v; want line %d with a column", p, wantLine)
	}
}

// TestRulelessListenerUnchanged: the baseline worlds' listeners carry no
// rules, and so no rule state.
func TestRulelessListenerUnchanged(t *testing.T) {
	for _, name := range BuiltinNames() {
		w, err := Parse("builtin:"+name, builtinSource(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range w.lbs {
			for _, li := range l.listeners {
				if li.ruled != nil && name != "hub" {
					t.Errorf("%s: %s:%d has rule state", name, l.name, li.port)
				}
			}
		}
	}
}

// FuzzWildMatch: ELB's patterns agree with the regular expression they
// mean (* is .*, ? is one character, the rest literal).
func FuzzWildMatch(f *testing.F) {
	for _, s := range [][2]string{{"/api/*", "/api/v1"}, {"a*b*c", "axxbyyc"}, {"?", ""}, {"*.example.com", "shop.example.com"}, {"**?", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 64 || len(s) > 64 || !utf8.ValidString(pat) || !utf8.ValidString(s) || strings.ContainsAny(pat+s, "\x00") {
			return
		}
		var re strings.Builder
		re.WriteString(`(?s)\A`)
		for _, c := range []byte(pat) {
			switch c {
			case '*':
				re.WriteString(`[\x00-\xff]*`)
			case '?':
				re.WriteString(`[\x00-\xff]`)
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString(`\z`)
		if !isASCII(pat + s) {
			return // the regexp reads runes, wildMatch bytes
		}
		want := regexp.MustCompile(re.String()).MatchString(s)
		if got := wildMatch(pat, s); got != want {
			t.Fatalf("wildMatch(%q, %q) = %v; the pattern as a regexp says %v", pat, s, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
