package drill

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/progress"
)

var day0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// attempt is a recorded attempt on a topic: solved or not, in minutes,
// days before day0.
func attempt(id, topic string, solved bool, minutes float64, daysAgo int) progress.Attempt {
	return progress.Attempt{Scenario: id, Topics: []string{topic}, Mode: "drill", Solved: solved, Seconds: minutes * 60,
		Started: day0.AddDate(0, 0, -daysAgo), Score: map[bool]int{true: 800}[solved]}
}

// slowACLs is a history where network ACL scenarios take three times
// longer than the others, and DNS ones fail.
func slowACLs() []progress.Attempt {
	return []progress.Attempt{
		attempt("shop-acl-data-deny", "nacl", true, 9, 3),
		attempt("shop-sg-app-ingress", "security-groups", true, 3, 2),
		attempt("shop-dns-stale-ip", "dns", false, 10, 2),
		attempt("shop-acl-data-ephemeral", "nacl", true, 12, 1),
		attempt("shop-db-egress", "security-groups", true, 2, 1),
		attempt("shop-lame-delegation", "dns", false, 10, 0),
		attempt("shop-tg-port", "load-balancer", true, 4, 0),
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(slowACLs(), day0)
	byTopic := map[string]TopicStat{}
	for _, ts := range s.Topics {
		byTopic[ts.Topic] = ts
	}
	tests := []struct {
		topic            string
		attempts, solved int
		median, slower   float64
		since, box       int
	}{
		{"nacl", 2, 2, 630, 3.5, 3, 2},
		{"security-groups", 2, 2, 150, 150.0 / 540, 2, 2},
		{"dns", 2, 0, 0, 0, 1, 0},
		{"load-balancer", 1, 1, 240, 240.0 / 360, 0, 1},
		{"tls", 0, 0, 0, 0, -1, 0},
	}
	for _, tc := range tests {
		got := byTopic[tc.topic]
		if got.Attempts != tc.attempts || got.Solved != tc.solved || got.MedianSeconds != tc.median || got.Since != tc.since || got.Box != tc.box ||
			abs(got.SlowerBy-tc.slower) > 1e-9 {
			t.Errorf("%s: %+v; want attempts %d solved %d median %v slower %v since %d box %d", tc.topic, got, tc.attempts, tc.solved, tc.median, tc.slower, tc.since, tc.box)
		}
		if got.Weight != got.Wrong+got.Slow+got.Due || got.Weight < 0 || got.Weight > 3 {
			t.Errorf("%s: weight %v is not wrong+slow+due in [0,3]", tc.topic, got.Weight)
		}
	}
	if len(s.Topics) != len(scenarios.Topics) || s.Solved != 5 || s.MedianSeconds != 240 {
		t.Errorf("summary: %d topics, %d solved, median %v", len(s.Topics), s.Solved, s.MedianSeconds)
	}
	if s.Streak != (Streak{Solved: 1, Best: 2, Days: 4}) {
		t.Errorf("streak %+v", s.Streak)
	}
	if len(s.Suggestions) != 2 || s.Suggestions[0].Command != "pathlab drill --topic nacl" || s.Suggestions[1].Command != "pathlab drill --topic dns" {
		t.Fatalf("suggestions %+v", s.Suggestions)
	}
	if want := "network ACL scenarios take you 3.5 times longer than others (median 10:30 against 3:00)"; s.Suggestions[0].Text != want {
		t.Errorf("suggestion %q; want %q", s.Suggestions[0].Text, want)
	}
	if want := "you solved 0 of 2 DNS scenarios"; s.Suggestions[1].Text != want {
		t.Errorf("suggestion %q; want %q", s.Suggestions[1].Text, want)
	}
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "progress.txt", b.String())
}

func abs(x float64) float64 { return max(x, -x) }

func TestSuggestions(t *testing.T) {
	tests := []struct {
		name    string
		history []progress.Attempt
		want    []string // the commands
	}{
		{"none", nil, []string{"pathlab drill"}},
		{"untried", []progress.Attempt{attempt("a", "dns", true, 3, 0)}, []string{"pathlab drill --topic routing"}},
		{"all-good", func() []progress.Attempt {
			var as []progress.Attempt
			for _, tp := range scenarios.Topics {
				as = append(as, attempt("x-"+tp, tp, true, 3, 0))
			}
			return as
		}(), []string{"pathlab drill --difficulty hard"}},
		{"twice-as-long", []progress.Attempt{attempt("a", "tls", true, 8, 0), attempt("b", "dns", true, 4, 0), attempt("c", "dns", true, 4, 0)},
			[]string{"pathlab drill --topic tls", "pathlab drill --topic routing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range Summarize(tc.history, day0).Suggestions {
				got = append(got, s.Command)
				if s.Text == "" {
					t.Errorf("suggestion without text: %+v", s)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("suggestions %v; want %v", got, tc.want)
			}
		})
	}
	if got := times(2.04); got != "twice" {
		t.Errorf("times(2.04) = %q", got)
	}
}

// TestChoose: the choice is deterministic for a seed and a history, draws
// from the weakest topics, prefers what the learner has not solved, and
// generates fresh scenarios once the library's are all solved.
func TestChoose(t *testing.T) {
	ctx := context.Background()
	hist := slowACLs()
	a, err := Choose(ctx, hist, 5, ChooseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Choose(ctx, hist, 5, ChooseOptions{})
	if a.Scenario.ID != b.Scenario.ID || a.Topic != b.Topic || a.Why != b.Why {
		t.Errorf("seed 5 chose %s then %s", a.Scenario.ID, b.Scenario.ID)
	}
	// The weakest: network ACLs (solved, but 3.5 times slower than the
	// rest), DNS (failed twice), then the first topic never practised.
	var weakest []string
	for _, c := range a.Candidates {
		weakest = append(weakest, c.Topic)
	}
	if !slices.Equal(weakest, []string{"nacl", "dns", "routing"}) {
		t.Errorf("weakest topics %v; want nacl, dns, routing", weakest)
	}
	counts := map[string]int{}
	for seed := range uint64(40) {
		c, err := Choose(ctx, hist, seed, ChooseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		counts[c.Topic]++
		if !slices.Contains(c.Scenario.Topics, c.Topic) {
			t.Errorf("seed %d: topic %s but scenario %s is about %v", seed, c.Topic, c.Scenario.ID, c.Scenario.Topics)
		}
		if c.Topic == "dns" && slices.Contains([]string{"shop-dns-stale-ip", "shop-lame-delegation"}, c.Scenario.ID) {
			t.Errorf("seed %d: chose %s again while DNS scenarios never tried remain", seed, c.Scenario.ID)
		}
	}
	if len(counts) != 3 || counts["nacl"] < 5 || counts["dns"] < 5 || counts["routing"] < 5 {
		t.Errorf("topics over 40 seeds: %v; want each of the weakest three, and nothing else", counts)
	}

	tests := []struct {
		name    string
		history []progress.Attempt
		opts    ChooseOptions
		topic   string
		id      string // prefix
		why     string
		err     error
	}{
		{"given-topic", hist, ChooseOptions{Topic: "tls"}, "tls", "", "you asked for TLS", nil},
		{"given-difficulty", nil, ChooseOptions{Topic: "nacl", Difficulty: "hard"}, "nacl", "", "", nil},
		{"untried", nil, ChooseOptions{}, "", "", "you have not practised", nil},
		{"all-solved-generates", solvedAll("peering"), ChooseOptions{Topic: "peering"}, "peering", "random-", "", nil},
		{"bad-topic", nil, ChooseOptions{Topic: "bgp"}, "", "", "", ErrBadOption},
		{"bad-difficulty", nil, ChooseOptions{Difficulty: "extreme"}, "", "", "", ErrBadOption},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Choose(ctx, tc.history, 9, tc.opts)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Errorf("err %v; want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.topic != "" && c.Topic != tc.topic || !strings.HasPrefix(c.Scenario.ID, tc.id) || !strings.Contains(c.Why, tc.why) {
				t.Errorf("chose %s (%s: %s)", c.Scenario.ID, c.Topic, c.Why)
			}
			if tc.opts.Difficulty != "" && c.Scenario.Difficulty != tc.opts.Difficulty {
				t.Errorf("difficulty %s; want %s", c.Scenario.Difficulty, tc.opts.Difficulty)
			}
		})
	}
}

// solvedAll is a history that solved every library scenario of a topic.
func solvedAll(topic string) []progress.Attempt {
	lib, _ := scenarios.Library()
	var as []progress.Attempt
	for _, sc := range lib {
		if slices.Contains(sc.Topics, topic) {
			as = append(as, attempt(sc.ID, topic, true, 4, 0))
		}
	}
	return as
}

// TestSummarizeScriptedTimes: sessions of a fraction of a second (scripts
// piped in) say nothing about a pace: no topic is "6.7 times longer
// (median 0:00 against 0:00)".
func TestSummarizeScriptedTimes(t *testing.T) {
	as := []progress.Attempt{
		attempt("shop-acl-data-deny", "nacl", true, 0.0067/60, 1),
		attempt("shop-sg-app-ingress", "security-groups", true, 0.001/60, 0),
	}
	s := Summarize(as, day0)
	for _, ts := range s.Topics {
		if ts.SlowerBy != 0 || ts.Slow != 0 {
			t.Errorf("%s: slower by %v (slow %v) from sub-second medians", ts.Topic, ts.SlowerBy, ts.Slow)
		}
	}
	for _, sg := range s.Suggestions {
		if strings.Contains(sg.Text, "longer") {
			t.Errorf("suggestion %q from sub-second medians", sg.Text)
		}
	}
}
