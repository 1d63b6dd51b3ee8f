package tracer

import "net/netip"

// DNSFact is what one step of a name's resolution decided, as values, so
// that views read it instead of the hop's text: the name asked, the zone
// whose server answers for it, an alias's target (CNAME), and the address
// of the server the step talks to on the wire (none for a step inside the
// resolver).
type DNSFact struct {
	Name   string     // the name asked, as the query wrote it
	Zone   string     // the zone whose server answers (an authoritative hop)
	Target string     // the alias's target (a CNAME hop)
	Server netip.Addr // the server asked or answering
}
