package scenarios

import "github.com/pathlab/pathlab/tracer"

// ShowKind is the play shell's `show` kind for the component of a hop or
// a code, "" when show has no view of that kind. Every view that suggests
// a show command for a hop or a code asks here. (A DNS server or resolver
// shows as the zone it serves or failed to reach.)
func ShowKind(kind tracer.Kind) string {
	switch kind {
	case tracer.KindSecurityGroup:
		return "sg"
	case tracer.KindNetworkACL:
		return "nacl"
	case tracer.KindRouteTable:
		return "route-table"
	case tracer.KindLoadBalancer, tracer.KindTargetGroup:
		return "lb"
	case tracer.KindPeering:
		return "peering"
	case tracer.KindNATGateway:
		return "nat-gateway"
	case tracer.KindDNSZone, tracer.KindPrivateZone, tracer.KindNameserver, tracer.KindResolver, tracer.KindVPCResolver, tracer.KindRootServer, tracer.KindTLDServer:
		return "zone"
	case tracer.KindInstance:
		return "instance"
	case tracer.KindTransitGateway:
		return "tgw"
	case tracer.KindTGWRouteTable:
		return "tgw-route-table"
	case tracer.KindTGWAttachment:
		return "attachment"
	case tracer.KindVPNConnection:
		return "vpn"
	case tracer.KindEndpoint:
		return "endpoint"
	}
	return ""
}

// showKindFor is the show command's kind for the component behind a code:
// the kind of component the code names, an instance when show has no view
// of that kind.
func showKindFor(c tracer.Code) string {
	if k := ShowKind(c.Info().Kind); k != "" {
		return k
	}
	return "instance"
}
