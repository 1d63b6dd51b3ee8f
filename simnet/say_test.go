package simnet

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

// TestLazyDetails: a hop whose words are rendered on demand says the same
// in every view: Text, the JSON report, and after Render; and no hop of a
// trace is left without words.
func TestLazyDetails(t *testing.T) {
	w := mustBuiltin(t)
	tests := []struct{ from, target string }{
		{"browser", "https://shop.example.com/"},
		{"app-1", "tcp://10.0.20.10:5432"},
		{"browser", "icmp://203.0.113.10"},
		{"browser", "http://shop.example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.from+" "+tt.target, func(t *testing.T) {
			r, err := w.Trace(context.Background(), tt.from, mustTarget(t, tt.target))
			if err != nil {
				t.Fatal(err)
			}
			lazy := 0
			var texts []string
			for _, s := range r.Stages {
				for i := range s.Hops {
					h := &s.Hops[i]
					if h.Say != nil && h.Detail == "" {
						lazy++
					}
					if h.Text() == "" {
						t.Errorf("%s %s (%s) has no words", s.Name, h.Component, h.Code)
					}
					texts = append(texts, h.Text())
				}
			}
			if lazy == 0 {
				t.Errorf("no hop of the trace is rendered lazily")
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				Stages []struct {
					Hops []struct {
						Detail string `json:"detail"`
					} `json:"hops"`
				} `json:"stages"`
			}
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			k := 0
			for _, s := range back.Stages {
				for _, h := range s.Hops {
					if k >= len(texts) || h.Detail != texts[k] {
						t.Fatalf("JSON hop %d says %q; Text says %q", k, h.Detail, texts[min(k, len(texts)-1)])
					}
					k++
				}
			}
			var before, after bytes.Buffer
			if err := r.WriteText(&before, tracer.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			for i := range r.Stages {
				tracer.RenderHops(r.Stages[i].Hops)
			}
			if err := r.WriteText(&after, tracer.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if before.String() != after.String() {
				t.Errorf("rendered in place, the text changes:\n%s\n--- before\n%s", after.String(), before.String())
			}
		})
	}
}

// TestLookupCached: a World walks a question's delegation once; every
// later query gets the same hops, in a slice of its own.
func TestLookupCached(t *testing.T) {
	w := mustBuiltin(t)
	n, err := w.From("browser")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a1, err := n.Resolve(ctx, "shop.example.com", 1)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := n.Resolve(ctx, "shop.example.com", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a1.Hops) != len(a2.Hops) || len(a1.Hops) < 3 {
		t.Fatalf("hops %d then %d", len(a1.Hops), len(a2.Hops))
	}
	for i := range a1.Hops {
		if a1.Hops[i].Text() != a2.Hops[i].Text() {
			t.Errorf("hop %d: %q then %q", i, a1.Hops[i].Text(), a2.Hops[i].Text())
		}
	}
	a1.Hops[1].Detail = "changed"
	if a2.Hops[1].Text() == "changed" {
		t.Errorf("two answers share their hops")
	}
}

// TestLazyHopsCompare: hops that carry their words as facts stay
// comparable, and two traces of the same request are deeply equal.
func TestLazyHopsCompare(t *testing.T) {
	w := mustBuiltin(t)
	target := mustTarget(t, "https://shop.example.com/")
	r1, err := w.Trace(context.Background(), "browser", target)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := w.Trace(context.Background(), "browser", target)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r1.Stages, r2.Stages) {
		t.Errorf("two traces of the same request differ")
	}
	// A route's hop names world resources only: the same in both traces.
	st1, st2 := r1.Stage(tracer.StageTCP), r2.Stage(tracer.StageTCP)
	found := false
	for i, h := range st1.Hops {
		if h.Kind == tracer.KindRouteTable {
			found = true
			if h.Say == nil || h != st2.Hops[i] {
				t.Errorf("route hop %d is not lazy (%v), or its copies compare unequal", i, h.Say == nil)
			}
		}
	}
	if !found {
		t.Fatal("the trace has no route hop")
	}
}
