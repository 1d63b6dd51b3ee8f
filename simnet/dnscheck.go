package simnet

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Route 53 and the VPC resolver (issue 11):
//
//   - An alias record (Route 53 Developer Guide, "Choosing between alias
//     and non-alias records") answers with the addresses of its target, a
//     load balancer or another record of the same zone; unlike a CNAME it
//     may sit at the zone apex, and it has no TTL of its own (the
//     target's: 60 seconds for an ELB). evaluate_health matters with the
//     failover routing policy (failover.go); with the simple policy (one
//     record set per name) Route 53 answers the same either way (when
//     every record of a name is unhealthy it answers as if all were
//     healthy).
//   - A CNAME at the apex is refused (RFC 1034 section 3.6.2; Route 53:
//     "You can't create a CNAME record at the zone apex").
//   - enable_dns_support false: the Amazon-provided resolver does not
//     answer, so instances' queries time out. enable_dns_hostnames false:
//     private hosted zones are not answered (VPC User Guide, "DNS
//     attributes for your VPC": a private hosted zone needs both).

// aliasTTL is the TTL Route 53 gives an alias to a load balancer.
const aliasTTL = 60

func (c *compiler) aliasRecord(path string, z *zone, owner, name string, rs spec.RecordSpec) {
	t := strings.ToUpper(rs.Type)
	if t != "A" {
		c.errf(path+".type", "an alias record has type A (it answers with its target's IPv4 addresses), not %s", rs.Type)
		return
	}
	if rs.Value != "" || len(rs.Values) > 0 {
		c.errf(path+".alias", "record %s is an alias: it takes its addresses from its target; remove value/values", name)
		return
	}
	if rs.TTL != nil {
		c.errf(path+".ttl", "an alias record has no TTL of its own (Route 53 uses the target's); remove ttl")
		return
	}
	target := strings.TrimSpace(rs.Alias.Target)
	if target == "" {
		c.errf(path+".alias.target", "an alias needs a target: a load balancer's name or a record of zone %s", strings.TrimSuffix(z.name, "."))
		return
	}
	c.later = append(c.later, func() {
		addrs, ttl, _, ok := c.aliasTarget(path, z, owner, name, target)
		if !ok {
			return
		}
		for _, other := range z.data.Records(owner) {
			if other.Header().Rrtype == dns.TypeCNAME {
				c.errf(path, "%s has a CNAME and other records; a CNAME stands alone", name)
				return
			}
		}
		for _, a := range addrs {
			z.data.Add(buildRR(record{name: owner, rtype: dns.TypeA, ttl: ttl, value: a.String()}))
		}
	})
}

// aliasTarget is what an alias answers with: the addresses of its target
// (a balancer's nodes, or another A record of the zone), their TTL, and
// the balancer; false after recording why the target is not one.
func (c *compiler) aliasTarget(path string, z *zone, owner, name, target string) ([]netip.Addr, uint32, *lb, bool) {
	var addrs []netip.Addr
	ttl := uint32(aliasTTL)
	if l := c.w.lbs[target]; l != nil {
		for _, n := range l.nodes {
			a := n.public
			if l.internal || !a.IsValid() {
				a = n.private
			}
			if a.IsValid() {
				addrs = append(addrs, a)
			}
		}
		return addrs, ttl, l, true
	}
	towner := fqdn(target + "." + z.name)
	if strings.HasSuffix(target, ".") || dns.IsSubDomain(z.name, fqdn(target)) {
		towner = fqdn(target)
	}
	if towner == owner {
		c.errf(path+".alias.target", "alias %s points at itself", name)
		return nil, 0, nil, false
	}
	for _, rr := range z.data.Records(towner) {
		if a, ok := rr.(*dns.A); ok {
			if ad, ok := netip.AddrFromSlice(a.A.To4()); ok {
				addrs = append(addrs, ad)
				ttl = a.Hdr.Ttl
			}
		}
	}
	if len(addrs) == 0 {
		c.errf(path+".alias.target", "alias target %q is neither a load balancer nor an A record of zone %s", target, strings.TrimSuffix(z.name, "."))
		return nil, 0, nil, false
	}
	return addrs, ttl, nil, true
}

// dnsSupportOff answers a query to a VPC resolver that is turned off:
// nothing answers, the client times out.
func (r *resolution) dnsSupportOff(v *vpc, addr netip.Addr) {
	r.fail(v.name+"-resolver", tracer.KindVPCResolver, tracer.DNSTimeout, dns.RcodeServerFailure,
		fmt.Sprintf("VPC %s has enable_dns_support off: the Amazon-provided resolver at %s does not answer, so the query times out", v.name, addr),
		fmt.Sprintf("turn enable_dns_support on for VPC %s", v.name))
}
