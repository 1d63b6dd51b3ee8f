package simnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/pathlab/pathlab/simnet/spec"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

func builtinWorldSpec(t testing.TB, name string) *spec.WorldSpec {
	t.Helper()
	b, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec("builtin:"+name, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ttl(n int) *int { return &n }

// editCases holds an edit of every kind, each with a world it applies to.
var editCases = []struct {
	world string
	line  string
	edit  spec.Edit
}{
	{"shop", "sg sg-app add ingress tcp 9000-9010 from sg-lb", spec.SGRuleEdit{Group: "sg-app", Op: "add", Dir: "ingress", Rule: spec.SGRuleSpec{Protocol: "tcp", Ports: spec.Ports{Text: "9000-9010"}, Source: "sg-lb"}}},
	{"shop", "sg sg-app remove ingress tcp 8080 from sg-lb", spec.SGRuleEdit{Group: "sg-app", Op: "remove", Dir: "ingress", Rule: spec.SGRuleSpec{Protocol: "tcp", Ports: spec.Ports{Text: "8080"}, Source: "sg-lb"}}},
	{"shop", "sg sg-app add egress all all to 0.0.0.0/0", spec.SGRuleEdit{Group: "sg-app", Op: "add", Dir: "egress", Rule: spec.SGRuleSpec{Protocol: "all", Destination: "0.0.0.0/0"}}},
	{"shop", "nacl acl-data add ingress rule 5 deny tcp 5432 10.0.0.0/8", spec.NACLRuleEdit{ACL: "acl-data", Op: "add", Dir: "ingress", Rule: spec.ACLRuleSpec{Rule: 5, Protocol: "tcp", Ports: spec.Ports{Text: "5432"}, CIDR: "10.0.0.0/8", Action: "deny"}}},
	{"shop", "nacl acl-data remove egress rule 100", spec.NACLRuleEdit{ACL: "acl-data", Op: "remove", Dir: "egress", Rule: spec.ACLRuleSpec{Rule: 100}}},
	{"shop", "route rt-isolated add 0.0.0.0/0 via nat-a", spec.RouteEdit{Table: "rt-isolated", Op: "add", Dest: netip.MustParsePrefix("0.0.0.0/0"), Target: "nat-a"}},
	{"shop", "route rt-private replace 0.0.0.0/0 via blackhole", spec.RouteEdit{Table: "rt-private", Op: "replace", Dest: netip.MustParsePrefix("0.0.0.0/0"), Target: "blackhole"}},
	{"shop", "route rt-private remove 0.0.0.0/0", spec.RouteEdit{Table: "rt-private", Op: "remove", Dest: netip.MustParsePrefix("0.0.0.0/0")}},
	{"shop", "service app-1 shop-api stop", spec.ServiceEdit{Host: "app-1", Service: "shop-api", Op: "stop"}},
	{"shop", "service app-1 metrics bind 0.0.0.0", spec.ServiceEdit{Host: "app-1", Service: "metrics", Op: "bind", Bind: "0.0.0.0"}},
	{"shop", "service app-1 shop-api port 8081", spec.ServiceEdit{Host: "app-1", Service: "shop-api", Op: "port", Port: 8081}},
	{"shop", "firewall db-1 insert 1 input tcp 5432 from 10.0.10.0/24 reject", spec.FirewallEdit{Host: "db-1", Op: "insert", Num: 1, Rule: spec.FirewallRuleSpec{Chain: "input", Protocol: "tcp", Port: spec.Ports{Text: "5432"}, Source: "10.0.10.0/24", Action: "reject"}}},
	{"shop", "firewall db-1 remove 1", spec.FirewallEdit{Host: "db-1", Op: "remove", Num: 1}},
	{"shop", "firewall db-1 replace 1 input tcp 5432 from 10.0.10.0/24 accept", spec.FirewallEdit{Host: "db-1", Op: "replace", Num: 1, Rule: spec.FirewallRuleSpec{Chain: "input", Protocol: "tcp", Port: spec.Ports{Text: "5432"}, Source: "10.0.10.0/24", Action: "accept"}}},
	{"shop", "nacl acl-data replace ingress rule 100 allow tcp 5432 10.0.0.0/16", spec.NACLRuleEdit{ACL: "acl-data", Op: "replace", Dir: "ingress", Rule: spec.ACLRuleSpec{Rule: 100, Protocol: "tcp", Ports: spec.Ports{Text: "5432"}, CIDR: "10.0.0.0/16", Action: "allow"}}},
	{"shop", "firewall db-1 remove input 2", spec.FirewallEdit{Host: "db-1", Op: "remove", Chain: "input", Num: 2}},
	{"shop", "dns example.com set web-lb A ttl 30 203.0.113.10", spec.DNSRecordEdit{Zone: "example.com", Op: "set", Name: "web-lb", Type: "A", Values: []string{"203.0.113.10"}, TTL: ttl(30)}},
	{"shop", "dns example.com set www CNAME shop.example.com", spec.DNSRecordEdit{Zone: "example.com", Op: "set", Name: "www", Type: "CNAME", Values: []string{"shop.example.com"}}},
	{"shop", "dns example.com set @ TXT 'v=spf1 -all' x", spec.DNSRecordEdit{Zone: "example.com", Op: "set", Name: "@", Type: "TXT", Values: []string{"v=spf1 -all", "x"}}},
	{"shop", "dns example.com remove shop CNAME", spec.DNSRecordEdit{Zone: "example.com", Op: "remove", Name: "shop", Type: "CNAME"}},
	{"shop", "dns example.com delegate ns9.example.net 192.0.2.99", spec.DNSDelegateEdit{Zone: "example.com", Servers: []spec.NameserverSpec{{Name: "ns9.example.net", IP: "192.0.2.99"}}}},
	{"peered", "dns corp.internal disassociate analytics", spec.ZoneAssocEdit{Zone: "corp.internal", Op: "disassociate", VPC: "analytics"}},
	{"shop", "dns internal.shop associate prod2", spec.ZoneAssocEdit{Zone: "internal.shop", Op: "associate", VPC: "prod2"}},
	{"shop", "dns example.net create private prod", spec.ZoneEdit{Zone: "example.net", Op: "create", VPCs: []string{"prod"}}},
	{"shop", "lb web-lb health-check path /status", spec.LBHealthCheckEdit{LB: "web-lb", Path: "/status"}},
	{"shop", "lb web-lb health-check port 8081 tg-app", spec.LBHealthCheckEdit{LB: "web-lb", Port: 8081, TG: "tg-app"}},
	{"shop", "lb web-lb target remove app-1", spec.LBTargetEdit{LB: "web-lb", Op: "remove", Target: "app-1"}},
	{"shop", "lb web-lb target add db-1 tg-app", spec.LBTargetEdit{LB: "web-lb", Op: "add", Target: "db-1", TG: "tg-app"}},
	{"shop", "lb web-lb target-group tg-app port 8081", spec.LBTargetGroupPortEdit{LB: "web-lb", TG: "tg-app", Port: 8081}},
	{"shop", "lb web-lb listener 443 certificate partner-cert", spec.LBListenerCertEdit{LB: "web-lb", Port: 443, Cert: "partner-cert"}},
	{"shop", "lb web-lb listener 80 forward tg-app", spec.LBListenerActionEdit{LB: "web-lb", Port: 80, Forward: "tg-app"}},
	{"shop", "lb web-lb listener 443 redirect https", spec.LBListenerActionEdit{LB: "web-lb", Port: 443, Redirect: "https"}},
	{"shop", "lb web-lb listener add 8443 https forward tg-app certificate shop-cert", spec.LBListenerAddEdit{LB: "web-lb", Listener: spec.ListenerSpec{Port: 8443, Protocol: "https", TargetGroup: "tg-app", Certificate: "shop-cert"}}},
	{"shop", "lb web-lb listener add 8080 http redirect https", spec.LBListenerAddEdit{LB: "web-lb", Listener: spec.ListenerSpec{Port: 8080, Protocol: "http", Redirect: "https"}}},
	{"shop", "lb web-lb listener remove 80", spec.LBListenerRemoveEdit{LB: "web-lb", Port: 80}},
	// Listener rules (hub's web-lb has rule 10, path /api/* → tg-api).
	{"hub", "lb web-lb listener 443 rule add 5 host www.example.com,api.example.com path /v?/* method GET source 198.51.100.0/24 header X-Env blue forward tg-web",
		spec.LBRuleAddEdit{LB: "web-lb", Port: 443, Rule: spec.ListenerRuleSpec{Priority: 5, Conditions: spec.RuleConditionSpec{Host: []string{"www.example.com", "api.example.com"}, Path: []string{"/v?/*"},
			Method: []string{"GET"}, SourceIP: []string{"198.51.100.0/24"}, HTTPHeader: &spec.HeaderConditionSpec{Name: "X-Env", Values: []string{"blue"}}}, Forward: "tg-web"}}},
	{"hub", "lb web-lb listener 443 rule add 1 path /* fixed-response 503 content-type text/html body '<h1>Down for maintenance</h1>'",
		spec.LBRuleAddEdit{LB: "web-lb", Port: 443, Rule: spec.ListenerRuleSpec{Priority: 1, Conditions: spec.RuleConditionSpec{Path: []string{"/*"}},
			FixedResponse: &spec.FixedResponseSpec{StatusCode: 503, ContentType: "text/html", MessageBody: "<h1>Down for maintenance</h1>"}}}},
	{"hub", "lb web-lb listener 443 rule 10 delete", spec.LBRuleDeleteEdit{LB: "web-lb", Port: 443, Priority: 10}},
	{"hub", "lb web-lb listener 443 rule 10 priority 20", spec.LBRulePriorityEdit{LB: "web-lb", Port: 443, Priority: 10, To: 20}},
	{"hub", "lb web-lb listener 443 rule 10 redirect protocol HTTPS host 'api.#{host}' path /v2/ status 302",
		spec.LBRuleActionEdit{LB: "web-lb", Port: 443, Priority: 10, Redirect: &spec.RedirectSpec{Protocol: "HTTPS", Host: "api.#{host}", Path: "/v2/", StatusCode: "HTTP_302"}}},
	{"hub", "lb web-lb listener 443 rule 10 forward tg-web", spec.LBRuleActionEdit{LB: "web-lb", Port: 443, Priority: 10, Forward: "tg-web"}},
	{"shop", "cert shop-cert renew", spec.CertRenewEdit{Cert: "shop-cert"}},
	{"shop", "cert shop-cert renew shop.example.com *.example.com", spec.CertRenewEdit{Cert: "shop-cert", Domains: []string{"shop.example.com", "*.example.com"}}},
	{"shop", "cert shop-cert reissue 2025-01-01T00:00:00Z 2025-06-01T00:00:00Z shop.example.com", spec.CertReissueEdit{Cert: "shop-cert", NotBefore: "2025-01-01T00:00:00Z", NotAfter: "2025-06-01T00:00:00Z", Domains: []string{"shop.example.com"}}},
	{"peered", "peering create pcx-x app analytics", spec.PeeringEdit{Op: "create", Name: "pcx-x", VPCs: []string{"app", "analytics"}}},
	{"peered", "peering pcx-app-shared delete", spec.PeeringEdit{Op: "delete", Name: "pcx-app-shared"}},
	{"peered", "peering pcx-app-shared status pending-acceptance", spec.PeeringStatusEdit{Name: "pcx-app-shared", Status: "pending-acceptance"}},
	// Issue 11: transit gateways, VPN, endpoints and prefix lists.
	{"hub", "route tgw-rt-spokes add 10.20.0.0/16 via att-shared", spec.RouteEdit{Table: "tgw-rt-spokes", Op: "add", Dest: netip.MustParsePrefix("10.20.0.0/16"), Target: "att-shared"}},
	{"hub", "route rt-shared remove pl-s3", spec.RouteEdit{Table: "rt-shared", Op: "remove", List: "pl-s3"}},
	{"hub", "route rt-app-private add pl-s3 via vpce-s3", spec.RouteEdit{Table: "rt-app-private", Op: "add", List: "pl-s3", Target: "vpce-s3"}},
	{"hub", "attachment att-app subnet remove app-tgw-b", spec.AttachmentEdit{Attachment: "att-app", Op: "subnet-remove", Arg: "app-tgw-b"}},
	{"hub", "attachment att-app subnet add app-a", spec.AttachmentEdit{Attachment: "att-app", Op: "subnet-add", Arg: "app-a"}},
	{"hub", "attachment att-inspect appliance-mode off", spec.AttachmentEdit{Attachment: "att-inspect", Op: "appliance-mode", Arg: "off"}},
	{"hub", "attachment att-shared associate tgw-rt-inspect", spec.AttachmentEdit{Attachment: "att-shared", Op: "associate", Arg: "tgw-rt-inspect"}},
	{"hub", "attachment att-shared disassociate", spec.AttachmentEdit{Attachment: "att-shared", Op: "disassociate"}},
	{"hub", "attachment att-office state deleted", spec.AttachmentEdit{Attachment: "att-office", Op: "state", Arg: "deleted"}},
	{"hub", "propagation tgw-rt-inspect disable att-shared", spec.PropagationEdit{Table: "tgw-rt-inspect", Op: "disable", From: "att-shared"}},
	{"hub", "propagation rt-shared disable vgw-shared", spec.PropagationEdit{Table: "rt-shared", Op: "disable", From: "vgw-shared"}},
	{"hub", "propagation tgw-rt-spokes enable att-shared", spec.PropagationEdit{Table: "tgw-rt-spokes", Op: "enable", From: "att-shared"}},
	{"hub", "vpn vpn-office tunnel 2 down", spec.VPNEdit{VPN: "vpn-office", Op: "tunnel", Tunnel: 2, Arg: "down"}},
	{"hub", "vpn vpn-dc route add 172.17.0.0/16", spec.VPNEdit{VPN: "vpn-dc", Op: "route-add", Arg: "172.17.0.0/16"}},
	{"hub", "vpn vpn-dc route remove 172.16.0.0/16", spec.VPNEdit{VPN: "vpn-dc", Op: "route-remove", Arg: "172.16.0.0/16"}},
	{"hub", "vpn vpn-dc state pending", spec.VPNEdit{VPN: "vpn-dc", Op: "state", Arg: "pending"}},
	{"hub", "endpoint vpce-secrets private-dns off", spec.EndpointEdit{Endpoint: "vpce-secrets", Op: "private-dns", Arg: "off"}},
	{"hub", "endpoint vpce-s3 state failed", spec.EndpointEdit{Endpoint: "vpce-s3", Op: "state", Arg: "failed"}},
	{"mesh", "lb pay-nlb subnets lb-a", spec.LBSubnetsEdit{LB: "pay-nlb", Nodes: []spec.LBNodeSpec{{Subnet: "lb-a"}}}},
	{"shop", "lb web-lb subnets public-a public-b=10.0.2.12,203.0.113.12", spec.LBSubnetsEdit{LB: "web-lb", Nodes: []spec.LBNodeSpec{{Subnet: "public-a"}, {Subnet: "public-b", PrivateIP: "10.0.2.12", PublicIP: "203.0.113.12"}}}},
}

// TestEditRoundTrip: every kind of edit reads back from its command line
// as an equal value, and its line is what the table says a learner types.
func TestEditRoundTrip(t *testing.T) {
	kinds := map[string]bool{}
	for _, tc := range editCases {
		kinds[reflect.TypeOf(tc.edit).Name()] = true
		if got := tc.edit.String(); got != tc.line {
			t.Errorf("String() = %q; want %q", got, tc.line)
		}
		e, err := spec.ParseEdit(tc.line)
		if err != nil {
			t.Errorf("ParseEdit(%q): %v", tc.line, err)
			continue
		}
		if !reflect.DeepEqual(e, tc.edit) {
			t.Errorf("ParseEdit(%q) = %#v; want %#v", tc.line, e, tc.edit)
		}
	}
	for _, k := range []string{"SGRuleEdit", "NACLRuleEdit", "RouteEdit", "ServiceEdit", "FirewallEdit", "DNSRecordEdit", "DNSDelegateEdit", "ZoneAssocEdit", "ZoneEdit",
		"LBHealthCheckEdit", "LBTargetEdit", "LBTargetGroupPortEdit", "LBListenerCertEdit", "LBListenerActionEdit", "LBListenerAddEdit", "LBListenerRemoveEdit",
		"LBRuleAddEdit", "LBRuleDeleteEdit", "LBRulePriorityEdit", "LBRuleActionEdit",
		"CertRenewEdit", "CertReissueEdit", "PeeringEdit", "PeeringStatusEdit",
		"AttachmentEdit", "PropagationEdit", "VPNEdit", "EndpointEdit"} {
		if !kinds[k] {
			t.Errorf("no case of %s", k)
		}
	}
}

// TestEditUndo: each edit changes its world, and its undo gives back a
// world that means the same; the undo reads back from its line too.
func TestEditUndo(t *testing.T) {
	for _, tc := range editCases {
		t.Run(tc.line, func(t *testing.T) {
			s := builtinWorldSpec(t, tc.world)
			before := canonical(t, s)
			undo, err := tc.edit.Apply(s)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if canonical(t, s) == before {
				t.Fatalf("Apply changed nothing")
			}
			back, err := spec.ParseEdit(undo.String())
			if err != nil || !reflect.DeepEqual(back, undo) {
				t.Errorf("the undo %#v reads back as %#v (%v)", undo, back, err)
			}
			if _, err := undo.Apply(s); err != nil {
				t.Fatalf("undo %q: %v", undo, err)
			}
			if got := canonical(t, s); got != before {
				t.Errorf("after %q and its undo %q the world differs:\n got %s\nwant %s", tc.edit, undo, got, before)
			}
		})
	}
}

// TestEditErrors: a refused edit says why and leaves the spec unchanged;
// a command written wrongly says what is wrong and what is allowed.
func TestEditErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"sg sg-app add", "takes 8 words"},
		{"sg sg-app add sideways tcp 80 from x", `"sideways" is not ingress or egress`},
		{"sg sg-app add ingress tcp 80 to x", "an ingress rule is written 'ingress PROTO PORTS from ...'"},
		{"sg sg-app add ingress gre 80 from x", `protocol "gre" is not tcp, udp, icmp or all`},
		{"sg sg-app add ingress tcp 0 from x", "port 0 is not a port"},
		{"sg sg-app add ingress tcp 80 from 10.0.1.5/24", "did you mean 10.0.1.0/24?"},
		{"sg sg-nope add ingress tcp 80 from sg-lb", `no security group is named "sg-nope"`},
		{"sg sg-app add ingress tcp 8080 from sg-lb", "already has the rule"},
		{"nacl acl-data add ingress rule 0 allow tcp 80 0.0.0.0/0", "not a number from 1 to 32766"},
		{"nacl acl-data add ingress rule 100 allow tcp 80 0.0.0.0/0", "already has ingress rule 100"},
		{"route rt-public add 0.0.0.0/0 via igw", "already has a route for 0.0.0.0/0"},
		{"route rt-public replace 10.9.0.0/16 via igw", "no route for 10.9.0.0/16 to replace"},
		{"route rt-public frobnicate 10.9.0.0/16", `"frobnicate" is not add, replace or remove`},
		{"service app-1 shop-api start", "already running"},
		{"service app-1 shop-api bind nowhere", `bind "nowhere": give an address`},
		{"firewall db-1 remove 3", "firewall has 2 rules, not 3"},
		{"firewall db-1 insert 1 input tcp 80 nothing", `action "nothing" is not accept, drop or reject`},
		{"dns example.com set www A 2001:db8::1", "is not an IPv4 address"},
		{"dns example.com set shop A 203.0.113.9", "a CNAME stands alone"},
		{"dns example.com remove nope A", "has no A record for nope"},
		{"dns internal.shop delegate ns 1.2.3.4", "private zone: nothing delegates"},
		{"dns internal.shop delete", "still holds"},
		{"lb web-lb health-check path status", "starts with /"},
		{"lb web-lb listener remove 8443", "no listener on port 8443"},
		{"lb web-lb listener 443 rule 7 delete", "has no rules"},
		{"lb web-lb listener 443 rule 0 delete", "not a number from 1 to 50000"},
		{"lb web-lb listener 443 rule add 5 path /a", "needs an action"},
		{"lb web-lb subnets public-a app-a", "give the new node's address as app-a=PRIVATE_IP"},
		{"lb web-lb subnets public-a=10.0.1.x", "not an IP address"},
		{"lb web-lb subnets public-a public-a", "named twice"},
		{"lb web-lb listener 443 rule add 5 path /a,/b,/c,/d forward tg-app", "1 to 3 values"},
		{"lb web-lb listener 443 rule 5 redirect status 307", "301 or 302"},
		{"cert nope renew", `no certificate is named "nope"`},
		{"cert shop-cert reissue yesterday tomorrow x", "not a time"},
		{"peering pcx-1 accept", "no peering is named"},
		{"teleport app-1", "not a fix command"},
	}
	for _, tc := range tests {
		s := builtinWorldSpec(t, "shop")
		before := canonical(t, s)
		e, err := spec.ParseEdit(tc.line)
		if err == nil {
			_, err = e.Apply(s)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v; want one holding %q", tc.line, err, tc.want)
		}
		var ue *spec.UsageError
		if errors.As(err, &ue) && (!errors.Is(err, spec.ErrEditUsage) || ue.Reason == "") {
			t.Errorf("%q: a usage error without its reason: %v", tc.line, err)
		}
		if canonical(t, s) != before {
			t.Errorf("%q: the refused edit changed the spec", tc.line)
		}
	}
}

// TestApplyEditMessage: ApplyEdit says what changed, in the learner's words.
func TestApplyEditMessage(t *testing.T) {
	tests := []struct{ line, want string }{
		{"sg sg-app add ingress tcp 443 from sg-lb", "sg-app: added ingress tcp 443 from sg-lb"},
		{"route rt-private replace 0.0.0.0/0 via blackhole", "rt-private: 0.0.0.0/0 now → blackhole (was nat-a)"},
		{"lb web-lb target-group tg-app port 8081", "now sends to port 8081 (was 8080)"},
		{"lb web-lb subnets public-b public-a", "web-lb: nodes in subnets public-b, public-a (was public-a, public-b)"},
		{"peering create pcx-x app analytics", "pending acceptance (peering pcx-x accept)"},
	}
	for _, tc := range tests {
		world := "shop"
		if strings.HasPrefix(tc.line, "peering") {
			world = "peered"
		}
		e, err := spec.ParseEdit(tc.line)
		if err != nil {
			t.Fatal(err)
		}
		_, msg, err := spec.ApplyEdit(builtinWorldSpec(t, world), e)
		if err != nil || !strings.Contains(msg, tc.want) {
			t.Errorf("%q: %q, %v; want %q", tc.line, msg, err, tc.want)
		}
	}
}

// FuzzParseEdit: no line crashes the parser; a line that parses reads back
// from its String() as an equal value; applying it to a built-in world
// never panics, and when it applies, its undo reads back from its line and
// gives back a world that means the same.
func FuzzParseEdit(f *testing.F) {
	for _, tc := range editCases {
		f.Add(tc.line)
	}
	for _, s := range []string{"sg sg-app add ingress tcp all from sg-lb", "nacl acl-data add egress rule 1 allow all all 0.0.0.0/0",
		"dns example.com set shop CNAME x", "firewall db-1 remove output 1", "firewall db-1 replace 2 output udp 53 to 10.0.0.2 drop",
		"nacl acl-data replace egress rule 100 deny all all 0.0.0.0/0", "dns corp.example create private prod", "dns corp.example delete", "dns x set n TXT ttl 5", "lb x listener 80 certificate ''",
		"attachment att-app associate tgw-rt-inspect", "vpn vpn-office tunnel 1 up", "propagation rt-app-private enable vgw-shared", "endpoint vpce-s3 private-dns on", "route tgw-rt-inspect replace 0.0.0.0/0 via blackhole"} {
		f.Add(s)
	}
	specs := map[string]*spec.WorldSpec{}
	for _, n := range BuiltinNames() {
		specs[n] = builtinWorldSpec(f, n)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, err := spec.ParseEdit(line)
		if err != nil {
			return
		}
		again, err := spec.ParseEdit(e.String())
		if err != nil {
			t.Fatalf("%q parses, but its String() %q does not: %v", line, e.String(), err)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("%q: %#v reads back as %#v", line, e, again)
		}
		for _, s := range specs {
			c := s.Clone()
			undo, err := e.Apply(c)
			if err != nil {
				continue
			}
			back, err := spec.ParseEdit(undo.String())
			if err != nil || !reflect.DeepEqual(back, undo) {
				t.Fatalf("%q: its undo %#v reads back as %#v (%v)", line, undo, back, err)
			}
			if _, err := undo.Apply(c); err != nil {
				t.Fatalf("%q on %s: its undo %q fails: %v", line, s.Name, undo, err)
			}
			if canonical(t, c) != canonical(t, s) {
				t.Fatalf("%q on %s: its undo %q does not give back the world", line, s.Name, undo)
			}
		}
	})
}

// canonical writes a spec in a form where specs that mean the same are
// equal: unordered lists sorted, defaults written out, rules in the form
// the commands write them.
func canonical(t testing.TB, s *spec.WorldSpec) string {
	t.Helper()
	c := s.Clone()
	for i := range c.DNS.Zones {
		z := &c.DNS.Zones[i]
		sort.Strings(z.VPCs)
		if len(z.Delegation) == 0 {
			z.Delegation = z.Nameservers
		}
		type key struct{ name, typ string }
		merged := map[key]spec.RecordSpec{}
		for _, r := range z.Records {
			k := key{spec.RelRecord(z.Name, r.Name), strings.ToUpper(r.Type)}
			m := merged[k]
			m.Name, m.Type = k.name, k.typ
			m.Values = append(m.Values, r.AllValues()...)
			if m.TTL == nil {
				m.TTL = r.TTL
			}
			merged[k] = m
		}
		z.Records = nil
		for _, r := range merged {
			sort.Strings(r.Values)
			if r.TTL == nil {
				r.TTL = ttl(300)
			}
			z.Records = append(z.Records, r)
		}
		sort.Slice(z.Records, func(a, b int) bool {
			return z.Records[a].Name+" "+z.Records[a].Type < z.Records[b].Name+" "+z.Records[b].Type
		})
	}
	sort.Slice(c.DNS.Zones, func(a, b int) bool {
		return fmt.Sprint(c.DNS.Zones[a].Name, c.DNS.Zones[a].Private) < fmt.Sprint(c.DNS.Zones[b].Name, c.DNS.Zones[b].Private)
	})
	for i := range c.Peerings {
		if c.Peerings[i].Status == "" {
			c.Peerings[i].Status = "active"
		}
	}
	sort.Slice(c.Peerings, func(a, b int) bool { return c.Peerings[a].Name < c.Peerings[b].Name })
	hostParts := func(svcs []spec.ServiceSpec, fw []spec.FirewallRuleSpec) {
		for i := range svcs {
			if svcs[i].Bind == "" {
				svcs[i].Bind = "0.0.0.0"
			}
			on := svcs[i].IsRunning()
			svcs[i].Running = &on
		}
		for i := range fw {
			fw[i] = spec.NormFirewallRule(fw[i])
		}
	}
	for i := range c.Internet.Servers {
		hostParts(c.Internet.Servers[i].Services, c.Internet.Servers[i].Firewall)
	}
	for i := range c.VPCs {
		v := &c.VPCs[i]
		for j := range v.Instances {
			hostParts(v.Instances[j].Services, v.Instances[j].Firewall)
		}
		for j := range v.RouteTables {
			rs := v.RouteTables[j].Routes
			for k := range rs {
				if p, err := netip.ParsePrefix(rs[k].Destination); err == nil {
					rs[k].Destination = p.Masked().String()
				}
			}
			sort.Slice(rs, func(a, b int) bool { return rs[a].Destination < rs[b].Destination })
		}
		for j := range v.NetworkACLs {
			for _, rs := range []*[]spec.ACLRuleSpec{&v.NetworkACLs[j].Ingress, &v.NetworkACLs[j].Egress} {
				for k := range *rs {
					(*rs)[k] = spec.NormACLRule((*rs)[k])
				}
			}
		}
		for j := range v.SecurityGroups {
			g := &v.SecurityGroups[j]
			for _, d := range []struct {
				dir   string
				rules []spec.SGRuleSpec
			}{{"ingress", g.Ingress}, {"egress", g.Egress}} {
				for k := range d.rules {
					d.rules[k] = spec.NormSGRule(d.dir, d.rules[k])
				}
				sort.Slice(d.rules, func(a, b int) bool { return spec.SGRuleText(d.dir, d.rules[a]) < spec.SGRuleText(d.dir, d.rules[b]) })
			}
		}
		for j := range v.LoadBalancers {
			l := &v.LoadBalancers[j]
			sort.Slice(l.Listeners, func(a, b int) bool { return l.Listeners[a].Port < l.Listeners[b].Port })
			for k := range l.Listeners {
				if l.Listeners[k].Redirect != "" {
					l.Listeners[k].TargetGroup = ""
				}
			}
			for k := range l.TargetGroups {
				tg := &l.TargetGroups[k]
				slices.Sort(tg.Targets)
				if tg.HealthCheck.Port == 0 {
					tg.HealthCheck.Port = tg.Port
				}
				if tg.HealthCheck.Path == "" {
					tg.HealthCheck.Path = "/"
				}
			}
		}
	}
	// Issue 11: lists whose order means nothing; states and tunnels
	// written out.
	for i := range c.TransitGateways {
		g := &c.TransitGateways[i]
		for j := range g.Attachments {
			a := &g.Attachments[j]
			slices.Sort(a.Subnets)
			a.State = spec.SpecState(a.State)
		}
		for j := range g.RouteTables {
			rt := &g.RouteTables[j]
			slices.Sort(rt.Associations)
			slices.Sort(rt.Propagations)
			if len(rt.Associations) == 0 {
				rt.Associations = nil
			}
			if len(rt.Propagations) == 0 {
				rt.Propagations = nil
			}
			for k := range rt.Routes {
				if p, err := netip.ParsePrefix(rt.Routes[k].Destination); err == nil {
					rt.Routes[k].Destination = p.Masked().String()
				}
			}
			sort.Slice(rt.Routes, func(a, b int) bool { return rt.Routes[a].Destination < rt.Routes[b].Destination })
		}
	}
	for i := range c.VPNConnections {
		v := &c.VPNConnections[i]
		v.State = spec.SpecState(v.State)
		if len(v.Tunnels) == 0 {
			v.Tunnels = []spec.TunnelSpec{{State: "up"}, {State: "up"}}
		}
		slices.Sort(v.StaticRoutes)
		if len(v.StaticRoutes) == 0 {
			v.StaticRoutes = nil
		}
	}
	for i := range c.VPCs {
		for j := range c.VPCs[i].RouteTables {
			rt := &c.VPCs[i].RouteTables[j]
			slices.Sort(rt.Propagations)
			if len(rt.Propagations) == 0 {
				rt.Propagations = nil
			}
		}
		for j := range c.VPCs[i].Endpoints {
			c.VPCs[i].Endpoints[j].State = spec.SpecState(c.VPCs[i].Endpoints[j].State)
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
