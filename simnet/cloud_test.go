package simnet

import (
	"bytes"
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// cloudCase is one world of testdata/worlds/cloud (issue 11) and what its
// trace must show. Each cites the AWS documentation it follows.
type cloudCase struct {
	name     string // the world file under testdata/worlds/cloud, without .yaml
	from     string
	target   string
	verdict  string // delivered or broken
	brokenAt string // "stage component CODE" when broken
	code     tracer.Code
	comp     string // the hop with code at this component ...
	detail   string // ... whose detail holds this
	warning  string // a warning of the world that holds this ("" for none expected)
	follow   bool   // trace as pathlab trace does, following redirects
}

func runCloudCases(t *testing.T, cases []cloudCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", tc.name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			r := trace(t, w, tc.from, tc.target)
			if tc.follow {
				if r, err = w.TraceFollow(context.Background(), tc.from, mustTarget(t, tc.target)); err != nil {
					t.Fatal(err)
				}
			}
			if r.Verdict != tc.verdict {
				t.Fatalf("verdict = %s; want %s", r.Verdict, tc.verdict)
			}
			if tc.brokenAt != "" {
				if got := brokenAt(r); got != tc.brokenAt {
					t.Errorf("broken_at = %s; want %s", got, tc.brokenAt)
				}
			}
			if !hasCodeHop(r, tc.comp, tc.code, tc.detail) {
				var buf bytes.Buffer
				r.WriteText(&buf, tracer.TextOptions{})
				t.Errorf("no hop %s %s with detail holding %q in:\n%s", tc.comp, tc.code, tc.detail, buf.String())
			}
			if tc.warning != "" {
				found := false
				for _, p := range w.Warnings() {
					if strings.Contains(p.Msg, tc.warning) && p.Line > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("no warning with a line holding %q: %v", tc.warning, w.Warnings())
				}
			}
		})
	}
}

func hasCodeHop(r *tracer.Report, comp string, code tracer.Code, detail string) bool {
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Component == comp && h.Code == code && strings.Contains(h.Text(), detail) {
				return true
			}
		}
	}
	return false
}

// TestDeletedTargets: AWS keeps a route whose target is deleted and shows
// it as "blackhole" (VPC User Guide, "Route tables": route status
// blackhole, "the route's target isn't available, for example, the
// specified gateway or NAT device was deleted"). A NAT gateway that is
// not available (pending, failed, deleting, deleted) forwards nothing
// (VPC User Guide, "NAT gateways": only an available gateway carries
// traffic); a route to it is a blackhole too.
func TestDeletedTargets(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "nat-deleted", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Broken,
			brokenAt: "tcp rt-private ROUTE_BLACKHOLE", code: tracer.RouteBlackhole, comp: "rt-private", detail: "NAT gateway nat-a, which is deleted"},
		{name: "route-target-missing", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Broken,
			brokenAt: "tcp rt-private ROUTE_BLACKHOLE", code: tracer.RouteBlackhole, comp: "rt-private", detail: "nat-b, which does not exist",
			warning: `route target "nat-b" does not exist, so the route is a blackhole (as AWS keeps a route whose target was deleted); did you mean "nat-a"?`},
	})
	// Every state but available is a blackhole; available forwards.
	for _, tt := range []struct {
		state string
		want  string
	}{{"", tracer.Delivered}, {"available", tracer.Delivered}, {"pending", tracer.Broken}, {"failed", tracer.Broken}, {"deleting", tracer.Broken}, {"deleted", tracer.Broken}} {
		s := builtinSpec(t, "shop")
		s.VPCs[0].NATGateways[0].State = tt.state
		w, err := Compile(s)
		if err != nil {
			t.Fatalf("state %q: %v", tt.state, err)
		}
		if r := trace(t, w, "app-1", "https://api.partner.example.net/"); r.Verdict != tt.want {
			t.Errorf("NAT gateway state %q: verdict %s; want %s", tt.state, r.Verdict, tt.want)
		}
	}
	s := builtinSpec(t, "shop")
	s.VPCs[0].NATGateways[0].State = "broken"
	if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), `state "broken" is not one of available, pending, failed, deleting, deleted`) {
		t.Errorf("a bad state: err = %v", err)
	}
	// A name that exists but is not something a route can point at is a
	// mistake, not a deleted target: refused.
	s = builtinSpec(t, "shop")
	s.VPCs[0].RouteTables[1].Routes[0].Target = "sg-app"
	if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), `route target "sg-app" is a security-group`) {
		t.Errorf("a route to a security group: err = %v", err)
	}
	// The shell's route command refuses a target that does not exist, as
	// CreateRoute does (InvalidGatewayID.NotFound), with a suggestion.
	s = builtinSpec(t, "shop")
	if _, err := (spec.RouteEdit{Table: "rt-private", Op: "replace", Dest: mustPrefix("0.0.0.0/0"), Target: "nat-b"}).Apply(s); err == nil || !strings.Contains(err.Error(), `did you mean "nat-a"?`) {
		t.Errorf("route replace via nat-b: err = %v", err)
	}
}

// TestEphemeralPartial: a reply goes to the ephemeral port its connection
// drew from the client's range (VPC User Guide, "Network ACLs",
// "Ephemeral ports": Linux kernels use 32768-60999, NAT gateways
// 1024-65535, and the ACL must allow the range the clients use). Rules
// that deny part of the range make only the connections that drew such a
// port hang: the trace delivers and flags NACL_EPHEMERAL_PARTIAL; rules
// that deny every port of the range still block (rules are evaluated in
// number order, first match wins, then the implicit deny).
func TestEphemeralPartial(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "acl-ephemeral-partial", from: "app-1", target: "tcp://db.internal.shop:5432", verdict: tracer.Delivered,
			code: tracer.NACLEphemeralPartial, comp: "acl-data", detail: "rule 90 denies 32768-35000: about 1 in 12 connections from this client would hang"},
		{name: "acl-ephemeral-partial", from: "app-1", target: "tcp://db.internal.shop:5432", verdict: tracer.Delivered,
			code: tracer.NACLEphemeralPartial, comp: "acl-data", detail: "(this connection's ephemeral port)"},
		{name: "acl-ephemeral-whole", from: "app-1", target: "tcp://db.internal.shop:5432", verdict: tracer.Broken,
			brokenAt: "tcp acl-data NACL_EGRESS_DENIED", code: tracer.NACLEgressDenied, comp: "acl-data", detail: "rule 90 denies 32768-45000, no rule allows the rest (the implicit deny)"},
	})
	// The text report says it is intermittent, not just delivered.
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "acl-ephemeral-partial.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	trace(t, w, "app-1", "tcp://db.internal.shop:5432").WriteText(&buf, tracer.TextOptions{})
	if !strings.Contains(buf.String(), "delivered this time, but intermittent: acl-data NACL_EPHEMERAL_PARTIAL") {
		t.Errorf("the text report does not say it is intermittent:\n%s", buf.String())
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// builtinSpec is a fresh copy of a built-in world's spec.
func builtinSpec(t *testing.T, name string) *spec.WorldSpec {
	t.Helper()
	w, err := LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return w.Spec()
}

// TestZones follows the ELB User Guide: a target in an Availability Zone
// that is not enabled for the balancer is "unused" with reason
// Target.NotInUse and gets no traffic ("Target health status"); with
// cross-zone load balancing off a node routes only to targets in its own
// zone, and it is on by default for Application Load Balancers and off
// for Network Load Balancers ("Cross-zone load balancing"); an
// Application Load Balancer must have subnets in at least two
// Availability Zones, one subnet per zone ("Availability Zones"). NAT
// gateways are zonal (VPC User Guide, "NAT gateways": resources in
// another zone lose internet access if the gateway's zone fails; create
// one per zone): check warns, nothing is blocked.
func TestZones(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "lb-target-not-in-use", from: "browser", target: "https://shop.example.com/", verdict: tracer.Delivered,
			code: tracer.LBTargetNotInUse, comp: "tg-app", detail: "app-2 is in zone c, where web-lb has no node: Target.NotInUse"},
		{name: "lb-zone-no-targets", from: "browser", target: "https://shop.example.com/", verdict: tracer.Broken,
			brokenAt: "http web-lb LB_ZONE_NO_TARGETS", code: tracer.LBZoneNoTargets, comp: "web-lb", detail: "every target of tg-app is in a zone where web-lb has no node"},
		{name: "lb-cross-zone-off", from: "browser", target: "https://shop.example.com/", verdict: tracer.Broken,
			brokenAt: "http web-lb LB_ZONE_NO_TARGETS", code: tracer.LBZoneNoTargets, comp: "web-lb", detail: "cross-zone load balancing is off and node 10.0.1.10 (zone a) has no target of tg-app in its own zone"},
		{name: "nlb-cross-zone-off", from: "orders-1", target: "tcp://payments.mesh.internal:9000", verdict: tracer.Broken,
			brokenAt: "tcp pay-nlb LB_ZONE_NO_TARGETS", code: tracer.LBZoneNoTargets, comp: "pay-nlb", detail: "node 10.20.1.20 (zone a) has no target of tg-payments in its own zone"},
	})
	// describe-target-health: the unused target is reported, not checked.
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "lb-target-not-in-use.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	before := w.healthChecks.Load()
	hs, _ := w.TargetHealth("web-lb")
	unused := 0
	for _, h := range hs {
		if h.Target == "app-2" {
			unused++
			if h.Healthy || h.ReasonCode != "Target.NotInUse" {
				t.Errorf("app-2 from %s: healthy %v, %s; want Target.NotInUse", h.Node, h.Healthy, h.ReasonCode)
			}
		} else if !h.Healthy {
			t.Errorf("%s from %s unhealthy: %s", h.Target, h.Node, h.Reason)
		}
	}
	if unused != 2 {
		t.Errorf("app-2 reported %d times; want once per node (2)", unused)
	}
	if n := w.healthChecks.Load() - before; n != 2 {
		t.Errorf("%d health checks ran; want 2 (app-1 from each node, none against the unused app-2)", n)
	}

	// Cross-zone defaults and the cross-zone edit: on for application
	// balancers, off for network ones; turning it on mends the NLB case.
	s := builtinSpec(t, "mesh")
	for _, l := range s.VPCs[0].LoadBalancers {
		want := l.Type == "application"
		if got := spec.CrossZoneOf(&l); got != want {
			t.Errorf("%s (%s): cross-zone %v by default; want %v", l.Name, l.Type, got, want)
		}
	}
	w, _ = Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "nlb-cross-zone-off.yaml"))
	s = w.Spec()
	if _, err := (spec.CrossZoneEdit{LB: "pay-nlb", On: true}).Apply(s); err != nil {
		t.Fatal(err)
	}
	w2, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if r := trace(t, w2, "orders-1", "tcp://payments.mesh.internal:9000"); r.Verdict != tracer.Delivered {
		t.Errorf("cross-zone on: %s; want delivered", brokenAt(r))
	}

	// Validation: an ALB in one zone, or two nodes in one zone, is refused.
	for _, tt := range []struct {
		name string
		edit func(s *spec.WorldSpec)
		want string
	}{
		{"one node", func(s *spec.WorldSpec) { s.VPCs[0].LoadBalancers[0].Nodes = s.VPCs[0].LoadBalancers[0].Nodes[:1] },
			"application load balancer web-lb has subnets in zone a only; an application load balancer needs subnets in at least two availability zones"},
		{"two nodes, one zone", func(s *spec.WorldSpec) { s.VPCs[0].Subnets[1].Zone = "a" },
			"load balancer web-lb has nodes in subnets public-a and public-b, both in zone a; a balancer takes one subnet per availability zone"},
	} {
		s := builtinSpec(t, "shop")
		tt.edit(s)
		if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
	// A network balancer may live in one zone.
	s = builtinSpec(t, "mesh")
	s.VPCs[0].LoadBalancers[1].Nodes = s.VPCs[0].LoadBalancers[1].Nodes[:1]
	if _, err := Compile(s); err != nil {
		t.Errorf("an NLB in one zone: %v", err)
	}

	// The zonal NAT gateway: a warning with the subnet's line, no block.
	w, _ = LoadBuiltin("shop")
	found := false
	for _, p := range w.Warnings() {
		if strings.Contains(p.Msg, "subnet app-b (zone b) sends 0.0.0.0/0 through NAT gateway nat-a in zone a") {
			found = true
		}
	}
	if !found {
		t.Errorf("no zonal NAT warning for shop: %v", w.Warnings())
	}
	if r := trace(t, w, "app-2", "https://api.partner.example.net/"); r.Verdict != tracer.Delivered {
		t.Errorf("app-2 through another zone's NAT gateway: %s; want delivered", brokenAt(r))
	}
}

// TestSourceDestCheck: EC2 performs source/destination checks by default;
// an instance that routes (a NAT instance, a firewall appliance) must have
// them disabled (EC2 User Guide, "Source/destination checks"; VPC User
// Guide, "NAT instances": "disable source/destination checks").
func TestSourceDestCheck(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "srcdst-check-on", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Broken,
			brokenAt: "tcp bastion SRC_DST_CHECK", code: tracer.SrcDstCheck, comp: "bastion", detail: "its source/destination check is on"},
		{name: "srcdst-check-off", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Delivered,
			code: tracer.RouteMatch, comp: "bastion", detail: "bastion forwards the packet on"},
	})
	w, _ := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "srcdst-check-on.yaml"))
	r := trace(t, w, "app-1", "https://api.partner.example.net/")
	fix := ""
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code == tracer.SrcDstCheck {
				fix = h.Fix
			}
		}
	}
	if fix != "instance bastion source-dest-check off" {
		t.Fatalf("fix = %q; want instance bastion source-dest-check off", fix)
	}
	e, err := spec.ParseEdit(fix)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Spec()
	undo, err := e.Apply(s)
	if err != nil {
		t.Fatal(err)
	}
	if undo.String() != "instance bastion source-dest-check on" {
		t.Errorf("undo = %s", undo)
	}
	w2, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if r := trace(t, w2, "app-1", "https://api.partner.example.net/"); r.Verdict != tracer.Delivered {
		t.Errorf("after the fix: %s", brokenAt(r))
	}
}

// TestRoute53: an alias record answers with its target's addresses and
// may sit at the zone apex (Route 53 Developer Guide, "Choosing between
// alias and non-alias records"); a CNAME may not be at the apex (RFC 1034
// section 3.6.2; Route 53 refuses it) nor beside other data of its name.
// The VPC's DNS attributes (VPC User Guide, "DNS attributes for your
// VPC"): enableDnsSupport off, the Amazon-provided resolver answers
// nothing; enableDnsHostnames off, private hosted zones are not used.
func TestRoute53(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "alias-apex", from: "browser", target: "https://shop.example.com/", verdict: tracer.Delivered,
			code: tracer.DNSAnswer, comp: "example.com", detail: "shop.example.com. A 203.0.113.10, shop.example.com. A 203.0.113.11"},
		{name: "alias-apex", from: "browser", target: "tcp://example.com:443", verdict: tracer.Delivered,
			code: tracer.DNSAnswer, comp: "example.com", detail: "answers authoritatively: example.com. A 203.0.113.10, example.com. A 203.0.113.11"},
		{name: "alias-wrong-balancer", from: "web-1", target: "https://api.mesh.internal/", verdict: tracer.Broken,
			brokenAt: "tcp pay-nlb LB_NO_LISTENER", code: tracer.LBNoListener, comp: "pay-nlb", detail: "no listener on port 443"},
		{name: "dns-support-off", from: "app-1", target: "tcp://db.internal.shop:5432", verdict: tracer.Broken,
			brokenAt: "dns prod-resolver DNS_TIMEOUT", code: tracer.DNSTimeout, comp: "prod-resolver", detail: "enable_dns_support off"},
		{name: "dns-hostnames-off", from: "app-1", target: "tcp://db.internal.shop:5432", verdict: tracer.Broken,
			code: tracer.DNSNXDomain, comp: "root-servers", detail: ""},
	})
	for _, tt := range []struct {
		name string
		rec  spec.RecordSpec
		want string
	}{
		{"cname at the apex", spec.RecordSpec{Name: "@", Type: "CNAME", Value: "web-lb.example.com"}, "a CNAME at the zone apex (example.com) is not allowed"},
		{"cname beside an alias", spec.RecordSpec{Name: "web-lb", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb"}}, ""},
		{"alias with a value", spec.RecordSpec{Name: "x", Type: "A", Value: "192.0.2.1", Alias: &spec.AliasSpec{Target: "web-lb"}}, "remove value/values"},
		{"alias with a ttl", spec.RecordSpec{Name: "x", Type: "A", TTL: new(int), Alias: &spec.AliasSpec{Target: "web-lb"}}, "an alias record has no TTL of its own"},
		{"alias of type MX", spec.RecordSpec{Name: "x", Type: "MX", Alias: &spec.AliasSpec{Target: "web-lb"}}, "an alias record has type A"},
		{"alias to nothing", spec.RecordSpec{Name: "x", Type: "A", Alias: &spec.AliasSpec{Target: "web-lbb"}}, `alias target "web-lbb" is neither a load balancer nor an A record`},
		{"alias beside a CNAME", spec.RecordSpec{Name: "shop", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb"}}, "shop has a CNAME and other records"},
		{"alias to a record", spec.RecordSpec{Name: "www", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb"}}, ""},
	} {
		s := builtinSpec(t, "shop")
		z := &s.DNS.Zones[0]
		if tt.name == "cname beside an alias" {
			// web-lb's A record gives way to an alias of the same name:
			// allowed (an alias is an A record), the balancer's addresses.
			z.Records = z.Records[:1]
			z.Records = append(z.Records, spec.RecordSpec{Name: "web-lb", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb"}})
		} else {
			z.Records = append(z.Records, tt.rec)
		}
		_, err := Compile(s)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
}

// TestICMPTypeCode: security group and network ACL rules for ICMP name a
// type and a code, -1 (or none) for all (VPC User Guide, "Security group
// rules" and "Network ACL rules"); ping sends echo request (type 8) and
// the echo reply (type 0) returns by connection tracking through security
// groups, by its own rule through ACLs. A rule for the wrong type does not
// match.
func TestICMPTypeCode(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "icmp-echo-allowed", from: "app-1", target: "icmp://10.0.20.10", verdict: tracer.Delivered,
			code: tracer.NACLAllow, comp: "acl-data", detail: "request icmp allowed by rule 120"},
		{name: "icmp-acl-wrong-type", from: "app-1", target: "icmp://10.0.20.10", verdict: tracer.Broken,
			brokenAt: "icmp acl-data NACL_INGRESS_DENIED", code: tracer.NACLIngressDenied, comp: "acl-data", detail: "implicit deny"},
		{name: "icmp-sg-wrong-type", from: "app-1", target: "icmp://10.0.20.10", verdict: tracer.Broken,
			brokenAt: "icmp sg-db SG_NO_INGRESS_RULE", code: tracer.SGNoIngressRule, comp: "sg-db", detail: "allows icmp from 10.0.10.21"},
	})
	eight, three, big := 8, 3, 300
	for _, tt := range []struct {
		name string
		rule spec.ACLRuleSpec
		want string
	}{
		{"type on tcp", spec.ACLRuleSpec{Rule: 130, Protocol: "tcp", Ports: spec.Ports{Text: "22"}, CIDR: "0.0.0.0/0", Action: "allow", ICMPType: &eight}, "icmp_type and icmp_code apply to icmp rules only"},
		{"type too big", spec.ACLRuleSpec{Rule: 130, Protocol: "icmp", CIDR: "0.0.0.0/0", Action: "allow", ICMPType: &big}, "icmp_type 300 is outside 0-255"},
		{"code without type", spec.ACLRuleSpec{Rule: 130, Protocol: "icmp", CIDR: "0.0.0.0/0", Action: "allow", ICMPCode: &three}, "icmp_code needs an icmp_type"},
		{"type and code", spec.ACLRuleSpec{Rule: 130, Protocol: "icmp", CIDR: "0.0.0.0/0", Action: "allow", ICMPType: &three, ICMPCode: &three}, ""},
	} {
		s := builtinSpec(t, "shop")
		s.VPCs[0].NetworkACLs[1].Ingress = append(s.VPCs[0].NetworkACLs[1].Ingress, tt.rule)
		_, err := Compile(s)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v; want %q", tt.name, err, tt.want)
		}
	}
}
