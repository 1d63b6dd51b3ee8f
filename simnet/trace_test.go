package simnet

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

func brokenAt(r *tracer.Report) string {
	if r.BrokenAt == nil {
		return "delivered"
	}
	return r.BrokenAt.Stage + " " + r.BrokenAt.Component + " " + string(r.BrokenAt.Code)
}

// TestReferenceWorld checks the five traces the reference world's header
// promises.
func TestReferenceWorld(t *testing.T) {
	w, err := Load(sharedExample(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, target string
		want               string
		check              func(t *testing.T, r *tracer.Report)
	}{
		{"browser to shop", "browser", "https://shop.example.com/", "delivered", func(t *testing.T, r *tracer.Report) {
			if s := r.Stage(tracer.StageHTTP); s == nil || !strings.Contains(s.Summary, "200") {
				t.Errorf("http stage = %+v; want HTTP 200", s)
			}
			served := false
			for _, h := range r.Stage(tracer.StageHTTP).Hops {
				if h.Code == tracer.HTTPOK && (h.Component == "app-1" || h.Component == "app-2") {
					served = true
				}
			}
			if !served {
				t.Error("no hop shows app-1 or app-2 answering")
			}
		}},
		{"browser to postgres on the balancer", "browser", "tcp://203.0.113.10:5432", "tcp sg-lb SG_NO_INGRESS_RULE", func(t *testing.T, r *tracer.Report) {
			if !strings.Contains(r.BrokenAt.Detail, "5432") {
				t.Errorf("detail %q does not name tcp/5432", r.BrokenAt.Detail)
			}
		}},
		{"app to database", "app-1", "tcp://db.internal.shop:5432", "delivered", nil},
		{"app to partner through NAT", "app-1", "https://api.partner.example.net/", "delivered", func(t *testing.T, r *tracer.Report) {
			found := false
			for _, h := range r.Stage(tracer.StageTCP).Hops {
				if h.Component == "igw-prod" && h.Code == tracer.IGWTranslate && strings.Contains(h.Text(), "203.0.113.20") && h.Direction == tracer.Forward {
					found = true
				}
			}
			if !found {
				t.Error("no hop shows the request leaving with nat-a's address 203.0.113.20")
			}
		}},
		{"database to partner", "db-1", "https://api.partner.example.net/", "tcp sg-db SG_NO_EGRESS_RULE", func(t *testing.T, r *tracer.Report) {
			var codes []string
			for _, b := range r.Blockers {
				codes = append(codes, b.Component+" "+string(b.Code))
			}
			if len(codes) < 2 || codes[1] != "rt-isolated NO_ROUTE" {
				t.Errorf("blockers = %v; want sg-db then rt-isolated NO_ROUTE (no route out either)", codes)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := trace(t, w, tt.from, tt.target)
			if got := brokenAt(r); got != tt.want {
				t.Fatalf("trace from %s to %s = %s; want %s", tt.from, tt.target, got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestCodes checks that every code of the contract has a world under
// testdata/worlds/codes that produces it, with the hop that explains it.
func TestCodes(t *testing.T) {
	type hop struct {
		component string
		code      tracer.Code
		detail    string // a fragment the explaining hop's detail holds
	}
	tests := []struct {
		code       tracer.Code
		from       string
		target     string
		stage      string
		component  string
		explaining hop
	}{
		{tracer.DNSNXDomain, "", "https://shop.example.com/", "dns", "example.com", hop{"example.com", tracer.DNSNXDomain, "has no name shop.example.com."}},
		{tracer.DNSNoData, "", "https://shop.example.com/", "dns", "example.com", hop{"example.com", tracer.DNSNoData, "no A record"}},
		{tracer.DNSServFail, "", "https://shop.example.com/", "dns", "public-resolver", hop{"public-resolver", tracer.DNSServFail, "more than the 8"}},
		{tracer.DNSCNAMELoop, "", "https://shop.example.com/", "dns", "public-resolver", hop{"public-resolver", tracer.DNSCNAMELoop, "loops back"}},
		{tracer.DNSLameDelegation, "", "https://shop.example.com/", "dns", "ns9.example.net", hop{"ns9.example.net", tracer.DNSRefused, "does not serve example.com."}},
		{tracer.DNSTimeout, "", "https://shop.example.com/", "dns", "ns2.example.com", hop{"ns2.example.com", tracer.DNSTimeout, "192.0.2.99"}},
		{tracer.NoRoute, "app-1", "https://api.partner.example.net/", "tcp", "rt-private", hop{"rt-private", tracer.NoRoute, "no route in rt-private matches 192.0.2.80"}},
		{tracer.RouteBlackhole, "app-1", "https://api.partner.example.net/", "tcp", "rt-private", hop{"rt-private", tracer.RouteBlackhole, "blackhole"}},
		{tracer.NoReturnRoute, "", "tcp://203.0.113.30:8080", "tcp", "rt-private", hop{"rt-private", tracer.NoReturnRoute, "through NAT gateway nat-a"}},
		{tracer.NoPublicAddress, "app-1", "https://api.partner.example.net/", "tcp", "igw-prod", hop{"igw-prod", tracer.NoPublicAddress, "no public address"}},
		{tracer.RouteLoop, "app-1", "https://api.partner.example.net/", "tcp", "rt-private", hop{"rt-private", tracer.RouteLoop, "loop"}},
		{tracer.SGNoIngressRule, "", "https://shop.example.com/", "tcp", "sg-lb", hop{"sg-lb", tracer.SGNoIngressRule, "tcp 443 from 198.51.100.10"}},
		{tracer.SGNoEgressRule, "app-1", "tcp://db.internal.shop:5432", "tcp", "sg-app", hop{"sg-app", tracer.SGNoEgressRule, "tcp 5432 to 10.0.20.10 (db-1)"}},
		{tracer.NACLIngressDenied, "", "https://shop.example.com/", "tcp", "acl-open", hop{"acl-open", tracer.NACLIngressDenied, "ingress rule 50 denies the request"}},
		{tracer.NACLEgressDenied, "app-1", "tcp://db.internal.shop:5432", "tcp", "acl-data", hop{"acl-data", tracer.NACLEgressDenied, "replies to ports 32768-60999"}},
		{tracer.HostFirewallDrop, "app-1", "tcp://db.internal.shop:5432", "tcp", "db-1", hop{"db-1", tracer.HostFirewallDrop, "INPUT rule 2 drops"}},
		{tracer.HostFirewallReject, "app-1", "tcp://db.internal.shop:5432", "tcp", "db-1", hop{"db-1", tracer.HostFirewallReject, "ICMP port unreachable"}},
		{tracer.PortClosed, "", "tcp://api.partner.example.net:22", "tcp", "partner-api", hop{"partner-api", tracer.PortClosed, "listens on tcp port 22"}},
		{tracer.ServiceDown, "", "https://api.partner.example.net/", "tcp", "partner-api", hop{"partner-api", tracer.ServiceDown, "not running"}},
		{tracer.BoundToLoopback, "", "https://api.partner.example.net/", "tcp", "partner-api", hop{"partner-api", tracer.BoundToLoopback, "127.0.0.1:443 only"}},
		{tracer.LBNoListener, "", "https://shop.example.com/", "tcp", "web-lb", hop{"web-lb", tracer.LBNoListener, "no listener on port 443"}},
		{tracer.LBNoTargets, "", "https://shop.example.com/", "http", "web-lb", hop{"web-lb", tracer.LBNoTargets, "503"}},
		{tracer.LBNoHealthyTargets, "", "https://shop.example.com/", "http", "web-lb", hop{"sg-app", tracer.SGNoIngressRule, "tcp 8080 from 10.0.1.10 (web-lb)"}},
		{tracer.LBTargetTimeout, "", "https://shop.example.com/", "http", "web-lb", hop{"sg-app", tracer.SGNoIngressRule, "tcp 8080"}},
		{tracer.LBTargetRefused, "", "https://shop.example.com/", "http", "web-lb", hop{"app-1", tracer.ServiceDown, "shop-api"}},
		{tracer.TLSNameMismatch, "", "https://shop.example.com/", "tls", "web-lb", hop{"web-lb", tracer.TLSNameMismatch, "covers www.example.com, not shop.example.com"}},
		{tracer.TLSCertExpired, "", "https://shop.example.com/", "tls", "web-lb", hop{"web-lb", tracer.TLSCertExpired, "expired at 2026-06-01"}},
		{tracer.TLSCertNotYetValid, "", "https://shop.example.com/", "tls", "web-lb", hop{"web-lb", tracer.TLSCertNotYetValid, "valid from 2026-01-01"}},
		{tracer.TLSNoCertificate, "", "https://api.partner.example.net/", "tls", "partner-api", hop{"partner-api", tracer.TLSNoCertificate, "does not speak TLS"}},
		{tracer.HTTPStatus, "", "https://shop.example.com/checkout", "http", "app-1", hop{"app-1", tracer.HTTPStatus, "404"}},
		{tracer.MTUBlackhole, "web-1", "http://10.2.1.10:8080/", "http", "pcx-front-back", hop{"pcx-front-back", tracer.MTUBlackhole, "MTU 1400"}},
		// Transit gateways, VPN and endpoints (issue 11): worlds made from
		// the built-in hub world with one edit each (see their headers).
		{tracer.TGWNoRoute, "app-1", "http://api.corp.internal:8080/", "tcp", "tgw-rt-spokes", hop{"tgw-rt-spokes", tracer.TGWNoRoute, "associated with att-app"}},
		{tracer.TGWBlackhole, "app-1", "http://api.corp.internal:8080/", "tcp", "tgw-rt-inspect", hop{"tgw-rt-inspect", tracer.TGWBlackhole, "a blackhole route"}},
		{tracer.TGWZoneNotAttached, "app-2", "http://api.corp.internal:8080/", "tcp", "att-app", hop{"att-app", tracer.TGWZoneNotAttached, `zone "b"`}},
		{tracer.TGWAsymmetricReturn, "app-1", "http://api.corp.internal:8080/", "tcp", "att-inspect", hop{"att-inspect", tracer.TGWAsymmetricReturn, "reaches fw-2"}},
		{tracer.VPNTunnelDown, "office-pc", "http://10.20.2.10:8080/", "tcp", "vpn-office", hop{"vpn-office", tracer.VPNTunnelDown, "both tunnels are down"}},
		{tracer.EndpointUnavailable, "api-1", "tcp://10.20.2.50:443", "tcp", "vpce-secrets", hop{"vpce-secrets", tracer.EndpointUnavailable, "pending"}},
		// Linux host semantics (issue 10): an answer from the wrong address.
		{tracer.ReplyFromUnexpectedSource, "dns-client", "udp://10.0.10.31:53", "udp", "resolver-1", hop{"resolver-1", tracer.ReplyFromUnexpectedSource, "leaves from 10.0.10.25"}},
	}
	covered := map[tracer.Code]bool{}
	for _, tt := range tests {
		covered[tt.code] = true
		t.Run(string(tt.code), func(t *testing.T) {
			w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", string(tt.code)+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			r := trace(t, w, tt.from, tt.target)
			if r.Verdict != tracer.Broken {
				t.Fatalf("verdict = %s; want broken", r.Verdict)
			}
			want := tt.stage + " " + tt.component + " " + string(tt.code)
			if got := brokenAt(r); got != want {
				t.Fatalf("broken_at = %s; want %s", got, want)
			}
			// root_cause: behind a balancer that relays its targets'
			// failure, the backend leg's blocker; otherwise broken_at.
			wantRoot := *r.BrokenAt
			if tt.code.Info().Relays {
				wantRoot.Component, wantRoot.Code = tt.explaining.component, tt.explaining.code
			}
			if rc := r.RootCause; rc == nil || rc.Component != wantRoot.Component || rc.Code != wantRoot.Code {
				t.Errorf("root_cause = %+v; want %s %s", rc, wantRoot.Component, wantRoot.Code)
			}
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					if h.Component == tt.explaining.component && h.Code == tt.explaining.code && strings.Contains(h.Text(), tt.explaining.detail) {
						return
					}
				}
			}
			var buf bytes.Buffer
			r.WriteText(&buf, tracer.TextOptions{})
			t.Errorf("no hop %s %s with detail containing %q in:\n%s", tt.explaining.component, tt.explaining.code, tt.explaining.detail, buf.String())
		})
	}
	for _, c := range tracer.Codes() {
		if !covered[c] {
			t.Errorf("code %s has no world under testdata/worlds/codes", c)
		}
	}
}

// TestGolden keeps the text reports of the built-in world and of broken
// variants under testdata/golden; go test ./simnet -update rewrites them.
func TestGolden(t *testing.T) {
	tests := []struct {
		name, world, from, target string
	}{
		{"builtin-headline", "", "", ""},
		{"builtin-app-to-db", "", "app-1", "tcp://db.internal.shop:5432"},
		{"sg-lb-no-https", "SG_NO_INGRESS_RULE", "", "https://shop.example.com/"},
		{"app-sg-admits-nothing", "LB_NO_HEALTHY_TARGETS", "", "https://shop.example.com/"},
		{"acl-no-ephemeral", "NACL_EGRESS_DENIED", "app-1", "tcp://db.internal.shop:5432"},
		{"cert-expired", "TLS_CERT_EXPIRED", "", "https://shop.example.com/"},
		{"nxdomain", "DNS_NXDOMAIN", "", "https://shop.example.com/"},
		{"tgw-asymmetric-return", "TGW_ASYMMETRIC_RETURN", "app-1", "http://api.corp.internal:8080/"},
		{"vpn-tunnel-down", "VPN_TUNNEL_DOWN", "office-pc", "http://10.20.2.10:8080/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w *World
			var err error
			if tt.world == "" {
				w, err = LoadBuiltin(DefaultWorld)
			} else {
				w, err = Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", tt.world+".yaml"))
			}
			if err != nil {
				t.Fatal(err)
			}
			target := tt.target
			if target == "" {
				target = w.Headline()
			}
			r := trace(t, w, tt.from, target)
			var buf bytes.Buffer
			if err := r.WriteText(&buf, tracer.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(repoRoot, "testdata", "golden", "trace", tt.name+".txt"), buf.Bytes())
		})
	}
}

func BenchmarkTraceURL(b *testing.B) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	target := mustTarget(b, "https://shop.example.com/")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := w.Trace(ctx, "browser", target)
		if err != nil || !r.Delivered() {
			b.Fatalf("trace: %v %v", err, r.Verdict)
		}
	}
}

func BenchmarkTraceFlow(b *testing.B) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		b.Fatal(err)
	}
	n, err := w.From("app-1")
	if err != nil {
		b.Fatal(err)
	}
	dst := mustTarget(b, "tcp://10.0.20.10:5432")
	addr, _ := dst.HostAddr()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, err := n.Dial(ctx, tracer.TCP, netipAddrPort(addr, 5432))
		if err != nil || c.State != tracer.ConnOpen {
			b.Fatalf("dial: %v %v", err, c.State)
		}
	}
}

// TestBuiltinWorld checks what the built-in world's header promises.
func TestBuiltinWorld(t *testing.T) {
	w, err := LoadBuiltin(DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	if h := w.Headline(); h != "https://shop.example.com/" {
		t.Errorf("Headline() = %q", h)
	}
	tests := []struct{ from, target, want string }{
		{"", "https://shop.example.com/", "delivered"},
		{"", "tcp://203.0.113.10:5432", "tcp sg-lb SG_NO_INGRESS_RULE"},
		{"app-1", "tcp://db.internal.shop:5432", "delivered"},
		{"app-1", "https://api.partner.example.net/", "delivered"},
		{"db-1", "https://api.partner.example.net/", "tcp sg-db SG_NO_EGRESS_RULE"},
		{"office", "tcp://bastion.shop.example.com:22", "delivered"},
		{"browser", "tcp://bastion.shop.example.com:22", "tcp sg-bastion SG_NO_INGRESS_RULE"},
		{"bastion", "tcp://10.0.10.21:22", "delivered"},
		{"app-1", "http://127.0.0.1:9100/metrics", "delivered"},
		{"app-1", "http://localhost:9100/metrics", "delivered"},
		{"browser", "http://localhost:9100/", "tcp browser PORT_CLOSED"},
		{"bastion", "tcp://10.0.10.21:9100", "tcp sg-bastion SG_NO_EGRESS_RULE"},
		{"browser", "https://shop.example.com/cart", "delivered"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"→"+tt.target, func(t *testing.T) {
			if got := brokenAt(trace(t, w, tt.from, tt.target)); got != tt.want {
				t.Errorf("trace = %s; want %s", got, tt.want)
			}
		})
	}
}

// TestNetworkLoadBalancer checks pass-through (tcp) and TLS-ending (tls)
// listeners, and that targets see the client's own address.
func TestNetworkLoadBalancer(t *testing.T) {
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "nlb.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The same world where sg-app admits only the balancer's subnet, as it
	// would behind an application balancer.
	spec := w.Spec()
	for i, g := range spec.VPCs[0].SecurityGroups {
		if g.Name == "sg-app" {
			spec.VPCs[0].SecurityGroups[i].Ingress[2].Source = "10.0.1.0/24"
		}
	}
	narrow, err := Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		w      *World
		target string
		want   string
	}{
		{"tcp pass-through", w, "tcp://api.shop.example.com:5000", "delivered"},
		{"tls listener", w, "https://api.shop.example.com/", "delivered"},
		{"no listener", w, "tcp://api.shop.example.com:6000", "tcp api-nlb LB_NO_LISTENER"},
		{"tcp target sees the client", narrow, "tcp://api.shop.example.com:5000", "tcp sg-app SG_NO_INGRESS_RULE"},
		{"tls target sees the client", narrow, "https://api.shop.example.com/", "http sg-app SG_NO_INGRESS_RULE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := trace(t, tt.w, "browser", tt.target)
			if got := brokenAt(r); got != tt.want {
				t.Fatalf("trace = %s; want %s", got, tt.want)
			}
			if r.Delivered() {
				return
			}
			if !strings.Contains(r.BrokenAt.Detail, "198.51.100.10") && tt.want != "tcp api-nlb LB_NO_LISTENER" {
				t.Errorf("detail %q does not show the client's own address reaching the target", r.BrokenAt.Detail)
			}
		})
	}
}
