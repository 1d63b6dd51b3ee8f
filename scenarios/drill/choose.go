package drill

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/progress"
)

// ChooseOptions narrow the drill's choice.
type ChooseOptions struct {
	Topic      string // empty: one of the learner's weakest topics
	Difficulty string // empty: from the topic's box
}

// Choice is the scenario a drill runs, and why.
type Choice struct {
	Scenario *scenarios.Scenario
	Topic    string
	// Why says in a sentence why this topic.
	Why string
	// Candidates are the weakest topics the choice was drawn from, weakest
	// first (empty when the topic was given).
	Candidates []TopicStat
}

// Weakest is how many of the weakest topics a drill draws from.
const Weakest = 3

// ErrBadOption wraps an unknown topic or difficulty.
var ErrBadOption = errors.New("drill")

const chooseStream = 0x64_72_69_6c_6c_21 // "drill!"

// Choose picks a drill from the history, deterministically for a seed
// and a history. Without a topic it draws one of the Weakest topics by
// weight (Summarize's Wrong+Slow+Due: more practice where the learner is
// wrong or slow, and where a topic is due again, as in spaced
// repetition). Within the topic it prefers the library scenario the
// learner has solved least and tried least; once every one of them has
// been solved, it generates a fresh scenario of the topic with the seed,
// at a difficulty that grows with the topic's box (easy, medium, hard).
func Choose(ctx context.Context, history []progress.Attempt, seed uint64, o ChooseOptions) (*Choice, error) {
	if o.Topic != "" && !slices.Contains(scenarios.Topics, o.Topic) {
		return nil, fmt.Errorf("%w: topic %q is not one of %s", ErrBadOption, o.Topic, strings.Join(scenarios.Topics, ", "))
	}
	if o.Difficulty != "" && !slices.Contains(scenarios.Difficulties, o.Difficulty) {
		return nil, fmt.Errorf("%w: difficulty %q is not one of %s", ErrBadOption, o.Difficulty, strings.Join(scenarios.Difficulties, ", "))
	}
	rng := rand.New(rand.NewPCG(seed, chooseStream))
	sum := Summarize(history, time.Time{})
	c := &Choice{Topic: o.Topic}
	var stat TopicStat
	if c.Topic == "" {
		ranked := slices.Clone(sum.Topics)
		sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Weight > ranked[j].Weight })
		c.Candidates = ranked[:min(Weakest, len(ranked))]
		stat = pickWeighted(c.Candidates, rng)
		c.Topic = stat.Topic
	} else {
		stat = sum.Topics[slices.Index(scenarios.Topics, c.Topic)]
	}
	c.Why = why(stat, o.Topic != "")

	diff := o.Difficulty
	lib, err := scenarios.Library()
	if err != nil {
		return nil, err
	}
	var cands []*scenarios.Scenario
	for _, sc := range lib {
		if slices.Contains(sc.Topics, c.Topic) && (diff == "" || sc.Difficulty == diff) {
			cands = append(cands, sc)
		}
	}
	tried, solved := map[string]int{}, map[string]int{}
	for _, a := range history {
		tried[scenarios.CanonicalID(a.Scenario)]++
		if a.Solved {
			solved[scenarios.CanonicalID(a.Scenario)]++
		}
	}
	// The least solved, then the least tried; the seed breaks ties.
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i].ID, cands[j].ID
		if solved[a] != solved[b] {
			return solved[a] < solved[b]
		}
		return tried[a] < tried[b]
	})
	fresh := len(cands) == 0 || solved[cands[0].ID] > 0
	if fresh {
		if diff == "" {
			diff = scenarios.Difficulties[min(stat.Box, len(scenarios.Difficulties)-1)]
		}
		for i := uint64(0); i < 3; i++ {
			sc, err := scenarios.Generate(ctx, seed+i, scenarios.Options{Topic: c.Topic, Difficulty: diff})
			if err == nil {
				c.Scenario = sc
				return c, nil
			}
			if !errors.Is(err, scenarios.ErrNoScenario) {
				return nil, err
			}
		}
		if len(cands) == 0 {
			return nil, fmt.Errorf("%w: no %s scenario about %s", scenarios.ErrNoScenario, diff, c.Topic)
		}
	}
	n := 1
	for n < len(cands) && solved[cands[n].ID] == solved[cands[0].ID] && tried[cands[n].ID] == tried[cands[0].ID] {
		n++
	}
	c.Scenario = cands[rng.IntN(n)]
	return c, nil
}

// pickWeighted draws a topic with a probability proportional to its
// weight.
func pickWeighted(ts []TopicStat, rng *rand.Rand) TopicStat {
	total := 0.0
	for _, t := range ts {
		total += t.Weight
	}
	x := rng.Float64() * total
	for _, t := range ts {
		if x < t.Weight {
			return t
		}
		x -= t.Weight
	}
	return ts[len(ts)-1]
}

// why says why a topic came up.
func why(t TopicStat, given bool) string {
	name := TopicName(t.Topic)
	switch {
	case given:
		return fmt.Sprintf("you asked for %s", name)
	case t.Attempts == 0:
		return fmt.Sprintf("you have not practised %s yet", name)
	case t.SuccessRate < 0.5:
		return fmt.Sprintf("you solved %d of %d %s scenarios", t.Solved, t.Attempts, name)
	case t.SlowerBy >= 1.5:
		return fmt.Sprintf("%s scenarios take you %s longer than others", name, times(t.SlowerBy))
	case t.Solved < t.Attempts:
		return fmt.Sprintf("you solved %d of %d %s scenarios; practice makes it stick", t.Solved, t.Attempts, name)
	}
	return fmt.Sprintf("%s is due again: last practised %d attempts ago", name, t.Since)
}
