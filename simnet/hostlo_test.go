package simnet

import (
	"context"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

// TestHostLinuxSemantics: traffic from a host to its own addresses goes
// over lo (no security group, ACL or route, which in this world let
// nothing through), the host firewall applies on lo in both chains, and a
// socket is reachable only at the address it is bound to.
func TestHostLinuxSemantics(t *testing.T) {
	w, err := Load("../testdata/worlds/linux/host-lo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		target    string
		delivered bool
		code      tracer.Code // broken_at when not delivered
	}{
		{"tcp://10.0.10.21:22", true, ""},   // own address: over lo, past a closed SG and ACL
		{"tcp://127.0.0.1:22", true, ""},    // 0.0.0.0 includes 127.0.0.1
		{"tcp://10.0.10.21:5432", true, ""}, // bound to the private address, asked there
		{"tcp://127.0.0.1:5432", false, tracer.PortClosed},
		{"tcp://10.0.10.21:6379", false, tracer.BoundToLoopback},
		{"tcp://127.0.0.1:6379", true, ""},
		{"tcp://127.0.0.1:9000", false, tracer.HostFirewallDrop},   // INPUT applies on lo
		{"tcp://10.0.10.21:9000", false, tracer.HostFirewallDrop},  // and at the own address
		{"tcp://127.0.0.1:9100", false, tracer.HostFirewallReject}, // OUTPUT applies on lo
		{"icmp://10.0.10.21", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			target, err := tracer.ParseTarget(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.Trace(context.Background(), "box", target)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delivered() != tc.delivered {
				t.Fatalf("Trace(%s) delivered=%v; want %v (broken at %v)", tc.target, r.Delivered(), tc.delivered, r.BrokenAt)
			}
			if !tc.delivered && (r.BrokenAt == nil || r.BrokenAt.Code != tc.code) {
				t.Errorf("Trace(%s) broken at %v; want %s", tc.target, r.BrokenAt, tc.code)
			}
			for _, s := range r.Stages {
				for _, h := range s.Hops {
					switch h.Kind {
					case tracer.KindSecurityGroup, tracer.KindNetworkACL, tracer.KindRouteTable:
						t.Errorf("Trace(%s) meets %s %s; traffic to the host's own address goes over lo", tc.target, h.Kind, h.Component)
					}
				}
			}
		})
	}
}
