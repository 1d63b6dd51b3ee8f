package simnet

import (
	"fmt"
	"hash"
	"hash/fnv"
	"net/netip"
	"sort"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// RuleSet is the ordered rules of one network ACL direction or one
// security group direction, as values.
type RuleSet struct {
	Kind    tracer.RuleKind // RuleACL or RuleSG
	Owner   string
	Ingress bool
	Rules   []*tracer.Rule // ACLs: by rule number; groups: as written
}

// RuleSets lists the world's network ACL and security group rules, in
// file order (each ACL's ingress then egress, then each group's).
func (w *World) RuleSets() []RuleSet {
	var out []RuleSet
	for _, vs := range w.spec.VPCs {
		for _, as := range vs.NetworkACLs {
			a := w.acls[as.Name]
			if a == nil {
				continue
			}
			for _, d := range []struct {
				rules   []aclRule
				ingress bool
			}{{a.ingress, true}, {a.egress, false}} {
				rs := RuleSet{Kind: tracer.RuleACL, Owner: a.name, Ingress: d.ingress}
				for i := range d.rules {
					rs.Rules = append(rs.Rules, &d.rules[i].rule)
				}
				out = append(out, rs)
			}
		}
	}
	for _, vs := range w.spec.VPCs {
		for _, gs := range vs.SecurityGroups {
			g := w.sgs[gs.Name]
			if g == nil {
				continue
			}
			for _, ingress := range []bool{true, false} {
				rs := RuleSet{Kind: tracer.RuleSG, Owner: g.name, Ingress: ingress}
				rules := g.tracerRules(ingress) // sgindex.go
				for i := range rules {
					rs.Rules = append(rs.Rules, &rules[i])
				}
				out = append(out, rs)
			}
		}
	}
	return out
}

// PublishedAddrs are the addresses the public zones name (A records): what
// the world means to be found on the internet.
func (w *World) PublishedAddrs() map[netip.Addr]bool {
	out := map[netip.Addr]bool{}
	for _, z := range w.zones {
		if z.private {
			continue
		}
		z.data.Owners(func(_ string, rrs []dns.RR) {
			for _, rr := range rrs {
				if a, ok := rr.(*dns.A); ok {
					if ad, ok := netip.AddrFromSlice(a.A.To4()); ok {
						out[ad] = true
					}
				}
			}
		})
	}
	return out
}

// Groups lists the security groups an endpoint carries.
func (e Endpoint) Groups() []string {
	var out []string
	for _, g := range e.ifc.sgs {
		out = append(out, g.name)
	}
	return out
}

// Internal reports whether a balancer endpoint is internal.
func (e Endpoint) Internal() bool { return e.ifc.lb != nil && e.ifc.lb.internal }

// Profile is the endpoint's class: endpoints of one profile meet the same
// decisions.
func (r *Reach) Profile(e Endpoint) int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.profile(e.ifc)
}

// Signature sums up what the flows of an endpoint depend on beyond its
// profile: the rules of its groups, of its subnet's ACL and route table.
// Two worlds where an endpoint has the same signature (and the same
// GlobalSignature) give its flows the same verdicts, so a diff need only
// walk the flows of endpoints whose signature changed.
func (r *Reach) Signature(e Endpoint) uint64 {
	h := fnv.New64a()
	r.mu.Lock()
	h.Write([]byte(r.keyOf[r.profile(e.ifc)]))
	r.mu.Unlock()
	for _, g := range e.ifc.sgs {
		for _, ingress := range []bool{true, false} {
			h.Write([]byte{'|'})
			g.hashWords(h, ingress) // sgindex.go
		}
	}
	if sn := e.ifc.subnet; sn != nil {
		hashSubnet(h, sn)
	}
	return h.Sum64()
}

func hashSubnet(h hash.Hash64, sn *subnet) {
	if a := sn.acl; a != nil {
		for _, rules := range [][]aclRule{a.ingress, a.egress} {
			h.Write([]byte{'|'})
			for i := range rules {
				h.Write([]byte(rules[i].text))
			}
		}
	}
	if rt := sn.rt; rt != nil {
		for _, x := range rt.routes {
			h.Write([]byte(x.text))
			h.Write([]byte{byte(x.kind)})
		}
	}
}

// GlobalSignature sums up what every flow may depend on: peerings, gateways
// (and the subnets of NAT gateways), balancers, internet hosts.
func (r *Reach) GlobalSignature() uint64 {
	h := fnv.New64a()
	s := r.w.spec
	fmt.Fprintf(h, "%v|%v|%v", s.Peerings, s.Internet, s.Certificates)
	for _, v := range s.VPCs {
		fmt.Fprintf(h, "|%s %s %s %v %v", v.Name, v.CIDR, v.InternetGateway, v.NATGateways, v.LoadBalancers)
	}
	names := make([]string, 0, len(r.w.nats))
	for n := range r.w.nats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if sn := r.w.nats[n].iface.subnet; sn != nil {
			hashSubnet(h, sn)
		}
	}
	return h.Sum64()
}
