package spec

import (
	"bytes"
	"reflect"
	"sort"
	"sync"
	"sync/atomic"
)

// parallelOver is the size of file above which FastDecode reads the list
// of VPCs in two parts at once, one per core: the VPCs of a large world
// are independent blocks of text, and the decode is half of its load.
// Tests lower it.
var parallelOver = 4 << 20

var vpcsType = reflect.TypeOf([]VPCSpec(nil))

// partsRead counts the lists read in parts, for the tests.
var partsRead atomic.Int64

// itemStarts finds the items of the block sequence whose "- " sit at
// column indent, from the current line (its first item) on: the offset of
// each item's line, and end, the offset of the first content line left of
// the column (len(data) when the file ends first). clean is false when
// the list does not end that way (a line at its column that is not an
// item, a "-" not followed by a space): the one-part decode judges those.
func (p *fastParser) itemStarts(indent int) (starts []int, end int, clean bool) {
	d := p.data
	first := p.pos - indent
	if p.indent != indent || first < 0 || (first > 0 && d[first-1] != '\n') {
		return nil, 0, false
	}
	for pos := first; pos < len(d); {
		e := bytes.IndexByte(d[pos:], '\n')
		if e < 0 {
			e = len(d)
		} else {
			e += pos
		}
		i := pos
		for i < e && d[i] == ' ' {
			i++
		}
		if i < e && d[i] != '#' {
			switch col := i - pos; {
			case col < indent:
				return starts, pos, true
			case col == indent:
				if d[i] != '-' || !(i+1 == e || d[i+1] == ' ') {
					return nil, 0, false
				}
				starts = append(starts, pos)
			}
		}
		pos = e + 1
	}
	return starts, len(d), true
}

// sequenceInParts decodes the block sequence at the current line into v
// (nil) as two halves read at once, each by a parser of its own over the
// text up to the half's end, and joins them. Each half is read exactly as
// the whole list would read it: an item's text ends at the next line at
// the list's column, which is where a half ends. handled is false when
// the list is not for parts (one item, or not cleanly ended): the caller
// reads it in one part. A refusal in either half is the decode's refusal,
// as it would be in one part.
func (p *fastParser) sequenceInParts(indent int, v reflect.Value) (handled, ok bool) {
	starts, end, clean := p.itemStarts(indent)
	if !clean || len(starts) < 2 {
		return false, false
	}
	// Split at the item nearest the middle of the text.
	k := sort.SearchInts(starts, starts[0]+(end-starts[0])/2)
	k = min(max(k, 1), len(starts)-1)
	bounds := [2][2]int{{starts[0], starts[k]}, {starts[k], end}}
	var parts [2]reflect.Value
	var oks [2]bool
	var bad [2]bool
	read := func(i int) {
		from, to := bounds[i][0], bounds[i][1]
		q := &fastParser{data: p.data[:to], src: p.src[:to], pos: from, part: true}
		parts[i] = reflect.New(v.Type()).Elem()
		oks[i] = q.content() && q.indent == indent && q.sequence(indent, parts[i]) && q.pos >= len(q.data)
		bad[i] = q.bad
	}
	partsRead.Add(1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		read(1)
	}()
	read(0)
	wg.Wait()
	if !oks[0] || !oks[1] || bad[0] || bad[1] {
		p.bad = p.bad || bad[0] || bad[1]
		return true, false
	}
	all := reflect.MakeSlice(v.Type(), 0, parts[0].Len()+parts[1].Len())
	all = reflect.AppendSlice(all, parts[0])
	all = reflect.AppendSlice(all, parts[1])
	v.Set(all)
	// Go on at the line that ended the list, as the one-part decode does.
	p.pos = end
	if p.pos < len(p.data) {
		p.content()
	}
	return true, true
}
