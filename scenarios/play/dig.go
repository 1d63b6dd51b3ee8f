package play

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
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
	port   uint16
	name   string
	qtype  uint16
	trace  bool
	short  bool
	tcp    bool
	norec  bool
	// show holds the sections dig prints: cmd, comments, question,
	// answer, authority, additional, stats (+noall clears them all).
	show map[string]bool
	raw  string
}

// digUsage is what dig prints after an option it does not know.
const digUsage = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]

Use "dig -h" (or "dig -h | more") for complete list of options`

// digSections are the parts of dig's output +noall and +[no]SECTION
// select.
var digSections = []string{"cmd", "comments", "question", "answer", "authority", "additional", "stats"}

// digInvalid is dig's complaint about an option: printed as dig prints
// it, never accepted silently.
type digInvalid string

func (d digInvalid) Error() string { return fmt.Sprintf("Invalid option: %s\n%s", string(d), digUsage) }

func parseDig(args []string) (digOpts, error) {
	o := digOpts{qtype: dns.TypeA, port: 53, show: map[string]bool{}}
	for _, sec := range digSections {
		o.show[sec] = true
	}
	typeSet := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		// -x, -t and -p take a value, joined or as the next word.
		value := func() (string, error) {
			if len(a) > 2 {
				return a[2:], nil
			}
			if i+1 >= len(args) {
				return "", digInvalid(a)
			}
			i++
			return args[i], nil
		}
		switch {
		case strings.HasPrefix(a, "@"):
			o.server = strings.TrimPrefix(a, "@")
			if o.server == "" {
				return o, badUsage("@ needs a server: @ns1.example.com or @198.51.100.53")
			}
		case strings.HasPrefix(a, "+"):
			opt, val, hasVal := strings.Cut(strings.ToLower(a[1:]), "=")
			on := !strings.HasPrefix(opt, "no")
			base := strings.TrimPrefix(opt, "no")
			switch {
			case base == "trace" && !hasVal:
				o.trace = on
			case base == "short" && !hasVal:
				o.short = on
			case (base == "tcp" || base == "vc") && !hasVal:
				o.tcp = on
			case (base == "recurse" || base == "rec") && !hasVal:
				o.norec = !on
			case base == "all" && !hasVal:
				for _, sec := range digSections {
					o.show[sec] = on
				}
			case slices.Contains(digSections, base) && !hasVal:
				o.show[base] = on
			case (base == "time" || base == "tries" || base == "retry") && hasVal && on:
				if n, err := strconv.Atoi(val); err != nil || n < 0 {
					return o, digInvalid(a)
				}
			case (base == "search" || base == "edns" || base == "cookie" || base == "identify" || base == "ttlid") && (!hasVal || base == "edns"):
				// accepted by dig; they change nothing here
			default:
				return o, digInvalid(a)
			}
		case a == "-4":
		case strings.HasPrefix(a, "-x"):
			v, err := value()
			if err != nil {
				return o, err
			}
			rev, err := dns.ReverseAddr(v)
			if err != nil {
				return o, fmt.Errorf("'%s' is not a legal IPv4 or IPv6 address", v)
			}
			o.name, o.qtype, typeSet = rev, dns.TypePTR, true
		case strings.HasPrefix(a, "-t"):
			v, err := value()
			if err != nil {
				return o, err
			}
			t, ok := digTypes[strings.ToUpper(v)]
			if !ok {
				return o, fmt.Errorf("invalid type: %s", v)
			}
			o.qtype, typeSet = t, true
		case strings.HasPrefix(a, "-p"):
			v, err := value()
			if err != nil {
				return o, err
			}
			p, err := strconv.Atoi(v)
			if err != nil || p < 0 || p > 65535 {
				return o, fmt.Errorf("port number %s out of range", v)
			}
			o.port = uint16(p)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			return o, digInvalid(a)
		default:
			// A type keyword (A, MX, SOA...) is the type, wherever it
			// stands, as dig reads it; anything else is the name.
			if t, ok := digTypes[strings.ToUpper(a)]; ok && !typeSet {
				o.qtype, typeSet = t, true
				continue
			}
			if strings.EqualFold(a, "IN") {
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

// dnsReply is one query's outcome, as dig, host and nslookup print it.
type dnsReply struct {
	msg        *dns.Msg // nil when no reply came
	serverAddr string   // the address asked, for "communications error to ADDR#PORT"
	serverText string   // ADDR#PORT(NAME)
	rtt        time.Duration
	hops       []tracer.Hop
	refused    bool // ICMP port unreachable: nothing listens on that port
}

// query sends one question where dig, host or nslookup would: to the
// vantage point's resolver, or to server (a name or address) on port.
// No reply is not an error: the reply's msg is nil.
func (s *Shell) query(ctx context.Context, server string, port uint16, name string, qtype uint16, norec, tcp bool) (dnsReply, error) {
	var r dnsReply
	n, err := s.net()
	if err != nil {
		return r, err
	}
	kind, addr, rname := s.whichServer(server)
	if sim, ok := n.(*simnet.Net); ok && kind != "live" {
		if kind == "none" && !addr.IsValid() && server != "" {
			// @NAME: dig looks the name up first, and stops if it cannot.
			a, err := s.serverAddr(ctx, sim, server)
			if err != nil {
				return r, err
			}
			kind, addr, rname = s.whichServer(a.String())
		}
		if kind != "self" && addr.IsValid() {
			// A query to any server but the VPC resolver is a packet
			// like any other: filters and routes apply on the way.
			c, err := sim.DNSQuery(ctx, addr)
			if err == nil && c.State != tracer.ConnOpen {
				r.serverAddr, r.hops = fmt.Sprintf("%s#%d", addr, port), c.Hops
				r.refused = c.State != tracer.ConnTimeout
				return r, nil
			}
			if err == nil && kind == "none" && port == 53 {
				if ok, err := s.hostDNSReply(ctx, &r, addr, server, name, qtype, norec, c); ok || err != nil {
					return r, err
				}
			}
		}
	}
	if port != 53 && kind != "live" {
		// Nothing but the DNS service listens on a DNS server: the
		// host answers ICMP port unreachable.
		if !addr.IsValid() {
			return r, nil
		}
		r.serverAddr, r.refused = fmt.Sprintf("%s#%d", addr, port), true
		return r, nil
	}
	r.serverAddr = fmt.Sprintf("%s#%d", addr, port)
	switch kind {
	case "self":
		ans, err := n.Resolve(ctx, name, qtype)
		if err != nil {
			return r, err
		}
		r.msg, r.rtt, r.hops = ans.Msg, ans.RTT+dnsWait(ans.Hops), ans.Hops
		a := s.resolverAddr(ans.Server)
		r.serverAddr = a + "#53"
		r.serverText = fmt.Sprintf("%s#53(%s)", a, orName(server, a))
	case "resolver":
		ans, err := s.resolveVia(ctx, rname, name, qtype)
		if err != nil {
			return r, err
		}
		if ans == nil {
			return r, nil
		}
		r.msg, r.rtt, r.hops = ans.Msg, ans.RTT+dnsWait(ans.Hops), ans.Hops
		r.serverText = fmt.Sprintf("%s#53(%s)", addr, server)
	case "auth":
		q := authQuery(name, qtype)
		q.RecursionDesired = !norec
		r.msg = s.world.Authoritative(addr, q)
		r.rtt = 24 * time.Millisecond
		r.serverText = fmt.Sprintf("%s#53(%s)", addr, server)
	case "live":
		ln := n
		if server != "" {
			if ln, addr, err = s.liveServer(ctx, server, port); err != nil {
				return r, err
			}
		}
		r.serverAddr = fmt.Sprintf("%s#%d", addr, port)
		ans, err := liveResolve(ctx, ln, name, qtype, tcp)
		if err != nil {
			return r, err
		}
		if ans.Msg == nil && ans.Failure != "" {
			r.refused = ans.Failure == liveRefused
			return r, nil
		}
		r.msg, r.rtt, r.hops = ans.Msg, ans.RTT, ans.Hops
		if ap, err := netip.ParseAddrPort(ans.Server); err == nil {
			r.serverAddr = fmt.Sprintf("%s#%d", ap.Addr(), ap.Port())
		}
		r.serverText = strings.TrimSuffix(liveServerText(ans.Server, server), " (UDP)")
	default:
		return r, nil
	}
	if r.msg != nil && norec && kind != "auth" && kind != "live" {
		// A resolver asked without recursion answers from its cache
		// only (RFC 1034 4.3.1); a trainer's resolver starts cold.
		m := r.msg.Copy()
		m.RecursionDesired = false
		m.Rcode, m.Answer, m.Ns, m.Extra = dns.RcodeSuccess, nil, nil, nil
		r.msg = m
	}
	return r, nil
}

func orName(server, addr string) string {
	if server != "" {
		return server
	}
	return addr
}

func (s *Shell) dig(ctx context.Context, args []string) error {
	o, err := parseDig(args)
	var inv digInvalid
	if errors.As(err, &inv) {
		s.printf("%v\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	var b strings.Builder
	header := func() {
		if o.short || !o.show["cmd"] {
			return
		}
		fmt.Fprintf(&b, "\n; <<>> DiG %s <<>> %s\n", digVersion, o.raw)
		if o.server != "" {
			b.WriteString("; (1 server found)\n")
		}
		b.WriteString(";; global options: +cmd\n")
	}
	if o.trace && s.live != nil {
		return fmt.Errorf("+trace is not available in a live shell")
	}
	if o.trace {
		header()
		if s.traceBlocked(ctx, &b) {
			if s.last != nil && s.last.dns != nil && s.last.dns.name == "" {
				s.last.what, s.last.dns.name, s.last.dns.qtype = "dig "+o.raw, o.name, o.qtype
			}
			s.print(b.String())
			return nil
		}
		s.digTrace(&b, o)
		s.print(b.String())
		return nil
	}
	r, err := s.query(ctx, o.server, o.port, o.name, o.qtype, o.norec, o.tcp)
	if err != nil {
		return err
	}
	header()
	if r.msg == nil {
		s.recordDNSFailure("dig "+o.raw, o.name, o.qtype, o.tcp, r, 3)
		if r.refused && o.tcp {
			s.print(digTCPRefused(r.serverAddr, orName(o.server, strings.Split(r.serverAddr, "#")[0]), o.name))
			return nil
		}
		if r.refused {
			for range 3 {
				fmt.Fprintf(&b, ";; communications error to %s: connection refused\n", r.serverAddr)
			}
			b.WriteString(";; no servers could be reached\n")
			s.print(b.String())
			return nil
		}
		at, _ := netip.ParseAddr(strings.Split(r.serverAddr, "#")[0])
		s.timedOut(&b, at, o.short)
		s.print(b.String())
		return nil
	}
	s.elapsed += r.rtt
	s.last = &lastRequest{what: "dig " + o.raw, from: s.Host(), hops: r.hops, dns: &lastDNS{name: o.name, qtype: o.qtype, tcp: o.tcp, server: r.serverAddr, msg: r.msg}}
	msg := r.msg
	if o.norec {
		msg = msg.Copy()
		msg.RecursionDesired = false
	}
	if o.short {
		for _, rr := range msg.Answer {
			b.WriteString(rrData(rr) + "\n")
		}
		s.print(b.String())
		return nil
	}
	b.WriteString(digSectionsText(msg, o.show))
	if o.show["stats"] {
		proto := "UDP"
		if o.tcp {
			proto = "TCP"
		}
		fmt.Fprintf(&b, ";; Query time: %d msec\n;; SERVER: %s (%s)\n;; WHEN: %s\n;; MSG SIZE  rcvd: %d\n\n",
			r.rtt.Milliseconds(), r.serverText, proto, s.now().Format("Mon Jan 02 15:04:05 MST 2006"), msg.Len())
	}
	s.print(b.String())
	return nil
}

// digSectionsText prints a reply's parts that show selects, as dig does:
// the comments (the header, the section titles), the question and the
// record sections, records aligned on dig's tab stops.
func digSectionsText(m *dns.Msg, show map[string]bool) string {
	var b strings.Builder
	if show["comments"] {
		b.WriteString(";; Got answer:\n")
	}
	section := ""
	for _, l := range strings.Split(digMsg(m), "\n") {
		switch {
		case strings.HasSuffix(l, " SECTION:") || strings.HasSuffix(l, " PSEUDOSECTION:"):
			section = strings.ToLower(strings.Fields(strings.TrimPrefix(l, ";; "))[0])
			if section == "opt" {
				section = "additional"
			}
			if show["comments"] && show[section] {
				b.WriteString(l + "\n")
			}
		case l == "":
			if show["comments"] && (section == "" || show[section]) {
				b.WriteString("\n")
			}
		case strings.HasPrefix(l, ";;") || section == "":
			if show["comments"] {
				b.WriteString(l + "\n")
			}
		case show[section]:
			b.WriteString(digAlign(l, section == "question") + "\n")
		}
	}
	out := b.String()
	if show["comments"] && !strings.HasSuffix(out, "\n\n") {
		out += "\n"
	}
	return out
}

// digAlign sets a record line (or a question line) on dig's tab stops:
// the owner to column 24, then 8 columns for each of TTL, class and type.
// A question has no TTL: its owner goes to column 32, counted after the
// ";" that starts it.
func digAlign(line string, question bool) string {
	if !strings.Contains(line, "\t") {
		return line // an EDNS line
	}
	f := strings.SplitN(line, "\t", 5)
	stops := []int{24, 32, 40, 48}
	if question {
		stops = []int{32, 40}
	}
	var b strings.Builder
	cur := 0 // the column, tabs expanded, as dig counts it
	if question {
		cur = -1 // dig does not count the ";" before a question's owner
	}
	for i, field := range f {
		b.WriteString(field)
		cur += len(field)
		if i == len(f)-1 {
			break
		}
		stop := 0
		if i < len(stops) {
			stop = stops[i]
		}
		for {
			cur = (cur/8 + 1) * 8
			b.WriteByte('\t')
			if cur >= stop {
				break
			}
		}
	}
	return b.String()
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
		for _, ns := range append(append([]spec.NameserverSpec{}, z.Nameservers...), z.Delegation...) {
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
			n.Cache, n.Now = s.cache, s.now()
			return n.Resolve(ctx, name, qtype)
		}
	}
	return nil, nil
}

func findInstanceSpec(s *spec.WorldSpec, name string) (*spec.InstanceSpec, *spec.VPCSpec) {
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
	var zone *spec.ZoneSpec
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
