package simnet

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strconv"
)

// What the flows of an endpoint depend on, for comparing two worlds
// (reach.Compare) without walking the flows a change cannot reach.
//
// A flow between two endpoints meets the decisions of each end's profile
// (kind, VPC, subnet, groups, host, address class), the rules of each
// end's groups, each end's subnet ACL and route table, what those routes
// lead to, and what every flow shares (peerings, gateways, balancers,
// hybrid links). An endpoint whose inputs are the same in two worlds, with
// the same shared inputs, keeps every flow's verdict towards another such
// endpoint. An endpoint whose profile stayed but whose rules or routes
// changed keeps the verdict of every flow whose other end none of the
// changed rules or routes names: a security group admits a header when one
// of its rules matches it, a network ACL and a route table decide by the
// first (longest) rule that matches, so a header no changed rule matches
// meets the same rule in both worlds.

// Inputs sums up the inputs of a world's endpoints; each group's rules
// and each subnet's ACL and routes are summed once.
type Inputs struct {
	r      *Reach
	global uint64
	sgs    map[*secGroup]uint64
	subs   map[*subnet]uint64
	nat    []netip.Addr // the NAT gateways' public addresses: where a VPC's flows to the internet come from
}

// Inputs prepares the sums of r's world.
func (r *Reach) Inputs() *Inputs {
	in := &Inputs{r: r, sgs: map[*secGroup]uint64{}, subs: map[*subnet]uint64{}}
	h := fnv.New64a()
	fmt.Fprintf(h, "%x|", r.GlobalSignature())
	s := r.w.spec
	fmt.Fprintf(h, "%v|%v|%v|%v", s.PrefixLists, s.TransitGateways, s.OnPremises, s.VPNConnections)
	for _, v := range s.VPCs {
		fmt.Fprintf(h, "|%s %v %v", v.VPNGateway, v.Endpoints, v.EnableDNSSupport != nil && !*v.EnableDNSSupport)
	}
	in.global = h.Sum64()
	for _, n := range r.w.nats {
		if a := n.iface.public; a.IsValid() {
			in.nat = append(in.nat, a)
		}
	}
	return in
}

// Global sums up what every flow may depend on.
func (in *Inputs) Global() uint64 { return in.global }

// Signature sums up an endpoint's inputs: its profile, the rules of its
// groups, its subnet's ACL and routes and what they lead to. Two
// endpoints of one profile have the same signature.
func (in *Inputs) Signature(e Endpoint) uint64 {
	r := in.r
	h := newFNV()
	r.mu.Lock()
	h.str(r.keyOf[r.profile(e.ifc)])
	r.mu.Unlock()
	for _, g := range e.ifc.sgs {
		h.u64(in.group(g))
	}
	if sn := e.ifc.subnet; sn != nil {
		h.u64(in.subnet(sn, true))
	}
	return uint64(h)
}

func (in *Inputs) group(g *secGroup) uint64 {
	if x, ok := in.sgs[g]; ok {
		return x
	}
	h := newFNV()
	for _, dir := range []struct {
		rules   []sgRule
		ingress bool
	}{{g.ingress, true}, {g.egress, false}} {
		h.str("|")
		for i := range dir.rules {
			x := &dir.rules[i]
			w := g.words(dir.ingress, x)
			for _, s := range [...]string{w.proto, w.ports, w.icmp, w.to, w.peer} {
				h.str(s)
			}
			h.prefix(x.prefix())
			h.str(";")
		}
	}
	in.sgs[g] = uint64(h)
	return uint64(h)
}

// subnet sums up a subnet's ACL and routes; deep: with what its routes
// to an instance lead to (that instance's profile, groups and subnet).
func (in *Inputs) subnet(sn *subnet, deep bool) uint64 {
	if x, ok := in.subs[sn]; ok && deep {
		return x
	}
	h := newFNV()
	h.str(sn.name)
	if a := sn.acl; a != nil {
		h.str("|acl " + a.name)
		for _, rules := range [][]aclRule{a.ingress, a.egress} {
			h.str("|")
			for i := range rules {
				h.str(rules[i].text)
				h.prefix(rules[i].cidr)
				h.str(";")
			}
		}
	}
	if rt := sn.rt; rt != nil {
		h.str("|rt " + rt.name + "|")
		for i := range rt.routes {
			h.str(in.routeKey(&rt.routes[i], deep))
			h.str(";")
		}
	}
	if deep {
		in.subs[sn] = uint64(h)
	}
	return uint64(h)
}

// fnv1a is 64-bit FNV-1a, fed strings and numbers without copying them.
type fnv1a uint64

func newFNV() fnv1a { return 14695981039346656037 }

func (h *fnv1a) str(s string) {
	x := *h
	for i := 0; i < len(s); i++ {
		x ^= fnv1a(s[i])
		x *= 1099511628211
	}
	*h = x
}

func (h *fnv1a) u64(v uint64) {
	x := *h
	for range 8 {
		x ^= fnv1a(v & 0xff)
		x *= 1099511628211
		v >>= 8
	}
	*h = x
}

func (h *fnv1a) prefix(p netip.Prefix) {
	a := p.Addr().As16()
	for i := 0; i < 16; i += 8 {
		var v uint64
		for _, b := range a[i : i+8] {
			v = v<<8 | uint64(b)
		}
		h.u64(v)
	}
	h.u64(uint64(p.Bits() + 1)) // the zero prefix (a group rule) is 0
}

// sgKey gives a rule of g's one direction its words and CIDR (one CIDR
// of a prefix list is a rule of its own).
func sgKey(g *secGroup, ingress bool) func(*sgRule) string {
	return func(x *sgRule) string {
		w := g.words(ingress, x)
		return w.proto + w.ports + w.icmp + w.to + w.peer + " " + x.prefix().String()
	}
}

func aclKey(x *aclRule) string {
	return x.text + " " + x.cidr.String()
}

// routeKey is a route and, for a route to an instance (an appliance),
// what that instance's decisions depend on.
func (in *Inputs) routeKey(x *route, deep bool) string {
	k := x.text + " " + x.dst.String() + " " + strconv.Itoa(int(x.kind))
	if i := x.inst; i != nil && deep {
		r := in.r
		r.mu.Lock()
		k += " " + r.keyOf[r.profile(i)]
		r.mu.Unlock()
		for _, g := range i.sgs {
			k += " " + strconv.FormatUint(in.group(g), 16)
		}
		if i.subnet != nil {
			k += " " + strconv.FormatUint(in.subnet(i.subnet, false), 16)
		}
	}
	return k
}

// Delta is how an endpoint's inputs changed from one world to another
// when its profile did not: the prefixes and groups that rules and routes
// present in only one of the worlds name. Full when any flow may have
// changed: its profile, ACL or route table changed, or a changed rule
// names where flows to the internet come from.
type Delta struct {
	Full     bool
	old, new []netip.Prefix
	oldG     map[string]bool
	newG     map[string]bool
}

// DeltaOf is how e's inputs changed from the world of o (eo) to the world
// of n (en).
func DeltaOf(o, n *Inputs, eo, en Endpoint) *Delta {
	d := &Delta{oldG: map[string]bool{}, newG: map[string]bool{}}
	o.r.mu.Lock()
	ko := o.r.keyOf[o.r.profile(eo.ifc)]
	o.r.mu.Unlock()
	n.r.mu.Lock()
	kn := n.r.keyOf[n.r.profile(en.ifc)]
	n.r.mu.Unlock()
	io, in := eo.ifc, en.ifc
	if ko != kn || len(io.sgs) != len(in.sgs) || (io.subnet == nil) != (in.subnet == nil) || io.lb != nil {
		// A balancer's groups also judge what it forwards to its
		// targets: every flow to it may have changed.
		d.Full = true
		return d
	}
	// The rules of each group, each direction: those in one world only.
	for k, g := range io.sgs {
		ng := in.sgs[k]
		if o.group(g) == n.group(ng) {
			continue
		}
		for _, ingress := range []bool{true, false} {
			ro, rn := g.ingress, ng.ingress
			if !ingress {
				ro, rn = g.egress, ng.egress
			}
			ko, kn := sgKey(g, ingress), sgKey(ng, ingress)
			only(ro, rn, func(x *sgRule, isNew bool) string {
				if isNew {
					return kn(x)
				}
				return ko(x)
			}, func(x *sgRule) { d.addSG(g, ingress, x, false) }, func(x *sgRule) { d.addSG(ng, ingress, x, true) })
		}
	}
	if so, sn := io.subnet, in.subnet; so != nil && o.subnet(so, true) != n.subnet(sn, true) {
		if (so.acl == nil) != (sn.acl == nil) || (so.rt == nil) != (sn.rt == nil) ||
			so.acl != nil && so.acl.name != sn.acl.name || so.rt != nil && so.rt.name != sn.rt.name {
			d.Full = true // another ACL or table: its name is where flows stop
			return d
		}
		if so.acl != nil {
			for _, dir := range [][2][]aclRule{{so.acl.ingress, sn.acl.ingress}, {so.acl.egress, sn.acl.egress}} {
				only(dir[0], dir[1], func(x *aclRule, _ bool) string { return aclKey(x) }, func(x *aclRule) { d.old = append(d.old, x.cidr) }, func(x *aclRule) { d.new = append(d.new, x.cidr) })
			}
		}
		if so.rt != nil {
			ko := func(x *route) string { return o.routeKey(x, true) }
			kn := func(x *route) string { return n.routeKey(x, true) }
			old, new := map[string]bool{}, map[string]bool{}
			for i := range so.rt.routes {
				old[ko(&so.rt.routes[i])] = true
			}
			for i := range sn.rt.routes {
				x := &sn.rt.routes[i]
				new[kn(x)] = true
				if !old[kn(x)] {
					d.new = append(d.new, x.dst)
				}
			}
			for i := range so.rt.routes {
				if x := &so.rt.routes[i]; !new[ko(x)] {
					d.old = append(d.old, x.dst)
				}
			}
		}
	}
	for _, w := range []struct {
		ps  []netip.Prefix
		nat []netip.Addr
	}{{d.old, o.nat}, {d.new, n.nat}} {
		for _, p := range w.ps {
			for _, a := range w.nat {
				if p.Contains(a) {
					d.Full = true
				}
			}
		}
	}
	return d
}

// addSG notes a rule of g's one direction that only one world has: the
// group it names, or its CIDR.
func (d *Delta) addSG(g *secGroup, ingress bool, x *sgRule, isNew bool) {
	switch {
	case x.gid != 0 && isNew:
		d.newG[g.words(ingress, x).peer] = true
	case x.gid != 0:
		d.oldG[g.words(ingress, x).peer] = true
	case isNew:
		d.new = append(d.new, x.prefix())
	default:
		d.old = append(d.old, x.prefix())
	}
}

// only calls inOld for each rule of old that new lacks, inNew for each of
// new that old lacks.
// key is told whether its rule is the new world's.
func only[T any](old, new []T, key func(x *T, isNew bool) string, inOld, inNew func(*T)) {
	ko, kn := map[string]bool{}, map[string]bool{}
	for i := range old {
		ko[key(&old[i], false)] = true
	}
	for i := range new {
		k := key(&new[i], true)
		kn[k] = true
		if !ko[k] {
			inNew(&new[i])
		}
	}
	for i := range old {
		if !kn[key(&old[i], false)] {
			inOld(&old[i])
		}
	}
}

// Names reports whether a changed rule or route names the other end of a
// flow: t as it is in the old world (to) and in the new (tn). A flow whose
// other end it does not name meets the same decisions in both worlds.
func (d *Delta) Names(to, tn Endpoint) bool {
	if d.Full || to.ifc != nil && to.ifc.lb != nil || tn.ifc != nil && tn.ifc.lb != nil {
		return true // a balancer's flows go on to its targets
	}
	for _, w := range []struct {
		ps []netip.Prefix
		gs map[string]bool
		t  Endpoint
	}{{d.old, d.oldG, to}, {d.new, d.newG, tn}} {
		for _, p := range w.ps {
			if p.Contains(w.t.Addr) || w.t.Public.IsValid() && p.Contains(w.t.Public) {
				return true
			}
		}
		if len(w.gs) > 0 && w.t.ifc != nil {
			for _, g := range w.t.ifc.sgs {
				if w.gs[g.name] {
					return true
				}
			}
		}
	}
	return false
}
