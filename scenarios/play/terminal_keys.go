package play

import (
	"errors"
	"io"
	"sync"

	"github.com/pathlab/pathlab/scenarios"
)

// ErrCtrlD is Ctrl-D on an empty line of a terminal: at the top prompt it
// ends the session, inside ssh it logs out, as bash does. It is an io.EOF.
var ErrCtrlD = ctrlD{}

type ctrlD struct{}

func (ctrlD) Error() string        { return "Ctrl-D" }
func (ctrlD) Is(target error) bool { return target == io.EOF }

// errInterrupted is a line abandoned with Ctrl-C.
var errInterrupted = errors.New("interrupted")

// keyFilter sits between the terminal and x/term's line editor, which ends
// ReadLine on Ctrl-C, keeps returning io.EOF after one Ctrl-D, and drops
// keys past 4096 bytes without a word. It gives bash's behaviour instead:
// Ctrl-C shows ^C and abandons the line (the editor gets End, "^C" and
// Enter, and ReadLine then drops the line); Ctrl-D on an empty line ends
// it with Enter, marked; a line longer than a command may be is counted
// here and refused when Enter comes. Each Enter it passes on is queued
// with how the line ended, so that the marks stay with their lines when
// keys arrive faster than lines are read.
type keyFilter struct {
	r io.Reader

	mu     sync.Mutex
	ends   []lineEnd // one per Enter passed on, oldest first
	length int       // bytes typed since the last Enter
	lastCR bool
}

type lineEnd int

const (
	endEnter lineEnd = iota
	endInterrupt
	endCtrlD
	endTooLong
)

func (k *keyFilter) Read(p []byte) (int, error) {
	// Room for a Ctrl-C's four bytes in place of one.
	buf := make([]byte, max(1, len(p)/4))
	n, err := k.r.Read(buf)
	k.mu.Lock()
	defer k.mu.Unlock()
	out := p[:0]
	enter := func(e lineEnd, c byte) {
		if e == endEnter && k.length > scenarios.MaxLine {
			e = endTooLong
		}
		k.ends = append(k.ends, e)
		k.length = 0
		out = append(out, c)
	}
	for _, c := range buf[:n] {
		lf := c == '\n' && k.lastCR
		k.lastCR = c == '\r'
		switch c {
		case 3: // Ctrl-C
			out = append(out, 5, '^', 'C') // End, ^C
			enter(endInterrupt, '\r')
		case '\r', '\n':
			if lf {
				out = append(out, c) // the editor takes CR LF as one Enter
				continue
			}
			enter(endEnter, c)
		case 21: // Ctrl-U clears the line
			k.length = 0
			out = append(out, c)
		case 127, 8: // Backspace
			k.length = max(0, k.length-1)
			out = append(out, c)
		case 4: // Ctrl-D
			if k.length > 0 {
				out = append(out, c) // deletes the character under the cursor
				continue
			}
			enter(endCtrlD, '\r')
		default:
			if c >= ' ' {
				k.length++
			}
			out = append(out, c)
		}
	}
	return len(out), err
}

// head is how the line being returned ended.
func (k *keyFilter) head() lineEnd {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.ends) == 0 {
		return endEnter
	}
	return k.ends[0]
}

// take returns how the line just read ended, and forgets it.
func (k *keyFilter) take() lineEnd {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.ends) == 0 {
		return endEnter
	}
	e := k.ends[0]
	k.ends = k.ends[1:]
	return e
}

// lineHistory keeps the lines typed for the up and down keys, without the
// abandoned ones.
type lineHistory struct {
	lines []string
	keys  *keyFilter
}

func (h *lineHistory) Add(l string) {
	if h.keys.head() != endEnter || l == "" {
		return
	}
	h.lines = append(h.lines, l)
	if len(h.lines) > 500 {
		h.lines = h.lines[1:]
	}
}

func (h *lineHistory) Len() int { return len(h.lines) }

func (h *lineHistory) At(i int) string { return h.lines[len(h.lines)-1-i] }
