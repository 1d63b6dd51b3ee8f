package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Edits of the issue-11 constructs: transit gateway attachments, route
// propagation, VPN connections and endpoints. Transit gateway routes are
// route edits (route TABLE add CIDR via ATTACHMENT), and a route to a
// prefix list names the list (route TABLE add pl-s3 via vpce-s3).

func init() {
	EditUsage["attachment"] = []string{
		"attachment NAME subnet add|remove SUBNET",
		"attachment NAME appliance-mode on|off",
		"attachment NAME associate TABLE",
		"attachment NAME disassociate",
		"attachment NAME state available|pending|deleted|failed",
	}
	EditUsage["propagation"] = []string{"propagation TABLE enable|disable GATEWAY_OR_ATTACHMENT"}
	EditUsage["vpn"] = []string{
		"vpn NAME tunnel 1|2 up|down",
		"vpn NAME route add|remove CIDR",
		"vpn NAME state available|pending|deleted|failed",
	}
	EditUsage["endpoint"] = []string{
		"endpoint NAME private-dns on|off",
		"endpoint NAME state available|pending|deleted|failed",
	}
	EditUsage["route"] = append(EditUsage["route"], "route TABLE add|remove PREFIX_LIST via ENDPOINT")
	EditVerbs = append(EditVerbs, "attachment", "propagation", "vpn", "endpoint")
}

// parseHybridEdit reads the verbs of this file; ok is false for another
// verb.
func parseHybridEdit(w []string) (Edit, bool, error) {
	switch w[0] {
	case "attachment":
		e, err := parseAttachmentEdit(w)
		return e, true, err
	case "propagation":
		e, err := parsePropagationEdit(w)
		return e, true, err
	case "vpn":
		e, err := parseVPNEdit(w)
		return e, true, err
	case "endpoint":
		e, err := parseEndpointEdit(w)
		return e, true, err
	}
	return nil, false, nil
}

func stateArg(verb, s string) (string, error) {
	switch s {
	case "available", "pending", "deleted", "failed":
		return s, nil
	}
	return "", usagef(verb, "state %q is not available, pending, deleted or failed", s)
}

func onOff(verb, s string) (string, error) {
	if s != "on" && s != "off" {
		return "", usagef(verb, "%q is not on or off", s)
	}
	return s, nil
}

// specState is a state as the spec keeps it: "" for available.
func SpecState(s string) string {
	if s == "available" {
		return ""
	}
	return s
}

func stateText(s string) string {
	if s == "" {
		return "available"
	}
	return s
}

// ---- attachment

// AttachmentEdit changes a transit gateway attachment:
//
//	attachment NAME subnet add|remove SUBNET
//	attachment NAME appliance-mode on|off
//	attachment NAME associate TABLE
//	attachment NAME disassociate
//	attachment NAME state STATE
type AttachmentEdit struct {
	Attachment string
	Op         string // subnet-add, subnet-remove, appliance-mode, associate, disassociate, state
	Arg        string
}

func parseAttachmentEdit(w []string) (Edit, error) {
	if len(w) < 3 {
		return nil, wordCount("attachment", "name the attachment and what to change")
	}
	e := AttachmentEdit{Attachment: w[1]}
	if err := nameArg("attachment", "attachment", w[1]); err != nil {
		return nil, err
	}
	var err error
	switch {
	case w[2] == "subnet" && len(w) == 5 && (w[3] == "add" || w[3] == "remove") && w[4] != "":
		e.Op, e.Arg = "subnet-"+w[3], w[4]
	case w[2] == "appliance-mode" && len(w) == 4:
		e.Op = "appliance-mode"
		e.Arg, err = onOff("attachment", w[3])
	case w[2] == "associate" && len(w) == 4 && w[3] != "":
		e.Op, e.Arg = "associate", w[3]
	case w[2] == "disassociate" && len(w) == 3:
		e.Op = "disassociate"
	case w[2] == "state" && len(w) == 4:
		e.Op = "state"
		e.Arg, err = stateArg("attachment", w[3])
	default:
		return nil, usagef("attachment", "%q is not a change of an attachment", strings.Join(w[2:], " "))
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (e AttachmentEdit) String() string {
	switch e.Op {
	case "subnet-add", "subnet-remove":
		return JoinLine([]string{"attachment", e.Attachment, "subnet", strings.TrimPrefix(e.Op, "subnet-"), e.Arg})
	case "disassociate":
		return JoinLine([]string{"attachment", e.Attachment, "disassociate"})
	}
	return JoinLine([]string{"attachment", e.Attachment, e.Op, e.Arg})
}

func (e AttachmentEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func specAttachment(s *WorldSpec, name string) (*TransitGatewaySpec, *TGWAttachmentSpec) {
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

func (e AttachmentEdit) apply(s *WorldSpec) (Edit, string, error) {
	g, a := specAttachment(s, e.Attachment)
	if a == nil {
		return nil, "", fmt.Errorf("no transit gateway attachment is named %q", e.Attachment)
	}
	switch e.Op {
	case "subnet-add":
		if a.VPC == "" {
			return nil, "", fmt.Errorf("%s is a VPN attachment; it has no subnets", a.Name)
		}
		if slices.Contains(a.Subnets, e.Arg) {
			return nil, "", fmt.Errorf("%s has subnet %s already", a.Name, e.Arg)
		}
		a.Subnets = append(a.Subnets, e.Arg)
		return AttachmentEdit{e.Attachment, "subnet-remove", e.Arg}, fmt.Sprintf("%s: added subnet %s", a.Name, e.Arg), nil
	case "subnet-remove":
		i := slices.Index(a.Subnets, e.Arg)
		if i < 0 {
			return nil, "", fmt.Errorf("%s has no subnet %s; its subnets: %s", a.Name, e.Arg, strings.Join(a.Subnets, ", "))
		}
		a.Subnets = slices.Delete(a.Subnets, i, i+1)
		return AttachmentEdit{e.Attachment, "subnet-add", e.Arg}, fmt.Sprintf("%s: removed subnet %s", a.Name, e.Arg), nil
	case "appliance-mode":
		if a.VPC == "" {
			return nil, "", fmt.Errorf("%s is a VPN attachment; appliance mode is for VPC attachments", a.Name)
		}
		old := map[bool]string{true: "on", false: "off"}[a.ApplianceMode]
		a.ApplianceMode = e.Arg == "on"
		return AttachmentEdit{e.Attachment, "appliance-mode", old}, fmt.Sprintf("%s: appliance mode %s (was %s)", a.Name, e.Arg, old), nil
	case "associate", "disassociate":
		var target *RouteTableSpec
		if e.Op == "associate" {
			for i := range g.RouteTables {
				if g.RouteTables[i].Name == e.Arg {
					target = &g.RouteTables[i]
				}
			}
			if target == nil {
				return nil, "", fmt.Errorf("transit gateway %s has no route table %q", g.Name, e.Arg)
			}
		}
		undo := AttachmentEdit{Attachment: e.Attachment, Op: "disassociate"}
		for i := range g.RouteTables {
			rt := &g.RouteTables[i]
			if j := slices.Index(rt.Associations, a.Name); j >= 0 {
				if rt == target {
					return nil, "", fmt.Errorf("%s is associated with %s already", a.Name, rt.Name)
				}
				rt.Associations = slices.Delete(rt.Associations, j, j+1)
				undo = AttachmentEdit{Attachment: e.Attachment, Op: "associate", Arg: rt.Name}
			}
		}
		if target == nil {
			if undo.Op == "disassociate" {
				return nil, "", fmt.Errorf("%s is associated with no route table", a.Name)
			}
			return undo, fmt.Sprintf("%s: no longer associated with %s", a.Name, undo.Arg), nil
		}
		target.Associations = append(target.Associations, a.Name)
		return undo, fmt.Sprintf("%s: associated with %s", a.Name, target.Name), nil
	case "state":
		old := stateText(a.State)
		a.State = SpecState(e.Arg)
		return AttachmentEdit{e.Attachment, "state", old}, fmt.Sprintf("%s: state %s (was %s)", a.Name, e.Arg, old), nil
	}
	return nil, "", usagef("attachment", "%q is not a change of an attachment", e.Op)
}

// ---- propagation

// PropagationEdit turns route propagation on or off in a route table: a
// VPC table from a virtual private gateway, a transit gateway table from
// an attachment.
//
//	propagation TABLE enable|disable NAME
type PropagationEdit struct {
	Table string
	Op    string // enable, disable
	From  string
}

func parsePropagationEdit(w []string) (Edit, error) {
	if len(w) != 4 || w[1] == "" || w[3] == "" {
		return nil, wordCount("propagation", "name the table, enable or disable, and the gateway or attachment")
	}
	if w[2] != "enable" && w[2] != "disable" {
		return nil, usagef("propagation", "%q is not enable or disable", w[2])
	}
	return PropagationEdit{Table: w[1], Op: w[2], From: w[3]}, nil
}

func (e PropagationEdit) String() string {
	return JoinLine([]string{"propagation", e.Table, e.Op, e.From})
}

func (e PropagationEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e PropagationEdit) apply(s *WorldSpec) (Edit, string, error) {
	rt := specRT(s, e.Table)
	if rt == nil {
		return nil, "", fmt.Errorf("no route table is named %q", e.Table)
	}
	i := slices.Index(rt.Propagations, e.From)
	switch e.Op {
	case "enable":
		if i >= 0 {
			return nil, "", fmt.Errorf("%s propagates %s already", rt.Name, e.From)
		}
		rt.Propagations = append(rt.Propagations, e.From)
		return PropagationEdit{e.Table, "disable", e.From}, fmt.Sprintf("%s: propagates the routes of %s", rt.Name, e.From), nil
	case "disable":
		if i < 0 {
			return nil, "", fmt.Errorf("%s does not propagate %s; it propagates: %s", rt.Name, e.From, orNone(strings.Join(rt.Propagations, ", ")))
		}
		rt.Propagations = slices.Delete(rt.Propagations, i, i+1)
		return PropagationEdit{e.Table, "enable", e.From}, fmt.Sprintf("%s: no longer propagates %s", rt.Name, e.From), nil
	}
	return nil, "", usagef("propagation", "%q is not enable or disable", e.Op)
}

// ---- vpn

// VPNEdit changes a site-to-site VPN connection:
//
//	vpn NAME tunnel 1|2 up|down
//	vpn NAME route add|remove CIDR
//	vpn NAME state STATE
type VPNEdit struct {
	VPN    string
	Op     string // tunnel, route-add, route-remove, state
	Tunnel int    // 1 or 2, for tunnel
	Arg    string // up/down, a CIDR, a state
}

func parseVPNEdit(w []string) (Edit, error) {
	if len(w) < 4 || w[1] == "" {
		return nil, wordCount("vpn", "name the connection and what to change")
	}
	e := VPNEdit{VPN: w[1]}
	switch {
	case w[2] == "tunnel" && len(w) == 5:
		n, err := strconv.Atoi(w[3])
		if err != nil || (n != 1 && n != 2) {
			return nil, usagef("vpn", "tunnel %q is not 1 or 2", w[3])
		}
		if w[4] != "up" && w[4] != "down" {
			return nil, usagef("vpn", "%q is not up or down", w[4])
		}
		e.Op, e.Tunnel, e.Arg = "tunnel", n, w[4]
	case w[2] == "route" && len(w) == 5 && (w[3] == "add" || w[3] == "remove"):
		p, err := cidrArg("vpn", w[4], "192.168.0.0/16")
		if err != nil {
			return nil, err
		}
		e.Op, e.Arg = "route-"+w[3], p.Masked().String()
	case w[2] == "state" && len(w) == 4:
		st, err := stateArg("vpn", w[3])
		if err != nil {
			return nil, err
		}
		e.Op, e.Arg = "state", st
	default:
		return nil, usagef("vpn", "%q is not a change of a VPN connection", strings.Join(w[2:], " "))
	}
	return e, nil
}

func (e VPNEdit) String() string {
	switch e.Op {
	case "tunnel":
		return JoinLine([]string{"vpn", e.VPN, "tunnel", strconv.Itoa(e.Tunnel), e.Arg})
	case "route-add", "route-remove":
		return JoinLine([]string{"vpn", e.VPN, "route", strings.TrimPrefix(e.Op, "route-"), e.Arg})
	}
	return JoinLine([]string{"vpn", e.VPN, e.Op, e.Arg})
}

func (e VPNEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e VPNEdit) apply(s *WorldSpec) (Edit, string, error) {
	var v *VPNSpec
	for i := range s.VPNConnections {
		if s.VPNConnections[i].Name == e.VPN {
			v = &s.VPNConnections[i]
		}
	}
	if v == nil {
		return nil, "", fmt.Errorf("no VPN connection is named %q", e.VPN)
	}
	switch e.Op {
	case "tunnel":
		if len(v.Tunnels) == 0 {
			v.Tunnels = []TunnelSpec{{State: "up"}, {State: "up"}}
		}
		if e.Tunnel < 1 || e.Tunnel > len(v.Tunnels) {
			return nil, "", fmt.Errorf("%s has %d tunnels", v.Name, len(v.Tunnels))
		}
		old := strings.ToLower(v.Tunnels[e.Tunnel-1].State)
		v.Tunnels[e.Tunnel-1].State = e.Arg
		return VPNEdit{e.VPN, "tunnel", e.Tunnel, old}, fmt.Sprintf("%s: tunnel %d %s (was %s)", v.Name, e.Tunnel, e.Arg, old), nil
	case "route-add", "route-remove":
		p, err := netip.ParsePrefix(e.Arg)
		if err != nil {
			return nil, "", usagef("vpn", "%q is not a CIDR", e.Arg)
		}
		i := slices.IndexFunc(v.StaticRoutes, func(r string) bool { q, err := netip.ParsePrefix(r); return err == nil && q.Masked() == p.Masked() })
		if e.Op == "route-add" {
			if i >= 0 {
				return nil, "", fmt.Errorf("%s has a static route for %s already", v.Name, p)
			}
			v.StaticRoutes = append(v.StaticRoutes, p.Masked().String())
			return VPNEdit{VPN: e.VPN, Op: "route-remove", Arg: p.Masked().String()}, fmt.Sprintf("%s: added static route %s", v.Name, p.Masked()), nil
		}
		if i < 0 {
			return nil, "", fmt.Errorf("%s has no static route for %s; its routes: %s", v.Name, p, orNone(strings.Join(v.StaticRoutes, ", ")))
		}
		v.StaticRoutes = slices.Delete(v.StaticRoutes, i, i+1)
		return VPNEdit{VPN: e.VPN, Op: "route-add", Arg: p.Masked().String()}, fmt.Sprintf("%s: removed static route %s", v.Name, p.Masked()), nil
	case "state":
		old := stateText(v.State)
		v.State = SpecState(e.Arg)
		return VPNEdit{VPN: e.VPN, Op: "state", Arg: old}, fmt.Sprintf("%s: state %s (was %s)", v.Name, e.Arg, old), nil
	}
	return nil, "", usagef("vpn", "%q is not a change of a VPN connection", e.Op)
}

// ---- endpoint

// EndpointEdit changes a VPC endpoint:
//
//	endpoint NAME private-dns on|off
//	endpoint NAME state STATE
type EndpointEdit struct {
	Endpoint string
	Op       string // private-dns, state
	Arg      string
}

func parseEndpointEdit(w []string) (Edit, error) {
	if len(w) != 4 || w[1] == "" {
		return nil, wordCount("endpoint", "name the endpoint and what to change")
	}
	e := EndpointEdit{Endpoint: w[1], Op: w[2]}
	var err error
	switch w[2] {
	case "private-dns":
		e.Arg, err = onOff("endpoint", w[3])
	case "state":
		e.Arg, err = stateArg("endpoint", w[3])
	default:
		return nil, usagef("endpoint", "%q is not private-dns or state", w[2])
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (e EndpointEdit) String() string {
	return JoinLine([]string{"endpoint", e.Endpoint, e.Op, e.Arg})
}

func (e EndpointEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func specEndpoint(s *WorldSpec, name string) *EndpointSpec {
	for i := range s.VPCs {
		for j := range s.VPCs[i].Endpoints {
			if s.VPCs[i].Endpoints[j].Name == name {
				return &s.VPCs[i].Endpoints[j]
			}
		}
	}
	return nil
}

func (e EndpointEdit) apply(s *WorldSpec) (Edit, string, error) {
	ep := specEndpoint(s, e.Endpoint)
	if ep == nil {
		return nil, "", fmt.Errorf("no VPC endpoint is named %q", e.Endpoint)
	}
	switch e.Op {
	case "private-dns":
		if strings.EqualFold(ep.Type, "gateway") {
			return nil, "", fmt.Errorf("%s is a gateway endpoint; private DNS is for interface endpoints", ep.Name)
		}
		old := map[bool]string{true: "on", false: "off"}[ep.PrivateDNS]
		ep.PrivateDNS = e.Arg == "on"
		return EndpointEdit{e.Endpoint, "private-dns", old}, fmt.Sprintf("%s: private DNS %s (was %s)", ep.Name, e.Arg, old), nil
	case "state":
		old := stateText(ep.State)
		ep.State = SpecState(e.Arg)
		return EndpointEdit{e.Endpoint, "state", old}, fmt.Sprintf("%s: state %s (was %s)", ep.Name, e.Arg, old), nil
	}
	return nil, "", usagef("endpoint", "%q is not private-dns or state", e.Op)
}
