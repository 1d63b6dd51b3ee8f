package play

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/pathlab/pathlab/simnet/spec"
)

// The show views of transit gateways, VPN connections and VPC endpoints
// (issue 11), as the console shows them.

func init() {
	for typed, kind := range map[string]string{
		"tgw": "transit-gateway", "transit-gateway": "transit-gateway",
		"tgw-route-table": "tgw-route-table", "tgw-rt": "tgw-route-table",
		"attachment": "tgw-attachment", "tgw-attachment": "tgw-attachment",
		"vpn": "vpn-connection", "vpn-connection": "vpn-connection",
		"endpoint": "vpc-endpoint", "vpc-endpoint": "vpc-endpoint",
	} {
		showKinds[typed] = kind
	}
	ShowKinds = append(ShowKinds, "tgw", "tgw-route-table", "attachment", "vpn", "endpoint")
}

// showHybrid prints one resource of the issue-11 kinds; ok is false for
// another kind.
func (s *Shell) showHybrid(tw *tabwriter.Writer, kind, name string) (bool, error) {
	switch kind {
	case "transit-gateway":
		return true, s.showTGW(tw, name)
	case "tgw-route-table":
		return true, s.showTGWTable(tw, name)
	case "tgw-attachment":
		return true, s.showAttachment(tw, name)
	case "vpn-connection":
		return true, s.showVPN(tw, name)
	case "vpc-endpoint":
		return true, s.showEndpoint(tw, name)
	}
	return false, nil
}

func stateOr(s string) string {
	if s == "" {
		return "available"
	}
	return s
}

func (s *Shell) showTGW(tw *tabwriter.Writer, name string) error {
	for _, g := range s.spec.TransitGateways {
		if g.Name != name {
			continue
		}
		fmt.Fprintf(tw, "Transit gateway\t%s\n\n", g.Name)
		fmt.Fprintf(tw, "Attachment\tResource\tState\tAssociated with\n")
		for _, a := range g.Attachments {
			res := "vpc " + a.VPC
			if a.VPN != "" {
				res = "vpn " + a.VPN
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, res, stateOr(a.State), orDash(association(g, a.Name)))
		}
		fmt.Fprintf(tw, "\nRoute tables\t%s\n", orDash(strings.Join(tableNames(g), ", ")))
		return nil
	}
	return notFound("transit gateway", name, s.world.Names("transit-gateway"))
}

func association(g spec.TransitGatewaySpec, att string) string {
	for _, rt := range g.RouteTables {
		if slices.Contains(rt.Associations, att) {
			return rt.Name
		}
	}
	return ""
}

func tableNames(g spec.TransitGatewaySpec) []string {
	var out []string
	for _, rt := range g.RouteTables {
		out = append(out, rt.Name)
	}
	return out
}

// attachmentRoutes is what an attachment propagates: its VPC's range, or
// its VPN's routes.
func (s *Shell) attachmentRoutes(a spec.TGWAttachmentSpec) []string {
	if a.VPC != "" {
		for _, v := range s.spec.VPCs {
			if v.Name == a.VPC {
				return []string{v.CIDR}
			}
		}
	}
	for _, v := range s.spec.VPNConnections {
		if v.Name == a.VPN {
			return s.vpnRoutes(v)
		}
	}
	return nil
}

func (s *Shell) vpnRoutes(v spec.VPNSpec) []string {
	if len(v.StaticRoutes) > 0 {
		return v.StaticRoutes
	}
	for _, o := range s.spec.OnPremises {
		if o.CustomerGateway.Name == v.CustomerGateway {
			return o.CIDRs
		}
	}
	return nil
}

func (s *Shell) showTGWTable(tw *tabwriter.Writer, name string) error {
	for _, g := range s.spec.TransitGateways {
		for _, rt := range g.RouteTables {
			if rt.Name != name {
				continue
			}
			fmt.Fprintf(tw, "Transit gateway route table\t%s\t(transit gateway %s)\n", rt.Name, g.Name)
			fmt.Fprintf(tw, "Associations\t%s\n", orDash(strings.Join(rt.Associations, ", ")))
			fmt.Fprintf(tw, "Propagations\t%s\n\n", orDash(strings.Join(rt.Propagations, ", ")))
			fmt.Fprintf(tw, "CIDR\tAttachment\tRoute type\tState\n")
			seen := map[string]bool{}
			for _, r := range rt.Routes {
				seen[r.Destination] = true
				state := "active"
				target := r.Target
				if r.Target == "blackhole" {
					state, target = "blackhole", "-"
				} else {
					for _, a := range g.Attachments {
						if a.Name == r.Target && stateOr(a.State) != "available" {
							state = "blackhole"
						}
					}
				}
				fmt.Fprintf(tw, "%s\t%s\tstatic\t%s\n", r.Destination, target, state)
			}
			for _, an := range rt.Propagations {
				for _, a := range g.Attachments {
					if a.Name != an || stateOr(a.State) != "available" {
						continue
					}
					for _, d := range s.attachmentRoutes(a) {
						if !seen[d] {
							seen[d] = true
							fmt.Fprintf(tw, "%s\t%s\tpropagated\tactive\n", d, a.Name)
						}
					}
				}
			}
			return nil
		}
	}
	return notFound("transit gateway route table", name, s.world.Names("tgw-route-table"))
}

func (s *Shell) showAttachment(tw *tabwriter.Writer, name string) error {
	for _, g := range s.spec.TransitGateways {
		for _, a := range g.Attachments {
			if a.Name != name {
				continue
			}
			fmt.Fprintf(tw, "Attachment\t%s\t(transit gateway %s)\n", a.Name, g.Name)
			fmt.Fprintf(tw, "State\t%s\n", stateOr(a.State))
			if a.VPN != "" {
				fmt.Fprintf(tw, "Resource\tvpn %s\n", a.VPN)
			} else {
				fmt.Fprintf(tw, "Resource\tvpc %s\n", a.VPC)
				mode := "disable"
				if a.ApplianceMode {
					mode = "enable"
				}
				fmt.Fprintf(tw, "Appliance mode support\t%s\n", mode)
				fmt.Fprintf(tw, "\nSubnet\tZone\n")
				for _, sn := range a.Subnets {
					fmt.Fprintf(tw, "%s\t%s\n", sn, orDash(s.subnetZone(sn)))
				}
				fmt.Fprintln(tw)
			}
			fmt.Fprintf(tw, "Associated route table\t%s\n", orDash(association(g, a.Name)))
			var props []string
			for _, rt := range g.RouteTables {
				if slices.Contains(rt.Propagations, a.Name) {
					props = append(props, rt.Name)
				}
			}
			fmt.Fprintf(tw, "Propagates to\t%s\n", orDash(strings.Join(props, ", ")))
			return nil
		}
	}
	return notFound("attachment", name, s.world.Names("tgw-attachment"))
}

func (s *Shell) subnetZone(name string) string {
	for _, v := range s.spec.VPCs {
		for _, sn := range v.Subnets {
			if sn.Name == name {
				return sn.Zone
			}
		}
	}
	return ""
}

func (s *Shell) showVPN(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPNConnections {
		if v.Name != name {
			continue
		}
		fmt.Fprintf(tw, "VPN connection\t%s\n", v.Name)
		fmt.Fprintf(tw, "State\t%s\n", stateOr(v.State))
		fmt.Fprintf(tw, "Customer gateway\t%s\n", v.CustomerGateway)
		end := "transit gateway (VPN attachment)"
		if v.VPNGateway != "" {
			end = "virtual private gateway " + v.VPNGateway
		}
		fmt.Fprintf(tw, "Ends at\t%s\n", end)
		routing := "static"
		if len(v.StaticRoutes) == 0 {
			routing = "dynamic (BGP)"
		}
		fmt.Fprintf(tw, "Routing\t%s: %s\n", routing, orDash(strings.Join(s.vpnRoutes(v), ", ")))
		fmt.Fprintf(tw, "\nTunnel\tStatus\n")
		tunnels := v.Tunnels
		if len(tunnels) == 0 {
			tunnels = []spec.TunnelSpec{{State: "up"}, {State: "up"}}
		}
		for i, t := range tunnels {
			fmt.Fprintf(tw, "%d\t%s\n", i+1, strings.ToUpper(t.State))
		}
		return nil
	}
	return notFound("VPN connection", name, s.world.Names("vpn-connection"))
}

func (s *Shell) showEndpoint(tw *tabwriter.Writer, name string) error {
	for _, v := range s.spec.VPCs {
		for _, e := range v.Endpoints {
			if e.Name != name {
				continue
			}
			fmt.Fprintf(tw, "VPC endpoint\t%s\t(VPC %s)\n", e.Name, v.Name)
			fmt.Fprintf(tw, "Type\t%s\n", strings.ToLower(e.Type))
			fmt.Fprintf(tw, "Service\t%s\n", e.Service)
			fmt.Fprintf(tw, "State\t%s\n", stateOr(e.State))
			if strings.EqualFold(e.Type, "gateway") {
				var tables []string
				for _, rt := range v.RouteTables {
					for _, r := range rt.Routes {
						if r.Target == e.Name {
							tables = append(tables, rt.Name)
						}
					}
				}
				fmt.Fprintf(tw, "Prefix list\t%s\n", e.PrefixList)
				fmt.Fprintf(tw, "Route tables\t%s\n", orDash(strings.Join(tables, ", ")))
				return nil
			}
			dns := "disabled"
			if e.PrivateDNS {
				dns = "enabled"
			}
			fmt.Fprintf(tw, "Private DNS names\t%s\n", dns)
			fmt.Fprintf(tw, "Security groups\t%s\n", orDash(strings.Join(e.SecurityGroups, ", ")))
			fmt.Fprintf(tw, "\nSubnet\tPrivate IP\n")
			for _, i := range e.Interfaces {
				fmt.Fprintf(tw, "%s\t%s\n", i.Subnet, i.PrivateIP)
			}
			return nil
		}
	}
	return notFound("VPC endpoint", name, s.world.Names("vpc-endpoint"))
}

// hybridRouteStatus is the console's status of a VPC route to a transit
// gateway, a virtual private gateway or an endpoint: blackhole when the
// VPC's attachment, the gateway or the endpoint is not available.
func (s *Shell) hybridRouteStatus(v *spec.VPCSpec, target string) (string, bool) {
	for _, g := range s.spec.TransitGateways {
		if g.Name != target {
			continue
		}
		for _, a := range g.Attachments {
			if a.VPC == v.Name && stateOr(a.State) == "available" {
				return "active", true
			}
		}
		return "blackhole", true
	}
	for _, e := range v.Endpoints {
		if e.Name == target {
			if stateOr(e.State) == "available" {
				return "active", true
			}
			return "blackhole", true
		}
	}
	if s.world.Kind(target) == "vpn-gateway" && v.VPNGateway != target {
		return "blackhole", true
	}
	return "", false
}
