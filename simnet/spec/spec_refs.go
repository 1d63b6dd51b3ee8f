package spec

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The names a spec declares, resolved in one place on the spec side:
// Refs finds a resource by name where it is declared (so that an edit, a
// fault or a fix changes it there), lists what a route may point at, and
// gives the did-you-mean of a name that is not there. Edits, the
// scenarios' faults, fixes and checks, and compile's route warnings all
// ask here instead of each walking the spec.

// Refs resolves names in a spec. Each finder returns nil when nothing has
// the name; a resource is found where it is declared, so writing through
// the pointer edits the spec.
type Refs struct{ s *WorldSpec }

// Refs returns the resolver of the names in s.
func (s *WorldSpec) Refs() Refs { return Refs{s} }

// SecurityGroup finds a security group and its VPC.
func (r Refs) SecurityGroup(name string) (*SecurityGroupSpec, *VPCSpec) {
	for i := range r.s.VPCs {
		v := &r.s.VPCs[i]
		for j := range v.SecurityGroups {
			if v.SecurityGroups[j].Name == name {
				return &v.SecurityGroups[j], v
			}
		}
	}
	return nil, nil
}

// ACL finds a network ACL.
func (r Refs) ACL(name string) *ACLSpec {
	for i := range r.s.VPCs {
		v := &r.s.VPCs[i]
		for j := range v.NetworkACLs {
			if v.NetworkACLs[j].Name == name {
				return &v.NetworkACLs[j]
			}
		}
	}
	return nil
}

// RouteTable finds a VPC's route table and its VPC.
func (r Refs) RouteTable(name string) (*RouteTableSpec, *VPCSpec) {
	for i := range r.s.VPCs {
		v := &r.s.VPCs[i]
		for j := range v.RouteTables {
			if v.RouteTables[j].Name == name {
				return &v.RouteTables[j], v
			}
		}
	}
	return nil, nil
}

// AnyRouteTable finds a route table of a VPC or of a transit gateway
// (whose tables take route edits too).
func (r Refs) AnyRouteTable(name string) *RouteTableSpec {
	if t, _ := r.RouteTable(name); t != nil {
		return t
	}
	for i := range r.s.TransitGateways {
		for j := range r.s.TransitGateways[i].RouteTables {
			if r.s.TransitGateways[i].RouteTables[j].Name == name {
				return &r.s.TransitGateways[i].RouteTables[j]
			}
		}
	}
	return nil
}

// Instance finds an instance and its VPC.
func (r Refs) Instance(name string) (*InstanceSpec, *VPCSpec) {
	for i := range r.s.VPCs {
		v := &r.s.VPCs[i]
		for j := range v.Instances {
			if v.Instances[j].Name == name {
				return &v.Instances[j], v
			}
		}
	}
	return nil, nil
}

// Host finds the services and firewall of an instance or an internet
// server.
func (r Refs) Host(name string) (*[]ServiceSpec, *[]FirewallRuleSpec) {
	if in, _ := r.Instance(name); in != nil {
		return &in.Services, &in.Firewall
	}
	for i := range r.s.Internet.Servers {
		if sv := &r.s.Internet.Servers[i]; sv.Name == name {
			return &sv.Services, &sv.Firewall
		}
	}
	return nil, nil
}

// LoadBalancer finds a load balancer.
func (r Refs) LoadBalancer(name string) *LoadBalancerSpec {
	for i := range r.s.VPCs {
		v := &r.s.VPCs[i]
		for j := range v.LoadBalancers {
			if v.LoadBalancers[j].Name == name {
				return &v.LoadBalancers[j]
			}
		}
	}
	return nil
}

// Cert finds a certificate.
func (r Refs) Cert(name string) *CertSpec {
	for i := range r.s.Certificates {
		if r.s.Certificates[i].Name == name {
			return &r.s.Certificates[i]
		}
	}
	return nil
}

// Peering finds a peering and its index in the spec; -1 when absent.
func (r Refs) Peering(name string) (*PeeringSpec, int) {
	for i := range r.s.Peerings {
		if r.s.Peerings[i].Name == name {
			return &r.s.Peerings[i], i
		}
	}
	return nil, -1
}

// VPC finds a VPC.
func (r Refs) VPC(name string) *VPCSpec {
	for i := range r.s.VPCs {
		if r.s.VPCs[i].Name == name {
			return &r.s.VPCs[i]
		}
	}
	return nil
}

// RouteTargets are the names a route can point at (see routeTargetNames).
func (r Refs) RouteTargets() []string { return routeTargetNames(r.s) }

// HasRouteTarget reports whether a route can point at name: blackhole or
// one of RouteTargets.
func (r Refs) HasRouteTarget(name string) bool { return specHasRouteTarget(r.s, name) }

// RouteTargetNotFound is the refusal of a route to a target that does not
// exist, with the nearest name when one is near.
func (r Refs) RouteTargetNotFound(name string) error { return routeTargetNotFound(r.s, name) }

// nearestName is the candidate nearest to name by edit distance (case
// folded; the first in sort order on a tie), or "" when none is within
// limit.
func NearestName(name string, cands []string, limit int) string {
	sort.Strings(cands)
	best, bestD := "", limit+1
	ln := strings.ToLower(name)
	for _, n := range cands {
		if d := editDistance(ln, strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// specHasRouteTarget reports whether name is something a route can point
// at in s: blackhole, or one of routeTargetNames. The API refuses a new
// route to anything else (CreateRoute and ReplaceRoute answer
// InvalidGatewayID.NotFound and the like), although a route whose target
// is deleted later stays, as a blackhole.
func specHasRouteTarget(s *WorldSpec, name string) bool {
	return name == "blackhole" || slices.Contains(routeTargetNames(s), name)
}

// routeTargetNotFound is the refusal of a route edit to a target that does
// not exist, with the nearest name when one is near.
func routeTargetNotFound(s *WorldSpec, name string) error {
	if best := NearestName(name, routeTargetNames(s), 2); best != "" {
		return fmt.Errorf("route target %q does not exist; did you mean %q?", name, best)
	}
	return fmt.Errorf("route target %q does not exist; name an internet gateway, NAT gateway, peering or instance, or blackhole", name)
}

// routeTargetNames are the names in s a route can point at: internet
// gateways, NAT gateways, peerings, instances, and the hybrid extensions'
// transit gateways and their attachments (a transit gateway table's
// targets), virtual private gateways and VPC endpoints.
func routeTargetNames(s *WorldSpec) []string {
	var names []string
	for _, p := range s.Peerings {
		names = append(names, p.Name)
	}
	for _, g := range s.TransitGateways {
		names = append(names, g.Name)
		for _, a := range g.Attachments {
			names = append(names, a.Name)
		}
	}
	for i := range s.VPCs {
		v := &s.VPCs[i]
		if v.InternetGateway != "" {
			names = append(names, v.InternetGateway)
		}
		for _, n := range v.NATGateways {
			names = append(names, n.Name)
		}
		for _, h := range v.Instances {
			names = append(names, h.Name)
		}
		if v.VPNGateway != "" {
			names = append(names, v.VPNGateway)
		}
		for _, e := range v.Endpoints {
			names = append(names, e.Name)
		}
	}
	return names
}
