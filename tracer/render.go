package tracer

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TextOptions control WriteText.
type TextOptions struct {
	Color   bool // ANSI colour; callers enable it only on a terminal without NO_COLOR
	Packets bool // show each hop's packet, where the Network filled it in
}

const (
	ansiReset = "\x1b[0m"
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiDim   = "\x1b[2m"
	ansiBold  = "\x1b[1m"
	ansiYel   = "\x1b[33m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the report for a person: the stages, each with numbered
// hops (component, kind, decision, rule), the break marked with what would
// mend it, and the verdict on the last line.
func (r *Report) WriteText(w io.Writer, o TextOptions) error {
	p := painter(o.Color)
	var b strings.Builder
	b.Grow(8 << 10) // a report is a few kilobytes: one buffer, not a doubling series
	fmt.Fprintf(&b, "%s %s", p.paint(ansiBold, "trace"), r.Target)
	if r.From != "" {
		fmt.Fprintf(&b, " from %s", r.From)
	}
	if r.World != "" {
		fmt.Fprintf(&b, " (world %s)", r.World)
	}
	b.WriteString("\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	// Column widths over the whole report, so the stages line up.
	cw, kw := 9, 8
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			cw = max(cw, min(len(h.Component), 28))
			kw = max(kw, min(len(h.Kind), 16))
		}
	}
	n, redirect := 0, 0
	for _, s := range r.Stages {
		verdict := s.Verdict
		switch verdict {
		case StageOK:
			verdict = p.paint(ansiGreen, verdict)
		case StageBroken:
			verdict = p.paint(ansiRed, verdict)
		default:
			verdict = p.paint(ansiDim, "not reached")
		}
		if s.Redirect != redirect {
			redirect = s.Redirect
			fmt.Fprintf(&b, "\n%s  %s\n", p.paint(ansiBold, "REDIRECT "+strconv.Itoa(redirect)), s.URL)
		}
		fmt.Fprintf(&b, "\n%s  %s", p.paint(ansiBold, strings.ToUpper(s.Name)), verdict)
		if s.Summary != "" {
			fmt.Fprintf(&b, "  %s", s.Summary)
		}
		b.WriteString("\n")
		for _, h := range s.Hops {
			n++
			arrow := "→"
			if h.Direction == Return {
				arrow = "←"
			}
			mark := " "
			action := string(h.Action)
			if h.Blocks {
				mark = p.paint(ansiRed, "✗")
				action = p.paint(ansiRed, action)
			}
			line := fmt.Sprintf("%4d %s %s %-*s  %-*s  %-9s", n, mark, arrow, cw, h.Component, kw, h.Kind, action)
			if o.Color && h.Blocks {
				// the escape codes widen the field; pad by hand
				line = fmt.Sprintf("%4d %s %s %-*s  %-*s  %s%s", n, mark, arrow, cw, h.Component, kw, h.Kind, action, strings.Repeat(" ", max(0, 9-len(h.Action))))
			}
			b.WriteString(strings.TrimRight(line, " "))
			if h.Code != "" {
				b.WriteString("  " + string(h.Code))
			}
			b.WriteString("\n")
			indent := strings.Repeat(" ", 11)
			if d := h.Text(); d != "" {
				fmt.Fprintf(&b, "%s%s\n", indent, d)
			}
			if h.Rule != "" {
				fmt.Fprintf(&b, "%s%s\n", indent, p.paint(ansiDim, "rule: "+h.Rule))
			}
			if m := h.Mend(); h.Blocks && m != "" {
				fmt.Fprintf(&b, "%s%s\n", indent, p.paint(ansiYel, "fix: "+m))
			}
			if o.Packets && h.Packet != nil {
				for _, l := range h.Packet.Layers {
					fmt.Fprintf(&b, "%s%s\n", indent+"  ", p.paint(ansiDim, l))
				}
				if len(h.Packet.Layers) == 0 {
					fmt.Fprintf(&b, "%s%s\n", indent+"  ", p.paint(ansiDim, h.Packet.Summary))
				}
			}
		}
	}
	b.WriteString("\n")
	if len(r.Blockers) > 1 {
		fmt.Fprintf(&b, "%d blockers, in path order:\n", len(r.Blockers))
		for _, bl := range r.Blockers {
			fmt.Fprintf(&b, "  - %s (%s) %s: %s\n", bl.Component, bl.Stage, bl.Code, bl.Detail)
		}
	}
	if flaky := r.Intermittent(); r.Delivered() && len(flaky) > 0 {
		b.WriteString(p.paint(ansiRed, fmt.Sprintf("delivered this time, but intermittent: %s %s", flaky[0].Component, flaky[0].Code)) + "\n")
	} else if r.Delivered() {
		b.WriteString(p.paint(ansiGreen, "delivered") + "\n")
	} else if r.BrokenAt != nil {
		b.WriteString(p.paint(ansiRed, fmt.Sprintf("broken at %s: %s", r.BrokenAt.Component, r.BrokenAt.Code)) + "\n")
	} else {
		b.WriteString(p.paint(ansiRed, "broken") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Wrap writes text to b in lines of at most width columns: the first line
// starts with first, the others with indent. Words are never split.
func Wrap(b *strings.Builder, text, first, indent string, width int) {
	line, n, empty := first, utf8.RuneCountInString(first), true
	for _, word := range strings.Fields(text) {
		wn := utf8.RuneCountInString(word)
		if !empty && n+1+wn > width {
			b.WriteString(line + "\n")
			line, n, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wn
		empty = false
	}
	if !empty {
		b.WriteString(line + "\n")
	}
}
