package simnet

import (
	"fmt"

	"github.com/pathlab/pathlab/tracer"
)

// VPC endpoints, after the AWS PrivateLink guide:
//   - a gateway endpoint (S3, DynamoDB) is a route-table target whose
//     destination is the service's prefix list; traffic to the service
//     keeps its private source address and never crosses the internet;
//     security groups must allow it (a prefix list may be a rule's
//     destination);
//   - an interface endpoint is an interface in each of its subnets, with
//     security groups; the connection goes over PrivateLink to the
//     service. With private DNS, the VPC resolver answers the service's
//     public name with the endpoint's addresses; without it the name
//     resolves to the service's public addresses, which need a way to the
//     internet.

// toGatewayEndpoint sends p from subnet sn through the gateway endpoint r
// names to its service.
func (t *walk) toGatewayEndpoint(sn *subnet, r *route, p *pkt) *iface {
	ep := t.w.hy.endpoints[r.target]
	if !ep.active {
		t.block(ep.name, tracer.KindEndpoint, p, tracer.EndpointUnavailable, fmt.Sprintf("route %s leads to gateway endpoint %s, which is %s", r.dst, ep.name, ep.state), nil,
			fmt.Sprintf("re-create endpoint %s", ep.name))
		return nil
	}
	t.acl(sn, false, p)
	dst := t.w.internet[p.dst]
	if dst == nil || ep.server == nil || dst != ep.server.iface {
		t.block(ep.name, tracer.KindEndpoint, p, tracer.NoRoute, fmt.Sprintf("nothing of service %s has address %s", ep.service, p.dst), nil, "")
		return nil
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: ep.name, Kind: tracer.KindEndpoint, Direction: p.dir(), Action: tracer.ActForward, Code: tracer.EndpointForward, Peer: dst.name,
			Detail: fmt.Sprintf("gateway endpoint %s carries the packet to %s (%s) inside AWS; the source stays %s", ep.name, ep.service, dst.name, p.src)})
	}
	t.viaGWEndpoint = ep
	return t.arrive(dst, p)
}

// gatewayEndpointReturn carries the service's reply back through the
// gateway endpoint its request came by.
func (t *walk) gatewayEndpointReturn(p *pkt) *iface {
	ep := t.viaGWEndpoint
	dst := ep.vpc.ifaces[p.dst]
	if dst == nil {
		t.block(ep.name, tracer.KindEndpoint, p, tracer.NoReturnRoute, fmt.Sprintf("nothing in VPC %s has address %s", ep.vpc.name, p.dst), nil, "")
		return nil
	}
	if !t.quiet {
		t.add(tracer.Hop{Component: ep.name, Kind: tracer.KindEndpoint, Direction: tracer.Return, Action: tracer.ActForward, Code: tracer.EndpointForward,
			Detail: fmt.Sprintf("the reply returns through gateway endpoint %s", ep.name)})
	}
	t.acl(dst.subnet, true, p)
	return dst
}

// interfaceEndpoint takes a connection that reached an interface
// endpoint's interface on to its service.
func (n *Net) interfaceEndpoint(t *walk, dst *iface, p *pkt, st *conn) bool {
	ep := dst.ep
	if !ep.active {
		t.block(ep.name, tracer.KindEndpoint, p, tracer.EndpointUnavailable, fmt.Sprintf("endpoint %s is %s", ep.name, ep.state), nil, fmt.Sprintf("re-create endpoint %s", ep.name))
		return false
	}
	if p.proto == protoICMP {
		t.block(ep.name, tracer.KindEndpoint, p, tracer.NoRoute, "an interface endpoint does not answer ping", nil, "")
		return false
	}
	srv := ep.server
	t.add(tracer.Hop{Component: ep.name, Kind: tracer.KindEndpoint, Direction: tracer.Forward, Action: tracer.ActForward, Code: tracer.EndpointForward, Peer: srv.name,
		Detail: fmt.Sprintf("interface endpoint %s (%s) carries the connection over PrivateLink to %s (%s)", ep.name, dst.private, ep.service, srv.name)})
	st.target = srv
	return t.socket(srv.iface, p, st)
}
