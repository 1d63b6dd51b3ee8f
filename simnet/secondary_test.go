package simnet

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestSecondaryAddressesAndReplySource: a secondary private address is
// the instance's address like its primary one (reached through the same
// filters from other hosts, over lo from the host itself), and a UDP
// server that answers from its primary address is silent at the secondary
// one (REPLY_FROM_UNEXPECTED_SOURCE), while one that answers from the
// address asked works at both.
func TestSecondaryAddressesAndReplySource(t *testing.T) {
	w, err := Load("../testdata/worlds/linux/dns-source.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, target string
		delivered    bool
		code         tracer.Code // broken_at when not delivered
		component    string
		overLo       bool // no security group, ACL or route table on the way
	}{
		{"client", "udp://10.0.10.31:53", false, tracer.ReplyFromUnexpectedSource, "ns-1", false},
		{"client", "udp://10.0.10.21:53", true, "", "", false},
		{"client", "udp://10.0.10.32:53", true, "", "", false}, // reply_from: asked
		{"client", "udp://10.0.10.22:53", true, "", "", false},
		{"client", "icmp://10.0.10.31", false, tracer.SGNoIngressRule, "sg-dns", false},
		{"ns-1", "icmp://10.0.10.31", true, "", "", true},
		{"client", "tcp://10.0.10.31:22", false, tracer.SGNoIngressRule, "sg-dns", false},      // the same group guards the secondary address
		{"ns-1", "udp://10.0.10.31:53", false, tracer.ReplyFromUnexpectedSource, "ns-1", true}, // over lo too: the local route's source is the primary address
		{"ns-2", "udp://10.0.10.32:53", true, "", "", true},
		{"ns-1", "udp://10.0.10.21:53", true, "", "", true},
		{"ns-2", "udp://10.0.10.31:53", false, tracer.ReplyFromUnexpectedSource, "ns-1", false},
	}
	for _, tc := range tests {
		t.Run(tc.from+"→"+tc.target, func(t *testing.T) {
			target, err := tracer.ParseTarget(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.Trace(context.Background(), tc.from, target)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered() != tc.delivered {
				t.Fatalf("delivered=%v; want %v (broken at %v)", r.Delivered(), tc.delivered, r.BrokenAt)
			}
			if !tc.delivered && (r.BrokenAt == nil || r.BrokenAt.Code != tc.code || r.BrokenAt.Component != tc.component) {
				t.Errorf("broken at %+v; want %s %s", r.BrokenAt, tc.component, tc.code)
			}
			lo := true
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					switch h.Kind {
					case tracer.KindSecurityGroup, tracer.KindNetworkACL, tracer.KindRouteTable:
						lo = false
					}
				}
			}
			if lo != tc.overLo {
				t.Errorf("over lo = %v; want %v", lo, tc.overLo)
			}
		})
	}
}

// TestHostDNS: a host's DNS service answers as a recursive resolver
// through the host's own resolver (the VPC resolver answers the private
// zone), or authoritatively for its zones, refusing other names.
func TestHostDNS(t *testing.T) {
	w, err := Load("../testdata/worlds/linux/dns-source.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		server, name string
		rcode        int
		answer       string // the first answer's data, "" for none
	}{
		{"10.0.10.21", "app.corp.internal", dns.RcodeSuccess, "10.0.10.50"},
		{"10.0.10.31", "app.corp.internal", dns.RcodeSuccess, "10.0.10.50"}, // the server answers; whether the client takes it is the packets' business
		{"10.0.10.21", "nothing.corp.internal", dns.RcodeNameError, ""},
		{"10.0.10.32", "app.corp.internal", dns.RcodeSuccess, "10.0.10.50"},
		{"10.0.10.22", "example.com", dns.RcodeRefused, ""},
	}
	for _, tc := range tests {
		t.Run(tc.server+" "+tc.name, func(t *testing.T) {
			q := new(dns.Msg)
			q.SetQuestion(dns.Fqdn(tc.name), dns.TypeA)
			m, err := w.HostDNS(context.Background(), netip.MustParseAddr(tc.server), q)
			if err != nil || m == nil {
				t.Fatalf("HostDNS = %v, %v; want an answer", m, err)
			}
			if m.Rcode != tc.rcode {
				t.Errorf("rcode %s; want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[tc.rcode])
			}
			got := ""
			if len(m.Answer) > 0 {
				if a, ok := m.Answer[0].(*dns.A); ok {
					got = a.A.String()
				}
			}
			if got != tc.answer {
				t.Errorf("answer %q; want %q\n%s", got, tc.answer, m)
			}
		})
	}
	q := new(dns.Msg)
	q.SetQuestion("app.corp.internal.", dns.TypeA)
	if m, _ := w.HostDNS(context.Background(), netip.MustParseAddr("10.0.10.40"), q); m != nil {
		t.Errorf("client runs no DNS server, but HostDNS answered:\n%s", m)
	}
	if got := w.Addrs("ns-1"); len(got) != 2 || got[0].String() != "10.0.10.21" || got[1].String() != "10.0.10.31" {
		t.Errorf("Addrs(ns-1) = %v; want [10.0.10.21 10.0.10.31]", got)
	}
}

// TestSecondaryBadWorld: secondary addresses outside the subnet, reserved,
// the primary again, listed twice or taken, and bad dns and reply_from
// keys are refused with their line.
func TestSecondaryBadWorld(t *testing.T) {
	path := filepath.Join(repoRoot, "testdata", "worlds", "bad", "secondary.yaml")
	_, err := Load(path)
	var e *spec.Error
	if !errors.As(err, &e) {
		t.Fatalf("Load = %v; want problems", err)
	}
	want := []struct {
		line int
		frag string
	}{
		{15, "10.0.11.5 is outside subnet app-a"},
		{15, "10.0.10.2 is reserved"},
		{15, "10.0.10.255 is reserved"},
		{15, "10.0.10.21 is web's primary private_ip"},
		{15, "10.0.10.30 is listed twice"},
		{15, `"nonsense" is not an IP address`},
		{17, "a DNS server is a udp service on port 53"},
		{17, "either recursive: true"},
		{17, `zone "corp.internal" is not a zone of this world`},
		{17, "reply_from applies to udp services"},
		{18, `reply_from "first"`},
		{21, "10.0.10.40 is already used by web"},
	}
	if len(e.Problems) != len(want) {
		t.Errorf("%d problems; want %d:\n%v", len(e.Problems), len(want), err)
	}
	for i, w := range want {
		if i >= len(e.Problems) {
			break
		}
		p := e.Problems[i]
		if p.Line != w.line || p.Col < 1 || !strings.Contains(p.Msg, w.frag) || !strings.HasPrefix(p.String(), path+":") {
			t.Errorf("problem %d = %s; want line %d: ...%s...", i, p, w.line, w.frag)
		}
	}
}
