package simnet

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Availability zones (issue 11). A subnet lives in one zone; a balancer
// has a node in each zone it is enabled for.
//
//   - A target in a zone where the balancer has no node gets no traffic:
//     describe-target-health says Target.NotInUse (ELB User Guide,
//     "Target health status": unused, "Target.NotInUse: the target is in
//     an Availability Zone that is not enabled for the load balancer").
//   - With cross-zone load balancing off, a node sends only to targets of
//     its own zone (ELB User Guide, "Cross-zone load balancing"); it is on
//     by default for application balancers and off for network
//     balancers.
//   - An application balancer needs subnets in at least two zones, one
//     subnet per zone (ELB User Guide, "Availability Zones for your
//     Application Load Balancer").
//   - A NAT gateway is zonal: subnets of another zone may use it, but
//     that costs cross-zone traffic and ties them to its zone (VPC User
//     Guide, "NAT gateways": create a NAT gateway in each zone). check
//     warns; nothing is blocked.

func zoneOf(i *iface) string {
	if i == nil || i.subnet == nil {
		return ""
	}
	return i.subnet.zone
}

// lbZones checks a balancer's zones and works out, for each target group
// and node, the targets the node may send to.
func (c *compiler) lbZones(path string, l *lb, ls *spec.LoadBalancerSpec) {
	l.crossZone = spec.CrossZoneOf(ls)
	zones := map[string]int{}
	var distinct []string
	for k, n := range l.nodes {
		z := zoneOf(n)
		if z == "" {
			if n.subnet == nil {
				return // a node's subnet is missing, said already
			}
			z = "subnet " + n.subnet.name // no zone given: count the subnet as its own
		} else if prev, dup := zones[z]; dup {
			c.errf(fmt.Sprintf("%s.nodes[%d].subnet", path, k), "load balancer %s has nodes in subnets %s and %s, both in zone %s; a balancer takes one subnet per availability zone",
				ls.Name, l.nodes[prev].subnet.name, n.subnet.name, z)
			continue
		}
		zones[z] = k
		distinct = append(distinct, z)
	}
	if l.alb && len(l.nodes) > 0 && len(distinct) < 2 {
		c.errf(path+".nodes", "application load balancer %s has subnets in %s only; an application load balancer needs subnets in at least two availability zones (add a node in a subnet of another zone)",
			ls.Name, zoneWords(distinct))
	}
	l.pools = map[*targetGroup][][]*host{}
	for _, tg := range l.tgs {
		pools := make([][]*host, len(l.nodes))
		for k, n := range l.nodes {
			for _, h := range tg.targets {
				if l.inUse(h) && (l.crossZone || sameZone(n, h.iface)) {
					pools[k] = append(pools[k], h)
				}
			}
		}
		l.pools[tg] = pools
	}
}

func zoneWords(zs []string) string {
	if len(zs) == 0 {
		return "no zone"
	}
	var out []string
	for _, z := range zs {
		if strings.HasPrefix(z, "subnet ") {
			out = append(out, z+" (no zone given)")
		} else {
			out = append(out, "zone "+z)
		}
	}
	return strings.Join(out, ", ")
}

// sameZone reports whether two interfaces share a zone; an interface whose
// subnet names no zone is taken to share every zone.
func sameZone(a, b *iface) bool {
	za, zb := zoneOf(a), zoneOf(b)
	return za == "" || zb == "" || za == zb
}

// inUse reports whether target h is in a zone where the balancer has a
// node (a target with no zone given is).
func (l *lb) inUse(h *host) bool {
	z := zoneOf(h.iface)
	if z == "" {
		return true
	}
	for _, n := range l.nodes {
		if zn := zoneOf(n); zn == "" || zn == z {
			return true
		}
	}
	return false
}

// pool is the targets of tg that node may send to.
func (l *lb) pool(node *iface, tg *targetGroup) []*host {
	ps := l.pools[tg]
	for k, n := range l.nodes {
		if n == node && k < len(ps) {
			return ps[k]
		}
	}
	return tg.targets
}

// zoneBlock says why node has no target to send to.
func (l *lb) zoneBlock(node *iface, tg *targetGroup) (detail, advice string, fix spec.Edit) {
	var unused []string
	for _, h := range tg.targets {
		if !l.inUse(h) {
			unused = append(unused, h.name+" (zone "+zoneOf(h.iface)+")")
		}
	}
	if len(unused) == len(tg.targets) {
		return fmt.Sprintf("every target of %s is in a zone where %s has no node: %s are Target.NotInUse and get no traffic", tg.name, l.name, strings.Join(unused, ", ")),
			fmt.Sprintf("enable %s in the targets' zone (a node in a subnet of that zone), or register targets in %s", l.name, l.zoneList()), nil
	}
	return fmt.Sprintf("cross-zone load balancing is off and node %s (zone %s) has no target of %s in its own zone", node.private, zoneOf(node), tg.name),
		fmt.Sprintf("turn cross-zone load balancing on, or register a target in zone %s", zoneOf(node)), spec.CrossZoneEdit{LB: l.name, On: true}
}

func (l *lb) zoneList() string {
	var zs []string
	for _, n := range l.nodes {
		if z := zoneOf(n); z != "" {
			zs = append(zs, "zone "+z)
		}
	}
	return strings.Join(zs, ", ")
}

// notInUseHops are the hops that show targets in zones without a node.
func (l *lb) notInUseHops(tg *targetGroup) []tracer.Hop {
	var out []tracer.Hop
	for _, h := range tg.targets {
		if !l.inUse(h) {
			out = append(out, tracer.Hop{Component: tg.name, Kind: tracer.KindTargetGroup, Direction: tracer.Forward, Action: tracer.ActUnused, Code: tracer.LBTargetNotInUse, Peer: h.name,
				Detail: fmt.Sprintf("%s is in zone %s, where %s has no node: Target.NotInUse, it gets no traffic (nodes in %s)", h.name, zoneOf(h.iface), l.name, l.zoneList())})
		}
	}
	return out
}

// zoneChecks warns about route tables that send a zone's subnets through
// another zone's NAT gateway.
func (c *compiler) zoneChecks() {
	names := make([]string, 0, len(c.w.subnets))
	for n := range c.w.subnets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sn := c.w.subnets[n]
		if sn.rt == nil || sn.zone == "" {
			continue
		}
		for _, r := range sn.rt.routes {
			if r.kind != routeNAT || r.nat == nil {
				continue
			}
			nz := zoneOf(r.nat.iface)
			if nz == "" || nz == sn.zone {
				continue
			}
			c.warnf(c.names[sn.name]+".route_table", "subnet %s (zone %s) sends %s through NAT gateway %s in zone %s: it works, but the traffic pays for crossing zones and an outage of zone %s cuts subnet %s off too; give each zone its own NAT gateway",
				sn.name, sn.zone, r.dst, r.nat.name, nz, nz, sn.name)
		}
	}
}

// srcDstCheck records an instance that is a route's target dropping a
// packet not addressed to it: EC2's source/destination check is on by
// default, and an instance forwards (as a NAT instance or a firewall
// appliance) only with it off (EC2 User Guide, "Source/destination
// checks": "you must disable source/destination checks if the instance
// runs services such as network address translation, routing, or
// firewalls").
func (t *walk) srcDstCheck(app *iface, p *pkt) {
	t.blockEdit(app.name, tracer.KindInstance, p, tracer.SrcDstCheck,
		fmt.Sprintf("%s is the route's target, but its source/destination check is on: it drops %s, which is not addressed to it (%s)", app.name, p, app.private),
		nil, spec.SrcDstEdit{Instance: app.name, On: false})
}

// zoneNoTargets records a network balancer's node that has no target to
// pass a connection to: the client's connection hangs.
func (t *walk) zoneNoTargets(node *iface, tg *targetGroup, p *pkt) {
	l := node.lb
	for _, h := range l.notInUseHops(tg) {
		t.addQuiet(h)
	}
	detail, advice, fix := l.zoneBlock(node, tg)
	t.blockAt(l.name, tracer.KindLoadBalancer, "", p, tracer.LBZoneNoTargets, detail+": the connection goes unanswered", nil, fix, advice)
}
