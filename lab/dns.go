package lab

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// zoneData is a zone's records, by owner name.
type zoneData struct {
	name    string // fully qualified, lower case
	records map[string][]dns.RR
	ns      []spec.NameserverSpec
}

func fq(s string) string { return dns.Fqdn(strings.ToLower(strings.TrimSpace(s))) }

func buildZone(s *spec.WorldSpec, z spec.ZoneSpec) *zoneData {
	zd := &zoneData{name: fq(z.Name), records: map[string][]dns.RR{}, ns: z.Nameservers}
	var aliases []spec.RecordSpec
	var failover []*failoverGroup // failover.go
	for _, r := range z.Records {
		if isFailover(r) {
			failover = noteFailover(failover, zd.owner(r.Name), r)
			continue
		}
		if r.Alias != nil {
			aliases = append(aliases, r)
			continue
		}
		owner := zd.name
		switch {
		case r.Name == "@" || r.Name == "":
		case strings.HasSuffix(r.Name, "."):
			owner = fq(r.Name)
		default:
			owner = fq(r.Name + "." + zd.name)
		}
		ttl := 300
		if r.TTL != nil {
			ttl = *r.TTL
		}
		typ := strings.ToUpper(r.Type)
		for _, v := range r.AllValues() {
			if typ == "TXT" && !strings.HasPrefix(v, `"`) {
				v = `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
			}
			rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", owner, ttl, typ, v))
			if err != nil || rr == nil {
				continue
			}
			zd.records[owner] = append(zd.records[owner], rr)
		}
	}
	// Aliases last: one that points at a record of the zone copies that
	// record's addresses (alias.go).
	for _, r := range aliases {
		zd.alias(s, r)
	}
	zd.addFailover(s, failover)
	return zd
}

func (z *zoneData) soa() dns.RR {
	rr, _ := dns.NewRR(fmt.Sprintf("%s 300 IN SOA ns.%s hostmaster.%s 1 7200 900 1209600 300", z.name, z.name, z.name))
	return rr
}

func inZone(name, zone string) bool {
	return zone == "." || name == zone || strings.HasSuffix(name, "."+zone)
}

// answer answers q from the zone as its authoritative server: CNAMEs
// followed inside the zone, NXDOMAIN and NODATA with the SOA.
func (z *zoneData) answer(m *dns.Msg, q string, qtype uint16) {
	m.Authoritative = true
	seen := map[string]bool{}
	cur := q
	for range 9 {
		if seen[cur] {
			return
		}
		seen[cur] = true
		rrs := z.records[cur]
		var cname dns.RR
		found := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == qtype || qtype == dns.TypeANY {
				m.Answer = append(m.Answer, rr)
				found = true
			}
			if rr.Header().Rrtype == dns.TypeCNAME {
				cname = rr
			}
		}
		if cur == z.name && qtype == dns.TypeNS && !found {
			for _, ns := range z.ns {
				rr, _ := dns.NewRR(fmt.Sprintf("%s 300 IN NS %s", z.name, fq(ns.Name)))
				m.Answer = append(m.Answer, rr)
				found = true
			}
		}
		if found {
			return
		}
		if cname != nil && qtype != dns.TypeCNAME {
			m.Answer = append(m.Answer, cname)
			target := fq(cname.(*dns.CNAME).Target)
			if !inZone(target, z.name) {
				return
			}
			cur = target
			continue
		}
		if len(rrs) == 0 && !z.hasBelow(cur) {
			if len(m.Answer) == 0 {
				m.Rcode = dns.RcodeNameError
			}
		}
		m.Ns = append(m.Ns, z.soa())
		return
	}
}

func (z *zoneData) hasBelow(name string) bool {
	for n := range z.records {
		if strings.HasSuffix(n, "."+name) {
			return true
		}
	}
	return false
}

// authServer is the name servers at one address: the root, TLD servers
// and authoritative servers of zones, as the world places them.
type authServer struct {
	root  bool
	tlds  map[string]bool
	zones []*zoneData
	w     *spec.WorldSpec
}

func newAuthServer(s *spec.WorldSpec, at netip.Addr) *authServer {
	a := &authServer{root: at == RootServer, tlds: map[string]bool{}, w: s}
	for _, z := range s.DNS.Zones {
		if z.Private {
			continue
		}
		if TLDServer(tldOf(z.Name)) == at {
			a.tlds[tldOf(z.Name)] = true
		}
		for _, ns := range z.Nameservers {
			if addrOf(ns.IP) == at {
				a.zones = append(a.zones, buildZone(s, z))
				break
			}
		}
	}
	return a
}

func (a *authServer) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	if len(r.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	q := fq(r.Question[0].Name)
	qtype := r.Question[0].Qtype
	// The most specific zone this server holds.
	var best *zoneData
	for _, z := range a.zones {
		if inZone(q, z.name) && (best == nil || len(z.name) > len(best.name)) {
			best = z
		}
	}
	if best != nil {
		best.answer(m, q, qtype)
		w.WriteMsg(m)
		return
	}
	tld := tldOf(q)
	if a.tlds[tld] {
		a.delegate(m, q, tld)
		w.WriteMsg(m)
		return
	}
	if a.root {
		if a.hasTLD(tld) {
			rr, _ := dns.NewRR(fmt.Sprintf("%s 172800 IN NS %s", tld, TLDServerName(tld)))
			glue, _ := dns.NewRR(fmt.Sprintf("%s 172800 IN A %s", TLDServerName(tld), TLDServer(tld)))
			m.Ns = append(m.Ns, rr)
			m.Extra = append(m.Extra, glue)
		} else {
			m.Authoritative = true
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
		return
	}
	// Not a server for this name: a lame delegation's answer.
	m.Rcode = dns.RcodeRefused
	w.WriteMsg(m)
}

func (a *authServer) hasTLD(tld string) bool {
	for _, z := range a.w.DNS.Zones {
		if !z.Private && tldOf(z.Name) == tld {
			return true
		}
	}
	return false
}

// delegate answers as a TLD server: a referral to the zone's delegation.
func (a *authServer) delegate(m *dns.Msg, q, tld string) {
	var best *spec.ZoneSpec
	for i := range a.w.DNS.Zones {
		z := &a.w.DNS.Zones[i]
		if z.Private || tldOf(z.Name) != tld {
			continue
		}
		if inZone(q, fq(z.Name)) && (best == nil || len(z.Name) > len(best.Name)) {
			best = z
		}
	}
	if best == nil || fq(best.Name) == tld {
		m.Authoritative = true
		m.Rcode = dns.RcodeNameError
		return
	}
	nss := best.Delegation
	if len(nss) == 0 {
		nss = best.Nameservers
	}
	for _, ns := range nss {
		rr, _ := dns.NewRR(fmt.Sprintf("%s 172800 IN NS %s", fq(best.Name), fq(ns.Name)))
		m.Ns = append(m.Ns, rr)
		if ns.IP != "" {
			glue, _ := dns.NewRR(fmt.Sprintf("%s 172800 IN A %s", fq(ns.Name), ns.IP))
			m.Extra = append(m.Extra, glue)
		}
	}
}

// recursor is a recursive resolver: an internet resolver, or a VPC's
// resolver with its private zones.
type recursor struct {
	private []*zoneData // the private zones associated with the VPC
	timeout time.Duration
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (rc *recursor) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.RecursionAvailable = true
	if len(r.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		w.WriteMsg(m)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	q := r.Question[0]
	rcode, ans := rc.resolve(ctx, fq(q.Name), q.Qtype, map[string]bool{})
	m.Rcode = rcode
	m.Answer = ans
	w.WriteMsg(m)
}

// resolve finds name's records of qtype, following CNAMEs (at most 8, no
// loops: SERVFAIL otherwise).
func (rc *recursor) resolve(ctx context.Context, name string, qtype uint16, seen map[string]bool) (int, []dns.RR) {
	var out []dns.RR
	for range 9 {
		if seen[name] {
			return dns.RcodeServerFailure, nil
		}
		seen[name] = true
		rcode, ans := rc.lookup(ctx, name, qtype)
		if rcode != dns.RcodeSuccess {
			if rcode == dns.RcodeNameError {
				return rcode, append(out, ans...)
			}
			return rcode, nil
		}
		out = append(out, ans...)
		// Does the answer end at records of the type, or at an alias?
		cur := name
		for range 9 {
			next := ""
			for _, rr := range ans {
				if strings.EqualFold(rr.Header().Name, cur) {
					if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
						next = fq(c.Target)
					}
				}
			}
			if next == "" {
				break
			}
			cur = next
		}
		if cur == name {
			return dns.RcodeSuccess, out
		}
		has := false
		for _, rr := range ans {
			if strings.EqualFold(rr.Header().Name, cur) && rr.Header().Rrtype == qtype {
				has = true
			}
		}
		if has {
			return dns.RcodeSuccess, out
		}
		if len(seen) > 8 {
			return dns.RcodeServerFailure, nil
		}
		name = cur
	}
	return dns.RcodeServerFailure, nil
}

// lookup asks for one name: a private zone answers for its names; else
// the walk from the root.
func (rc *recursor) lookup(ctx context.Context, name string, qtype uint16) (int, []dns.RR) {
	var best *zoneData
	for _, z := range rc.private {
		if inZone(name, z.name) && (best == nil || len(z.name) > len(best.name)) {
			best = z
		}
	}
	if best != nil {
		m := new(dns.Msg)
		best.answer(m, name, qtype)
		return m.Rcode, m.Answer
	}
	servers := []netip.Addr{RootServer}
	for range 10 {
		reply := rc.ask(ctx, servers, name, qtype)
		if reply == nil {
			return dns.RcodeServerFailure, nil
		}
		if reply.Rcode != dns.RcodeSuccess {
			return reply.Rcode, nil
		}
		if len(reply.Answer) > 0 || reply.Authoritative {
			return dns.RcodeSuccess, reply.Answer
		}
		// A referral.
		var next []netip.Addr
		for _, rr := range reply.Ns {
			ns, ok := rr.(*dns.NS)
			if !ok {
				continue
			}
			found := false
			for _, x := range reply.Extra {
				if a, ok := x.(*dns.A); ok && strings.EqualFold(a.Hdr.Name, ns.Ns) {
					if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
						next = append(next, ip)
						found = true
					}
				}
			}
			if !found && !inZone(fq(ns.Ns), fq(rr.Header().Name)) {
				// Glueless: find the server's address first.
				if rcode, ans := rc.resolve(ctx, fq(ns.Ns), dns.TypeA, map[string]bool{}); rcode == dns.RcodeSuccess {
					for _, x := range ans {
						if a, ok := x.(*dns.A); ok {
							if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
								next = append(next, ip)
							}
						}
					}
				}
			}
		}
		if len(next) == 0 {
			return dns.RcodeServerFailure, nil
		}
		servers = next
	}
	return dns.RcodeServerFailure, nil
}

// ask asks the servers in turn; nil when none gives a usable answer (all
// silent or lame).
func (rc *recursor) ask(ctx context.Context, servers []netip.Addr, name string, qtype uint16) *dns.Msg {
	for _, s := range servers {
		if ctx.Err() != nil {
			return nil
		}
		q := new(dns.Msg)
		q.SetQuestion(name, qtype)
		q.RecursionDesired = false
		c := &dns.Client{Net: "udp", Timeout: rc.timeout}
		reply, _, err := c.ExchangeContext(ctx, q, netip.AddrPortFrom(s, 53).String())
		if err != nil || reply == nil {
			continue
		}
		if reply.Rcode == dns.RcodeRefused || reply.Rcode == dns.RcodeServerFailure {
			continue
		}
		return reply
	}
	return nil
}

// serveDNS starts UDP and TCP servers for h on addr:53 and waits until
// they listen.
func serveDNS(addr netip.Addr, h dns.Handler) error {
	for _, netw := range []string{"udp", "tcp"} {
		started := make(chan struct{})
		srv := &dns.Server{Addr: netip.AddrPortFrom(addr, 53).String(), Net: netw, Handler: h, NotifyStartedFunc: func() { close(started) }}
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		select {
		case <-started:
		case err := <-errc:
			return fmt.Errorf("dns on %s/%s: %w", addr, netw, err)
		case <-time.After(5 * time.Second):
			return fmt.Errorf("dns on %s/%s: not listening after 5s", addr, netw)
		}
	}
	return nil
}
