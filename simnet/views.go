package simnet

import "github.com/pathlab/pathlab/tracer"

// The World API of the views. The views over a trace (the story of
// explain, the graph, the reachability diff, the capture) read a
// *tracer.Report and a *World through exported methods and values only,
// never the compiled world's internals, so that each can live in a
// package of its own above simnet:
//
//   - the world's spec, a copy: World.Spec;
//   - its name, clock, resources and vantage points: World.Name,
//     World.Clock, World.Kind, World.Names, World.DefaultFrom;
//   - its flows: World.Flows (the requests worth trying), World.TraceFlows
//     (their verdicts, on all cores), World.Reachability (both), with Flow;
//   - the packets of a request where a capture sees them:
//     World.CapturePoints, World.CapturePackets, and TcpdumpLines for their
//     tcpdump text (the packets are built here, where the engine builds
//     them for --packets too);
//   - a trace and the words of its hops: World.Trace, tracer.Hop.Text, and
//     the two shorter forms of an ACL allow below, which the story uses
//     when it tells a crossing or a reply.
//
// Everything here reads; nothing changes a World.

// ACLAllowWithoutLeg words an ACL allow as its hop's text does, without
// the leg ("tcp port 443 allowed by rule 100, leaving subnet web-a"); ok
// is false when the hop is not an ACL allow the engine words itself.
func ACLAllowWithoutLeg(h *tracer.Hop) (text string, ok bool) {
	if _, ok := h.Say.(sayACLAllow); !ok {
		return "", false
	}
	return aclAllowText(h, aclNoLeg), true
}

// ACLReplyWithoutWhy words an ACL allow of a reply without the sentence
// on why replies need a rule of their own; ok is false when the hop is not
// an ACL allow the engine words itself.
func ACLReplyWithoutWhy(h *tracer.Hop) (text string, ok bool) {
	if _, ok := h.Say.(sayACLAllow); !ok {
		return "", false
	}
	return aclAllowText(h, aclNoWhy), true
}
