package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/diff"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/tracertest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	tfDir  = "../testdata/import/terraform"
	awsDir = "../testdata/import/aws/three-tier"
	golden = "../testdata/import/golden"
)

// secret is what the fixtures hold in every sensitive value; it must never
// come out.
const secret = "SENSITIVE-SHOULD-NEVER-APPEAR"

func importPath(t testing.TB, path string) *Result {
	t.Helper()
	res, err := Import(path)
	if err != nil {
		t.Fatalf("importing %s: %v", path, err)
	}
	return res
}

// TestGolden imports every fixture and holds the world and the report
// (text and JSON) to their golden files. Every world passes simnet's
// checks (Import parses and compiles it), and a second import gives the
// same bytes.
func TestGolden(t *testing.T) {
	tests := []struct{ name, path string }{
		{"three-tier-state", filepath.Join(tfDir, "three-tier.state.json")},
		{"three-tier-tfstate", filepath.Join(tfDir, "three-tier.tfstate")},
		{"create-only-plan", filepath.Join(tfDir, "create-only.plan.json")},
		{"replace-sg-plan", filepath.Join(tfDir, "replace-sg.plan.json")},
		{"aws-three-tier", awsDir},
		{"hub-state", filepath.Join(tfDir, "hub.state.json")},
		{"aws-hub", awsHubDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := importPath(t, tt.path)
			if _, err := simnet.ParseSpec(tt.name, res.World); err != nil {
				t.Fatalf("the world does not pass check: %v", err)
			}
			var text, js bytes.Buffer
			if err := res.Report.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := res.Report.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			for what, b := range map[string][]byte{"world": res.World, "report": text.Bytes(), "JSON report": js.Bytes()} {
				if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte("c2VjcmV0")) {
					t.Errorf("the %s shows a sensitive value", what)
				}
			}
			again := importPath(t, tt.path)
			var text2 bytes.Buffer
			if err := again.Report.WriteText(&text2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(res.World, again.World) || !bytes.Equal(text.Bytes(), text2.Bytes()) {
				t.Errorf("a second import differs:\n%s%s", tracertest.FirstDiff(string(res.World), string(again.World)), tracertest.FirstDiff(text.String(), text2.String()))
			}
			tracertest.Golden(t, filepath.Join(golden, tt.name+".yaml"), res.World, *update)
			tracertest.Golden(t, filepath.Join(golden, tt.name+".report.txt"), text.Bytes(), *update)
			tracertest.Golden(t, filepath.Join(golden, tt.name+".report.json"), js.Bytes(), *update)
		})
	}
}

// TestNothingDropped: every resource of the input is imported or listed
// unsupported, once.
func TestNothingDropped(t *testing.T) {
	for _, path := range []string{filepath.Join(tfDir, "three-tier.state.json"), filepath.Join(tfDir, "three-tier.tfstate"), filepath.Join(tfDir, "create-only.plan.json"), filepath.Join(tfDir, "hub.state.json")} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		in, err := decodeTerraform(path, data)
		if err != nil {
			t.Fatal(err)
		}
		res := importPath(t, path)
		seen := map[string]int{}
		for _, it := range append(append([]Item{}, res.Report.Imported...), res.Report.Unsupported...) {
			seen[it.Address]++
		}
		for _, r := range in.after {
			if seen[r.Addr] != 1 {
				t.Errorf("%s: %s is listed %d times; want once, imported or unsupported", path, r.Addr, seen[r.Addr])
			}
		}
		if len(seen) != len(in.after) {
			t.Errorf("%s: the report lists %d resources; the input has %d", path, len(seen), len(in.after))
		}
	}
}

// TestStateForms: the JSON of terraform show and the raw tfstate of the
// same infrastructure give the same world.
func TestStateForms(t *testing.T) {
	a := importPath(t, filepath.Join(tfDir, "three-tier.state.json")).Spec
	b := importPath(t, filepath.Join(tfDir, "three-tier.tfstate")).Spec
	a.Name, b.Name = "", ""
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	if !bytes.Equal(ja, jb) {
		t.Errorf("the two forms differ:\n%s", tracertest.FirstDiff(string(ja), string(jb)))
	}
}

// TestShapes checks what the fixtures' resource shapes became.
func TestShapes(t *testing.T) {
	state := importPath(t, filepath.Join(tfDir, "three-tier.state.json"))
	aws := importPath(t, awsDir)
	create := importPath(t, filepath.Join(tfDir, "create-only.plan.json"))
	world := func(r *Result) string { return string(r.World) }
	tests := []struct {
		name string
		res  *Result
		want []string // lines (trimmed) the world must hold, in order
	}{
		{"module, for_each key, comment", state, []string{"# module.network.aws_subnet.public[\"a\"]", "- {name: subnet-network-public-a, cidr: 10.0.1.0/24, zone: us-east-1a, route_table: rt-network-public, network_acl: acl-network}"}},
		{"count index", state, []string{"# aws_instance.app[1]", "- name: app-1"}},
		{"separate rule deduplicated against the inline set", state, []string{"# aws_security_group_rule.app_from_lb", "- {protocol: tcp, ports: 8080, source: sg-lb}", "# aws_security_group.app", "- {protocol: tcp, ports: 9000, source: sg-app}"}},
		{"vpc_security_group_ingress_rule", state, []string{"# aws_vpc_security_group_ingress_rule.db_from_app", "- {protocol: tcp, ports: 5432, source: sg-app}", "# aws_vpc_security_group_egress_rule.db_all", "- {protocol: all, destination: 0.0.0.0/0}"}},
		{"ICMP type in the port fields", state, []string{"- {protocol: icmp, icmp_type: 8, source: 10.0.0.0/16}"}},
		{"ICMP type of an ACL rule", state, []string{"- {rule: 200, protocol: icmp, icmp_type: 8, cidr: 10.0.0.0/16, action: allow}"}},
		{"default route table is the main one", state, []string{"- {name: subnet-network-db-0, cidr: 10.0.20.0/24, zone: us-east-1a, route_table: rt-network, network_acl: acl-network-db}"}},
		{"route to the transit gateway", state, []string{"# module.network.aws_route.to_onprem", "- {destination: 10.100.0.0/16, target: tgw-network-hub}"}},
		{"transit gateway attachment", state, []string{"transit_gateways:", "- name: tgw-network-hub", "- {name: att-network-hub, vpc: vpc-network, subnets: [subnet-network-app-0, subnet-network-app-1]}"}},
		{"listener rule", state, []string{"# aws_lb_listener_rule.api", "- priority: 10", "conditions: {path: [\"/api/*\"]}", "forward: tg-app"}},
		{"peering", state, []string{"# aws_vpc_peering_connection.shared", "- {name: pcx-shared, vpcs: [vpc-network, vpc-shared], status: active}"}},
		{"alias to the balancer", state, []string{"# aws_route53_record.shop", "# alias to aws_lb.web", "- {name: shop, type: A, alias: {target: lb-web, evaluate_health: true}}"}},
		{"nested module", state, []string{"# module.edge[0].module.dns.aws_route53_record.api", "- {name: api, type: CNAME, value: shop.example.com, ttl: 300}"}},
		{"NAT gateway with its EIP", state, []string{"- {name: nat-network, subnet: subnet-network-public-a, private_ip: 10.0.1.5, public_ip: 203.0.113.20}"}},
		{"assumed services", state, []string{"# assumed: tcp-8080 listens on tcp 8080: target of tg-app, answering its health check /healthz", "- {name: tcp-8080, protocol: tcp, port: 8080, bind: 0.0.0.0, http: {\"/\": 200, \"/healthz\": 200}}"}},
		{"create-only plan: subnets in their VPC through the configuration", create, []string{"# module.vpc.aws_subnet.public[1]", "- {name: subnet-vpc-public-1, cidr: 10.1.2.0/24, zone: us-east-1b, route_table: rt-vpc-public, network_acl: vpc-default-acl}"}},
		{"create-only plan: route to the gateway made in the same plan", create, []string{"- {destination: 0.0.0.0/0, target: igw-vpc}"}},
		{"create-only plan: instance through a module output", create, []string{"- name: web", "subnet: subnet-vpc-public-0", "security_groups: [sg-web]"}},
		{"AWS: balancer nodes from their network interfaces", aws, []string{"- {subnet: subnet-public-a, private_ip: 10.0.1.10, public_ip: 203.0.113.10}"}},
		{"AWS: blackhole route", aws, []string{"# AWS marks the route a blackhole: its target is gone", "- {destination: 192.168.50.0/24, target: blackhole}"}},
		{"AWS: target health to its group", aws, []string{"targets: [app-1, app-2]"}},
		{"AWS: TXT unquoted", aws, []string{"- {name: \"@\", type: TXT, value: \"v=spf1 -all\", ttl: 3600}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := world(tt.res)
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
	// Unsupported resources are listed with address and type.
	want := map[string]string{
		// A gateway endpoint whose service's prefix list (prefix_list_id,
		// cidr_blocks) the input does not give.
		"module.network.aws_vpc_endpoint.s3": "aws_vpc_endpoint",
	}
	for _, it := range state.Report.Unsupported {
		if want[it.Address] == it.Type {
			delete(want, it.Address)
		}
	}
	if len(want) > 0 {
		t.Errorf("not listed unsupported: %v", want)
	}
	if len(create.Report.Unresolved) != 1 || !strings.Contains(create.Report.Unresolved[0].Text, "local.web_sg_id") {
		t.Errorf("create-only plan: unresolved %+v; want aws_security_group_rule.ssh's security_group_id named, with its reference", create.Report.Unresolved)
	}
}

// TestThreeTierTrace: from the internet client to the balancer's name, a
// verdict, and every hop names an address (or says what it is).
func TestThreeTierTrace(t *testing.T) {
	for _, path := range []string{filepath.Join(tfDir, "three-tier.state.json"), awsDir} {
		res := importPath(t, path)
		w := res.Compiled()
		for _, target := range []string{"https://shop.example.com/", "https://shop-web-1234567890.us-east-1.elb.amazonaws.com/"} {
			tg, err := tracer.ParseTarget(target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.Trace(context.Background(), "internet-client", tg)
			if err != nil {
				t.Fatal(err)
			}
			// The certificate covers shop.example.com, not the balancer's own name.
			wantDelivered := strings.Contains(target, "shop.example.com")
			if r.Delivered() != wantDelivered {
				t.Errorf("%s: %s delivered=%v (%+v); want %v", path, target, r.Delivered(), r.BrokenAt, wantDelivered)
			}
			implied := map[tracer.Kind]bool{tracer.KindRootServer: true, tracer.KindTLDServer: true, tracer.KindInternet: true, tracer.KindVPCResolver: true}
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					if res.Addresses[h.Component] == "" && !implied[h.Kind] {
						t.Errorf("%s: hop %s (%s) names no address", path, h.Component, h.Kind)
					}
				}
			}
		}
	}
}

// TestReplacePlan: the plan that replaces a security group and deletes a
// rule breaks the shop, and says which resources it changes.
func TestReplacePlan(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tfDir, "replace-sg.plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Plan("replace-sg.plan.json", data)
	if err != nil {
		t.Fatal(err)
	}
	verbs := map[string]string{}
	for _, c := range pr.Changes {
		verbs[c.Address] = c.Verb()
	}
	if verbs["aws_security_group.app"] != "replace" || verbs["aws_security_group_rule.app_from_lb"] != "delete" || len(pr.Changes) != 6 {
		t.Errorf("changes %+v; want the group replaced, the rule deleted, 6 in all", pr.Changes)
	}
	d, err := diff.Diff(context.Background(), pr.Before.Compiled(), pr.After.Compiled())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range d.Broken {
		if b.From == "internet-client" && b.Target == "https://shop.example.com/" && b.BrokenAt != nil && b.BrokenAt.Code == tracer.Code("LB_NO_HEALTHY_TARGETS") {
			found = true
		}
	}
	if !found || len(d.Fixed) != 0 {
		t.Errorf("broken %+v, fixed %+v; want the shop broken at the balancer, nothing opened", d.Broken, d.Fixed)
	}
	// The database rule follows the replaced group through the
	// configuration: app servers still reach the database.
	tg, _ := tracer.ParseTarget("tcp://db.internal.shop:5432")
	r, err := pr.After.Compiled().Trace(context.Background(), "app-0", tg)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Delivered() {
		t.Errorf("after the plan app-0 → db: %+v; want delivered (the rule refers to the new group)", r.BrokenAt)
	}
}

// TestBadInput: each bad input is refused with a message that names what
// is wrong, never a panic.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name, data, want string
		aws              bool
	}{
		{"not JSON", "name: shop\n", "not valid JSON", false},
		{"JSON of something else", `{"name": "shop"}`, "not a Terraform plan or state", false},
		{"broken JSON", `{"format_version": "1.0", "values": {`, "x.json:1:", false},
		{"wrong type", `{"format_version": "1.0", "values": {"root_module": []}}`, "object", false},
		{"future format", `{"format_version": "2.1", "values": {}}`, "format version", false},
		{"old tfstate", `{"version": 3, "resources": [], "lineage": "x"}`, "version 3", false},
		{"tfstate resource without type", `{"version": 4, "resources": [{"name": "a"}], "lineage": "x"}`, "without type", false},
		{"AWS given to terraform", `{"Vpcs": []}`, "pathlab import aws", false},
		{"unknown AWS output", `{"Buckets": []}`, "Buckets", true},
		{"AWS key of the wrong shape", `{"Vpcs": {"VpcId": "vpc-1"}}`, "describe-vpcs", true},
		{"Terraform given to aws", `{"format_version": "1.0", "values": {}}`, "pathlab import terraform", true},
		{"AWS not an object", `[1, 2]`, "x.json", true},
		{"AWS text output", "VPCS\t10.0.0.0/16\tvpc-1\n", "--output json", true},
		{"binary plan", "PK\x03\x04rest", "terraform show -json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.aws {
				_, err = AWS([]File{{Name: "x.json", Data: []byte(tt.data)}})
			} else {
				_, err = Terraform("x.json", []byte(tt.data))
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err %v; want an input error", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.json") {
				t.Errorf("err %q; want it to start with the file and say %q", err, tt.want)
			}
		})
	}
}

// TestAWSByContent: file names do not matter.
func TestAWSByContent(t *testing.T) {
	entries, err := os.ReadDir(awsDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "three-tier")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		data, err := os.ReadFile(filepath.Join(awsDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		// Reverse the order too: the names sort the other way round.
		name := filepath.Join(dir, string(rune('z'-i))+".json")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := importPath(t, awsDir)
	b := importPath(t, dir)
	ja, _ := json.Marshal(a.Spec)
	jb, _ := json.Marshal(b.Spec)
	if !bytes.Equal(ja, jb) {
		t.Errorf("renamed files give another world:\n%s", tracertest.FirstDiff(string(ja), string(jb)))
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path string
		want Kind
	}{
		{filepath.Join(tfDir, "three-tier.state.json"), KindState},
		{filepath.Join(tfDir, "three-tier.tfstate"), KindTFState},
		{filepath.Join(tfDir, "create-only.plan.json"), KindPlan},
		{filepath.Join(awsDir, "describe-vpcs.json"), KindAWS},
		{"../simnet/worlds/shop.yaml", ""},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(data); got != tt.want {
			t.Errorf("Detect(%s) = %q; want %q", tt.path, got, tt.want)
		}
		if got := Recognise(tt.path); got != (tt.want != "") {
			t.Errorf("Recognise(%s) = %v", tt.path, got)
		}
	}
}

func TestRemoveSensitive(t *testing.T) {
	tests := []struct {
		name   string
		values string
		mask   string
		want   string // the values left, as JSON
		paths  []string
	}{
		{"one attribute", `{"a": "x", "password": "p"}`, `{"password": true}`, `{"a":"x"}`, []string{"password"}},
		{"nested", `{"b": [{"k": "x", "s": "p"}]}`, `{"b": [{"s": true}]}`, `{"b":[{"k":"x"}]}`, []string{"b[0].s"}},
		{"list element", `{"l": ["x", "p"]}`, `{"l": [false, true]}`, `{"l":["x",null]}`, []string{"l[1]"}},
		{"whole object", `{"a": "x", "b": "y"}`, `true`, `{}`, []string{"a", "b"}},
		{"nothing", `{"a": "x"}`, `{"a": false}`, `{"a":"x"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v map[string]any
			var m any
			if err := json.Unmarshal([]byte(tt.values), &v); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.mask), &m); err != nil {
				t.Fatal(err)
			}
			paths := removeSensitive(v, m)
			got, _ := json.Marshal(v)
			if string(got) != tt.want || strings.Join(paths, ",") != strings.Join(tt.paths, ",") {
				t.Errorf("left %s, paths %v; want %s, %v", got, paths, tt.want, tt.paths)
			}
		})
	}
}

func TestRemoveSensitivePaths(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"paths of steps", `[[{"type": "get_attr", "value": "password"}], [{"type": "get_attr", "value": "tags"}, {"type": "index", "value": {"value": "k", "type": "string"}}]]`, `{"a":"x"}`},
		{"single steps", `[{"type": "get_attr", "value": "password"}, {"type": "get_attr", "value": "tags"}]`, `{"a":"x"}`},
		{"none", `[]`, `{"a":"x","password":"p","tags":{"k":"s"}}`},
		{"not a list", `{"x": 1}`, `{"a":"x","password":"p","tags":{"k":"s"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := map[string]any{"a": "x", "password": "p", "tags": map[string]any{"k": "s"}}
			removeSensitivePaths(v, json.RawMessage(tt.raw))
			got, _ := json.Marshal(v)
			if string(got) != tt.want {
				t.Errorf("left %s; want %s", got, tt.want)
			}
		})
	}
}

// TestPlanKeepsAssumedAddresses: an instance a plan adds, with an address
// known only after apply, does not move the addresses assumed for what
// was there before (the balancer's nodes), so nothing seems to change but
// what the plan adds.
func TestPlanKeepsAssumedAddresses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tfDir, "three-tier.state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	root := st["values"].(map[string]any)["root_module"].(map[string]any)
	var prior map[string]any
	json.Unmarshal(data, &prior) // a deep copy
	newInst := map[string]any{"address": "aws_instance.bastion", "mode": "managed", "type": "aws_instance", "name": "bastion",
		"values": map[string]any{"subnet_id": "subnet-0puba", "associate_public_ip_address": true, "vpc_security_group_ids": []any{"sg-0lb"}}}
	root["resources"] = append(root["resources"].([]any), newInst)
	plan := map[string]any{
		"format_version": "1.2", "planned_values": st["values"], "prior_state": prior,
		"resource_changes": []any{map[string]any{"address": "aws_instance.bastion", "mode": "managed", "type": "aws_instance", "name": "bastion",
			"change": map[string]any{"actions": []any{"create"}, "before": nil, "after": newInst["values"], "after_unknown": map[string]any{"id": true, "private_ip": true, "public_ip": true}}}},
	}
	pj, _ := json.Marshal(plan)
	pr, err := Plan("bastion.plan.json", pj)
	if err != nil {
		t.Fatal(err)
	}
	d, err := diff.Diff(context.Background(), pr.Before.Compiled(), pr.After.Compiled())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Broken) != 0 {
		t.Errorf("broken %+v; want none: the plan only adds a host", d.Broken)
	}
	var public, private string
	for _, v := range pr.After.Spec.VPCs {
		for _, in := range v.Instances {
			if in.Name == "bastion" {
				public, private = in.PublicIP, in.PrivateIP
			}
		}
	}
	for _, f := range d.Fixed {
		if f.From != "bastion" && !strings.Contains(f.Target, "//"+public+":") && !strings.Contains(f.Target, "//"+private+":") {
			t.Errorf("opened %s → %s, which has nothing to do with the new host (%s, %s)", f.From, f.Target, public, private)
		}
	}
	if len(d.Fixed) == 0 {
		t.Error("nothing opened; want the new host's flows")
	}
	nodes := func(s *spec.WorldSpec) string {
		var out []string
		for _, v := range s.VPCs {
			for _, lb := range v.LoadBalancers {
				for _, n := range lb.Nodes {
					out = append(out, lb.Name+" "+n.PrivateIP+" "+n.PublicIP)
				}
			}
		}
		return strings.Join(out, ", ")
	}
	if b, a := nodes(pr.Before.Spec), nodes(pr.After.Spec); a != b {
		t.Errorf("balancer nodes before the plan: %s; after: %s; want the same", b, a)
	}
}

// TestAWSLinks: what one CLI output does not say is linked from another,
// or named when it cannot be.
func TestAWSLinks(t *testing.T) {
	base := []File{
		{Name: "vpcs.json", Data: []byte(`{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-2", "CidrBlock": "10.9.0.0/16"}]}`)},
		{Name: "subnets.json", Data: []byte(`{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}`)},
		{Name: "instances.json", Data: []byte(`{"Reservations": [{"Instances": [{"InstanceId": "i-1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.20", "State": {"Name": "running"}}]}]}`)},
		{Name: "tgs.json", Data: []byte(`{"TargetGroups": [{"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1", "Port": 80, "Protocol": "HTTP", "VpcId": "vpc-1"},
			{"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/b/2", "Port": 80, "Protocol": "HTTP", "VpcId": "vpc-1"}]}`)},
		{Name: "health.json", Data: []byte(`{"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}}]}`)},
		{Name: "zone.json", Data: []byte(`{"HostedZone": {"Id": "/hostedzone/ZP", "Name": "corp.internal.", "Config": {"PrivateZone": true}}, "VPCs": [{"VPCRegion": "us-east-1", "VPCId": "vpc-2"}], "DelegationSet": {"NameServers": []}}`)},
		{Name: "records.json", Data: []byte(`{"HostedZoneId": "/hostedzone/ZP", "ResourceRecordSets": [{"Name": "app.corp.internal.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.1.20"}]}]}`)},
	}
	res, err := AWS(base)
	if err != nil {
		t.Fatal(err)
	}
	w := string(res.World)
	for _, want := range []string{"private: true\n      vpcs: [vpc-2]", "- {name: app, type: A, value: 10.0.1.20, ttl: 60}"} {
		if !strings.Contains(w, want) {
			t.Errorf("the world lacks %q:\n%s", want, w)
		}
	}
	warned := false
	for _, n := range res.Report.Warnings {
		if n.Subject == "health.json" && strings.Contains(n.Text, `add "TargetGroupArn"`) {
			warned = true
		}
	}
	if !warned {
		t.Errorf("two groups on port 80: want a warning asking for TargetGroupArn; got %+v", res.Report.Warnings)
	}
}
