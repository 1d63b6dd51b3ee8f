package spec

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrSyntax is wrapped by every error about a command line that cannot be
// read (an open quote, a dangling escape, control bytes).
var ErrSyntax = errors.New("bad command line")

// MaxLine bounds a command line; longer input is refused, not truncated.
const MaxLine = 4096

// SplitLine splits a shell command line into words as a POSIX shell would
// for simple commands: blanks separate words, single quotes keep text as
// is, double quotes keep text but honour \" and \\, a backslash outside
// quotes escapes the next character, and # at the start of a word begins
// a comment. It never panics; a line it cannot read is an error wrapping
// ErrSyntax.
func SplitLine(line string) ([]string, error) {
	if len(line) > MaxLine {
		return nil, fmt.Errorf("%w: the line is longer than %d bytes", ErrSyntax, MaxLine)
	}
	if !utf8.ValidString(line) {
		return nil, fmt.Errorf("%w: the line is not valid UTF-8", ErrSyntax)
	}
	for i, r := range []rune(line) {
		if (r < 0x20 && r != '\t' && r != '\r' && r != '\n') || r == 0x7f {
			return nil, fmt.Errorf("%w: control character %U at column %d", ErrSyntax, r, i+1)
		}
	}
	var words []string
	var cur strings.Builder
	inWord := false
	const (
		plain = iota
		single
		double
	)
	state := plain
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\r' || r == '\n' {
			if state != plain {
				return nil, fmt.Errorf("%w: a line break inside quotes at column %d", ErrSyntax, i+1)
			}
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
			continue
		}
		switch state {
		case single:
			if r == '\'' {
				state = plain
				continue
			}
			cur.WriteRune(r)
		case double:
			switch r {
			case '"':
				state = plain
			case '\\':
				if i+1 < len(rs) && (rs[i+1] == '"' || rs[i+1] == '\\') {
					i++
					cur.WriteRune(rs[i])
				} else {
					cur.WriteRune(r)
				}
			default:
				cur.WriteRune(r)
			}
		default:
			switch {
			case r == ' ' || r == '\t':
				if inWord {
					words = append(words, cur.String())
					cur.Reset()
					inWord = false
				}
			case r == '#' && !inWord:
				return words, nil
			case r == '\'':
				state, inWord = single, true
			case r == '"':
				state, inWord = double, true
			case r == '\\':
				if i+1 >= len(rs) {
					return nil, fmt.Errorf("%w: the line ends with a backslash", ErrSyntax)
				}
				i++
				if rs[i] == '\r' || rs[i] == '\n' {
					return nil, fmt.Errorf("%w: a backslash before a line break", ErrSyntax)
				}
				cur.WriteRune(rs[i])
				inWord = true
			default:
				cur.WriteRune(r)
				inWord = true
			}
		}
	}
	switch state {
	case single:
		return nil, fmt.Errorf("%w: a single quote (') is never closed", ErrSyntax)
	case double:
		return nil, fmt.Errorf("%w: a double quote (\") is never closed", ErrSyntax)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// JoinLine quotes words so that SplitLine reads them back.
func JoinLine(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && !strings.ContainsAny(w, " \t\r\n'\"\\#") {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
