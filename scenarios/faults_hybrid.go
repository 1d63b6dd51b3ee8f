package scenarios

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Fault kinds of transit gateways, VPN and VPC endpoints (issue 11). Each
// is edits to a spec; its reference fix is their undo.

// Topics of the issue-11 constructs.
const (
	TopicTransit  = tracer.TopicTransit
	TopicEndpoint = tracer.TopicEndpoint
)

func init() { Topics = append(Topics, TopicTransit, TopicEndpoint) }

func addHybridFaults() {
	pTGWTable := Param{Name: "table", Doc: "the transit gateway route table", Required: true}
	pAtt := Param{Name: "attachment", Doc: "the transit gateway attachment", Required: true}
	catalogKinds = append(catalogKinds,
		&Kind{Name: "tgw-route-missing", Topic: TopicTransit, Difficulty: "medium",
			Doc:    "a static route is deleted from a transit gateway route table",
			Params: []Param{pTGWTable, pDest},
			Codes:  []tracer.Code{tracer.TGWNoRoute},
			apply:  applyTGWRouteMissing, candidates: candTGWRoutes},
		&Kind{Name: "tgw-route-blackhole", Topic: TopicTransit, Difficulty: "hard",
			Doc:    "a static blackhole route (left from a decommissioned network) in a transit gateway table is more specific than the route the path needs",
			Params: []Param{pTGWTable, pDest},
			Codes:  []tracer.Code{tracer.TGWBlackhole},
			apply:  applyTGWBlackhole, candidates: candTGWPropagated},
		&Kind{Name: "tgw-propagation-missing", Topic: TopicTransit, Difficulty: "medium",
			Doc:    "a transit gateway route table no longer propagates an attachment's routes",
			Params: []Param{pTGWTable, pAtt},
			Codes:  []tracer.Code{tracer.TGWNoRoute},
			apply:  applyTGWPropagation, candidates: candTGWPropagations},
		&Kind{Name: "tgw-attachment-zone-missing", Topic: TopicTransit, Difficulty: "hard",
			Doc:    "a VPC attachment loses its subnet in one zone, so that zone's resources cannot reach the transit gateway",
			Params: []Param{pAtt, {Name: "subnet", Doc: "the attachment subnet to remove", Required: true}},
			Codes:  []tracer.Code{tracer.TGWZoneNotAttached},
			apply:  applyAttachmentZone, candidates: candAttachmentSubnets},
		&Kind{Name: "tgw-appliance-mode-off", Topic: TopicTransit, Difficulty: "hard",
			Doc:    "appliance mode is turned off on an inspection VPC's attachment: a flow whose ends are in different zones crosses one firewall going and another coming back",
			Params: []Param{pAtt},
			Codes:  []tracer.Code{tracer.TGWAsymmetricReturn},
			apply:  applyApplianceOff, candidates: candApplianceAttachments},
		&Kind{Name: "tgw-association-wrong", Topic: TopicTransit, Difficulty: "hard",
			Doc:    "an attachment is associated with another transit gateway route table, so its traffic follows that table's routes",
			Params: []Param{pAtt, {Name: "table", Doc: "the table it is wrongly associated with", Required: true}},
			Codes:  []tracer.Code{tracer.TGWAsymmetricReturn, tracer.TGWNoRoute},
			apply:  applyAssociationWrong, candidates: candAssociations},
		&Kind{Name: "tgw-attachment-deleted", Topic: TopicTransit, Difficulty: "medium",
			Doc:    "a transit gateway attachment is deleted: static routes to it become blackholes and its propagated routes vanish",
			Params: []Param{pAtt},
			Codes:  []tracer.Code{tracer.TGWBlackhole, tracer.TGWNoRoute, tracer.RouteBlackhole},
			apply:  applyAttachmentDeleted, candidates: candAttachments},
		&Kind{Name: "vpn-tunnels-down", Topic: TopicTransit, Difficulty: "easy",
			Doc:    "both tunnels of a site-to-site VPN connection go down (an expired pre-shared key, a changed customer gateway address)",
			Params: []Param{{Name: "vpn", Doc: "the VPN connection", Required: true}},
			Codes:  []tracer.Code{tracer.VPNTunnelDown},
			apply:  applyTunnelsDown, candidates: candVPNs},
		&Kind{Name: "vpc-propagation-off", Topic: TopicTransit, Difficulty: "medium",
			Doc:    "a VPC route table stops propagating a virtual private gateway's routes, so the subnet has no route to the on-premises network",
			Params: []Param{pTable, {Name: "gateway", Doc: "the virtual private gateway", Required: true}},
			Codes:  []tracer.Code{tracer.NoRoute, tracer.NoReturnRoute},
			apply:  applyVPCPropagation, candidates: candVPCPropagations},
		&Kind{Name: "endpoint-private-dns-off", Topic: TopicEndpoint, Difficulty: "medium",
			Doc:    "private DNS is turned off on an interface endpoint: the service's name resolves to its public addresses, which the VPC cannot reach",
			Params: []Param{{Name: "endpoint", Doc: "the interface endpoint", Required: true}},
			Codes:  []tracer.Code{tracer.NoRoute},
			apply:  applyPrivateDNSOff, candidates: candInterfaceEndpoints},
		&Kind{Name: "prefix-list-route-missing", Topic: TopicEndpoint, Difficulty: "medium",
			Doc:    "a route table loses its route to a gateway endpoint's prefix list (the table was left out of the endpoint's route tables)",
			Params: []Param{pTable, {Name: "list", Doc: "the prefix list", Required: true}},
			Codes:  []tracer.Code{tracer.NoRoute},
			apply:  applyPrefixRouteMissing, candidates: candPrefixRoutes},
	)
	sort.SliceStable(catalogKinds, func(i, j int) bool {
		return slices.Index(Topics, catalogKinds[i].Topic) < slices.Index(Topics, catalogKinds[j].Topic)
	})
}

func findTGWTable(s *spec.WorldSpec, name string) (*spec.TransitGatewaySpec, *spec.RouteTableSpec) {
	for i := range s.TransitGateways {
		g := &s.TransitGateways[i]
		for j := range g.RouteTables {
			if g.RouteTables[j].Name == name {
				return g, &g.RouteTables[j]
			}
		}
	}
	return nil, nil
}

func findAttachment(s *spec.WorldSpec, name string) (*spec.TransitGatewaySpec, *spec.TGWAttachmentSpec) {
	for i := range s.TransitGateways {
		g := &s.TransitGateways[i]
		for j := range g.Attachments {
			if g.Attachments[j].Name == name {
				return g, &g.Attachments[j]
			}
		}
	}
	return nil, nil
}

// one applies a single edit as a fault.
func one(s *spec.WorldSpec, e spec.Edit, summary string, components ...string) (*Applied, error) {
	c := &change{s: s}
	if err := c.do(e); err != nil {
		return nil, err
	}
	return c.applied(summary, components...), nil
}

func applyTGWRouteMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, rt := findTGWTable(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no transit gateway route table is named %q", p["table"])
	}
	i := routeIndex(rt, p["destination"])
	if i < 0 {
		return nil, fmt.Errorf("%s has no static route for %s", rt.Name, p["destination"])
	}
	r := rt.Routes[i]
	e, err := routeEdit(rt, i, "remove", "")
	if err != nil {
		return nil, err
	}
	return one(s, e, fmt.Sprintf("deleted the static route %s → %s from transit gateway table %s", r.Destination, r.Target, rt.Name), rt.Name)
}

func applyTGWBlackhole(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, rt := findTGWTable(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no transit gateway route table is named %q", p["table"])
	}
	dst, err := netip.ParsePrefix(p["destination"])
	if err != nil {
		return nil, fmt.Errorf("destination %q is not a CIDR", p["destination"])
	}
	if routeIndex(rt, dst.String()) >= 0 {
		return nil, fmt.Errorf("%s has a static route for %s already", rt.Name, dst)
	}
	return one(s, spec.RouteEdit{Table: rt.Name, Op: "add", Dest: dst.Masked(), Target: "blackhole"},
		fmt.Sprintf("added a static blackhole route for %s to transit gateway table %s", dst.Masked(), rt.Name), rt.Name)
}

func applyTGWPropagation(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, rt := findTGWTable(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no transit gateway route table is named %q", p["table"])
	}
	return one(s, spec.PropagationEdit{Table: rt.Name, Op: "disable", From: p["attachment"]},
		fmt.Sprintf("turned off the propagation of %s into %s", p["attachment"], rt.Name), rt.Name)
}

func applyAttachmentZone(s *spec.WorldSpec, p Params) (*Applied, error) {
	return one(s, spec.AttachmentEdit{Attachment: p["attachment"], Op: "subnet-remove", Arg: p["subnet"]},
		fmt.Sprintf("removed subnet %s (and with it a zone) from attachment %s", p["subnet"], p["attachment"]), p["attachment"])
}

func applyApplianceOff(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, a := findAttachment(s, p["attachment"])
	if a == nil || !a.ApplianceMode {
		return nil, fmt.Errorf("attachment %q does not have appliance mode on", p["attachment"])
	}
	return one(s, spec.AttachmentEdit{Attachment: a.Name, Op: "appliance-mode", Arg: "off"},
		fmt.Sprintf("turned appliance mode off on %s", a.Name), a.Name)
}

func applyAssociationWrong(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, a := findAttachment(s, p["attachment"])
	if a == nil {
		return nil, fmt.Errorf("no attachment is named %q", p["attachment"])
	}
	return one(s, spec.AttachmentEdit{Attachment: a.Name, Op: "associate", Arg: p["table"]},
		fmt.Sprintf("associated %s with %s", a.Name, p["table"]), a.Name)
}

func applyAttachmentDeleted(s *spec.WorldSpec, p Params) (*Applied, error) {
	_, a := findAttachment(s, p["attachment"])
	if a == nil {
		return nil, fmt.Errorf("no attachment is named %q", p["attachment"])
	}
	if a.State != "" && a.State != "available" {
		return nil, fmt.Errorf("attachment %s is %s already", a.Name, a.State)
	}
	return one(s, spec.AttachmentEdit{Attachment: a.Name, Op: "state", Arg: "deleted"},
		fmt.Sprintf("deleted attachment %s", a.Name), a.Name)
}

func applyTunnelsDown(s *spec.WorldSpec, p Params) (*Applied, error) {
	c := &change{s: s}
	for _, n := range []int{1, 2} {
		if err := c.do(spec.VPNEdit{VPN: p["vpn"], Op: "tunnel", Tunnel: n, Arg: "down"}); err != nil {
			return nil, err
		}
	}
	return c.applied(fmt.Sprintf("took both tunnels of %s down", p["vpn"]), p["vpn"]), nil
}

func applyVPCPropagation(s *spec.WorldSpec, p Params) (*Applied, error) {
	rt, _ := findRT(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no VPC route table is named %q", p["table"])
	}
	return one(s, spec.PropagationEdit{Table: rt.Name, Op: "disable", From: p["gateway"]},
		fmt.Sprintf("turned off route propagation from %s in %s", p["gateway"], rt.Name), rt.Name)
}

func applyPrivateDNSOff(s *spec.WorldSpec, p Params) (*Applied, error) {
	return one(s, spec.EndpointEdit{Endpoint: p["endpoint"], Op: "private-dns", Arg: "off"},
		fmt.Sprintf("turned private DNS off on %s", p["endpoint"]), p["endpoint"])
}

func applyPrefixRouteMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	rt, _ := findRT(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no VPC route table is named %q", p["table"])
	}
	i := slices.IndexFunc(rt.Routes, func(r spec.RouteSpec) bool { return r.Destination == p["list"] })
	if i < 0 {
		return nil, fmt.Errorf("%s has no route for %s", rt.Name, p["list"])
	}
	return one(s, spec.RouteEdit{Table: rt.Name, Op: "remove", List: p["list"]},
		fmt.Sprintf("deleted the route %s → %s from %s", p["list"], rt.Routes[i].Target, rt.Name), rt.Name)
}

// ---- candidates

func candTGWRoutes(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, rt := range g.RouteTables {
			for _, r := range rt.Routes {
				if r.Target != "blackhole" {
					out = append(out, Params{"table": rt.Name, "destination": r.Destination})
				}
			}
		}
	}
	return out
}

// candTGWPropagated: a blackhole for each VPC an attachment propagates.
func candTGWPropagated(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, rt := range g.RouteTables {
			for _, an := range rt.Propagations {
				for _, a := range g.Attachments {
					if a.Name != an || a.VPC == "" {
						continue
					}
					for _, v := range s.VPCs {
						if v.Name == a.VPC {
							out = append(out, Params{"table": rt.Name, "destination": v.CIDR})
						}
					}
				}
			}
		}
	}
	return out
}

func candTGWPropagations(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, rt := range g.RouteTables {
			for _, an := range rt.Propagations {
				out = append(out, Params{"table": rt.Name, "attachment": an})
			}
		}
	}
	return out
}

func candAttachmentSubnets(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, a := range g.Attachments {
			if len(a.Subnets) > 1 {
				for _, sn := range a.Subnets {
					out = append(out, Params{"attachment": a.Name, "subnet": sn})
				}
			}
		}
	}
	return out
}

func candApplianceAttachments(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, a := range g.Attachments {
			if a.ApplianceMode {
				out = append(out, Params{"attachment": a.Name})
			}
		}
	}
	return out
}

func candAssociations(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, rt := range g.RouteTables {
			for _, an := range rt.Associations {
				for _, other := range g.RouteTables {
					if other.Name != rt.Name {
						out = append(out, Params{"attachment": an, "table": other.Name})
					}
				}
			}
		}
	}
	return out
}

func candAttachments(s *spec.WorldSpec) []Params {
	var out []Params
	for _, g := range s.TransitGateways {
		for _, a := range g.Attachments {
			if a.State == "" || a.State == "available" {
				out = append(out, Params{"attachment": a.Name})
			}
		}
	}
	return out
}

func candVPNs(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPNConnections {
		out = append(out, Params{"vpn": v.Name})
	}
	return out
}

func candVPCPropagations(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, rt := range v.RouteTables {
			for _, g := range rt.Propagations {
				out = append(out, Params{"table": rt.Name, "gateway": g})
			}
		}
	}
	return out
}

func candInterfaceEndpoints(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, e := range v.Endpoints {
			if strings.EqualFold(e.Type, "interface") && e.PrivateDNS {
				out = append(out, Params{"endpoint": e.Name})
			}
		}
	}
	return out
}

func candPrefixRoutes(s *spec.WorldSpec) []Params {
	var out []Params
	for _, v := range s.VPCs {
		for _, rt := range v.RouteTables {
			for _, r := range rt.Routes {
				if strings.HasPrefix(r.Destination, "pl-") {
					out = append(out, Params{"table": rt.Name, "list": r.Destination})
				}
			}
		}
	}
	return out
}
