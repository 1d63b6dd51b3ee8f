package lab

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
)

func TestWildMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"/api/*", "/api/v1/users", true},
		{"/api/*", "/api", false},
		{"/api*", "/api", true},
		{"*.example.com", "shop.example.com", true},
		{"*.example.com", "example.com", false},
		{"/img/?.png", "/img/a.png", true},
		{"/img/?.png", "/img/ab.png", false},
		{"/exact", "/exact", true},
		{"/exact", "/Exact", false},
		{"*", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := wildMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v; want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// TestListenerAction holds the rules to ELB's evaluation: priority order
// whatever the file order, every condition of a rule must match, values
// within one are alternatives, and the default action when none matches.
func TestListenerAction(t *testing.T) {
	li := spec.ListenerSpec{Port: 443, Protocol: "https", TargetGroup: "tg-web", Rules: []spec.ListenerRuleSpec{
		{Priority: 20, Conditions: spec.RuleConditionSpec{Path: []string{"/api/*"}}, Forward: "tg-api"},
		{Priority: 10, Conditions: spec.RuleConditionSpec{Path: []string{"/api/admin*"}, SourceIP: []string{"203.0.113.0/24"}}, Forward: "tg-admin"},
		{Priority: 5, Conditions: spec.RuleConditionSpec{Host: []string{"old.example.com", "legacy.*"}}, Redirect: &spec.RedirectSpec{Host: "shop.example.com", StatusCode: "HTTP_302"}},
		{Priority: 30, Conditions: spec.RuleConditionSpec{Method: []string{"DELETE"}}, FixedResponse: &spec.FixedResponseSpec{StatusCode: 405}},
		{Priority: 40, Conditions: spec.RuleConditionSpec{HTTPHeader: &spec.HeaderConditionSpec{Name: "X-Canary", Values: []string{"ON"}}}, Forward: "tg-canary"},
	}}
	tests := []struct {
		name, method, url, remote string
		header                    [2]string
		want                      string
	}{
		{"the default action", "GET", "https://shop.example.com/", "198.51.100.10:40000", [2]string{}, "forward tg-web"},
		{"a path rule", "GET", "https://shop.example.com/api/v1", "198.51.100.10:40000", [2]string{}, "forward tg-api"},
		{"the lower priority wins, its conditions all met", "GET", "https://shop.example.com/api/admin/x", "203.0.113.200:40000", [2]string{}, "forward tg-admin"},
		{"one condition unmet: the next rule", "GET", "https://shop.example.com/api/admin/x", "198.51.100.10:40000", [2]string{}, "forward tg-api"},
		{"hosts are alternatives, case-insensitive", "GET", "https://LEGACY.example.net/x", "198.51.100.10:40000", [2]string{}, "redirect"},
		{"paths are case-sensitive", "GET", "https://shop.example.com/API/v1", "198.51.100.10:40000", [2]string{}, "forward tg-web"},
		{"a method rule", "DELETE", "https://shop.example.com/cart", "198.51.100.10:40000", [2]string{}, "fixed 405"},
		{"header values fold case", "GET", "https://shop.example.com/", "198.51.100.10:40000", [2]string{"X-Canary", "on"}, "forward tg-canary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.url, nil)
			r.RemoteAddr = tt.remote
			if tt.header[0] != "" {
				r.Header.Set(tt.header[0], tt.header[1])
			}
			a := listenerAction(li, r)
			got := ""
			switch {
			case a.redirect != nil:
				got = "redirect"
			case a.fixed != nil:
				got = "fixed " + strconv.Itoa(a.fixed.StatusCode)
			default:
				got = "forward " + a.forward
			}
			if got != tt.want {
				t.Errorf("action = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestRedirectURL(t *testing.T) {
	tests := []struct {
		name string
		rd   spec.RedirectSpec
		url  string
		tls  bool
		want string
	}{
		{"to https, its port", spec.RedirectSpec{Protocol: "HTTPS"}, "http://shop.example.com/a?b=1", false, "https://shop.example.com:443/a?b=1"},
		{"another host, the rest kept", spec.RedirectSpec{Host: "www.example.com"}, "https://shop.example.com/cart", true, "https://www.example.com:443/cart"},
		{"placeholders", spec.RedirectSpec{Path: "/new/#{path}", Query: "from=#{host}"}, "https://shop.example.com/old", true, "https://shop.example.com:443/new/old?from=shop.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.url, nil)
			port := 80
			if tt.tls {
				port = 443
			}
			if got := redirectURL(&tt.rd, r, port, tt.tls); got != tt.want {
				t.Errorf("Location = %s; want %s", got, tt.want)
			}
		})
	}
}
