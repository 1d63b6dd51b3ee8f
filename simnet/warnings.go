package simnet

import (
	"fmt"
	"github.com/pathlab/pathlab/simnet/spec"
	"strings"
)

// Warnings returns what a world file says that loads but deserves a word:
// a route to a target that does not exist (a blackhole, as AWS keeps it),
// a route table that sends one zone's subnets to another zone's NAT
// gateway. Each has its file position when the world came from a file.
// `pathlab check` prints them; they never stop a world from loading.
func (w *World) Warnings() []spec.Problem {
	if w.locateWarnings != nil {
		w.warnOnce.Do(w.locateWarnings)
	}
	return append([]spec.Problem(nil), w.warnings...)
}

func (c *compiler) warnf(path, format string, args ...any) {
	c.warnings = append(c.warnings, spec.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
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
	return spec.NearestName(name, cands, limit)
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
