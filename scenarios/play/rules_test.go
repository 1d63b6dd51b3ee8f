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

// TestAWSRules: the elbv2 rule commands, in the API's shapes
// (DescribeRules: Priority is a string, the default rule last with
// IsDefault; SetRulePriorities; DeleteRule, which refuses the default
// rule).
func TestAWSRules(t *testing.T) {
	st, err := libraryScenario(t, "hub-0013").Build()
	if err != nil {
		t.Fatal(err)
	}
	lastLine := func(out string) string {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	_, out := session(t, st, []string{"aws elbv2 describe-listeners --load-balancer-arn web-lb --query 'Listeners[0].ListenerArn' --output text"}, Options{})
	arn := lastLine(out)
	if !strings.HasPrefix(arn, "arn:aws:elasticloadbalancing:") {
		t.Fatalf("listener arn %q from:\n%s", arn, out)
	}
	_, out = session(t, st, []string{"aws elbv2 describe-rules --listener-arn " + arn + " --query 'Rules[].RuleArn' --output text"}, Options{})
	rules := strings.Split(lastLine(out), "\t")
	if len(rules) != 3 {
		t.Fatalf("rule arns %q", rules)
	}
	_, out = session(t, st, []string{
		"aws elbv2 describe-rules --listener-arn " + arn + " --query 'Rules[].[Priority,IsDefault]' --output text",
		"aws elbv2 describe-rules --rule-arns " + rules[0] + " --query 'Rules[0].Conditions[0].PathPatternConfig.Values[0]' --output text",
		"aws elbv2 delete-rule --rule-arn " + rules[2],
		"aws elbv2 set-rule-priorities --rule-priorities RuleArn=" + rules[0] + ",Priority=20",
		"aws elbv2 describe-rules --listener-arn " + arn + " --query 'Rules[].Priority' --output text",
		"check",
		"aws elbv2 create-rule --listener-arn " + arn + " --priority 30 --conditions Field=path-pattern,Values=/old --actions Type=redirect,RedirectConfig={Path=/new,StatusCode=HTTP_302} --query 'Rules[0].Actions[0].RedirectConfig.Path' --output text",
		"aws elbv2 modify-rule --rule-arn " + rules[1] + " --actions Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=ok} --output text",
		"curl -s https://example.com/api/orders",
	}, Options{})
	for _, want := range []string{"5\tFalse\n10\tFalse\ndefault\tTrue", "/new\n", "\nok\n", "/*\n", "OperationNotPermitted", "10\t20\tdefault", "solved"} {
		if !strings.Contains(out, want) {
			t.Errorf("session lacks %q:\n%s", want, out)
		}
	}
}
