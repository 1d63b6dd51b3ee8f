// Package simnet simulates a declared cloud network (VPCs, subnets, route
// tables, gateways, peerings, security groups, network ACLs, balancers, DNS
// zones, certificates and hosts) and implements tracer.Network over it, so
// that every hop of a request is explained down to the rule that matched.
//
// A world file is parsed into spec structs (WorldSpec), validated as a whole
// and compiled once into an immutable World. A trace only reads the World;
// a fault or a learner's fix edits a copy of the spec and compiles a new
// World.
package simnet
