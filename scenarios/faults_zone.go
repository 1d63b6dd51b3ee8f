package scenarios

import (
	"fmt"
	"slices"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// A target in a zone its balancer does not serve (issue 11): the
// balancer's node in one zone is removed (aws elbv2 set-subnets with the
// other subnets), so that zone's targets are Target.NotInUse ("Target is
// in an Availability Zone that is not enabled for the load balancer", ELB
// User Guide, "Target health status") and get no traffic, whatever the
// cross-zone setting. The balancer's DNS name stops answering with the
// removed node's address (ELB creates a node per enabled zone and its DNS
// name resolves to the nodes' addresses); a record that lists exactly the
// nodes' addresses follows them (simnet.LBSubnetsEdit).
// An application balancer keeps at least two zones (SetSubnets refuses
// fewer); a network balancer may keep one.

func addZoneFaults() {
	catalogKinds = append(catalogKinds,
		&Kind{Name: "lb-zone-disabled", Topic: TopicLoadBalancer, Difficulty: "hard",
			Doc: "the balancer's node in one zone is removed (set-subnets without that zone's subnet), with a target deregistered where given: targets in that zone are Target.NotInUse and get no traffic, even with cross-zone balancing on",
			Params: []Param{{Name: "lb", Doc: "the load balancer", Required: true}, {Name: "subnet", Doc: "the subnet whose node is removed", Required: true},
				{Name: "target", Doc: "a target deregistered at the same time (the remaining zones left without one)"}},
			Codes: []tracer.Code{tracer.LBZoneNoTargets, tracer.LBTargetNotInUse},
			apply: applyZoneDisabled, candidates: candZoneDisabled},
	)
	// Drawn for a generated scenario only when its topic is asked for, so
	// that the seeded draws of other scenarios stay as they were.
	ruleKinds["lb-zone-disabled"] = true
}

func isALB(l *spec.LoadBalancerSpec) bool { return l.Type == "application" || l.Type == "alb" }

func applyZoneDisabled(s *spec.WorldSpec, p Params) (*Applied, error) {
	var l *spec.LoadBalancerSpec
	for i := range s.VPCs {
		for j := range s.VPCs[i].LoadBalancers {
			if s.VPCs[i].LoadBalancers[j].Name == p["lb"] {
				l = &s.VPCs[i].LoadBalancers[j]
			}
		}
	}
	if l == nil {
		return nil, fmt.Errorf("no load balancer is named %q", p["lb"])
	}
	k := slices.IndexFunc(l.Nodes, func(n spec.LBNodeSpec) bool { return n.Subnet == p["subnet"] })
	if k < 0 {
		return nil, fmt.Errorf("%s has no node in subnet %q", l.Name, p["subnet"])
	}
	gone := l.Nodes[k]
	keep := spec.LBSubnetsEdit{LB: l.Name}
	for _, n := range l.Nodes {
		if n.Subnet != gone.Subnet {
			keep.Nodes = append(keep.Nodes, spec.LBNodeSpec{Subnet: n.Subnet})
		}
	}
	min := 1
	if isALB(l) {
		min = 2 // SetSubnets: an application balancer needs two zones
	}
	if len(keep.Nodes) < min {
		return nil, fmt.Errorf("%s would keep %d subnet(s); a %s load balancer needs at least %d", l.Name, len(keep.Nodes), l.Type, min)
	}
	c := &change{s: s}
	if err := c.do(keep); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("removed %s's node in subnet %s (set-subnets without it)", l.Name, gone.Subnet)
	if p["target"] != "" {
		if err := c.do(spec.LBTargetEdit{LB: l.Name, Op: "remove", Target: p["target"]}); err != nil {
			return nil, err
		}
		what += fmt.Sprintf(" and deregistered %s", p["target"])
	}
	return c.applied(what, l.Name), nil
}

// candZoneDisabled: a balancer that may lose a node (two zones left for an
// application balancer, one for a network balancer) whose zone holds a
// target, alone and with a target of another zone deregistered.
func candZoneDisabled(s *spec.WorldSpec) []Params {
	zoneOf := map[string]string{}   // subnet -> zone
	hostZone := map[string]string{} // instance -> zone
	for _, v := range s.VPCs {
		for _, sn := range v.Subnets {
			zoneOf[sn.Name] = sn.Zone
		}
	}
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			hostZone[in.Name] = zoneOf[in.Subnet]
		}
	}
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			min := 1
			if isALB(&l) {
				min = 2
			}
			if len(l.Nodes) <= min {
				continue
			}
			for _, n := range l.Nodes {
				z := zoneOf[n.Subnet]
				if z == "" {
					continue
				}
				for _, tg := range l.TargetGroups {
					if !slices.ContainsFunc(tg.Targets, func(t string) bool { return hostZone[t] == z }) {
						continue
					}
					out = append(out, Params{"lb": l.Name, "subnet": n.Subnet})
					// With a target of another zone out too, the zones
					// left may have none the balancer can use.
					for _, t := range tg.Targets {
						if hostZone[t] != z {
							out = append(out, Params{"lb": l.Name, "subnet": n.Subnet, "target": t})
						}
					}
					break
				}
			}
		}
	}
	return out
}
