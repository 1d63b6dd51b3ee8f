package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// The AWS CLI's JSON is read into resources with Terraform's types and
// attribute names, so that one builder serves both. Each is labelled by
// its id (and Name tag) in comments and reports.

// awsKeys are the top-level keys of the AWS CLI outputs the importer
// reads, and the command that prints each.
var awsKeys = map[string]string{
	"Vpcs":                             "aws ec2 describe-vpcs",
	"Subnets":                          "aws ec2 describe-subnets",
	"RouteTables":                      "aws ec2 describe-route-tables",
	"NetworkAcls":                      "aws ec2 describe-network-acls",
	"SecurityGroups":                   "aws ec2 describe-security-groups",
	"Reservations":                     "aws ec2 describe-instances",
	"InternetGateways":                 "aws ec2 describe-internet-gateways",
	"NatGateways":                      "aws ec2 describe-nat-gateways",
	"VpcPeeringConnections":            "aws ec2 describe-vpc-peering-connections",
	"TransitGateways":                  "aws ec2 describe-transit-gateways",
	"TransitGatewayAttachments":        "aws ec2 describe-transit-gateway-attachments",
	"TransitGatewayVpcAttachments":     "aws ec2 describe-transit-gateway-vpc-attachments",
	"TransitGatewayRouteTables":        "aws ec2 describe-transit-gateway-route-tables",
	"TransitGatewayPeeringAttachments": "aws ec2 describe-transit-gateway-peering-attachments",
	"TransitGatewayConnects":           "aws ec2 describe-transit-gateway-connects",
	"VpcEndpoints":                     "aws ec2 describe-vpc-endpoints",
	"NetworkInterfaces":                "aws ec2 describe-network-interfaces",
	"LoadBalancers":                    "aws elbv2 describe-load-balancers",
	"Listeners":                        "aws elbv2 describe-listeners",
	"Rules":                            "aws elbv2 describe-rules",
	"TargetGroups":                     "aws elbv2 describe-target-groups",
	"TargetHealthDescriptions":         "aws elbv2 describe-target-health",
	"HostedZones":                      "aws route53 list-hosted-zones",
	"HostedZone":                       "aws route53 get-hosted-zone",
	"ResourceRecordSets":               "aws route53 list-resource-record-sets",
	"Certificate":                      "aws acm describe-certificate",
}

type awsReader struct {
	rs      []*resource
	byID    map[string]*resource
	health  []awsHealth
	records []awsRecords
	warns   []Note
	// aws_hybrid.go
	pending     []awsLater
	vpnAtts     []map[string]any
	tgwAttsSeen bool
}

type awsHealth struct {
	file    string
	tgArn   string
	targets []map[string]any
}

type awsRecords struct {
	file   string
	zoneID string
	sets   []map[string]any
}

// AWS imports AWS CLI output: every file must be the JSON of one of the
// commands awsKeys lists.
func AWS(files []File) (res *Result, err error) {
	src := "aws"
	if len(files) == 1 {
		src = files[0].Name
	} else if len(files) > 1 {
		src = commonDir(files)
	}
	defer func() {
		if !catchPanics {
			return
		}
		if p := recover(); p != nil {
			res, err = nil, inputErr(src, "the importer failed on this input (%v); please report it with the files", p)
		}
	}()
	rd := &awsReader{byID: map[string]*resource{}}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, f := range files {
		if err := rd.file(f); err != nil {
			return nil, err
		}
	}
	rd.link()
	b := newBuilder(src, KindAWS, rd.rs, nil)
	b.rep.Warnings = append(b.rep.Warnings, rd.warns...)
	b.build(worldName(src))
	return b.finish(fmt.Sprintf("Imported by 'pathlab import aws' from %s (%d files of AWS CLI output).", src, len(files)))
}

func commonDir(files []File) string {
	dir := ""
	for i, f := range files {
		d := f.Name
		if k := strings.LastIndex(d, "/"); k >= 0 {
			d = d[:k]
		} else {
			d = "."
		}
		if i == 0 {
			dir = d
		} else if d != dir {
			return "aws"
		}
	}
	return dir
}

func (rd *awsReader) add(typ, id, name string, v map[string]any) *resource {
	if id == "" {
		return nil
	}
	if r := rd.byID[typ+"|"+id]; r != nil {
		for k, x := range v { // the same resource from a second file: merge
			if _, ok := r.V[k]; !ok {
				r.V[k] = x
			}
		}
		return r
	}
	label := id
	if i := strings.Index(id, ":"); strings.HasPrefix(id, "arn:") && i >= 0 {
		parts := strings.SplitN(id, ":", 6)
		if len(parts) == 6 {
			label = parts[5]
		}
	}
	if name != "" {
		label += " (" + name + ")"
	}
	if v == nil {
		v = map[string]any{}
	}
	v["id"] = id
	r := &resource{Addr: id, Type: typ, Name: name, V: v, label: label}
	rd.rs = append(rd.rs, r)
	rd.byID[typ+"|"+id] = r
	return r
}

func nameTag(m map[string]any) string {
	for _, t := range blocks(m, "Tags") {
		if str(t, "Key") == "Name" {
			return str(t, "Value")
		}
	}
	return ""
}

func objs(m map[string]any, key string) []map[string]any { return blocks(m, key) }

func obj(m map[string]any, key string) map[string]any { return asMap(m[key]) }

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func (rd *awsReader) file(f File) error {
	data := bytes.TrimSpace(f.Data)
	var top map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		if len(data) > 0 && data[0] != '{' && data[0] != '[' {
			return inputErr(f.Name, "not JSON: run the AWS CLI with --output json (text and table output cannot be read)")
		}
		return jsonErr(f.Name, data, err)
	}
	if top == nil {
		return inputErr(f.Name, "not AWS CLI output: want a JSON object such as the output of 'aws ec2 describe-vpcs'")
	}
	known := false
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := awsKeys[k]; !ok {
			continue
		}
		known = true
		if err := rd.section(f.Name, k, top); err != nil {
			return err
		}
	}
	if !known {
		if Detect(data) == KindPlan || Detect(data) == KindState || Detect(data) == KindTFState {
			return inputErr(f.Name, "this is Terraform output; use 'pathlab import terraform %s'", f.Name)
		}
		if len(keys) > 8 {
			keys = append(keys[:8], "...")
		}
		return inputErr(f.Name, "not output of an AWS CLI command the importer reads (its top-level keys are %s); see 'pathlab import aws --help' for the commands", strings.Join(keys, ", "))
	}
	return nil
}

// section reads one top-level key of a file.
func (rd *awsReader) section(file, key string, top map[string]any) error {
	list := func() ([]map[string]any, error) {
		switch top[key].(type) {
		case []any, nil:
			return objs(top, key), nil
		}
		return nil, inputErr(file, "%s is not a list; is this the output of '%s'?", key, awsKeys[key])
	}
	if key == "Certificate" || key == "HostedZone" || key == "EnableDnsSupport" || key == "EnableDnsHostnames" {
		if _, ok := top[key].(map[string]any); !ok {
			return inputErr(file, "%s is not an object; is this the output of '%s'?", key, awsKeys[key])
		}
	} else if _, err := list(); err != nil {
		return err
	}
	items := objs(top, key)
	if rd.hybridSection(file, key, top, items) { // aws_hybrid.go
		return nil
	}
	switch key {
	case "Vpcs":
		for _, v := range items {
			rd.add("aws_vpc", str(v, "VpcId"), nameTag(v), map[string]any{"cidr_block": str(v, "CidrBlock"), "is_default": boolean(v, "IsDefault")})
		}
	case "Subnets":
		for _, s := range items {
			rd.add("aws_subnet", str(s, "SubnetId"), nameTag(s), map[string]any{"vpc_id": str(s, "VpcId"), "cidr_block": str(s, "CidrBlock"), "availability_zone": str(s, "AvailabilityZone")})
		}
	case "RouteTables":
		for _, t := range items {
			var routes []any
			for _, r := range objs(t, "Routes") {
				if str(r, "Origin") == "EnableVgwRoutePropagation" {
					continue // brought by the table's propagation (PropagatingVgws)
				}
				m := map[string]any{"cidr_block": str(r, "DestinationCidrBlock"), "ipv6_cidr_block": str(r, "DestinationIpv6CidrBlock"),
					"destination_prefix_list_id": str(r, "DestinationPrefixListId"), "gateway_id": str(r, "GatewayId"), "nat_gateway_id": str(r, "NatGatewayId"),
					"transit_gateway_id": str(r, "TransitGatewayId"), "vpc_peering_connection_id": str(r, "VpcPeeringConnectionId"), "instance_id": str(r, "InstanceId"),
					"network_interface_id": str(r, "NetworkInterfaceId"), "egress_only_gateway_id": str(r, "EgressOnlyInternetGatewayId"),
					"carrier_gateway_id": str(r, "CarrierGatewayId"), "local_gateway_id": str(r, "LocalGatewayId"), "core_network_arn": str(r, "CoreNetworkArn")}
				if str(r, "State") == "blackhole" {
					m["blackhole"] = true
				}
				if str(r, "InstanceId") != "" {
					m["network_interface_id"] = "" // the instance names it
				}
				routes = append(routes, m)
			}
			main := false
			id := str(t, "RouteTableId")
			for _, a := range objs(t, "Associations") {
				if boolean(a, "Main") {
					main = true
					continue
				}
				if s := str(a, "SubnetId"); s != "" {
					rd.add("aws_route_table_association", firstOf(str(a, "RouteTableAssociationId"), id+"/"+s), "", map[string]any{"subnet_id": s, "route_table_id": id})
				} else if g := str(a, "GatewayId"); g != "" {
					rd.add("aws_route_table_association", firstOf(str(a, "RouteTableAssociationId"), id+"/"+g), "", map[string]any{"gateway_id": g, "route_table_id": id})
				}
			}
			var vgws []string
			for _, g := range objs(t, "PropagatingVgws") {
				vgws = append(vgws, str(g, "GatewayId"))
			}
			rd.add("aws_route_table", id, nameTag(t), map[string]any{"vpc_id": str(t, "VpcId"), "route": routes, "main": main, "propagating_vgws": anyList(vgws)})
		}
	case "NetworkAcls":
		for _, a := range items {
			var in, out []any
			for _, e := range objs(a, "Entries") {
				m := map[string]any{"rule_no": e["RuleNumber"], "action": str(e, "RuleAction"), "protocol": str(e, "Protocol"), "cidr_block": str(e, "CidrBlock"), "ipv6_cidr_block": str(e, "Ipv6CidrBlock")}
				if pr := obj(e, "PortRange"); pr != nil {
					m["from_port"], m["to_port"] = pr["From"], pr["To"]
				}
				if ic := obj(e, "IcmpTypeCode"); ic != nil {
					m["icmp_type"], m["icmp_code"] = ic["Type"], ic["Code"]
				}
				if boolean(e, "Egress") {
					out = append(out, m)
				} else {
					in = append(in, m)
				}
			}
			var subnets []string
			for _, as := range objs(a, "Associations") {
				subnets = append(subnets, str(as, "SubnetId"))
			}
			rd.add("aws_network_acl", str(a, "NetworkAclId"), nameTag(a), map[string]any{"vpc_id": str(a, "VpcId"), "ingress": in, "egress": out, "subnet_ids": anyList(subnets), "is_default": boolean(a, "IsDefault")})
		}
	case "SecurityGroups":
		for _, g := range items {
			perms := func(k string) []any {
				var out []any
				for _, p := range objs(g, k) {
					m := map[string]any{"protocol": str(p, "IpProtocol"), "from_port": p["FromPort"], "to_port": p["ToPort"]}
					if m["from_port"] == nil {
						m["from_port"], m["to_port"] = float64(-1), float64(-1)
					}
					var cidrs, v6, pls, groups []string
					for _, x := range objs(p, "IpRanges") {
						cidrs = append(cidrs, str(x, "CidrIp"))
					}
					for _, x := range objs(p, "Ipv6Ranges") {
						v6 = append(v6, str(x, "CidrIpv6"))
					}
					for _, x := range objs(p, "PrefixListIds") {
						pls = append(pls, str(x, "PrefixListId"))
					}
					for _, x := range objs(p, "UserIdGroupPairs") {
						groups = append(groups, str(x, "GroupId"))
					}
					m["cidr_blocks"], m["ipv6_cidr_blocks"], m["prefix_list_ids"], m["security_groups"] = anyList(cidrs), anyList(v6), anyList(pls), anyList(groups)
					out = append(out, m)
				}
				return out
			}
			name := nameTag(g)
			if name == "" {
				name = str(g, "GroupName")
			}
			rd.add("aws_security_group", str(g, "GroupId"), name, map[string]any{"vpc_id": str(g, "VpcId"), "name": str(g, "GroupName"), "ingress": perms("IpPermissions"), "egress": perms("IpPermissionsEgress")})
		}
	case "Reservations":
		for _, res := range items {
			for _, in := range objs(res, "Instances") {
				var groups []string
				for _, g := range objs(in, "SecurityGroups") {
					groups = append(groups, str(g, "GroupId"))
				}
				eni := ""
				var secondary []any // the primary interface's other private addresses
				for _, n := range objs(in, "NetworkInterfaces") {
					if a := obj(n, "Attachment"); a != nil {
						if d, ok := num(a, "DeviceIndex"); ok && d == 0 {
							eni = str(n, "NetworkInterfaceId")
							for _, p := range objs(n, "PrivateIpAddresses") {
								if p["Primary"] == false {
									secondary = append(secondary, str(p, "PrivateIpAddress"))
								}
							}
						}
					}
				}
				state := str(obj(in, "State"), "Name")
				if state == "terminated" {
					continue // gone: AWS lists terminated instances for an hour
				}
				m := map[string]any{"subnet_id": str(in, "SubnetId"), "private_ip": str(in, "PrivateIpAddress"),
					"public_ip": str(in, "PublicIpAddress"), "vpc_security_group_ids": anyList(groups), "instance_state": state, "primary_network_interface_id": eni}
				if len(secondary) > 0 {
					m["secondary_private_ips"] = secondary
				}
				if sdc, ok := in["SourceDestCheck"].(bool); ok {
					m["source_dest_check"] = sdc
				}
				rd.add("aws_instance", str(in, "InstanceId"), nameTag(in), m)
			}
		}
	case "InternetGateways":
		for _, g := range items {
			vpc := ""
			for _, a := range objs(g, "Attachments") {
				if st := str(a, "State"); st == "available" || st == "attached" || st == "" {
					vpc = str(a, "VpcId")
				}
			}
			rd.add("aws_internet_gateway", str(g, "InternetGatewayId"), nameTag(g), map[string]any{"vpc_id": vpc})
		}
	case "NatGateways":
		for _, n := range items {
			st := str(n, "State")
			m := map[string]any{"subnet_id": str(n, "SubnetId"), "connectivity_type": str(n, "ConnectivityType"), "state": st}
			for _, a := range objs(n, "NatGatewayAddresses") {
				if _, ok := a["IsPrimary"]; ok && !boolean(a, "IsPrimary") {
					continue
				}
				m["private_ip"], m["public_ip"], m["allocation_id"], m["network_interface_id"] = str(a, "PrivateIp"), str(a, "PublicIp"), str(a, "AllocationId"), str(a, "NetworkInterfaceId")
				break
			}
			rd.add("aws_nat_gateway", str(n, "NatGatewayId"), nameTag(n), m)
		}
	case "VpcPeeringConnections":
		for _, p := range items {
			rd.add("aws_vpc_peering_connection", str(p, "VpcPeeringConnectionId"), nameTag(p), map[string]any{"vpc_id": str(obj(p, "RequesterVpcInfo"), "VpcId"),
				"peer_vpc_id": str(obj(p, "AccepterVpcInfo"), "VpcId"), "accept_status": str(obj(p, "Status"), "Code")})
		}
	case "NetworkInterfaces":
		for _, n := range items {
			m := map[string]any{"subnet_id": str(n, "SubnetId"), "private_ip": str(n, "PrivateIpAddress"), "public_ip": str(obj(n, "Association"), "PublicIp"),
				"description": str(n, "Description"), "interface_type": str(n, "InterfaceType"), "instance_id": str(obj(n, "Attachment"), "InstanceId")}
			var ips []any
			for _, p := range objs(n, "PrivateIpAddresses") {
				ips = append(ips, str(p, "PrivateIpAddress"))
			}
			if len(ips) > 0 {
				m["private_ips"] = ips
			}
			rd.add("aws_network_interface", str(n, "NetworkInterfaceId"), nameTag(n), m)
		}
	case "LoadBalancers":
		for _, l := range items {
			var subnets []string
			var nodes []any
			for _, z := range objs(l, "AvailabilityZones") {
				subnets = append(subnets, str(z, "SubnetId"))
				for _, a := range objs(z, "LoadBalancerAddresses") {
					nodes = append(nodes, map[string]any{"subnet_id": str(z, "SubnetId"), "private_ip": str(a, "PrivateIPv4Address"), "public_ip": str(a, "IpAddress")})
				}
			}
			rd.add("aws_lb", str(l, "LoadBalancerArn"), str(l, "LoadBalancerName"), map[string]any{"arn": str(l, "LoadBalancerArn"), "name": str(l, "LoadBalancerName"),
				"internal": str(l, "Scheme") == "internal", "load_balancer_type": str(l, "Type"), "security_groups": anyList(strs(l, "SecurityGroups")),
				"subnets": anyList(subnets), "dns_name": str(l, "DNSName"), "vpc_id": str(l, "VpcId"), "node_addresses": nodes})
		}
	case "Listeners":
		for _, l := range items {
			cert := ""
			for _, c := range objs(l, "Certificates") {
				if cert == "" || boolean(c, "IsDefault") {
					cert = str(c, "CertificateArn")
				}
			}
			rd.add("aws_lb_listener", str(l, "ListenerArn"), "", map[string]any{"arn": str(l, "ListenerArn"), "load_balancer_arn": str(l, "LoadBalancerArn"),
				"port": l["Port"], "protocol": str(l, "Protocol"), "certificate_arn": cert, "default_action": awsActions(objs(l, "DefaultActions"))})
		}
	case "Rules":
		for _, r := range items {
			arn := str(r, "RuleArn")
			listener := strings.Replace(arn, ":listener-rule/", ":listener/", 1)
			if i := strings.LastIndex(listener, "/"); i > 0 {
				listener = listener[:i]
			}
			rd.add("aws_lb_listener_rule", arn, "", map[string]any{"listener_arn": listener, "priority": str(r, "Priority"), "is_default": boolean(r, "IsDefault"),
				"action": awsActions(objs(r, "Actions")), "condition": awsConditions(objs(r, "Conditions"))})
		}
	case "TargetGroups":
		for _, t := range items {
			hc := map[string]any{"protocol": str(t, "HealthCheckProtocol"), "port": str(t, "HealthCheckPort"), "path": str(t, "HealthCheckPath"), "matcher": str(obj(t, "Matcher"), "HttpCode")}
			rd.add("aws_lb_target_group", str(t, "TargetGroupArn"), str(t, "TargetGroupName"), map[string]any{"arn": str(t, "TargetGroupArn"), "port": t["Port"],
				"protocol": str(t, "Protocol"), "target_type": str(t, "TargetType"), "vpc_id": str(t, "VpcId"), "health_check": []any{hc}, "load_balancer_arns": anyList(strs(t, "LoadBalancerArns"))})
		}
	case "TargetHealthDescriptions":
		rd.health = append(rd.health, awsHealth{file: file, tgArn: str(top, "TargetGroupArn"), targets: items})
	case "HostedZones":
		for _, z := range items {
			id := strings.TrimPrefix(str(z, "Id"), "/hostedzone/")
			rd.add("aws_route53_zone", id, zoneName(str(z, "Name")), map[string]any{"zone_id": id, "name": str(z, "Name"), "private_zone": boolean(obj(z, "Config"), "PrivateZone")})
		}
	case "HostedZone":
		z := obj(top, "HostedZone")
		id := strings.TrimPrefix(str(z, "Id"), "/hostedzone/")
		var vpcs []any
		for _, v := range objs(top, "VPCs") {
			vpcs = append(vpcs, map[string]any{"vpc_id": str(v, "VPCId")})
		}
		rd.add("aws_route53_zone", id, zoneName(str(z, "Name")), map[string]any{"zone_id": id, "name": str(z, "Name"), "private_zone": boolean(obj(z, "Config"), "PrivateZone"),
			"vpc": vpcs, "name_servers": anyList(strs(obj(top, "DelegationSet"), "NameServers"))})
	case "ResourceRecordSets":
		rd.records = append(rd.records, awsRecords{file: file, zoneID: strings.TrimPrefix(str(top, "HostedZoneId"), "/hostedzone/"), sets: items})
	case "Certificate":
		c := obj(top, "Certificate")
		rd.add("aws_acm_certificate", str(c, "CertificateArn"), str(c, "DomainName"), map[string]any{"arn": str(c, "CertificateArn"), "domain_name": str(c, "DomainName"),
			"subject_alternative_names": anyList(strs(c, "SubjectAlternativeNames")), "not_before": str(c, "NotBefore"), "not_after": str(c, "NotAfter"), "status": str(c, "Status")})
	}
	return nil
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// awsActions turns elbv2 actions into Terraform's default_action blocks.
func awsActions(acts []map[string]any) []any {
	var out []any
	for _, a := range acts {
		m := map[string]any{"type": strings.ToLower(str(a, "Type")), "target_group_arn": str(a, "TargetGroupArn"), "order": a["Order"]}
		if rc := obj(a, "RedirectConfig"); rc != nil {
			m["redirect"] = []any{map[string]any{"protocol": str(rc, "Protocol"), "port": str(rc, "Port"), "host": str(rc, "Host"), "path": str(rc, "Path"),
				"query": str(rc, "Query"), "status_code": str(rc, "StatusCode")}}
		}
		if fc := obj(a, "FixedResponseConfig"); fc != nil {
			m["fixed_response"] = []any{map[string]any{"status_code": str(fc, "StatusCode"), "content_type": str(fc, "ContentType"), "message_body": str(fc, "MessageBody")}}
		}
		if fc := obj(a, "ForwardConfig"); fc != nil {
			var tgs []any
			for _, t := range objs(fc, "TargetGroups") {
				tgs = append(tgs, map[string]any{"arn": str(t, "TargetGroupArn"), "weight": t["Weight"]})
			}
			m["forward"] = []any{map[string]any{"target_group": tgs}}
		}
		out = append(out, m)
	}
	return out
}

// link fills what spans files: a VPC's main table, default ACL and
// default group, the balancers' node addresses from their interfaces,
// target health to target groups, record sets to zones.
func (rd *awsReader) link() {
	for _, r := range rd.rs {
		switch r.Type {
		case "aws_route_table":
			if boolean(r.V, "main") {
				if v := rd.byID["aws_vpc|"+str(r.V, "vpc_id")]; v != nil {
					v.V["main_route_table_id"] = r.Addr
				}
			}
		case "aws_network_acl":
			if boolean(r.V, "is_default") {
				if v := rd.byID["aws_vpc|"+str(r.V, "vpc_id")]; v != nil {
					v.V["default_network_acl_id"] = r.Addr
				}
			}
		case "aws_security_group":
			if str(r.V, "name") == "default" {
				if v := rd.byID["aws_vpc|"+str(r.V, "vpc_id")]; v != nil {
					v.V["default_security_group_id"] = r.Addr
				}
			}
		}
	}
	// Interfaces: a balancer's nodes ("ELB app/NAME/ID"), an instance's,
	// a NAT gateway's.
	lbBySuffix := map[string]*resource{}
	for _, r := range rd.rs {
		if r.Type == "aws_lb" {
			if i := strings.Index(r.Addr, ":loadbalancer/"); i >= 0 {
				lbBySuffix[r.Addr[i+len(":loadbalancer/"):]] = r
			}
		}
	}
	for _, r := range rd.rs {
		if r.Type != "aws_network_interface" {
			continue
		}
		desc := str(r.V, "description")
		switch {
		case strings.HasPrefix(desc, "ELB "):
			if lb := lbBySuffix[strings.TrimPrefix(desc, "ELB ")]; lb != nil {
				r.V["owner"] = lb.Addr
				nodes, _ := lb.V["node_addresses"].([]any)
				have := false
				for _, n := range nodes {
					if str(asMap(n), "subnet_id") == str(r.V, "subnet_id") && str(asMap(n), "private_ip") != "" {
						have = true
					}
				}
				if !have {
					lb.V["node_addresses"] = append(nodes, map[string]any{"subnet_id": str(r.V, "subnet_id"), "private_ip": str(r.V, "private_ip"), "public_ip": str(r.V, "public_ip")})
				}
			}
		case str(r.V, "instance_id") != "":
			r.V["owner"] = str(r.V, "instance_id")
		case str(r.V, "interface_type") == "nat_gateway":
			for _, n := range rd.rs {
				if n.Type == "aws_nat_gateway" && str(n.V, "network_interface_id") == r.Addr {
					r.V["owner"] = n.Addr
				}
			}
		}
	}
	rd.linkHybrid() // aws_hybrid.go
	// Target health: the file may name its group (TargetGroupArn, which
	// the CLI does not print); else the one group of the target's VPC
	// whose port the targets use.
	for _, h := range rd.health {
		for i, t := range h.targets {
			tgt := obj(t, "Target")
			id := str(tgt, "Id")
			port, _ := num(tgt, "Port")
			arn := h.tgArn
			if arn == "" {
				arn = rd.guessTG(id, port)
			}
			if arn == "" {
				rd.warns = append(rd.warns, Note{Subject: h.file, Text: fmt.Sprintf("target %s on port %d matches no single target group; add \"TargetGroupArn\" to the file (describe-target-health does not print it)", id, port)})
				continue
			}
			rd.add("aws_lb_target_group_attachment", fmt.Sprintf("%s#%s:%d", arn, id, port), "", map[string]any{"target_group_arn": arn, "target_id": id, "port": float64(port)}).label = fmt.Sprintf("%s#%d (target health of %s)", h.file, i, id)
		}
	}
	// Record sets: the zone the file names (HostedZoneId, which the CLI
	// does not print), else the zone whose name is the longest suffix.
	for _, rs := range rd.records {
		for i, s := range rs.sets {
			name := zoneName(str(s, "Name"))
			zid := rs.zoneID
			if zid == "" {
				zid = rd.guessZone(name)
			}
			if zid == "" {
				rd.warns = append(rd.warns, Note{Subject: rs.file, Text: fmt.Sprintf("record %s matches no hosted zone of the input; add \"HostedZoneId\" to the file", name)})
				continue
			}
			var values []any
			for _, v := range objs(s, "ResourceRecords") {
				values = append(values, str(v, "Value"))
			}
			m := map[string]any{"zone_id": zid, "name": name, "type": str(s, "Type"), "ttl": s["TTL"], "records": values}
			if at := obj(s, "AliasTarget"); at != nil {
				m["alias"] = []any{map[string]any{"name": str(at, "DNSName"), "zone_id": str(at, "HostedZoneId"), "evaluate_target_health": boolean(at, "EvaluateTargetHealth")}}
			}
			typ := strings.ToUpper(str(s, "Type"))
			r := rd.add("aws_route53_record", fmt.Sprintf("%s_%s_%s_%s", zid, name, typ, str(s, "SetIdentifier")), "", m)
			r.label = fmt.Sprintf("%s %s in %s (%s#%d)", name, typ, zid, rs.file, i)
			// The apex NS set gives a public zone's nameservers.
			if typ == "NS" {
				if z := rd.byID["aws_route53_zone|"+zid]; z != nil && zoneName(str(z.V, "name")) == name && len(strs(z.V, "name_servers")) == 0 {
					var ns []any
					for _, v := range values {
						ns = append(ns, zoneName(v.(string)))
					}
					z.V["name_servers"] = ns
				}
			}
		}
	}
	// A private zone from list-hosted-zones does not say its VPCs: if the
	// input has one VPC, that is it.
	var vpcs []*resource
	for _, r := range rd.rs {
		if r.Type == "aws_vpc" {
			vpcs = append(vpcs, r)
		}
	}
	for _, r := range rd.rs {
		if r.Type == "aws_route53_zone" && boolean(r.V, "private_zone") && len(blocks(r.V, "vpc")) == 0 && len(vpcs) == 1 {
			r.V["vpc"] = []any{map[string]any{"vpc_id": vpcs[0].Addr}}
			rd.warns = append(rd.warns, Note{Subject: r.Label(), Text: fmt.Sprintf("list-hosted-zones does not say which VPCs a private zone serves; taken to be %s, the only VPC of the input ('aws route53 get-hosted-zone' says)", vpcs[0].Label())})
		}
	}
}

func (rd *awsReader) guessTG(target string, port int) string {
	vpc := ""
	if in := rd.byID["aws_instance|"+target]; in != nil {
		if s := rd.byID["aws_subnet|"+str(in.V, "subnet_id")]; s != nil {
			vpc = str(s.V, "vpc_id")
		}
	} else if a, err := netip.ParseAddr(target); err == nil {
		for _, s := range rd.rs {
			if s.Type == "aws_subnet" {
				if p, err := netip.ParsePrefix(str(s.V, "cidr_block")); err == nil && p.Contains(a) {
					vpc = str(s.V, "vpc_id")
				}
			}
		}
	}
	var found []string
	for _, r := range rd.rs {
		if r.Type != "aws_lb_target_group" {
			continue
		}
		p, _ := num(r.V, "port")
		if p == port && (vpc == "" || str(r.V, "vpc_id") == vpc) {
			found = append(found, r.Addr)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

func (rd *awsReader) guessZone(name string) string {
	best, bestLen, count := "", -1, 0
	for _, r := range rd.rs {
		if r.Type != "aws_route53_zone" {
			continue
		}
		z := zoneName(str(r.V, "name"))
		if name == z || strings.HasSuffix(name, "."+z) {
			switch {
			case len(z) > bestLen:
				best, bestLen, count = r.Addr, len(z), 1
			case len(z) == bestLen:
				count++
				if !boolean(r.V, "private_zone") {
					best = r.Addr // a public and a private zone of one name: the public one
				}
			}
		}
	}
	_ = count
	return best
}
