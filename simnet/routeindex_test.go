package simnet

import (
	"math/rand/v2"
	"net/netip"
	"sort"
	"testing"
)

// linearLookup is the scan the index replaces.
func linearLookup(routes []route, a netip.Addr) int {
	for i := range routes {
		if routes[i].dst.Contains(a) {
			return i
		}
	}
	return -1
}

// randomTable is a table as compile leaves it: n routes of random lengths
// within 10.0.0.0/8 (duplicates included) and a default route, longest
// prefix first.
func randomTable(rnd *rand.Rand, n int) []route {
	var rs []route
	for range n {
		a := netip.AddrFrom4([4]byte{10, byte(rnd.IntN(4)), byte(rnd.IntN(4)), byte(rnd.IntN(256))})
		rs = append(rs, route{dst: netip.PrefixFrom(a, 8+rnd.IntN(25)).Masked()})
	}
	rs = append(rs, route{dst: netip.MustParsePrefix("0.0.0.0/0")})
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].dst.Bits() > rs[j].dst.Bits() })
	return rs
}

// TestRouteIndexAgrees: the index finds the route the linear scan finds,
// for tables of every size and addresses in and out of their prefixes;
// tables below the threshold, or out of order, are not indexed.
func TestRouteIndexAgrees(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 3, 7, 8, 20, 300} {
		rs := randomTable(rnd, n)
		x := newRouteIndex(rs)
		if (x != nil) != (len(rs) >= indexRoutesOver) {
			t.Fatalf("%d routes: indexed %v", len(rs), x != nil)
		}
		if x == nil {
			continue
		}
		for range 5000 {
			a := netip.AddrFrom4([4]byte{byte(8 + rnd.IntN(4)), byte(rnd.IntN(4)), byte(rnd.IntN(4)), byte(rnd.IntN(256))})
			if got, want := x.lookup(a), linearLookup(rs, a); got != want {
				t.Fatalf("%d routes, %s: index %d, scan %d", len(rs), a, got, want)
			}
		}
		if got := x.lookup(netip.MustParseAddr("2001:db8::1")); got != -1 {
			t.Errorf("an IPv6 address matched route %d", got)
		}
	}
	rs := randomTable(rnd, 20)
	rs[0], rs[len(rs)-1] = rs[len(rs)-1], rs[0] // the default route first
	if newRouteIndex(rs) != nil {
		t.Error("a table out of order was indexed")
	}
}

// BenchmarkRouteLookup: a hub's table of 250 spoke routes, by index and
// by scan.
func BenchmarkRouteLookup(b *testing.B) {
	var rs []route
	for i := range 250 {
		rs = append(rs, route{dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i + 1), 0, 0}), 16)})
	}
	rs = append(rs, route{dst: netip.MustParsePrefix("10.0.0.0/16")}, route{dst: netip.MustParsePrefix("0.0.0.0/0")})
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].dst.Bits() > rs[j].dst.Bits() })
	x := newRouteIndex(rs)
	a := netip.MustParseAddr("10.240.3.7")
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			x.lookup(a)
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			linearLookup(rs, a)
		}
	})
}
