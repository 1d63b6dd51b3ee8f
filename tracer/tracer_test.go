package tracer

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		want    string // String() of the result
		scheme  string
		host    string
		port    uint16
		path    string
		wantErr string
	}{
		{in: "https://shop.example.com/", want: "https://shop.example.com/", scheme: "https", host: "shop.example.com", port: 443, path: "/"},
		{in: "https://Shop.Example.com", want: "https://shop.example.com/", scheme: "https", host: "shop.example.com", port: 443, path: "/"},
		{in: "http://shop.example.com:8080/a?b=c", want: "http://shop.example.com:8080/a?b=c", scheme: "http", host: "shop.example.com", port: 8080, path: "/a?b=c"},
		{in: "tcp://10.0.0.1:5432", want: "tcp://10.0.0.1:5432", scheme: "tcp", host: "10.0.0.1", port: 5432},
		{in: "udp://ns1.example.com:53", want: "udp://ns1.example.com:53", scheme: "udp", host: "ns1.example.com", port: 53},
		{in: "db.internal.shop:5432", want: "tcp://db.internal.shop:5432", scheme: "tcp", host: "db.internal.shop", port: 5432},
		{in: "tcp://[2001:db8::1]:443", want: "tcp://[2001:db8::1]:443", scheme: "tcp", host: "2001:db8::1", port: 443},
		{in: "icmp://10.0.0.1", want: "icmp://10.0.0.1", scheme: "icmp", host: "10.0.0.1"},
		{in: "icmp://db.internal.shop/", want: "icmp://db.internal.shop", scheme: "icmp", host: "db.internal.shop"},
		{in: "icmp://h:7", wantErr: "icmp targets have no port"},
		{in: "", wantErr: "empty"},
		{in: "ftp://x/", wantErr: "unknown scheme"},
		{in: "tcp://host", wantErr: "need a port"},
		{in: "tcp://host:0", wantErr: "not a number from 1 to 65535"},
		{in: "tcp://host:99999", wantErr: "not a number from 1 to 65535"},
		{in: "https://bad_host!/", wantErr: "neither a DNS name nor an IP address"},
		{in: "shop", wantErr: "give a URL"},
		{in: "tcp://h:1/path", wantErr: "have no path"},
		// Issue 16: a bad address is refused, not looked up as a name, and
		// every message says more than "bad target".
		{in: "tcp://300.1.1.1:80", wantErr: `host "300.1.1.1" is not an IP address`},
		{in: "tcp://1.2.3.4.5:80", wantErr: "is not an IP address"},
		{in: "10.0.0.300:80", wantErr: "is not an IP address"},
		{in: "htps:/shop", wantErr: `bad target "htps:/shop": a URL has two slashes after its scheme: htps://HOST/`},
		{in: "shop:http", wantErr: `bad target "shop:http": port "http" is not a number from 1 to 65535`},
		{in: "https://sh op/", wantErr: `not a URL: invalid character " " in host name`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadTarget) {
					t.Fatalf("ParseTarget(%q) = %v, %v; want an ErrBadTarget containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.in, err)
			}
			if got.String() != tt.want || got.Scheme != tt.scheme || got.Host != tt.host || got.Port != tt.port || got.Path != tt.path {
				t.Errorf("ParseTarget(%q) = %+v (%s); want %s %s %d %q", tt.in, got, got, tt.scheme, tt.host, tt.port, tt.path)
			}
		})
	}
}

// fakeNet answers from fixed results, to test Diagnose without a world.
type fakeNet struct {
	answer *Answer
	conn   *Conn
	tls    *TLSResult
	http   *HTTPResponse
	calls  []string
}

func (f *fakeNet) Resolve(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	f.calls = append(f.calls, "resolve")
	return f.answer, nil
}
func (f *fakeNet) Dial(ctx context.Context, p Proto, a netip.AddrPort) (*Conn, error) {
	f.calls = append(f.calls, "dial "+a.String())
	c := *f.conn
	c.Addr = a
	return &c, nil
}
func (f *fakeNet) Handshake(ctx context.Context, c *Conn, sni string) (*TLSResult, error) {
	f.calls = append(f.calls, "tls "+sni)
	return f.tls, nil
}
func (f *fakeNet) Request(ctx context.Context, c *Conn, r *HTTPRequest) (*HTTPResponse, error) {
	f.calls = append(f.calls, "http "+r.Host+r.Path)
	return f.http, nil
}
func (f *fakeNet) Traceroute(ctx context.Context, p Proto, a netip.AddrPort, max int) (*Route, error) {
	return &Route{}, nil
}

var _ Network = (*fakeNet)(nil)

func TestDiagnose(t *testing.T) {
	addr := netip.MustParseAddr("192.0.2.10")
	okAnswer := &Answer{Name: "www.example.com.", Type: dns.TypeA, Addrs: []netip.Addr{addr}, Server: "resolver"}
	okTLS := &TLSResult{OK: true}
	ok200 := &HTTPResponse{Status: 200, StatusText: "OK", Proto: "HTTP/1.1"}
	tests := []struct {
		name      string
		target    string
		net       *fakeNet
		want      string // verdict or "stage component code"
		wantCalls string
		stages    string
	}{
		{"delivered", "https://www.example.com/", &fakeNet{answer: okAnswer, conn: &Conn{State: ConnOpen}, tls: okTLS, http: ok200},
			"delivered", "resolve,dial 192.0.2.10:443,tls www.example.com,http www.example.com/", "dns:ok tcp:ok tls:ok http:ok"},
		{"address target skips dns", "tcp://192.0.2.10:22", &fakeNet{conn: &Conn{State: ConnOpen}},
			"delivered", "dial 192.0.2.10:22", "tcp:ok"},
		{"nxdomain stops", "https://www.example.com/", &fakeNet{answer: &Answer{Name: "www.example.com.", Type: dns.TypeA, Rcode: dns.RcodeNameError, Msg: new(dns.Msg), Server: "resolver"}},
			"dns resolver DNS_NXDOMAIN", "resolve", "dns:broken tcp:not_reached tls:not_reached http:not_reached"},
		{"refused stops", "http://www.example.com/", &fakeNet{answer: okAnswer, conn: &Conn{State: ConnRefused}},
			"tcp 192.0.2.10 PORT_CLOSED", "resolve,dial 192.0.2.10:80", "dns:ok tcp:broken http:not_reached"},
		{"icmp names its sender", "tcp://192.0.2.10:25", &fakeNet{conn: &Conn{State: ConnUnreachable, ICMP: &ICMPError{Type: 3, Code: 13, Sender: netip.MustParseAddr("10.77.2.2")}}},
			"tcp 10.77.2.2 ICMP_ADMIN_PROHIBITED", "dial 192.0.2.10:25", "tcp:broken"},
		{"assumed connection goes on", "https://www.example.com/", &fakeNet{answer: okAnswer,
			conn: &Conn{State: ConnTimeout, Assumed: true, Hops: []Hop{{Component: "sg", Code: SGNoIngressRule, Blocks: true}}}, tls: okTLS, http: ok200},
			"tcp sg SG_NO_INGRESS_RULE", "resolve,dial 192.0.2.10:443,tls www.example.com,http www.example.com/", "dns:ok tcp:broken tls:ok http:ok"},
		{"http error status", "https://www.example.com/x", &fakeNet{answer: okAnswer, conn: &Conn{State: ConnOpen}, tls: okTLS, http: &HTTPResponse{Status: 503, StatusText: "Service Unavailable"}},
			"http 192.0.2.10 HTTP_STATUS", "resolve,dial 192.0.2.10:443,tls www.example.com,http www.example.com/x", "dns:ok tcp:ok tls:ok http:broken"},
		{"tls failure stops", "https://www.example.com/", &fakeNet{answer: okAnswer, conn: &Conn{State: ConnOpen}, tls: &TLSResult{}},
			"tls 192.0.2.10 TLS_HANDSHAKE_FAILED", "resolve,dial 192.0.2.10:443,tls www.example.com", "dns:ok tcp:ok tls:broken http:not_reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := ParseTarget(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Diagnose(context.Background(), tt.net, target, "me")
			if err != nil {
				t.Fatal(err)
			}
			got := r.Verdict
			if r.BrokenAt != nil {
				got = r.BrokenAt.Stage + " " + r.BrokenAt.Component + " " + string(r.BrokenAt.Code)
			}
			if got != tt.want {
				t.Errorf("Diagnose(%s) = %s; want %s", tt.target, got, tt.want)
			}
			if c := strings.Join(tt.net.calls, ","); c != tt.wantCalls {
				t.Errorf("calls = %s; want %s", c, tt.wantCalls)
			}
			var stages []string
			for _, s := range r.Stages {
				stages = append(stages, s.Name+":"+s.Verdict)
			}
			if s := strings.Join(stages, " "); s != tt.stages {
				t.Errorf("stages = %s; want %s", s, tt.stages)
			}
			if (r.ExitCode() == 0) != (tt.want == "delivered") {
				t.Errorf("ExitCode = %d for %s", r.ExitCode(), got)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	r := &Report{Target: "tcp://192.0.2.10:22", From: "me", Stages: []Stage{{Name: StageTCP, Hops: []Hop{
		{Component: "me", Kind: "client", Direction: Forward, Action: "send", Code: Sent, Detail: "SYN"},
		{Component: "sg-web", Kind: "security-group", Direction: Forward, Action: "deny", Code: SGNoIngressRule, Detail: "no rule", Blocks: true, Fix: "sg sg-web add ingress tcp 22 from 10.0.0.0/8"},
		{Component: "acl", Kind: "network-acl", Direction: Return, Action: "deny", Code: NACLEgressDenied, Detail: "implicit deny", Rule: "* deny all", Blocks: true},
	}}}}
	for i := range r.Stages {
		r.Stages[i] = finishStage(r.Stages[i])
	}
	r.Finish()
	var plain, color bytes.Buffer
	if err := r.WriteText(&plain, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	r.WriteText(&color, TextOptions{Color: true})
	out := plain.String()
	for _, want := range []string{"TCP  broken", "   1   → me", "   2 ✗ → sg-web", "fix: sg sg-web add ingress", "   3 ✗ ← acl", "rule: * deny all", "2 blockers, in path order:", "broken at sg-web: SG_NO_INGRESS_RULE\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("plain text has escape codes")
	}
	if !strings.Contains(color.String(), "\x1b[31m") {
		t.Error("coloured text has no red")
	}
}

func TestCodesExplained(t *testing.T) {
	for _, c := range Codes() {
		if c.Explain() == "" {
			t.Errorf("code %s has no explanation", c)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"https://shop.example.com/", "tcp://10.0.0.1:5432", "h:1", "udp://[::1]:53", "http://a:65536/", "://", "tcp://%zz:1", "tcp://300.1.1.1:80", "htps:/shop", "shop:http", "tcp://.:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			if !errors.Is(err, ErrBadTarget) {
				t.Fatalf("error %v is not ErrBadTarget", err)
			}
			return
		}
		if (tg.Port == 0 && tg.Scheme != "icmp") || tg.Host == "" {
			t.Fatalf("ParseTarget(%q) = %+v: no port or host", s, tg)
		}
		// What it prints, it parses back to the same.
		again, err := ParseTarget(tg.String())
		if err != nil || again.String() != tg.String() {
			t.Fatalf("round trip of %q: %q -> %v %v", s, tg.String(), again, err)
		}
	})
}

func TestWrap(t *testing.T) {
	tests := []struct {
		text, first, indent string
		width               int
		want                string
	}{
		{"one two three", "", "", 80, "one two three\n"},
		{"one two three four", "- ", "  ", 10, "- one two\n  three\n  four\n"},
		{"supercalifragilistic word", "", "  ", 8, "supercalifragilistic\n  word\n"},
		{"", "x", "", 10, ""},
		{"héllo wörld", "", "", 5, "héllo\nwörld\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		Wrap(&b, tt.text, tt.first, tt.indent, tt.width)
		if b.String() != tt.want {
			t.Errorf("Wrap(%q, %q, %q, %d) = %q; want %q", tt.text, tt.first, tt.indent, tt.width, b.String(), tt.want)
		}
	}
}
