package simnet

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Route 53 failover routing and "Evaluate target health" (issue 11):
//
//   - Failover routing (Route 53 Developer Guide, "Failover routing"): a
//     primary and a secondary record of the same name and type; Route 53
//     answers with the primary while it is healthy, with the secondary
//     when it is not ("Active-active and active-passive failover": "If all
//     the primary resources are unhealthy, Route 53 begins to include only
//     the healthy secondary resources").
//   - A record's health: a non-alias record without a health check, and
//     an alias with evaluate_health off, count as healthy; an alias with
//     evaluate_health on inherits its target's health (AliasTarget,
//     EvaluateTargetHealth: "an alias resource record set inherits the
//     health of the referenced AWS resource"). An application or network
//     balancer is healthy when every target group that contains targets
//     has at least one healthy target, and a target group with no
//     registered targets counts as unhealthy (same page).
//   - When every record of the group is unhealthy, Route 53 answers as if
//     all were healthy ("How Amazon Route 53 chooses records when health
//     checking is configured"): the failover policy then gives the
//     primary.
//   - With the simple routing policy (one record set per name, as worlds
//     had before failover) evaluate_health changes nothing: the record is
//     the whole group, so unhealthy or not it is the answer.
//
// Worlds model no standalone Route 53 health checks, so a non-alias
// failover record is always healthy. Route 53's name servers choose, so
// the authoritative replies (dig @ns) and the resolvers' lookups agree.

// failoverSet is a name's failover records.
type failoverSet struct {
	primary, secondary *failoverRec
}

type failoverRec struct {
	path     string
	addrs    []netip.Addr
	ttl      uint32
	lb       *lb    // the balancer an alias points at, if any
	target   string // the alias target, if an alias
	evaluate bool
	ready    bool // the addresses are known (after the zone's records)
}

func (z *zone) failoverOf(owner string) *failoverSet {
	if z.failover == nil {
		z.failover = map[string]*failoverSet{}
	}
	f := z.failover[owner]
	if f == nil {
		f = &failoverSet{}
		z.failover[owner] = f
	}
	return f
}

// simpleA notes an A record of the simple routing policy at owner.
func (c *compiler) simpleA(z *zone, owner string) {
	if z.simpleA == nil {
		z.simpleA = map[string]bool{}
	}
	z.simpleA[owner] = true
}

func (c *compiler) failoverRecord(path string, z *zone, owner, name string, rs spec.RecordSpec) {
	role := strings.ToLower(strings.TrimSpace(rs.Failover))
	if role != "primary" && role != "secondary" {
		c.errf(path+".failover", "failover is primary or secondary, not %q", rs.Failover)
		return
	}
	if !strings.EqualFold(rs.Type, "A") {
		c.errf(path+".type", "a failover record here is an A record (plain or alias), not %s", rs.Type)
		return
	}
	f := z.failoverOf(owner)
	rec := &failoverRec{path: path}
	if role == "primary" {
		if f.primary != nil {
			c.errf(path+".failover", "%s already has a primary failover record; Route 53 allows one primary and one secondary per name and type", name)
			return
		}
		f.primary = rec
	} else {
		if f.secondary != nil {
			c.errf(path+".failover", "%s already has a secondary failover record; Route 53 allows one primary and one secondary per name and type", name)
			return
		}
		f.secondary = rec
	}
	if rs.Alias != nil {
		if rs.Value != "" || len(rs.Values) > 0 || rs.TTL != nil {
			c.errf(path+".alias", "record %s is an alias: it takes its addresses and TTL from its target; remove value/values/ttl", name)
			return
		}
		target := strings.TrimSpace(rs.Alias.Target)
		if target == "" {
			c.errf(path+".alias.target", "an alias needs a target: a load balancer's name or a record of zone %s", strings.TrimSuffix(z.name, "."))
			return
		}
		rec.target, rec.evaluate = target, rs.Alias.EvaluateHealth
		c.later = append(c.later, func() {
			addrs, ttl, l, ok := c.aliasTarget(path, z, owner, name, target)
			if !ok {
				return
			}
			rec.addrs, rec.ttl, rec.lb, rec.ready = addrs, ttl, l, true
			c.failoverDone(path, z, owner, name, f, role)
		})
		return
	}
	vals := rs.AllValues()
	if len(vals) == 0 {
		c.errf(path, "record %s A has no value", name)
		return
	}
	rec.ttl = 300
	if rs.TTL != nil {
		if *rs.TTL < 0 || *rs.TTL > 2147483647 {
			c.errf(path+".ttl", "ttl %d is negative or too large; a TTL is 0 to 2147483647 seconds", *rs.TTL)
			return
		}
		rec.ttl = uint32(*rs.TTL)
	}
	for _, v := range vals {
		a, err := netip.ParseAddr(v)
		if err != nil || !a.Is4() {
			c.errf(path, "A record value %q is not an IPv4 address", v)
			return
		}
		rec.addrs = append(rec.addrs, a)
	}
	rec.ready = true
	c.later = append(c.later, func() { c.failoverDone(path, z, owner, name, f, role) })
}

// failoverDone checks a failover record against its group once the
// zone's records are all in, and gives the zone the primary's addresses
// (what the authoritative servers answer).
func (c *compiler) failoverDone(path string, z *zone, owner, name string, f *failoverSet, role string) {
	if z.simpleA[owner] {
		c.errf(path+".failover", "%s has a failover record and an A record without a routing policy; Route 53 refuses records of one name and type with different routing policies", name)
		return
	}
	if f.primary == nil {
		c.errf(path+".failover", "%s has a secondary failover record but no primary; add a record with failover: primary", name)
		return
	}
	for _, other := range z.data.Records(owner) {
		if other.Header().Rrtype == dns.TypeCNAME {
			c.errf(path, "%s has a CNAME and other records; a CNAME stands alone", name)
			return
		}
	}
	if role == "primary" {
		for _, a := range f.primary.addrs {
			z.data.Add(buildRR(record{name: owner, rtype: dns.TypeA, ttl: f.primary.ttl, value: a.String()}))
		}
	}
}

// recHealthy reports a failover record's health as Route 53 sees it, and why.
func (w *World) recHealthy(r *failoverRec) (bool, string) {
	if r.target == "" {
		return true, "a record without a health check counts as healthy"
	}
	if !r.evaluate {
		return true, "evaluate_health is off: the alias counts as healthy"
	}
	if r.lb == nil {
		return true, "alias to record " + r.target + ", which has no health check: healthy"
	}
	return w.lbHealthy(r.lb)
}

// lbHealthy is a balancer's health for Route 53: every target group
// with targets has a healthy one; a target group with none is unhealthy.
func (w *World) lbHealthy(l *lb) (bool, string) {
	for _, tg := range sortedGroups(l) {
		if len(tg.targets) == 0 {
			return false, fmt.Sprintf("balancer %s is unhealthy: target group %s has no registered targets", l.name, tg.name)
		}
		ok := false
		for _, h := range tg.targets {
			for _, node := range l.nodes {
				if r := w.healthOf(node, tg, h); r.ok {
					ok = true
				}
			}
		}
		if !ok {
			return false, fmt.Sprintf("balancer %s is unhealthy: no target of %s passes its health check", l.name, tg.name)
		}
	}
	return true, fmt.Sprintf("balancer %s is healthy: every target group has a healthy target", l.name)
}

func sortedGroups(l *lb) []*targetGroup {
	out := make([]*targetGroup, 0, len(l.tgs))
	for _, tg := range l.tgs {
		out = append(out, tg)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].name < out[j-1].name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// failoverAnswer chooses the failover record that answers for owner: the
// records and the words of the choice.
func (r *resolution) failoverAnswer(z *zone, owner string) ([]dns.RR, string) {
	return r.w.failoverAnswer(z, owner)
}

// failoverAnswer is the choice itself. Route 53's own name servers make
// it (the Developer Guide: "Route 53 responds to DNS queries using the
// primary record when it is healthy"), so an authoritative reply (dig @ns)
// and a resolver's answer agree.
func (w *World) failoverAnswer(z *zone, owner string) ([]dns.RR, string) {
	f := z.failover[owner]
	chosen, why := f.primary, ""
	pOK, pWhy := w.recHealthy(f.primary)
	switch {
	case pOK:
		why = "failover: the primary is healthy (" + pWhy + ")"
	case f.secondary == nil:
		why = "failover: the primary is unhealthy (" + pWhy + ") and there is no secondary: Route 53 answers with the primary"
	default:
		sOK, sWhy := w.recHealthy(f.secondary)
		if sOK {
			chosen, why = f.secondary, "failover: the primary is unhealthy ("+pWhy+"): Route 53 answers with the secondary ("+sWhy+")"
		} else {
			why = "failover: primary and secondary are both unhealthy (" + pWhy + "; " + sWhy + "): Route 53 answers as if both were healthy, with the primary"
		}
	}
	rrs := make([]dns.RR, 0, len(chosen.addrs))
	for _, a := range chosen.addrs {
		rrs = append(rrs, buildRR(record{name: owner, rtype: dns.TypeA, ttl: chosen.ttl, value: a.String()}))
	}
	return rrs, why
}
