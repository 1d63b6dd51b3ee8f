package play

import (
	"strings"
	"testing"
)

// TestListenerRuleSession: the maintenance scenario as a learner meets it.
// show lb lists the rules in priority order (the console's rules tab);
// curl -i shows the balancer's own 503 page (ELB's fixed-response
// action); deleting the rule mends it; curl -L follows the apex's
// redirect chain as curl does.
func TestListenerRuleSession(t *testing.T) {
	st, err := libraryScenario(t, "hub-0014").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{
		"show lb web-lb",
		"curl -i https://www.example.com/",
		"lb web-lb listener 443 rule 1 delete",
		"check",
	}, Options{})
	for _, want := range []string{
		"Rules of HTTPS:443", "1                   path /*      fixed response 503", "10                  path /api/*  forward to tg-api",
		"default             -            forward to tg-web",
		"HTTP/1.1 503 Service Unavailable", "Server: awselb/2.0", "<h1>Down for maintenance</h1>",
		"deleted rule 1 of listener 443",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("session lacks %q:\n%s", want, out)
		}
	}
}

// TestCurlMaxRedirs: curl -L gives up after --max-redirs redirects with
// curl's error 47, "Maximum (N) redirects followed".
func TestCurlMaxRedirs(t *testing.T) {
	st, err := libraryScenario(t, "hub-0014").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{
		"lb web-lb listener 443 rule 1 delete",
		"lb web-lb listener 443 rule add 2 path /old redirect path /older",
		"lb web-lb listener 443 rule add 3 path /older redirect path /old",
		"curl -sL --max-redirs 3 https://www.example.com/old",
		"curl -sL https://www.example.com/old",
		"curl -s --max-redirs x https://www.example.com/old",
	}, Options{})
	for _, want := range []string{"curl: (47) Maximum (3) redirects followed", "curl: (47) Maximum (50) redirects followed",
		"curl: option --max-redirs: expected a proper numerical parameter"} {
		if !strings.Contains(out, want) {
			t.Errorf("session lacks %q:\n%s", want, out)
		}
	}
}
