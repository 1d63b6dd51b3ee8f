package diff

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// FlowChange is a flow whose verdict changed between two worlds. BrokenAt
// is where it breaks: in the new world for a flow that broke, in the old
// one for a flow that was fixed (null when the old world lacked it).
type FlowChange struct {
	From     string        `json:"from"`
	Target   string        `json:"target"`
	BrokenAt *tracer.Break `json:"broken_at"`
}

// Difference is what changed in reachability from one world to another.
type Difference struct {
	Broken []FlowChange `json:"broken"`
	Fixed  []FlowChange `json:"fixed"`
	// Compared counts the flows traced in both worlds.
	Compared int `json:"-"`
}

// Changed reports whether any flow broke or was fixed.
func (d *Difference) Changed() bool { return len(d.Broken)+len(d.Fixed) > 0 }

// flowKey is a flow's identity across worlds.
type flowKey struct{ from, target string }

// Diff compares reachability between two worlds: the flows of either
// world are traced in both, and those whose verdict changed are listed,
// broken first, each in the order the flows were listed.
func Diff(ctx context.Context, old, new *simnet.World) (*Difference, error) {
	seen := map[flowKey]bool{}
	var keys [][2]string
	for _, w := range []*simnet.World{old, new} {
		ks, err := w.Flows(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if fk := (flowKey{k[0], k[1]}); !seen[fk] {
				seen[fk] = true
				keys = append(keys, k)
			}
		}
	}
	before, err := old.TraceFlows(ctx, keys)
	if err != nil {
		return nil, err
	}
	after, err := new.TraceFlows(ctx, keys)
	if err != nil {
		return nil, err
	}
	d := &Difference{Broken: []FlowChange{}, Fixed: []FlowChange{}}
	for i := range keys {
		b, a := before[i], after[i]
		if !a.Absent && !b.Absent {
			d.Compared++
		}
		switch {
		case b.Delivered && !a.Delivered && !a.Absent:
			d.Broken = append(d.Broken, FlowChange{From: a.From, Target: a.Target, BrokenAt: a.BrokenAt})
		case a.Delivered && !b.Delivered:
			d.Fixed = append(d.Fixed, FlowChange{From: a.From, Target: a.Target, BrokenAt: b.BrokenAt})
		}
	}
	return d, nil
}

// WriteJSON writes {"broken": [...], "fixed": [...]}.
func (d *Difference) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

// WriteText writes the difference for a person.
func (d *Difference) WriteText(w io.Writer, oldName, newName string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "reachability from %s to %s: %d flows compared, %d broke, %d fixed\n", oldName, newName, d.Compared, len(d.Broken), len(d.Fixed))
	section := func(title string, cs []FlowChange, where string) {
		if len(cs) == 0 {
			fmt.Fprintf(&b, "\n%s: none\n", title)
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, c := range cs {
			fmt.Fprintf(&b, "  %s → %s\n", c.From, c.Target)
			if c.BrokenAt != nil {
				fmt.Fprintf(&b, "      %s %s (%s) %s: %s\n", where, c.BrokenAt.Component, c.BrokenAt.Stage, c.BrokenAt.Code, c.BrokenAt.Detail)
			}
		}
	}
	section("broken", d.Broken, "now broken at")
	section("fixed", d.Fixed, "was broken at")
	_, err := io.WriteString(w, b.String())
	return err
}
