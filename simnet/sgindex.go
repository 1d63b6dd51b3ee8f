package simnet

import (
	"io"
	"math/bits"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// A security group allows a packet when any of its rules does; a trace
// names the first rule as written that does. A group of a few rules is
// scanned. A larger one is answered by an index (sgIndex) built at
// compile time, which gives the same first rule in O(log n):
//
//   - the rules are bucketed by their peer: one bucket per CIDR (IPv4),
//     one per security group they name;
//   - a packet's candidate buckets are the CIDRs that contain its peer
//     address (one binary search per prefix length the group uses) and
//     the groups its peer interface carries (one binary search each);
//   - in a bucket, per protocol, the ports are cut into segments, each
//     holding the first rule that covers it; a packet's port finds its
//     segment by binary search;
//   - the first rule overall is the least index among the candidates,
//     and among the few rules no bucket holds (ICMP rules narrowed to a
//     type, IPv6 prefixes), scanned in order.

// sgIndexMin is the size from which a group direction is indexed: below
// it a scan of the compact rules costs less than the index's searches.
const sgIndexMin = 8

const noRule = int32(1<<31 - 1)

type sgIndex struct {
	// keys are the buckets' keys, sorted: a CIDR is its length<<32 | its
	// address; a group is 1<<40 | its id.
	keys    []uint64
	buckets []sgBucket // parallel to keys
	grouped bool       // some bucket is a group's
	// lens has bit n set when a CIDR bucket of length n exists.
	lens uint64
	// segs holds every bucket's port segments: a segment starts at
	// segLo and its first rule is segFirst (noRule for none).
	segLo    []uint16
	segFirst []int32
	// slow are the rules no bucket holds, in order.
	slow []int32
}

// sgBucket is the rules of one peer. tcp and udp are its port segments
// for those protocols (offset and count in segLo, no count when no rule
// of the bucket has the protocol); icmp is the first rule that allows
// any ICMP packet.
type sgBucket struct {
	tcpOff, udpOff uint32
	tcpN, udpN     uint32
	icmp           int32
}

const groupKey = uint64(1) << 40

func cidrKey(a uint32, bits int) uint64 { return uint64(bits)<<32 | uint64(a) }

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func maskOf(bits int) uint32 {
	if bits == 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}

// newSGIndex indexes rules, or is nil when they are few.
func newSGIndex(rules []sgRule) *sgIndex {
	if len(rules) < sgIndexMin || len(rules) >= int(noRule) {
		return nil
	}
	ix := &sgIndex{}
	type member struct {
		key  uint64
		rule int32
	}
	members := make([]member, 0, len(rules))
	for i := range rules {
		r := &rules[i]
		switch {
		case r.icmpType != 0:
			ix.slow = append(ix.slow, int32(i))
		case r.gid != 0:
			members = append(members, member{groupKey | uint64(r.gid-1), int32(i)})
			ix.grouped = true
		case r.bits1 != 0 && !r.v6:
			members = append(members, member{cidrKey(r.v4(), int(r.bits1)-1), int32(i)})
			ix.lens |= 1 << (r.bits1 - 1)
		default:
			ix.slow = append(ix.slow, int32(i))
		}
	}
	// Stable by key: in a bucket, rules stay in order.
	slices.SortStableFunc(members, func(a, b member) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	var in []int32
	var sc segScratch
	for s := 0; s < len(members); {
		e := s
		in = in[:0]
		for e < len(members) && members[e].key == members[s].key {
			in = append(in, members[e].rule)
			e++
		}
		ix.keys = append(ix.keys, members[s].key)
		ix.buckets = append(ix.buckets, ix.bucket(rules, in, &sc))
		s = e
	}
	return ix
}

// bucket builds the segments of one peer's rules (in order).
func (ix *sgIndex) bucket(rules []sgRule, in []int32, sc *segScratch) sgBucket {
	b := sgBucket{icmp: noRule}
	for _, i := range in {
		if p := rules[i].proto; (p == protoAll || p == protoICMP) && i < b.icmp {
			b.icmp = i
		}
	}
	b.tcpOff, b.tcpN = ix.segments(rules, in, protoTCP, sc)
	b.udpOff, b.udpN = ix.segments(rules, in, protoUDP, sc)
	return b
}

// segScratch is the buffers segments reuses from bucket to bucket.
type segScratch struct {
	cuts  []int
	first []int32
	next  []int
}

// segments cuts the ports into the segments the rules of protocol pr (or
// all) bound, and gives each the first rule that covers it: rules are
// taken in order, each painting the segments still bare in its range
// (next skips the painted ones). No segments when no rule has pr.
func (ix *sgIndex) segments(rules []sgRule, in []int32, pr proto, sc *segScratch) (uint32, uint32) {
	cuts := append(sc.cuts[:0], 0)
	any := false
	for _, i := range in {
		r := &rules[i]
		switch r.proto {
		case protoAll:
			any = true
		case pr:
			any = true
			cuts = append(cuts, int(r.lo))
			if r.hi < 65535 {
				cuts = append(cuts, int(r.hi)+1)
			}
		}
	}
	sc.cuts = cuts
	if !any {
		return 0, 0
	}
	sort.Ints(cuts)
	cuts = slices.Compact(cuts)
	first := slices.Grow(sc.first[:0], len(cuts))[:len(cuts)]
	next := slices.Grow(sc.next[:0], len(cuts)+1)[:len(cuts)+1] // next[s]: at or before the first bare segment at or after s
	sc.first, sc.next = first, next
	for s := range first {
		first[s] = noRule
		next[s] = s
	}
	next[len(cuts)] = len(cuts)
	find := func(s int) int {
		for next[s] != s {
			next[s] = next[next[s]]
			s = next[s]
		}
		return s
	}
	for _, i := range in {
		r := &rules[i]
		lo, hi := 0, 65535
		switch r.proto {
		case protoAll:
		case pr:
			lo, hi = int(r.lo), int(r.hi)
		default:
			continue
		}
		if lo > hi {
			continue
		}
		s, _ := slices.BinarySearch(cuts, lo)
		end, _ := slices.BinarySearch(cuts, hi+1) // first segment past the range
		for s = find(s); s < end; s = find(s) {
			first[s] = i
			next[s] = s + 1
		}
	}
	off := uint32(len(ix.segLo))
	for s, c := range cuts {
		ix.segLo = append(ix.segLo, uint16(c))
		ix.segFirst = append(ix.segFirst, first[s])
	}
	return off, uint32(len(cuts))
}

// firstIn is the first rule of bucket b that allows p.
func (ix *sgIndex) firstIn(b *sgBucket, p *pkt) int32 {
	var off, n uint32
	switch p.proto {
	case protoTCP:
		off, n = b.tcpOff, b.tcpN
	case protoUDP:
		off, n = b.udpOff, b.udpN
	case protoICMP:
		return b.icmp
	default:
		return noRule
	}
	if n == 0 {
		return noRule
	}
	// the last segment whose start is at or below the port (the first
	// starts at 0)
	lo := ix.segLo[off : off+n]
	i, j := uint32(1), n
	for i < j {
		m := (i + j) >> 1
		if lo[m] <= p.dport {
			i = m + 1
		} else {
			j = m
		}
	}
	return ix.segFirst[off+i-1]
}

func (ix *sgIndex) find(key uint64) *sgBucket {
	lo, hi := 0, len(ix.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.keys[m] < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ix.keys) && ix.keys[lo] == key {
		return &ix.buckets[lo]
	}
	return nil
}

// first is the index of the first of rules (the ones ix indexes) that
// allows p from or to addr, an interface peer carries (nil for none); -1
// when none does.
func (ix *sgIndex) first(rules []sgRule, p *pkt, addr netip.Addr, peer *iface) int {
	best := noRule
	if addr.Is4() {
		a := v4(addr)
		for l := ix.lens; l != 0; l &= l - 1 {
			n := bits.TrailingZeros64(l)
			if b := ix.find(cidrKey(a&maskOf(n), n)); b != nil {
				best = min(best, ix.firstIn(b, p))
			}
		}
	}
	if peer != nil && ix.grouped {
		for _, g := range peer.sgs {
			if b := ix.find(groupKey | uint64(g.id)); b != nil {
				best = min(best, ix.firstIn(b, p))
			}
		}
	}
	for _, i := range ix.slow {
		if i >= best {
			break
		}
		if sgRuleAllows(&rules[i], p, addr, peer) {
			best = i
			break
		}
	}
	if best == noRule {
		return -1
	}
	return int(best)
}

// sgRuleAllows reports whether rule r allows p from or to addr, an
// interface peer carries (nil when addr is no private address of one).
func sgRuleAllows(r *sgRule, p *pkt, addr netip.Addr, peer *iface) bool {
	if !ruleMatchesPort(r.proto, r.lo, r.hi, p) || !icmpMatch(r.icmpType, r.icmpCode, p) {
		return false
	}
	switch {
	case r.gid != 0:
		return peer != nil && peer.hasGroup(r.gid-1)
	case r.bits1 == 0:
		return false
	case !r.v6:
		return addr.Is4() && v4(addr)&maskOf(int(r.bits1)-1) == r.v4()
	}
	return r.prefix().Contains(addr)
}

// prefix is the rule's CIDR; the zero Prefix for a group rule.
func (r *sgRule) prefix() netip.Prefix {
	if r.bits1 == 0 {
		return netip.Prefix{}
	}
	a := netip.AddrFrom16(r.addr)
	if !r.v6 {
		a = a.Unmap()
	}
	return netip.PrefixFrom(a, int(r.bits1)-1)
}

// setPrefix makes p the rule's CIDR.
func (r *sgRule) setPrefix(p netip.Prefix) {
	if !p.IsValid() {
		r.bits1, r.v6, r.addr = 0, false, [16]byte{}
		return
	}
	r.addr, r.bits1, r.v6 = p.Addr().As16(), uint8(p.Bits()+1), !p.Addr().Is4()
}

// v4 is an IPv4 rule's CIDR address as a number.
func (r *sgRule) v4() uint32 {
	return uint32(r.addr[12])<<24 | uint32(r.addr[13])<<16 | uint32(r.addr[14])<<8 | uint32(r.addr[15])
}

// sgScan is the first of rules that allows p, in order; -1 when none does.
func sgScan(rules []sgRule, p *pkt, addr netip.Addr, peer *iface) int {
	for i := range rules {
		if sgRuleAllows(&rules[i], p, addr, peer) {
			return i
		}
	}
	return -1
}

// sgFirst is the first rule of one direction of a group that allows p:
// through its index when it has one.
func sgFirst(rules []sgRule, ix *sgIndex, p *pkt, addr netip.Addr, peer *iface) int {
	if ix != nil {
		return ix.first(rules, p, addr, peer)
	}
	return sgScan(rules, p, addr, peer)
}

// hasGroup reports whether the interface carries the group of id id. An
// interface carries at most five groups (AWS's default quota per network
// interface): a scan is the cheapest set.
func (i *iface) hasGroup(id int32) bool {
	for _, x := range i.sgs {
		if x.id == id {
			return true
		}
	}
	return false
}

// sgCold is a group's rules as the tracer names them, made on first use.
type sgCold struct {
	once    sync.Once
	in, out []tracer.Rule
}

// tracerRules are the group's rules of one direction as tracer.Rule
// values, parallel to g.ingress or g.egress.
func (g *secGroup) tracerRules(ingress bool) []tracer.Rule {
	g.cold.once.Do(func() {
		g.cold.in = g.makeRules(g.ingress, true)
		g.cold.out = g.makeRules(g.egress, false)
	})
	if ingress {
		return g.cold.in
	}
	return g.cold.out
}

// tracerRule is rule i of one direction as a tracer.Rule.
func (g *secGroup) tracerRule(ingress bool, i int) *tracer.Rule {
	return &g.tracerRules(ingress)[i]
}

func (g *secGroup) makeRules(rules []sgRule, ingress bool) []tracer.Rule {
	if len(rules) == 0 {
		return nil
	}
	word := "ingress "
	if !ingress {
		word = "egress "
	}
	out := make([]tracer.Rule, len(rules))
	var text, group string
	last := int32(-1)
	for i := range rules {
		r := &rules[i]
		if r.src != last { // a prefix list's CIDRs share their rule's words
			w := g.words(ingress, r)
			text = word + w.proto + w.ports + w.icmp + w.to + w.peer
			last = r.src
			group = ""
			if r.gid != 0 {
				group = w.peer // a rule that names a group names it as its peer
			}
		}
		out[i] = tracer.Rule{Kind: tracer.RuleSG, Owner: g.name, Ingress: ingress, Action: tracer.ActAllow,
			Proto: r.proto.tracer(), PortLo: r.lo, PortHi: r.hi, Prefix: r.prefix(), Group: group, Text: text}
	}
	return out
}

// sgWords are the parts of a rule's words without its direction: "tcp",
// " 443", "", " from ", "0.0.0.0/0".
type sgWords struct{ proto, ports, icmp, to, peer string }

func (g *secGroup) words(ingress bool, r *sgRule) sgWords {
	var rs *spec.SGRuleSpec
	var w sgWords
	if ingress {
		rs = &g.spec.Ingress[r.src]
		w.to, w.peer = " from ", rs.Source
	} else {
		rs = &g.spec.Egress[r.src]
		w.to, w.peer = " to ", rs.Destination
	}
	w.proto = strings.ToLower(rs.Protocol)
	if !rs.Ports.IsZero() {
		w.ports = " " + rs.Ports.Text
	}
	if !r.plist { // a prefix list's rules never showed their ICMP type
		w.icmp = icmpRuleText(rs.ICMPType, rs.ICMPCode)
	}
	return w
}

// hashWords writes each rule of one direction in words, without its
// direction, and a ';' after each, to h: without making the rules'
// tracer.Rule values (Signature asks for every group of a world).
func (g *secGroup) hashWords(h io.Writer, ingress bool) {
	rules := g.ingress
	if !ingress {
		rules = g.egress
	}
	for i := range rules {
		w := g.words(ingress, &rules[i])
		for _, s := range [...]string{w.proto, w.ports, w.icmp, w.to, w.peer, ";"} {
			io.WriteString(h, s)
		}
	}
}
