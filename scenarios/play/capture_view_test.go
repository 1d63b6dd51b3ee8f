package play

import (
	"net/netip"
	"testing"
)

// TestParseView reads the walk's packet views in both forms: tcpdump's
// line (what the walk gives now) and the summary of a packet that could
// not be built.
func TestParseView(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.10.40"), netip.MustParseAddr("10.0.10.31")
	tests := []struct {
		sum  string
		ok   bool
		want flowKey
	}{
		{"IP 10.0.10.40.37984 > 10.0.10.31.53: UDP, length 0", true, flowKey{"udp", a, b, 37984, 53}},
		{"IP 10.0.10.40.37984 > 10.0.10.31.53: 22048+ A? app.corp.internal. (35)", true, flowKey{"udp", a, b, 37984, 53}},
		{"IP 10.0.10.40.40000 > 10.0.10.31.443: Flags [S], seq 1828167567, win 64240, length 0", true, flowKey{"tcp", a, b, 40000, 443}},
		{"IP 10.0.10.40 > 10.0.10.31: ICMP echo request, id 1, seq 1, length 64", true, flowKey{"icmp", a, b, 0, 0}},
		{"tcp 10.0.10.40:40000 → 10.0.10.31:443", true, flowKey{"tcp", a, b, 40000, 443}},
		{"icmp 10.0.10.40 → 10.0.10.31", true, flowKey{"icmp", a, b, 0, 0}},
		{"IP 10.0.10.40.99999 > 10.0.10.31.53: UDP, length 0", false, flowKey{}},
		{"IP 10.0.10.40 > 10.0.10.31.53: UDP, length 0", false, flowKey{}},
		{"IP6 ::1.53 > ::1.40000: UDP, length 0", false, flowKey{}},
		{"undecodable packet: short", false, flowKey{}},
		{"", false, flowKey{}},
	}
	for _, tc := range tests {
		p, ok := parseView(tc.sum)
		if ok != tc.ok || (ok && p.flowKey != tc.want) {
			t.Errorf("parseView(%q) = %+v, %v; want %+v, %v", tc.sum, p.flowKey, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseView(f *testing.F) {
	for _, s := range []string{"IP 10.0.10.40.37984 > 10.0.10.31.53: UDP, length 0", "IP 1.2.3.4 > 5.6.7.8: ICMP x", "tcp 1.2.3.4:1 → 5.6.7.8:10-20", "IP . > .: "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parseView(s)
		if ok && (!p.src.IsValid() || !p.dst.IsValid()) {
			t.Errorf("parseView(%q) reads invalid addresses: %+v", s, p)
		}
	})
}
