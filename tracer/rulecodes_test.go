package tracer

import "testing"

// TestRuleCodes: the listener-rule codes have their meaning and facts in
// the one table; LB_RULE only names the rule, the others stop the request.
func TestRuleCodes(t *testing.T) {
	want := map[Code]bool{LBRule: false, LBFixedResponse: true, RedirectLoop: true}
	for _, c := range RuleCodes() {
		i := c.Info()
		if i.Meaning == "" || i.Kind == "" || i.Action == "" || i.Topic == "" || c.Explain() == "" {
			t.Errorf("%s: incomplete info %+v", c, i)
		}
		blocks, ok := want[c]
		if !ok {
			t.Errorf("%s: not expected", c)
		}
		if i.Blocks != blocks {
			t.Errorf("%s: blocks %v; want %v", c, i.Blocks, blocks)
		}
		delete(want, c)
	}
	for c := range want {
		t.Errorf("%s is missing from RuleCodes", c)
	}
	if got := RuleListener.String(); got != "listener-rule" {
		t.Errorf("RuleListener = %q", got)
	}
}
