package lab

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// aliasTTL is the TTL Route 53 gives an alias to a balancer (the
// simulation's too: simnet/dnscheck.go).
const aliasTTL = 60

// alias adds a Route 53 alias record to the zone: A records with its
// target's addresses, as Route 53 answers an alias (Route 53 Developer
// Guide, "Choosing between alias and non-alias records": the response
// holds the target's IP addresses, no CNAME). A balancer's target is its
// nodes' public addresses (private ones for an internal balancer, or a
// node without a public address); a record's target is that record's A
// addresses, with its TTL.
func (z *zoneData) alias(s *spec.WorldSpec, r spec.RecordSpec) {
	owner := z.owner(r.Name)
	target := strings.TrimSpace(r.Alias.Target)
	var addrs []netip.Addr
	ttl := uint32(aliasTTL)
	if lb := findLB(s, target); lb != nil {
		for _, n := range lb.Nodes {
			a := addrOf(n.PublicIP)
			if lb.Scheme == "internal" || !a.IsValid() {
				a = addrOf(n.PrivateIP)
			}
			if a.IsValid() {
				addrs = append(addrs, a)
			}
		}
	} else {
		towner := fq(target + "." + z.name)
		if strings.HasSuffix(target, ".") || dns.IsSubDomain(z.name, fq(target)) {
			towner = fq(target)
		}
		for _, rr := range z.records[towner] {
			if a, ok := rr.(*dns.A); ok {
				if ad, ok := netip.AddrFromSlice(a.A.To4()); ok {
					addrs = append(addrs, ad)
					ttl = a.Hdr.Ttl
				}
			}
		}
	}
	for _, a := range addrs {
		if rr, err := dns.NewRR(fmt.Sprintf("%s %d IN A %s", owner, ttl, a)); err == nil {
			z.records[owner] = append(z.records[owner], rr)
		}
	}
}

// owner is the owner name of a record named name in the zone.
func (z *zoneData) owner(name string) string {
	switch {
	case name == "@" || name == "":
		return z.name
	case strings.HasSuffix(name, "."):
		return fq(name)
	}
	return fq(name + "." + z.name)
}

func findLB(s *spec.WorldSpec, name string) *spec.LoadBalancerSpec {
	for vi := range s.VPCs {
		for li := range s.VPCs[vi].LoadBalancers {
			if s.VPCs[vi].LoadBalancers[li].Name == name {
				return &s.VPCs[vi].LoadBalancers[li]
			}
		}
	}
	return nil
}
