package simnet

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The names a spec declares, resolved in one place on the spec side: what
// a route may point at, and the did-you-mean of a name that is not there.
// Edits (which refuse a route to nothing) and compile (which warns about
// one) both ask here.

// nearestName is the candidate nearest to name by edit distance (case
// folded; the first in sort order on a tie), or "" when none is within
// limit.
func nearestName(name string, cands []string, limit int) string {
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
	if best := nearestName(name, routeTargetNames(s), 2); best != "" {
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
