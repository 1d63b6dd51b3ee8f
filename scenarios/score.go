package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// ScoreInput is what a session did.
type ScoreInput struct {
	Difficulty   string
	Duration     time.Duration
	Commands     int
	Hints        int
	WrongAnswers int
	Warnings     int // the fix review's warnings: over-broad rules, extra flows
	Solved       bool
	GaveUp       bool
}

// Score is a session's score and what it was made of.
type Score struct {
	Total int `json:"total"`
	Base  int `json:"base"`
	// Penalties, each already capped.
	Time     int `json:"time"`
	Commands int `json:"commands"`
	Hints    int `json:"hints"`
	Wrong    int `json:"wrong_answers"`
	Warnings int `json:"warnings"`
	// Par is the time and the number of commands that cost nothing.
	ParTime     time.Duration `json:"-"`
	ParCommands int           `json:"-"`
	Solved      bool          `json:"solved"`
}

// Scoring rules. A solved scenario is worth its difficulty's base; time
// beyond par, commands beyond par, hints, wrong answers and over-broad
// fixes cost points; a solved scenario never scores below a tenth of its
// base, and an unsolved one scores nothing.
var (
	scoreBase    = map[string]int{"easy": 1000, "medium": 1500, "hard": 2000}
	parTime      = map[string]time.Duration{"easy": 5 * time.Minute, "medium": 10 * time.Minute, "hard": 15 * time.Minute}
	parCommands  = map[string]int{"easy": 15, "medium": 25, "hard": 35}
	perHint      = 150
	perWrong     = 75
	perWarning   = 100
	perCommand   = 10
	perTimeUnit  = 10 // points per 30 seconds over par
	maxTimeCost  = 0.4
	maxCountCost = 0.2
)

// ComputeScore scores a session.
func ComputeScore(in ScoreInput) Score {
	base := scoreBase[in.Difficulty]
	if base == 0 {
		base = scoreBase["medium"]
	}
	s := Score{Base: base, ParTime: parTime[in.Difficulty], ParCommands: parCommands[in.Difficulty], Solved: in.Solved && !in.GaveUp}
	if s.ParTime == 0 {
		s.ParTime, s.ParCommands = parTime["medium"], parCommands["medium"]
	}
	if over := in.Duration - s.ParTime; over > 0 {
		s.Time = min(int(over/(30*time.Second))*perTimeUnit, int(float64(base)*maxTimeCost))
	}
	if over := in.Commands - s.ParCommands; over > 0 {
		s.Commands = min(over*perCommand, int(float64(base)*maxCountCost))
	}
	s.Hints = in.Hints * perHint
	s.Wrong = in.WrongAnswers * perWrong
	s.Warnings = in.Warnings * perWarning
	if !s.Solved {
		return s
	}
	s.Total = max(base/10, base-s.Time-s.Commands-s.Hints-s.Wrong-s.Warnings)
	return s
}

// String writes the score and its parts on one line.
func (s Score) String() string {
	if !s.Solved {
		return "score 0 (not solved)"
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("-%d %s", n, what))
		}
	}
	add(s.Time, "time")
	add(s.Commands, "commands")
	add(s.Hints, "hints")
	add(s.Wrong, "wrong answers")
	add(s.Warnings, "review warnings")
	if len(parts) == 0 {
		return fmt.Sprintf("score %d of %d", s.Total, s.Base)
	}
	return fmt.Sprintf("score %d of %d (%s)", s.Total, s.Base, strings.Join(parts, ", "))
}
