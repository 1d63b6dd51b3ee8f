// Package reach asks questions of a whole world: what one endpoint
// reaches, who reaches one, and which ports and protocols pass between
// two, computed over equivalence classes of headers (simnet.Reach) instead
// of one trace per port. Every answer is a set of port ranges, each with a
// witness flow that can be traced in full.
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

// Line is one endpoint of an answer and what passes to or from it.
type Line struct {
	Endpoint string                `json:"endpoint"`
	Kind     string                `json:"kind"`
	Address  string                `json:"address"`
	Open     []simnet.PortRange    `json:"open"`
	Classes  []simnet.ClassVerdict `json:"classes,omitempty"`
	// HTTP: for a balancer, what each HTTP or HTTPS listener whose port
	// is open answers: open at TCP is not yet served at HTTP (a balancer
	// with no healthy target answers 503).
	HTTP []simnet.ListenerAnswer `json:"http,omitempty"`
}

// Answer is the answer to one question.
type Answer struct {
	World    string `json:"world"`
	Question string `json:"question"` // from, to, between
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	Port     uint16 `json:"port,omitempty"`
	// Lines: for from and to, the endpoints with something open; for
	// between, one line with every class.
	Lines []Line `json:"lines"`
	// Endpoints counts the endpoints asked about.
	Endpoints int `json:"endpoints"`
}

// Error is a question that names nothing in the world.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func endpoint(r *simnet.Reach, name string) (simnet.Endpoint, error) {
	e, ok := r.Endpoint(name)
	if !ok {
		var names []string
		for _, x := range r.Endpoints() {
			names = append(names, x.Name)
			if len(names) == 12 {
				names = append(names, "...")
				break
			}
		}
		return e, &Error{fmt.Sprintf("no endpoint is named %q; give an instance, balancer, internet client or server, or internet (such as %s)", name, strings.Join(names, ", "))}
	}
	return e, nil
}

func open(cs []simnet.ClassVerdict, port uint16) []simnet.PortRange {
	var out []simnet.PortRange
	for _, c := range cs {
		if c.Verdict.Open && (port == 0 || c.Proto != tracer.ICMP && c.Lo <= port && port <= c.Hi) {
			pr := c.PortRange
			if port != 0 {
				pr.Lo, pr.Hi = port, port
			}
			out = append(out, pr)
		}
	}
	return out
}

// From answers what src reaches: every endpoint with a port range open.
func From(w *simnet.World, r *simnet.Reach, src string) (*Answer, error) {
	s, err := endpoint(r, src)
	if err != nil {
		return nil, err
	}
	a := &Answer{World: w.Name, Question: "from", From: src, Lines: []Line{}}
	for _, d := range r.Endpoints() {
		if d.Name == s.Name {
			continue
		}
		a.Endpoints++
		cs := r.Pair(s, d)
		if o := open(cs, 0); len(o) > 0 {
			a.Lines = append(a.Lines, Line{Endpoint: d.Name, Kind: d.Kind, Address: r.Address(s, d).String(), Open: o})
		}
	}
	return a, nil
}

// To answers who reaches dst (on port, when not 0): every endpoint, the
// internet included, with something open to it.
func To(w *simnet.World, r *simnet.Reach, dst string, port uint16) (*Answer, error) {
	d, err := endpoint(r, dst)
	if err != nil {
		return nil, err
	}
	a := &Answer{World: w.Name, Question: "to", To: dst, Port: port, Lines: []Line{}}
	srcs := slices.Clone(r.Endpoints())
	if in, ok := r.Internet(); ok {
		srcs = append([]simnet.Endpoint{in}, srcs...)
	}
	for _, s := range srcs {
		if s.Name == d.Name {
			continue
		}
		a.Endpoints++
		var o []simnet.PortRange
		if port != 0 {
			for _, p := range []tracer.Proto{tracer.TCP, tracer.UDP} {
				if v := r.Flow(s, d, p, port); v.Open {
					o = append(o, simnet.PortRange{Proto: p, Lo: port, Hi: port})
				}
			}
		} else {
			o = open(r.Pair(s, d), 0)
		}
		if len(o) > 0 {
			a.Lines = append(a.Lines, Line{Endpoint: s.Name, Kind: s.Kind, Address: s.Addr.String(), Open: o})
		}
	}
	return a, nil
}

// Between answers which ports and protocols pass from src to dst, and
// where the rest stop.
func Between(w *simnet.World, r *simnet.Reach, src, dst string) (*Answer, error) {
	s, err := endpoint(r, src)
	if err != nil {
		return nil, err
	}
	d, err := endpoint(r, dst)
	if err != nil {
		return nil, err
	}
	cs := r.Pair(s, d)
	op := orEmpty(open(cs, 0))
	var answers []simnet.ListenerAnswer
	if d.Kind == "load-balancer" {
		for _, a := range w.ListenerAnswers(d.Name) {
			if tcpOpen(op, a.Port) {
				answers = append(answers, a)
			}
		}
	}
	return &Answer{World: w.Name, Question: "between", From: src, To: dst, Endpoints: 1,
		Lines: []Line{{Endpoint: d.Name, Kind: d.Kind, Address: r.Address(s, d).String(), Open: op, Classes: cs, HTTP: answers}}}, nil
}

// tcpOpen reports whether port is in one of the open TCP ranges.
func tcpOpen(open []simnet.PortRange, port uint16) bool {
	for _, r := range open {
		if r.Proto == tracer.TCP && r.Lo <= port && port <= r.Hi {
			return true
		}
	}
	return false
}

func orEmpty(p []simnet.PortRange) []simnet.PortRange {
	if p == nil {
		return []simnet.PortRange{}
	}
	return p
}

// Ranges writes port ranges as people read them: "tcp 22, 8080; icmp".
func Ranges(rs []simnet.PortRange) string {
	var parts []string
	var cur tracer.Proto
	var ports []string
	flush := func() {
		if cur == "" {
			return
		}
		if cur == tracer.ICMP {
			parts = append(parts, "icmp")
		} else {
			parts = append(parts, string(cur)+" "+strings.Join(ports, ", "))
		}
	}
	for _, r := range rs {
		if r.Proto != cur {
			flush()
			cur, ports = r.Proto, nil
		}
		if r.Lo == r.Hi {
			ports = append(ports, fmt.Sprint(r.Lo))
		} else {
			ports = append(ports, fmt.Sprintf("%d-%d", r.Lo, r.Hi))
		}
	}
	flush()
	return strings.Join(parts, "; ")
}

// WriteJSON writes the answer as JSON.
func (a *Answer) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// WriteText writes the answer for people. explain traces each witness in
// full (for between: every range; otherwise the first open range of each
// line).
func (a *Answer) WriteText(out io.Writer, r *simnet.Reach, explain bool) error {
	var b strings.Builder
	switch a.Question {
	case "from":
		fmt.Fprintf(&b, "reach from %s (world %s): %d of %d endpoints reachable\n\n", a.From, a.World, len(a.Lines), a.Endpoints)
	case "to":
		what := a.To
		if a.Port != 0 {
			what += fmt.Sprintf(":%d", a.Port)
		}
		fmt.Fprintf(&b, "reach to %s (world %s): %d of %d endpoints reach it\n\n", what, a.World, len(a.Lines), a.Endpoints)
	case "between":
		l := a.Lines[0]
		fmt.Fprintf(&b, "reach from %s to %s (%s) (world %s): ", a.From, a.To, l.Address, a.World)
		if len(l.Open) == 0 {
			b.WriteString("nothing passes\n\n")
		} else {
			b.WriteString(Ranges(l.Open) + " open\n\n")
		}
		for _, c := range l.Classes {
			state := "open"
			if !c.Verdict.Open {
				state = fmt.Sprintf("stopped at %s (%s) %s", c.Verdict.At, c.Verdict.Kind, c.Verdict.Code)
				if c.Verdict.At == "" {
					state = c.Verdict.State.String()
				}
			}
			fmt.Fprintf(&b, "  %-18s %s\n", c.PortRange.String(), state)
			if explain {
				if err := writeWitness(&b, r, c.Witness); err != nil {
					return err
				}
			}
		}
		if len(l.HTTP) > 0 {
			b.WriteString("\n  HTTP, once connected (GET /):\n")
		}
		for _, h := range l.HTTP {
			what := fmt.Sprintf("%s on tcp %d", h.Scheme, h.Port)
			switch {
			case h.Status == 0:
				fmt.Fprintf(&b, "  %-18s no answer: reachable at TCP, not at HTTP (%s: %s)\n", what, h.At, h.Why)
			case h.OK():
				fmt.Fprintf(&b, "  %-18s %d\n", what, h.Status)
			default:
				fmt.Fprintf(&b, "  %-18s %d: reachable at TCP, not at HTTP (%s: %s)\n", what, h.Status, h.At, h.Why)
			}
		}
		_, err := io.WriteString(out, b.String())
		return err
	}
	width := 0
	for _, l := range a.Lines {
		width = max(width, len(l.Endpoint)+len(l.Kind)+len(l.Address)+5)
	}
	for _, l := range a.Lines {
		name := fmt.Sprintf("%s (%s, %s)", l.Endpoint, l.Kind, l.Address)
		fmt.Fprintf(&b, "  %-*s  %s\n", width, name, Ranges(l.Open))
		if explain && len(l.Open) > 0 {
			wt := simnet.Witness{From: a.From, To: l.Endpoint, Proto: l.Open[0].Proto, Port: l.Open[0].Lo}
			if a.Question == "to" {
				wt.From, wt.To = l.Endpoint, a.To
			}
			src, _ := r.Endpoint(wt.From)
			dst, _ := r.Endpoint(wt.To)
			wt.Addr = r.Address(src, dst)
			if err := writeWitness(&b, r, wt); err != nil {
				return err
			}
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// writeWitness traces a witness flow in full, hop by hop.
func writeWitness(b *strings.Builder, r *simnet.Reach, wt simnet.Witness) error {
	c, err := r.Trace(wt)
	if err != nil {
		return err
	}
	what := wt.Target()
	if what == "" {
		what = "icmp " + wt.Addr.String()
	}
	fmt.Fprintf(b, "      witness: %s → %s (%s)\n", wt.From, what, c.State)
	for i, h := range c.Hops {
		mark := " "
		if h.Blocks {
			mark = "✗"
		}
		fmt.Fprintf(b, "      %3d %s %-18s %-18s %s %s\n", i+1, mark, h.Component, h.Kind, h.Action, h.Code)
		fmt.Fprintf(b, "              %s\n", h.Text())
		if h.Rule != "" {
			fmt.Fprintf(b, "              rule: %s\n", h.Rule)
		}
	}
	return nil
}
