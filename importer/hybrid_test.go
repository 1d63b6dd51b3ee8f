package importer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

const awsHubDir = "../testdata/import/aws/hub"

// TestHybridShapes: what the issue-11 constructs of the fixtures became.
// Each case names the provider's or the API's documented shape it reads.
func TestHybridShapes(t *testing.T) {
	tf := importPath(t, filepath.Join(tfDir, "hub.state.json"))
	aws := importPath(t, awsHubDir)
	tests := []struct {
		name string
		res  *Result
		want []string // lines the world holds, in order
	}{
		// aws_ec2_transit_gateway_vpc_attachment: subnet_ids (one per
		// zone), appliance_mode_support = "enable".
		{"TGW VPC attachment, appliance mode", tf, []string{"- {name: att-app, vpc: vpc-app, subnets: [subnet-app-a, subnet-app-b], appliance_mode: true}"}},
		// aws_vpn_connection with transit_gateway_id: AWS creates a VPN
		// attachment (transit_gateway_attachment_id).
		{"TGW VPN attachment", tf, []string{"- {name: att-vpn-dc, vpn: vpn-dc}"}},
		// Route table associations, propagations, static and blackhole
		// routes (aws_ec2_transit_gateway_route: blackhole = true).
		{"TGW route table", tf, []string{"- name: tgw-rt-spokes", "associations: [att-shared]", "propagations: [att-app]", "- {destination: 10.99.0.0/16, target: blackhole}", "- {destination: 172.16.0.0/16, target: att-vpn-dc}"}},
		// default_route_table_association/propagation = "enable": AWS
		// associates and propagates every attachment that does not opt out
		// (transit_gateway_default_route_table_association = false).
		{"TGW default table", tf, []string{"- name: tgw-hub-default", "associations: [att-app, att-vpn-dc]", "propagations: [att-app, att-shared, att-vpn-dc]"}},
		{"VPC route to the TGW", tf, []string{"- {destination: 10.20.0.0/16, target: tgw-hub}"}},
		// propagating_vgws on aws_route_table.
		{"route propagation", tf, []string{"- name: rt-shared", "propagations: [vgw-shared]"}},
		// vgw_telemetry status UP/DOWN per tunnel; static routes of a
		// static_routes_only connection.
		{"VPN tunnels and static routes", tf, []string{"- name: vpn-office", "customer_gateway: cgw-office", "vpn_gateway: vgw-shared", "static_routes: [192.168.0.0/16]", "- {state: up}", "- {state: down}"}},
		{"customer gateway", tf, []string{"customer_gateway: {name: cgw-office, ip: 198.51.100.77}"}},
		// Gateway endpoint: prefix_list_id and cidr_blocks (the service's
		// AWS-managed list), route_table_ids.
		{"gateway endpoint", tf, []string{"prefix_lists:", "- {name: pl-63a5400a, cidrs: [3.5.0.0/19, 52.216.0.0/15]}", "- name: vpce-s3", "type: gateway", "service: s3", "prefix_list: pl-63a5400a", "- {destination: pl-63a5400a, target: vpce-s3}"}},
		// Interface endpoint: subnet_ids, security_group_ids,
		// private_dns_enabled, subnet_configuration ipv4.
		{"interface endpoint", tf, []string{"- name: vpce-secrets", "type: interface", "service: secretsmanager.us-east-1.amazonaws.com", "security_groups: [sg-vpce]", "private_dns: true", "- {subnet: subnet-shared-a, private_ip: 10.20.1.50}"}},
		// aws_ec2_managed_prefix_list entries and separate entries, as a
		// security group source (prefix_list_ids).
		{"managed prefix list", tf, []string{"- {name: pl-office, cidrs: [192.168.10.0/24, 192.168.20.0/24]}", "- {protocol: tcp, ports: 22, source: pl-office}"}},
		// ICMP: from_port is the type, to_port the code (EC2
		// IpPermission); ACL icmp_type/icmp_code.
		{"ICMP type and code", tf, []string{"- {rule: 90, protocol: icmp, icmp_type: 5, icmp_code: 1, cidr: 0.0.0.0/0, action: deny}", "- {protocol: icmp, icmp_type: 3, icmp_code: 4, source: 10.0.0.0/8}", "- {protocol: icmp, icmp_type: 8, source: 10.0.0.0/8}"}},
		{"source/destination check off", tf, []string{"- name: fw", "source_dest_check: false"}},
		// enable_cross_zone_load_balancing: off by default for network
		// balancers; application balancers always balance across zones.
		{"NLB cross-zone", tf, []string{"- name: lb-tcp", "type: network", "cross_zone: true"}},
		{"VPC DNS hostnames off", tf, []string{"- name: vpc-shared", "enable_dns_hostnames: false"}},
		// Route 53 alias: apex alias to a balancer with
		// evaluate_target_health; alias to a record of the same zone.
		{"apex alias", tf, []string{"- {name: \"@\", type: A, alias: {target: lb-web, evaluate_health: true}}", "- {name: static, type: A, alias: {target: origin.example.com.}}"}},
		// Listener rules: priority, host_header and path_pattern,
		// http_header and source_ip; forward (weighted: the heaviest),
		// redirect (#{...} placeholders kept as defaults), fixed-response.
		{"listener rules", tf, []string{"certificates: [cert-api]", "- priority: 10", "conditions: {host: [api.example.org], path: [\"/v1/*\", \"/v2/*\"]}", "forward: tg-api",
			"- priority: 20", "redirect: {host: www.example.com, path: \"/new/#{path}\", status_code: HTTP_302}",
			"- priority: 30", "conditions: {http_header: {name: X-Debug, values: [\"on\"]}, source_ip: [203.0.113.0/24]}", "fixed_response: {status_code: 403, content_type: \"text/plain\", message_body: \"forbidden\"}"}},
		{"default redirect to https, short form", tf, []string{"- {port: 80, protocol: http, redirect: https}"}},

		{"AWS: TGW attachment and its association", aws, []string{"transit_gateways:", "appliance_mode: true", "associations: ["}},
		{"AWS: VPN with a tunnel down", aws, []string{"vpn_connections:", "static_routes: [192.168.0.0/16]", "- {state: down}"}},
		{"AWS: route propagation", aws, []string{"propagations: [vgw-shared]"}},
		{"AWS: endpoints", aws, []string{"- name: vpce-s3", "prefix_list: pl-63a5400a", "- name: vpce-secrets", "private_dns: true", "- {subnet: subnet-shared-a, private_ip: 10.20.1.50}"}},
		{"AWS: source/destination check", aws, []string{"source_dest_check: false"}},
		{"AWS: alias", aws, []string{"alias: {target: lb-web, evaluate_health: true}"}},
		{"AWS: listener rule", aws, []string{"- priority: 10", "conditions: {path: [\"/api/*\"]}", "forward: tg-api"}},
		{"AWS: NLB cross-zone", aws, []string{"cross_zone: true"}},
		{"AWS: ICMP", aws, []string{"icmp_type: 3, icmp_code: 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := string(tt.res.World)
			at := 0
			for _, line := range tt.want {
				i := strings.Index(w[at:], line)
				if i < 0 {
					t.Fatalf("the world lacks %q after byte %d", line, at)
				}
				at += i + len(line)
			}
		})
	}
	// What cannot be mapped is named with its address and why.
	want := map[string]string{
		"aws_lb_listener_rule.query":                      "query-string conditions",
		"aws_ec2_transit_gateway_peering_attachment.west": "peering",
	}
	for _, it := range tf.Report.Unsupported {
		if w, ok := want[it.Address]; ok && strings.Contains(it.Reason, w) {
			delete(want, it.Address)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed unsupported with the reason: %v", want)
	}
}

// TestDefaultActions: a listener's default redirect and fixed response
// map onto ELB's actions (RedirectActionConfig, FixedResponseActionConfig);
// a redirect that only changes the scheme to its standard port is the
// short form.
func TestDefaultActions(t *testing.T) {
	tests := []struct {
		name  string
		act   map[string]any
		short string
		rd    *spec.RedirectSpec
		fixed *spec.FixedResponseSpec
	}{
		{"https on 443, defaults", map[string]any{"type": "redirect", "redirect": []any{map[string]any{"protocol": "HTTPS", "port": "443", "host": "#{host}", "path": "/#{path}", "query": "#{query}", "status_code": "HTTP_301"}}}, "https", nil, nil},
		{"https keeping the port", map[string]any{"type": "redirect", "redirect": []any{map[string]any{"protocol": "HTTPS", "port": "#{port}", "status_code": "HTTP_301"}}}, "", &spec.RedirectSpec{Protocol: "HTTPS"}, nil},
		{"another host, 302", map[string]any{"type": "redirect", "redirect": []any{map[string]any{"protocol": "HTTPS", "port": "443", "host": "www.example.com", "status_code": "HTTP_302"}}}, "", &spec.RedirectSpec{Protocol: "HTTPS", Port: "443", Host: "www.example.com", StatusCode: "HTTP_302"}, nil},
		{"fixed response", map[string]any{"type": "fixed-response", "fixed_response": []any{map[string]any{"status_code": "503", "content_type": "text/plain", "message_body": "down"}}}, "", nil, &spec.FixedResponseSpec{StatusCode: 503, ContentType: "text/plain", MessageBody: "down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBuilder("t", KindState, nil, nil)
			lb := &wLB{spec: spec.LoadBalancerSpec{Name: "lb", Type: "application"}}
			b.listener(lb, &resource{Addr: "aws_lb_listener.x", Type: "aws_lb_listener", V: map[string]any{"port": float64(80), "protocol": "HTTP", "default_action": []any{tt.act}}})
			if len(lb.listeners) != 1 {
				t.Fatalf("no listener: %v", b.skip)
			}
			l := lb.listeners[0].v
			if l.Redirect != tt.short {
				t.Errorf("redirect %q, want %q", l.Redirect, tt.short)
			}
			if (l.DefaultRedirect == nil) != (tt.rd == nil) || (tt.rd != nil && *l.DefaultRedirect != *tt.rd) {
				t.Errorf("default_redirect %+v, want %+v", l.DefaultRedirect, tt.rd)
			}
			if (l.FixedResponse == nil) != (tt.fixed == nil) || (tt.fixed != nil && *l.FixedResponse != *tt.fixed) {
				t.Errorf("fixed_response %+v, want %+v", l.FixedResponse, tt.fixed)
			}
		})
	}
}

// TestHybridTrace: the imported constructs carry traffic as AWS does.
func TestHybridTrace(t *testing.T) {
	tests := []struct {
		from, target string
		delivered    bool
		via          string // a component the path crosses
		brokenCode   string // the code where it breaks, when it does
	}{
		// Site-to-site VPN to a virtual private gateway: a tunnel is
		// down, the other carries the traffic (AWS: two tunnels for
		// redundancy).
		{"onprem-office-host", "tcp://10.20.2.10:8080", true, "vpn-office", ""},
		// Gateway endpoint: the S3 prefix list routes to the endpoint.
		{"api", "https://s3.us-east-1.amazonaws.com/", true, "vpce-s3", ""},
		// att-shared has a subnet in us-east-1a only: the reply from
		// us-east-1b cannot enter the transit gateway (AWS: an attachment
		// serves only the zones of its subnets).
		{"app-0", "tcp://10.20.2.10:8080", false, "att-app", "TGW_ZONE_NOT_ATTACHED"},
	}
	res := importPath(t, filepath.Join(tfDir, "hub.state.json"))
	w := res.Compiled()
	for _, tt := range tests {
		t.Run(tt.from+" "+tt.target, func(t *testing.T) {
			tg, err := tracer.ParseTarget(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.Trace(context.Background(), tt.from, tg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered() != tt.delivered {
				t.Fatalf("delivered=%v (%+v); want %v", r.Delivered(), r.BrokenAt, tt.delivered)
			}
			if !tt.delivered && (r.BrokenAt == nil || string(r.BrokenAt.Code) != tt.brokenCode) {
				t.Errorf("broken at %+v; want %s", r.BrokenAt, tt.brokenCode)
			}
			seen := false
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					if h.Component == tt.via {
						seen = true
					}
				}
			}
			if !seen {
				t.Errorf("the path does not cross %s", tt.via)
			}
		})
	}
}

// TestDeletedStates: AWS lists deleted resources for a while. A deleted
// NAT gateway stays in the world with its state, so that a route to it is
// a blackhole as the console shows; deleted VPN pieces and tables are
// listed unsupported with the reason, never dropped silently.
func TestDeletedStates(t *testing.T) {
	files := []File{
		{Name: "vpcs.json", Data: []byte(`{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16"}]}`)},
		{Name: "subnets.json", Data: []byte(`{"Subnets":[{"SubnetId":"subnet-1","VpcId":"vpc-1","CidrBlock":"10.0.1.0/24","AvailabilityZone":"us-east-1a"}]}`)},
		{Name: "rts.json", Data: []byte(`{"RouteTables":[{"RouteTableId":"rtb-1","VpcId":"vpc-1","Associations":[{"Main":true}],"Routes":[{"DestinationCidrBlock":"0.0.0.0/0","NatGatewayId":"nat-1","State":"blackhole"}]}]}`)},
		{Name: "nat.json", Data: []byte(`{"NatGateways":[{"NatGatewayId":"nat-1","SubnetId":"subnet-1","State":"deleted","NatGatewayAddresses":[{"PrivateIp":"10.0.1.9","PublicIp":"203.0.113.9"}]}]}`)},
		{Name: "cgw.json", Data: []byte(`{"CustomerGateways":[{"CustomerGatewayId":"cgw-1","IpAddress":"198.51.100.7","State":"deleted"}]}`)},
		{Name: "vpn.json", Data: []byte(`{"VpnConnections":[{"VpnConnectionId":"vpn-1","CustomerGatewayId":"cgw-1","VpnGatewayId":"vgw-1","State":"deleted"}]}`)},
		{Name: "tgw.json", Data: []byte(`{"TransitGateways":[{"TransitGatewayId":"tgw-1","State":"available"}],"TransitGatewayRouteTables":[{"TransitGatewayRouteTableId":"tgw-rtb-1","TransitGatewayId":"tgw-1","State":"deleted"}]}`)},
	}
	res, err := AWS(files)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.World), "- {name: nat-1, subnet: subnet-1, private_ip: 10.0.1.9, public_ip: 203.0.113.9, state: deleted}") {
		t.Errorf("the deleted NAT gateway is not in the world with its state:\n%s", res.World)
	}
	want := map[string]string{"cgw-1": "deleted", "vpn-1": "customer gateway", "tgw-rtb-1": "deleted"}
	for _, it := range res.Report.Unsupported {
		if w, ok := want[it.Address]; ok && strings.Contains(it.Reason, w) {
			delete(want, it.Address)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed unsupported with the reason: %v (report %+v)", want, res.Report.Unsupported)
	}
}

// TestHybridPlan: a plan that turns route propagation off and gives an
// attachment its second zone; the worlds before and after it trace as
// AWS would: the office loses its way back (a VPN's routes reach a VPC
// route table only through propagation or a static route), and the reply
// from us-east-1b crosses the attachment once it has a subnet there.
func TestHybridPlan(t *testing.T) {
	data, err := LoadFile(filepath.Join(tfDir, "hub-vpn.plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Plan("hub-vpn.plan.json", data)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, target  string
		before, after bool
	}{
		{"onprem-office-host", "tcp://10.20.2.10:8080", true, false},
		{"app-0", "tcp://10.20.2.10:8080", false, true},
	}
	for _, tt := range tests {
		for _, side := range []struct {
			name string
			res  *Result
			want bool
		}{{"before", pr.Before, tt.before}, {"after", pr.After, tt.after}} {
			tg, err := tracer.ParseTarget(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := side.res.Compiled().Trace(context.Background(), tt.from, tg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered() != side.want {
				t.Errorf("%s %s, %s the plan: delivered=%v (%+v); want %v", tt.from, tt.target, side.name, r.Delivered(), r.BrokenAt, side.want)
			}
		}
	}
	if len(pr.Changes) != 2 {
		t.Errorf("changes %+v; want the route table and the attachment", pr.Changes)
	}
}

// TestAWSManagedPrefixList: describe-managed-prefix-lists does not print
// the entries; get-managed-prefix-list-entries prints them without the
// list. With one list in the input they meet; a security group rule that
// names the list then has its ranges.
func TestAWSManagedPrefixList(t *testing.T) {
	base := []File{
		{Name: "vpcs.json", Data: []byte(`{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16"}]}`)},
		{Name: "sgs.json", Data: []byte(`{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"app","VpcId":"vpc-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[],"PrefixListIds":[{"PrefixListId":"pl-0abc"}],"UserIdGroupPairs":[]}],"IpPermissionsEgress":[]}]}`)},
		{Name: "pl.json", Data: []byte(`{"PrefixLists":[{"PrefixListId":"pl-0abc","AddressFamily":"IPv4","State":"create-complete","PrefixListArn":"arn:aws:ec2:us-east-1:123456789012:prefix-list/pl-0abc","PrefixListName":"office","MaxEntries":5,"Version":1,"OwnerId":"123456789012"}]}`)},
	}
	tests := []struct {
		name    string
		entries string
		want    string // in the world
		warning string // in the report's warnings
	}{
		{"entries meet their list", `{"Entries":[{"Cidr":"192.168.10.0/24","Description":"desks"}]}`, "- {protocol: tcp, ports: 22, source: pl-office}", ""},
		{"entries that name their list", `{"PrefixListId":"pl-0abc","Entries":[{"Cidr":"192.168.10.0/24"}]}`, "- {name: pl-office, cidrs: [192.168.10.0/24]}", ""},
		{"entries of another list", `{"PrefixListId":"pl-0other","Entries":[{"Cidr":"192.168.10.0/24"}]}`, "ingress: []", "add \"PrefixListId\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := append(append([]File{}, base...), File{Name: "entries.json", Data: []byte(tt.entries)})
			res, err := AWS(files)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(res.World), tt.want) {
				t.Errorf("the world lacks %q:\n%s", tt.want, res.World)
			}
			found := tt.warning == ""
			for _, w := range res.Report.Warnings {
				if tt.warning != "" && strings.Contains(w.Text, tt.warning) {
					found = true
				}
			}
			if !found {
				t.Errorf("no warning saying %q: %+v", tt.warning, res.Report.Warnings)
			}
		})
	}
}
