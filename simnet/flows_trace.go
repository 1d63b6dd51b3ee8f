package simnet

import "context"

// TraceFlows traces the given flows (from, target) in the world, on all
// cores, in order; a flow from a vantage point the world lacks is Absent.
// A judge holds a fixed world against the flows another world delivered.
func (w *World) TraceFlows(ctx context.Context, keys [][2]string) ([]Flow, error) {
	return w.traceFlows(ctx, keys)
}
