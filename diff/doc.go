// Package diff compares what can reach what in two worlds (Diff): the
// flows a change breaks or opens, from the World's flows and verdicts
// (World.Flows, World.TraceFlows).
package diff
