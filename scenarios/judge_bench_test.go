package scenarios

import (
	"context"
	"testing"
)

// BenchmarkJudge is one check of a fixed world: the scenario's checks and
// every flow the world delivered before the faults (the baseline is
// computed once per setup, before the timer).
func BenchmarkJudge(b *testing.B) {
	for _, id := range []string{"shop-checkout-504", "mesh-api-503-switch", "peered-sso-unreachable"} {
		b.Run(id, func(b *testing.B) {
			sc, err := Lookup(id)
			if err != nil {
				b.Fatal(err)
			}
			st, err := sc.Build()
			if err != nil {
				b.Fatal(err)
			}
			_, fw, err := ApplyFixes(st.Broken, st.Fix)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if !Solved(st.Judge(ctx, fw)) {
				b.Fatalf("%s: the reference fix does not pass the judge", id)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				st.Judge(ctx, fw)
			}
		})
	}
}
