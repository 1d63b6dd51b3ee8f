package play

import (
	"strings"
	"testing"
)

// TestAnswerUnknownComponent: an answer that names nothing in the world is
// a typo, said so, and costs no penalty; a real but wrong one costs one.
func TestAnswerUnknownComponent(t *testing.T) {
	tests := []struct {
		line  string
		out   string
		wrong int
	}{
		{"answer sg-apq", `nothing in this world is named "sg-apq" (no penalty)`, 0},
		{"answer sg-db", "not correct: sg-db", 1},
		{"answer SG-APP", "correct: sg-app", 0},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			sh, out := session(t, adHoc(t), []string{tc.line}, Options{})
			if !strings.Contains(out, tc.out) {
				t.Errorf("%q printed:\n%s\nwant it to hold %q", tc.line, out, tc.out)
			}
			if got := sh.Stats().WrongAnswers; got != tc.wrong {
				t.Errorf("%q: %d wrong answers; want %d", tc.line, got, tc.wrong)
			}
		})
	}
}
