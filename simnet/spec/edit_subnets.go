package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// LBSubnetsEdit sets the subnets, and so the zones, a balancer has nodes
// in, as `aws elbv2 set-subnets` does (ELB API reference, SetSubnets:
// "Enables the Availability Zones for the specified public subnets";
// the subnets given replace the previous ones):
//
//	lb NAME subnets SUBNET[=PRIVATE_IP[,PUBLIC_IP]] ...
//
// A subnet that keeps its node is named alone; a new one gives the new
// node's addresses. An application balancer keeps at least two zones
// (ELB refuses fewer; world validation says so too). An A record that
// lists exactly the balancer's node addresses follows the nodes, as the
// balancer's own DNS name does.
type LBSubnetsEdit struct {
	LB string
	// Nodes in order; a node with no PrivateIP keeps its existing one.
	Nodes []LBNodeSpec
}

func init() {
	EditUsage["lb"] = append(EditUsage["lb"], "lb NAME subnets SUBNET[=PRIVATE_IP[,PUBLIC_IP]] ...")
}

func parseLBSubnetsEdit(w []string) (Edit, error) {
	if len(w) < 4 {
		return nil, wordCount("lb", "subnets takes one or more SUBNET[=PRIVATE_IP[,PUBLIC_IP]]")
	}
	e := LBSubnetsEdit{LB: w[1]}
	for _, a := range w[3:] {
		sub, addr, has := strings.Cut(a, "=")
		if err := nameArg("lb", "subnet", sub); err != nil {
			return nil, err
		}
		n := LBNodeSpec{Subnet: sub}
		if has {
			priv, pub, _ := strings.Cut(addr, ",")
			if _, err := netip.ParseAddr(priv); err != nil {
				return nil, usagef("lb", "%q: the node's private address is not an IP address (want SUBNET=PRIVATE_IP[,PUBLIC_IP])", a)
			}
			n.PrivateIP = priv
			if pub != "" {
				if _, err := netip.ParseAddr(pub); err != nil {
					return nil, usagef("lb", "%q: the node's public address is not an IP address (want SUBNET=PRIVATE_IP[,PUBLIC_IP])", a)
				}
				n.PublicIP = pub
			}
		}
		if slices.ContainsFunc(e.Nodes, func(o LBNodeSpec) bool { return o.Subnet == sub }) {
			return nil, usagef("lb", "subnet %s is named twice", sub)
		}
		e.Nodes = append(e.Nodes, n)
	}
	return e, nil
}

func (e LBSubnetsEdit) String() string {
	w := []string{"lb", e.LB, "subnets"}
	for _, n := range e.Nodes {
		a := n.Subnet
		if n.PrivateIP != "" {
			a += "=" + n.PrivateIP
			if n.PublicIP != "" {
				a += "," + n.PublicIP
			}
		}
		w = append(w, a)
	}
	return JoinLine(w)
}

func (e LBSubnetsEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBSubnetsEdit) apply(s *WorldSpec) (Edit, string, error) {
	l := specLB(s, e.LB)
	if l == nil {
		return nil, "", fmt.Errorf("no load balancer is named %q", e.LB)
	}
	if len(e.Nodes) == 0 {
		return nil, "", fmt.Errorf("name at least one subnet for %s", e.LB)
	}
	var nodes []LBNodeSpec
	for _, n := range e.Nodes {
		if n.PrivateIP != "" {
			nodes = append(nodes, n)
			continue
		}
		i := slices.IndexFunc(l.Nodes, func(o LBNodeSpec) bool { return o.Subnet == n.Subnet })
		if i < 0 {
			return nil, "", fmt.Errorf("%s has no node in subnet %s: give the new node's address as %s=PRIVATE_IP[,PUBLIC_IP]", e.LB, n.Subnet, n.Subnet)
		}
		nodes = append(nodes, l.Nodes[i])
	}
	// The undo names every old subnet with its addresses, so that a
	// removed node comes back as it was.
	undo := LBSubnetsEdit{LB: e.LB}
	var was, now []string
	for _, n := range l.Nodes {
		u := n
		if slices.ContainsFunc(nodes, func(o LBNodeSpec) bool { return o == n }) {
			u = LBNodeSpec{Subnet: n.Subnet}
		}
		undo.Nodes = append(undo.Nodes, u)
		was = append(was, n.Subnet)
	}
	for _, n := range nodes {
		now = append(now, n.Subnet)
	}
	before, after := nodeAddrs(l, l.Nodes), nodeAddrs(l, nodes)
	l.Nodes = nodes
	msg := fmt.Sprintf("%s: nodes in subnets %s (was %s)", e.LB, strings.Join(now, ", "), strings.Join(was, ", "))
	// A record that lists exactly the balancer's node addresses stands for
	// the balancer's DNS name, which answers with one address per enabled
	// zone: it follows the nodes.
	if !slices.Equal(before, after) {
		for i := range s.DNS.Zones {
			z := &s.DNS.Zones[i]
			for j := range z.Records {
				r := &z.Records[j]
				if r.Alias != nil || !strings.EqualFold(r.Type, "A") || !sameSet(r.AllValues(), before) {
					continue
				}
				r.Value, r.Values = "", slices.Clone(after)
				msg += fmt.Sprintf("; %s in %s now answers %s", r.Name, z.Name, strings.Join(after, ", "))
			}
		}
	}
	return undo, msg, nil
}

// nodeAddrs are the addresses a balancer's name answers with for nodes:
// public ones for an internet-facing balancer, private ones otherwise.
func nodeAddrs(l *LoadBalancerSpec, nodes []LBNodeSpec) []string {
	var out []string
	for _, n := range nodes {
		if l.Scheme == "internet-facing" && n.PublicIP != "" {
			out = append(out, n.PublicIP)
		} else {
			out = append(out, n.PrivateIP)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
