package main

import (
	"fmt"
	"time"

	"github.com/pathlab/pathlab/scenarios/progress"
	"github.com/pathlab/pathlab/scenarios/walk"
)

// saveWalk records a walk quiz that had at least one answer; trouble with
// the state directory is reported, never fatal.
func saveWalk(e *env, target, from string, res walk.Result, asked int, start time.Time, took float64) {
	if res.Right+res.Wrong == 0 {
		return // nothing answered: no attempt
	}
	dir, err := progress.DefaultDir(e.getenv)
	if err == nil {
		var store *progress.Store
		if store, err = progress.Open(dir); err == nil {
			a := progress.Attempt{Started: start.UTC()}
			a.Mode, a.Scenario, a.Title = progress.ModeWalk, "walk", fmt.Sprintf("%s from %s", target, from)
			a.Topics = []string{}
			a.Right, a.Questions, a.Seconds = res.Right, asked, took
			a.Solved = res.Right == asked
			var notes []progress.Notice
			notes, err = store.Append(a)
			for _, n := range notes {
				fmt.Fprintf(e.stderr, "pathlab: %s\n", n)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "pathlab: progress not saved: %v\n", err)
	}
}
