package debrief

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

// fuAllCodes is every code the bank must cover: the contract's table and
// the live-network codes the brief names.
func fuAllCodes() []tracer.Code {
	return append(tracer.Codes(),
		tracer.DNSRefused, tracer.TCPFiltered, tracer.ICMPAdminProhibited,
		tracer.TLSHandshakeFailed, tracer.HTTPError)
}

func fuConceptName(t *testing.T, key string) string {
	t.Helper()
	c, ok := fuConceptByKey()[key]
	if !ok {
		t.Fatalf("no concept %q", key)
	}
	return c.name
}

func fuQuestionText(t *testing.T, id string) string {
	t.Helper()
	for _, c := range fuBank {
		for _, q := range c.questions {
			if q.id == id {
				return q.question
			}
		}
	}
	t.Fatalf("no question %q", id)
	return ""
}

func TestFollowUpsEveryCode(t *testing.T) {
	if n := len(tracer.Codes()); n != 37 {
		t.Errorf("tracer.Codes() has %d codes, the bank was written for 37: map the new ones", n)
	}
	for _, code := range fuAllCodes() {
		refs := fuCodeRefs()[code]
		if len(refs) < 1 || len(refs) > 2 {
			t.Errorf("%s maps to %d concepts, want 1-2", code, len(refs))
			continue
		}
		for seed := uint64(0); seed < 8; seed++ {
			fus := FollowUps([]tracer.Code{code}, seed)
			if len(fus) < 3 || len(fus) > 5 {
				t.Errorf("%s seed %d: %d follow-ups, want 3-5", code, seed, len(fus))
			}
			if got, want := fus[0].Concept, fuConceptName(t, refs[0].concept); got != want {
				t.Errorf("%s seed %d: first concept %q, want the most specific %q", code, seed, got, want)
			}
			questions, answers := map[string]bool{}, map[string]bool{}
			for _, f := range fus {
				if f.Concept == "" || strings.TrimSpace(f.Question) == "" {
					t.Errorf("%s seed %d: empty concept or question: %+v", code, seed, f)
				}
				if len(f.ModelAnswer) < 80 {
					t.Errorf("%s seed %d: model answer under 80 characters: %q", code, seed, f.ModelAnswer)
				}
				if questions[f.Question] {
					t.Errorf("%s seed %d: question repeated: %q", code, seed, f.Question)
				}
				if answers[f.ModelAnswer] {
					t.Errorf("%s seed %d: answer repeated: %q", code, seed, f.ModelAnswer)
				}
				questions[f.Question], answers[f.ModelAnswer] = true, true
			}
		}
	}
}

func TestFollowUpsDeterministic(t *testing.T) {
	cases := [][]tracer.Code{
		nil,
		{tracer.SGNoIngressRule},
		{tracer.LBNoHealthyTargets, tracer.SGNoIngressRule},
		{tracer.NACLEgressDenied, tracer.HostFirewallDrop, tracer.NoReturnRoute},
		fuAllCodes(),
	}
	for _, codes := range cases {
		for seed := uint64(0); seed < 20; seed++ {
			a, b := FollowUps(codes, seed), FollowUps(codes, seed)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%v seed %d: two calls differ:\n%v\n%v", codes, seed, a, b)
			}
		}
	}
}

func TestFollowUpsSeedVaries(t *testing.T) {
	lists := map[string]bool{}
	for seed := uint64(1); seed <= 10; seed++ {
		var qs []string
		for _, f := range FollowUps([]tracer.Code{tracer.SGNoIngressRule}, seed) {
			qs = append(qs, f.Question)
		}
		lists[strings.Join(qs, "\n")] = true
	}
	if len(lists) < 2 {
		t.Errorf("seeds 1..10 give %d distinct lists for SG_NO_INGRESS_RULE, want at least 2", len(lists))
	}
}

// TestFollowUpsSpecific checks, for every seed, the question each fault
// must lead to.
func TestFollowUpsSpecific(t *testing.T) {
	cases := []struct {
		name  string
		codes []tracer.Code
		check func(t *testing.T, fus []FollowUp)
	}{
		{"NACL egress: first is stateless ACLs and ephemeral ports", []tracer.Code{tracer.NACLEgressDenied},
			func(t *testing.T, fus []FollowUp) {
				f := fus[0]
				if f.Concept != fuConceptName(t, "nacl") ||
					!strings.Contains(f.Question+f.ModelAnswer, "ephemeral") ||
					!strings.Contains(f.ModelAnswer, "stateless") ||
					!strings.Contains(f.ModelAnswer, "32768-60999") {
					t.Errorf("first follow-up is not about stateless ACLs and ephemeral ports: %+v", f)
				}
			}},
		{"NACL egress: the return path question follows", []tracer.Code{tracer.NACLEgressDenied},
			func(t *testing.T, fus []FollowUp) { fuWant(t, fus, fuQuestionText(t, "route-syn-seen")) }},
		{"no return route: tcpdump saw the SYN", []tracer.Code{tracer.NoReturnRoute},
			func(t *testing.T, fus []FollowUp) {
				if fus[0].Question != fuQuestionText(t, "route-syn-seen") {
					t.Errorf("first follow-up %q, want the tcpdump SYN question", fus[0].Question)
				}
			}},
		{"no healthy targets: fail-open", []tracer.Code{tracer.LBNoHealthyTargets},
			func(t *testing.T, fus []FollowUp) {
				f := fuWant(t, fus, "Why did the balancer still send traffic to unhealthy targets?")
				if !strings.Contains(f.ModelAnswer, "fails open") {
					t.Errorf("fail-open answer does not say it fails open: %q", f.ModelAnswer)
				}
			}},
		{"no healthy targets behind another blocker: fail-open still asked", []tracer.Code{tracer.SGNoIngressRule, tracer.LBNoHealthyTargets},
			func(t *testing.T, fus []FollowUp) {
				fuWant(t, fus, "Why did the balancer still send traffic to unhealthy targets?")
			}},
		{"firewall drop: DROP vs REJECT", []tracer.Code{tracer.HostFirewallDrop},
			func(t *testing.T, fus []FollowUp) {
				for _, f := range fus {
					if strings.Contains(f.Question, "DROP") && strings.Contains(f.Question, "REJECT") &&
						strings.Contains(f.ModelAnswer, "times out") && strings.Contains(f.ModelAnswer, "connection refused") {
						return
					}
				}
				t.Errorf("no question contrasts DROP and REJECT: %+v", fus)
			}},
		{"stateful: what a stateful filter remembers", []tracer.Code{tracer.SGStateful},
			func(t *testing.T, fus []FollowUp) {
				f := fuWant(t, fus, "What does a stateful filter remember?")
				if !strings.Contains(f.ModelAnswer, "5-tuple") {
					t.Errorf("stateful answer does not name the 5-tuple: %q", f.ModelAnswer)
				}
			}},
		{"several blockers: most specific first, at most five, no repeats",
			[]tracer.Code{tracer.LBNoHealthyTargets, tracer.SGNoIngressRule, tracer.NACLEgressDenied, tracer.HostFirewallDrop, tracer.MTUBlackhole},
			func(t *testing.T, fus []FollowUp) {
				if len(fus) != 5 {
					t.Errorf("%d follow-ups, want 5", len(fus))
				}
				want := []string{"lbhealth", "lbhealth", "lb", "sg", "sockets"}
				for i, f := range fus {
					if i < len(want) && f.Concept != fuConceptName(t, want[i]) {
						t.Errorf("follow-up %d is about %q, want %q", i, f.Concept, fuConceptName(t, want[i]))
					}
				}
			}},
		{"repeated codes give no repeats", []tracer.Code{tracer.PortClosed, tracer.PortClosed, tracer.ServiceDown},
			func(t *testing.T, fus []FollowUp) {
				seen := map[string]bool{}
				for _, f := range fus {
					if seen[f.Question] {
						t.Errorf("repeated: %q", f.Question)
					}
					seen[f.Question] = true
				}
				fuWant(t, fus, fuQuestionText(t, "sock-ss"))
				fuWant(t, fus, fuQuestionText(t, "sock-service-down"))
			}},
		{"nil codes: three method questions", nil,
			func(t *testing.T, fus []FollowUp) { fuWantMethod(t, fus) }},
		{"unknown code: three method questions", []tracer.Code{"NOT_A_CODE"},
			func(t *testing.T, fus []FollowUp) { fuWantMethod(t, fus) }},
		{"single-concept code: filled up with method", []tracer.Code{tracer.HTTPStatus},
			func(t *testing.T, fus []FollowUp) {
				if len(fus) != 3 || fus[2].Concept != fuConceptName(t, fuMethod) {
					t.Errorf("want two HTTP questions and one method question, got %+v", fus)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(0); seed < 16; seed++ {
				fus := FollowUps(tc.codes, seed)
				if len(fus) == 0 {
					t.Fatalf("seed %d: no follow-ups", seed)
				}
				tc.check(t, fus)
			}
		})
	}
}

func fuWant(t *testing.T, fus []FollowUp, question string) FollowUp {
	t.Helper()
	for _, f := range fus {
		if f.Question == question {
			return f
		}
	}
	t.Errorf("missing %q in %+v", question, fus)
	return FollowUp{}
}

func fuWantMethod(t *testing.T, fus []FollowUp) {
	t.Helper()
	if len(fus) != 3 {
		t.Errorf("%d follow-ups, want 3", len(fus))
	}
	for _, f := range fus {
		if f.Concept != fuConceptName(t, fuMethod) {
			t.Errorf("want method questions only, got %q", f.Concept)
		}
	}
}

var fuSentenceEnd = regexp.MustCompile(`[.?!]['")]?(\s+|$)`)

// fuSentences counts sentences, not counting the dots of e.g. and i.e.
func fuSentences(s string) int {
	s = strings.NewReplacer("e.g.", "eg", "i.e.", "ie").Replace(s)
	return len(fuSentenceEnd.FindAllStringIndex(s, -1))
}

func TestFollowUpsBank(t *testing.T) {
	ids := map[string]bool{}
	questions, answers := map[string]bool{}, map[string]bool{}
	names := map[string]bool{}
	for _, c := range fuBank {
		if names[c.name] {
			t.Errorf("concept name %q repeated", c.name)
		}
		names[c.name] = true
		if len(c.questions) < 4 {
			t.Errorf("concept %q has %d questions, want at least 4", c.name, len(c.questions))
		}
		for _, q := range c.questions {
			if ids[q.id] {
				t.Errorf("question id %q repeated", q.id)
			}
			if questions[q.question] || answers[q.answer] {
				t.Errorf("question or answer of %q repeated", q.id)
			}
			ids[q.id], questions[q.question], answers[q.answer] = true, true, true
			if len(q.answer) < 80 {
				t.Errorf("%s: answer under 80 characters", q.id)
			}
			if n := fuSentences(q.answer); n < 2 || n > 5 {
				t.Errorf("%s: answer has %d sentences, want 2-5: %q", q.id, n, q.answer)
			}
			if !strings.HasSuffix(q.question, "?") {
				t.Errorf("%s: question does not end with '?': %q", q.id, q.question)
			}
		}
	}
	if len(fuBank) < 15 {
		t.Errorf("%d concepts, want at least 15", len(fuBank))
	}
	for code, refs := range fuCodeRefs() {
		for _, r := range refs {
			c, ok := fuConceptByKey()[r.concept]
			if !ok {
				t.Errorf("%s: unknown concept %q", code, r.concept)
				continue
			}
			if r.concept == fuMethod {
				t.Errorf("%s: maps to the general method questions", code)
			}
			for _, id := range r.pins {
				found := false
				for _, q := range c.questions {
					found = found || q.id == id
				}
				if !found {
					t.Errorf("%s: pinned question %q is not in concept %q", code, id, r.concept)
				}
			}
		}
	}
	// Every concept but the general one is reachable from some code.
	used := map[string]bool{fuMethod: true}
	for _, refs := range fuCodeRefs() {
		for _, r := range refs {
			used[r.concept] = true
		}
	}
	for _, c := range fuBank {
		if !used[c.key] {
			t.Errorf("concept %q is not reachable from any code", c.name)
		}
	}
}

// TestFollowUpsFacts pins the facts a model answer must get right.
func TestFollowUpsFacts(t *testing.T) {
	cases := []struct{ id, want string }{
		{"nacl-ephemeral", "net.ipv4.ip_local_port_range"},
		{"nacl-ephemeral", "32768-60999"},
		{"nat-ports", "1024-65535"},
		{"nacl-order", "lowest first"},
		{"nacl-order", "first rule that matches"},
		{"lb-5xx", "502"},
		{"lb-5xx", "no registered targets"},
		{"lb-5xx", "did not answer in time"},
		{"fw-drop-reject", "ICMP port unreachable"},
		{"dns-nxdomain-nodata", "NOERROR"},
		{"cname-apex", "SOA and NS"},
		{"tls-san", "Subject Alternative Name"},
		{"tls-wildcard", "one whole label"},
		{"mtu-pmtud", "type 3 code 4"},
		{"sg-stateful", "5-tuple"},
		{"hc-fail-open", "fails open"},
	}
	answer := map[string]string{}
	for _, c := range fuBank {
		for _, q := range c.questions {
			answer[q.id] = q.answer
		}
	}
	for _, tc := range cases {
		if !strings.Contains(answer[tc.id], tc.want) {
			t.Errorf("%s: answer lacks %q", tc.id, tc.want)
		}
	}
}
