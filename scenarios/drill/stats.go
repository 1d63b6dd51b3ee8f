package drill

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/progress"
	"github.com/pathlab/pathlab/tracer"
)

// TopicStat is one topic's figures over the recorded attempts. An attempt
// counts for every topic of its scenario.
type TopicStat struct {
	Topic    string `json:"topic"`
	Attempts int    `json:"attempts"`
	Solved   int    `json:"solved"`
	// SuccessRate is Solved/Attempts; 0 without attempts.
	SuccessRate float64 `json:"success_rate"`
	// MedianSeconds is the median time of the solved attempts; 0 when
	// none was solved.
	MedianSeconds float64 `json:"median_seconds"`
	// SlowerBy is MedianSeconds against the median of the solved attempts
	// of every other topic (2: twice as long); 0 when either is unknown.
	SlowerBy float64 `json:"slower_by,omitempty"`
	// Since is the number of attempts recorded after this topic's last
	// one; -1 when never practised.
	Since int `json:"since"`
	// Box is the spaced-repetition box: the solved attempts in a row at
	// the end of the topic's history (capped at 4). A topic is due again
	// after 2^Box-1 attempts of other topics: at once after a failure.
	Box int `json:"box"`
	// Weight is how much the drill wants this topic practised: the sum of
	// Wrong, Slow and Due, each between 0 and 1.
	Weight float64 `json:"weight"`
	Wrong  float64 `json:"wrong"`
	Slow   float64 `json:"slow"`
	Due    float64 `json:"due"`
}

// Streak counts the learner's runs.
type Streak struct {
	// Solved is the number of solved attempts in a row, the latest last.
	Solved int `json:"solved"`
	// Best is the longest such run ever.
	Best int `json:"best"`
	// Days is the number of days in a row with an attempt, ending today
	// (or yesterday, when today has none yet).
	Days int `json:"days"`
}

// Suggestion is a concrete next step.
type Suggestion struct {
	Text    string `json:"text"`
	Command string `json:"command"`
	Topic   string `json:"topic,omitempty"`
}

// Summary is the learner's progress: every attempt, per-topic figures,
// the streak and what to practise next.
type Summary struct {
	Attempts []progress.Attempt `json:"attempts"`
	Solved   int                `json:"solved"`
	// MedianSeconds is the median time of every solved attempt.
	MedianSeconds float64 `json:"median_seconds"`
	// Topics has every topic, in the order of scenarios.Topics.
	Topics      []TopicStat  `json:"topics"`
	Streak      Streak       `json:"streak"`
	Suggestions []Suggestion `json:"suggestions"`
	// Walks are the walk quizzes taken, oldest first: they count for no
	// topic and no streak.
	Walks []progress.Attempt `json:"walks"`
}

// minPace is the shortest median time that says anything about a pace:
// a session of a fraction of a second (a script piped in) is no evidence
// that one topic is slower than another, and a ratio of two such medians
// printed as "0:00 against 0:00" is noise.
const minPace = 10 // seconds

// maxBox caps the spaced-repetition box: a topic mastered comes back at
// least every 16 attempts.
const maxBox = 4

// Summarize computes the figures from the attempts, oldest first; now is
// the clock for the streak of days.
func Summarize(as []progress.Attempt, now time.Time) *Summary {
	sessions, walks := []progress.Attempt{}, []progress.Attempt{}
	for _, a := range as {
		if a.Mode == progress.ModeWalk {
			walks = append(walks, a)
		} else {
			sessions = append(sessions, a)
		}
	}
	as = sessions
	s := &Summary{Attempts: as, Walks: walks}
	var all []float64
	for _, a := range as {
		if a.Solved {
			s.Solved++
			all = append(all, a.Seconds)
		}
	}
	s.MedianSeconds = median(all)
	for _, topic := range scenarios.Topics {
		s.Topics = append(s.Topics, topicStat(as, topic))
	}
	s.Streak = streak(as, now)
	s.Suggestions = suggest(s)
	return s
}

func topicStat(as []progress.Attempt, topic string) TopicStat {
	t := TopicStat{Topic: topic, Since: -1}
	var mine, others []float64
	var results []bool
	for i, a := range as {
		in := slices.Contains(a.Topics, topic)
		if !in {
			if a.Solved {
				others = append(others, a.Seconds)
			}
			continue
		}
		t.Attempts++
		t.Since = len(as) - 1 - i
		results = append(results, a.Solved)
		if a.Solved {
			t.Solved++
			mine = append(mine, a.Seconds)
		}
	}
	if t.Attempts > 0 {
		t.SuccessRate = float64(t.Solved) / float64(t.Attempts)
	}
	t.MedianSeconds = median(mine)
	if mo := median(others); t.MedianSeconds >= minPace && mo >= minPace {
		t.SlowerBy = t.MedianSeconds / mo
	}
	for i := len(results) - 1; i >= 0 && results[i] && t.Box < maxBox; i-- {
		t.Box++
	}
	// Wrong: the failure rate, smoothed so that one attempt says little
	// (Laplace: an untried topic counts as half wrong).
	t.Wrong = 1 - float64(t.Solved+1)/float64(t.Attempts+2)
	// Slow: 0 at the learner's usual pace, 1 at three times it.
	if t.SlowerBy > 1 {
		t.Slow = math.Min(1, (t.SlowerBy-1)/2)
	}
	// Due: a topic is due again after 2^Box-1 other attempts: at once
	// after a failure, then after 1, 3, 7 and 15; never practised is due.
	t.Due = 1
	if interval := math.Pow(2, float64(t.Box)) - 1; t.Since >= 0 && interval > 0 {
		t.Due = math.Min(1, float64(t.Since)/interval)
	}
	t.Weight = t.Wrong + t.Slow + t.Due
	return t
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	ys := slices.Clone(xs)
	sort.Float64s(ys)
	n := len(ys)
	if n%2 == 1 {
		return ys[n/2]
	}
	return (ys[n/2-1] + ys[n/2]) / 2
}

func streak(as []progress.Attempt, now time.Time) Streak {
	var s Streak
	run := 0
	for _, a := range as {
		if a.Solved {
			run++
			s.Best = max(s.Best, run)
		} else {
			run = 0
		}
	}
	s.Solved = run
	days := map[string]bool{}
	for _, a := range as {
		days[a.Started.In(now.Location()).Format(time.DateOnly)] = true
	}
	day := now
	if !days[day.Format(time.DateOnly)] {
		day = day.AddDate(0, 0, -1)
	}
	for days[day.Format(time.DateOnly)] {
		s.Days++
		day = day.AddDate(0, 0, -1)
	}
	return s
}

// topicNames are the topics as a sentence names their scenarios.
var topicNames = map[string]string{
	scenarios.TopicDNS: "DNS", scenarios.TopicRouting: "routing", scenarios.TopicNAT: "NAT", scenarios.TopicPeering: "peering",
	scenarios.TopicSecurityGroups: "security group", scenarios.TopicNACL: "network ACL", scenarios.TopicHostFirewall: "host firewall",
	scenarios.TopicApp: "app", scenarios.TopicLoadBalancer: "load balancer", scenarios.TopicTLS: "TLS",
}

// TopicName is a topic as a sentence names it ("network ACL").
func TopicName(topic string) string {
	if n, ok := topicNames[topic]; ok {
		return n
	}
	return topic
}

// times words a ratio: "twice", "three times", "2.5 times".
func times(r float64) string {
	words := map[int]string{2: "twice", 3: "three times", 4: "four times", 5: "five times"}
	if n := int(math.Round(r)); math.Abs(r-float64(n)) < 0.15 && words[n] != "" {
		return words[n]
	}
	return fmt.Sprintf("%.1f times", r)
}

// suggest picks one or two concrete next steps: the topic that is
// slowest against the others, the one solved least often, and, failing
// those, one never practised.
func suggest(s *Summary) []Suggestion {
	if len(s.Attempts) == 0 {
		return []Suggestion{{Text: "no attempts yet: a first drill picks a topic for you", Command: "pathlab drill"}}
	}
	var out []Suggestion
	drill := func(topic string) string { return "pathlab drill --topic " + topic }
	var slow *TopicStat
	for i := range s.Topics {
		t := &s.Topics[i]
		if t.SlowerBy >= 1.5 && (slow == nil || t.SlowerBy > slow.SlowerBy) {
			slow = t
		}
	}
	if slow != nil {
		out = append(out, Suggestion{Topic: slow.Topic, Command: drill(slow.Topic),
			Text: fmt.Sprintf("%s scenarios take you %s longer than others (median %s against %s)", TopicName(slow.Topic), times(slow.SlowerBy),
				Clock(seconds(slow.MedianSeconds)), Clock(seconds(slow.MedianSeconds/slow.SlowerBy)))})
	}
	var weak *TopicStat
	for i := range s.Topics {
		t := &s.Topics[i]
		if t.Attempts >= 2 && t.SuccessRate < 0.75 && (slow == nil || t.Topic != slow.Topic) &&
			(weak == nil || t.SuccessRate < weak.SuccessRate || t.SuccessRate == weak.SuccessRate && t.Attempts > weak.Attempts) {
			weak = t
		}
	}
	if weak != nil {
		out = append(out, Suggestion{Topic: weak.Topic, Command: drill(weak.Topic),
			Text: fmt.Sprintf("you solved %d of %d %s scenarios", weak.Solved, weak.Attempts, TopicName(weak.Topic))})
	}
	if len(out) < 2 {
		for _, t := range s.Topics {
			if t.Attempts == 0 {
				out = append(out, Suggestion{Topic: t.Topic, Command: drill(t.Topic),
					Text: fmt.Sprintf("you have not practised %s scenarios yet", TopicName(t.Topic))})
				break
			}
		}
	}
	if len(out) == 0 {
		out = append(out, Suggestion{Text: "no weak spot stands out: let the drill choose, a level harder", Command: "pathlab drill --difficulty hard"})
	}
	return out
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// WriteText writes the attempts, the per-topic figures, the streak and
// the suggestions as tables for a person.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(s.Attempts) == 0 {
		fmt.Fprintf(tw, "No attempts recorded yet.\n")
	} else {
		fmt.Fprintf(tw, "WHEN\tMODE\tSCENARIO\tTOPICS\tRESULT\tSCORE\tTIME\tHINTS\n")
		for _, a := range s.Attempts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\n", a.Started.Format("2006-01-02 15:04"), a.Mode, a.Scenario,
				strings.Join(a.Topics, ","), result(a), a.Score, Clock(seconds(a.Seconds)), a.Hints)
		}
		fmt.Fprintf(tw, "\n%d attempts, %d solved", len(s.Attempts), s.Solved)
		if s.Solved > 0 {
			fmt.Fprintf(tw, ", median time %s", Clock(seconds(s.MedianSeconds)))
		}
		fmt.Fprintf(tw, ".\n\nTOPIC\tATTEMPTS\tSOLVED\tSUCCESS\tMEDIAN TIME\tNEXT DRILL WEIGHT\n")
		var unpractised []string
		for _, t := range s.Topics {
			if t.Attempts == 0 {
				unpractised = append(unpractised, t.Topic)
				continue
			}
			med := "-"
			if t.MedianSeconds > 0 {
				med = Clock(seconds(t.MedianSeconds))
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f%%\t%s\t%.2f\n", t.Topic, t.Attempts, t.Solved, 100*t.SuccessRate, med, t.Weight)
		}
		if len(unpractised) > 0 {
			fmt.Fprintf(tw, "\nNot practised yet: %s.\n", strings.Join(unpractised, ", "))
		}
		fmt.Fprintf(tw, "\nStreak: %d solved in a row (best %d); %d day%s in a row with practice.\n", s.Streak.Solved, s.Streak.Best, s.Streak.Days, plural(s.Streak.Days))
	}
	if n := len(s.Walks); n > 0 {
		last := s.Walks[n-1]
		right, asked := 0, 0
		for _, a := range s.Walks {
			right += a.Right
			asked += a.Questions
		}
		fmt.Fprintf(tw, "\nWalk quizzes: %d taken, %d of %d answers right; the last, %s: %d of %d.\n", n, right, asked, last.Title, last.Right, last.Questions)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\nNext:\n")
	for _, sg := range s.Suggestions {
		tracer.Wrap(&b, fmt.Sprintf("%s: `%s`", sg.Text, sg.Command), "  - ", "    ", 78)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func result(a progress.Attempt) string {
	switch {
	case a.Solved:
		return "solved"
	case a.GaveUp:
		return "gave up"
	case a.TimedOut:
		return "out of time"
	}
	return "not solved"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
