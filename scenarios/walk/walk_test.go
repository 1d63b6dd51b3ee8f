package walk

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

func quiz(t *testing.T, w *simnet.World, from, target string, seed uint64) []Question {
	t.Helper()
	tg, err := tracer.ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Trace(context.Background(), from, tg)
	if err != nil {
		t.Fatal(err)
	}
	return Questions(w, r, rand.New(rand.NewPCG(seed, seed)))
}

func TestQuestionsBuiltin(t *testing.T) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	qs := quiz(t, w, "", "https://shop.example.com/", 1)
	// The decisions a walkthrough must cover, and the right answers.
	want := map[string]string{
		"authoritatively for example.com?":   "ns1.example.com",
		"send its SYN to?":                   "203.0.113.10",
		"admits the SYN into web-lb?":        "sg-lb",
		"Which rule of sg-lb matched?":       "ingress tcp 443 from 0.0.0.0/0",
		"Why is it allowed?":                 "security groups are stateful: replies of tracked connections pass",
		"Which certificate does web-lb":      "shop-cert",
		"send the request to, and why?":      "app-1: it passed its health check",
		"admits the SYN into app-1?":         "sg-app",
		"What does the zone answer for it?":  "an alias (CNAME) for web-lb.example.com.",
		"crosses acl-open (leaving subnet p": "rule 100 allow all 0.0.0.0/0",
	}
	for frag, answer := range want {
		found := false
		for _, q := range qs {
			if strings.Contains(q.Prompt, frag) {
				found = true
				if got := q.Choices[q.Answer]; got != answer {
					t.Errorf("%q: answer %q; want %q", q.Prompt, got, answer)
				}
				if len(q.Choices) < 3 {
					t.Errorf("%q has only %d choices", q.Prompt, len(q.Choices))
				}
				seen := map[string]bool{}
				for _, c := range q.Choices {
					if seen[c] {
						t.Errorf("%q repeats choice %q", q.Prompt, c)
					}
					seen[c] = true
				}
			}
		}
		if !found {
			t.Errorf("no question about %q", frag)
		}
	}
	// Same seed, same quiz; another seed shuffles.
	again := quiz(t, w, "", "https://shop.example.com/", 1)
	other := quiz(t, w, "", "https://shop.example.com/", 2)
	if len(again) != len(qs) {
		t.Fatal("same seed gave another quiz")
	}
	same, differs := true, false
	for i := range qs {
		if strings.Join(again[i].Choices, "|") != strings.Join(qs[i].Choices, "|") {
			same = false
		}
		if i < len(other) && strings.Join(other[i].Choices, "|") != strings.Join(qs[i].Choices, "|") {
			differs = true
		}
	}
	if !same || !differs {
		t.Errorf("same seed same quiz: %v; another seed shuffles: %v", same, differs)
	}
}

func TestRunMarks(t *testing.T) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	qs := quiz(t, w, "", "https://shop.example.com/", 7)
	// Answer the first right, the second wrong, junk then right for the
	// third, and stop.
	wrong := (qs[1].Answer + 1) % len(qs[1].Choices)
	in := Letter(qs[0].Answer) + "\n" + Letter(wrong) + "\nzz\n" + Letter(qs[2].Answer) + "\n"
	var out bytes.Buffer
	res := Run(strings.NewReader(in), &out, qs)
	if res.Right != 2 || res.Wrong != 1 || res.Skipped != len(qs)-3 {
		t.Fatalf("result right %d wrong %d skipped %d; want 2, 1, %d\n%s", res.Right, res.Wrong, res.Skipped, len(qs)-3, out.String())
	}
	text := out.String()
	for _, want := range []string{"right. ", "wrong: the answer is (" + Letter(qs[1].Answer) + ")", "answer with a letter", "2 of "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

// TestQuestionsAnyWorld asks from every test world, broken ones included:
// every question must be well formed.
func TestQuestionsAnyWorld(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "worlds", "codes", "*.yaml"))
	files = append(files, filepath.Join("..", "..", "testdata", "worlds", "nlb.yaml"))
	for _, f := range files {
		w, err := simnet.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		target := w.Headline()
		if target == "" {
			target = "http://10.2.1.10:8080/"
		}
		for _, from := range w.Names("instance") {
			for _, q := range quiz(t, w, from, target, 1) {
				if q.Answer < 0 || q.Answer >= len(q.Choices) || len(q.Choices) < 3 || q.Reason == "" || q.Prompt == "" {
					t.Errorf("%s from %s: malformed question %+v", f, from, q)
				}
			}
		}
	}
}

func TestParseAnswer(t *testing.T) {
	q := Question{Choices: []string{"sg-lb", "sg-app", "sg-db"}}
	for in, want := range map[string]int{"a": 0, "B": 1, " c ": 2, "1": 0, "3": 2, "sg-app": 1, "d": -1, "4": -1, "": -1, "zz": -1} {
		if got := q.Parse(in); got != want {
			t.Errorf("Parse(%q) = %d; want %d", in, got, want)
		}
	}
}
