package scenarios

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// faultCases place every fault kind on a path it breaks. want is the code
// the headline trace's broken_at shows (or, for faults a failing-open
// balancer hides, a code seen on the way); healthy names a balancer whose
// targets the fault makes unhealthy.
var faultCases = []struct {
	kind, world, from, request string
	params                     Params
	want                       tracer.Code
	healthy                    string
}{
	// issue 11
	// ELB listener rules: the lowest priority number that matches acts;
	// a fixed-response action answers from the balancer itself.
	{"lb-rule-shadowed", "hub", "browser", "https://example.com/api/orders", Params{"lb": "web-lb", "port": "443", "rule": "10"}, tracer.HTTPStatus, ""},
	{"lb-maintenance-left-in", "hub", "browser", "https://www.example.com/", Params{"lb": "web-lb", "port": "443", "priority": "1"}, tracer.LBFixedResponse, ""},
	{"nacl-ephemeral-partial", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"acl": "acl-data", "direction": "egress", "cidr": "10.0.10.0/23"}, tracer.NACLEphemeralPartial, ""},
	{"nat-instance-check-on", "shop", "app-1", "https://api.partner.example.net/", Params{"table": "rt-private", "host": "bastion"}, tracer.SrcDstCheck, ""},
	{"lb-cross-zone-off", "shop", "browser", "https://shop.example.com/", Params{"lb": "web-lb", "target": "app-1"}, tracer.LBZoneNoTargets, ""},
	{"lb-zone-disabled", "mesh", "orders-1", "tcp://payments.mesh.internal:9000", Params{"lb": "pay-nlb", "subnet": "lb-a", "target": "payments-2"}, tracer.LBZoneNoTargets, ""},
	{"lb-target-deregistered", "mesh", "orders-1", "tcp://payments.mesh.internal:9000", Params{"lb": "pay-nlb", "target": "payments-1"}, tracer.LBZoneNoTargets, ""},
	{"dns-alias-wrong-target", "mesh", "web-1", "https://api.mesh.internal/", Params{"zone": "mesh.internal", "name": "api", "target": "pay-nlb"}, tracer.LBNoListener, ""},
	{"nat-gateway-replaced", "shop", "app-1", "https://api.partner.example.net/", Params{"nat": "nat-a"}, tracer.RouteBlackhole, ""},
	{"dns-record-missing", "shop", "browser", "https://shop.example.com/", Params{"zone": "example.com", "name": "web-lb"}, tracer.DNSNXDomain, ""},
	{"dns-record-wrong", "shop", "browser", "https://shop.example.com/", Params{"zone": "example.com", "name": "web-lb"}, tracer.NoRoute, ""},
	{"dns-record-stale-cache", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"zone": "internal.shop", "name": "db"}, tracer.SGNoEgressRule, ""},
	{"dns-cname-loop", "shop", "browser", "https://shop.example.com/", Params{"zone": "example.com", "name": "shop"}, tracer.DNSCNAMELoop, ""},
	{"dns-cname-dangling", "mesh", "web-1", "https://api.mesh.internal/", Params{"zone": "mesh.internal", "name": "api"}, tracer.DNSNXDomain, ""},
	{"dns-private-shadow", "shop", "app-1", "https://api.partner.example.net/", Params{"zone": "example.net", "vpc": "prod", "name": "api.partner"}, tracer.DNSNXDomain, ""},
	{"dns-lame-delegation", "shop", "browser", "https://shop.example.com/", Params{"zone": "example.com"}, tracer.DNSLameDelegation, ""},
	{"dns-delegation-timeout", "mesh", "orders-1", "https://pkg.example.org/", Params{"zone": "example.org"}, tracer.DNSTimeout, ""},
	{"dns-private-unassociated", "peered", "app-1", "https://auth.corp.internal/", Params{"zone": "corp.internal", "vpc": "app"}, tracer.DNSNXDomain, ""},
	{"route-missing-default", "shop", "browser", "https://shop.example.com/", Params{"table": "rt-public"}, tracer.NoReturnRoute, ""},
	{"route-missing", "peered", "etl-1", "http://artifacts.corp.internal:8081/", Params{"table": "rt-shared", "destination": "10.2.0.0/16"}, tracer.NoReturnRoute, ""},
	{"route-blackhole", "peered", "app-1", "https://auth.corp.internal/", Params{"table": "rt-app", "destination": "10.100.0.0/16"}, tracer.RouteBlackhole, ""},
	// Transit gateways, VPN and endpoints (issue 11), on the hub world.
	{"tgw-route-missing", "hub", "app-1", "http://api.corp.internal:8080/", Params{"table": "tgw-rt-spokes", "destination": "0.0.0.0/0"}, tracer.TGWNoRoute, ""},
	{"tgw-route-blackhole", "hub", "app-1", "http://api.corp.internal:8080/", Params{"table": "tgw-rt-inspect", "destination": "10.20.0.0/16"}, tracer.TGWBlackhole, ""},
	{"tgw-propagation-missing", "hub", "office-pc", "http://10.10.10.10:8080/", Params{"table": "tgw-rt-inspect", "attachment": "att-app"}, tracer.RouteLoop, ""},
	{"tgw-attachment-zone-missing", "hub", "app-2", "http://api.corp.internal:8080/", Params{"attachment": "att-app", "subnet": "app-tgw-b"}, tracer.TGWZoneNotAttached, ""},
	{"tgw-appliance-mode-off", "hub", "app-1", "http://api.corp.internal:8080/", Params{"attachment": "att-inspect"}, tracer.TGWAsymmetricReturn, ""},
	{"tgw-association-wrong", "hub", "app-1", "http://api.corp.internal:8080/", Params{"attachment": "att-shared", "table": "tgw-rt-inspect"}, tracer.TGWAsymmetricReturn, ""},
	{"tgw-attachment-deleted", "hub", "office-pc", "http://10.20.2.10:8080/", Params{"attachment": "att-office"}, tracer.TGWBlackhole, ""},
	{"vpn-tunnels-down", "hub", "office-pc", "http://10.20.2.10:8080/", Params{"vpn": "vpn-office"}, tracer.VPNTunnelDown, ""},
	{"vpc-propagation-off", "hub", "api-1", "tcp://172.16.5.10:5432", Params{"table": "rt-shared", "gateway": "vgw-shared"}, tracer.NoRoute, ""},
	{"endpoint-private-dns-off", "hub", "api-1", "https://secretsmanager.us-east-1.amazonaws.com/", Params{"endpoint": "vpce-secrets"}, tracer.NoRoute, ""},
	{"prefix-list-route-missing", "hub", "api-1", "https://s3.us-east-1.amazonaws.com/", Params{"table": "rt-shared", "list": "pl-s3"}, tracer.NoRoute, ""},
	{"nat-route-missing", "shop", "app-1", "https://api.partner.example.net/", Params{"table": "rt-private"}, tracer.NoRoute, ""},
	{"nat-route-to-igw", "mesh", "orders-1", "https://pkg.example.org/", Params{"table": "rt-mesh"}, tracer.NoPublicAddress, ""},
	{"peering-deleted", "peered", "app-1", "https://auth.corp.internal/", Params{"peering": "pcx-app-shared"}, tracer.RouteBlackhole, ""},
	{"peering-pending", "peered", "etl-1", "http://artifacts.corp.internal:8081/", Params{"peering": "pcx-analytics-shared"}, tracer.RouteBlackhole, ""},
	{"peering-route-missing", "peered", "app-1", "https://auth.corp.internal/", Params{"table": "rt-shared", "destination": "10.1.0.0/16"}, tracer.NoReturnRoute, ""},
	{"sg-missing-ingress", "shop", "browser", "https://shop.example.com/", Params{"group": "sg-app", "port": "8080"}, tracer.LBNoHealthyTargets, "web-lb"},
	{"sg-missing-egress", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"group": "sg-app", "port": "5432"}, tracer.SGNoEgressRule, ""},
	{"sg-wrong-source", "mesh", "web-1", "https://api.mesh.internal/", Params{"group": "sg-orders", "port": "8080"}, tracer.LBNoHealthyTargets, "api-lb"},
	{"sg-wrong-cidr", "peered", "app-1", "https://auth.corp.internal/", Params{"group": "sg-auth-lb", "port": "443"}, tracer.SGNoIngressRule, ""},
	{"sg-wrong-port", "shop", "browser", "https://shop.example.com/", Params{"group": "sg-lb", "port": "443"}, tracer.SGNoIngressRule, ""},
	{"nacl-deny-first", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"acl": "acl-data", "port": "5432", "cidr": "10.0.10.0/24"}, tracer.NACLIngressDenied, ""},
	{"nacl-missing-ephemeral", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"acl": "acl-data", "direction": "egress"}, tracer.NACLEgressDenied, ""},
	{"nacl-ephemeral-narrow", "peered", "app-1", "https://auth.corp.internal/", Params{"acl": "acl-shared", "direction": "egress", "cidr": "10.1.0.0/16"}, tracer.NACLEphemeralPartial, ""},
	{"nacl-missing-allow", "mesh", "orders-1", "tcp://payments.mesh.internal:9000", Params{"acl": "acl-mesh", "port": "9000"}, tracer.NACLIngressDenied, ""},
	{"firewall-drop", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"host": "db-1", "port": "5432"}, tracer.HostFirewallDrop, ""},
	{"firewall-reject", "mesh", "orders-1", "tcp://payments.mesh.internal:9000", Params{"host": "payments-1,payments-2", "port": "9000"}, tracer.HostFirewallReject, ""},
	{"firewall-output-drop", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"host": "app-1", "port": "5432"}, tracer.HostFirewallDrop, ""},
	{"service-down", "shop", "app-1", "tcp://db.internal.shop:5432", Params{"host": "db-1", "port": "5432"}, tracer.ServiceDown, ""},
	{"service-loopback", "shop", "browser", "https://shop.example.com/", Params{"host": "app-1,app-2", "port": "8080"}, tracer.LBNoHealthyTargets, "web-lb"},
	{"service-wrong-port", "peered", "etl-1", "http://artifacts.corp.internal:8081/", Params{"host": "artifacts-1", "port": "8081"}, tracer.PortClosed, ""},
	{"lb-hc-wrong-path", "shop", "browser", "https://shop.example.com/", Params{"lb": "web-lb"}, tracer.LBUnhealthy, "web-lb"},
	{"lb-hc-wrong-port", "mesh", "web-1", "https://api.mesh.internal/", Params{"lb": "api-lb"}, tracer.LBUnhealthy, "api-lb"},
	{"lb-tg-port-mismatch", "shop", "browser", "https://shop.example.com/", Params{"lb": "web-lb"}, tracer.LBTargetTimeout, ""},
	{"lb-targets-empty", "peered", "app-1", "https://auth.corp.internal/", Params{"lb": "auth-lb"}, tracer.LBNoTargets, ""},
	{"lb-listener-missing", "shop", "browser", "https://shop.example.com/", Params{"lb": "web-lb", "port": "443"}, tracer.LBNoListener, ""},
	{"cert-expired", "shop", "browser", "https://shop.example.com/", Params{"cert": "shop-cert"}, tracer.TLSCertExpired, ""},
	{"cert-not-yet-valid", "mesh", "web-1", "https://api.mesh.internal/", Params{"cert": "api-cert"}, tracer.TLSCertNotYetValid, ""},
	{"cert-wrong-name", "peered", "app-1", "https://auth.corp.internal/", Params{"cert": "corp-cert"}, tracer.TLSNameMismatch, ""},
	{"listener-wrong-cert", "shop", "browser", "https://shop.example.com/", Params{"lb": "web-lb"}, tracer.TLSNameMismatch, ""},
}

func loadBuiltinSpec(t testing.TB, name string) *spec.WorldSpec {
	t.Helper()
	s, err := builtinSpec(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFaultsBreakAndFixesMend applies each fault kind where it breaks a
// request, checks the code the trace shows, then applies the kind's
// reference fix through the fix commands and checks the request (and the
// balancer's health) is whole again.
func TestFaultsBreakAndFixesMend(t *testing.T) {
	ctx := context.Background()
	covered := map[string]bool{}
	for _, tc := range faultCases {
		t.Run(tc.kind, func(t *testing.T) {
			covered[tc.kind] = true
			k := LookupKind(tc.kind)
			if k == nil {
				t.Fatalf("LookupKind(%q) = nil", tc.kind)
			}
			spec := loadBuiltinSpec(t, tc.world)
			a, err := k.Apply(spec, tc.params)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			w, err := simnet.Compile(spec)
			if err != nil {
				t.Fatalf("the broken world does not compile: %v", err)
			}
			target, _ := tracer.ParseTarget(tc.request)
			r, err := w.Trace(ctx, tc.from, target)
			if err != nil {
				t.Fatal(err)
			}
			got := tracer.Code("")
			if r.BrokenAt != nil {
				got = r.BrokenAt.Code
			} else if hasHop(r, tc.want) {
				got = tc.want
			}
			if got != tc.want {
				t.Errorf("after %s: trace shows %q (%s); want %s", a.Summary, got, Outcome(r), tc.want)
			}
			if tc.healthy != "" && allHealthy(t, w, tc.healthy) {
				t.Errorf("after %s: every target of %s is healthy; want some unhealthy", a.Summary, tc.healthy)
			}
			if len(a.Components) == 0 {
				t.Errorf("Applied.Components is empty")
			}
			fixed := spec
			for _, f := range a.Fix {
				var err error
				if fixed, _, err = ApplyFix(fixed, f); err != nil {
					t.Fatalf("reference fix %q: %v", f, err)
				}
			}
			fw, _ := simnet.Compile(fixed)
			r2, err := fw.Trace(ctx, tc.from, target)
			if err != nil {
				t.Fatal(err)
			}
			if !r2.Delivered() {
				t.Errorf("after the reference fix %q: %s; want delivered", a.Fix, Outcome(r2))
			}
			if tc.healthy != "" && !allHealthy(t, fw, tc.healthy) {
				t.Errorf("after the reference fix %q: %s still has unhealthy targets", a.Fix, tc.healthy)
			}
		})
	}
	for _, k := range Catalog() {
		if !covered[k.Name] {
			t.Errorf("fault kind %s has no case in faultCases", k.Name)
		}
	}
	if n := len(Catalog()); n < 30 {
		t.Errorf("the catalog has %d kinds; want at least 30", n)
	}
}

func hasHop(r *tracer.Report, c tracer.Code) bool {
	for _, s := range r.Stages {
		if slices.ContainsFunc(s.Hops, func(h tracer.Hop) bool { return h.Code == c }) {
			return true
		}
	}
	return false
}

func allHealthy(t *testing.T, w *simnet.World, lb string) bool {
	t.Helper()
	hs, err := w.TargetHealth(lb)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if !h.Healthy {
			return false
		}
	}
	return true
}

// TestFaultsUndo: a fault is its edits; applied to the broken world, its
// undo gives back a world that compiles and whose request is delivered,
// and every edit and undo reads back from its command line as itself.
func TestFaultsUndo(t *testing.T) {
	ctx := context.Background()
	for _, tc := range faultCases {
		t.Run(tc.kind, func(t *testing.T) {
			ws := loadBuiltinSpec(t, tc.world)
			a, err := LookupKind(tc.kind).Apply(ws, tc.params)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if len(a.Edits) == 0 || len(a.Undo) != len(a.Edits) || len(a.Fix) == 0 {
				t.Fatalf("%d edits, %d undos, %d fixes", len(a.Edits), len(a.Undo), len(a.Fix))
			}
			for _, e := range append(append([]spec.Edit{}, a.Edits...), a.Undo...) {
				back, err := spec.ParseEdit(e.String())
				if err != nil || !reflect.DeepEqual(back, e) {
					t.Errorf("%q reads back as %#v (%v)", e, back, err)
				}
			}
			_, w, err := ApplyFixes(ws, a.Undo)
			if err != nil {
				t.Fatalf("undo %q: %v", a.Undo, err)
			}
			target, _ := tracer.ParseTarget(tc.request)
			r, err := w.Trace(ctx, tc.from, target)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Delivered() {
				t.Errorf("after the undo %q: %s; want delivered", a.Undo, Outcome(r))
			}
		})
	}
}
