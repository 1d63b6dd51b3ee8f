package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func seeds(f *testing.F, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			f.Add(data)
		}
	}
}

// checkErr holds an import's error to the contract: an input error that
// names the input.
func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	var ie *InputError
	if !errors.As(err, &ie) || ie.Source == "" || ie.Msg == "" {
		t.Fatalf("error %q (%T) is not an input error naming the file", err, err)
	}
}

// FuzzTerraform: any bytes as a plan, a state or a tfstate: an import or
// an input error, never a panic.
func FuzzTerraform(f *testing.F) {
	seeds(f, tfDir)
	f.Add([]byte(`{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","values":{"id":"v","cidr_block":"10.0.0.0/16"}}]}}}`))
	f.Add([]byte(`{"version":4,"lineage":"x","resources":[{"mode":"managed","type":"aws_subnet","name":"s","instances":[{"index_key":"k","attributes":{"vpc_id":"v","cidr_block":"10.0.0.0/33"}}]}]}`))
	catchPanics = false
	defer func() { catchPanics = true }()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Terraform("fuzz.json", data)
		checkErr(t, err)
		if Detect(data) == KindPlan {
			_, err := Plan("fuzz.json", data)
			checkErr(t, err)
		}
	})
}

// FuzzAWS: any bytes as AWS CLI output, alone and beside the fixtures.
func FuzzAWS(f *testing.F) {
	seeds(f, awsDir)
	seeds(f, awsHubDir) // the issue-11 constructs
	f.Add([]byte(`{"Vpcs":[{"VpcId":"v","CidrBlock":"10.0.0.0/16"}],"Subnets":[{"SubnetId":"s","VpcId":"v","CidrBlock":"10.0.0.0/24"}],"Reservations":[{"Instances":[{"InstanceId":"i","SubnetId":"s","PrivateIpAddress":"10.0.0.3"}]}]}`))
	var fixtures []File
	entries, _ := os.ReadDir(awsDir)
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(awsDir, e.Name()))
		fixtures = append(fixtures, File{Name: e.Name(), Data: data})
	}
	catchPanics = false
	defer func() { catchPanics = true }()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := AWS([]File{{Name: "fuzz.json", Data: data}})
		checkErr(t, err)
		_, err = AWS(append(append([]File{}, fixtures...), File{Name: "zz-fuzz.json", Data: data}))
		checkErr(t, err)
	})
}

// genState makes the JSON of a state of n resources: VPCs of subnets,
// route tables, groups with rules, instances, a balancer each.
func genState(n int) []byte {
	var res []map[string]any
	add := func(typ, name string, idx any, v map[string]any) {
		addr := typ + "." + name
		if idx != nil {
			addr += indexText(idx)
		}
		m := map[string]any{"address": addr, "mode": "managed", "type": typ, "name": name, "values": v}
		if idx != nil {
			m["index"] = idx
		}
		res = append(res, m)
	}
	for vi := 0; len(res) < n; vi++ {
		vpc := fmt.Sprintf("vpc-%d", vi)
		p := func(s string) string { return fmt.Sprintf("%s-%d", s, vi) }
		add("aws_vpc", p("v"), nil, map[string]any{"id": vpc, "cidr_block": fmt.Sprintf("10.%d.0.0/16", vi)})
		add("aws_internet_gateway", p("igw"), nil, map[string]any{"id": p("igw"), "vpc_id": vpc})
		add("aws_route_table", p("pub"), nil, map[string]any{"id": p("rtb"), "vpc_id": vpc, "route": []any{map[string]any{"cidr_block": "0.0.0.0/0", "gateway_id": p("igw")}}})
		lbSubnets := []any{}
		for s := 0; s < 8; s++ {
			sid := fmt.Sprintf("subnet-%d-%d", vi, s)
			add("aws_subnet", p("s"), s, map[string]any{"id": sid, "vpc_id": vpc, "cidr_block": fmt.Sprintf("10.%d.%d.0/24", vi, s)})
			add("aws_route_table_association", p("a"), s, map[string]any{"id": "a" + sid, "subnet_id": sid, "route_table_id": p("rtb")})
			if s < 2 {
				lbSubnets = append(lbSubnets, sid)
			}
		}
		for g := 0; g < 10; g++ {
			gid := fmt.Sprintf("sg-%d-%d", vi, g)
			add("aws_security_group", p("g"), g, map[string]any{"id": gid, "vpc_id": vpc,
				"ingress": []any{map[string]any{"protocol": "tcp", "from_port": 8000 + g, "to_port": 8000 + g, "cidr_blocks": []any{"10.0.0.0/8"}}},
				"egress":  []any{map[string]any{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": []any{"0.0.0.0/0"}}}})
			add("aws_security_group_rule", p("r"), g, map[string]any{"type": "ingress", "security_group_id": gid, "protocol": "tcp", "from_port": 22, "to_port": 22, "source_security_group_id": fmt.Sprintf("sg-%d-0", vi)})
		}
		tg := p("tg")
		add("aws_lb_target_group", p("tg"), nil, map[string]any{"id": tg, "arn": tg, "port": 8080, "protocol": "HTTP", "vpc_id": vpc, "health_check": []any{map[string]any{"path": "/health", "port": "traffic-port", "protocol": "HTTP", "matcher": "200"}}})
		add("aws_lb", p("lb"), nil, map[string]any{"id": p("lb"), "arn": p("lb"), "internal": false, "load_balancer_type": "application", "subnets": lbSubnets, "security_groups": []any{fmt.Sprintf("sg-%d-0", vi)}, "dns_name": p("lb") + ".us-east-1.elb.amazonaws.com"})
		add("aws_lb_listener", p("l"), nil, map[string]any{"id": p("l"), "load_balancer_arn": p("lb"), "port": 80, "protocol": "HTTP", "default_action": []any{map[string]any{"type": "forward", "target_group_arn": tg}}})
		for i := 0; i < 40; i++ {
			iid := fmt.Sprintf("i-%d-%d", vi, i)
			add("aws_instance", p("i"), i, map[string]any{"id": iid, "subnet_id": fmt.Sprintf("subnet-%d-%d", vi, 2+i%6), "private_ip": fmt.Sprintf("10.%d.%d.%d", vi, 2+i%6, 10+i), "vpc_security_group_ids": []any{fmt.Sprintf("sg-%d-%d", vi, i%10)}})
			if i < 4 {
				add("aws_lb_target_group_attachment", p("t"), i, map[string]any{"target_group_arn": tg, "target_id": iid})
			}
		}
	}
	res = res[:n]
	b, err := json.Marshal(map[string]any{"format_version": "1.0", "values": map[string]any{"root_module": map[string]any{"resources": res}}})
	if err != nil {
		panic(err)
	}
	return b
}

func TestGenState(t *testing.T) {
	res, err := Terraform("gen.json", genState(1000))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Report.Imported) + len(res.Report.Unsupported); n != 1000 {
		t.Errorf("%d resources reported; want 1000", n)
	}
	if len(res.Report.Unsupported) > 10 {
		t.Errorf("%d unsupported: %+v", len(res.Report.Unsupported), res.Report.Unsupported[:10])
	}
}

// BenchmarkImportState1000 imports a state of 1,000 resources: decode,
// build, write and check the world.
func BenchmarkImportState1000(b *testing.B) {
	data := genState(1000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Terraform("gen.json", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHeldOut imports every file (and every directory, as AWS CLI output)
// under $PATHLAB_IMPORT_HELDOUT: files from public projects the fixtures
// were not written from. Each imports, or is refused with an input error
// that names the file; none panics.
func TestHeldOut(t *testing.T) {
	dir := os.Getenv("PATHLAB_IMPORT_HELDOUT")
	if dir == "" {
		t.Skip("PATHLAB_IMPORT_HELDOUT is not set: point it at a directory of plans, states and AWS CLI output")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	catchPanics = false
	defer func() { catchPanics = true }()
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			var err error
			if e.IsDir() {
				_, err = Import(path)
			} else {
				var data []byte
				if data, err = LoadFile(path); err == nil {
					if Detect(data) == KindAWS {
						_, err = AWS([]File{{Name: path, Data: data}})
					} else {
						_, err = Terraform(path, data)
					}
				}
			}
			checkErr(t, err)
			if err != nil {
				t.Logf("refused: %v", err)
			}
		})
	}
}
