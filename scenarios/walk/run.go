package walk

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Result is how a quiz went.
type Result struct {
	Right    int        `json:"right"`
	Wrong    int        `json:"wrong"`
	Skipped  int        `json:"skipped"` // unanswered when input ended
	Answered []Answered `json:"answers"`
}

// Answered is one question and what the learner said.
type Answered struct {
	Question
	Given   int  `json:"given"` // -1 when none
	Correct bool `json:"correct"`
}

// Run asks the questions one by one on out, reading one answer per line
// from in, and marks each with the reason. A line that is not one of the
// choices is asked again; input ending skips the rest.
func Run(in io.Reader, out io.Writer, qs []Question) Result {
	sc := bufio.NewScanner(in)
	var res Result
	for i, q := range qs {
		fmt.Fprintf(out, "\n[%d/%d] %s — %s\n", i+1, len(qs), strings.ToUpper(q.Stage), q.Prompt)
		for j, c := range q.Choices {
			fmt.Fprintf(out, "  (%s) %s\n", Letter(j), c)
		}
		given := -1
		for {
			fmt.Fprint(out, "answer> ")
			if !sc.Scan() {
				break
			}
			line := strings.TrimSpace(sc.Text())
			if given = q.Parse(line); given >= 0 {
				break
			}
			fmt.Fprintf(out, "answer with a letter from a to %s\n", Letter(len(q.Choices)-1))
		}
		if given < 0 {
			fmt.Fprintln(out, "(no answer)")
			res.Skipped = len(qs) - i
			for _, rest := range qs[i:] {
				res.Answered = append(res.Answered, Answered{Question: rest, Given: -1})
			}
			break
		}
		a := Answered{Question: q, Given: given, Correct: given == q.Answer}
		if a.Correct {
			res.Right++
			fmt.Fprintf(out, "right. %s\n", q.Reason)
		} else {
			res.Wrong++
			fmt.Fprintf(out, "wrong: the answer is (%s) %s.\n  %s\n", Letter(q.Answer), q.Choices[q.Answer], q.Reason)
		}
		res.Answered = append(res.Answered, a)
	}
	fmt.Fprintf(out, "\n%d of %d right", res.Right, len(qs))
	if res.Skipped > 0 {
		fmt.Fprintf(out, " (%d not answered)", res.Skipped)
	}
	fmt.Fprintln(out)
	return res
}
