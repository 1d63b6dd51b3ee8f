package play

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

// The AWS CLI's read commands for the world's issue-11 constructs, in the
// EC2 and Route 53 API reference shapes: DescribeTransitGateways,
// DescribeTransitGatewayVpcAttachments, DescribeTransitGatewayAttachments,
// DescribeTransitGatewayRouteTables, GetTransitGatewayRouteTablePropagations,
// SearchTransitGatewayRoutes, DescribeVpnGateways, DescribeCustomerGateways,
// DescribeVpnConnections, DescribeVpcEndpoints, DescribePrefixLists,
// GetHostedZone. The importer reads them back (TestAWSRoundTrip).

func addHybridAWS(awsServices map[string]map[string]*awsOp) {
	d := func(op string, run func(*Shell, *awsCall) error, ids string) *awsOp {
		return &awsOp{name: op, options: []string{"--filters", ids, "--dry-run", "--max-items", "--page-size", "--starting-token", "--max-results", "--next-token"}, boolean: []string{"--dry-run", "--no-dry-run"}, run: run}
	}
	ec2 := awsServices["ec2"]
	ec2["describe-transit-gateways"] = d("DescribeTransitGateways", (*Shell).awsDescribeTGWs, "--transit-gateway-ids")
	ec2["describe-transit-gateway-vpc-attachments"] = d("DescribeTransitGatewayVpcAttachments", (*Shell).awsDescribeTGWVPCAtts, "--transit-gateway-attachment-ids")
	ec2["describe-transit-gateway-attachments"] = d("DescribeTransitGatewayAttachments", (*Shell).awsDescribeTGWAtts, "--transit-gateway-attachment-ids")
	ec2["describe-transit-gateway-route-tables"] = d("DescribeTransitGatewayRouteTables", (*Shell).awsDescribeTGWTables, "--transit-gateway-route-table-ids")
	ec2["get-transit-gateway-route-table-propagations"] = &awsOp{name: "GetTransitGatewayRouteTablePropagations", run: (*Shell).awsTGWPropagations, required: []string{"--transit-gateway-route-table-id"},
		options: []string{"--transit-gateway-route-table-id", "--filters", "--max-items", "--page-size", "--starting-token", "--dry-run"}, boolean: []string{"--dry-run"}}
	ec2["search-transit-gateway-routes"] = &awsOp{name: "SearchTransitGatewayRoutes", run: (*Shell).awsTGWRoutes, required: []string{"--transit-gateway-route-table-id", "--filters"},
		options: []string{"--transit-gateway-route-table-id", "--filters", "--max-results", "--dry-run"}, boolean: []string{"--dry-run"}}
	ec2["describe-vpn-gateways"] = d("DescribeVpnGateways", (*Shell).awsDescribeVGWs, "--vpn-gateway-ids")
	ec2["describe-customer-gateways"] = d("DescribeCustomerGateways", (*Shell).awsDescribeCGWs, "--customer-gateway-ids")
	ec2["describe-vpn-connections"] = d("DescribeVpnConnections", (*Shell).awsDescribeVPNs, "--vpn-connection-ids")
	ec2["describe-vpc-endpoints"] = d("DescribeVpcEndpoints", (*Shell).awsDescribeEndpoints, "--vpc-endpoint-ids")
	ec2["describe-prefix-lists"] = d("DescribePrefixLists", (*Shell).awsDescribePrefixLists, "--prefix-list-ids")
	awsServices["route53"]["get-hosted-zone"] = &awsOp{name: "GetHostedZone", run: (*Shell).awsGetZone, required: []string{"--id"}, options: []string{"--id"}}
}

func (s *Shell) tgwArn(id string) string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:transit-gateway/%s", s.region(), awsAccount, id)
}

func orAvailable(state string) string {
	if state == "" {
		return "available"
	}
	return strings.ToLower(state)
}

func enable(on bool) string {
	if on {
		return "enable"
	}
	return "disable"
}

func (s *Shell) awsDescribeTGWs(c *awsCall) error {
	var items []any
	for _, g := range s.spec.TransitGateways {
		id := awsID("tgw", g.Name)
		// The world's tables have explicit associations and propagations:
		// no default table.
		items = append(items, omap{{"TransitGatewayId", id}, {"TransitGatewayArn", s.tgwArn(id)}, {"State", "available"}, {"OwnerId", awsAccount},
			{"Options", omap{{"AmazonSideAsn", 64512}, {"AutoAcceptSharedAttachments", "disable"}, {"DefaultRouteTableAssociation", "disable"},
				{"DefaultRouteTablePropagation", "disable"}, {"VpnEcmpSupport", "enable"}, {"DnsSupport", "enable"}}}, {"Tags", awsTags(g.Name)}})
	}
	return s.awsDescribe(c, "TransitGateways", nonNil(items), "--transit-gateway-ids", "TransitGatewayId", "", map[string]string{"transit-gateway-id": "TransitGatewayId", "state": "State"})
}

func (s *Shell) awsDescribeTGWVPCAtts(c *awsCall) error {
	var items []any
	for _, g := range s.spec.TransitGateways {
		for _, a := range g.Attachments {
			if a.VPC == "" {
				continue
			}
			var subnets []string
			for _, sn := range a.Subnets {
				subnets = append(subnets, awsID("subnet", sn))
			}
			items = append(items, omap{{"TransitGatewayAttachmentId", awsID("tgw-attach", a.Name)}, {"TransitGatewayId", awsID("tgw", g.Name)}, {"VpcId", awsID("vpc", a.VPC)},
				{"VpcOwnerId", awsAccount}, {"State", orAvailable(a.State)}, {"SubnetIds", subnets},
				{"Options", omap{{"DnsSupport", "enable"}, {"Ipv6Support", "disable"}, {"ApplianceModeSupport", enable(a.ApplianceMode)}}}, {"Tags", awsTags(a.Name)}})
		}
	}
	return s.awsDescribe(c, "TransitGatewayVpcAttachments", nonNil(items), "--transit-gateway-attachment-ids", "TransitGatewayAttachmentId", "", map[string]string{
		"transit-gateway-attachment-id": "TransitGatewayAttachmentId", "transit-gateway-id": "TransitGatewayId", "vpc-id": "VpcId", "state": "State"})
}

// tableOf is the route table an attachment is associated with.
func tableOf(g spec.TransitGatewaySpec, att string) string {
	for _, t := range g.RouteTables {
		if contains(t.Associations, att) {
			return t.Name
		}
	}
	return ""
}

func (s *Shell) awsDescribeTGWAtts(c *awsCall) error {
	var items []any
	for _, g := range s.spec.TransitGateways {
		for _, a := range g.Attachments {
			typ, res := "vpc", awsID("vpc", a.VPC)
			if a.VPN != "" {
				typ, res = "vpn", awsID("vpn", a.VPN)
			}
			it := omap{{"TransitGatewayAttachmentId", awsID("tgw-attach", a.Name)}, {"TransitGatewayId", awsID("tgw", g.Name)}, {"TransitGatewayOwnerId", awsAccount},
				{"ResourceOwnerId", awsAccount}, {"ResourceType", typ}, {"ResourceId", res}, {"State", orAvailable(a.State)}}
			if t := tableOf(g, a.Name); t != "" {
				it = append(it, kv{"Association", omap{{"TransitGatewayRouteTableId", awsID("tgw-rtb", t)}, {"State", "associated"}}})
			}
			items = append(items, append(it, kv{"Tags", awsTags(a.Name)}))
		}
	}
	return s.awsDescribe(c, "TransitGatewayAttachments", nonNil(items), "--transit-gateway-attachment-ids", "TransitGatewayAttachmentId", "", map[string]string{
		"transit-gateway-attachment-id": "TransitGatewayAttachmentId", "transit-gateway-id": "TransitGatewayId", "resource-type": "ResourceType", "resource-id": "ResourceId", "state": "State"})
}

func (s *Shell) awsDescribeTGWTables(c *awsCall) error {
	var items []any
	for _, g := range s.spec.TransitGateways {
		for _, t := range g.RouteTables {
			items = append(items, omap{{"TransitGatewayRouteTableId", awsID("tgw-rtb", t.Name)}, {"TransitGatewayId", awsID("tgw", g.Name)}, {"State", "available"},
				{"DefaultAssociationRouteTable", false}, {"DefaultPropagationRouteTable", false}, {"Tags", awsTags(t.Name)}})
		}
	}
	return s.awsDescribe(c, "TransitGatewayRouteTables", nonNil(items), "--transit-gateway-route-table-ids", "TransitGatewayRouteTableId", "", map[string]string{
		"transit-gateway-route-table-id": "TransitGatewayRouteTableId", "transit-gateway-id": "TransitGatewayId", "state": "State"})
}

// tgwTable finds a transit gateway route table by id or name.
func (s *Shell) tgwTable(c *awsCall) (spec.TransitGatewaySpec, spec.RouteTableSpec, error) {
	ref := c.one("--transit-gateway-route-table-id")
	for _, g := range s.spec.TransitGateways {
		for _, t := range g.RouteTables {
			if ref == t.Name || ref == awsID("tgw-rtb", t.Name) {
				return g, t, nil
			}
		}
	}
	return spec.TransitGatewaySpec{}, spec.RouteTableSpec{}, apiError("InvalidRouteTableID.NotFound", c.spec.name, fmt.Sprintf("Transit Gateway Route Table %s was deleted or does not exist.", ref))
}

func attRes(g spec.TransitGatewaySpec, att string) (typ, id string) {
	for _, a := range g.Attachments {
		if a.Name == att {
			if a.VPN != "" {
				return "vpn", awsID("vpn", a.VPN)
			}
			return "vpc", awsID("vpc", a.VPC)
		}
	}
	return "", ""
}

func (s *Shell) awsTGWPropagations(c *awsCall) error {
	g, t, err := s.tgwTable(c)
	if err != nil {
		return err
	}
	var items []any
	for _, p := range t.Propagations {
		typ, res := attRes(g, p)
		items = append(items, omap{{"TransitGatewayAttachmentId", awsID("tgw-attach", p)}, {"ResourceId", res}, {"ResourceType", typ}, {"State", "enabled"}})
	}
	return s.awsPrint(c, map[string]any{"TransitGatewayRouteTablePropagations": nonNil(items)})
}

// awsTGWRoutes prints a table's static routes and what its propagations
// bring (SearchTransitGatewayRoutes; the CLI insists on --filters).
func (s *Shell) awsTGWRoutes(c *awsCall) error {
	g, t, err := s.tgwTable(c)
	if err != nil {
		return err
	}
	var items []any
	seen := map[string]bool{}
	route := func(dst, att, typ string) {
		if seen[dst] {
			return
		}
		seen[dst] = true
		it := omap{{"DestinationCidrBlock", dst}}
		state := "active"
		if att == "" || att == "blackhole" {
			state = "blackhole"
		} else {
			rt, res := attRes(g, att)
			it = append(it, kv{"TransitGatewayAttachments", []any{omap{{"ResourceId", res}, {"TransitGatewayAttachmentId", awsID("tgw-attach", att)}, {"ResourceType", rt}}}})
		}
		items = append(items, append(it, kv{"Type", typ}, kv{"State", state}))
	}
	for _, r := range t.Routes {
		route(r.Destination, r.Target, "static")
	}
	for _, p := range t.Propagations {
		for _, a := range g.Attachments {
			if a.Name != p {
				continue
			}
			for _, v := range s.spec.VPCs {
				if v.Name == a.VPC {
					route(v.CIDR, p, "propagated")
				}
			}
			for _, vc := range s.spec.VPNConnections {
				if vc.Name == a.VPN {
					for _, d := range s.vpnRoutes(vc) {
						route(d, p, "propagated")
					}
				}
			}
		}
	}
	return s.awsPrint(c, omap{{"Routes", nonNil(items)}, {"AdditionalRoutesAvailable", false}})
}

func (s *Shell) awsDescribeVGWs(c *awsCall) error {
	var items []any
	for _, v := range s.spec.VPCs {
		if v.VPNGateway == "" {
			continue
		}
		items = append(items, omap{{"State", "available"}, {"Type", "ipsec.1"}, {"VpcAttachments", []any{omap{{"State", "attached"}, {"VpcId", awsID("vpc", v.Name)}}}},
			{"VpnGatewayId", awsID("vgw", v.VPNGateway)}, {"AmazonSideAsn", 64512}, {"Tags", awsTags(v.VPNGateway)}})
	}
	return s.awsDescribe(c, "VpnGateways", nonNil(items), "--vpn-gateway-ids", "VpnGatewayId", "", map[string]string{"vpn-gateway-id": "VpnGatewayId", "state": "State", "attachment.vpc-id": "VpcAttachments[].VpcId"})
}

func (s *Shell) awsDescribeCGWs(c *awsCall) error {
	var items []any
	for i, o := range s.spec.OnPremises {
		g := o.CustomerGateway
		items = append(items, omap{{"BgpAsn", fmt.Sprint(65000 + i)}, {"CustomerGatewayId", awsID("cgw", g.Name)}, {"IpAddress", g.IP}, {"State", "available"}, {"Type", "ipsec.1"}, {"Tags", awsTags(g.Name)}})
	}
	return s.awsDescribe(c, "CustomerGateways", nonNil(items), "--customer-gateway-ids", "CustomerGatewayId", "", map[string]string{"customer-gateway-id": "CustomerGatewayId", "ip-address": "IpAddress", "state": "State"})
}

func (s *Shell) awsDescribeVPNs(c *awsCall) error {
	var items []any
	for i, vc := range s.spec.VPNConnections {
		it := omap{{"CustomerGatewayId", awsID("cgw", vc.CustomerGateway)}, {"Category", "VPN"}, {"State", orAvailable(vc.State)}, {"Type", "ipsec.1"}, {"VpnConnectionId", awsID("vpn", vc.Name)}}
		if vc.VPNGateway != "" {
			it = append(it, kv{"VpnGatewayId", awsID("vgw", vc.VPNGateway)})
		}
		for _, g := range s.spec.TransitGateways {
			for _, a := range g.Attachments {
				if a.VPN == vc.Name {
					it = append(it, kv{"TransitGatewayId", awsID("tgw", g.Name)})
				}
			}
		}
		it = append(it, kv{"Options", omap{{"EnableAcceleration", false}, {"StaticRoutesOnly", len(vc.StaticRoutes) > 0}, {"TunnelInsideIpVersion", "ipv4"}}})
		var routes []any
		for _, r := range vc.StaticRoutes {
			routes = append(routes, omap{{"DestinationCidrBlock", r}, {"Source", "Static"}, {"State", "available"}})
		}
		it = append(it, kv{"Routes", nonNil(routes)})
		tunnels := vc.Tunnels
		if len(tunnels) == 0 {
			tunnels = []spec.TunnelSpec{{State: "up"}, {State: "up"}}
		}
		var tel []any
		for j, t := range tunnels {
			st, msg := "UP", ""
			if strings.EqualFold(t.State, "down") {
				st, msg = "DOWN", "IPSEC IS DOWN"
			}
			tel = append(tel, omap{{"AcceptedRouteCount", 0}, {"LastStatusChange", s.launchTime()}, {"OutsideIpAddress", fmt.Sprintf("52.0.%d.%d", 10+i, 1+j)}, {"Status", st}, {"StatusMessage", msg}})
		}
		items = append(items, append(it, kv{"VgwTelemetry", tel}, kv{"Tags", awsTags(vc.Name)}))
	}
	return s.awsDescribe(c, "VpnConnections", nonNil(items), "--vpn-connection-ids", "VpnConnectionId", "", map[string]string{"vpn-connection-id": "VpnConnectionId", "state": "State"})
}

// serviceName is an endpoint's AWS service name: com.amazonaws.REGION.SERVICE.
func (s *Shell) serviceName(e spec.EndpointSpec) string {
	svc := e.Service
	if e.Type == "interface" {
		svc, _, _ = strings.Cut(svc, ".")
	}
	return "com.amazonaws." + s.region() + "." + svc
}

func (s *Shell) awsDescribeEndpoints(c *awsCall) error {
	var items []any
	for _, v := range s.spec.VPCs {
		for _, e := range v.Endpoints {
			id := awsID("vpce", e.Name)
			typ := "Gateway"
			if e.Type == "interface" {
				typ = "Interface"
			}
			var tables, subnets, enis []string
			for _, t := range v.RouteTables {
				for _, r := range t.Routes {
					if r.Target == e.Name && !contains(tables, awsID("rtb", t.Name)) {
						tables = append(tables, awsID("rtb", t.Name))
					}
				}
			}
			var groups []any
			for _, g := range e.SecurityGroups {
				groups = append(groups, omap{{"GroupId", awsID("sg", g)}, {"GroupName", g}})
			}
			for _, n := range e.Interfaces {
				subnets = append(subnets, awsID("subnet", n.Subnet))
				enis = append(enis, awsID("eni", e.Name+"/"+n.Subnet))
			}
			items = append(items, omap{{"VpcEndpointId", id}, {"VpcEndpointType", typ}, {"VpcId", awsID("vpc", v.Name)}, {"ServiceName", s.serviceName(e)},
				{"State", orAvailable(e.State)}, {"RouteTableIds", nonNilS(tables)}, {"SubnetIds", nonNilS(subnets)}, {"Groups", nonNil(groups)},
				{"PrivateDnsEnabled", e.PrivateDNS}, {"NetworkInterfaceIds", nonNilS(enis)}, {"OwnerId", awsAccount}, {"Tags", awsTags(e.Name)}})
		}
	}
	return s.awsDescribe(c, "VpcEndpoints", nonNil(items), "--vpc-endpoint-ids", "VpcEndpointId", "", map[string]string{
		"vpc-endpoint-id": "VpcEndpointId", "vpc-id": "VpcId", "service-name": "ServiceName", "vpc-endpoint-type": "VpcEndpointType", "vpc-endpoint-state": "State"})
}

func nonNilS(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// awsDescribePrefixLists lists the world's prefix lists; the one a
// gateway endpoint routes to is AWS's list of its service, by its name.
func (s *Shell) awsDescribePrefixLists(c *awsCall) error {
	var items []any
	for _, p := range s.spec.PrefixLists {
		name := p.Name
		for _, v := range s.spec.VPCs {
			for _, e := range v.Endpoints {
				if e.Type == "gateway" && e.PrefixList == p.Name {
					name = s.serviceName(e)
				}
			}
		}
		items = append(items, omap{{"Cidrs", p.CIDRs}, {"PrefixListId", awsID("pl", p.Name)}, {"PrefixListName", name}})
	}
	return s.awsDescribe(c, "PrefixLists", nonNil(items), "--prefix-list-ids", "PrefixListId", "", map[string]string{"prefix-list-id": "PrefixListId", "prefix-list-name": "PrefixListName"})
}

// awsGetZone prints a zone with its VPCs (private) or its delegation set.
func (s *Shell) awsGetZone(c *awsCall) error {
	ref := c.one("--id")
	z, ok := s.zoneOf(ref)
	if !ok {
		return apiError("NoSuchHostedZone", c.spec.name, fmt.Sprintf("No hosted zone found with ID: %s", strings.TrimPrefix(ref, "/hostedzone/")))
	}
	out := omap{{"HostedZone", omap{{"Id", "/hostedzone/" + zoneID(z)}, {"Name", dns.Fqdn(z.Name)}, {"CallerReference", "pathlab-" + hexOf("ref", z.Name)[:8]},
		{"Config", omap{{"Comment", ""}, {"PrivateZone", z.Private}}}, {"ResourceRecordSetCount", 2 + len(z.Records)}}}}
	if z.Private {
		var vpcs []any
		for _, v := range z.VPCs {
			vpcs = append(vpcs, omap{{"VPCRegion", s.region()}, {"VPCId", awsID("vpc", v)}})
		}
		out = append(out, kv{"VPCs", nonNil(vpcs)})
	} else {
		var ns []string
		for _, n := range z.Nameservers {
			ns = append(ns, n.Name)
		}
		out = append(out, kv{"DelegationSet", omap{{"NameServers", nonNilS(ns)}}})
	}
	return s.awsPrint(c, out)
}

// awsHybridRoute fills a route to a transit gateway, a virtual private
// gateway or a gateway endpoint (a prefix list's route); false for other
// targets.
func (s *Shell) awsHybridRoute(v spec.VPCSpec, r spec.RouteSpec, out *rtRoute) bool {
	for _, p := range s.spec.PrefixLists {
		if p.Name == r.Destination {
			out.DestinationCidrBlock, out.DestinationPrefixListId = "", awsID("pl", p.Name)
		}
	}
	for _, g := range s.spec.TransitGateways {
		if g.Name == r.Target {
			out.TransitGatewayId = awsID("tgw", g.Name)
			return true
		}
	}
	if v.VPNGateway != "" && r.Target == v.VPNGateway {
		out.GatewayId = awsID("vgw", r.Target)
		return true
	}
	for _, e := range v.Endpoints {
		if e.Name == r.Target {
			out.GatewayId = awsID("vpce", e.Name)
			return true
		}
	}
	return false
}

type awsGatewayRef struct {
	GatewayId string `json:"GatewayId"`
}

// awsPropagated lists a table's propagating gateways and the routes they
// bring (Origin EnableVgwRoutePropagation), as DescribeRouteTables does.
func (s *Shell) awsPropagated(v spec.VPCSpec, t spec.RouteTableSpec, rt *routeTable) {
	for _, g := range t.Propagations {
		rt.PropagatingVgws = append(rt.PropagatingVgws, awsGatewayRef{GatewayId: awsID("vgw", g)})
		if g != v.VPNGateway {
			continue
		}
		for _, vc := range s.spec.VPNConnections {
			if vc.VPNGateway != g || (vc.State != "" && vc.State != "available") {
				continue
			}
			for _, d := range s.vpnRoutes(vc) {
				have := false
				for _, r := range rt.Routes {
					if r.DestinationCidrBlock == d {
						have = true
					}
				}
				if !have {
					rt.Routes = append(rt.Routes, rtRoute{DestinationCidrBlock: d, GatewayId: awsID("vgw", g), Origin: "EnableVgwRoutePropagation", State: "active"})
				}
			}
		}
	}
}

// aliasTarget is a Route 53 alias record's AliasTarget: a balancer's DNS
// name and its canonical zone, or a record of the same zone; nil for a
// plain record.
func (s *Shell) aliasTarget(z spec.ZoneSpec, r spec.RecordSpec) omap {
	if r.Alias == nil {
		return nil
	}
	for _, v := range s.spec.VPCs {
		for _, l := range v.LoadBalancers {
			if l.Name == r.Alias.Target {
				name := fmt.Sprintf("%s-%d.%s.elb.amazonaws.com.", l.Name, 100000000+int(fnv32(l.Name)%900000000), s.region())
				return omap{{"HostedZoneId", "Z35SXDOTRQ7X7K"}, {"DNSName", "dualstack." + name}, {"EvaluateTargetHealth", r.Alias.EvaluateHealth}}
			}
		}
	}
	target := dns.Fqdn(r.Alias.Target)
	if !strings.HasSuffix(r.Alias.Target, ".") && !dns.IsSubDomain(dns.Fqdn(z.Name), target) {
		target = dns.Fqdn(r.Alias.Target + "." + z.Name)
	}
	return omap{{"HostedZoneId", zoneID(z)}, {"DNSName", target}, {"EvaluateTargetHealth", r.Alias.EvaluateHealth}}
}
