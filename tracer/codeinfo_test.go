package tracer

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCodeInfo holds the table to the contract (WORLD-FORMAT.md): every
// code that stops a request says what it means, which kind of component
// decides it, and what the client sees.
func TestCodeInfo(t *testing.T) {
	group := map[Code]string{}
	for _, row := range []struct {
		group string
		codes []Code
	}{
		{GroupDNS, []Code{DNSNXDomain, DNSNoData, DNSServFail, DNSCNAMELoop, DNSLameDelegation, DNSTimeout}},
		{GroupRouting, []Code{NoRoute, RouteBlackhole, NoReturnRoute, NoPublicAddress, RouteLoop}},
		{GroupFilters, []Code{SGNoIngressRule, SGNoEgressRule, NACLIngressDenied, NACLEgressDenied, HostFirewallDrop, HostFirewallReject}},
		{GroupSockets, []Code{PortClosed, ServiceDown, BoundToLoopback}},
		{GroupBalancer, []Code{LBNoListener, LBNoTargets, LBNoHealthyTargets, LBTargetTimeout, LBTargetRefused}},
		{GroupTLS, []Code{TLSNameMismatch, TLSCertExpired, TLSCertNotYetValid, TLSNoCertificate}},
		{GroupHTTP, []Code{HTTPStatus}},
		{GroupMTU, []Code{MTUBlackhole}},
		// Issue 11: a transit gateway, a VPN connection and an endpoint
		// drop what they cannot route, as route tables do.
		{GroupRouting, []Code{TGWNoRoute, TGWBlackhole, TGWZoneNotAttached, TGWAsymmetricReturn, VPNTunnelDown, EndpointUnavailable}},
	} {
		for _, c := range row.codes {
			group[c] = row.group
		}
	}
	for _, c := range Codes() {
		i := c.Info()
		if i.Group != group[c] {
			t.Errorf("%s: group %q; want %q", c, i.Group, group[c])
		}
		if !i.Blocks || i.Meaning == "" || i.Kind == "" || i.Action == "" || i.Topic == "" || i.Observe.Line == "" {
			t.Errorf("%s: incomplete info %+v", c, i)
		}
	}
	for c, i := range codeInfo() {
		if !i.Blocks && (i.Relays || i.Silent) {
			t.Errorf("%s lets the request through but is marked relays=%v silent=%v", c, i.Relays, i.Silent)
		}
	}
	// The decisions that used to drift between views.
	tests := []struct {
		code   Code
		conn   ConnState
		icmp   [2]int
		silent bool
	}{
		{SGNoIngressRule, ConnTimeout, [2]int{}, true},
		{NACLEgressDenied, ConnTimeout, [2]int{}, true},
		{HostFirewallDrop, ConnTimeout, [2]int{}, true},
		// iptables -j REJECT answers with ICMP port unreachable; connect()
		// turns that into ECONNREFUSED, but the packets show an ICMP error.
		{HostFirewallReject, ConnUnreachable, [2]int{3, 3}, false},
		{PortClosed, ConnRefused, [2]int{}, false},
		{BoundToLoopback, ConnRefused, [2]int{}, false},
		{ICMPAdminProhibited, ConnUnreachable, [2]int{3, 13}, false},
	}
	for _, tt := range tests {
		o := tt.code.Info().Observe
		if o.Conn != tt.conn || [2]int{o.ICMPType, o.ICMPCode} != tt.icmp || tt.code.Info().Silent != tt.silent {
			t.Errorf("%s observed as %v icmp %d/%d silent %v; want %v icmp %v silent %v", tt.code, o.Conn, o.ICMPType, o.ICMPCode, tt.code.Info().Silent, tt.conn, tt.icmp, tt.silent)
		}
	}
	if got := Code("NO_SUCH_CODE").Info(); got.Meaning != "" || got.Blocks {
		t.Errorf("unknown code info = %+v; want zero", got)
	}
}

func TestRootCause(t *testing.T) {
	hop := func(comp string, code Code) Hop { return Hop{Component: comp, Code: code, Blocks: true} }
	tests := []struct {
		name          string
		hops          []Hop
		broken, cause string
	}{
		{"delivered", []Hop{{Component: "x", Code: SGAllow}}, "", ""},
		{"one block", []Hop{hop("sg-lb", SGNoIngressRule)}, "sg-lb", "sg-lb"},
		{"balancer relays its backend", []Hop{hop("web-lb", LBTargetTimeout), hop("sg-app", SGNoIngressRule)}, "web-lb", "sg-app"},
		{"backend blocker first", []Hop{hop("sg-app", SGNoIngressRule), hop("web-lb", LBTargetTimeout)}, "sg-app", "sg-app"},
		{"no targets is its own cause", []Hop{hop("tg-app", LBNoTargets)}, "tg-app", "tg-app"},
		{"only a relay", []Hop{hop("web-lb", LBTargetRefused)}, "web-lb", "web-lb"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			r := &Report{Stages: []Stage{{Name: StageHTTP, Hops: tt.hops}}}
			r.Finish()
			name := func(b *Break) string {
				if b == nil {
					return ""
				}
				return b.Component
			}
			if name(r.BrokenAt) != tt.broken || name(r.RootCause) != tt.cause {
				t.Errorf("broken_at %q root_cause %q; want %q %q", name(r.BrokenAt), name(r.RootCause), tt.broken, tt.cause)
			}
			b, _ := json.Marshal(r)
			if !strings.Contains(string(b), `"root_cause":`) {
				t.Errorf("JSON lacks root_cause: %s", b)
			}
		})
	}
}

func TestReportRequestRoundTrip(t *testing.T) {
	target, err := ParseTarget("https://shop.example.com/cart")
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{Target: target.String(), Request: target}
	r.Finish()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Request != target {
		t.Errorf("request after a JSON round trip = %+v; want %+v", back.Request, target)
	}
}
