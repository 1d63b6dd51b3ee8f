package lab_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestListenerRulesLive runs the real curl against the shop's balancer
// with listener rules: a fixed response, a redirect with placeholders,
// and the default forward.
func TestListenerRulesLive(t *testing.T) {
	skip(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed (apt-get install curl)")
	}
	w, err := simnet.LoadBuiltin("shop")
	if err != nil {
		t.Fatal(err)
	}
	ws := w.Spec().Clone()
	found := false
	for vi := range ws.VPCs {
		for li := range ws.VPCs[vi].LoadBalancers {
			l := &ws.VPCs[vi].LoadBalancers[li]
			if l.Name != "web-lb" {
				continue
			}
			for k := range l.Listeners {
				if l.Listeners[k].Port == 443 {
					found = true
					l.Listeners[k].Rules = []spec.ListenerRuleSpec{
						{Priority: 20, Conditions: spec.RuleConditionSpec{Path: []string{"/old/*"}}, Redirect: &spec.RedirectSpec{Path: "/new/#{path}", StatusCode: "HTTP_302"}},
						{Priority: 10, Conditions: spec.RuleConditionSpec{Path: []string{"/maintenance*"}}, FixedResponse: &spec.FixedResponseSpec{StatusCode: 503, MessageBody: "down for maintenance"}},
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("no web-lb listener on 443 in shop")
	}
	name := testLab("rules")
	lab.Down(name)
	if _, err := lab.Up(context.Background(), ws, name, lab.Options{}); err != nil {
		t.Fatal(err)
	}
	defer lab.Down(name)
	tests := []struct {
		path string
		want []string
	}{
		{"/", []string{"< HTTP/1.1 200 OK"}},
		{"/maintenance/today", []string{"< HTTP/1.1 503 Service Unavailable", "< Server: awselb/2.0", "down for maintenance"}},
		{"/old/cart?x=1", []string{"< HTTP/1.1 302 Found", "< Location: https://shop.example.com:443/new/old/cart?x=1"}},
	}
	for _, tt := range tests {
		out, code := curl(t, name, "https://shop.example.com"+tt.path)
		for _, want := range tt.want {
			if !strings.Contains(out, want) || code != 0 {
				t.Errorf("curl %s exited %d; want %q in:\n%s", tt.path, code, want, out)
			}
		}
	}
}
