package simnet

import (
	"context"
	"encoding/json"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pathlab/pathlab/tracer"
)

// Reachability over equivalence classes of headers, as Batfish and
// header-space analysis compute it. Two flows fall in one class when every
// decision the engine makes about them is the same:
//
//   - ports: the destination ports of every rule, service, listener and
//     health check of the world cut 1-65535 into ranges; inside one range
//     no rule, socket or listener tells two ports apart (the source port
//     decides nothing: network ACLs judge replies by the initiator's whole
//     ephemeral range);
//   - addresses: every prefix of a rule, route, subnet or VPC; two
//     addresses whose longest such prefix is the same are in the same
//     prefixes (prefixes containing an address form a chain);
//   - endpoints: two interfaces with the same kind, VPC, subnet, groups,
//     host firewall, services, public mapping and address class meet the
//     same decisions; they share a profile.
//
// So one walk of one flow per class (source profile, destination profile,
// protocol, port range) answers for every flow of the class; the
// agreement test holds it to tracing every flow one by one.

// Endpoint is something a flow starts at or goes to: an internet client or
// server, an instance, a balancer (its first node).
type Endpoint struct {
	Name   string     `json:"name"`
	Kind   string     `json:"kind"` // client, server, instance, load-balancer
	VPC    string     `json:"vpc,omitempty"`
	Addr   netip.Addr `json:"address"` // the private address in a VPC, the public one on the internet
	Public netip.Addr `json:"public,omitzero"`
	ifc    *iface
}

// Verdict is what a flow meets: open, or where and why it stops.
type Verdict struct {
	Open  bool             `json:"open"`
	State tracer.ConnState `json:"state"`
	Code  tracer.Code      `json:"code,omitempty"`
	At    string           `json:"at,omitempty"`
	Kind  tracer.Kind      `json:"kind,omitempty"`
}

// PortRange is a protocol and a range of destination ports (0-0 for icmp).
type PortRange struct {
	Proto tracer.Proto `json:"proto"`
	Lo    uint16       `json:"lo"`
	Hi    uint16       `json:"hi"`
}

func (r PortRange) String() string {
	if r.Proto == tracer.ICMP {
		return "icmp"
	}
	return string(r.Proto) + " " + portText(r.Lo, r.Hi)
}

// ClassVerdict is a range of flows between two endpoints that meet one
// verdict, with the flow that witnesses it.
type ClassVerdict struct {
	PortRange
	Verdict Verdict `json:"verdict"`
	// Witness is one flow of the range: From dials Addr:Port.
	Witness Witness `json:"witness"`
	// Rules are the rules that let the witness through (security groups
	// and network ACLs, both directions), when asked for.
	Rules []*tracer.Rule `json:"-"`
}

// Witness is one flow, to trace in full.
type Witness struct {
	From  string       `json:"from"`
	To    string       `json:"to"`
	Proto tracer.Proto `json:"proto"`
	Addr  netip.Addr   `json:"address"`
	Port  uint16       `json:"port,omitempty"`
}

// Target is the witness as a trace target (tcp://, udp://), or "" for icmp.
func (w Witness) Target() string {
	if w.Proto == tracer.ICMP {
		return ""
	}
	return string(w.Proto) + "://" + netip.AddrPortFrom(w.Addr, w.Port).String()
}

// Reach answers reachability questions about one world over classes. It
// caches each class's verdict; one Reach may serve many goroutines.
type Reach struct {
	w        *World
	bounds   [4][]uint16 // by proto: the first port of each class
	prefixes map[netip.Prefix]bool
	lens     []int // prefix lengths present, longest first
	// WithRules makes each class record the rules that let it through
	// (slower: the walks record every hop).
	WithRules bool

	mu       sync.Mutex
	profiles map[*iface]int32
	keys     map[string]int32
	keyOf    []string
	cache    map[classKey]*classResult
	eps      []Endpoint
	byName   map[string]int
	internet *Endpoint
}

type classKey struct {
	src, dst int32
	public   bool // the destination is dialled at its public address
	// self: the source dials its own address, which never crosses a
	// security group; another endpoint of the same profile does.
	self  bool
	proto proto
	class uint16
}

type classResult struct {
	v        Verdict
	src, dst string // the representatives' names, for At
	rules    []*tracer.Rule
}

// NewReach prepares reachability queries over w.
func (w *World) NewReach() *Reach {
	r := &Reach{w: w, prefixes: map[netip.Prefix]bool{}, profiles: map[*iface]int32{}, keys: map[string]int32{}, cache: map[classKey]*classResult{}, byName: map[string]int{}}
	var ports [4][][2]uint16
	addPorts := func(p proto, lo, hi uint16) {
		switch p {
		case protoAll:
			ports[protoTCP] = append(ports[protoTCP], [2]uint16{lo, hi})
			ports[protoUDP] = append(ports[protoUDP], [2]uint16{lo, hi})
		case protoTCP, protoUDP:
			ports[p] = append(ports[p], [2]uint16{lo, hi})
		}
	}
	addPrefix := func(p netip.Prefix) {
		if p.IsValid() {
			r.prefixes[p.Masked()] = true
		}
	}
	for _, p := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "0.0.0.0/0"} {
		addPrefix(netip.MustParsePrefix(p))
	}
	for _, a := range w.acls {
		for _, rules := range [][]aclRule{a.ingress, a.egress} {
			for _, x := range rules {
				addPorts(x.proto, x.lo, x.hi)
				addPrefix(x.cidr)
			}
		}
	}
	for _, g := range w.sgs {
		for _, rules := range [][]sgRule{g.ingress, g.egress} {
			for _, x := range rules {
				addPorts(x.proto, x.lo, x.hi)
				addPrefix(x.prefix())
			}
		}
	}
	for _, h := range w.hosts {
		for _, f := range h.firewall {
			addPorts(f.proto, f.lo, f.hi)
			addPrefix(f.src)
			addPrefix(f.dst)
		}
		for _, s := range h.services {
			addPorts(s.proto, s.port, s.port)
		}
	}
	for _, l := range w.lbs {
		for _, li := range l.listeners {
			addPorts(protoAll, li.port, li.port)
		}
	}
	for _, rt := range w.rts {
		for _, x := range rt.routes {
			addPrefix(x.dst)
		}
	}
	for _, v := range w.vpcs {
		addPrefix(v.prefix)
		for _, sn := range v.subnets {
			addPrefix(sn.prefix)
		}
	}
	addPorts(protoAll, 53, 53) // resolvers answer on 53
	for _, p := range []proto{protoTCP, protoUDP} {
		b := []uint16{1}
		for _, x := range ports[p] {
			if x[0] > 1 {
				b = append(b, x[0])
			}
			if x[1] < 65535 {
				b = append(b, x[1]+1)
			}
		}
		slices.Sort(b)
		r.bounds[p] = slices.Compact(b)
	}
	r.bounds[protoICMP] = []uint16{0}
	seen := map[int]bool{}
	for p := range r.prefixes {
		seen[p.Bits()] = true
	}
	for l := range seen {
		r.lens = append(r.lens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(r.lens)))
	r.addInternet()
	r.endpoints()
	return r
}

// InternetName is the endpoint that stands for the internet at large: a
// host at an address no rule of the world names (only 0.0.0.0/0 holds
// it), so what it reaches, anyone on the internet reaches.
const InternetName = "internet"

// addInternet gives the Reach its own view of the world with the internet
// host in it (the World itself stays as it was).
func (r *Reach) addInternet() {
	w := r.w
	if w.hosts[InternetName] != nil {
		return
	}
	var addr netip.Addr
	for _, c := range []string{"203.0.113.77", "198.51.100.77", "192.0.2.77", "100.64.7.7", "198.18.255.77", "203.0.113.177"} {
		a := netip.MustParseAddr(c)
		if r.atom(a).Bits() == 0 && w.internet[a] == nil && w.public[a] == nil {
			addr = a
			break
		}
	}
	if !addr.IsValid() {
		return
	}
	w2 := new(World)
	reflect.ValueOf(w2).Elem().Set(reflect.ValueOf(w).Elem()) // a shallow copy: the indexes are shared, read-only
	w2.internet = maps.Clone(w.internet)
	w2.hosts = maps.Clone(w.hosts)
	h := &host{name: InternetName}
	h.iface = &iface{name: InternetName, kind: kindClient, public: addr, host: h, ephLo: 32768, ephHi: 60999}
	w2.internet[addr] = h.iface
	w2.hosts[InternetName] = h
	r.w = w2
	r.internet = &Endpoint{Name: InternetName, Kind: "internet", Addr: addr, Public: addr, ifc: h.iface}
}

// Internet is the endpoint that stands for the internet at large; false
// when the world leaves no address for it.
func (r *Reach) Internet() (Endpoint, bool) {
	if r.internet == nil {
		return Endpoint{}, false
	}
	return *r.internet, true
}

// Classes returns the port classes of a protocol ("tcp", "udp", "icmp").
func (r *Reach) Classes(p tracer.Proto) []PortRange {
	pr := protoOf(p)
	b := r.bounds[pr]
	out := make([]PortRange, len(b))
	for i, lo := range b {
		hi := uint16(65535)
		if i+1 < len(b) {
			hi = b[i+1] - 1
		}
		if pr == protoICMP {
			hi = 0
		}
		out[i] = PortRange{Proto: p, Lo: lo, Hi: hi}
	}
	return out
}

func protoOf(p tracer.Proto) proto {
	switch p {
	case tracer.TCP:
		return protoTCP
	case tracer.UDP:
		return protoUDP
	case tracer.ICMP:
		return protoICMP
	}
	return protoAll
}

// class finds the class of a port: a binary search.
func (r *Reach) class(p proto, port uint16) uint16 {
	b := r.bounds[p]
	i := sort.Search(len(b), func(i int) bool { return b[i] > port })
	return uint16(max(i-1, 0))
}

// atom is the longest prefix of the world holding a.
func (r *Reach) atom(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	for _, l := range r.lens {
		p, _ := a.Prefix(l)
		if r.prefixes[p] {
			return p
		}
	}
	return netip.Prefix{}
}

// endpoints lists the world's endpoints: internet clients and servers,
// then each VPC's instances and balancers, in file order.
func (r *Reach) endpoints() {
	w := r.w
	add := func(e Endpoint) {
		r.byName[e.Name] = len(r.eps)
		r.eps = append(r.eps, e)
	}
	for _, c := range w.spec.Internet.Clients {
		if h := w.hosts[c.Name]; h != nil {
			add(Endpoint{Name: c.Name, Kind: "client", Addr: h.iface.public, Public: h.iface.public, ifc: h.iface})
		}
	}
	for _, s := range w.spec.Internet.Servers {
		if h := w.hosts[s.Name]; h != nil {
			add(Endpoint{Name: s.Name, Kind: "server", Addr: h.iface.public, Public: h.iface.public, ifc: h.iface})
		}
	}
	for _, vs := range w.spec.VPCs {
		for _, in := range vs.Instances {
			if h := w.hosts[in.Name]; h != nil && h.iface.vpc != nil {
				add(Endpoint{Name: in.Name, Kind: "instance", VPC: vs.Name, Addr: h.iface.private, Public: h.iface.public, ifc: h.iface})
			}
		}
		for _, ls := range vs.LoadBalancers {
			if l := w.lbs[ls.Name]; l != nil && len(l.nodes) > 0 {
				n := l.nodes[0]
				add(Endpoint{Name: l.name, Kind: "load-balancer", VPC: vs.Name, Addr: n.private, Public: n.public, ifc: n})
			}
		}
	}
}

// Endpoints lists the world's endpoints.
func (r *Reach) Endpoints() []Endpoint { return r.eps }

// Endpoint finds an endpoint by name ("internet" included).
func (r *Reach) Endpoint(name string) (Endpoint, bool) {
	if name == InternetName && r.internet != nil {
		return *r.internet, true
	}
	i, ok := r.byName[name]
	if !ok {
		return Endpoint{}, false
	}
	return r.eps[i], true
}

// profile is the class of an interface: what every decision about it
// depends on.
func (r *Reach) profile(i *iface) int32 {
	if id, ok := r.profiles[i]; ok {
		return id
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(i.kind)))
	b.WriteByte('|')
	switch i.kind {
	case kindClient, kindServer, kindInstance:
	default:
		b.WriteString(i.name) // balancers, NAT gateways, resolvers: each its own
		b.WriteString(i.private.String())
	}
	b.WriteByte('|')
	if i.vpc != nil {
		b.WriteString(i.vpc.name)
	}
	b.WriteByte('|')
	if i.subnet != nil {
		b.WriteString(i.subnet.name)
	}
	b.WriteByte('|')
	for _, g := range i.sgs {
		b.WriteString(g.name)
		b.WriteByte(',')
	}
	b.WriteByte('|')
	b.WriteString(strconv.FormatBool(i.public.IsValid()))
	b.WriteByte('|')
	b.WriteString(r.atom(i.private).String())
	b.WriteByte('|')
	b.WriteString(r.atom(i.public).String())
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(int(i.ephLo)) + "-" + strconv.Itoa(int(i.ephHi)))
	if h := i.host; h != nil {
		b.WriteByte('|')
		for _, f := range h.firewall {
			b.WriteString(f.text)
			b.WriteByte(';')
		}
		b.WriteByte('|')
		for _, s := range h.services {
			b.WriteString(s.proto.String() + strconv.Itoa(int(s.port)) + strconv.FormatBool(s.running) + strconv.FormatBool(s.loop))
			// A service bound to one address answers there only: at the
			// interface's own (primary) address, or elsewhere (a secondary
			// address), where flows to the endpoint find the port closed.
			switch {
			case s.own && s.bind == i.private:
				b.WriteString("@own")
			case s.own:
				b.WriteString("@other")
			}
			if s.replyPrimary {
				b.WriteString("@reply-primary")
			}
			b.WriteByte(';')
		}
	}
	key := b.String()
	id, ok := r.keys[key]
	if !ok {
		id = int32(len(r.keys))
		r.keys[key] = id
		r.keyOf = append(r.keyOf, key)
	}
	r.profiles[i] = id
	return id
}

// Profiles counts the distinct endpoint profiles among the endpoints.
func (r *Reach) Profiles() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[int32]bool{}
	for _, e := range r.eps {
		seen[r.profile(e.ifc)] = true
	}
	return len(seen)
}

// address is where src dials dst: the private address inside one VPC or
// across a peering, the public one otherwise (none: the private one, which
// only the VPC can route).
func (r *Reach) address(src, dst *Endpoint) (netip.Addr, bool) {
	if dst.ifc.vpc == nil {
		return dst.Public, false
	}
	if src.ifc.vpc != nil && (src.ifc.vpc == dst.ifc.vpc || r.peered(src.ifc.vpc, dst.ifc.vpc)) {
		return dst.Addr, false
	}
	if dst.Public.IsValid() {
		return dst.Public, true
	}
	return dst.Addr, false
}

func (r *Reach) peered(a, b *vpc) bool {
	for _, p := range r.w.peerings {
		if (p.a == a && p.b == b) || (p.a == b && p.b == a) {
			return true
		}
	}
	return false
}

// Flow is the verdict of one flow, computed through its class.
func (r *Reach) Flow(src, dst Endpoint, p tracer.Proto, port uint16) Verdict {
	pr := protoOf(p)
	if pr == protoICMP {
		port = 0
	}
	res := r.classOf(&src, &dst, pr, r.class(pr, port))
	return rename(res, src.Name, dst.Name)
}

func rename(res *classResult, src, dst string) Verdict {
	v := res.v
	switch v.At {
	case res.src:
		v.At = src
	case res.dst:
		v.At = dst
	}
	return v
}

// classOf evaluates (or recalls) the class of src's profile, dst's profile
// and the port class.
func (r *Reach) classOf(src, dst *Endpoint, pr proto, class uint16) *classResult {
	addr, public := r.address(src, dst)
	r.mu.Lock()
	k := classKey{src: r.profile(src.ifc), dst: r.profile(dst.ifc), public: public, self: src.ifc == dst.ifc, proto: pr, class: class}
	res, ok := r.cache[k]
	r.mu.Unlock()
	if ok {
		return res
	}
	port := r.bounds[pr][class]
	res = r.walk(src, dst, addr, pr, port)
	r.mu.Lock()
	r.cache[k] = res
	r.mu.Unlock()
	return res
}

// walk traces one flow, quietly unless rules are wanted.
func (r *Reach) walk(src, dst *Endpoint, addr netip.Addr, pr proto, port uint16) *classResult {
	n := &Net{w: r.w, from: src.ifc}
	t := &walk{w: r.w, quiet: !r.WithRules}
	if t.quiet {
		t.hops = make([]tracer.Hop, 0, 4) // the send, the blocks, the receive
	}
	c, _ := n.dial(t, pr, netip.AddrPortFrom(addr, port))
	res := &classResult{src: src.Name, dst: dst.Name, v: Verdict{State: c.State, Open: c.State == tracer.ConnOpen}}
	for i := range t.hops {
		h := &t.hops[i]
		if h.Blocks && res.v.Code == "" {
			res.v.Code, res.v.At, res.v.Kind = h.Code, h.Component, h.Kind
			res.v.Open = false
		}
		if r.WithRules && !h.Blocks && h.Matched != nil && (h.Kind == tracer.KindSecurityGroup || h.Kind == tracer.KindNetworkACL) {
			res.rules = append(res.rules, h.Matched)
		}
	}
	return res
}

// Pair lists the classes of flows from src to dst for each protocol,
// adjacent classes of one verdict merged into ranges.
func (r *Reach) Pair(src, dst Endpoint) []ClassVerdict {
	var out []ClassVerdict
	addr, _ := r.address(&src, &dst)
	for _, p := range []proto{protoTCP, protoUDP, protoICMP} {
		b := r.bounds[p]
		for i := range b {
			res := r.classOf(&src, &dst, p, uint16(i))
			v := rename(res, src.Name, dst.Name)
			hi := uint16(65535)
			if i+1 < len(b) {
				hi = b[i+1] - 1
			}
			if p == protoICMP {
				hi = 0
			}
			if n := len(out); n > 0 && out[n-1].Proto == p.tracer() && out[n-1].Verdict == v && out[n-1].Hi+1 == b[i] {
				out[n-1].Hi = hi
				out[n-1].Rules = appendNew(out[n-1].Rules, res.rules)
				continue
			}
			out = append(out, ClassVerdict{PortRange: PortRange{Proto: p.tracer(), Lo: b[i], Hi: hi}, Verdict: v, Rules: res.rules,
				Witness: Witness{From: src.Name, To: dst.Name, Proto: p.tracer(), Addr: addr, Port: b[i]}})
		}
	}
	return out
}

func appendNew(a, b []*tracer.Rule) []*tracer.Rule {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// Trace walks one flow in full (every hop), for a witness.
func (r *Reach) Trace(wt Witness) (*tracer.Conn, error) {
	n, err := r.w.From(wt.From)
	if err != nil {
		return nil, err
	}
	pr := protoOf(wt.Proto)
	t := &walk{w: r.w}
	c, _ := n.dial(t, pr, netip.AddrPortFrom(wt.Addr, wt.Port))
	c.Hops = t.hops
	return c, nil
}

// FlowOneByOne is the verdict of one flow by tracing it alone, without
// classes: what Flow must agree with.
func (r *Reach) FlowOneByOne(src, dst Endpoint, addr netip.Addr, p tracer.Proto, port uint16) Verdict {
	n := &Net{w: r.w, from: src.ifc}
	c, _ := n.Dial(context.Background(), p, netip.AddrPortFrom(addr, port))
	v := Verdict{State: c.State, Open: c.State == tracer.ConnOpen}
	for _, h := range c.Hops {
		if h.Blocks {
			v.Code, v.At, v.Kind, v.Open = h.Code, h.Component, h.Kind, false
			break
		}
	}
	return v
}

// Address is where src dials dst in Flow and Pair.
func (r *Reach) Address(src, dst Endpoint) netip.Addr {
	a, _ := r.address(&src, &dst)
	return a
}

// MarshalJSON writes the state as words ("open", "timeout", "refused").
func (v Verdict) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Open  bool        `json:"open"`
		State string      `json:"state"`
		Code  tracer.Code `json:"code,omitempty"`
		At    string      `json:"at,omitempty"`
		Kind  tracer.Kind `json:"kind,omitempty"`
	}{v.Open, v.State.String(), v.Code, v.At, v.Kind})
}

// Listening lists the classes of flows from src to dst that can connect at
// all: the port classes holding a port dst listens on (a service, a
// balancer's listener, a resolver's 53), and icmp. A flow to any other
// port is refused or dropped in every world, so a diff of what opens and
// closes needs only these.
func (r *Reach) Listening(src, dst Endpoint) []ClassVerdict {
	var ports []struct {
		p    proto
		port uint16
	}
	i := dst.ifc
	switch {
	case i.lb != nil:
		for _, li := range i.lb.listeners {
			ports = append(ports, struct {
				p    proto
				port uint16
			}{protoTCP, li.port})
			if li.proto == "udp" {
				ports = append(ports, struct {
					p    proto
					port uint16
				}{protoUDP, li.port})
			}
		}
	case i.host != nil:
		for _, s := range i.host.services {
			ports = append(ports, struct {
				p    proto
				port uint16
			}{s.proto, s.port})
		}
	}
	addr, _ := r.address(&src, &dst)
	var out []ClassVerdict
	seen := map[[2]int]bool{}
	for _, x := range append(ports, struct {
		p    proto
		port uint16
	}{protoICMP, 0}) {
		c := r.class(x.p, x.port)
		if seen[[2]int{int(x.p), int(c)}] {
			continue
		}
		seen[[2]int{int(x.p), int(c)}] = true
		res := r.classOf(&src, &dst, x.p, c)
		b := r.bounds[x.p]
		lo, hi := b[c], uint16(65535)
		if int(c)+1 < len(b) {
			hi = b[c+1] - 1
		}
		if x.p == protoICMP {
			lo, hi = 0, 0
		}
		out = append(out, ClassVerdict{PortRange: PortRange{Proto: x.p.tracer(), Lo: lo, Hi: hi}, Verdict: rename(res, src.Name, dst.Name),
			Witness: Witness{From: src.Name, To: dst.Name, Proto: x.p.tracer(), Addr: addr, Port: lo}})
	}
	slices.SortFunc(out, func(a, b ClassVerdict) int {
		if a.Proto != b.Proto {
			return strings.Compare(string(a.Proto), string(b.Proto))
		}
		return int(a.Lo) - int(b.Lo)
	})
	return out
}
