package play

import (
	"bytes"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// The AWS CLI's table output, as awscli's TableFormatter and MultiTable
// build and render it: a section per object or list of objects, nested
// sections indented with '|', columns scaled to the widest section, and
// single-row sections turned vertical when the table is wider than the
// terminal (80 columns here).

const awsTerminalWidth = 80

type tableSection struct {
	title   string
	headers []string
	rows    [][]string
	indent  int
	widths  []int
}

func (t *tableSection) update(row []string) {
	if t.widths == nil {
		for _, e := range row {
			t.widths = append(t.widths, utf8.RuneCountInString(e))
		}
		return
	}
	for i, e := range row {
		if i < len(t.widths) {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(e))
		}
	}
}

func (t *tableSection) totalWidth() int {
	total := 0
	for _, w := range t.widths {
		total += w + 4
	}
	total += 2 + 2*t.indent
	return max(utf8.RuneCountInString(t.title)+2+2*t.indent, total)
}

func (t *tableSection) columnWidths(maxWidth int) []int {
	if len(t.widths) == 0 {
		return nil
	}
	sum := 0
	for _, w := range t.widths {
		sum += w + 4
	}
	scale := float64(maxWidth) / float64(sum)
	scaled := make([]int, len(t.widths))
	total := 0
	for i, w := range t.widths {
		scaled[i] = int(math.RoundToEven(scale * float64(w+4)))
		total += scaled[i]
	}
	off := total - maxWidth
	for off != 0 {
		for k := range scaled {
			i := k
			if off < 0 {
				i = len(scaled) - 1 - k
			}
			if off > 0 {
				scaled[i]--
				off--
			} else {
				scaled[i]++
				off++
			}
			if off == 0 {
				break
			}
		}
	}
	return scaled
}

type awsTable struct {
	sections []*tableSection
	cur      *tableSection
}

func (m *awsTable) section(title string, indent int) {
	m.cur = &tableSection{title: title, indent: indent}
	m.sections = append(m.sections, m.cur)
}

func (m *awsTable) header(h []string) {
	m.cur.update(h)
	m.cur.headers = h
}

func (m *awsTable) row(vals []any) {
	row := make([]string, len(vals))
	for i, v := range vals {
		row[i] = pyStr(v)
	}
	m.cur.rows = append(m.cur.rows, row)
	m.cur.update(row)
}

func scalarKeys(m map[string]any) (headers, more []string) {
	for k, v := range m {
		if isScalar(v) {
			headers = append(headers, k)
		} else {
			more = append(more, k)
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	return headers, more
}

// isEmpty is Python's falsiness of a response.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	}
	return false
}

func (m *awsTable) build(title string, hasTitle bool, cur any, indent int) bool {
	if isEmpty(cur) {
		return false
	}
	if hasTitle {
		m.section(title, indent)
	}
	switch x := cur.(type) {
	case []any:
		if _, ok := x[0].(map[string]any); ok {
			m.fromList(x, indent, title)
		} else {
			for _, it := range x {
				switch y := it.(type) {
				case []any:
					all := true
					for _, e := range y {
						all = all && isScalar(e)
					}
					if all {
						m.row(y)
					} else {
						m.build("", false, y, 0)
					}
				case map[string]any:
					m.build("", false, y, 0)
				default:
					m.row([]any{it})
				}
			}
		}
	case map[string]any:
		headers, more := scalarKeys(x)
		switch {
		case len(headers) == 1:
			m.row([]any{headers[0], x[headers[0]]})
		case len(headers) > 1:
			m.header(headers)
			vals := make([]any, len(headers))
			for i, h := range headers {
				vals[i] = x[h]
			}
			m.row(vals)
		}
		for _, k := range more {
			m.build(k, true, x[k], indent+1)
		}
	}
	return true
}

func (m *awsTable) fromList(list []any, indent int, title string) {
	hs, ms := map[string]bool{}, map[string]bool{}
	for _, it := range list {
		if mm, ok := it.(map[string]any); ok {
			h, mo := scalarKeys(mm)
			for _, k := range h {
				hs[k] = true
			}
			for _, k := range mo {
				ms[k] = true
			}
		}
	}
	headers, more := sortedSet(hs), sortedSet(ms)
	m.header(headers)
	for i, it := range list {
		mm, _ := it.(map[string]any)
		if i > 0 && len(more) > 0 {
			m.section(title, indent)
			m.header(headers)
		}
		vals := make([]any, len(headers))
		for j, h := range headers {
			if v, ok := mm[h]; ok {
				vals[j] = v
			} else {
				vals[j] = ""
			}
		}
		m.row(vals)
		for _, k := range more {
			if v, ok := mm[k]; ok {
				m.build(k, true, v, indent+1)
			}
		}
	}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func centerText(text string, length int, left, right string) string {
	n := utf8.RuneCountInString(text)
	start := length/2 - n/2 - 1
	if start < 0 {
		start = 0
	}
	out := left + strings.Repeat(" ", start) + text
	rest := length - len(right) - (len(left) + start + n)
	if rest < 0 {
		rest = 0
	}
	return out + strings.Repeat(" ", rest) + right
}

func alignLeft(text string, length int, left, right string) string {
	n := utf8.RuneCountInString(text)
	pad := 2
	if length-(n+pad+len(left)+len(right)) < 0 {
		pad = 0
	}
	rest := length - len(right) - (len(left) + pad + n)
	if rest < 0 {
		rest = 0
	}
	return left + strings.Repeat(" ", pad) + text + strings.Repeat(" ", rest) + right
}

func lineBreak(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + strings.Repeat("-", max(w-2, 0)) + "+")
		} else {
			b.WriteString(strings.Repeat("-", max(w-1, 0)) + "+")
		}
	}
	return b.String()
}

// tableOut writes v as `--output table` does; title is the operation.
func tableOut(b *bytes.Buffer, v any, title string, _ map[string]int) {
	m := &awsTable{}
	if !m.build(title, true, v, 0) {
		return
	}
	width := 0
	for _, s := range m.sections {
		width = max(width, s.totalWidth())
	}
	if width > awsTerminalWidth {
		for i, s := range m.sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				n := &tableSection{title: s.title, indent: s.indent}
				for j, h := range s.headers {
					n.rows = append(n.rows, []string{h, s.rows[0][j]})
					n.update([]string{h, s.rows[0][j]})
				}
				m.sections[i] = n
			}
		}
		width = 0
		for _, s := range m.sections {
			width = max(width, s.totalWidth())
		}
	}
	b.WriteString(strings.Repeat("-", width) + "\n")
	for _, s := range m.sections {
		in := strings.Repeat("|", s.indent)
		line := func(t string) { b.WriteString(in + t + in + "\n") }
		w := width - 2*s.indent
		if s.title != "" {
			line(centerText(s.title, w, "|", "|"))
			if len(s.headers) == 0 && len(s.rows) == 0 {
				line("+" + strings.Repeat("-", w-2) + "+")
			}
		}
		widths := s.columnWidths(w)
		if len(s.headers) > 0 {
			line(lineBreak(widths))
			var cur strings.Builder
			for i, h := range s.headers {
				left := ""
				if i == 0 {
					left = "|"
				}
				cur.WriteString(centerText(h, widths[i], left, "|"))
			}
			line(cur.String())
		}
		if len(s.rows) > 0 && len(widths) > 0 {
			line(lineBreak(widths))
			for _, r := range s.rows {
				var cur strings.Builder
				for i, e := range r {
					if i >= len(widths) {
						break
					}
					left := ""
					if i == 0 {
						left = "|"
					}
					cur.WriteString(alignLeft(e, widths[i], left, "|"))
				}
				line(cur.String())
			}
			line(lineBreak(widths))
		}
	}
}
