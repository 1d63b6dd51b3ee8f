package play

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// digVersion is the dig the output imitates.
const digVersion = "9.18.28"

// dnsTimeout is how long a resolver or dig waits for one server.
const dnsTimeout = 5 * time.Second

// digTypes are the record types dig takes as a type keyword.
var digTypes = map[string]uint16{"A": dns.TypeA, "AAAA": dns.TypeAAAA, "CNAME": dns.TypeCNAME, "MX": dns.TypeMX,
	"NS": dns.TypeNS, "TXT": dns.TypeTXT, "SOA": dns.TypeSOA, "PTR": dns.TypePTR, "SRV": dns.TypeSRV, "CAA": dns.TypeCAA, "ANY": dns.TypeANY}

type digOpts struct {
	server string
	name   string
	qtype  uint16
	trace  bool
	short  bool
	raw    string
}

func parseDig(args []string) (digOpts, error) {
	o := digOpts{qtype: dns.TypeA}
	typeSet := false
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "@"):
			o.server = strings.TrimPrefix(a, "@")
			if o.server == "" {
				return o, badUsage("@ needs a server: @ns1.example.com or @198.51.100.53")
			}
		case a == "+trace":
			o.trace = true
		case a == "+short":
			o.short = true
		case strings.HasPrefix(a, "+"):
			// other options are accepted and ignored, as dig does
		case strings.HasPrefix(a, "-"):
			return o, badUsage("option %s is not supported", a)
		default:
			// A type keyword (A, MX, SOA...) is the type, wherever it
			// stands, as dig reads it; anything else is the name.
			if t, ok := digTypes[strings.ToUpper(a)]; ok && !typeSet {
				o.qtype, typeSet = t, true
				continue
			}
			if o.name != "" {
				return o, badUsage("one name at a time (%s is not a record type dig knows here: A, AAAA, CNAME, MX, NS, TXT, SOA, PTR, SRV, CAA, ANY)", a)
			}
			o.name = a
		}
	}
	if o.name == "" {
		return o, badUsage("which name?")
	}
	if _, err := netip.ParseAddr(o.server); o.server != "" && err != nil && strings.Trim(o.server, "0123456789.") == "" {
		// As dig: a server that looks like an address but is none.
		return o, fmt.Errorf("couldn't get address for '%s': not found", o.server)
	}
	if _, ok := dns.IsDomainName(o.name); !ok {
		return o, fmt.Errorf("'%s' is not a legal name", o.name)
	}
	o.raw = strings.Join(args, " ")
	return o, nil
}

func (s *Shell) dig(ctx context.Context, args []string) error {
	o, err := parseDig(args)
	if err != nil {
		return err
	}
	var b strings.Builder
	if !o.short {
		fmt.Fprintf(&b, "\n; <<>> DiG %s <<>> %s\n;; global options: +cmd\n", digVersion, o.raw)
	}
	if o.trace && s.live != nil {
		return fmt.Errorf("+trace is not available in a live shell")
	}
	if o.trace {
		s.digTrace(&b, o)
		s.print(b.String())
		return nil
	}
	n, err := s.net()
	if err != nil {
		return err
	}
	var msg *dns.Msg
	var serverText string
	var rtt time.Duration
	var hops []tracer.Hop
	switch kind, addr, name := s.whichServer(o.server); kind {
	case "self":
		ans, err := n.Resolve(ctx, o.name, o.qtype)
		if err != nil {
			return err
		}
		msg, rtt, hops = ans.Msg, ans.RTT+dnsWait(ans.Hops), ans.Hops
		a := s.resolverAddr(ans.Server)
		serverText = fmt.Sprintf("%s#53(%s) (UDP)", a, a)
	case "resolver":
		ans, err := s.resolveVia(ctx, name, o.name, o.qtype)
		if err != nil {
			return err
		}
		if ans == nil {
			s.timedOut(&b, addr, o.short)
			s.print(b.String())
			return nil
		}
		msg, rtt, hops = ans.Msg, ans.RTT+dnsWait(ans.Hops), ans.Hops
		serverText = fmt.Sprintf("%s#53(%s) (UDP)", addr, o.server)
	case "auth":
		msg = s.world.Authoritative(addr, authQuery(o.name, o.qtype))
		rtt = 24 * time.Millisecond
		serverText = fmt.Sprintf("%s#53(%s) (UDP)", addr, o.server)
	case "live":
		ln := n
		if o.server != "" {
			if ln, addr, err = s.liveServer(ctx, o.server); err != nil {
				return err
			}
		}
		ans, err := ln.Resolve(ctx, o.name, o.qtype)
		if err != nil {
			return err
		}
		if ans.Msg == nil && ans.Failure != "" {
			s.timedOut(&b, addr, o.short)
			s.print(b.String())
			return nil
		}
		msg, rtt, hops = ans.Msg, ans.RTT, ans.Hops
		serverText = liveServerText(ans.Server, o.server)
	default:
		s.timedOut(&b, addr, o.short)
		s.print(b.String())
		return nil
	}
	s.elapsed += rtt
	s.last = &lastRequest{what: "dig " + o.raw, from: s.Host(), hops: hops}
	if msg == nil {
		s.timedOut(&b, netip.Addr{}, o.short)
		s.print(b.String())
		return nil
	}
	if o.short {
		for _, rr := range msg.Answer {
			b.WriteString(rrData(rr) + "\n")
		}
		s.print(b.String())
		return nil
	}
	b.WriteString(";; Got answer:\n")
	b.WriteString(digMsg(msg))
	fmt.Fprintf(&b, "\n;; Query time: %d msec\n;; SERVER: %s\n;; WHEN: %s\n;; MSG SIZE  rcvd: %d\n\n",
		rtt.Milliseconds(), serverText, s.now().Format("Mon Jan 02 15:04:05 MST 2006"), msg.Len())
	s.print(b.String())
	return nil
}

// dnsWait is the extra time silent servers cost a resolver.
func dnsWait(hops []tracer.Hop) time.Duration {
	var d time.Duration
	for _, h := range hops {
		if h.Code == tracer.DNSTimeout {
			d += 2 * dnsTimeout
		}
	}
	return d
}

func (s *Shell) timedOut(b *strings.Builder, addr netip.Addr, short bool) {
	at := addr.String()
	if !addr.IsValid() {
		at = "the server"
	}
	for range 3 {
		fmt.Fprintf(b, ";; communications error to %s#53: timed out\n", at)
	}
	if !short {
		b.WriteString("\n")
	}
	b.WriteString(";; no servers could be reached\n")
	s.elapsed += 3 * dnsTimeout
}

// digMsg prints a message as dig does, from miekg/dns's own printing.
func digMsg(m *dns.Msg) string {
	t := m.String()
	t = strings.Replace(t, ";; opcode:", ";; ->>HEADER<<- opcode:", 1)
	t = strings.ReplaceAll(t, "\tIN\t ", "\tIN\t")
	if m.Rcode == dns.RcodeRefused || (!m.RecursionAvailable && m.RecursionDesired) {
		t = strings.Replace(t, "\n\n;; QUESTION", "\n;; WARNING: recursion requested but not available\n\n;; QUESTION", 1)
	}
	return t
}

// rrData is the data part of a record, as dig +short prints it.
func rrData(rr dns.RR) string {
	f := strings.Fields(rr.String())
	if len(f) < 5 {
		return rr.String()
	}
	return strings.Join(f[4:], " ")
}

func (s *Shell) now() time.Time {
	if s.live != nil {
		return s.live.Now()
	}
	return s.world.Clock.Add(s.elapsed)
}

// resolverAddr is the address of a resolver a Resolve answer names.
func (s *Shell) resolverAddr(name string) string {
	for _, r := range s.spec.Internet.Resolvers {
		if r.Name == name {
			return r.IP
		}
	}
	for _, v := range s.spec.VPCs {
		if v.Name+"-resolver" == name {
			if p, err := netip.ParsePrefix(v.CIDR); err == nil {
				b := p.Masked().Addr().As4()
				b[3] += 2
				return netip.AddrFrom4(b).String()
			}
		}
	}
	return name
}

// whichServer classifies dig's @SERVER: the vantage point's own resolver
// ("self"), another recursive resolver, an authoritative server, or
// nothing at all.
func (s *Shell) whichServer(server string) (kind string, addr netip.Addr, name string) {
	if s.live != nil {
		return "live", netip.Addr{}, ""
	}
	if server == "" {
		return "self", netip.Addr{}, ""
	}
	a, perr := netip.ParseAddr(server)
	isAddr := perr == nil
	fq := strings.TrimSuffix(strings.ToLower(server), ".")
	// The VPC resolver: base + 2, or Amazon's 169.254.169.253.
	if in, v := findInstanceSpec(s.spec, s.Host()); in != nil {
		if isAddr && (a.String() == s.resolverAddr(v.Name+"-resolver") || a.String() == "169.254.169.253") {
			return "self", a, ""
		}
	}
	for _, r := range s.spec.Internet.Resolvers {
		if (isAddr && r.IP == a.String()) || strings.EqualFold(r.Name, fq) {
			ra, _ := netip.ParseAddr(r.IP)
			if s.ownResolver() == r.Name {
				return "self", ra, r.Name
			}
			return "resolver", ra, r.Name
		}
	}
	for _, z := range s.spec.DNS.Zones {
		for _, ns := range append(append([]simnet.NameserverSpec{}, z.Nameservers...), z.Delegation...) {
			if (isAddr && ns.IP == a.String()) || strings.EqualFold(strings.TrimSuffix(ns.Name, "."), fq) {
				na, _ := netip.ParseAddr(ns.IP)
				for _, o := range s.spec.DNS.Zones {
					for _, x := range o.Nameservers {
						if x.IP == ns.IP {
							return "auth", na, ns.Name
						}
					}
				}
				return "none", na, ns.Name
			}
		}
	}
	if isAddr {
		return "none", a, ""
	}
	return "none", netip.Addr{}, server
}

func (s *Shell) ownResolver() string {
	for _, c := range s.spec.Internet.Clients {
		if c.Name == s.Host() {
			return c.Resolver
		}
	}
	return ""
}

// resolveVia asks another recursive resolver on the internet: as any
// client of it would get the answer. Nil when no client uses it.
func (s *Shell) resolveVia(ctx context.Context, resolver, name string, qtype uint16) (*tracer.Answer, error) {
	for _, c := range s.spec.Internet.Clients {
		if c.Resolver == resolver {
			n, err := s.world.From(c.Name)
			if err != nil {
				return nil, err
			}
			return n.Resolve(ctx, name, qtype)
		}
	}
	return nil, nil
}

func findInstanceSpec(s *simnet.WorldSpec, name string) (*simnet.InstanceSpec, *simnet.VPCSpec) {
	for i := range s.VPCs {
		for j := range s.VPCs[i].Instances {
			if s.VPCs[i].Instances[j].Name == name {
				return &s.VPCs[i].Instances[j], &s.VPCs[i]
			}
		}
	}
	return nil, nil
}

// authQuery is the query dig sends to an authoritative server (with RD
// set, as dig sets it unless told +norecurse).
func authQuery(name string, qtype uint16) *dns.Msg {
	q := dns.Fqdn(strings.ToLower(name))
	m := new(dns.Msg)
	m.SetQuestion(q, qtype)
	m.Id = uint16(len(q)*131 + int(qtype))
	return m
}

// tldServer names the servers of a top-level domain as dig +trace shows
// them.
func tldServer(tld string) (string, string) {
	switch tld {
	case "com.", "net.":
		return "a.gtld-servers.net.", "192.5.6.30"
	case "org.":
		return "a0.org.afilias-nst.info.", "199.19.56.1"
	}
	return "a.nic." + tld, "192.0.32.53"
}

// digTrace walks the delegation from the root as dig +trace does: dig
// itself asks each level, so private zones and the VPC resolver play no
// part.
func (s *Shell) digTrace(b *strings.Builder, o digOpts) {
	q := dns.Fqdn(strings.ToLower(o.name))
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	rtt := 24 * time.Millisecond
	resolver := s.resolverAddr(s.ownResolver())
	if in, v := findInstanceSpec(s.spec, s.Host()); in != nil {
		resolver = s.resolverAddr(v.Name + "-resolver")
	}
	fmt.Fprintf(b, ".\t\t\t518400\tIN\tNS\ta.root-servers.net.\n.\t\t\t518400\tIN\tNS\tb.root-servers.net.\n")
	fmt.Fprintf(b, ";; Received 239 bytes from %s#53(%s) in %d ms\n\n", resolver, resolver, ms(rtt))
	s.elapsed += rtt
	labels := dns.SplitDomainName(q)
	if len(labels) == 0 {
		return
	}
	tld := labels[len(labels)-1] + "."
	var zone *simnet.ZoneSpec
	known := false
	for i := range s.spec.DNS.Zones {
		z := &s.spec.DNS.Zones[i]
		zfq := dns.Fqdn(strings.ToLower(z.Name))
		if z.Private {
			continue
		}
		if dns.IsSubDomain(tld, zfq) {
			known = true
		}
		if dns.IsSubDomain(zfq, q) && (zone == nil || dns.CountLabel(zfq) > dns.CountLabel(dns.Fqdn(zone.Name))) {
			zone = z
		}
	}
	if !known {
		fmt.Fprintf(b, ".\t\t\t86400\tIN\tSOA\ta.root-servers.net. nstld.verisign-grs.com. 2026112100 1800 900 604800 86400\n")
		fmt.Fprintf(b, ";; Received 104 bytes from 198.41.0.4#53(a.root-servers.net) in 20 ms\n\n")
		return
	}
	tldName, tldAddr := tldServer(tld)
	fmt.Fprintf(b, "%s\t\t\t172800\tIN\tNS\t%s\n", tld, tldName)
	fmt.Fprintf(b, ";; Received 1170 bytes from 198.41.0.4#53(a.root-servers.net) in 20 ms\n\n")
	if zone == nil {
		fmt.Fprintf(b, "%s\t\t\t900\tIN\tSOA\t%s nstld.verisign-grs.com. 2026112100 1800 900 604800 86400\n", tld, tldName)
		fmt.Fprintf(b, ";; Received 117 bytes from %s#53(%s) in 24 ms\n\n", tldAddr, strings.TrimSuffix(tldName, "."))
		return
	}
	zfq := dns.Fqdn(strings.ToLower(zone.Name))
	deleg := zone.Delegation
	if len(deleg) == 0 {
		deleg = zone.Nameservers
	}
	for _, ns := range deleg {
		fmt.Fprintf(b, "%s\t\t172800\tIN\tNS\t%s\n", zfq, dns.Fqdn(ns.Name))
	}
	fmt.Fprintf(b, ";; Received %d bytes from %s#53(%s) in 24 ms\n\n", 60+30*len(deleg), tldAddr, strings.TrimSuffix(tldName, "."))
	s.elapsed += 44 * time.Millisecond
	for _, ns := range deleg {
		a, err := netip.ParseAddr(ns.IP)
		if err != nil {
			continue
		}
		serving := false
		exists := false
		for _, z := range s.spec.DNS.Zones {
			for _, x := range z.Nameservers {
				if x.IP == ns.IP {
					exists = true
				}
			}
		}
		m := s.world.Authoritative(a, authQuery(q, o.qtype))
		serving = m.Rcode != dns.RcodeRefused
		switch {
		case !exists:
			for range 3 {
				fmt.Fprintf(b, ";; communications error to %s#53: timed out\n", ns.IP)
			}
			s.elapsed += 3 * dnsTimeout
			continue
		case !serving:
			fmt.Fprintf(b, ";; Received %d bytes from %s#53(%s) in 24 ms\n\n", m.Len(), ns.IP, strings.TrimSuffix(ns.Name, "."))
			s.elapsed += rtt
			continue
		}
		for _, rr := range m.Answer {
			b.WriteString(rr.String() + "\n")
		}
		for _, rr := range m.Ns {
			b.WriteString(rr.String() + "\n")
		}
		fmt.Fprintf(b, ";; Received %d bytes from %s#53(%s) in 24 ms\n\n", m.Len(), ns.IP, strings.TrimSuffix(ns.Name, "."))
		s.elapsed += rtt
		return
	}
	b.WriteString(";; no servers could be reached\n")
}
