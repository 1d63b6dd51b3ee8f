package simnet

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

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
			if h.Component == comp && h.Code == code && strings.Contains(h.Detail, detail) {
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
	if _, err := (RouteEdit{Table: "rt-private", Op: "replace", Dest: mustPrefix("0.0.0.0/0"), Target: "nat-b"}).Apply(s); err == nil || !strings.Contains(err.Error(), `did you mean "nat-a"?`) {
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
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// builtinSpec is a fresh copy of a built-in world's spec.
func builtinSpec(t *testing.T, name string) *WorldSpec {
	t.Helper()
	w, err := LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return w.Spec()
}
