package importer

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// ---- DNS ----------------------------------------------------------------

func zoneName(s string) string {
	return strings.ToLower(strings.TrimSuffix(unescapeDNS(strings.TrimSpace(s)), "."))
}

// unescapeDNS turns Route 53's octal escapes (\052 for *) into characters.
func unescapeDNS(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				out.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

func (b *builder) nsAddr() string {
	a := b.nextNS
	for b.used[a] {
		a = a.Next()
	}
	b.used[a] = true
	b.nextNS = a.Next()
	return a.String()
}

func (b *builder) dns() {
	seen := map[string]bool{}
	for _, r := range b.of("aws_route53_zone") {
		name := zoneName(str(r.V, "name"))
		if _, ok := dns.IsDomainName(name); !ok || name == "" {
			b.unsupported(r, "its name is unknown or not a domain name")
			continue
		}
		z := &wZone{name: name, note: []string{r.Label()}}
		for _, m := range blocks(r.V, "vpc") {
			if v := b.vpcByID(str(m, "vpc_id")); v != nil && !contains(z.vpcs, v.name) {
				z.vpcs = append(z.vpcs, v.name)
			}
			z.private = true
		}
		if boolean(r.V, "private_zone") {
			z.private = true
		}
		key := fmt.Sprintf("%s/%v", name, z.private)
		if seen[key] {
			b.unsupported(r, "a second zone of the same name and kind; the world holds one")
			continue
		}
		seen[key] = true
		b.zoneOf[str(r.V, "zone_id")] = z
		b.zoneOf[str(r.V, "id")] = z
		b.zoneOf[strings.TrimPrefix(str(r.V, "id"), "/hostedzone/")] = z
		b.w.zones = append(b.w.zones, z)
		b.imported(r, name)
		b.zoneRes = append(b.zoneRes, r)
	}
	for _, r := range b.of("aws_route53_zone_association") {
		z := b.zoneOf[str(r.V, "zone_id")]
		v := b.vpcByID(str(r.V, "vpc_id"))
		if z == nil || v == nil {
			b.unsupported(r, "its zone or VPC is not in the input")
			continue
		}
		z.private = true
		if !contains(z.vpcs, v.name) {
			z.vpcs = append(z.vpcs, v.name)
		}
		b.imported(r, z.name)
	}
	for i, z := range b.w.zones {
		r := b.zoneRes[i]
		if z.private {
			if len(z.vpcs) == 0 {
				b.unsupported(r, "a private zone associated with no VPC of the input")
				z.name = "" // dropped below
			}
			continue
		}
		nss := strs(r.V, "name_servers")
		if len(nss) > 4 {
			nss = nss[:4]
		}
		if len(nss) == 0 {
			nss = []string{"ns1." + z.name}
		}
		for _, ns := range nss {
			ns = zoneName(ns)
			ip := b.nsAddr()
			z.nameservers = append(z.nameservers, noted[spec.NameserverSpec]{v: spec.NameserverSpec{Name: ns, IP: ip}, note: []string{b.assume(z.name, "nameserver %s answers at %s (its address is Route 53's)", ns, ip)}})
		}
	}
	// Records.
	for _, r := range b.of("aws_route53_record") {
		b.record(r)
	}
	// Balancer names, as AWS serves them.
	lbs := make([]*wLB, 0, len(b.lbName))
	for lb := range b.lbName {
		lbs = append(lbs, lb)
	}
	sort.Slice(lbs, func(i, j int) bool { return b.lbName[lbs[i]] < b.lbName[lbs[j]] })
	for _, lb := range lbs {
		full := b.lbName[lb]
		label, parent, _ := strings.Cut(full, ".")
		var z *wZone
		for _, x := range b.w.zones {
			if x.name == parent && !x.private {
				z = x
			}
		}
		if z == nil {
			z = &wZone{name: parent, note: []string{b.assume(parent, "the zone AWS serves balancer names from")}}
			ip := b.nsAddr()
			z.nameservers = []noted[spec.NameserverSpec]{{v: spec.NameserverSpec{Name: "ns1." + parent, IP: ip}, note: []string{b.assume(parent, "its nameserver ns1.%s answers at %s", parent, ip)}}}
			b.w.zones = append(b.w.zones, z)
		}
		z.records = append(z.records, noted[spec.RecordSpec]{v: spec.RecordSpec{Name: label, Type: "A", Values: lbAddrs(lb), TTL: ptr(60)}, note: []string{b.lbRes[lb].Label()}})
	}
	var keep []*wZone
	for _, z := range b.w.zones {
		if z.name != "" {
			keep = append(keep, z)
		}
	}
	b.w.zones = keep
	b.assumedCerts()
}

func ptr(n int) *int { return &n }

func lbAddrs(lb *wLB) []string {
	var out []string
	for _, n := range lb.nodes {
		if lb.spec.Scheme == "internet-facing" && n.v.PublicIP != "" {
			out = append(out, n.v.PublicIP)
		} else {
			out = append(out, n.v.PrivateIP)
		}
	}
	return out
}

func (b *builder) record(r *resource) {
	z := b.zoneOf[str(r.V, "zone_id")]
	if z == nil || z.name == "" {
		b.unsupported(r, "its zone is not in the input")
		return
	}
	full := zoneName(str(r.V, "name"))
	rel := full
	switch {
	case full == z.name || full == "":
		rel = "@"
	case strings.HasSuffix(full, "."+z.name):
		rel = strings.TrimSuffix(full, "."+z.name)
	}
	if strings.Contains(full, "*") {
		b.unsupported(r, "wildcard records are not in the world format")
		return
	}
	if rel != "@" {
		if _, ok := dns.IsDomainName(rel + "." + z.name); !ok {
			b.unsupported(r, fmt.Sprintf("record name %q is not a domain name", full))
			return
		}
	}
	typ := strings.ToUpper(str(r.V, "type"))
	if (typ == "NS" && rel == "@") || typ == "SOA" {
		b.imported(r, z.name) // the zone's own: its nameservers
		return
	}
	switch typ {
	case "A", "AAAA", "CNAME", "MX", "TXT", "NS":
	default:
		b.unsupported(r, fmt.Sprintf("%s records are not in the world format", typ))
		return
	}
	rec := spec.RecordSpec{Name: rel, Type: typ}
	note := []string{r.Label()}
	if t, ok := num(r.V, "ttl"); ok && t >= 0 {
		rec.TTL = ptr(t)
	}
	if al := blocks(r.V, "alias"); len(al) > 0 {
		target := str(al[0], "name")
		key := strings.TrimPrefix(zoneName(target), "dualstack.")
		lb := b.lbDNS[key]
		if lb == nil {
			lb = b.lbDNS[target]
		}
		evaluate := boolean(al[0], "evaluate_target_health")
		switch {
		case lb != nil && (typ == "A"):
			// A Route 53 alias: it answers with the balancer's
			// addresses, at the apex too, and has no TTL of its own.
			rec.TTL = nil
			rec.Alias = &spec.AliasSpec{Target: lb.spec.Name, EvaluateHealth: evaluate}
			note = append(note, "alias to "+b.lbRes[lb].Label())
			b.aliases[lb] = append(b.aliases[lb], strings.TrimSuffix(fullName(rel, z.name), "."))
		case lb != nil:
			b.unsupported(r, fmt.Sprintf("an alias %s record to a balancer: worlds are IPv4 only", typ))
			return
		case (key == z.name || strings.HasSuffix(key, "."+z.name)) && typ == "A" && b.zoneHasA(str(r.V, "zone_id"), key, r):
			rec.TTL = nil
			rec.Alias = &spec.AliasSpec{Target: key + ".", EvaluateHealth: evaluate}
			note = append(note, "alias to "+key+", a record of the same zone")
		case rel != "@" && key != "" && !strings.HasPrefix(key, unknownPrefix) && b.knownName(key):
			rec.Type, rec.Value = "CNAME", key
			note = append(note, "alias to "+key+", written as a CNAME")
		default:
			b.unsupported(r, fmt.Sprintf("it is an alias to %s, which the input does not hold", orUnknown(target)))
			return
		}
	} else {
		for _, v := range strs(r.V, "records") {
			if typ == "TXT" {
				v = txtValue(v)
			}
			rec.Values = append(rec.Values, v)
		}
		if len(rec.Values) == 0 {
			b.unsupported(r, "its values are unknown")
			return
		}
		if typ == "CNAME" && len(rec.Values) > 1 {
			rec.Values = rec.Values[:1]
		}
		for _, v := range rec.Values {
			if !validValue(typ, v) {
				b.unsupported(r, fmt.Sprintf("value %q is not a valid %s value", v, typ))
				return
			}
		}
		if len(rec.Values) == 1 {
			rec.Value, rec.Values = rec.Values[0], nil
		}
	}
	for i, have := range z.records {
		if have.v.Name == rec.Name && have.v.Type == rec.Type {
			if rec.Alias != nil || have.v.Alias != nil {
				b.unsupported(r, "a second record of the same name and type beside an alias (a routing policy); the world holds one")
				return
			}
			if rec.Type == "CNAME" {
				b.unsupported(r, "a second CNAME of the same name (a routing policy); the world holds one")
				return
			}
			vals := append(have.v.AllValues(), rec.AllValues()...)
			z.records[i].v.Value, z.records[i].v.Values = "", dedupe(vals)
			z.records[i].note = append(z.records[i].note, r.Label())
			b.warn(r.Label(), "records of %s %s with routing policies are merged into one set", rel, typ)
			b.imported(r, z.name)
			return
		}
		if have.v.Name == rec.Name && (have.v.Type == "CNAME") != (rec.Type == "CNAME") {
			b.unsupported(r, "a CNAME stands alone, and this name has other records")
			return
		}
	}
	z.records = append(z.records, noted[spec.RecordSpec]{v: rec, note: note})
	b.imported(r, z.name)
}

// zoneHasA reports whether zone zid has an A record (plain or alias)
// named name, other than self.
func (b *builder) zoneHasA(zid, name string, self *resource) bool {
	for _, r := range b.of("aws_route53_record") {
		if r != self && b.zoneOf[str(r.V, "zone_id")] == b.zoneOf[zid] && zoneName(str(r.V, "name")) == name && strings.EqualFold(str(r.V, "type"), "A") {
			return true
		}
	}
	return false
}

func fullName(rel, zone string) string {
	if rel == "@" {
		return zone
	}
	return rel + "." + zone
}

func (b *builder) knownName(n string) bool {
	for _, z := range b.w.zones {
		if z.name == n || strings.HasSuffix(n, "."+z.name) {
			return true
		}
	}
	return false
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// txtValue undoes the AWS quoting of a TXT value: "a" "b" is ab.
func txtValue(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, `"`) {
		return v
	}
	var out strings.Builder
	in := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v):
			i++
			out.WriteByte(v[i])
		case c == '"':
			in = !in
		case in:
			out.WriteByte(c)
		}
	}
	return out.String()
}

func validValue(typ, v string) bool {
	switch typ {
	case "A", "AAAA":
		a, err := netip.ParseAddr(v)
		return err == nil && (typ == "A") == a.Is4() && a.Zone() == ""
	case "CNAME", "NS":
		_, ok := dns.IsDomainName(v)
		return ok
	}
	return v != ""
}

// assumedCerts gives https and tls listeners whose certificate the input
// lacks one covering the names that point at the balancer.
func (b *builder) assumedCerts() {
	for _, need := range b.needCert {
		lb := need.lb
		domains := dedupe(append(append([]string{}, b.aliases[lb]...), b.lbName[lb]))
		sort.Strings(domains)
		name := b.unique("cert-" + lb.spec.Name)
		nb, na := b.clock.AddDate(0, -1, 0), b.clock.AddDate(1, 0, 0)
		b.w.certs = append(b.w.certs, noted[spec.CertSpec]{v: spec.CertSpec{Name: name, Domains: domains, NotBefore: nb.Format(time.RFC3339), NotAfter: na.Format(time.RFC3339)},
			note: []string{b.assume(name, "the certificate of %s's listener on port %d, which the input does not hold, covers the names that point at it", lb.spec.Name, lb.listeners[need.idx].v.Port)}})
		lb.listeners[need.idx].v.Certificate = name
	}
}

// ---- the internet side ------------------------------------------------

func (b *builder) internet() {
	cip, rip := clientIP, resolverIP
	for b.used[cip] {
		cip = cip.Next()
	}
	b.used[cip] = true
	for b.used[rip] {
		rip = rip.Next()
	}
	b.used[rip] = true
	rname := b.unique(resolverName)
	cname := b.unique(clientName)
	b.w.resolvers = []noted[spec.ResolverSpec]{{v: spec.ResolverSpec{Name: rname, IP: rip.String()}, note: []string{b.assume(rname, "a recursive resolver on the internet, which infrastructure files do not describe")}}}
	b.w.clients = []noted[spec.ClientSpec]{{v: spec.ClientSpec{Name: cname, IP: cip.String(), Resolver: rname}, note: []string{b.assume(cname, "a client on the internet, which infrastructure files do not describe")}}}
	// The headline: the first internet-facing balancer, by the name that
	// points at it.
	lbs := make([]*wLB, 0, len(b.lbName))
	for lb := range b.lbName {
		if lb.spec.Scheme == "internet-facing" && len(lb.listeners) > 0 {
			lbs = append(lbs, lb)
		}
	}
	sort.Slice(lbs, func(i, j int) bool { return lbs[i].spec.Name < lbs[j].spec.Name })
	if len(lbs) == 0 {
		return
	}
	lb := lbs[0]
	host := b.lbName[lb]
	if a := b.aliases[lb]; len(a) > 0 {
		s := append([]string{}, a...)
		sort.Strings(s)
		host = s[0]
	}
	l := lb.listeners[0].v
	for _, x := range lb.listeners {
		if x.v.Protocol == "https" && x.v.Port == 443 {
			l = x.v
		}
	}
	var url string
	switch {
	case (l.Protocol == "https" && l.Port == 443) || (l.Protocol == "http" && l.Port == 80):
		url = l.Protocol + "://" + host + "/"
	case l.Protocol == "https" || l.Protocol == "http":
		url = fmt.Sprintf("%s://%s:%d/", l.Protocol, host, l.Port)
	case l.Protocol == "udp":
		url = fmt.Sprintf("udp://%s:%d", host, l.Port)
	default:
		url = fmt.Sprintf("tcp://%s:%d", host, l.Port)
	}
	b.w.description = "headline: " + url + "\n"
}

// ---- the report ------------------------------------------------------

func unsupportedReason(r *resource) string {
	if r.Data {
		return "a data source: read for its values, not a resource of the network"
	}
	if r.Type == "aws_network_interface" && r.label != "" {
		what := str(r.V, "description")
		if what == "" {
			what = str(r.V, "interface_type")
		}
		return fmt.Sprintf("the network interface of something the world does not hold (%s)", what)
	}
	for _, n := range notYet {
		if strings.HasPrefix(r.Type, n.prefix) {
			return n.what
		}
	}
	if !strings.HasPrefix(r.Type, "aws_") {
		return "not an AWS resource"
	}
	if r.Type == "aws_lb_listener_rule" && boolean(r.V, "is_default") {
		return "the default rule of a listener the world does not hold"
	}
	return "not a resource the world format models"
}

func (b *builder) finishReport() {
	// Parts of what was imported: a listener's default rule, the network
	// interfaces of instances, balancers and NAT gateways.
	for _, r := range b.rs {
		var owner *resource
		switch r.Type {
		case "aws_lb_listener_rule":
			if boolean(r.V, "is_default") {
				owner = b.ref(str(r.V, "listener_arn"))
			}
		case "aws_network_interface":
			owner = b.ref(str(r.V, "owner"))
		}
		if owner != nil && b.skip[owner] == "" {
			if n := b.done[owner]; n != "" {
				b.imported(r, n)
			}
		}
	}
	for _, r := range b.rs {
		name, done := b.done[r]
		switch {
		case done && b.skip[r] == "" && name != "":
			b.rep.Imported = append(b.rep.Imported, Item{Address: r.Label(), Type: r.Type, Name: name})
		case done && b.skip[r] != "":
			b.rep.Unsupported = append(b.rep.Unsupported, Item{Address: r.Label(), Type: r.Type, Reason: b.skip[r]})
		case r.Data && (r.Type == "aws_vpc") && done:
			b.rep.Imported = append(b.rep.Imported, Item{Address: r.Label(), Type: r.Type, Name: name})
		default:
			b.rep.Unsupported = append(b.rep.Unsupported, Item{Address: r.Label(), Type: r.Type, Reason: unsupportedReason(r)})
		}
		if len(r.Sensitive) > 0 {
			b.rep.Sensitive = append(b.rep.Sensitive, Note{Subject: r.Label(), Text: "values marked sensitive were not read: " + strings.Join(r.Sensitive, ", ")})
		}
	}
}
