package tracer_test

import (
	"context"
	"fmt"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Diagnose walks DNS, TCP, TLS and HTTP over any Network; here the
// simulated one, seen from an app server.
func ExampleDiagnose() {
	w, _ := simnet.LoadBuiltin("shop")
	n, _ := w.From("app-1")
	target, _ := tracer.ParseTarget("tcp://db.internal.shop:5432")
	r, _ := tracer.Diagnose(context.Background(), n, target, "app-1")
	fmt.Println(r.Verdict)
	fmt.Println(r.Stage("dns").Summary)
	fmt.Println(r.BrokenAt == nil, len(r.Blockers))
	// Output:
	// delivered
	// db.internal.shop is 10.0.20.10
	// true 0
}
