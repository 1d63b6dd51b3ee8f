package simnet

import (
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's target.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestRelaxGC: a large load raises the collector's target while it runs
// and puts back what was there; overlapping loads share the raise; a
// small load, a higher target and a collector turned off are left alone.
func TestRelaxGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		name          string
		before        int
		sizes         []int // loads started one after another, ended in reverse
		during, after int
	}{
		{"small", 100, []int{1 << 20}, 100, 100},
		{"large", 100, []int{100 << 20}, loadGCPercent, 100},
		{"large after a custom target", 150, []int{loadGCOver}, loadGCPercent, 150},
		{"overlapping", 100, []int{64 << 20, 1 << 20, 32 << 20}, loadGCPercent, 100},
		{"higher already", 800, []int{100 << 20}, 800, 800},
		{"collector off", -1, []int{100 << 20}, -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(tc.before)
			var restores []func()
			for _, n := range tc.sizes {
				restores = append(restores, relaxGC(n))
			}
			if got := gcPercent(); got != tc.during {
				t.Errorf("during the loads the target is %d; want %d", got, tc.during)
			}
			for i := len(restores) - 1; i >= 0; i-- {
				restores[i]()
				if i > 0 && gcPercent() != tc.during {
					t.Errorf("a load ending while others run changed the target to %d", gcPercent())
				}
			}
			if got := gcPercent(); got != tc.after {
				t.Errorf("after the loads the target is %d; want %d", got, tc.after)
			}
		})
	}
}
