package scenarios

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Fault kinds of issue 11's constructs: a partial ephemeral range, an
// instance that routes with its source/destination check on, cross-zone
// load balancing, a deregistered target, a NAT gateway replaced while the
// routes still name the old one.

func addCloudFaults() {
	pLB := Param{Name: "lb", Doc: "the load balancer", Required: true}
	catalogKinds = append(catalogKinds,
		&Kind{Name: "nacl-ephemeral-partial", Topic: TopicNACL, Difficulty: "hard",
			Doc:    "a deny rule for part of the clients' ephemeral range goes in ahead of the allow: connections that draw a port there hang, the others work (intermittent)",
			Params: []Param{pACL, pDir, {Name: "cidr", Doc: "the clients' CIDR the deny names", Required: true}, {Name: "ports", Doc: "the denied part of the range", Default: "32768-35000"}, {Name: "rule", Doc: "the deny rule's number", Default: "90"}},
			Codes:  []tracer.Code{tracer.NACLEphemeralPartial},
			apply:  applyNACLEphemeralPartial, candidates: candEphemeralPartial},
		&Kind{Name: "nat-instance-check-on", Topic: TopicRouting, Difficulty: "medium",
			Doc:    "a route table's default route goes to an instance acting as a NAT instance, whose source/destination check is on (the default): it drops what it should forward",
			Params: []Param{{Name: "table", Doc: "the route table", Required: true}, pHost},
			Codes:  []tracer.Code{tracer.SrcDstCheck},
			apply:  applyNATInstanceCheckOn, candidates: candNATInstance},
		&Kind{Name: "lb-cross-zone-off", Topic: TopicLoadBalancer, Difficulty: "hard",
			Doc:    "cross-zone load balancing is turned off (with a target deregistered, where given): each node sends only to its own zone's targets, and a zone left without one fails",
			Params: []Param{pLB, {Name: "target", Doc: "a target deregistered at the same time (a zone left without targets)"}},
			Codes:  []tracer.Code{tracer.LBZoneNoTargets},
			apply:  applyCrossZoneOff, candidates: candCrossZone},
		&Kind{Name: "lb-target-deregistered", Topic: TopicLoadBalancer, Difficulty: "medium",
			Doc:    "one target is deregistered from its target group; where cross-zone balancing is off, its zone's node has nothing to send to",
			Params: []Param{pLB, {Name: "target", Doc: "the instance", Required: true}},
			Codes:  []tracer.Code{tracer.LBZoneNoTargets, tracer.LBNoTargets},
			apply:  applyTargetDeregistered, candidates: candTargets},
		&Kind{Name: "nat-gateway-replaced", Topic: TopicNAT, Difficulty: "medium",
			Doc:    "the NAT gateway is deleted and re-created under a new name; the route tables still name the old one, which AWS keeps as a blackhole",
			Params: []Param{{Name: "nat", Doc: "the NAT gateway", Required: true}, {Name: "new", Doc: "the new gateway's name (default: NAME-2)"}},
			Codes:  []tracer.Code{tracer.RouteBlackhole},
			apply:  applyNATReplaced, candidates: candNATs},
		&Kind{Name: "dns-alias-wrong-target", Topic: TopicDNS, Difficulty: "medium",
			Doc:    "a name becomes a Route 53 alias to the wrong balancer: it resolves, to addresses that do not serve the request",
			Params: []Param{pZone, pName, {Name: "target", Doc: "the balancer the alias wrongly points at", Required: true}},
			Codes:  []tracer.Code{tracer.LBNoListener, tracer.TLSNameMismatch},
			apply:  applyAliasWrong, candidates: candAliasWrong},
	)
}

func applyNACLEphemeralPartial(s *spec.WorldSpec, p Params) (*Applied, error) {
	a := findACL(s, p["acl"])
	if a == nil {
		return nil, fmt.Errorf("no network ACL is named %q", p["acl"])
	}
	dir := p["direction"]
	if dir != "ingress" && dir != "egress" {
		return nil, fmt.Errorf("direction %q is not ingress or egress", dir)
	}
	num, err := strconv.Atoi(p["rule"])
	if err != nil {
		return nil, fmt.Errorf("rule %q is not a number", p["rule"])
	}
	r := spec.ACLRuleSpec{Rule: num, Protocol: "tcp", Ports: spec.Ports{Text: p["ports"]}, CIDR: p["cidr"], Action: "deny"}
	if _, _, err := r.Ports.Range(); err != nil {
		return nil, err
	}
	c := &change{s: s}
	if err := c.do(naclEdit("add", a.Name, dir, r)); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("added %s %s %s ahead of the ephemeral allow", a.Name, dir, spec.ACLRuleText(r)), a.Name), nil
}

func candEphemeralPartial(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, a := range v.NetworkACLs {
			for _, dir := range []string{"ingress", "egress"} {
				for _, r := range *aclRules(&a, dir) {
					if isEphemeralRule(r) && r.Rule > 1 {
						out = append(out, Params{"acl": a.Name, "direction": dir, "cidr": r.CIDR, "rule": strconv.Itoa(r.Rule - 1)})
						break
					}
				}
			}
		}
	}
	return out
}

func applyNATInstanceCheckOn(s *spec.WorldSpec, p Params) (*Applied, error) {
	c := &change{s: s}
	if err := c.do(spec.RouteEdit{Table: p["table"], Op: "replace", Dest: defaultRoute, Target: p["host"]}); err != nil {
		return nil, err
	}
	if err := c.do(spec.SrcDstEdit{Instance: p["host"], On: true}); err != nil {
		return nil, err
	}
	// The operator set the instance up as the NAT guide says, security
	// group included: its group admits the VPC's traffic and lets it out
	// (VPC User Guide, "NAT instances"); the group of an instance filters
	// what it forwards too (simnet/appliance_sg.go). Only the check is left.
	if err := natInstanceGroup(c, s, p["host"]); err != nil {
		return nil, err
	}
	a := c.applied(fmt.Sprintf("%s's default route now goes to %s as a NAT instance, with its source/destination check on", p["table"], p["host"]), p["host"])
	// The operator's fix keeps the NAT instance and turns the check off.
	a.Fix = []spec.Edit{spec.SrcDstEdit{Instance: p["host"], On: false}}
	return a, nil
}

var defaultRoute = netip.MustParsePrefix("0.0.0.0/0")

// natInstanceGroup opens host's first security group to what a NAT
// instance forwards: everything from its VPC in, everything out.
func natInstanceGroup(c *change, s *spec.WorldSpec, host string) error {
	for _, v := range s.VPCs {
		for _, in := range v.Instances {
			if in.Name != host || len(in.SecurityGroups) == 0 {
				continue
			}
			g := in.SecurityGroups[0]
			if err := c.do(spec.SGRuleEdit{Group: g, Op: "add", Dir: "ingress", Rule: spec.SGRuleSpec{Protocol: "all", Source: v.CIDR}}); err != nil {
				return err
			}
			return c.do(spec.SGRuleEdit{Group: g, Op: "add", Dir: "egress", Rule: spec.SGRuleSpec{Protocol: "all", Destination: "0.0.0.0/0"}})
		}
	}
	return nil
}

func candNATInstance(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, rt := range v.RouteTables {
			for _, r := range rt.Routes {
				if r.Destination != "0.0.0.0/0" {
					continue
				}
				for _, in := range v.Instances {
					if in.PublicIP != "" {
						out = append(out, Params{"table": rt.Name, "host": in.Name})
					}
				}
			}
		}
	}
	return out
}

func applyCrossZoneOff(s *spec.WorldSpec, p Params) (*Applied, error) {
	c := &change{s: s}
	if err := c.do(spec.CrossZoneEdit{LB: p["lb"], On: false}); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("turned cross-zone load balancing off on %s", p["lb"])
	if p["target"] != "" {
		if err := c.do(spec.LBTargetEdit{LB: p["lb"], Op: "remove", Target: p["target"]}); err != nil {
			return nil, err
		}
		what += fmt.Sprintf(" and deregistered %s", p["target"])
	}
	return c.applied(what, p["lb"]), nil
}

func candCrossZone(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			out = append(out, Params{"lb": l.Name})
		}
	}
	return out
}

func applyTargetDeregistered(s *spec.WorldSpec, p Params) (*Applied, error) {
	c := &change{s: s}
	if err := c.do(spec.LBTargetEdit{LB: p["lb"], Op: "remove", Target: p["target"]}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("deregistered %s from %s", p["target"], p["lb"]), p["lb"]), nil
}

func candTargets(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, tg := range l.TargetGroups {
				for _, t := range tg.Targets {
					out = append(out, Params{"lb": l.Name, "target": t})
				}
			}
		}
	}
	return out
}

func applyNATReplaced(s *spec.WorldSpec, p Params) (*Applied, error) {
	old, nu := p["nat"], p["new"]
	if nu == "" {
		nu = old + "-2"
	}
	c := &change{s: s}
	var tables []string
	var fix []spec.Edit
	for _, v := range s.VPCs {
		for _, rt := range v.RouteTables {
			for _, r := range rt.Routes {
				if r.Target != old {
					continue
				}
				dst, err := netip.ParsePrefix(r.Destination)
				if err != nil {
					continue
				}
				tables = append(tables, rt.Name)
				fix = append(fix, spec.RouteEdit{Table: rt.Name, Op: "replace", Dest: dst, Target: nu})
			}
		}
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("no route names NAT gateway %s", old)
	}
	if err := c.do(spec.NATReplaceEdit{NAT: old, New: nu}); err != nil {
		return nil, err
	}
	a := c.applied(fmt.Sprintf("NAT gateway %s was deleted and re-created as %s; %v still route to %s", old, nu, tables, old), tables...)
	// The operator points the routes at the new gateway.
	a.Fix = fix
	return a, nil
}

func candNATs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, n := range v.NATGateways {
			out = append(out, Params{"nat": n.Name})
		}
	}
	return out
}

func applyAliasWrong(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := spec.SpecZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	c := &change{s: s}
	rel := spec.RelRecord(z.Name, p["name"])
	for _, r := range z.Records {
		if spec.RelRecord(z.Name, r.Name) == rel && r.Type == "CNAME" {
			if err := c.do(spec.DNSRecordEdit{Zone: p["zone"], Op: "remove", Name: p["name"], Type: "CNAME"}); err != nil {
				return nil, err
			}
			break
		}
	}
	if err := c.do(spec.DNSAliasEdit{Zone: p["zone"], Name: p["name"], Target: p["target"]}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("%s in %s is now an alias to %s", p["name"], p["zone"], p["target"]), zoneComponent(z)), nil
}

func candAliasWrong(s *spec.WorldSpec) []Params {
	var lbs []string
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			lbs = append(lbs, l.Name)
		}
	}
	var out []Params
	for _, z := range s.DNS.Zones {
		for _, r := range z.Records {
			if r.Type == "CNAME" {
				for _, l := range lbs {
					out = append(out, Params{"zone": z.Name, "name": r.Name, "target": l})
				}
			}
		}
	}
	return out
}
