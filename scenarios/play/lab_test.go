package play

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
)

// fakeLab records what the shell asks of a lab.
type fakeLab struct {
	applied   []*spec.WorldSpec
	execs     []string
	delivered bool // what the live check sees
}

func (f *fakeLab) Exec(_ context.Context, host string, args []string, out io.Writer) error {
	f.execs = append(f.execs, host+" "+strings.Join(args, " "))
	fmt.Fprintf(out, "ran %s on %s\n", strings.Join(args, " "), host)
	return nil
}

func (f *fakeLab) Apply(_ context.Context, spec *spec.WorldSpec) (string, error) {
	f.applied = append(f.applied, spec)
	return fmt.Sprintf("rebuilt (%d)", len(f.applied)), nil
}

func (f *fakeLab) Check(_ context.Context, c scenarios.Check) (bool, string, error) {
	if f.delivered {
		return true, "delivered", nil
	}
	return false, "http: HTTP 504", nil
}

// TestLabFollowsTheWorld: with a lab, every change to the world (a fix,
// undo, reset) is applied to it, a refused fix or an observation is not,
// exec reaches it, and check is solved only when the lab agrees.
func TestLabFollowsTheWorld(t *testing.T) {
	fix := "sg sg-app add ingress tcp 8080 from sg-lb"
	for _, tc := range []struct {
		name        string
		lines       []string
		delivered   bool
		applied     int
		solved      bool
		say, notSay []string
	}{
		{"observe_only", []string{"curl https://shop.example.com/", "show sg sg-app", "sg sg-nope add ingress tcp 1 from 0.0.0.0/0"}, false, 0, false, nil, []string{"\nlab: "}},
		{"fix_undo_reset", []string{fix, "undo", fix, "reset"}, false, 4, false, []string{"lab: rebuilt (1)", "lab: rebuilt (4)"}, nil},
		{"exec", []string{"exec app-1 ss -ltn", "exec app-1"}, false, 0, false, []string{"ran ss -ltn on app-1", "usage: exec HOST CMD"}, nil},
		{"lab_disagrees", []string{fix, "check"}, false, 1, false, []string{"in the lab: FAIL: http: HTTP 504", "not solved yet"}, []string{"\nsolved"}},
		{"lab_agrees", []string{fix, "check"}, true, 1, true, []string{"in the lab: pass: delivered", "\nsolved"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fl := &fakeLab{delivered: tc.delivered}
			_, out := session(t, adHoc(t), append(tc.lines, "check"), Options{Lab: fl})
			if len(fl.applied) != tc.applied {
				t.Errorf("the lab was rebuilt %d times; want %d\n%s", len(fl.applied), tc.applied, out)
			}
			for _, s := range tc.say {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in:\n%s", s, out)
				}
			}
			for _, s := range tc.notSay {
				if strings.Contains(out, s) {
					t.Errorf("%q in:\n%s", s, out)
				}
			}
			if got := strings.Contains(out, "\nsolved\n"); got != tc.solved {
				t.Errorf("solved = %v; want %v\n%s", got, tc.solved, out)
			}
		})
	}
	// Without a lab, exec says how to get one.
	_, out := session(t, adHoc(t), []string{"exec app-1 ss -ltn"}, Options{})
	if !strings.Contains(out, "pathlab play --lab") {
		t.Errorf("exec without a lab:\n%s", out)
	}
}
