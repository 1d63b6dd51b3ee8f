package simnet

import "net/netip"

// routeIndex finds a table's longest-prefix match in at most one map
// lookup per distinct prefix length (O(prefix length)), instead of
// testing every route: a hub's table holds a route per spoke.
type routeIndex struct {
	lens []int                  // the distinct prefix lengths, longest first
	at   []map[netip.Addr]int32 // per length: the masked prefix → its first route
}

// indexRoutesOver is the size from which a table is indexed: below it,
// testing each route is as fast.
const indexRoutesOver = 8

// newRouteIndex indexes routes, which are longest prefix first (as compile
// sorts them), so the first route whose prefix holds an address is the
// one at the longest length that has one; among equal prefixes, the first
// written. nil when the table is small or not in that order.
func newRouteIndex(routes []route) *routeIndex {
	if len(routes) < indexRoutesOver {
		return nil
	}
	x := &routeIndex{}
	for i := range routes {
		d := routes[i].dst
		if !d.IsValid() {
			continue
		}
		bits := d.Bits()
		k := len(x.lens) - 1
		if k < 0 || x.lens[k] != bits {
			if k >= 0 && x.lens[k] < bits {
				return nil // not longest first: the linear scan decides
			}
			x.lens = append(x.lens, bits)
			x.at = append(x.at, map[netip.Addr]int32{})
			k++
		}
		key := d.Masked().Addr()
		if _, dup := x.at[k][key]; !dup {
			x.at[k][key] = int32(i)
		}
	}
	return x
}

// lookup is the index of the longest prefix match of a, or -1.
func (x *routeIndex) lookup(a netip.Addr) int {
	for k, bits := range x.lens {
		p, err := a.Prefix(bits)
		if err != nil {
			continue
		}
		if i, ok := x.at[k][p.Addr()]; ok {
			return int(i)
		}
	}
	return -1
}
