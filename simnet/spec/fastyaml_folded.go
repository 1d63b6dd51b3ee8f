package spec

import (
	"reflect"
	"strings"
)

// foldedScalar reads a ">" or ">-" scalar (a world's description is often
// one); at is the indicator. It takes the common shape only: every line at
// the scalar's indentation, plain text without tabs or trailing spaces, and
// a newline ending the file. Anything else (more-indented lines, whose
// line breaks folding keeps, "+" or an indentation indicator, leading blank
// lines) goes to the general path.
//
// Folding (YAML 1.2, 8.1.3): a line break between two lines becomes a
// space; n blank lines between them become n line breaks. The final line
// break is kept ("clip"), or dropped with "-" ("strip").
func (p *fastParser) foldedScalar(parent, at int, v reflect.Value) bool {
	d := p.data
	strip, ok := p.blockHeader(at)
	if !ok {
		return false
	}
	var b strings.Builder
	pos := p.eol + 1
	ind := -1
	blank := 0
	lines := 0
	for pos < len(d) {
		end, k := p.lineAt(pos)
		if k == end { // blank line
			if end == len(d) || lines == 0 || k-pos > ind {
				return false
			}
			blank++
			pos = end + 1
			continue
		}
		if ind < 0 {
			ind = k - pos
			if ind <= parent {
				break
			}
		}
		if k-pos < ind {
			break
		}
		if k-pos > ind || end == len(d) || d[end-1] == ' ' || strings.IndexByte(p.src[k:end], '\t') >= 0 {
			return false
		}
		if lines > 0 {
			if blank == 0 {
				b.WriteByte(' ')
			}
			for ; blank > 0; blank-- {
				b.WriteByte('\n')
			}
		}
		blank = 0
		b.Write(d[k:end])
		lines++
		pos = end + 1
	}
	if lines == 0 {
		return false
	}
	if !strip {
		b.WriteByte('\n')
	}
	s := b.String()
	return p.endBlock(v, s, pos)
}
