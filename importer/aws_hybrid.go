package importer

import (
	"fmt"
	"strings"
)

// The AWS CLI outputs of the issue-11 constructs, read into Terraform's
// types and attribute names (as aws.go does for the rest). Shapes follow
// the EC2 and ELBv2 API references: DescribeTransitGateways,
// DescribeTransitGatewayVpcAttachments, DescribeTransitGatewayAttachments,
// DescribeTransitGatewayRouteTables, GetTransitGatewayRouteTablePropagations,
// SearchTransitGatewayRoutes, DescribeVpnGateways, DescribeCustomerGateways,
// DescribeVpnConnections, DescribeVpcEndpoints, DescribePrefixLists,
// DescribeManagedPrefixLists, GetManagedPrefixListEntries,
// DescribeVpcAttribute, DescribeLoadBalancerAttributes,
// DescribeListenerCertificates.

func init() {
	for k, v := range map[string]string{
		"VpnGateways":                          "aws ec2 describe-vpn-gateways",
		"CustomerGateways":                     "aws ec2 describe-customer-gateways",
		"VpnConnections":                       "aws ec2 describe-vpn-connections",
		"PrefixLists":                          "aws ec2 describe-prefix-lists (or describe-managed-prefix-lists)",
		"Entries":                              "aws ec2 get-managed-prefix-list-entries",
		"TransitGatewayRouteTablePropagations": "aws ec2 get-transit-gateway-route-table-propagations",
		"Routes":                               "aws ec2 search-transit-gateway-routes",
		"Attributes":                           "aws elbv2 describe-load-balancer-attributes",
		"Certificates":                         "aws elbv2 describe-listener-certificates",
		"EnableDnsSupport":                     "aws ec2 describe-vpc-attribute --attribute enableDnsSupport",
		"EnableDnsHostnames":                   "aws ec2 describe-vpc-attribute --attribute enableDnsHostnames",
	} {
		awsKeys[k] = v
	}
}

// awsLater is what only the whole input resolves: files that do not say
// which table, list, balancer or listener they belong to.
type awsLater struct {
	file, key, owner string
	items            []map[string]any
	top              map[string]any
}

func (rd *awsReader) later(file, key, ownerKey string, top map[string]any, items []map[string]any) {
	rd.pending = append(rd.pending, awsLater{file: file, key: key, owner: str(top, ownerKey), items: items, top: top})
}

// hybridSection reads the keys of this file's commands; false for others.
func (rd *awsReader) hybridSection(file, key string, top map[string]any, items []map[string]any) bool {
	switch key {
	case "TransitGateways":
		for _, t := range items {
			o := obj(t, "Options")
			rd.add("aws_ec2_transit_gateway", str(t, "TransitGatewayId"), nameTag(t), map[string]any{"arn": str(t, "TransitGatewayArn"), "state": str(t, "State"),
				"default_route_table_association": str(o, "DefaultRouteTableAssociation"), "association_default_route_table_id": str(o, "AssociationDefaultRouteTableId"),
				"default_route_table_propagation": str(o, "DefaultRouteTablePropagation"), "propagation_default_route_table_id": str(o, "PropagationDefaultRouteTableId")})
		}
	case "TransitGatewayVpcAttachments":
		for _, t := range items {
			rd.add("aws_ec2_transit_gateway_vpc_attachment", str(t, "TransitGatewayAttachmentId"), nameTag(t), map[string]any{"transit_gateway_id": str(t, "TransitGatewayId"),
				"vpc_id": str(t, "VpcId"), "subnet_ids": anyList(strs(t, "SubnetIds")), "appliance_mode_support": str(obj(t, "Options"), "ApplianceModeSupport"), "state": str(t, "State")})
		}
	case "TransitGatewayAttachments":
		for _, t := range items {
			id := str(t, "TransitGatewayAttachmentId")
			switch str(t, "ResourceType") {
			case "vpc":
				rd.add("aws_ec2_transit_gateway_vpc_attachment", id, nameTag(t), map[string]any{"transit_gateway_id": str(t, "TransitGatewayId"), "vpc_id": str(t, "ResourceId"), "state": str(t, "State")})
			case "vpn":
				rd.vpnAtts = append(rd.vpnAtts, t)
			default:
				rd.add("aws_ec2_transit_gateway_peering_attachment", id, nameTag(t), map[string]any{"transit_gateway_id": str(t, "TransitGatewayId"), "resource_type": str(t, "ResourceType")})
			}
			rd.tgwAttsSeen = true
			if a := obj(t, "Association"); a != nil && str(a, "TransitGatewayRouteTableId") != "" && (str(a, "State") == "associated" || str(a, "State") == "") {
				rd.add("aws_ec2_transit_gateway_route_table_association", id+"/"+str(a, "TransitGatewayRouteTableId"), "", map[string]any{
					"transit_gateway_attachment_id": id, "transit_gateway_route_table_id": str(a, "TransitGatewayRouteTableId")}).label = id + " association (" + file + ")"
			}
		}
	case "TransitGatewayPeeringAttachments", "TransitGatewayConnects":
		typ := map[string]string{"TransitGatewayPeeringAttachments": "aws_ec2_transit_gateway_peering_attachment", "TransitGatewayConnects": "aws_ec2_transit_gateway_connect"}[key]
		for _, t := range items {
			rd.add(typ, str(t, "TransitGatewayAttachmentId"), nameTag(t), map[string]any{"transit_gateway_id": str(t, "TransitGatewayId")})
		}
	case "TransitGatewayRouteTables":
		for _, t := range items {
			rd.add("aws_ec2_transit_gateway_route_table", str(t, "TransitGatewayRouteTableId"), nameTag(t), map[string]any{"transit_gateway_id": str(t, "TransitGatewayId"),
				"default_association_route_table": boolean(t, "DefaultAssociationRouteTable"), "default_propagation_route_table": boolean(t, "DefaultPropagationRouteTable"), "state": str(t, "State")})
		}
	case "TransitGatewayRouteTablePropagations":
		rd.later(file, key, "TransitGatewayRouteTableId", top, items)
	case "Routes":
		rd.later(file, key, "TransitGatewayRouteTableId", top, items)
	case "VpnGateways":
		for _, g := range items {
			vpc := ""
			for _, a := range objs(g, "VpcAttachments") {
				if str(a, "State") == "attached" || str(a, "State") == "attaching" {
					vpc = str(a, "VpcId")
				}
			}
			rd.add("aws_vpn_gateway", str(g, "VpnGatewayId"), nameTag(g), map[string]any{"vpc_id": vpc, "state": str(g, "State")})
		}
	case "CustomerGateways":
		for _, g := range items {
			rd.add("aws_customer_gateway", str(g, "CustomerGatewayId"), nameTag(g), map[string]any{"ip_address": str(g, "IpAddress"), "bgp_asn": str(g, "BgpAsn"), "type": str(g, "Type"), "state": str(g, "State")})
		}
	case "VpnConnections":
		for _, c := range items {
			var routes, tel []any
			for _, r := range objs(c, "Routes") {
				routes = append(routes, map[string]any{"destination_cidr_block": str(r, "DestinationCidrBlock"), "state": str(r, "State")})
			}
			for _, t := range objs(c, "VgwTelemetry") {
				tel = append(tel, map[string]any{"outside_ip_address": str(t, "OutsideIpAddress"), "status": str(t, "Status")})
			}
			rd.add("aws_vpn_connection", str(c, "VpnConnectionId"), nameTag(c), map[string]any{"customer_gateway_id": str(c, "CustomerGatewayId"),
				"vpn_gateway_id": str(c, "VpnGatewayId"), "transit_gateway_id": str(c, "TransitGatewayId"), "static_routes_only": boolean(obj(c, "Options"), "StaticRoutesOnly"),
				"routes": routes, "vgw_telemetry": tel, "state": str(c, "State")})
		}
	case "VpcEndpoints":
		for _, e := range items {
			var groups []string
			for _, g := range objs(e, "Groups") {
				groups = append(groups, str(g, "GroupId"))
			}
			rd.add("aws_vpc_endpoint", str(e, "VpcEndpointId"), nameTag(e), map[string]any{"vpc_id": str(e, "VpcId"), "service_name": str(e, "ServiceName"),
				"vpc_endpoint_type": str(e, "VpcEndpointType"), "route_table_ids": anyList(strs(e, "RouteTableIds")), "subnet_ids": anyList(strs(e, "SubnetIds")),
				"security_group_ids": anyList(groups), "private_dns_enabled": boolean(e, "PrivateDnsEnabled"), "state": str(e, "State"),
				"network_interface_ids": anyList(strs(e, "NetworkInterfaceIds"))})
		}
	case "PrefixLists":
		for _, p := range items {
			m := map[string]any{"name": str(p, "PrefixListName"), "arn": str(p, "PrefixListArn"), "address_family": str(p, "AddressFamily"), "owner_id": str(p, "OwnerId")}
			if _, ok := p["Cidrs"]; ok { // describe-prefix-lists: AWS's service lists, with their ranges
				m["owner_id"] = "AWS"
				var es []any
				for _, c := range strs(p, "Cidrs") {
					es = append(es, map[string]any{"cidr": c})
				}
				m["entry"] = es
			}
			rd.add("aws_ec2_managed_prefix_list", str(p, "PrefixListId"), firstOf(nameTag(p), str(p, "PrefixListName")), m)
		}
	case "Entries":
		rd.later(file, key, "PrefixListId", top, items)
	case "Attributes":
		rd.later(file, key, "LoadBalancerArn", top, items)
	case "Certificates":
		rd.later(file, key, "ListenerArn", top, items)
	case "EnableDnsSupport", "EnableDnsHostnames":
		rd.pending = append(rd.pending, awsLater{file: file, key: key, owner: str(top, "VpcId"), top: top})
	default:
		return false
	}
	return true
}

// awsConditions turns elbv2 rule conditions into Terraform's condition
// blocks.
func awsConditions(conds []map[string]any) []any {
	var out []any
	for _, c := range conds {
		vals := func(cfg string) []any {
			if o := obj(c, cfg); o != nil {
				return anyList(strs(o, "Values"))
			}
			return anyList(strs(c, "Values"))
		}
		switch str(c, "Field") {
		case "host-header":
			out = append(out, map[string]any{"host_header": []any{map[string]any{"values": vals("HostHeaderConfig")}}})
		case "path-pattern":
			out = append(out, map[string]any{"path_pattern": []any{map[string]any{"values": vals("PathPatternConfig")}}})
		case "http-request-method":
			out = append(out, map[string]any{"http_request_method": []any{map[string]any{"values": vals("HttpRequestMethodConfig")}}})
		case "source-ip":
			out = append(out, map[string]any{"source_ip": []any{map[string]any{"values": vals("SourceIpConfig")}}})
		case "http-header":
			h := obj(c, "HttpHeaderConfig")
			out = append(out, map[string]any{"http_header": []any{map[string]any{"http_header_name": str(h, "HttpHeaderName"), "values": anyList(strs(h, "Values"))}}})
		case "query-string":
			out = append(out, map[string]any{"query_string": []any{map[string]any{}}})
		default:
			out = append(out, map[string]any{"unknown": str(c, "Field")})
		}
	}
	return out
}

// only returns the id of the one resource of typ, "" if there are none or
// several.
func (rd *awsReader) only(typ string, keep func(*resource) bool) string {
	id := ""
	for _, r := range rd.rs {
		if r.Type == typ && (keep == nil || keep(r)) {
			if id != "" {
				return ""
			}
			id = r.Addr
		}
	}
	return id
}

// linkHybrid resolves what spans files.
func (rd *awsReader) linkHybrid() {
	// A VPN connection's transit gateway attachment.
	for _, t := range rd.vpnAtts {
		if c := rd.byID["aws_vpn_connection|"+str(t, "ResourceId")]; c != nil {
			c.V["transit_gateway_attachment_id"] = str(t, "TransitGatewayAttachmentId")
			c.V["attachment_state"] = str(t, "State")
		}
	}
	// Interface endpoints' addresses, from their network interfaces.
	for _, r := range rd.rs {
		if r.Type != "aws_vpc_endpoint" {
			continue
		}
		var addrs []any
		for _, n := range strs(r.V, "network_interface_ids") {
			if ni := rd.byID["aws_network_interface|"+n]; ni != nil {
				ni.V["owner"] = r.Addr
				addrs = append(addrs, map[string]any{"subnet_id": str(ni.V, "subnet_id"), "private_ip": str(ni.V, "private_ip")})
			}
		}
		r.V["interface_addresses"] = addrs
	}
	explicitProp := false
	for _, p := range rd.pending {
		owner := p.owner
		switch p.key {
		case "TransitGatewayRouteTablePropagations", "Routes":
			if owner == "" {
				owner = rd.only("aws_ec2_transit_gateway_route_table", nil)
			}
			if owner == "" {
				rd.warns = append(rd.warns, Note{Subject: p.file, Text: fmt.Sprintf("the %s do not say their transit gateway route table; add \"TransitGatewayRouteTableId\" to the file (%s does not print it)", strings.ToLower(p.key), awsKeys[p.key])})
				continue
			}
			explicitProp = true
			for i, it := range p.items {
				if p.key == "TransitGatewayRouteTablePropagations" {
					if st := str(it, "State"); st != "" && st != "enabled" {
						continue
					}
					rd.propagate(owner, str(it, "TransitGatewayAttachmentId"), fmt.Sprintf("%s#%d", p.file, i))
					continue
				}
				dst := str(it, "DestinationCidrBlock")
				atts := objs(it, "TransitGatewayAttachments")
				att := ""
				if len(atts) > 0 {
					att = str(atts[0], "TransitGatewayAttachmentId")
				}
				if str(it, "Type") == "propagated" {
					rd.propagate(owner, att, fmt.Sprintf("%s#%d", p.file, i))
					continue
				}
				rd.add("aws_ec2_transit_gateway_route", owner+"_"+dst, "", map[string]any{"transit_gateway_route_table_id": owner, "destination_cidr_block": dst,
					"transit_gateway_attachment_id": att, "blackhole": str(it, "State") == "blackhole"}).label = fmt.Sprintf("%s in %s (%s#%d)", dst, owner, p.file, i)
			}
		case "Entries":
			if owner == "" {
				owner = rd.only("aws_ec2_managed_prefix_list", func(r *resource) bool { return r.V["entry"] == nil })
			}
			pl := rd.byID["aws_ec2_managed_prefix_list|"+owner]
			if pl == nil {
				rd.warns = append(rd.warns, Note{Subject: p.file, Text: "the prefix list entries do not say their list; add \"PrefixListId\" to the file (get-managed-prefix-list-entries does not print it)"})
				continue
			}
			var es []any
			for _, e := range p.items {
				es = append(es, map[string]any{"cidr": str(e, "Cidr")})
			}
			pl.V["entry"] = es
		case "Attributes":
			if str(p.top, "TargetGroupArn") != "" {
				continue // describe-target-group-attributes: nothing the world reads
			}
			if owner == "" {
				owner = rd.only("aws_lb", nil)
			}
			lb := rd.byID["aws_lb|"+owner]
			if lb == nil {
				rd.warns = append(rd.warns, Note{Subject: p.file, Text: "the balancer attributes do not say their balancer; add \"LoadBalancerArn\" to the file (describe-load-balancer-attributes does not print it)"})
				continue
			}
			for _, a := range p.items {
				if str(a, "Key") == "load_balancing.cross_zone.enabled" {
					lb.V["enable_cross_zone_load_balancing"] = str(a, "Value") == "true"
				}
			}
		case "Certificates":
			if owner == "" {
				owner = rd.only("aws_lb_listener", func(r *resource) bool {
					p := strings.ToUpper(str(r.V, "protocol"))
					return p == "HTTPS" || p == "TLS"
				})
			}
			if rd.byID["aws_lb_listener|"+owner] == nil {
				rd.warns = append(rd.warns, Note{Subject: p.file, Text: "the listener certificates do not say their listener; add \"ListenerArn\" to the file (describe-listener-certificates does not print it)"})
				continue
			}
			for i, c := range p.items {
				if boolean(c, "IsDefault") {
					continue // the listener's own certificate
				}
				rd.add("aws_lb_listener_certificate", owner+"_"+str(c, "CertificateArn"), "", map[string]any{"listener_arn": owner, "certificate_arn": str(c, "CertificateArn")}).label = fmt.Sprintf("%s (%s#%d)", str(c, "CertificateArn"), p.file, i)
			}
		case "EnableDnsSupport", "EnableDnsHostnames":
			v := rd.byID["aws_vpc|"+owner]
			if v == nil {
				rd.warns = append(rd.warns, Note{Subject: p.file, Text: fmt.Sprintf("VPC %s of the DNS attribute is not in the input; the attribute is left out", orUnknown(owner))})
				continue
			}
			v.V[map[string]string{"EnableDnsSupport": "enable_dns_support", "EnableDnsHostnames": "enable_dns_hostnames"}[p.key]] = boolean(obj(p.top, p.key), "Value")
		}
	}
	// What the files say of associations and propagations replaces
	// AWS's defaults: an attachment goes with the default table only when
	// the input does not say otherwise.
	for _, r := range rd.rs {
		if r.Type == "aws_ec2_transit_gateway_vpc_attachment" || r.Type == "aws_vpn_connection" {
			if rd.tgwAttsSeen {
				r.V["transit_gateway_default_route_table_association"] = false
			}
			if explicitProp {
				r.V["transit_gateway_default_route_table_propagation"] = false
			}
		}
	}
}

func (rd *awsReader) propagate(table, att, label string) {
	if att == "" {
		return
	}
	rd.add("aws_ec2_transit_gateway_route_table_propagation", table+"/"+att, "", map[string]any{"transit_gateway_route_table_id": table, "transit_gateway_attachment_id": att}).label = att + " propagation to " + table + " (" + label + ")"
}
