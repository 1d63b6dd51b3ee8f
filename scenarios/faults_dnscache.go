package scenarios

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// A stale cached record (issue 11, Route 53): an A record points at an
// address nothing uses any more, with a long TTL, and the clients'
// resolver has the wrong answer cached (the play shell seeds its cache
// with the ticket's request). The reference fix corrects the record; the
// resolver keeps the old answer until its TTL runs out (RFC 1035 3.2.1),
// and the Route 53 Resolver cannot be flushed by a customer, so check says
// WAIT (the fix is right, the clients do not see it yet) until the TTL
// has passed, then passes. scenarios test judges the world, which is
// right at once.

func addDNSCacheFaults() {
	catalogKinds = append(catalogKinds,
		&Kind{Name: "dns-record-stale-cache", Topic: TopicDNS, Difficulty: "medium",
			Doc:    "an A record points at an address nothing uses (a host was replaced), with a long TTL: the resolvers keep the wrong answer for the TTL after the record is corrected",
			Params: []Param{pZone, pName, {Name: "value", Doc: "the stale address (default: an unused one nearby)"}, {Name: "ttl", Doc: "the record's TTL in seconds", Default: "900"}},
			Codes:  []tracer.Code{tracer.NoRoute, tracer.SGNoEgressRule},
			apply:  applyRecordStale, candidates: candRecords("A")},
	)
}

func applyRecordStale(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	rel := relRecord(z.Name, p["name"])
	vals, ok := recordsOf(z, rel, "A")
	if !ok {
		return nil, fmt.Errorf("zone %s has no A record for %s", z.Name, rel)
	}
	ttl, err := strconv.Atoi(p["ttl"])
	if err != nil || ttl < 1 || ttl > 86400 {
		return nil, fmt.Errorf("ttl %q is not a number of seconds from 1 to 86400", p["ttl"])
	}
	wrong := p["value"]
	if wrong == "" {
		a, err := netip.ParseAddr(vals[0])
		if err != nil {
			return nil, fmt.Errorf("record %s A %s is not an address", rel, vals[0])
		}
		wrong = unusedNear(s, a).String()
	} else if a, err := netip.ParseAddr(wrong); err != nil || !a.Is4() {
		return nil, fmt.Errorf("value %q is not an IPv4 address", wrong)
	}
	c := &change{s: s}
	e := dnsSet(zoneRef(s, z), rel, "A", wrong)
	e.TTL = &ttl
	if err := c.do(e); err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("pointed %s A in zone %s at %s (TTL %d s) instead of %s; the resolvers keep that answer for the TTL", rel, z.Name, wrong, ttl, strings.Join(vals, ", "))
	return c.applied(summary, zoneComponent(z)), nil
}
