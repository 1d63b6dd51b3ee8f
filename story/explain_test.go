package story

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/simtest"
	"github.com/pathlab/pathlab/tracer"
)

// storyCases are the worlds and requests whose stories are kept as golden
// files under testdata/explain (go test ./story -update rewrites them).
var storyCases = []struct {
	name, world, from, target string
	wantBroken                string // component: code of the break, "" when delivered
}{
	{"builtin-headline", "", "", "https://shop.example.com/", ""},
	{"builtin-app-to-db", "", "app-1", "tcp://db.internal.shop:5432", ""},
	{"app-sg-admits-nothing", "issue3-app-sg-admits-nothing.yaml", "", "https://shop.example.com/", "web-lb: LB_NO_HEALTHY_TARGETS"},
	{"acl-no-ephemeral", "issue3-acl-no-ephemeral.yaml", "app-1", "tcp://db.internal.shop:5432", "acl-data: NACL_EGRESS_DENIED"},
	{"sg-drops-syn", "issue3-sg-drops-syn.yaml", "", "https://shop.example.com/", "sg-lb: SG_NO_INGRESS_RULE"},
}

func TestExplainGolden(t *testing.T) {
	for _, tt := range storyCases {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.World(t, tt.world)
			s, err := Explain(context.Background(), w, tt.from, simtest.Target(t, tt.target))
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := s.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			simtest.Golden(t, filepath.Join("testdata", "explain", tt.name+".txt"), b.Bytes())
		})
	}
}

// TestExplainStory checks what a story must hold, whatever its words.
func TestExplainStory(t *testing.T) {
	for _, tt := range storyCases {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.World(t, tt.world)
			target := simtest.Target(t, tt.target)
			r, err := w.Trace(context.Background(), tt.from, target)
			if err != nil {
				t.Fatal(err)
			}
			s := Tell(r, target)
			if s.Delivered != r.Delivered() || (s.BrokenAt == nil) != (r.BrokenAt == nil) {
				t.Fatalf("story delivered=%v broken_at=%v; trace %s", s.Delivered, s.BrokenAt, r.Verdict)
			}
			last := s.Steps[len(s.Steps)-1]
			if tt.wantBroken == "" {
				if last.Broken || last.Title != "delivered" {
					t.Errorf("a delivered story ends with %+v", last)
				}
			} else {
				if got := last.Component + ": " + string(last.Code); !last.Broken || got != tt.wantBroken {
					t.Errorf("the story ends at %q (broken %v); want the break at %s", got, last.Broken, tt.wantBroken)
				}
				if last.Observe == "" || last.Fix == "" {
					t.Errorf("the break says nothing of what a learner sees (%q) or of the fix (%q)", last.Observe, last.Fix)
				}
				for _, st := range s.Steps[:len(s.Steps)-1] {
					if st.Broken {
						t.Errorf("step %q is marked broken before the end", st.Title)
					}
				}
				if len(s.Further) != len(r.Blockers)-1 {
					t.Errorf("%d further blockers; the trace has %d after the first", len(s.Further), len(r.Blockers)-1)
				}
			}
			// The story follows the request: stages in the trace's order,
			// each concept taught once.
			order := map[string]int{}
			for i, st := range r.Stages {
				order[st.Name] = i
			}
			prev := -1
			var all strings.Builder
			for _, st := range s.Steps {
				if order[st.Stage] < prev {
					t.Errorf("step %q of stage %s comes after a later stage", st.Title, st.Stage)
				}
				prev = order[st.Stage]
				if st.Component == "" || st.Text == "" {
					t.Errorf("step %+v lacks a component or a text", st)
				}
				all.WriteString(st.Text + "\n")
			}
			for _, c := range []string{"A network ACL guards", "Security groups are allow-only", "A route table picks", "Replies travel to the initiator's ephemeral port"} {
				if n := strings.Count(all.String(), c); n > 1 {
					t.Errorf("%q is taught %d times; once is enough", c, n)
				}
			}
		})
	}
}

// TestExplainTeaches: the reference request's story covers what the issue
// lists, in the order of "what happens when you type a URL".
func TestExplainTeaches(t *testing.T) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Explain(context.Background(), w, "", simtest.Target(t, "https://shop.example.com/"))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, st := range s.Steps {
		text.WriteString(st.Title + ": " + st.Text + "\n")
	}
	all := text.String()
	want := []string{
		"recursive resolver",              // the resolver's walk
		"the walk down from the root",     //
		"alias (CNAME)",                   // CNAMEs
		"internet gateway",                // the SYN's way in
		"network ACL",                     //
		"security group",                  //
		"security groups are stateful",    // why the reply is allowed back
		"ephemeral",                       //
		"the certificate check",           // TLS
		"how health was decided",          // the balancer's choice
		"the balancer chooses a target",   //
		"X-Forwarded-For",                 // its own connection
		"shop-api answers GET / with 200", // the app's answer
	}
	at := 0
	for _, w := range want {
		i := strings.Index(all[at:], w)
		if i < 0 {
			t.Errorf("the story lacks %q after position %d", w, at)
			continue
		}
		at += i
	}
	var j bytes.Buffer
	if err := s.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Delivered bool             `json:"delivered"`
		BrokenAt  *tracer.Break    `json:"broken_at"`
		Steps     []map[string]any `json:"steps"`
	}
	if err := json.Unmarshal(j.Bytes(), &back); err != nil || !back.Delivered || back.BrokenAt != nil || len(back.Steps) != len(s.Steps) {
		t.Errorf("JSON round trip: %v, %+v", err, back)
	}
}

// TestExplainGroupRuleByValue: whether a security-group rule names a
// group is read from the rule, not guessed from an "sg-" prefix, so a
// group called "web" is still told as a group reference.
func TestExplainGroupRuleByValue(t *testing.T) {
	src, err := simnet.Builtin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	renamed := strings.NewReplacer("sg-lb", "web", "sg-app", "apptier").Replace(string(src))
	w, err := simnet.Parse("renamed.yaml", []byte(renamed))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Explain(context.Background(), w, "", simtest.Target(t, "https://shop.example.com/"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	const groupRef = "matches any interface that carries that group"
	if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), groupRef) {
		t.Errorf("the story of a world whose app group admits the group 'web' never explains a group reference (%q):\n%s", groupRef, b.String())
	}
}
