package simnet

import (
	"sync"

	"github.com/pathlab/pathlab/tracer"
)

// A walk whose hops are copied out when it ends (a connection's, a
// balancer's leg to a target) gathers them in a scratch buffer from
// hopScratch, and its result keeps an exact copy: a hop is 400 bytes, and
// a buffer sized for the longest walk wasted half of it on the usual one.
// On a world of 100,000 instances the fresh memory each trace took was
// most of the trace's cost. Walks that record packets (a capture) keep
// their own slices, which the capture reads later.

var hopScratch = sync.Pool{New: func() any { s := make([]tracer.Hop, 0, 32); return &s }}

// scratchHops is an empty buffer for a walk's hops.
func scratchHops() []tracer.Hop { return (*hopScratch.Get().(*[]tracer.Hop))[:0] }

// keepHops is an exact copy of a scratch buffer's hops (nil for none), and
// gives the buffer back.
func keepHops(s []tracer.Hop) []tracer.Hop {
	var out []tracer.Hop
	if len(s) > 0 {
		out = make([]tracer.Hop, len(s))
		copy(out, s)
	}
	dropHops(s)
	return out
}

// dropHops gives a scratch buffer back, cleared so that it holds no
// pointers into the world or a trace.
func dropHops(s []tracer.Hop) {
	if cap(s) > 256 {
		return // a walk that went on and on: let it go
	}
	clear(s[:cap(s)])
	s = s[:0]
	hopScratch.Put(&s)
}
