package simnet

import (
	"context"
	"net/netip"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

// TestDNSQueryIsAPacket: a query to any DNS server but the VPC resolver
// meets security groups, ACLs and routes like any packet.
func TestDNSQueryIsAPacket(t *testing.T) {
	w, err := Load("../testdata/worlds/linux/dns-egress.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, server string
		want         tracer.ConnState
		blocker      tracer.Code // the first blocker, when not open
	}{
		{"app-1", "10.0.0.2", tracer.ConnOpen, ""},                            // the VPC resolver: no filter applies
		{"app-1", "198.51.100.53", tracer.ConnTimeout, tracer.SGNoEgressRule}, // sg-app lets out tcp 5432 and 443 only
		{"app-1", "192.0.2.53", tracer.ConnTimeout, tracer.SGNoEgressRule},    // an authoritative server, the same
		{"app-1", "198.41.0.4", tracer.ConnTimeout, tracer.SGNoEgressRule},    // the root, for dig +trace
		{"resolver-host", "198.41.0.4", tracer.ConnTimeout, tracer.NoRoute},   // an isolated subnet: no path out
		{"dns-client", "198.41.0.4", tracer.ConnOpen, ""},                     // egress open, NAT route: it answers
		{"dns-client", "192.0.2.53", tracer.ConnOpen, ""},                     // and so do the zone's servers
		{"browser", "192.0.2.53", tracer.ConnOpen, ""},                        // from the internet
		{"browser", "203.0.113.99", tracer.ConnTimeout, tracer.NoRoute},       // an address nobody has
	}
	for _, tc := range tests {
		t.Run(tc.from+"/"+tc.server, func(t *testing.T) {
			n, err := w.From(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			c, err := n.DNSQuery(context.Background(), netip.MustParseAddr(tc.server))
			if err != nil {
				t.Fatal(err)
			}
			if c.State != tc.want {
				t.Fatalf("DNSQuery(%s) from %s: %s; want %s", tc.server, tc.from, c.State, tc.want)
			}
			if tc.blocker == "" {
				return
			}
			for _, h := range c.Hops {
				if h.Blocks {
					if h.Code != tc.blocker {
						t.Errorf("DNSQuery(%s) from %s: first blocker %s %s; want %s", tc.server, tc.from, h.Component, h.Code, tc.blocker)
					}
					return
				}
			}
			t.Errorf("DNSQuery(%s) from %s: no blocker recorded", tc.server, tc.from)
		})
	}
}
