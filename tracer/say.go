package tracer

import "encoding/json"

// Facts, then words: an engine records a hop's facts (Kind, Action, Code,
// Flow, Matched, Peer, Ref) and leaves its words to the views that ask.
// A hop's detail is either written out (Detail, as any Network may set
// it) or rendered on demand by Say from the hop's facts, so a trace that
// nobody reads in full costs no formatting.

// Sayer renders a hop's detail from its facts. The engine sets a value
// of a zero-size type (one per kind of hop), so recording one allocates
// nothing, and hops stay comparable.
type Sayer interface {
	Say(h *Hop) string
}

// Text is the hop's detail: Detail where it is written out, else what Say
// renders from the hop's facts. Views read the detail through Text.
func (h *Hop) Text() string {
	if h.Detail == "" && h.Say != nil {
		return h.Say.Say(h)
	}
	return h.Detail
}

// Render writes the lazily rendered detail into Detail, for a caller that
// keeps the hop beyond its world, or edits the text.
func (h *Hop) Render() {
	if h.Detail == "" && h.Say != nil {
		h.Detail = h.Say.Say(h)
	}
	h.Say = nil
}

// RenderHops renders the details of all hops in place (Hop.Render).
func RenderHops(hops []Hop) {
	for i := range hops {
		hops[i].Render()
	}
}

// MarshalJSON writes the hop with its detail rendered: the JSON report
// is the same whether the detail was written out or recorded as facts.
func (h Hop) MarshalJSON() ([]byte, error) {
	type plain Hop
	h.Detail = h.Text()
	return json.Marshal(plain(h))
}
