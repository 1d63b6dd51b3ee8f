package reach

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Change is a range of flows between two endpoints whose verdict changed.
type Change struct {
	From  string           `json:"from"`
	To    string           `json:"to"`
	Range simnet.PortRange `json:"range"`
	Old   simnet.Verdict   `json:"old"`
	New   simnet.Verdict   `json:"new"`
}

// Difference is what changed in reachability between two worlds, over
// classes: every flow between every pair of endpoints (the internet as a
// source), each protocol and port.
type Difference struct {
	Opened []Change `json:"opened"`
	Closed []Change `json:"closed"`
	// Changed are ranges open in neither world whose stop moved.
	Moved int `json:"moved"`
	// Touched counts the endpoints whose flows were walked: those whose
	// groups, subnet ACL or routes changed (all, when something every
	// flow depends on changed).
	Touched   int `json:"touched"`
	Endpoints int `json:"endpoints"`
	// Pairs counts the endpoint pairs compared.
	Pairs int `json:"pairs"`
}

// Compare diffs the reachability of two worlds over classes. Only the
// flows of endpoints whose signature changed are walked (both ways), and
// pairs of endpoints whose profiles in both worlds repeat are judged once.
func Compare(oldW, newW *simnet.World) *Difference {
	ro, rn := oldW.NewReach(), newW.NewReach()
	d := &Difference{Opened: []Change{}, Closed: []Change{}}
	all := ro.GlobalSignature() != rn.GlobalSignature()
	// Endpoints of both worlds, by name.
	type both struct {
		name     string
		o, n     simnet.Endpoint
		inO, inN bool
	}
	var eps []*both
	idx := map[string]*both{}
	for _, e := range ro.Endpoints() {
		b := &both{name: e.Name, o: e, inO: true}
		idx[e.Name] = b
		eps = append(eps, b)
	}
	for _, e := range rn.Endpoints() {
		b := idx[e.Name]
		if b == nil {
			b = &both{name: e.Name}
			idx[e.Name] = b
			eps = append(eps, b)
		}
		b.n, b.inN = e, true
	}
	d.Endpoints = len(eps)
	var touched []*both
	for _, b := range eps {
		if all || !b.inO || !b.inN || ro.Signature(b.o) != rn.Signature(b.n) {
			touched = append(touched, b)
		}
	}
	d.Touched = len(touched)
	if len(touched) == 0 {
		return d
	}
	isTouched := map[string]bool{}
	for _, b := range touched {
		isTouched[b.name] = true
	}
	inO, okO := ro.Internet()
	inN, okN := rn.Internet()
	internet := &both{name: simnet.InternetName, o: inO, n: inN, inO: okO, inN: okN}

	type jointKey struct{ so, do, sn, dn int32 }
	type memoed struct {
		from, to string
		cs       []Change
	}
	memo := map[jointKey]memoed{}
	compare := func(s, t *both) {
		if s.name == t.name {
			return
		}
		d.Pairs++
		var k jointKey
		if s.inO && t.inO && s.inN && t.inN {
			k = jointKey{ro.Profile(s.o), ro.Profile(t.o), rn.Profile(s.n), rn.Profile(t.n)}
			if m, ok := memo[k]; ok {
				d.add(renamed(m.cs, m.from, m.to, s.name, t.name), s.name, t.name)
				return
			}
		}
		// Only the classes where the destination listens can open or
		// close: a flow to any other port is refused in both worlds.
		var po, pn []simnet.ClassVerdict
		if s.inO && t.inO {
			po = ro.Listening(s.o, t.o)
		}
		if s.inN && t.inN {
			pn = rn.Listening(s.n, t.n)
		}
		cs := diffClasses(po, pn, s.name, t.name)
		if k != (jointKey{}) {
			memo[k] = memoed{s.name, t.name, cs}
		}
		d.add(cs, s.name, t.name)
	}
	for _, s := range touched {
		compare(internet, s)
		for _, t := range eps {
			compare(s, t)
			if !isTouched[t.name] {
				compare(t, s)
			}
		}
	}
	return d
}

// renamed moves the stops of a pair's changes that name the pair's own
// endpoints onto another pair of the same profiles.
func renamed(cs []Change, from, to, nfrom, nto string) []Change {
	out := slices.Clone(cs)
	for i := range out {
		for _, v := range []*simnet.Verdict{&out[i].Old, &out[i].New} {
			switch v.At {
			case from:
				v.At = nfrom
			case to:
				v.At = nto
			}
		}
	}
	return out
}

func (d *Difference) add(cs []Change, from, to string) {
	for _, c := range cs {
		c.From, c.To = from, to
		switch {
		case c.New.Open && !c.Old.Open:
			d.Opened = append(d.Opened, c)
		case c.Old.Open && !c.New.Open:
			d.Closed = append(d.Closed, c)
		default:
			d.Moved++
		}
	}
}

// diffClasses compares two lists of classes of one pair on the union of
// their boundaries.
func diffClasses(po, pn []simnet.ClassVerdict, from, to string) []Change {
	var out []Change
	for _, p := range []tracer.Proto{tracer.TCP, tracer.UDP, tracer.ICMP} {
		var cuts []int
		for _, l := range [][]simnet.ClassVerdict{po, pn} {
			for _, c := range l {
				if c.Proto == p {
					cuts = append(cuts, int(c.Lo), int(c.Hi)+1)
				}
			}
		}
		if len(cuts) == 0 {
			continue
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		for i := 0; i+1 < len(cuts); i++ {
			lo, hi := uint16(cuts[i]), uint16(cuts[i+1]-1)
			vo, okO := verdictAt(po, p, lo)
			vn, okN := verdictAt(pn, p, lo)
			if vo == vn || !okO && !vn.Open || !okN && !vo.Open {
				// the same, or a range one side does not list (nothing
				// listens there) and the other does not open either
				continue
			}
			if n := len(out); n > 0 && out[n-1].Range.Proto == p && out[n-1].Range.Hi+1 == lo && out[n-1].Old == vo && out[n-1].New == vn {
				out[n-1].Range.Hi = hi
				continue
			}
			out = append(out, Change{From: from, To: to, Range: simnet.PortRange{Proto: p, Lo: lo, Hi: hi}, Old: vo, New: vn})
		}
	}
	return out
}

func verdictAt(cs []simnet.ClassVerdict, p tracer.Proto, port uint16) (simnet.Verdict, bool) {
	for _, c := range cs {
		if c.Proto == p && c.Lo <= port && port <= c.Hi {
			return c.Verdict, true
		}
	}
	return simnet.Verdict{}, false // not listed: nothing listens there, or the endpoint is absent
}

// Changed reports whether any flow opened or closed.
func (d *Difference) Changed() bool { return len(d.Opened)+len(d.Closed) > 0 }

// WriteText writes the difference for people.
func (d *Difference) WriteText(out io.Writer, oldName, newName string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "reachability over classes from %s to %s: %d endpoints, %d touched by the change, %d pairs compared; %d ranges opened, %d closed\n",
		oldName, newName, d.Endpoints, d.Touched, d.Pairs, len(d.Opened), len(d.Closed))
	for _, sec := range []struct {
		title string
		cs    []Change
	}{{"opened", d.Opened}, {"closed", d.Closed}} {
		if len(sec.cs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n", sec.title)
		for _, c := range sec.cs {
			v := c.New
			if sec.title == "opened" {
				v = c.Old
			}
			where := ""
			switch {
			case v.At != "":
				where = fmt.Sprintf(" (was stopped at %s: %s)", v.At, v.Code)
				if sec.title == "closed" {
					where = fmt.Sprintf(" (now stopped at %s: %s)", v.At, v.Code)
				}
			case v.State == 0 && !v.Open:
				where = " (absent from the other world)"
			}
			fmt.Fprintf(&b, "  %s → %s %s%s\n", c.From, c.To, c.Range, where)
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// WriteJSON writes the difference as JSON.
func (d *Difference) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
