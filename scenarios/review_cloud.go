package scenarios

import (
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet"
)

// zoneWarnings are the world's warnings that a fix brought in: a route
// table that now sends one zone's subnets through another zone's NAT
// gateway works, but costs cross-zone traffic and ties the subnets to that
// zone (VPC User Guide, NAT gateways: one per zone), and a route to a
// target that does not exist.
func zoneWarnings(st *Setup, fw *simnet.World) []Warning {
	var before []string
	if st.World != nil {
		for _, p := range st.World.Warnings() {
			before = append(before, p.Msg)
		}
	}
	var out []Warning
	for _, p := range fw.Warnings() {
		if slices.Contains(before, p.Msg) {
			continue
		}
		kind := "zones"
		if !strings.Contains(p.Msg, "NAT gateway") || strings.Contains(p.Msg, "does not exist") {
			kind = "world"
		}
		out = append(out, Warning{Kind: kind, Message: p.Msg})
	}
	return out
}
