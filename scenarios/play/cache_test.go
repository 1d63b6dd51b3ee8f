package play

import (
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
)

// TestStaleCacheSession: the stale cached record, as a session sees it.
// The VPC resolver (the Route 53 Resolver) keeps the wrong answer for its
// TTL (RFC 1035 3.2.1) and dig shows the TTL counting down; the right fix
// does not show until the TTL has run out, so check says WAIT (neither
// solved nor a wrong fix); resolvectl flush-caches cannot flush the VPC
// resolver (AWS offers customers no flush); after wait the check passes.
func TestStaleCacheSession(t *testing.T) {
	sc, err := scenarios.Lookup("shop-db-moved")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		lines  []string
		want   []string
		absent []string
		solved bool
	}{
		{
			name: "fix then wait",
			lines: []string{"dig db.internal.shop +noall +answer", "sleep 100", "dig db.internal.shop +noall +answer",
				"dns internal.shop set db A 10.0.20.10", "dig db.internal.shop +noall +answer", "check",
				"resolvectl flush-caches", "wait db.internal.shop", "dig db.internal.shop +noall +answer", "check"},
			want: []string{
				"db.internal.shop.\t900\tIN\tA\t10.0.20.250",
				"db.internal.shop.\t800\tIN\tA\t10.0.20.250",
				"db.internal.shop.\t800\tIN\tA\t10.0.20.250", // fixed, still cached
				"WAIT  the fix is right", "for 13m20s more", "not solved yet",
				"AWS offers no way for a customer to flush it",
				"waited 13m20s",
				"db.internal.shop.\t900\tIN\tA\t10.0.20.10",
				"solved",
			},
			solved: true,
		},
		{
			name:   "fix, check at once",
			lines:  []string{"dns internal.shop set db A 10.0.20.10", "check"},
			want:   []string{"WAIT  the fix is right", "for 15m0s more", "not solved yet"},
			absent: []string{"solved\n"},
		},
		{
			name:   "a wrong fix is no WAIT",
			lines:  []string{"dns internal.shop set db A 10.0.20.11", "sleep 15m", "check"},
			want:   []string{"FAIL", "not solved yet"},
			absent: []string{"WAIT"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sc.Build()
			if err != nil {
				t.Fatal(err)
			}
			sh, out := session(t, st, tc.lines, Options{})
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(out[pos:], w)
				if i < 0 {
					t.Fatalf("transcript lacks %q after offset %d:\n%s", w, pos, out)
				}
				pos += i + len(w)
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("transcript holds %q:\n%s", a, out)
				}
			}
			if got := sh.Solved(context.Background()); got != tc.solved {
				t.Errorf("Solved() = %v; want %v", got, tc.solved)
			}
		})
	}
}

func TestParseSleep(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		err  bool
	}{
		{[]string{"30"}, "30s", false},
		{[]string{"1m", "30s"}, "1m30s", false},
		{[]string{"1.5h"}, "1h30m0s", false},
		{[]string{"1d"}, "24h0m0s", false},
		{nil, "", true},
		{[]string{"-1"}, "", true},
		{[]string{"soon"}, "", true},
		{[]string{"1e7d"}, "", true}, // would overflow a duration
		{[]string{"NaN"}, "", true},
		{[]string{"9000000", "9000000"}, "", true}, // the sum past the bound
	} {
		d, err := parseSleep(tc.args)
		if (err != nil) != tc.err || (err == nil && d.String() != tc.want) {
			t.Errorf("parseSleep(%v) = %v, %v; want %s (error %v)", tc.args, d, err, tc.want, tc.err)
		}
	}
}

// FuzzParseSleep: any words give an interval from zero to the bound, or
// an error; never a panic or an overflowed (negative) duration.
func FuzzParseSleep(f *testing.F) {
	for _, s := range []string{"30", "1m 30s", "1.5h", "1e7d", "-1", "soon", "9223372036854775807s", "NaN", "Inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseSleep(strings.Fields(s))
		if err == nil && (d < 0 || d.Seconds() > 1e7) {
			t.Errorf("parseSleep(%q) = %v", s, d)
		}
	})
}
