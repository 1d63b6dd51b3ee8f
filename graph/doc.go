// Package graph draws a world, and a trace over it, as a Graphviz DOT or
// Mermaid diagram (Graph).
package graph
