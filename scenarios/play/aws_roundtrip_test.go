package play

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/importer"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestAWSRoundTrip: what the shell's describe commands print, fed to the
// importer (which reads real AWS CLI output), gives back the same world
// elements: subnets, route tables and their routes, network ACLs and
// their rules, security groups and their rules, instances.
func TestAWSRoundTrip(t *testing.T) {
	st := adHoc(t)
	var out bytes.Buffer
	sh, err := New(context.Background(), st, &out, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	var files []importer.File
	for _, cmd := range []string{"ec2 describe-vpcs", "ec2 describe-subnets", "ec2 describe-route-tables", "ec2 describe-network-acls",
		"ec2 describe-security-groups", "ec2 describe-instances", "elbv2 describe-load-balancers", "elbv2 describe-target-groups",
		"elbv2 describe-listeners --load-balancer-arn web-lb"} {
		out.Reset()
		sh.Exec(context.Background(), "aws "+cmd)
		if !strings.HasPrefix(out.String(), "{") {
			t.Fatalf("aws %s printed no JSON:\n%s", cmd, out.String())
		}
		files = append(files, importer.File{Name: "aws/" + strings.Fields(cmd)[1] + ".json", Data: append([]byte(nil), out.Bytes()...)})
	}
	for i, z := range st.Broken.DNS.Zones {
		out.Reset()
		sh.Exec(context.Background(), "aws route53 list-resource-record-sets --hosted-zone-id "+zoneID(z))
		files = append(files, importer.File{Name: fmt.Sprintf("aws/records-%d.json", i), Data: append([]byte(nil), out.Bytes()...)})
	}
	out.Reset()
	sh.Exec(context.Background(), "aws route53 list-hosted-zones")
	files = append(files, importer.File{Name: "aws/zones.json", Data: append([]byte(nil), out.Bytes()...)})
	res, err := importer.AWS(files)
	if err != nil {
		t.Fatal(err)
	}
	got, want := elements(res.Spec), elements(st.Broken)
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%s:\n  imported %s\n  world    %s", k, g, w)
		}
	}
	for k := range got {
		if strings.Contains(k, ".elb.amazonaws.com") {
			continue // the importer gives a balancer's DNS name a zone of its own, as AWS does
		}
		if _, ok := want[k]; !ok {
			t.Errorf("the import has %s, which the world lacks: %s", k, got[k])
		}
	}
}

// elements describes a world's network elements by what they hold, not
// by their names (the importer names what it imports in its own way):
// subnets by CIDR, each with its table's routes and its ACL's rules;
// instances by address, with their groups' rules.
func elements(w *spec.WorldSpec) map[string]string {
	out := map[string]string{}
	for _, z := range w.DNS.Zones {
		var recs []string
		for _, r := range z.Records {
			name := strings.TrimSuffix(r.Name, ".")
			if name == "@" || name == "" {
				name = strings.TrimSuffix(z.Name, ".")
			} else if !strings.HasSuffix(name, strings.TrimSuffix(z.Name, ".")) {
				name += "." + strings.TrimSuffix(z.Name, ".")
			}
			var vals []string
			for _, v := range r.AllValues() {
				vals = append(vals, strings.TrimSuffix(v, "."))
			}
			sort.Strings(vals)
			recs = append(recs, name+" "+strings.ToUpper(r.Type)+" "+strings.Join(vals, ","))
		}
		sort.Strings(recs)
		out[fmt.Sprintf("zone %s private=%v", strings.TrimSuffix(z.Name, "."), z.Private)] = strings.Join(recs, "; ")
	}
	for _, v := range w.VPCs {
		rts, acls, sgs := map[string]spec.RouteTableSpec{}, map[string]spec.ACLSpec{}, map[string]spec.SecurityGroupSpec{}
		for _, r := range v.RouteTables {
			rts[r.Name] = r
		}
		for _, a := range v.NetworkACLs {
			acls[a.Name] = a
		}
		for _, g := range v.SecurityGroups {
			sgs[g.Name] = g
		}
		out["vpc "+v.CIDR] = "vpc"
		cidrOf := map[string]string{}
		for _, sn := range v.Subnets {
			cidrOf[sn.Name] = sn.CIDR
			var routes []string
			for _, r := range rts[sn.RouteTable].Routes {
				if r.Target != "local" {
					routes = append(routes, r.Destination)
				}
			}
			sort.Strings(routes)
			out["subnet "+sn.CIDR+" routes"] = strings.Join(routes, " ")
			out["subnet "+sn.CIDR+" acl"] = aclText(acls[sn.NetworkACL])
		}
		for _, in := range v.Instances {
			var rules []string
			for _, g := range in.SecurityGroups {
				rules = append(rules, sgText(sgs[g], sgs))
			}
			out["instance "+in.PrivateIP] = cidrOf[in.Subnet] + " " + strings.Join(rules, " | ")
		}
	}
	return out
}

func aclText(a spec.ACLSpec) string {
	var rs []string
	for dir, rules := range map[string][]spec.ACLRuleSpec{"in": a.Ingress, "out": a.Egress} {
		for _, r := range rules {
			lo, hi, _ := r.Ports.Range()
			if p, _ := spec.NormProto(r.Protocol); p == "all" || p == "icmp" {
				lo, hi = 0, 65535
			}
			p, _ := spec.NormProto(r.Protocol)
			rs = append(rs, fmt.Sprintf("%s %d %s %s %d-%d %s", dir, r.Rule, r.Action, p, lo, hi, r.CIDR))
		}
	}
	sort.Strings(rs)
	return strings.Join(rs, "; ")
}

// sgText is a group's rules, a peer group named by its own rules' count
// (names differ across an import).
func sgText(g spec.SecurityGroupSpec, all map[string]spec.SecurityGroupSpec) string {
	var rs []string
	for dir, rules := range map[string][]spec.SGRuleSpec{"in": g.Ingress, "out": g.Egress} {
		for _, r := range rules {
			p, _ := spec.NormProto(r.Protocol)
			lo, hi, _ := r.Ports.Range()
			if p == "all" || p == "icmp" {
				lo, hi = 0, 65535
			}
			peer := r.Source + r.Destination
			if !strings.Contains(peer, "/") {
				peer = "a group"
			}
			rs = append(rs, fmt.Sprintf("%s %s %d-%d %s", dir, p, lo, hi, peer))
		}
	}
	slices.Sort(rs)
	return strings.Join(rs, ", ")
}
