package play

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/importer"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestAWSRoundTripHub: the hub world's transit gateway, VPN, endpoints and
// prefix lists, as the shell's describe commands print them, come back
// from the importer: the elements TestAWSRoundTrip compares, and the
// transit gateway's attachments and tables, the VPN connections, the
// endpoints and the route tables' propagations.
func TestAWSRoundTripHub(t *testing.T) {
	data, err := simnet.Builtin("hub")
	if err != nil {
		t.Fatal(err)
	}
	ws, err := simnet.ParseSpec("hub.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	// Aliases (Route 53 alias records: AliasTarget with
	// EvaluateTargetHealth): the hub world's own apex alias to the
	// balancer, and one added here to a record of the zone.
	apex := false
	for i := range ws.DNS.Zones {
		if z := &ws.DNS.Zones[i]; z.Name == "example.com" {
			for _, r := range z.Records {
				apex = apex || r.Name == "@" && r.Alias != nil && r.Alias.Target == "web-lb" && r.Alias.EvaluateHealth
			}
			z.Records = append(z.Records, spec.RecordSpec{Name: "static", Type: "A", Alias: &spec.AliasSpec{Target: "www"}})
		}
	}
	if !apex {
		t.Fatal("the hub world has no apex alias to web-lb with evaluate_health: this test carries one back")
	}
	st, err := scenarios.AdHoc(context.Background(), "hub.yaml", ws, "browser", "https://www.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sh, err := New(context.Background(), st, &out, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	var files []importer.File
	run := func(name, cmd string, add map[string]string) {
		out.Reset()
		sh.Exec(context.Background(), "aws "+cmd)
		if !strings.HasPrefix(out.String(), "{") {
			t.Fatalf("aws %s printed no JSON:\n%s", cmd, out.String())
		}
		b := append([]byte(nil), out.Bytes()...)
		if len(add) > 0 { // what the command does not print, as the README says to add
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range add {
				m[k] = v
			}
			b, _ = json.Marshal(m)
		}
		files = append(files, importer.File{Name: "aws/" + name + ".json", Data: b})
	}
	for _, cmd := range []string{"ec2 describe-vpcs", "ec2 describe-subnets", "ec2 describe-route-tables", "ec2 describe-network-acls",
		"ec2 describe-security-groups", "ec2 describe-instances", "elbv2 describe-load-balancers", "elbv2 describe-target-groups",
		"ec2 describe-transit-gateways", "ec2 describe-transit-gateway-vpc-attachments", "ec2 describe-transit-gateway-attachments",
		"ec2 describe-transit-gateway-route-tables", "ec2 describe-vpn-gateways", "ec2 describe-customer-gateways", "ec2 describe-vpn-connections",
		"ec2 describe-vpc-endpoints", "ec2 describe-prefix-lists", "route53 list-hosted-zones"} {
		run(strings.Fields(cmd)[1], cmd, nil)
	}
	run("listeners", "elbv2 describe-listeners --load-balancer-arn web-lb", nil)
	for i, g := range ws.TransitGateways {
		for j, rt := range g.RouteTables {
			id := awsID("tgw-rtb", rt.Name)
			add := map[string]string{"TransitGatewayRouteTableId": id}
			run(fmt.Sprintf("tgw-routes-%d-%d", i, j), "ec2 search-transit-gateway-routes --transit-gateway-route-table-id "+id+" --filters Name=state,Values=active,blackhole", add)
			run(fmt.Sprintf("tgw-propagations-%d-%d", i, j), "ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id "+id, add)
		}
	}
	for i, z := range ws.DNS.Zones {
		run(fmt.Sprintf("records-%d", i), "route53 list-resource-record-sets --hosted-zone-id "+zoneID(z), map[string]string{"HostedZoneId": zoneID(z)})
		run(fmt.Sprintf("zone-%d", i), "route53 get-hosted-zone --id "+zoneID(z), nil)
	}
	res, err := importer.AWS(files)
	if err != nil {
		t.Fatal(err)
	}
	got, want := hubElements(res.Spec), hubElements(ws)
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

// hubElements are elements() with prefix lists written as their ranges
// (the importer names a list by its id), and the hybrid constructs by
// what they hold: attachments by VPC and subnet ranges, tables by the
// ranges of what they associate and propagate, VPN connections by their
// customer gateway's address.
func hubElements(w *spec.WorldSpec) map[string]string {
	w = w.Clone()
	pls := map[string]string{}
	for _, p := range w.PrefixLists {
		c := append([]string{}, p.CIDRs...)
		sort.Strings(c)
		pls[p.Name] = "pl(" + strings.Join(c, ",") + ")"
	}
	cidrOf, vpcCIDR := map[string]string{}, map[string]string{}
	for vi := range w.VPCs {
		v := &w.VPCs[vi]
		vpcCIDR[v.Name] = v.CIDR
		for _, sn := range v.Subnets {
			cidrOf[sn.Name] = sn.CIDR
		}
		for ti := range v.RouteTables {
			for ri := range v.RouteTables[ti].Routes {
				if n, ok := pls[v.RouteTables[ti].Routes[ri].Destination]; ok {
					v.RouteTables[ti].Routes[ri].Destination = n
				}
			}
		}
	}
	out := elements(w)
	for _, z := range w.DNS.Zones {
		for _, r := range z.Records {
			if r.Alias != nil {
				t := strings.TrimSuffix(r.Alias.Target, ".")
				if !strings.Contains(t, ".") && !strings.HasSuffix(t, "-lb") { // (the importer names a balancer lb-NAME)
					t += "." + z.Name // a record of the zone, by its relative name
				}
				out["alias "+r.Name+" in "+z.Name] = fmt.Sprintf("%s health=%v", strings.TrimPrefix(t, "lb-"), r.Alias.EvaluateHealth)
			}
		}
	}
	cgwIP := map[string]string{}
	for _, o := range w.OnPremises {
		cgwIP[o.CustomerGateway.Name] = o.CustomerGateway.IP
	}
	for _, v := range w.VPCs {
		for _, t := range v.RouteTables {
			if len(t.Propagations) > 0 {
				out["table of vpc "+v.CIDR+" with routes to "+fmt.Sprint(len(t.Routes))+" propagates"] = fmt.Sprint(len(t.Propagations))
			}
		}
		for _, e := range v.Endpoints {
			var subnets []string
			for _, n := range e.Interfaces {
				subnets = append(subnets, cidrOf[n.Subnet])
			}
			sort.Strings(subnets)
			out["endpoint "+e.Type+" "+e.Service+" in "+v.CIDR] = fmt.Sprintf("pl=%s private_dns=%v groups=%d subnets=%s", pls[e.PrefixList], e.PrivateDNS, len(e.SecurityGroups), strings.Join(subnets, ","))
		}
	}
	for _, vc := range w.VPNConnections {
		tunnels := []string{}
		for _, tn := range vc.Tunnels {
			tunnels = append(tunnels, tn.State)
		}
		s := append([]string{}, vc.StaticRoutes...)
		sort.Strings(s)
		out["vpn to "+cgwIP[vc.CustomerGateway]] = fmt.Sprintf("vgw=%v static=%s tunnels=%s", vc.VPNGateway != "", strings.Join(s, ","), strings.Join(tunnels, ","))
	}
	for _, g := range w.TransitGateways {
		attOf := map[string]string{}
		for _, a := range g.Attachments {
			key := "vpn"
			if a.VPC != "" {
				var subnets []string
				for _, sn := range a.Subnets {
					subnets = append(subnets, cidrOf[sn])
				}
				sort.Strings(subnets)
				key = vpcCIDR[a.VPC]
				out["tgw attachment of "+key] = fmt.Sprintf("subnets=%s appliance=%v", strings.Join(subnets, ","), a.ApplianceMode)
			}
			attOf[a.Name] = key
		}
		for _, t := range g.RouteTables {
			names := func(l []string) string {
				var o []string
				for _, n := range l {
					o = append(o, attOf[n])
				}
				sort.Strings(o)
				return strings.Join(o, ",")
			}
			var routes []string
			for _, r := range t.Routes {
				target := r.Target
				if target != "blackhole" {
					target = attOf[target]
				}
				routes = append(routes, r.Destination+"→"+target)
			}
			sort.Strings(routes)
			out["tgw table associating "+names(t.Associations)] = fmt.Sprintf("propagates %s; routes %s", names(t.Propagations), strings.Join(routes, " "))
		}
	}
	return out
}
