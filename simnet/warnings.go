package simnet

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Warnings returns what a world file says that loads but deserves a word:
// a route to a target that does not exist (a blackhole, as AWS keeps it),
// a route table that sends one zone's subnets to another zone's NAT
// gateway. Each has its file position when the world came from a file.
// `pathlab check` prints them; they never stop a world from loading.
func (w *World) Warnings() []Problem {
	return append([]Problem(nil), w.warnings...)
}

func (c *compiler) warnf(path, format string, args ...any) {
	c.warnings = append(c.warnings, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// missingTarget warns about a route whose target names nothing in the
// world. AWS keeps a route after its target (a NAT gateway, a peering, an
// instance) is deleted and shows it as "blackhole" (VPC User Guide, route
// tables: "Blackhole" status); the trace treats it so. A typo looks the
// same, so the warning suggests the nearest target of the VPC.
func (c *compiler) missingTarget(path string, v *vpc, target string) {
	msg := fmt.Sprintf("route target %q does not exist, so the route is a blackhole (as AWS keeps a route whose target was deleted)", target)
	if near := c.nearestTarget(v, target); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	} else {
		msg += fmt.Sprintf("; name an internet gateway, NAT gateway, peering or instance of VPC %s, or write blackhole", v.name)
	}
	c.warnf(path, "%s", msg)
}

// nearestTarget is the route target of VPC v nearest to name by edit
// distance, or "" when none is near.
func (c *compiler) nearestTarget(v *vpc, name string) string {
	var cands []string
	if v.igw != "" {
		cands = append(cands, v.igw)
	}
	for n, g := range c.w.nats {
		if g.iface.vpc == v {
			cands = append(cands, n)
		}
	}
	for n, p := range c.w.peerings {
		if p.other(v) != nil {
			cands = append(cands, n)
		}
	}
	for _, h := range v.instances {
		cands = append(cands, h.name)
	}
	limit := 2
	if len(name) > 8 {
		limit = 3
	}
	return nearestName(name, cands, limit)
}

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

// NAT gateway states, as DescribeNatGateways reports them.
var natStates = []string{"available", "pending", "failed", "deleting", "deleted"}

// natState checks a NAT gateway's state; empty means available.
func (c *compiler) natState(path, s string) string {
	if s == "" {
		return "available"
	}
	for _, ok := range natStates {
		if s == ok {
			return s
		}
	}
	c.errf(path, "state %q is not one of %s", s, strings.Join(natStates, ", "))
	return "available"
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
