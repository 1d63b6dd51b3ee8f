package main

import (
	"context"
	"fmt"
	"github.com/pathlab/pathlab/diff"
	"github.com/pathlab/pathlab/reach"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

func init() { register("diff", newDiffCmd) }

func newDiffCmd(e *env) *cobra.Command {
	var asJSON, classes bool
	var plan string
	cmd := &cobra.Command{
		Use:   "diff [--json] OLD.yaml NEW.yaml | diff --plan PLAN.json",
		Short: "Compare reachability between two worlds: what broke, what was fixed",
		Long: `Diff traces every flow that makes sense in either world (every client and
instance to every DNS name it can see, and to every listener and service it
could reach by address) in both worlds, and lists the flows that broke and
the flows that were fixed, each with where it breaks. This is how you check
that a fix did not open, or close, anything else.

A world is a file, or builtin:NAME for a built-in world.

JSON: {"broken": [{"from", "target", "broken_at"}...], "fixed": [...]}; a
fixed flow's broken_at is where it used to break.

With --classes, diff compares reachability over classes of headers, as
'pathlab reach' computes it: every pair of endpoints (and the internet),
every protocol and port range, walking only the endpoints whose groups,
subnet ACL or routes changed. It is the diff for large worlds: two worlds of
10,000 subnets in seconds. JSON: {"opened": [...], "closed": [...]}, each
{"from", "to", "range", "old", "new"}.

Worlds of more than 1,000 instances are compared over classes unless
--classes=false is given (it says so on standard error).

With --plan PLAN.json (terraform show -json of a saved plan), the worlds are
the plan's prior state and its planned values, imported: the report lists
the resources the plan changes, then the flows that break and those that
open, each with the Terraform address of where it breaks.

Exit status: 0 nothing changed, 1 something did, 2 bad input. With --plan:
0 nothing breaks, 1 a flow breaks (so CI can gate on it), 2 bad input.`,
		Example: `  pathlab diff shop.yaml shop-fixed.yaml
  pathlab diff --json builtin:shop my-shop.yaml
  pathlab diff --plan plan.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if plan != "" {
				if len(args) != 0 {
					return usageErr("diff --plan PLAN compares the world before and after the plan; give no other worlds")
				}
				return nil
			}
			if len(args) != 2 {
				return usageErr("diff needs two worlds, OLD and NEW (files, or builtin:NAME); got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if plan != "" {
				return planDiff(e, plan, asJSON)
			}
			old, new, err := loadTwoWorlds(args[0], args[1])
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("classes") {
				if n := max(len(old.Names("instance")), len(new.Names("instance"))); n > classesAbove {
					// Tracing every flow of every instance one at a
					// time takes minutes at this size.
					classes = true
					fmt.Fprintf(e.stderr, "pathlab: %d instances: comparing over classes (--classes=false traces every flow)\n", n)
				}
			}
			if classes {
				return writeChanges(e, reach.Compare(old, new), asJSON, args[0], args[1])
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			d, err := diff.Diff(ctx, old, new)
			if err != nil {
				return err
			}
			return writeChanges(e, d, asJSON, args[0], args[1])
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"broken": [...], "fixed": [...]} as JSON`)
	cmd.Flags().BoolVar(&classes, "classes", false, "compare reachability over classes of headers (every pair of endpoints, every port): fast on large worlds, and the default above 1,000 instances")
	cmd.Flags().StringVar(&plan, "plan", "", "compare the world before and after a Terraform plan (`PLAN.json`, from terraform show -json); exit 1 when a flow breaks")
	return cmd
}

// classesAbove is the size (instances in either world) above which diff
// compares over classes unless told otherwise.
const classesAbove = 1000

// loadTwoWorlds loads the two worlds of a diff side by side (each load is
// one core's work) when both are files; the old world's problem is told
// first.
func loadTwoWorlds(oldPath, newPath string) (old, new *simnet.World, err error) {
	oldSize, oldFile := regularFile(oldPath)
	newSize, newFile := regularFile(newPath)
	if !oldFile || !newFile {
		if old, err = loadWorld(oldPath); err != nil {
			return nil, nil, err
		}
		new, err = loadWorld(newPath)
		return old, new, err
	}
	// Both loads' heap and the comparison's (about as much again), not only
	// the first load's.
	spec.PrepareHeap((oldSize + newSize) * 5 / 3)
	var errNew error
	done := make(chan struct{})
	go func() {
		defer close(done)
		new, errNew = loadWorld(newPath)
	}()
	old, err = loadWorld(oldPath)
	<-done
	if err != nil {
		return nil, nil, err
	}
	return old, new, errNew
}

// regularFile returns the size of the regular file at path, and whether
// there is one.
func regularFile(path string) (int64, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	return fi.Size(), true
}

// changes is what both diffs give: by classes (reach.Compare) and flow by
// flow (diff.Diff).
type changes interface {
	WriteJSON(io.Writer) error
	WriteText(w io.Writer, oldName, newName string) error
	Changed() bool
}

// writeChanges prints a diff and exits 1 when something changed, as diff(1)
// does.
func writeChanges(e *env, d changes, asJSON bool, oldName, newName string) error {
	var err error
	if asJSON {
		err = d.WriteJSON(e.stdout)
	} else {
		err = d.WriteText(e.stdout, oldName, newName)
	}
	if err != nil {
		return err
	}
	if d.Changed() {
		return exitCode(1)
	}
	return nil
}
