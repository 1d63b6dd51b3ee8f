package drill

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestCardGolden keeps a library scenario's card, in both formats, as a
// golden file.
func TestCardGolden(t *testing.T) {
	st := setup(t, "shop-sg-app-ingress")
	c, err := NewCard(context.Background(), st, CardSeed(st.Scenario.ID))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"card-shop-sg-app-ingress.md", func(b *bytes.Buffer) error { return c.WriteMarkdown(b) }},
		{"card-shop-sg-app-ingress.txt", func(b *bytes.Buffer) error { return c.WriteText(b) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"sg-missing-ingress", "sg sg-app add ingress tcp 8080 from sg-lb", "dig shop.example.com",
				"curl -v https://shop.example.com/", "nc -zv shop.example.com 443", "traceroute -T -p 443 shop.example.com",
				"show target-health web-lb", "show sg sg-app", "HTTP/1.1 504 Gateway Time-out", "Target.Timeout",
				"sg sg-app add ingress all all from 0.0.0.0/0", "Model answer:"} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("the card lacks %q", want)
				}
			}
			golden(t, tc.name, b.String())
		})
	}
}

// TestCards builds the card of every library scenario twice: the same
// card each time, with the investigation's commands among the outputs, a
// rubric and three to five follow-up questions.
func TestCards(t *testing.T) {
	lib, err := scenarios.Library()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, sc := range lib {
		st, err := sc.Build()
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewCard(ctx, st, CardSeed(sc.ID))
		if err != nil {
			t.Fatalf("%s: %v", sc.ID, err)
		}
		again, _ := NewCard(ctx, st, CardSeed(sc.ID))
		if !reflect.DeepEqual(c, again) {
			t.Errorf("%s: two cards differ", sc.ID)
		}
		ran := map[string]bool{}
		for _, o := range c.Observations {
			ran[o.Command] = true
			if strings.TrimSpace(o.Output) == "" && !strings.HasPrefix(o.Command, "ssh ") {
				t.Errorf("%s: %s shows nothing", sc.ID, o.Command)
			}
			if strings.Contains(o.Output, "internal error") {
				t.Errorf("%s: %s: %s", sc.ID, o.Command, o.Output)
			}
		}
		for _, s := range c.Investigation {
			if s.Kind != "fix" && !ran[s.Command] {
				t.Errorf("%s: the card does not show %q", sc.ID, s.Command)
			}
		}
		if len(c.Strong) < 4 || len(c.Weak) < 3 || len(c.FollowUps) < 3 || len(c.FollowUps) > 5 || len(c.Faults) == 0 && len(sc.Faults) > 0 {
			t.Errorf("%s: %d strong, %d weak, %d follow-ups, %d faults", sc.ID, len(c.Strong), len(c.Weak), len(c.FollowUps), len(c.Faults))
		}
	}
}

func TestWeakFix(t *testing.T) {
	tests := []struct{ fix, line, text string }{
		{"sg sg-app add ingress tcp 8080 from sg-lb", "sg sg-app add ingress all all from 0.0.0.0/0", "opens every port of sg-app"},
		{"sg sg-lb add egress tcp 8080 to sg-app", "sg sg-lb add egress all all to 0.0.0.0/0", "send anything anywhere"},
		{"nacl acl-data add egress rule 110 allow tcp 1024-65535 10.0.10.0/23", "nacl acl-data add egress rule 110 allow all all 0.0.0.0/0", "every protocol and port"},
		{"nacl acl-data remove ingress rule 90", "", "in front of acl-data's deny"},
		{"firewall db-1 remove 2", "", "iptables -F"},
		{"cert shop-cert renew", "", "curl -k"},
		{"x", "", ""},
	}
	for _, tc := range tests {
		e, _ := spec.ParseEdit(tc.fix) // "x" is no edit: nil
		line, text := weakFix(e)
		if line != tc.line || !strings.Contains(text, tc.text) || tc.text == "" && text != "" {
			t.Errorf("weakFix(%q) = %q, %q; want %q, %q", tc.fix, line, text, tc.line, tc.text)
		}
	}
}
