package spec

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// fastDecode decodes a file written in the plain subset of YAML that world
// files use (block mappings and sequences, one-line flow collections,
// plain and quoted scalars, | block scalars, comments) straight into v,
// without building a syntax tree: a world of a million rules loads in
// seconds, where the general parser takes minutes and gigabytes. It
// returns false on anything outside the subset, or anything the strict
// decoder might judge differently (an unknown key, a value of the wrong
// kind, a plain scalar that could be a number or a boolean, an alias, a
// tag, a tab, text beyond ASCII); the caller then takes the general path,
// which words every problem with its position. So a file this accepts is
// one the general path accepts, into the same value.
func FastDecode(data []byte, v any) bool {
	return fastDecode(data, string(data), v)
}

// FastDecodeOwned is FastDecode for a caller that hands data over (Load,
// which read the file itself): the strings decoded are substrings of
// data, not of a copy, so data must never change afterwards. It spares
// the copy of the file: 95 MiB of fresh memory for a 100k world.
func FastDecodeOwned(data []byte, v any) bool {
	return fastDecode(data, unsafe.String(unsafe.SliceData(data), len(data)), v)
}

func fastDecode(data []byte, src string, v any) bool {
	ok, high := plainBytes(data)
	if !ok {
		return false
	}
	if high && !utf8.Valid(data) {
		return false // text that is not UTF-8 (in a comment, say): the general path words it
	}
	p := &fastParser{data: data, src: src}
	if !p.content() || p.indent != 0 {
		return false
	}
	rv := reflect.ValueOf(v).Elem()
	if !p.node(0, rv) {
		return false
	}
	return !p.bad && p.pos >= len(p.data)
}

// plainBytes reports whether data is free of control bytes other than
// newlines, and whether it holds bytes beyond ASCII. It reads eight bytes
// at a time and looks at them one by one only when the word may hold a
// control byte (a newline, mostly): a 100 MiB world is scanned in
// milliseconds, not a tenth of a second.
func plainBytes(data []byte) (ok, high bool) {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(data); i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		high = high || x&tops != 0
		del := x ^ (ones * 0x7f) // a zero byte where data has 0x7f
		if (x-ones*0x20)&^x&tops == 0 && (del-ones)&^del&tops == 0 {
			continue // no byte below 0x20 and none 0x7f
		}
		for _, c := range data[i : i+8] {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false, high
			}
		}
	}
	for _, c := range data[i:] {
		if c < 0x20 && c != '\n' || c == 0x7f {
			return false, high
		}
		high = high || c >= 0x80
	}
	return true, high
}

type fastParser struct {
	data []byte
	// src is data as one string: keys and scalars are its substrings, so
	// reading a million of them allocates none (the World keeps the text
	// of the file alive, about as much as the strings would take).
	src    string
	pos    int  // the first non-space byte of the current line
	indent int  // its column
	eol    int  // the end of the current line
	bad    bool // a document marker or directive: not the subset
	// Locating problems: the YAML path of the node being read ("" when
	// no wanted path lies below it), the paths wanted (with their
	// parents), and where each found starts.
	path  string
	want  map[string]bool
	found map[string]int
	// part: this parser reads one part of a list (sequenceInParts).
	part bool
	// fields caches fieldsOf per type; lastType is the one asked last.
	fields     map[reflect.Type]map[string]int
	lastType   reflect.Type
	lastFields map[string]int
}

// child is the path of a child node, if it is wanted.
func (p *fastParser) child(suffix string) string {
	if p.path == "" {
		return ""
	}
	if c := p.path + suffix; p.want[c] {
		return c
	}
	return ""
}

// childKey and childIndex are child of a mapping's key and of a
// sequence's item: they build the suffix only when a path is followed
// (locating problems), not for each of a million values of a plain
// decode.
func (p *fastParser) childKey(key string) string {
	if p.path == "" {
		return ""
	}
	return p.child("." + key)
}

func (p *fastParser) childIndex(n int) string {
	if p.path == "" {
		return ""
	}
	return p.child("[" + strconv.Itoa(n) + "]")
}

// markBlock records where the block node at pos starts, where the
// general parser puts it: a sequence at its first "-", a mapping at the
// colon of its first key.
func (p *fastParser) markBlock() {
	if p.path == "" {
		return
	}
	if p.data[p.pos] == '-' {
		p.mark(p.pos)
		return
	}
	if _, rest, ok := p.key(); ok {
		p.mark(rest - 1)
		return
	}
	p.mark(p.pos)
}

// mark records where the node being read starts.
func (p *fastParser) mark(off int) {
	if p.path != "" {
		p.found[p.path] = off
	}
}

// content moves to the next line with content (not blank, not a comment)
// at or after pos's line; false at the end of the data or on a document
// marker or directive.
func (p *fastParser) content() bool {
	for p.pos < len(p.data) {
		start := p.pos
		end := start
		for end < len(p.data) && p.data[end] != '\n' {
			end++
		}
		i := start
		for i < end && p.data[i] == ' ' {
			i++
		}
		if i == end || p.data[i] == '#' {
			p.pos = end + 1
			continue
		}
		if i == start && (p.data[i] == '%' || (end-i >= 3 && (string(p.data[i:i+3]) == "---" || string(p.data[i:i+3]) == "..."))) {
			p.pos, p.bad = len(p.data), true
			return false
		}
		p.pos, p.indent, p.eol = i, i-start, end
		return true
	}
	return false
}

// nextLine moves past the current line to the next one with content; it
// reports whether there is one.
func (p *fastParser) nextLine() bool {
	p.pos = p.eol + 1
	if p.pos >= len(p.data) {
		p.pos = len(p.data)
		return false
	}
	return p.content()
}

// node decodes the block node that starts at the current line, indented
// by indent, into v.
func (p *fastParser) node(indent int, v reflect.Value) bool {
	if p.data[p.pos] == '-' && (p.pos+1 == p.eol || p.data[p.pos+1] == ' ') {
		return p.sequence(indent, v)
	}
	return p.mapping(indent, v)
}

var fastFields sync.Map // reflect.Type -> map[string]int (field index)

func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := fastFields.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = i
	}
	fastFields.Store(t, m)
	return m
}

// fieldsOf is the package's fieldsOf through the parser's own table:
// a map keyed by the type's pointer, without the shared map's locking and
// interface hashing, which cost a tenth of a large decode.
func (p *fastParser) fieldsOf(t reflect.Type) map[string]int {
	if t == p.lastType {
		return p.lastFields
	}
	m, ok := p.fields[t]
	if !ok {
		if p.fields == nil {
			p.fields = map[reflect.Type]map[string]int{}
		}
		m = fieldsOf(t)
		p.fields[t] = m
	}
	p.lastType, p.lastFields = t, m
	return m
}

var portsType = reflect.TypeOf(Ports{})

// mapping decodes a block mapping whose keys sit at column indent; the
// current position is its first key (which may follow a "- " on the
// line).
func (p *fastParser) mapping(indent int, v reflect.Value) bool {
	var fields map[string]int
	var seen uint64
	switch {
	case v.Kind() == reflect.Struct && v.Type() != portsType:
		fields = p.fieldsOf(v.Type())
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Int:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return p.mapping(indent, v.Elem())
	default:
		return false
	}
	for {
		key, rest, ok := p.key()
		if !ok {
			return false
		}
		var target reflect.Value
		if fields != nil {
			i, known := fields[key]
			if !known || i >= 64 || seen&(1<<i) != 0 {
				return false
			}
			seen |= 1 << i
			target = v.Field(i)
		} else {
			if !ascii(key) || v.MapIndex(reflect.ValueOf(key)).IsValid() {
				return false
			}
			target = reflect.New(v.Type().Elem()).Elem()
		}
		p.pos = rest
		old := p.path
		p.path = p.childKey(key)
		if !p.value(indent, target) {
			return false
		}
		p.path = old
		if fields == nil {
			v.SetMapIndex(reflect.ValueOf(key), target)
		}
		// value left pos on the next content line (or the end).
		if p.pos >= len(p.data) {
			return true
		}
		if p.indent < indent {
			return true
		}
		if p.indent > indent {
			return false
		}
		if p.data[p.pos] == '-' && (p.pos+1 == p.eol || p.data[p.pos+1] == ' ') {
			return false
		}
	}
}

// key reads "key:" at pos; rest is the position after the colon.
func (p *fastParser) key() (key string, rest int, ok bool) {
	i := p.pos
	d := p.data
	if d[i] == '"' || d[i] == '\'' {
		s, end, ok := p.quoted(i)
		if !ok || end >= p.eol || d[end] != ':' || (end+1 < p.eol && d[end+1] != ' ') || s == "" {
			return "", 0, false
		}
		return s, end + 1, true
	}
	if !plainStart(d[i]) {
		return "", 0, false
	}
	for j := i; j < p.eol; j++ {
		if d[j] == ':' && (j+1 == p.eol || d[j+1] == ' ') {
			if d[j-1] == ' ' {
				return "", 0, false
			}
			if !ascii(p.src[i:j]) {
				return "", 0, false
			}
			return p.src[i:j], j + 1, true
		}
		if d[j] == '#' && d[j-1] == ' ' {
			return "", 0, false
		}
	}
	return "", 0, false
}

func plainStart(c byte) bool {
	switch c {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// value decodes what follows "key:" (or "- ") at pos: a scalar or flow
// collection on the line, a block scalar, or a block node on the lines
// below. parent is the indentation of the key. It leaves pos on the next
// content line.
func (p *fastParser) value(parent int, v reflect.Value) bool {
	d := p.data
	i := p.pos
	for i < p.eol && d[i] == ' ' {
		i++
	}
	if i == p.eol || d[i] == '#' && d[i-1] == ' ' {
		// A node on the lines below, or null.
		if !p.nextLine() {
			return setNull(v)
		}
		if p.indent > parent {
			p.markBlock()
			return p.node(p.indent, v)
		}
		if p.indent == parent && d[p.pos] == '-' && (p.pos+1 == p.eol || d[p.pos+1] == ' ') && v.Kind() == reflect.Slice {
			p.mark(p.pos)
			return p.sequence(parent, v)
		}
		return setNull(v)
	}
	p.mark(i)
	switch d[i] {
	case '{', '[':
		end, ok := p.flow(i, v)
		if !ok || !p.lineEnds(end) {
			return false
		}
	case '|':
		return p.blockScalar(parent, i, v)
	case '>':
		return p.foldedScalar(parent, i, v)
	case '"', '\'':
		s, end, ok := p.quoted(i)
		if !ok || !p.lineEnds(end) || !setScalar(v, s, true) {
			return false
		}
	default:
		if !plainStart(d[i]) {
			return false
		}
		j := i
		for j < p.eol && !(d[j] == '#' && d[j-1] == ' ') {
			if d[j] == ':' && (j+1 == p.eol || d[j+1] == ' ') {
				return false
			}
			j++
		}
		s := strings.TrimRight(p.src[i:j], " ")
		if !setScalar(v, s, false) {
			return false
		}
	}
	p.nextLine()
	return true
}

// lineEnds reports whether only spaces and a comment follow end.
func (p *fastParser) lineEnds(end int) bool {
	for end < p.eol && p.data[end] == ' ' {
		end++
	}
	return end == p.eol || p.data[end] == '#' && p.data[end-1] == ' '
}

// sequence decodes a block sequence whose "- " sit at column indent.
func (p *fastParser) sequence(indent int, v reflect.Value) bool {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice {
		return false
	}
	if v.IsNil() && v.Type() == vpcsType && !p.part && p.path == "" && len(p.data) > parallelOver && runtime.GOMAXPROCS(0) > 1 {
		if handled, ok := p.sequenceInParts(indent, v); handled {
			return ok
		}
	}
	if v.IsNil() {
		// Made at its final size: an instance's one or two services take
		// no room for four, and a long list is not copied on its way up.
		v.Set(reflect.MakeSlice(v.Type(), 0, max(1, p.itemsLeft(indent))))
	}
	d := p.data
	for {
		if p.indent != indent || d[p.pos] != '-' || !(p.pos+1 == p.eol || d[p.pos+1] == ' ') {
			return false
		}
		n := v.Len()
		if n == v.Cap() {
			c := 2*n + 4
			if n >= 32 {
				// A long list (a group's rules, a VPC's instances): make
				// room for the rest at once, instead of doubling (and
				// copying) its way there.
				c = max(c, n+p.itemsLeft(indent))
			}
			grown := reflect.MakeSlice(v.Type(), n, c)
			reflect.Copy(grown, v)
			v.Set(grown)
		}
		v.SetLen(n + 1)
		elem := v.Index(n)
		old := p.path
		p.path = p.childIndex(n)
		i := p.pos + 1
		for i < p.eol && d[i] == ' ' {
			i++
		}
		switch {
		case i == p.eol || d[i] == '#':
			p.pos = p.eol
			if !p.value(indent, elem) {
				return false
			}
		case d[i] == '{' || d[i] == '[' || d[i] == '"' || d[i] == '\'' || d[i] == '|':
			p.pos = i
			if !p.value(indent, elem) {
				return false
			}
		default:
			// "- key: value" opens a mapping at the key's column; "- text"
			// is a scalar.
			isKey := false
			for j := i; j < p.eol && !(d[j] == '#' && d[j-1] == ' '); j++ {
				if d[j] == ':' && (j+1 == p.eol || d[j+1] == ' ') {
					isKey = true
					break
				}
			}
			if isKey {
				p.pos, p.indent = i, indent+(i-p.pos)
				p.markBlock()
				if !p.mapping(p.indent, elem) {
					return false
				}
			} else {
				p.pos = i
				if !p.value(indent, elem) {
					return false
				}
			}
		}
		p.path = old
		if p.pos >= len(p.data) || p.indent < indent {
			return true
		}
		if p.indent > indent {
			return false
		}
	}
}

// itemsLeft counts the items of the block sequence at indent from the
// current line on: lines at its column that open with "-", up to the first
// content line left of it or at it with a key. It is a capacity, not a
// parse: a line it misjudges costs a copy, never a wrong value.
func (p *fastParser) itemsLeft(indent int) int {
	d := p.data
	n := 0
	for pos := max(0, p.pos-indent); pos < len(d); {
		end := bytes.IndexByte(d[pos:], '\n')
		if end < 0 {
			end = len(d)
		} else {
			end += pos
		}
		i := pos
		for i < end && d[i] == ' ' {
			i++
		}
		if i < end && d[i] != '#' {
			switch col := i - pos; {
			case col < indent:
				return n
			case col == indent:
				if d[i] != '-' {
					return n
				}
				n++
			}
		}
		pos = end + 1
	}
	return n
}

// blockScalar reads a "|" or "|-" scalar; at is the indicator.
func (p *fastParser) blockScalar(parent, at int, v reflect.Value) bool {
	d := p.data
	strip, ok := p.blockHeader(at)
	if !ok {
		return false
	}
	var b strings.Builder
	pos := p.eol + 1
	ind := -1
	blank := 0
	for pos < len(d) {
		end, k := p.lineAt(pos)
		if k == end { // blank line
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
		if end == len(d) && d[end-1] == ' ' {
			return false // spaces ending the file: the readers differ (found by FuzzFastDecode)
		}
		for ; blank > 0; blank-- {
			b.WriteByte('\n')
		}
		b.Write(d[pos+ind : end])
		if end < len(d) {
			b.WriteByte('\n')
		}
		pos = end + 1
	}
	s := b.String()
	if strip {
		s = strings.TrimRight(s, "\n")
	}
	return p.endBlock(v, s, pos)
}

// blockHeader reads a block scalar's header after its indicator at ("|"
// or ">"): "-" strips the final line break; nothing else may follow.
func (p *fastParser) blockHeader(at int) (strip, ok bool) {
	j := at + 1
	if j < p.eol && p.data[j] == '-' {
		strip = true
		j++
	}
	return strip, p.lineEnds(j)
}

// lineAt gives the end of the line starting at pos and the position of
// its first character that is not a space.
func (p *fastParser) lineAt(pos int) (end, k int) {
	d := p.data
	end = pos
	for end < len(d) && d[end] != '\n' {
		end++
	}
	k = pos
	for k < end && d[k] == ' ' {
		k++
	}
	return end, k
}

// endBlock sets v to a block scalar's value s and continues at pos, the
// first line after the scalar.
func (p *fastParser) endBlock(v reflect.Value, s string, pos int) bool {
	d := p.data
	if v.Kind() != reflect.String || len(s) > MaxScalar || !ascii(s) {
		return false
	}
	v.SetString(s)
	// Continue at the first line after the scalar.
	p.eol = pos - 1
	if pos > len(d) {
		p.eol = len(d)
	}
	if pos >= len(d) {
		p.pos = len(d)
		return true
	}
	p.pos = pos
	if !p.content() {
		p.pos = len(d)
	}
	return true
}

// quoted reads a quoted scalar starting at i; it returns its value and the
// position after the closing quote. It stays on one line.
func (p *fastParser) quoted(i int) (string, int, bool) {
	d := p.data
	q := d[i]
	simple := true
	j := i + 1
	for ; j < p.eol; j++ {
		c := d[j]
		if q == '"' && c == '\\' {
			simple = false
			j++
			continue
		}
		if c == q {
			if q == '\'' && j+1 < p.eol && d[j+1] == '\'' {
				simple = false
				j++
				continue
			}
			break
		}
	}
	if j >= p.eol {
		return "", 0, false
	}
	raw := p.src[i+1 : j]
	if simple {
		return raw, j + 1, true
	}
	if q == '\'' {
		return strings.ReplaceAll(raw, "''", "'"), j + 1, true
	}
	var b strings.Builder
	for k := 0; k < len(raw); k++ {
		c := raw[k]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		k++
		if k >= len(raw) {
			return "", 0, false
		}
		switch raw[k] {
		case '\\', '"', '/':
			b.WriteByte(raw[k])
		case 'n':
			b.WriteByte('\n')
		default:
			return "", 0, false
		}
	}
	return b.String(), j + 1, true
}

// flow decodes a one-line flow collection at i into v; it returns the
// position after its closing bracket.
func (p *fastParser) flow(i int, v reflect.Value) (int, bool) {
	d := p.data
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	skip := func(j int) int {
		for j < p.eol && d[j] == ' ' {
			j++
		}
		return j
	}
	if d[i] == '[' {
		if v.Kind() != reflect.Slice {
			return 0, false
		}
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 2))
		}
		j := skip(i + 1)
		if j < p.eol && d[j] == ']' {
			return j + 1, true
		}
		for {
			n := v.Len()
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			old := p.path
			p.path = p.childIndex(n)
			end, ok := p.flowValue(j, v.Index(n))
			if !ok {
				return 0, false
			}
			p.path = old
			j = skip(end)
			if j >= p.eol {
				return 0, false
			}
			if d[j] == ']' {
				return j + 1, true
			}
			if d[j] != ',' {
				return 0, false
			}
			j = skip(j + 1)
		}
	}
	// A flow mapping.
	var fields map[string]int
	var seen uint64
	switch {
	case v.Kind() == reflect.Struct && v.Type() != portsType:
		fields = p.fieldsOf(v.Type())
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Int:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	default:
		return 0, false
	}
	j := skip(i + 1)
	if j < p.eol && d[j] == '}' {
		return j + 1, true
	}
	for {
		// The key.
		var key string
		if j < p.eol && (d[j] == '"' || d[j] == '\'') {
			s, end, ok := p.quoted(j)
			if !ok {
				return 0, false
			}
			key, j = s, end
		} else {
			k := j
			for k < p.eol && d[k] != ':' && d[k] != ',' && d[k] != '}' && d[k] != '{' && d[k] != '[' && d[k] != ']' {
				k++
			}
			if k == j || k >= p.eol || d[k] != ':' || !plainStart(d[j]) || d[k-1] == ' ' {
				return 0, false
			}
			key, j = p.src[j:k], k
		}
		if key == "" || j+1 >= p.eol || d[j] != ':' || d[j+1] != ' ' {
			return 0, false
		}
		j = skip(j + 1)
		var target reflect.Value
		if fields != nil {
			fi, known := fields[key]
			if !known || fi >= 64 || seen&(1<<fi) != 0 {
				return 0, false
			}
			seen |= 1 << fi
			target = v.Field(fi)
		} else {
			if !ascii(key) || v.MapIndex(reflect.ValueOf(key)).IsValid() {
				return 0, false
			}
			target = reflect.New(v.Type().Elem()).Elem()
		}
		old := p.path
		p.path = p.childKey(key)
		end, ok := p.flowValue(j, target)
		if !ok {
			return 0, false
		}
		p.path = old
		if fields == nil {
			v.SetMapIndex(reflect.ValueOf(key), target)
		}
		j = skip(end)
		if j >= p.eol {
			return 0, false
		}
		if d[j] == '}' {
			return j + 1, true
		}
		if d[j] != ',' {
			return 0, false
		}
		j = skip(j + 1)
	}
}

// flowValue decodes one value inside a flow collection.
func (p *fastParser) flowValue(j int, v reflect.Value) (int, bool) {
	d := p.data
	if j >= p.eol {
		return 0, false
	}
	p.mark(j)
	switch d[j] {
	case '{', '[':
		return p.flow(j, v)
	case '"', '\'':
		s, end, ok := p.quoted(j)
		if !ok || !setScalar(v, s, true) {
			return 0, false
		}
		return end, true
	}
	if !plainStart(d[j]) {
		return 0, false
	}
	k := j
	for k < p.eol && d[k] != ',' && d[k] != '}' && d[k] != ']' && d[k] != '{' && d[k] != '[' && !(d[k] == '#' && d[k-1] == ' ') {
		if d[k] == ':' && (k+1 == p.eol || d[k+1] == ' ' || d[k+1] == ',') {
			return 0, false
		}
		k++
	}
	s := strings.TrimRight(p.src[j:k], " ")
	if !setScalar(v, s, false) {
		return 0, false
	}
	return k, true
}

func setNull(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return true // stays nil
	}
	if v.Type() == portsType {
		return true
	}
	return false // a null where a value is wanted: the general path words it
}

// setScalar stores a scalar into v.
func setScalar(v reflect.Value, s string, quoted bool) bool {
	if len(s) > MaxScalar || !ascii(s) {
		return false
	}
	if v.Kind() == reflect.Pointer {
		if !quoted && isNullWord(s) {
			return true
		}
		nv := reflect.New(v.Type().Elem())
		if !setScalar(nv.Elem(), s, quoted) {
			return false
		}
		v.Set(nv)
		return true
	}
	if v.Type() == portsType {
		switch {
		case quoted:
			v.Field(0).SetString(strings.TrimSpace(s))
		case isNullWord(s):
		case canonicalInt(s):
			v.Field(0).SetString(s)
		case portRange(s):
			v.Field(0).SetString(s)
		case numberLike(s) || boolWord(s):
			return false
		default:
			v.Field(0).SetString(strings.TrimSpace(s))
		}
		return true
	}
	switch v.Kind() {
	case reflect.String:
		if s == "" || !quoted && (isNullWord(s) || numberLike(s) || boolWord(s)) {
			return false
		}
		v.SetString(s)
		return true
	case reflect.Int:
		if quoted || !canonicalInt(s) {
			return false
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return false
		}
		v.SetInt(int64(n))
		return true
	case reflect.Bool:
		if quoted {
			return false
		}
		switch s {
		case "true":
			v.SetBool(true)
			return true
		case "false":
			v.SetBool(false)
			return true
		}
	}
	return false
}

// ascii: text beyond ASCII (bidirectional overrides and the like) is for
// the general path to judge.
func ascii(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// portRange: two canonical numbers with a dash, as in 1024-65535.
func portRange(s string) bool {
	a, b, ok := strings.Cut(s, "-")
	return ok && canonicalInt(a) && canonicalInt(b)
}

func isNullWord(s string) bool { return s == "null" || s == "Null" || s == "NULL" || s == "~" }

func boolWord(s string) bool {
	if len(s) > 5 {
		return false // no boolean word is longer: spare the lower-casing
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

// canonicalInt: an integer the way a person writes one, with no sign, base
// prefix or leading zero the decoders could read differently.
func canonicalInt(s string) bool {
	if s == "" || len(s) > 9 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberLike: anything a YAML reader might take for a number.
func numberLike(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
		// A name or word (most scalars of a world): only an ".inf" ending
		// can make it a number. Decided without lower-casing it.
		return len(s) >= 4 && strings.EqualFold(s[len(s)-4:], ".inf")
	}
	t := strings.ToLower(s)
	if strings.HasSuffix(t, ".inf") || t == ".nan" {
		return true
	}
	for t != "" && (t[0] == '+' || t[0] == '-') {
		t = t[1:]
	}
	if t == "" {
		return false
	}
	if t[0] == '.' {
		t = t[1:]
	}
	if t == "" || t[0] < '0' || t[0] > '9' {
		return false
	}
	dots := 0
	for i := range len(t) {
		c := t[i]
		switch {
		case c >= '0' && c <= '9', c == '_':
		case c == '.':
			dots++
		case c == 'e' || c == 'x' || c == 'o' || c == 'b' || (c >= 'a' && c <= 'f') || c == '+' || c == '-' || c == ':':
			// exponents, hex, octal, binary, sexagesimal: treat as numbers
		default:
			return false
		}
	}
	return dots <= 1
}

// locateHere: the problems of a file the fast path read are located by
// it when the general path would not read the file: one over
// fastLocateOver, or one past the general path's limits (prescan), such as
// a generated world of a megabyte with more than MaxEntries entries, which
// the general path refuses for its size instead of naming the problem.
func LocateHere(data []byte) bool {
	return len(data) > FastLocateOver || Prescan(data) != nil
}

// fastLocateOver is the size above which the problems of a world the fast
// path read are located by it: the general YAML reader would take minutes
// and gigabytes over such a file. Below it, the general path words them
// (as it always did).
const FastLocateOver = 4 << 20

// fastLocate gives problems found in a file that fastDecode read their
// line and column, as Locate does from a syntax tree: a problem's node, or
// its nearest enclosing one. It reads the file once more, following only
// the paths of the problems.
func FastLocate(name string, data []byte, problems []Problem) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &fastParser{data: data, src: string(data), want: map[string]bool{"$": true}, found: map[string]int{}, path: "$"}
	for _, pr := range problems {
		for path := pr.Path; path != ""; path = parentPath(path) {
			p.want[path] = true
		}
	}
	var spec WorldSpec
	if p.content() {
		p.mark(p.pos)
		p.node(0, reflect.ValueOf(&spec).Elem())
	}
	// Offsets to lines and columns, in one pass.
	offs := make([]int, 0, len(p.found))
	for _, o := range p.found {
		offs = append(offs, o)
	}
	sort.Ints(offs)
	pos := map[int][2]int{}
	line, lineStart, k := 1, 0, 0
	for i := 0; i <= len(data) && k < len(offs); i++ {
		for k < len(offs) && offs[k] == i {
			pos[i] = [2]int{line, i - lineStart + 1}
			k++
		}
		if i < len(data) && data[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	for i := range problems {
		pr := &problems[i]
		pr.File = name
		if pr.Line > 0 {
			continue
		}
		for path := pr.Path; path != ""; path = parentPath(path) {
			if o, ok := p.found[path]; ok {
				pr.Line, pr.Col = pos[o][0], pos[o][1]
				break
			}
		}
		if pr.Line == 0 {
			pr.Line, pr.Col = 1, 1
		}
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Line != problems[j].Line {
			return problems[i].Line < problems[j].Line
		}
		return problems[i].Col < problems[j].Col
	})
}
