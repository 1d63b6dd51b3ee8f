// Package zone holds the simulation's DNS zones and answers queries from
// them: one lookup serves the resolver's walk, the packets of a capture and
// the shell's dig, as coredns's file plugin serves its zones.
package zone

import (
	"strings"

	"github.com/miekg/dns"
)

// Result is what a zone says about a name.
type Result uint8

const (
	// Success: records of the type asked for.
	Success Result = iota
	// Alias: the name is an alias (CNAME); the answer is the CNAME, and a
	// resolver starts over with its target.
	Alias
	// NoData: the name exists, with no record of the type asked for.
	NoData
	// NameError: the name does not exist in the zone (NXDOMAIN).
	NameError
)

func (r Result) String() string {
	switch r {
	case Success:
		return "success"
	case Alias:
		return "alias"
	case NoData:
		return "nodata"
	case NameError:
		return "nxdomain"
	}
	return "unknown"
}

// Zone is one zone's data. It is built once, then only read: the records
// it returns are shared and must not be changed.
type Zone struct {
	// Origin is the zone's name, fully qualified and in lower case.
	Origin string
	// Private is set for a private hosted zone (answered by VPC resolvers).
	Private bool
	// Primary is the name of the zone's first nameserver, for its SOA.
	Primary string
	names   map[string][]dns.RR
	soa     dns.RR
}

// New returns an empty zone for origin.
func New(origin string, private bool, primary string) *Zone {
	origin = dns.Fqdn(strings.ToLower(origin))
	if primary == "" {
		primary = "ns." + origin
	}
	z := &Zone{Origin: origin, Private: private, Primary: dns.Fqdn(primary), names: map[string][]dns.RR{}}
	z.soa = &dns.SOA{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 900},
		Ns: z.Primary, Mbox: "hostmaster." + origin, Serial: 2026112101, Refresh: 7200, Retry: 900, Expire: 1209600, Minttl: 86400}
	return z
}

// Add adds a record; its owner must be in the zone (it is the caller's to
// check).
func (z *Zone) Add(rr dns.RR) {
	owner := strings.ToLower(rr.Header().Name)
	z.names[owner] = append(z.names[owner], rr)
}

// SOA returns the zone's start of authority, the record negative answers
// carry in their authority section.
func (z *Zone) SOA() dns.RR { return z.soa }

// Records returns the records owned by name (fully qualified).
func (z *Zone) Records(name string) []dns.RR { return z.names[strings.ToLower(name)] }

// Owners calls f for every owner name of the zone.
func (z *Zone) Owners(f func(owner string, rrs []dns.RR)) {
	for o, rrs := range z.names {
		f(o, rrs)
	}
}

// Contains reports whether name is at or below the zone's origin.
func (z *Zone) Contains(name string) bool { return dns.IsSubDomain(z.Origin, strings.ToLower(name)) }

// Lookup answers name and qtype from the zone alone: the records of that
// type (Success), the CNAME at the name (Alias, unless CNAME was asked
// for), or why there are none. A name with no records of its own but names
// below it exists (an empty non-terminal): NoData, not NameError.
func (z *Zone) Lookup(name string, qtype uint16) (Result, []dns.RR) {
	name = strings.ToLower(name)
	rrs := z.names[name]
	var match []dns.RR
	for _, rr := range rrs {
		t := rr.Header().Rrtype
		if t == dns.TypeCNAME && qtype != dns.TypeCNAME {
			return Alias, []dns.RR{rr}
		}
		if t == qtype {
			match = append(match, rr)
		}
	}
	switch {
	case len(match) > 0:
		return Success, match
	case len(rrs) > 0 || z.hasBelow(name):
		return NoData, nil
	}
	return NameError, nil
}

func (z *Zone) hasBelow(name string) bool {
	for owner := range z.names {
		if owner != name && dns.IsSubDomain(name, owner) {
			return true
		}
	}
	return false
}

// MaxChain is how many aliases an answer follows before it gives up.
const MaxChain = 8

// Reply is the zone's authoritative answer to q, as its nameserver sends
// it: aliases inside the zone followed (RFC 1034 4.3.2), an alias that
// leaves the zone ending the answer, and a negative answer carrying the
// SOA. The reply's ID and question are q's.
func (z *Zone) Reply(q *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative, m.RecursionAvailable = true, false
	if len(q.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	cur, qtype := q.Question[0].Name, q.Question[0].Qtype
	for range MaxChain + 1 {
		res, rrs := z.Lookup(cur, qtype)
		switch res {
		case Success:
			m.Answer = append(m.Answer, rrs...)
			return m
		case Alias:
			m.Answer = append(m.Answer, rrs...)
			cur = rrs[0].(*dns.CNAME).Target
			if !z.Contains(cur) {
				return m
			}
			continue
		case NameError:
			if len(m.Answer) == 0 {
				m.Rcode = dns.RcodeNameError
			}
		}
		m.Ns = append(m.Ns, z.soa)
		return m
	}
	return m
}
