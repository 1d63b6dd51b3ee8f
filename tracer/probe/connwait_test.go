package probe

import (
	"testing"
	"time"
)

// The connect scan waits for a silent port as the raw scan's rounds do:
// never less than their waits in all, three round trips of the slowest
// answer from the port's start, and as long as answers keep coming.
func TestConnectPaceUntil(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	s := time.Second
	for _, tc := range []struct {
		name          string
		maxRTT        time.Duration
		last          time.Duration // after t0; -1: no answer yet
		start, wantAt time.Duration // after t0
	}{
		{"nothing answered: the budget", 0, -1, 0, 3 * s},
		{"fast answers: the budget", time.Millisecond, 500 * time.Millisecond, 0, 3 * s},
		{"a slow answer: three of its round trips", 2 * s, 0, 0, 6 * s},
		{"a slow answer, later: three round trips after it", 2 * s, 2 * s, 0, 8 * s},
		{"answers still coming: after the last one", 2 * s, 5 * s, 0, 11 * s},
		{"a port started late", 2 * s, 2 * s, 4 * s, 10 * s},
		{"an answer short of the floor: the floor after it", 200 * time.Millisecond, 2900 * time.Millisecond, 0, 3900 * time.Millisecond},
	} {
		c := &connectPace{floor: s, budget: 3 * s, maxRTT: tc.maxRTT}
		if tc.last >= 0 {
			c.last = t0.Add(tc.last)
		}
		if got := c.until(t0.Add(tc.start)); !got.Equal(t0.Add(tc.wantAt)) {
			t.Errorf("%s: until = t0+%v; want t0+%v", tc.name, got.Sub(t0), tc.wantAt)
		}
	}
}
