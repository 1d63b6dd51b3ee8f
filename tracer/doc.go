// Package tracer defines the language of a network path (Report, Stage,
// Hop, Code), the Network interface a troubleshooter works over, and
// Diagnose, which walks DNS, TCP, TLS and HTTP over any Network and says
// where the request breaks.
//
// Two Networks exist: the simulated one in package simnet, which explains
// every decision down to the rule that matched, and the live one in
// tracer/probe, which can only observe what real packets show. Reports from
// both read the same and render to the same text and JSON.
package tracer
