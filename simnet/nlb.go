package simnet

import (
	"fmt"
	"net/http"

	"github.com/pathlab/pathlab/tracer"
)

// nlbForward carries a request that a network load balancer's tls listener
// decrypted on to a target: a new connection from the node that keeps the
// client's address (so the target's security group must admit the
// clients), then the target's service answers.
func (n *Net) nlbForward(st *conn, path string, resp *tracer.HTTPResponse) {
	node, li := st.dst, st.lis
	tg := li.tg
	if tg == nil || len(tg.targets) == 0 {
		setStatus(resp, 0)
		resp.Hops = append(resp.Hops, tracer.Hop{Component: node.lb.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Return, Action: tracer.ActReset, Code: tracer.LBNoTargets, Blocks: true,
			Detail: "the listener's target group has no targets: the balancer resets the connection", Advice: fmt.Sprintf("lb %s target add INSTANCE", node.lb.name)})
		return
	}
	t := &walk{w: n.w, capture: n.Capture}
	target := n.pickTarget(node, tg, t)
	if target == nil {
		t.cur = &pkt{proto: protoTCP, src: st.seen, dst: node.private, sport: st.local.Port(), dport: li.port}
		t.zoneNoTargets(node, tg, t.cur)
		resp.Hops = append(resp.Hops, t.hops...)
		return
	}
	p := &pkt{proto: protoTCP, src: st.seen, dst: target.iface.private, sport: st.local.Port(), dport: tg.port}
	t.cur = p
	t.add(tracer.Hop{Component: node.lb.name, Kind: tracer.KindLoadBalancer, Direction: tracer.Forward, Action: tracer.ActForward, Code: tracer.LBForward, Peer: target.name,
		Detail: fmt.Sprintf("the tls listener %d decrypts and opens a connection to %s (%s:%d), keeping the client's address %s", li.port, target.name, p.dst, p.dport, p.src)})
	arrived := t.route(node.subnet, node, p, 1)
	ok := arrived != nil && t.socket(arrived, p, &conn{})
	if ok {
		r := &pkt{proto: protoTCP, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, reply: true, viaNode: node}
		r.dlo, r.dhi = p.sport, p.sport
		if init := n.w.ifaceAt(node.vpc, p.src); init != nil {
			r.dlo, r.dhi = init.ephLo, init.ephHi
		}
		t.send(arrived, r)
	}
	resp.Hops = append(resp.Hops, t.hops...)
	if t.first != "" {
		// A network balancer has no HTTP to answer with: the client's
		// connection just hangs or is reset.
		return
	}
	var svc *service
	for _, s := range target.services {
		if s.proto == protoTCP && s.port == tg.port {
			svc = s
		}
	}
	n.serve(target, svc, path, resp)
	if resp.Status == 0 && len(resp.Hops) > 0 && !resp.Hops[len(resp.Hops)-1].Blocks {
		setStatus(resp, http.StatusBadGateway)
	}
}
