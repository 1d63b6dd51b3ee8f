package spec

import "fmt"

// The YAML parser takes time quadratic in some shapes of input: nesting
// depth, and the number of keys of one block mapping. prescan bounds both,
// and the number of entries in all, in one pass over the bytes before the
// parser sees them, so that no file within the size limit can keep it busy.
// The limits are far above what a world or a scenario file holds (the
// built-in worlds nest 9 deep, with at most 12 keys in a mapping and some
// 900 entries), and far below where the parser slows down
// (BenchmarkPrescanLimits measures the worst files the limits let through).
const (
	// MaxDepth bounds nesting: block indentation, compact "- " items and
	// flow brackets together.
	MaxDepth = 64
	// MaxKeysPerMapping bounds the keys of one block mapping.
	MaxKeysPerMapping = 500
	// MaxEntries bounds mapping keys and sequence items in all.
	MaxEntries = 20_000
)

// scanLimit is where a file passed one of the limits.
type scanLimit struct {
	Line, Col int
	Msg       string
}

// prescan walks data as YAML at the level of lines, indentation,
// indicators, quotes, comments and block scalars; it does not validate. It
// returns the first limit passed, or nil.
func Prescan(data []byte) *scanLimit {
	lim, _ := scan(data)
	return lim
}

// quoteSpan is a quoted scalar that runs over several lines: the usual
// sign of a missing closing quote, which the parser reports only where
// the next quote closes it.
type quoteSpan struct {
	line, col int // where the quote opened
	endLine   int // where it closed
}

func scan(data []byte) (*scanLimit, []quoteSpan) {
	var spans []quoteSpan
	var open quoteSpan
	type level struct {
		col  int // the column of the node that opened the level
		keys int // the keys of the block mapping at this level
	}
	var (
		stack    []level
		flow     int  // open flow brackets
		quote    byte // the quote of a scalar that spans lines, or 0
		block    = -1 // the indentation of the line that opened a block scalar, or -1
		entries  int
		line     = 1
		overflow = func(col int, what string) *scanLimit {
			return &scanLimit{Line: line, Col: col + 1, Msg: what}
		}
	)
	for start := 0; start < len(data); line++ {
		end := start
		for end < len(data) && data[end] != '\n' {
			end++
		}
		l := data[start:end]
		start = end + 1
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		indent := 0
		for indent < len(l) && l[indent] == ' ' {
			indent++
		}
		blank := indent == len(l)
		if block >= 0 {
			// The content of a | or > scalar: any line indented deeper, or
			// blank.
			if blank || indent > block {
				continue
			}
			block = -1
		}
		i := indent
		if quote == 0 && flow == 0 {
			if blank || l[i] == '#' {
				continue
			}
			if l[i] == '-' && (i+3 <= len(l) && (string(l[i:i+3]) == "---" || string(l[i:i+3]) == "...")) && (i+3 == len(l) || l[i+3] == ' ') {
				stack = stack[:0]
				continue
			}
			for len(stack) > 0 && stack[len(stack)-1].col > indent {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 || stack[len(stack)-1].col < indent {
				stack = append(stack, level{col: indent})
			}
			// Compact nesting on one line: "- - - x", "- key: v", "? x".
			for i < len(l) && (l[i] == '-' || l[i] == '?') && (i+1 == len(l) || l[i+1] == ' ') {
				entries++
				i++
				for i < len(l) && l[i] == ' ' {
					i++
				}
				stack = append(stack, level{col: i})
			}
			if len(stack) > MaxDepth {
				return overflow(i, fmt.Sprintf("the YAML nests more than %d levels deep; a file of this kind nests a few levels", MaxDepth)), spans
			}
		}
		// The rest of the line: quotes, flow brackets, keys, comments.
		valueStart := true // whether a scalar or a bracket may start here
		for ; i < len(l); i++ {
			c := l[i]
			if quote != 0 {
				switch {
				case quote == '"' && c == '\\':
					i++
				case c == quote && quote == '\'' && i+1 < len(l) && l[i+1] == '\'':
					i++
				case c == quote:
					quote = 0
					valueStart = false
					if open.line != line && len(spans) < 1000 {
						spans = append(spans, quoteSpan{open.line, open.col, line})
					}
				}
				continue
			}
			switch {
			case c == ' ' || c == '\t':
				continue
			case c == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
				i = len(l)
				continue
			case (c == '"' || c == '\'') && valueStart:
				quote = c
				open = quoteSpan{line: line, col: i + 1}
				continue
			case (c == '[' || c == '{') && (valueStart || flow > 0):
				flow++
				if len(stack)+flow > MaxDepth {
					return overflow(i, fmt.Sprintf("the YAML nests more than %d levels deep; a file of this kind nests a few levels", MaxDepth)), spans
				}
				valueStart = true
				continue
			case (c == ']' || c == '}') && flow > 0:
				flow--
				valueStart = false
				continue
			case c == ',' && flow > 0:
				entries++
				valueStart = true
				continue
			case c == ':' && (i+1 == len(l) || l[i+1] == ' ' || l[i+1] == '\t' || (flow > 0 && (l[i+1] == ',' || l[i+1] == ']' || l[i+1] == '}'))):
				entries++
				if flow == 0 && len(stack) > 0 {
					top := &stack[len(stack)-1]
					top.keys++
					if top.keys > MaxKeysPerMapping {
						return overflow(top.col, fmt.Sprintf("a mapping has more than %d keys; a file of this kind has a few dozen", MaxKeysPerMapping)), spans
					}
				}
				valueStart = true
				continue
			case (c == '|' || c == '>') && valueStart && flow == 0:
				block = indent
				i = len(l)
				continue
			}
			valueStart = false
		}
		if entries > MaxEntries {
			return overflow(indent, fmt.Sprintf("the YAML holds more than %d keys and items; a file of this kind holds a few thousand at most", MaxEntries)), spans
		}
	}
	if quote != 0 && len(spans) < 1000 {
		spans = append(spans, quoteSpan{open.line, open.col, 0})
	}
	return nil, spans
}
