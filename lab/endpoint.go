package lab

import (
	"fmt"
	"net/netip"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// VPC endpoints and prefix lists, as the simulation has them
// (simnet/endpoint.go, compile_hybrid.go), after the VPC User Guide and
// AWS PrivateLink:
//
//   - a prefix list named as an SG rule's source or destination, or as a
//     route's destination, stands for its CIDRs (one route per CIDR, so it
//     beats 0.0.0.0/0);
//   - a gateway endpoint is reached by a route to it: the lab links the
//     VPC's router straight to the namespace of the server that is the
//     service ("a service namespace"), so the source stays private, and
//     the reply comes back the same way;
//   - an interface endpoint is an interface in each of its subnets with its
//     security groups; it passes TCP connections on to the service (DNAT,
//     and its own address toward the service), answers no ping; its
//     private DNS makes its VPC's resolver answer the service's name with
//     the interfaces' addresses (TTL 60);
//   - an endpoint that is not available drops what reaches it.

// prefixListsOf maps the world's prefix lists to their CIDRs.
func prefixListsOf(s *spec.WorldSpec) map[string][]netip.Prefix {
	m := map[string][]netip.Prefix{}
	for _, pl := range s.PrefixLists {
		for _, c := range pl.CIDRs {
			if p, err := netip.ParsePrefix(c); err == nil {
				m[pl.Name] = append(m[pl.Name], p.Masked())
			}
		}
	}
	return m
}

func endpointActive(e spec.EndpointSpec) bool { return e.State == "" || e.State == "available" }

// EndpointNodeName is the lab's name for an interface endpoint's
// interface in a subnet.
func EndpointNodeName(ep, subnet string) string { return ep + "." + subnet }

// endpointTable is an interface endpoint's interface: its security
// groups on what comes in (before the translation), no ping, and TCP
// passed on to the service from the interface's own address toward it.
func endpointTable(active bool, private, server, toward netip.Addr, sg *Table) *Table {
	pre := &Chain{Name: "prerouting", Hook: "prerouting", Type: "nat", Priority: -100}
	post := &Chain{Name: "postrouting", Hook: "postrouting", Type: "nat", Priority: 100}
	filter := &Chain{Name: "ingress", Hook: "prerouting", Type: "filter", Priority: -150}
	if !active {
		filter.Rules = append(filter.Rules, FRule{IIF: "eth0", Verdict: "drop", Comment: "not available"})
	} else {
		filter.Rules = append(filter.Rules, FRule{IIF: "eth0", Proto: "icmp", Dst: host32(private), Verdict: "drop", Comment: "no ping"})
		// The security groups judge what enters the interface.
		for _, c := range sg.Chains {
			if c.Hook != "input" {
				continue
			}
			for _, r := range c.Rules {
				if r.IIF == "lo" {
					continue
				}
				if r.IIF == "" && !r.Established {
					r.IIF = "eth0"
				}
				filter.Rules = append(filter.Rules, r)
			}
		}
		pre.Rules = append(pre.Rules, FRule{IIF: "eth0", Dst: host32(private), Proto: "tcp", Verdict: "dnat", To: server})
		post.Rules = append(post.Rules, FRule{OIF: "svc", Verdict: "snat", To: toward})
	}
	return &Table{Name: "pathlab_vpce", Chains: []*Chain{filter, pre, post}}
}

// endpointZones are the private zones an interface endpoint's private DNS
// gives its VPC's resolver.
func endpointZones(v *spec.VPCSpec) []*zoneData {
	var out []*zoneData
	for _, e := range v.Endpoints {
		if e.Type != "interface" || !e.PrivateDNS || !endpointActive(e) {
			continue
		}
		z := &zoneData{name: fq(e.Service), records: map[string][]dns.RR{}}
		for _, i := range e.Interfaces {
			if rr, err := dns.NewRR(fmt.Sprintf("%s 60 IN A %s", z.name, i.PrivateIP)); err == nil {
				z.records[z.name] = append(z.records[z.name], rr)
			}
		}
		out = append(out, z)
	}
	return out
}

// srvIP is an internet server's address.
func srvIP(s *spec.WorldSpec, name string) string {
	for _, x := range s.Internet.Servers {
		if x.Name == name {
			return x.IP
		}
	}
	return ""
}
