package simnet

import (
	"net/netip"

	"github.com/pathlab/pathlab/tracer"
)

// onPremQueryLost walks an on-premises host's query to its resolver and
// the answer back. An internet client's resolver is across the internet,
// which always carries it, and a VPC's resolver is not routed; but an
// on-premises network reaches an internet resolver only the way it
// reaches the internet: through its VPN connections (vpn.go fromOnPrem),
// so a tunnel down, a transit gateway blackhole or an appliance's
// security group loses the query, and the host hears nothing (dig: no
// servers could be reached). It returns the failed answer, or nil when
// the query and its answer get through.
func (n *Net) onPremQueryLost(q string, qtype uint16, server string, serverAddr netip.Addr) *tracer.Answer {
	from := n.from
	if from == nil || from.onprem == nil || !serverAddr.IsValid() {
		return nil
	}
	dst := netip.AddrPortFrom(serverAddr, 53)
	t := &walk{w: n.w, quiet: true}
	p := &pkt{proto: protoUDP, src: from.addr(), dst: serverAddr, sport: ephemeral(from, dst), dport: 53}
	t.cur = p
	if got := t.send(from, p); got != nil && t.first == "" {
		n.reply(t, got, p, nil)
		if t.first == "" {
			return nil
		}
	}
	ans := &tracer.Answer{Name: q, Type: qtype, Server: server, Failure: "no answer (timeout)"}
	ans.Hops = append(ans.Hops, tracer.Hop{Component: server, Kind: tracer.KindResolver, Direction: tracer.Forward, Action: tracer.ActQuery, Code: tracer.DNSQuery,
		Detail: "query " + q + " to " + server + " (" + serverAddr.String() + ") from " + from.name})
	for _, h := range t.hops {
		if h.Blocks {
			h.Detail = "the query to resolver " + server + " is lost: " + h.Text()
			ans.Hops = append(ans.Hops, h)
			break
		}
	}
	if len(ans.Hops) == 1 {
		ans.Hops = append(ans.Hops, tracer.Hop{Component: server, Kind: tracer.KindResolver, Direction: tracer.Forward, Action: tracer.ActDrop, Code: tracer.DNSTimeout, Blocks: true,
			Detail: "the query to resolver " + server + " gets no answer: nothing carries it there and back"})
	}
	return ans
}
