package simnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
	dnszone "github.com/pathlab/pathlab/simnet/zone"
	"github.com/pathlab/pathlab/tracer"
)

// ErrUnknownName is wrapped when a command names a resource that does not
// exist.
var ErrUnknownName = errors.New("unknown name")

// maxCNAMEs is how many aliases a resolver follows before it gives up.
const maxCNAMEs = 8

// resolution is one recursive lookup in progress.
type resolution struct {
	w        *World
	resolver string // component name of the resolver
	dir      tracer.Direction
	hops     []tracer.Hop
	walked   map[string]bool // zones whose delegation the resolver has learnt
	answer   []dns.RR
	authNS   []dns.RR
	rcode    int
}

func (r *resolution) hop(component string, kind tracer.Kind, action tracer.Action, code tracer.Code, detail string) {
	r.hops = append(r.hops, tracer.Hop{Component: component, Kind: kind, Direction: tracer.Forward, Action: action, Code: code, Detail: detail})
}

func (r *resolution) fail(component string, kind tracer.Kind, code tracer.Code, rcode int, detail, advice string) {
	r.rcode = rcode
	r.hops = append(r.hops, tracer.Hop{Component: component, Kind: kind, Direction: tracer.Forward, Action: tracer.ActAnswer, Code: code, Detail: detail, Blocks: true, Advice: advice})
}

// Resolve asks the vantage point's resolver: an internet client's
// configured resolver, or for an instance the VPC resolver, which answers
// from the VPC's private zones before the public DNS.
func (n *Net) Resolve(ctx context.Context, name string, qtype uint16) (*tracer.Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, ok := dns.IsDomainName(name); !ok || name == "" {
		return nil, fmt.Errorf("%q is not a domain name", name)
	}
	q := fqdn(name)
	if q == "localhost." {
		return n.hostsFile(q, qtype), nil
	}
	v, server, serverAddr := n.resolverOf()
	if a := n.onPremQueryLost(q, qtype, server, serverAddr); a != nil { // resolve_path.go
		return a, nil
	}
	kind := tracer.KindResolver
	if v != nil {
		kind = tracer.KindVPCResolver
	}
	useCache := n.Cache != nil && (v == nil || !v.dnsOff)
	now := n.Now
	if now.IsZero() {
		now = n.w.Clock
	}
	ckey := cacheKey{server: server, name: q, qtype: qtype}
	if useCache {
		if e, age := n.Cache.get(ckey, now); e != nil {
			ans := n.fromCache(e, age, kind, serverAddr, q, qtype) // rescache.go
			if n.Capture {
				n.dnsPackets(ans, serverAddr)
			}
			return ans, nil
		}
	}
	key := lookupKey{v: v, server: server, name: q, qtype: qtype}
	res := n.w.lookups.get(key)
	if res == nil {
		r := &resolution{w: n.w, walked: map[string]bool{}, hops: make([]tracer.Hop, 0, 8), resolver: server}
		if v != nil && v.dnsOff {
			r.dnsSupportOff(v, serverAddr) // dnscheck.go
		} else {
			r.lookup(v, q, qtype)
		}
		res = &lookupResult{q: q, qtype: qtype, server: server, serverAddr: serverAddr.String(), rcode: r.rcode,
			hops: r.hops, answer: r.answer, authNS: r.authNS, summary: r.summarize()}
		for _, rr := range r.answer {
			switch rr := rr.(type) {
			case *dns.CNAME:
				res.cnames = append(res.cnames, rr.Target)
			case *dns.A:
				if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
					res.addrs = append(res.addrs, a)
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(rr.AAAA); ok {
					res.addrs = append(res.addrs, a)
				}
			}
		}
		n.w.lookups.put(key, res)
	}
	if useCache {
		n.Cache.put(ckey, res, now)
	}
	ask := &dnsAsk{from: n.from.name, res: res}
	hops := make([]tracer.Hop, 0, len(res.hops)+3)
	hops = append(hops, tracer.Hop{Component: server, Kind: kind, Direction: tracer.Forward, Action: tracer.ActQuery, Code: tracer.DNSQuery, Say: sayDNSQuery{}, Ref: ask})
	hops = append(hops, res.hops...)

	// The answer's slices are shared with the World's copy: clipped, so
	// that an append makes a new one.
	ans := &tracer.Answer{Name: q, Type: qtype, Rcode: res.rcode, Server: server, RTT: n.rtt(serverAddr),
		CNAMEs: slices.Clip(res.cnames), Addrs: slices.Clip(res.addrs)}
	m := newQuery(q, qtype, queryID(q, qtype))
	m.Response, m.RecursionAvailable, m.Rcode = true, true, res.rcode
	m.Answer = slices.Clip(res.answer)
	m.Ns = slices.Clip(res.authNS)
	ans.Msg = m
	ans.Hops = append(hops, tracer.Hop{Component: server, Kind: kind, Direction: tracer.Return, Action: tracer.ActAnswer, Code: tracer.DNSAnswer, Say: sayDNSAnswer{}, Ref: ask})
	if n.Capture {
		n.dnsPackets(ans, serverAddr)
	}
	return ans, nil
}

// resolverOf is the resolver the vantage point asks: its VPC's, its own
// configured one, or the world's first internet resolver.
func (n *Net) resolverOf() (v *vpc, server string, serverAddr netip.Addr) {
	switch {
	case n.from.vpc != nil:
		v = n.from.vpc
		server, serverAddr = v.name+"-resolver", v.resolver.private
	case n.from.host != nil && n.from.host.resolver != nil:
		server, serverAddr = n.from.host.resolver.name, n.from.host.resolver.iface.public
	default:
		for _, rs := range n.w.spec.Internet.Resolvers {
			server = rs.Name
			serverAddr = n.w.resolvers[rs.Name].iface.public
			break
		}
		if server == "" {
			// No resolver declared: the host uses an implied public one.
			server, serverAddr = "public-dns", netip.AddrFrom4([4]byte{198, 51, 100, 53})
		}
	}
	return v, server, serverAddr
}

func rrShort(rr dns.RR) string {
	h := rr.Header()
	switch rr := rr.(type) {
	case *dns.CNAME:
		return h.Name + " CNAME " + rr.Target
	case *dns.A:
		return h.Name + " A " + rr.A.String()
	case *dns.AAAA:
		return h.Name + " AAAA " + rr.AAAA.String()
	}
	return strings.ReplaceAll(rr.String(), "\t", " ")
}

// lookup resolves q, following CNAMEs, and fills the answer. Each step
// is the zone's own lookup (simnet/zone), the one the packets of a capture
// and the shell's dig use too.
func (r *resolution) lookup(v *vpc, q string, qtype uint16) {
	seen := map[string]bool{}
	cur := q
	for range maxCNAMEs + 1 {
		if seen[cur] {
			break
		}
		seen[cur] = true
		z, server := r.zoneFor(v, cur)
		if z == nil {
			return // the failure is recorded
		}
		res, rrs := z.data.Lookup(cur, qtype)
		// the address the zone's answers come from on the wire (public
		// zones; a private zone answers inside the resolver)
		var from netip.Addr
		if !z.private {
			from, _ = r.w.servingAddr(z)
		}
		switch res {
		case dnszone.Alias:
			cname := rrs[0].(*dns.CNAME)
			r.answer = append(r.answer, cname)
			r.hop(z.component(), zoneKind(z), tracer.ActAlias, tracer.DNSCNAME, fmt.Sprintf("%s: %s is an alias (CNAME) for %s", server, cur, cname.Target))
			r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Name: cur, Zone: z.name, Target: cname.Target, Server: from}
			cur = cname.Target
			continue
		case dnszone.Success:
			why := ""
			if qtype == dns.TypeA && z.failover[cur] != nil {
				rrs, why = r.failoverAnswer(z, cur) // failover.go
				why = " (" + why + ")"
			}
			r.answer = append(r.answer, rrs...)
			var vals []string
			for _, m := range rrs {
				vals = append(vals, rrShort(m))
			}
			r.hop(z.component(), zoneKind(z), tracer.ActAnswer, tracer.DNSAnswer, fmt.Sprintf("%s answers authoritatively: %s%s", server, strings.Join(vals, ", "), why))
			r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Name: cur, Zone: z.name, Server: from}
			return
		}
		r.authNS = append(r.authNS, z.data.SOA())
		if res == dnszone.NoData {
			r.fail(z.component(), zoneKind(z), tracer.DNSNoData, dns.RcodeSuccess,
				fmt.Sprintf("%s: %s exists in zone %s but has no %s record (NODATA)", server, cur, z.name, dns.TypeToString[qtype]),
				fmt.Sprintf("dns %s set %s %s VALUE", strings.TrimSuffix(z.name, "."), relName(cur, z), dns.TypeToString[qtype]))
			r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Name: cur, Zone: z.name, Server: from}
			return
		}
		detail := fmt.Sprintf("%s: zone %s has no name %s (NXDOMAIN)", server, z.name, cur)
		if z.private {
			detail += "; the private zone answers for its whole domain, so the public records are never consulted"
		}
		r.fail(z.component(), zoneKind(z), tracer.DNSNXDomain, dns.RcodeNameError, detail,
			fmt.Sprintf("dns %s set %s %s VALUE", strings.TrimSuffix(z.name, "."), relName(cur, z), dns.TypeToString[qtype]))
		r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Name: cur, Zone: z.name, Server: from}
		return
	}
	// A loop, or too many aliases.
	chain := len(r.answer)
	r.answer = nil
	if seen[cur] {
		r.fail(r.resolver, "resolver", tracer.DNSCNAMELoop, dns.RcodeServerFailure,
			fmt.Sprintf("the CNAME chain from %s loops back to %s: the resolver gives up with SERVFAIL", q, cur),
			"point one of the CNAMEs in the loop at a name with an address record")
		return
	}
	r.fail(r.resolver, "resolver", tracer.DNSServFail, dns.RcodeServerFailure,
		fmt.Sprintf("the CNAME chain from %s is %d aliases long, more than the %d a resolver follows: SERVFAIL", q, chain, maxCNAMEs),
		"shorten the chain: point the first alias straight at the name with the address")
}

func zoneKind(z *zone) tracer.Kind {
	if z.private {
		return tracer.KindPrivateZone
	}
	return tracer.KindDNSZone
}

func (z *zone) component() string { return strings.TrimSuffix(z.name, ".") }

func relName(name string, z *zone) string {
	if name == z.name {
		return "@"
	}
	return strings.TrimSuffix(strings.TrimSuffix(name, z.name), ".")
}

// buildRR makes the dns.RR of a record. Addresses and names, which the
// compiler has already checked, are set directly: going through the zone
// file parser (dns.NewRR) cost a short trace a tenth of a millisecond. The
// result is the parser's own (TestBuildRRAsParsed).
func buildRR(rec record) dns.RR {
	hdr := dns.RR_Header{Name: rec.name, Rrtype: rec.rtype, Class: dns.ClassINET, Ttl: rec.ttl}
	if plainFqdn(rec.name) {
		switch rec.rtype {
		case dns.TypeA, dns.TypeAAAA:
			// net.ParseIP, as the parser does: a 16-byte address either way
			ip := net.ParseIP(rec.value)
			switch {
			case ip == nil || strings.Contains(rec.value, ":") == (rec.rtype == dns.TypeA):
			case rec.rtype == dns.TypeA:
				return &dns.A{Hdr: hdr, A: ip}
			default:
				return &dns.AAAA{Hdr: hdr, AAAA: ip}
			}
		case dns.TypeCNAME, dns.TypeNS:
			if plainFqdn(rec.value) {
				if rec.rtype == dns.TypeCNAME {
					return &dns.CNAME{Hdr: hdr, Target: rec.value}
				}
				return &dns.NS{Hdr: hdr, Ns: rec.value}
			}
		}
	}
	var s string
	switch rec.rtype {
	case dns.TypeTXT:
		s = fmt.Sprintf("%s %d IN TXT %q", rec.name, rec.ttl, rec.value)
	default:
		s = fmt.Sprintf("%s %d IN %s %s", rec.name, rec.ttl, dns.TypeToString[rec.rtype], rec.value)
	}
	rr, err := dns.NewRR(s)
	if err != nil || rr == nil {
		return &dns.TXT{Hdr: hdr, Txt: []string{rec.value}}
	}
	return rr
}

// plainFqdn reports whether name is a fully qualified domain name the zone
// file parser would read as it is written: nothing it escapes, quotes or
// takes as a comment, an origin or a directive.
func plainFqdn(name string) bool {
	_, ok := dns.IsDomainName(name)
	return ok && dns.IsFqdn(name) && name != "." && !strings.ContainsAny(name, " \t\\\"();@$")
}

// zoneFor finds the zone that answers name for the resolver, walking the
// delegation (root, TLD, the zone's servers) the first time. It returns the
// zone and the server that answered, or nil after recording a failure.
func (r *resolution) zoneFor(v *vpc, name string) (*zone, string) {
	if v != nil && !v.noPrivateDNS {
		var best *zone
		for _, z := range v.private {
			if dns.IsSubDomain(z.name, name) && (best == nil || dns.CountLabel(z.name) > dns.CountLabel(best.name)) {
				best = z
			}
		}
		if best != nil {
			if !r.walked[best.name] {
				r.walked[best.name] = true
				r.hop(best.component(), tracer.KindPrivateZone, tracer.ActMatch, tracer.DNSReferral,
					fmt.Sprintf("%s is in private zone %s, associated with VPC %s: the VPC resolver answers from it", name, best.name, v.name))
			}
			return best, "private zone " + best.component()
		}
	}
	var z *zone
	for _, cand := range r.w.zones {
		if !cand.private && dns.IsSubDomain(cand.name, name) {
			z = cand // zones are sorted longest first
			break
		}
	}
	labels := dns.SplitDomainName(name)
	if len(labels) == 0 {
		// The root name itself (a CNAME to ".", dig .): the root zone has
		// no address records.
		r.fail("root-servers", tracer.KindRootServer, tracer.DNSNoData, dns.RcodeSuccess,
			"the root name . has no address records (NODATA): it is the top of the DNS, not a host", "name a host, such as shop.example.com")
		return nil, ""
	}
	tld := labels[len(labels)-1] + "."
	if z == nil {
		known := false
		for _, cand := range r.w.zones {
			if !cand.private && dns.IsSubDomain(tld, cand.name) {
				known = true
			}
		}
		if !known {
			r.fail("root-servers", tracer.KindRootServer, tracer.DNSNXDomain, dns.RcodeNameError,
				fmt.Sprintf("the root has no top-level domain %s: %s does not exist (NXDOMAIN)", tld, name), "check the spelling of the name")
			return nil, ""
		}
		r.hop("root-servers", tracer.KindRootServer, tracer.ActRefer, tracer.DNSReferral, fmt.Sprintf("the root refers %s to the %s servers", tld, tld))
		r.fail(strings.TrimSuffix(tld, ".")+"-servers", tracer.KindTLDServer, tracer.DNSNXDomain, dns.RcodeNameError,
			fmt.Sprintf("the %s servers know no zone above %s (NXDOMAIN): the domain is not registered or not delegated", tld, name), "check the spelling of the name")
		return nil, ""
	}
	if r.walked[z.name] {
		return z, r.serverOf(z)
	}
	r.walked[z.name] = true
	tldName := strings.TrimSuffix(tld, ".") + "-servers"
	if z.name != tld && !r.walked[tld] {
		r.walked[tld] = true
		r.hop("root-servers", tracer.KindRootServer, tracer.ActRefer, tracer.DNSReferral, fmt.Sprintf("the root refers %s to the %s servers", tld, tld))
	}
	var nsNames []string
	for _, ns := range z.delegation {
		nsNames = append(nsNames, fmt.Sprintf("%s (%s)", ns.name, ns.addr))
	}
	if z.name != tld {
		r.hop(tldName, tracer.KindTLDServer, tracer.ActRefer, tracer.DNSReferral, fmt.Sprintf("the %s servers delegate %s to %s", tld, z.name, strings.Join(nsNames, ", ")))
	} else {
		r.hop("root-servers", tracer.KindRootServer, tracer.ActRefer, tracer.DNSReferral, fmt.Sprintf("the root delegates %s to %s", z.name, strings.Join(nsNames, ", ")))
	}
	lame, silent := 0, 0
	for _, ns := range z.delegation {
		srv := r.w.nameservers[ns.addr]
		switch {
		case srv == nil:
			silent++
			r.hop(strings.TrimSuffix(ns.name, "."), tracer.KindNameserver, tracer.ActTimeout, tracer.DNSTimeout, fmt.Sprintf("no DNS server answers at %s (%s): the query times out", ns.addr, ns.name))
			r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Zone: z.name, Server: ns.addr}
		case !srv.zones[z.name]:
			lame++
			r.hop(strings.TrimSuffix(ns.name, "."), tracer.KindNameserver, tracer.ActRefuse, tracer.DNSRefused, fmt.Sprintf("%s (%s) does not serve %s: it answers REFUSED (lame)", ns.name, ns.addr, z.name))
			r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Zone: z.name, Server: ns.addr}
		default:
			r.servers(z, ns)
			return z, strings.TrimSuffix(ns.name, ".")
		}
	}
	what := strings.TrimSuffix(z.delegation[0].name, ".")
	if lame > 0 {
		r.fail(what, tracer.KindNameserver, tracer.DNSLameDelegation, dns.RcodeServerFailure,
			fmt.Sprintf("every server %s delegates %s to is lame or silent: the resolver answers SERVFAIL", tld, z.name),
			fmt.Sprintf("delegate %s to servers that serve it (%s)", z.name, nsList(z.nameservers)))
		r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Zone: z.name, Server: z.delegation[0].addr}
	} else {
		r.fail(what, tracer.KindNameserver, tracer.DNSTimeout, dns.RcodeServerFailure,
			fmt.Sprintf("no server for %s answered (%d timed out): the resolver answers SERVFAIL", z.name, silent),
			fmt.Sprintf("delegate %s to servers that answer (%s)", z.name, nsList(z.nameservers)))
		r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Zone: z.name, Server: z.delegation[0].addr}
	}
	return nil, ""
}

func nsList(ns []nsRef) string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s %s", strings.TrimSuffix(n.name, "."), n.addr))
	}
	return strings.Join(out, ", ")
}

// servers notes the server that answers for z.
func (r *resolution) servers(z *zone, ns nsRef) {
	r.hop(strings.TrimSuffix(ns.name, "."), tracer.KindNameserver, tracer.ActServe, tracer.DNSQuery, fmt.Sprintf("%s (%s) is authoritative for %s", ns.name, ns.addr, z.name))
	r.hops[len(r.hops)-1].DNS = tracer.DNSFact{Zone: z.name, Server: ns.addr}
}

func (r *resolution) serverOf(z *zone) string {
	for _, ns := range z.delegation {
		if srv := r.w.nameservers[ns.addr]; srv != nil && srv.zones[z.name] {
			return strings.TrimSuffix(ns.name, ".")
		}
	}
	return z.component()
}

// Traceroute lists the hops that answer a probe towards addr. The VPC's
// implied router is not a hop: inside a VPC the destination is the first
// hop; from the internet the path ends at the public address. A NAT
// gateway is a hop.
func (n *Net) Traceroute(ctx context.Context, p tracer.Proto, addr netip.AddrPort, maxHops int) (*tracer.Route, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if maxHops <= 0 {
		maxHops = 30
	}
	c, err := n.Dial(ctx, p, addr)
	if err != nil {
		return nil, err
	}
	rt := &tracer.Route{Explain: c.Hops}
	ttl := 0
	for _, h := range c.Hops {
		if h.Blocks {
			break
		}
		if h.Kind == tracer.KindNATGateway && h.Direction == tracer.Forward {
			ttl++
			nat := n.w.nats[h.Component]
			rt.Hops = append(rt.Hops, tracer.RouteHop{TTL: ttl, Address: nat.iface.private.String(), Name: nat.name, RTT: c.RTT / 3, RTTms: float64(c.RTT/3) / 1e6})
		}
	}
	reached := c.State == tracer.ConnOpen || c.State == tracer.ConnRefused || (p == tracer.UDP && c.State == tracer.ConnUnreachable)
	if reached {
		ttl++
		rt.Hops = append(rt.Hops, tracer.RouteHop{TTL: ttl, Address: addr.Addr().String(), Name: n.nameOf(addr.Addr()), RTT: c.RTT, RTTms: float64(c.RTT) / 1e6})
		rt.Reached = true
		rt.StoppedAfter, rt.StopReason = ttl, "reached the destination"
		return rt, nil
	}
	rt.StoppedAfter = ttl
	rt.StopReason = "silence after the last hop: a filter drops the probes"
	for _, h := range c.Hops {
		if h.Blocks {
			rt.StopReason = fmt.Sprintf("silence: %s (%s)", h.Component, h.Code)
			break
		}
	}
	for ttl < min(maxHops, rt.StoppedAfter+3) {
		ttl++
		rt.Hops = append(rt.Hops, tracer.RouteHop{TTL: ttl})
	}
	return rt, nil
}

// nameOf names the resource behind an address, if any.
func (n *Net) nameOf(a netip.Addr) string {
	if i := n.w.ifaceAt(n.from.vpc, a); i != nil {
		return i.name
	}
	return ""
}

// newQuery is the query (*dns.Msg).SetQuestion makes, with the id given
// instead of a random one: a simulated conversation is the same every run,
// and a short command does not pay for crypto/rand's first read.
func newQuery(name string, qtype, id uint16) *dns.Msg {
	m := &dns.Msg{Question: []dns.Question{{Name: name, Qtype: qtype, Qclass: dns.ClassINET}}}
	m.Id, m.RecursionDesired = id, true
	return m
}

// queryID is the id of the simulated query for name and type.
func queryID(name string, qtype uint16) uint16 { return uint16(len(name)*7919 + int(qtype)) }

// hostsFile answers localhost as /etc/hosts does, without asking DNS.
func (n *Net) hostsFile(q string, qtype uint16) *tracer.Answer {
	m := newQuery(q, qtype, queryID(q, qtype))
	m.Response, m.RecursionAvailable = true, true
	ans := &tracer.Answer{Name: q, Type: qtype, Server: "/etc/hosts", Msg: m}
	if qtype == dns.TypeA {
		lo := netip.MustParseAddr("127.0.0.1")
		m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q, Rrtype: dns.TypeA, Class: dns.ClassINET}, A: lo.AsSlice()}}
		ans.Addrs = []netip.Addr{lo}
	}
	ans.Hops = []tracer.Hop{{Component: n.from.name, Kind: tracer.KindHostsFile, Direction: tracer.Forward, Action: tracer.ActAnswer, Code: tracer.DNSAnswer,
		Detail: "localhost is 127.0.0.1 in /etc/hosts; no DNS query is sent"}}
	return ans
}

// Authoritative is the reply of the DNS server at addr to q, as an
// authoritative server gives it (no recursion): from the deepest public
// zone it serves that holds the question's name, by that zone's own lookup
// (simnet/zone); REFUSED for a name in no zone it serves, or from an
// address that serves no zone.
func (w *World) Authoritative(addr netip.Addr, q *dns.Msg) *dns.Msg {
	var best *zone
	if srv := w.nameservers[addr]; srv != nil && len(q.Question) == 1 {
		name := strings.ToLower(q.Question[0].Name)
		for _, z := range w.zones { // longest first: the first that holds the name is the deepest
			if !z.private && srv.zones[z.name] && z.data.Contains(name) {
				best = z
				break
			}
		}
	}
	if best == nil {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeRefused)
		return m
	}
	m := best.data.Reply(q)
	// A failover pair: Route 53's servers answer with the record the
	// policy chooses (failover.go), not with both.
	if qt := q.Question[0].Qtype; (qt == dns.TypeA || qt == dns.TypeANY) && best.failover != nil {
		owner := strings.ToLower(q.Question[0].Name)
		if f := best.failover[owner]; f != nil && f.primary != nil {
			chosen, _ := w.failoverAnswer(best, owner)
			keep := m.Answer[:0:0]
			for _, rr := range m.Answer {
				if rr.Header().Rrtype != dns.TypeA || !strings.EqualFold(rr.Header().Name, owner) {
					keep = append(keep, rr)
				}
			}
			m.Answer = append(keep, chosen...)
		}
	}
	return m
}
