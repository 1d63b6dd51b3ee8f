package simnet

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// in is r with CIDR p; of is r naming group g.
func (r sgRule) in(p string) sgRule    { r.setPrefix(netip.MustParsePrefix(p)); return r }
func (r sgRule) of(g *secGroup) sgRule { r.gid = g.id + 1; return r }

// sgWorld is a few groups, and an interface of each pair of them, for
// rules to name and packets to come from.
type sgWorld struct {
	groups []*secGroup
	peers  []*iface // peers[0] carries no group
}

func newSGWorld(n int) *sgWorld {
	w := &sgWorld{peers: []*iface{{name: "bare"}}}
	for i := range n {
		w.groups = append(w.groups, &secGroup{name: fmt.Sprintf("sg-%d", i), id: int32(i)})
	}
	for i := range w.groups {
		for j := i; j < len(w.groups); j += 2 {
			w.peers = append(w.peers, &iface{name: fmt.Sprintf("i-%d-%d", i, j), sgs: []*secGroup{w.groups[i], w.groups[j]}})
		}
	}
	return w
}

// randomSGRule is a rule as compile makes them: any protocol, ports for
// tcp and udp (one port or a range), an ICMP type now and then; a CIDR
// of any length in 10.0.0.0/14 or the default route, an IPv6 prefix now
// and then, or a group.
func randomSGRule(rnd *rand.Rand, w *sgWorld) sgRule {
	var r sgRule
	r.proto = proto(1 + rnd.IntN(3))
	if rnd.IntN(30) == 0 {
		r.proto = protoAll // rare: it covers every packet of its peer
	}
	switch r.proto {
	case protoTCP, protoUDP:
		r.lo = uint16(rnd.IntN(12)) * 1000
		r.hi = r.lo
		switch rnd.IntN(8) {
		case 0:
			r.hi = r.lo + uint16(rnd.IntN(3000))
		case 1:
			r.lo, r.hi = 0, 65535
		case 2:
			r.hi = 65535
		}
	case protoICMP:
		if rnd.IntN(3) == 0 {
			r.icmpType = int16(rnd.IntN(4)) + 1
			if rnd.IntN(2) == 0 {
				r.icmpCode = int16(rnd.IntN(2)) + 1
			}
		}
	}
	switch k := rnd.IntN(40); {
	case k < 12:
		r = r.of(w.groups[rnd.IntN(len(w.groups))])
	case k == 12:
		r = r.in("0.0.0.0/0")
	case k < 16:
		r = r.in("2001:db8::/32")
	default:
		a := netip.AddrFrom4([4]byte{10, byte(rnd.IntN(4)), byte(rnd.IntN(4)), byte(rnd.IntN(256))})
		r.setPrefix(netip.PrefixFrom(a, 14+rnd.IntN(19)).Masked())
	}
	return r
}

func randomSGPacket(rnd *rand.Rand) (pkt, netip.Addr) {
	p := pkt{proto: proto(1 + rnd.IntN(3))}
	switch rnd.IntN(3) {
	case 0:
		p.dport = uint16(rnd.IntN(12)) * 1000 // on a rule's bound
	case 1:
		p.dport = uint16(rnd.IntN(12))*1000 - 1
	default:
		p.dport = uint16(rnd.IntN(65536))
	}
	p.icmpType, p.icmpCode = uint8(rnd.IntN(4)), uint8(rnd.IntN(2))
	a := netip.AddrFrom4([4]byte{10, byte(rnd.IntN(4)), byte(rnd.IntN(4)), byte(rnd.IntN(256))})
	switch rnd.IntN(8) {
	case 0:
		a = netip.MustParseAddr("192.0.2.7")
	case 1:
		a = netip.MustParseAddr("2001:db8::7")
	}
	return p, a
}

// TestSGIndexAgrees: for groups of every size the index names the rule
// the scan names (the first as written that allows the packet), for
// random rules and packets from addresses in and out of their CIDRs and
// interfaces with and without the groups they name.
func TestSGIndexAgrees(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	w := newSGWorld(6)
	for _, n := range []int{0, 1, 7, 8, 9, 40, 300, 3000} {
		for round := range 4 {
			rules := make([]sgRule, n)
			for i := range rules {
				rules[i] = randomSGRule(rnd, w)
			}
			ix := newSGIndex(rules)
			if (ix != nil) != (n >= sgIndexMin) {
				t.Fatalf("%d rules: indexed %v", n, ix != nil)
			}
			if ix == nil {
				continue
			}
			matched, firsts := 0, map[int]bool{}
			for range 4000 {
				p, a := randomSGPacket(rnd)
				peer := w.peers[rnd.IntN(len(w.peers))]
				if rnd.IntN(4) == 0 {
					peer = nil
				}
				got, want := ix.first(rules, &p, a, peer), sgScan(rules, &p, a, peer)
				if got != want {
					t.Fatalf("%d rules (round %d), %s %d type %d/%d from %s (%v): index %d, scan %d", n, round, p.proto, p.dport, p.icmpType, p.icmpCode, a, peer, got, want)
				}
				if got >= 0 {
					matched++
					firsts[got] = true
				}
			}
			if matched == 0 || (n < 40 && matched == 4000) || len(firsts) < min(n/3, 20) {
				t.Errorf("%d rules: %d of 4000 packets matched, %d rules first: the test says little", n, matched, len(firsts))
			}
		}
	}
}

// TestSGIndexCases: the cases a random draw may miss, each with the rule
// the first match must be.
func TestSGIndexCases(t *testing.T) {
	w := newSGWorld(2)
	g0 := w.groups[0]
	peer := &iface{name: "p", sgs: []*secGroup{w.groups[1], g0}}
	filler := func() []sgRule { // rules no test packet matches
		var rs []sgRule
		for i := range sgIndexMin {
			rs = append(rs, sgRule{proto: protoTCP, lo: uint16(100 + i), hi: uint16(100 + i)}.in("172.16.0.0/12"))
		}
		return rs
	}
	for _, c := range []struct {
		name  string
		rules []sgRule
		p     pkt
		from  string
		peer  *iface
		want  int // index after the filler; -1 none
	}{
		{"port at the low bound", []sgRule{sgRule{proto: protoTCP, lo: 443, hi: 445}.in("10.0.0.0/8")}, pkt{proto: protoTCP, dport: 443}, "10.1.2.3", nil, 0},
		{"port at the high bound", []sgRule{sgRule{proto: protoTCP, lo: 443, hi: 445}.in("10.0.0.0/8")}, pkt{proto: protoTCP, dport: 445}, "10.1.2.3", nil, 0},
		{"port past the high bound", []sgRule{sgRule{proto: protoTCP, lo: 443, hi: 445}.in("10.0.0.0/8")}, pkt{proto: protoTCP, dport: 446}, "10.1.2.3", nil, -1},
		{"port 65535", []sgRule{sgRule{proto: protoUDP, lo: 60000, hi: 65535}.in("0.0.0.0/0")}, pkt{proto: protoUDP, dport: 65535}, "10.1.2.3", nil, 0},
		{"tcp rule, udp packet", []sgRule{sgRule{proto: protoTCP, lo: 53, hi: 53}.in("0.0.0.0/0")}, pkt{proto: protoUDP, dport: 53}, "10.1.2.3", nil, -1},
		{"a later, longer CIDR is not first", []sgRule{
			sgRule{proto: protoTCP, lo: 22, hi: 22}.in("0.0.0.0/0"),
			sgRule{proto: protoTCP, lo: 22, hi: 22}.in("10.1.2.3/32"),
		}, pkt{proto: protoTCP, dport: 22}, "10.1.2.3", nil, 0},
		{"all protocols cover every port", []sgRule{
			sgRule{proto: protoTCP, lo: 80, hi: 80}.in("10.1.0.0/16"),
			sgRule{proto: protoAll}.in("10.1.2.0/24"),
		}, pkt{proto: protoTCP, dport: 9999}, "10.1.2.3", nil, 1},
		{"all protocols admit icmp", []sgRule{sgRule{proto: protoAll}.in("10.1.2.0/24")}, pkt{proto: protoICMP, icmpType: 8}, "10.1.2.3", nil, 0},
		{"icmp type narrows", []sgRule{
			sgRule{proto: protoICMP, icmpType: 1}.in("10.0.0.0/8"),
			sgRule{proto: protoICMP, icmpType: 9}.in("10.0.0.0/8"),
		}, pkt{proto: protoICMP, icmpType: 8}, "10.1.2.3", nil, 1},
		{"group rule, peer has the group second", []sgRule{
			sgRule{proto: protoTCP, lo: 5432, hi: 5432}.in("10.9.0.0/16"),
			sgRule{proto: protoTCP, lo: 5432, hi: 5432}.of(g0),
		}, pkt{proto: protoTCP, dport: 5432}, "10.1.2.3", peer, 1},
		{"group rule, no peer interface", []sgRule{sgRule{proto: protoTCP, lo: 5432, hi: 5432}.of(g0)}, pkt{proto: protoTCP, dport: 5432}, "10.1.2.3", nil, -1},
		{"group rule before a CIDR rule", []sgRule{
			sgRule{proto: protoAll}.of(g0),
			sgRule{proto: protoAll}.in("0.0.0.0/0"),
		}, pkt{proto: protoUDP, dport: 1}, "10.1.2.3", peer, 0},
		{"IPv6 prefix, IPv4 packet", []sgRule{sgRule{proto: protoAll}.in("::/0")}, pkt{proto: protoTCP, dport: 1}, "10.1.2.3", nil, -1},
		{"IPv6 prefix, IPv6 packet", []sgRule{sgRule{proto: protoAll}.in("::/0")}, pkt{proto: protoTCP, dport: 1}, "2001:db8::1", nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			rules := append(filler(), c.rules...)
			ix := newSGIndex(rules)
			if ix == nil {
				t.Fatal("not indexed")
			}
			want := c.want
			if want >= 0 {
				want += sgIndexMin
			}
			a := netip.MustParseAddr(c.from)
			if got := ix.first(rules, &c.p, a, c.peer); got != want {
				t.Errorf("index: rule %d, want %d", got, want)
			}
			if got := sgScan(rules, &c.p, a, c.peer); got != want {
				t.Errorf("scan: rule %d, want %d", got, want)
			}
		})
	}
}

// BenchmarkSGDecision: the first rule that allows a packet in a group of
// 1, 10, 100 and 10,000 rules (a CIDR, a port each, and group rules),
// found by the index and by the scan. The packet is allowed by the last
// rule: the scan's worst case, and a real one (the rule added last).
func BenchmarkSGDecision(b *testing.B) {
	w := newSGWorld(8)
	peer := w.peers[len(w.peers)-1]
	for _, n := range []int{1, 10, 100, 10000} {
		var rules []sgRule
		for i := range n - 1 {
			r := sgRule{proto: protoTCP, lo: uint16(1000 + i%5000), hi: uint16(1000 + i%5000)}
			if i%4 == 0 {
				r = r.of(w.groups[i%3])
			} else {
				r.setPrefix(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24))
			}
			rules = append(rules, r)
		}
		rules = append(rules, sgRule{proto: protoTCP, lo: 443, hi: 443}.in("10.200.0.0/16"))
		p := pkt{proto: protoTCP, dport: 443}
		a := netip.MustParseAddr("10.200.1.1")
		ix := newSGIndex(rules)
		if ix != nil && ix.first(rules, &p, a, peer) != n-1 || sgScan(rules, &p, a, peer) != n-1 {
			b.Fatal("the last rule does not match")
		}
		if ix != nil {
			b.Run(fmt.Sprintf("%d/index", n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ix.first(rules, &p, a, peer)
				}
			})
		}
		b.Run(fmt.Sprintf("%d/scan", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sgScan(rules, &p, a, peer)
			}
		})
	}
}

// TestSGRuleWords: the words of a group's rules, made on first use, are
// the rules as written with their direction, a prefix list's CIDRs each
// under the list's name; Signature's hash of them (hashWords) is the same
// words without the direction.
func TestSGRuleWords(t *testing.T) {
	s := builtinWorldSpec(t, "hub")
	two, eight := 2, 8
	for i := range s.VPCs {
		for j := range s.VPCs[i].SecurityGroups {
			if g := &s.VPCs[i].SecurityGroups[j]; g.Name == "sg-web-lb" {
				g.Ingress = append(g.Ingress, spec.SGRuleSpec{Protocol: "icmp", Source: "10.0.0.0/8", ICMPType: &eight, ICMPCode: &two})
				g.Egress = append(g.Egress, spec.SGRuleSpec{Protocol: "TCP", Ports: spec.PortsOf(443, 443), Destination: "pl-s3"},
					spec.SGRuleSpec{Protocol: "udp", Ports: spec.PortsOf(53, 53), Destination: "10.0.0.2/32"}) // more egress rules than ingress
			}
		}
	}
	w, problems := compile(s)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var texts []string
	for _, rs := range w.RuleSets() {
		if rs.Kind == tracer.RuleSG && rs.Owner == "sg-web-lb" {
			for _, r := range rs.Rules {
				texts = append(texts, r.Text+" | "+r.Group+" | "+r.Prefix.String())
			}
		}
	}
	want := []string{
		"ingress tcp 443 from 0.0.0.0/0 |  | 0.0.0.0/0",
		"ingress icmp type 8 code 2 from 10.0.0.0/8 |  | 10.0.0.0/8",
		"egress tcp 8080-8081 to sg-app | sg-app | invalid Prefix",
		"egress tcp 443 to pl-s3 |  | 52.216.0.0/15",
		"egress tcp 443 to pl-s3 |  | 3.5.0.0/19",
		"egress udp 53 to 10.0.0.2/32 |  | 10.0.0.2/32",
	}
	if !slices.Equal(texts, want) {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	for _, g := range w.sgs {
		for _, ingress := range []bool{true, false} {
			var b strings.Builder
			g.hashWords(&b, ingress)
			var fromRules strings.Builder
			for _, r := range g.tracerRules(ingress) {
				_, words, _ := strings.Cut(r.Text, " ")
				fromRules.WriteString(words + ";")
			}
			if b.String() != fromRules.String() {
				t.Errorf("%s ingress=%v: hashWords %q, rules %q", g.name, ingress, b.String(), fromRules.String())
			}
		}
	}
}
