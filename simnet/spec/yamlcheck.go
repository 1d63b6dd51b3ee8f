package spec

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
)

// MaxScalar bounds one value: a name, a description, a ticket.
const MaxScalar = 64 << 10

// shapeCheck walks a document against the Go type it decodes into, before
// decoding, and words every mismatch the way a user reads the file: every
// unknown key (in file order, with a did-you-mean), the key and the kind of
// value it wants with an example, control characters, unknown tags, empty
// keys and values. The decoder's own messages name Go types; this is what
// keeps them from users.
type shapeCheck struct {
	doc      YAMLDoc
	name     string
	problems []Problem
}

func (c *shapeCheck) add(n ast.Node, format string, args ...any) {
	line, col := position(n)
	c.problems = append(c.problems, Problem{File: c.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// check walks the document body against the type of v (a pointer).
func (d YAMLDoc) check(name string, body ast.Node, v any) []Problem {
	c := &shapeCheck{doc: d, name: name}
	c.walk(body, reflect.TypeOf(v).Elem(), "")
	sort.SliceStable(c.problems, func(i, j int) bool {
		if c.problems[i].Line != c.problems[j].Line {
			return c.problems[i].Line < c.problems[j].Line
		}
		return c.problems[i].Col < c.problems[j].Col
	})
	return c.problems
}

var unmarshalerType = reflect.TypeOf((*interface {
	UnmarshalYAML(func(any) error) error
})(nil)).Elem()

// allowedTags are the standard tags a value may carry; anything else is
// refused rather than silently ignored.
var allowedTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!seq": true, "!!map": true}

// walk checks n against t; key is the key n is the value of ("" at the
// top or in lists), for messages.
func (c *shapeCheck) walk(n ast.Node, t reflect.Type, key string) {
	for {
		switch nn := n.(type) {
		case *ast.AnchorNode:
			n = nn.Value
			continue
		case *ast.TagNode:
			tag := nn.Start.Value
			if !allowedTags[tag] {
				c.add(nn, "unknown tag %s: %s files use no tags; remove it", printable(tag), c.doc.What)
				return
			}
			n = nn.Value
			continue
		case *ast.AliasNode:
			return // its anchor was checked where it was written
		}
		break
	}
	if n == nil {
		return
	}
	label := "the value"
	if key != "" {
		label = key
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, isNull := n.(*ast.NullNode); isNull {
		if t.Kind() == reflect.String && key != "" {
			c.add(n, "%s is empty; give it a value, such as %s, or leave the key out", label, example(key, t))
		}
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// Ports: a number or a range, judged by validation.
		if !isScalar(n) {
			c.add(n, "%s wants %s, not %s", label, example(key, t), kindOf(n))
		} else {
			c.scalar(n, label)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := mappingValues(n)
		if !ok {
			c.add(n, "%s wants a mapping of keys (such as name: ...), not %s", label, kindOf(n))
			return
		}
		fields := yamlFields(t)
		for _, mv := range m {
			k, ok := c.key(mv)
			if !ok {
				continue
			}
			f, known := fields[k]
			if !known {
				msg := fmt.Sprintf("unknown key %q", printable(k))
				if key != "" {
					msg += " in " + key
				}
				if s := didYouMean(k, fields); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				} else {
					msg += "; check the spelling against " + c.doc.Format
				}
				c.add(mv.Key, "%s", msg)
				continue
			}
			c.walk(mv.Value, f.Type, k)
		}
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			c.add(n, "%s wants a list, such as [a, b] or one '- ' item a line, not %s", label, kindOf(n))
			return
		}
		for _, v := range seq.Values {
			c.walk(v, t.Elem(), key)
		}
	case reflect.Map:
		m, ok := mappingValues(n)
		if !ok {
			c.add(n, "%s wants a mapping, not %s", label, kindOf(n))
			return
		}
		for _, mv := range m {
			if k, ok := c.key(mv); ok {
				c.walk(mv.Value, t.Elem(), fmt.Sprintf("%s %q", key, printable(k)))
			}
		}
	case reflect.Interface:
		c.free(n)
	case reflect.String:
		if !isScalar(n) {
			c.add(n, "%s wants a single value, such as %s, not %s", label, example(key, t), kindOf(n))
			return
		}
		if s, ok := n.(*ast.StringNode); ok && s.Value == "" && key != "" {
			c.add(n, "%s is empty; give it a value, such as %s, or leave the key out", label, example(key, t))
			return
		}
		c.scalar(n, label)
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		in, ok := n.(*ast.IntegerNode)
		if !ok {
			c.add(n, "%s wants a whole number, such as %s, not %s", label, example(key, t), kindOf(n))
			return
		}
		if u, big := in.Value.(uint64); big && u > 1<<31-1 {
			c.add(n, "%s: %d is too large; want a whole number such as %s", label, u, example(key, t))
		} else if i, ok := in.Value.(int64); ok && (i > 1<<31-1 || i < -(1<<31)) {
			c.add(n, "%s: %d is too large; want a whole number such as %s", label, i, example(key, t))
		}
	case reflect.Bool:
		if _, ok := n.(*ast.BoolNode); !ok {
			c.add(n, "%s wants true or false, not %s", label, kindOf(n))
		}
	}
}

// free checks a value of any shape (a fault's parameters): text printable,
// keys plain, tags standard.
func (c *shapeCheck) free(n ast.Node) {
	switch nn := n.(type) {
	case *ast.AnchorNode:
		c.free(nn.Value)
	case *ast.TagNode:
		if !allowedTags[nn.Start.Value] {
			c.add(nn, "unknown tag %s: %s files use no tags; remove it", printable(nn.Start.Value), c.doc.What)
			return
		}
		c.free(nn.Value)
	case *ast.SequenceNode:
		for _, v := range nn.Values {
			c.free(v)
		}
	case *ast.MappingNode, *ast.MappingValueNode:
		m, _ := mappingValues(n)
		for _, mv := range m {
			if _, ok := c.key(mv); ok {
				c.free(mv.Value)
			}
		}
	default:
		if isScalar(n) {
			c.scalar(n, "the value")
		}
	}
}

// key returns a mapping entry's key, refusing empty, null, non-text and
// merge keys.
func (c *shapeCheck) key(mv *ast.MappingValueNode) (string, bool) {
	k := mv.Key
	var kn ast.Node = k
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		kn = mk.Value
	}
	switch kn := kn.(type) {
	case *ast.NullNode:
		c.add(k, "a key is empty (~ or null); write the key's name, such as name:")
		return "", false
	case *ast.MergeKeyNode:
		c.add(k, "merge keys (<<) are not supported; write the keys out")
		return "", false
	case *ast.StringNode:
		if kn.Value == "" {
			c.add(k, "a key is empty; write the key's name, such as name:")
			return "", false
		}
		if bad, r := HasControl(kn.Value); bad {
			c.add(k, "a key holds a control character (%U); keys are plain words", r)
			return "", false
		}
		return kn.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return kn.String(), true
	}
	c.add(k, "a key must be a plain word, not %s", kindOf(kn))
	return "", false
}

// scalar refuses control characters and oversized values.
func (c *shapeCheck) scalar(n ast.Node, label string) {
	var s string
	switch nn := n.(type) {
	case *ast.StringNode:
		s = nn.Value
	case *ast.LiteralNode:
		if nn.Value != nil {
			s = nn.Value.Value
		}
	default:
		return
	}
	if len(s) > MaxScalar {
		c.add(n, "%s is %d KiB long; a value here is at most %d KiB", label, len(s)>>10, MaxScalar>>10)
		return
	}
	if bad, r := HasControl(s); bad {
		c.add(n, "%s holds a control character (%U); text here must be printable (tabs and line breaks are fine)", label, r)
	}
}

// hasControl reports a control character other than tab and newline, a
// bidirectional override, or invalid UTF-8: what could rewrite a terminal
// or hide text when printed.
func HasControl(s string) (bool, rune) {
	for _, r := range s {
		if isControl(r) {
			return true, r
		}
	}
	return false, 0
}

func isControl(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == utf8.RuneError:
		return true
	}
	return false
}

func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.LiteralNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// kindOf words what a node is, for "wants X, not Y".
func kindOf(n ast.Node) string {
	switch nn := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode:
		return "the number " + nn.String()
	case *ast.FloatNode:
		return "the number " + nn.String()
	case *ast.BoolNode:
		return nn.String()
	case *ast.StringNode:
		return fmt.Sprintf("the text %q", printable(Clip(nn.Value, 40)))
	case *ast.LiteralNode:
		return "a block of text"
	case *ast.NullNode:
		return "nothing"
	}
	return "this value"
}

func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// examples are example values for keys, so that a message shows what to
// write.
var examples = map[string]string{
	"port": "443", "ttl": "300", "mtu": "1500", "rule": "100", "ports": "443 or 1024-65535",
	"name": "web", "ip": "203.0.113.10", "private_ip": "10.0.1.10", "public_ip": "203.0.113.10",
	"cidr": "10.0.0.0/16", "destination": "0.0.0.0/0", "source": "10.0.0.0/16 or sg-web",
	"zone": "a", "protocol": "tcp", "type": "A", "value": "203.0.113.10", "action": "allow",
	"clock": "2026-11-21T12:00:00Z", "not_before": "2026-01-01T00:00:00Z", "not_after": "2027-01-01T00:00:00Z",
	"subnet": "public-a", "route_table": "rt-public", "network_acl": "acl-open", "target": "igw-prod",
	"scheme": "internet-facing", "status": "active", "chain": "input", "bind": "0.0.0.0",
	"id": "shop-my-scenario", "difficulty": "easy", "world": "shop", "from": "browser",
	"request": "https://shop.example.com/", "want": "delivered", "code": "SG_NO_INGRESS_RULE", "http": "200",
}

func example(key string, t reflect.Type) string {
	key, _, _ = strings.Cut(key, " ") // http "/": an entry of http
	if e, ok := examples[key]; ok {
		return e
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "80"
	case reflect.Bool:
		return "true"
	}
	return "a word or a quoted text"
}

// yamlFields maps the yaml keys of a struct to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// didYouMean returns the known key closest to k, if close enough to be a
// slip: two edits, or one for short keys, or a plural or prefix.
func didYouMean(k string, fields map[string]reflect.StructField) string {
	best, bestD := "", 1<<30
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	lk := strings.ToLower(strings.ReplaceAll(k, "-", "_"))
	for _, n := range names {
		// A cut-short or run-on key: proto for protocol, internet_gw.
		if len(lk) >= 4 && (strings.HasPrefix(n, lk) || strings.HasPrefix(lk, n)) {
			return n
		}
	}
	for _, n := range names {
		d := editDistance(lk, n)
		if d < bestD {
			best, bestD = n, d
		}
	}
	limit := 2
	if len(k) <= 4 {
		limit = 1
	}
	if bestD <= limit || strings.TrimSuffix(lk, "s") == strings.TrimSuffix(best, "s") {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev[j-1]) // a transposition, counted once
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// printable escapes what a terminal would act on: control characters,
// bidirectional overrides, invalid UTF-8. Text from files and command
// lines passes through it before it is printed.
func printable(s string) string {
	bad := false
	for _, r := range s {
		if isControl(r) {
			bad = true
			break
		}
	}
	if !bad {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
		}
		if isControl(r) && r != '\n' && r != '\t' {
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Printable escapes control characters, bidirectional overrides and
// invalid UTF-8 in s, for printing text that came from outside.
func Printable(s string) string { return printable(s) }
