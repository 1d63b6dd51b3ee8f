package reach

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

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
// flows of endpoints whose inputs changed are walked (both ways), once per
// pair of joint profiles (an endpoint's profiles in both worlds), and of
// an endpoint whose profile stayed and whose rules or routes changed, only
// the flows to and from the endpoints the changed rules and routes name
// (simnet.Delta): every other flow meets the same decisions in both worlds.
func Compare(oldW, newW *simnet.World) *Difference {
	// The two worlds are prepared side by side: nothing is shared.
	var so, sn *side
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		so = prepare(oldW)
	}()
	sn = prepare(newW)
	wg.Wait()
	ro, rn := so.r, sn.r
	d := &Difference{Opened: []Change{}, Closed: []Change{}}
	all := so.in.Global() != sn.in.Global()
	// Endpoints of both worlds, by name, grouped by joint profile.
	var eps []*both
	idx := make(map[string]*both, len(so.eps))
	for i, e := range so.eps {
		b := &both{name: e.Name, o: e, inO: true, k: [2]int32{so.prof[i], -1}}
		idx[e.Name] = b
		eps = append(eps, b)
	}
	for i, e := range sn.eps {
		b := idx[e.Name]
		if b == nil {
			b = &both{name: e.Name, k: [2]int32{-1, -1}}
			idx[e.Name] = b
			eps = append(eps, b)
		}
		b.n, b.inN, b.k[1] = e, true, sn.prof[i]
	}
	d.Endpoints = len(eps)
	jointOf := map[[2]int32]*joint{}
	var joints []*joint
	for i, b := range eps {
		j := jointOf[b.k]
		if j == nil {
			// Endpoints of one profile in each world have the same
			// inputs there: a joint profile is touched, or not, as a
			// whole.
			j = &joint{touched: all || !b.inO || !b.inN || so.sig[b.k[0]] != sn.sig[b.k[1]]}
			jointOf[b.k] = j
			joints = append(joints, j)
		}
		j.members = append(j.members, i)
		b.j = j
	}
	touched := 0
	for _, j := range joints {
		if j.touched {
			touched += len(j.members)
		}
	}
	d.Touched = touched
	if touched == 0 {
		return d
	}
	inO, okO := ro.Internet()
	inN, okN := rn.Internet()
	internet := &both{name: simnet.InternetName, o: inO, n: inN, inO: okO, inN: okN}
	pair := func(s, t *both) memoed {
		var po, pn []simnet.ClassVerdict
		if s.inO && t.inO {
			po = ro.Listening(s.o, t.o)
		}
		if s.inN && t.inN {
			pn = rn.Listening(s.n, t.n)
		}
		return newMemoed(s.name, t.name, diffClasses(po, pn, s.name, t.name))
	}
	// For each touched joint profile, the endpoints whose flows with it
	// change, either way, judged once per joint profile on
	// representatives.
	for _, a := range joints {
		if a.touched {
			a.links = links(eps, joints, a, pair, all, so.in, sn.in)
		}
	}
	// Every pair of a touched endpoint, in the order of the endpoints;
	// first counted, then listed.
	internetOf := func(s *both) *memoed {
		if s.name == internet.name {
			return nil
		}
		if !internet.inO || !internet.inN || !s.inO || !s.inN {
			m := pair(internet, s)
			return &m
		}
		a := s.j
		if a.internet == nil {
			m := pair(internet, eps[a.members[0]])
			a.internet = &m
		}
		return a.internet
	}
	opened, closed := 0, 0
	for _, s := range eps {
		if a := s.j; a.touched {
			for _, l := range a.links {
				for _, m := range []*memoed{l.fwd, l.back} {
					if m != nil && eps[l.t] != s {
						opened += m.opened
						closed += m.closed
					}
				}
			}
		}
	}
	d.Opened, d.Closed = make([]Change, 0, opened), make([]Change, 0, closed)
	for _, s := range eps {
		a := s.j
		if !a.touched {
			continue
		}
		// The pairs walked, as one pair at a time counts them.
		if s.name != internet.name {
			d.Pairs++
		}
		d.Pairs += len(eps) - 1 + len(eps) - touched
		if m := internetOf(s); m != nil {
			d.addAs(m, internet.name, s.name)
		}
		for _, l := range a.links {
			t := eps[l.t]
			if t == s {
				continue
			}
			if l.fwd != nil {
				d.addAs(l.fwd, s.name, t.name)
			}
			if l.back != nil {
				d.addAs(l.back, t.name, s.name)
			}
		}
	}
	return d
}

// side is one world's half of a diff: its endpoints, their profiles and
// each profile's signature.
type side struct {
	r    *simnet.Reach
	in   *simnet.Inputs
	eps  []simnet.Endpoint
	prof []int32
	sig  map[int32]uint64
}

func prepare(w *simnet.World) *side {
	r := w.NewReach()
	s := &side{r: r, in: r.Inputs(), eps: r.Endpoints(), sig: map[int32]uint64{}}
	s.prof = make([]int32, len(s.eps))
	for i, e := range s.eps {
		p := r.Profile(e)
		s.prof[i] = p
		if _, ok := s.sig[p]; !ok {
			s.sig[p] = s.in.Signature(e)
		}
	}
	return s
}

// both is an endpoint in either world or both, with its joint profile:
// its profile in each world (-1 where it is absent).
type both struct {
	name     string
	o, n     simnet.Endpoint
	inO, inN bool
	k        [2]int32
	j        *joint
}

// joint is the endpoints of one joint profile (indexes into the
// endpoints, ascending).
type joint struct {
	members  []int
	touched  bool
	internet *memoed // the internet's flows to it
	links    []link  // touched: the endpoints whose flows with it change
}

// link is an endpoint whose flows from (fwd) or to (back) a touched joint
// profile change; back only when the endpoint is not touched itself (a
// touched one lists the flows as its own).
type link struct {
	t         int
	fwd, back *memoed
}

// memoed is the changes of a pair of representatives, and how many of
// them open and close.
type memoed struct {
	from, to       string
	cs             []Change
	opened, closed int
}

func newMemoed(from, to string, cs []Change) memoed {
	m := memoed{from: from, to: to, cs: cs}
	for _, c := range cs {
		switch {
		case c.New.Open && !c.Old.Open:
			m.opened++
		case c.Old.Open && !c.New.Open:
			m.closed++
		}
	}
	return m
}

// links finds, for the touched joint profile a, the endpoints whose flows
// with it change: every other joint profile is judged on a
// representative, on all cores, unless neither it is touched nor a's
// changed rules and routes name it.
func links(eps []*both, joints []*joint, a *joint, pair func(s, t *both) memoed, all bool, io, in *simnet.Inputs) []link {
	s := eps[a.members[0]]
	var delta *simnet.Delta
	if !all && s.inO && s.inN {
		delta = simnet.DeltaOf(io, in, s.o, s.n)
	}
	type result struct{ fwd, back *memoed }
	res := make([]result, len(joints))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(joints) {
					return
				}
				j := joints[i]
				t := eps[j.members[0]]
				if t == s {
					if len(j.members) == 1 {
						continue
					}
					t = eps[j.members[1]]
				}
				if !j.touched && delta != nil && !delta.Names(t.o, t.n) {
					continue
				}
				if m := pair(s, t); len(m.cs) > 0 {
					res[i].fwd = &m
				}
				if !j.touched {
					if m := pair(t, s); len(m.cs) > 0 {
						res[i].back = &m
					}
				}
			}
		}()
	}
	wg.Wait()
	var out []link
	for i, r := range res {
		if r.fwd != nil || r.back != nil {
			for _, m := range joints[i].members {
				out = append(out, link{m, r.fwd, r.back})
			}
		}
	}
	slices.SortFunc(out, func(x, y link) int { return x.t - y.t })
	return out
}

// addAs adds the changes of a pair of representatives as the changes of
// another pair of the same profiles: the stops that name the
// representatives name the pair.
func (d *Difference) addAs(m *memoed, from, to string) {
	same := m.from == from && m.to == to
	for _, c := range m.cs {
		c.From, c.To = from, to
		if !same {
			for _, v := range []*simnet.Verdict{&c.Old, &c.New} {
				switch v.At {
				case m.from:
					v.At = from
				case m.to:
					v.At = to
				}
			}
		}
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

// WriteText writes the difference for people, a line at a time through
// a buffer (a diff of large worlds runs to a million lines).
func (d *Difference) WriteText(out io.Writer, oldName, newName string) error {
	bw := bufio.NewWriterSize(out, 1<<16)
	fmt.Fprintf(bw, "reachability over classes from %s to %s: %d endpoints, %d touched by the change, %d pairs compared; %d ranges opened, %d closed\n",
		oldName, newName, d.Endpoints, d.Touched, d.Pairs, len(d.Opened), len(d.Closed))
	var line []byte
	for _, sec := range []struct {
		title string
		cs    []Change
	}{{"opened", d.Opened}, {"closed", d.Closed}} {
		if len(sec.cs) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n%s:\n", sec.title)
		for _, c := range sec.cs {
			v := c.New
			if sec.title == "opened" {
				v = c.Old
			}
			line = append(line[:0], "  "...)
			line = append(line, c.From...)
			line = append(line, " → "...)
			line = append(line, c.To...)
			line = append(line, ' ')
			line = appendRange(line, c.Range)
			switch {
			case v.At != "":
				if sec.title == "closed" {
					line = append(line, " (now stopped at "...)
				} else {
					line = append(line, " (was stopped at "...)
				}
				line = append(line, v.At...)
				line = append(line, ": "...)
				line = append(line, v.Code...)
				line = append(line, ')')
			case v.State == 0 && !v.Open:
				line = append(line, " (absent from the other world)"...)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// appendRange appends r as PortRange.String writes it.
func appendRange(b []byte, r simnet.PortRange) []byte {
	if r.Proto == tracer.ICMP {
		return append(b, "icmp"...)
	}
	b = append(b, r.Proto...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(r.Lo), 10)
	if r.Hi != r.Lo {
		b = append(b, '-')
		b = strconv.AppendUint(b, uint64(r.Hi), 10)
	}
	return b
}

// WriteJSON writes the difference as JSON.
func (d *Difference) WriteJSON(out io.Writer) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
