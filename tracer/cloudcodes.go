package tracer

// Codes of the cloud as engineers meet it (issue 11): availability zones,
// instances that forward, partial ephemeral ranges. They live in their own
// file and join the code table when it is built (newCodeInfo), so that
// the table of the contract stays as it is.
const (
	// NACLEphemeralPartial flags a reply that a network ACL lets through
	// for this connection's ephemeral port, while its rules deny another
	// part of the initiator's range: some connections hang. It does not
	// stop the request it is seen on.
	NACLEphemeralPartial Code = "NACL_EPHEMERAL_PARTIAL"
	// SrcDstCheck: an instance that is a route's target drops traffic not
	// addressed to it, because its source/destination check is on.
	SrcDstCheck Code = "SRC_DST_CHECK"
	// LBZoneNoTargets: the balancer node the client reached has no target
	// it may send to: the targets sit in zones where the balancer has no
	// node (Target.NotInUse), or cross-zone balancing is off and the
	// node's own zone has none.
	LBZoneNoTargets Code = "LB_ZONE_NO_TARGETS"
	// LBTargetNotInUse: a target in a zone where the balancer has no node
	// gets no traffic (Target.NotInUse). It stops nothing by itself.
	LBTargetNotInUse Code = "LB_TARGET_NOT_IN_USE"
)

// ActUnused is what a balancer does with a target it may not use.
const ActUnused Action = "unused"

// CloudCodes returns the codes of issue 11, for `pathlab codes`.
func CloudCodes() []Code {
	return []Code{NACLEphemeralPartial, SrcDstCheck, LBZoneNoTargets, LBTargetNotInUse}
}

func addCloudCodes(codeInfo map[Code]CodeInfo) {
	codeInfo[LBTargetNotInUse] = pass(StageHTTP, TopicLoadBalancer, KindTargetGroup, ActUnused,
		"a target is in a zone where the balancer has no node (Target.NotInUse): it gets no traffic")
	codeInfo[NACLEphemeralPartial] = pass("", TopicNACL, KindNetworkACL, ActAllow,
		"the network ACL lets this connection's reply through, but denies part of the initiator's ephemeral range: connections that draw a port there hang (intermittent)")
	codeInfo[SrcDstCheck] = block(GroupRouting, "", TopicRouting, KindInstance, ActDrop, obsTimeout,
		"the route's target is an instance whose source/destination check is on, so it drops traffic that is not addressed to it instead of forwarding it")
	codeInfo[LBZoneNoTargets] = block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRespond,
		Observation{Conn: ConnOpen, HTTPStatus: 503, Line: "HTTP/1.1 503 Service Temporarily Unavailable"},
		"the balancer node has no target it may use: the targets are in zones where the balancer has no node (Target.NotInUse), or cross-zone balancing is off and the node's zone has none")
}

// Intermittent reports the hops of r that flag a path as intermittent:
// delivered this time, but some connections would hang.
func (r *Report) Intermittent() []Hop {
	var out []Hop
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code == NACLEphemeralPartial {
				out = append(out, h)
			}
		}
	}
	return out
}
