package simnet

import (
	"path/filepath"
	"testing"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// TestApplianceSecurityGroups: traffic an instance forwards (source/dest
// check off, the target of a route) crosses that instance's network
// interface, so the interface's security groups filter it, inbound on the
// way in and outbound on the way out (VPC User Guide, "NAT instances":
// "the NAT instance's security group must allow inbound traffic from the
// private subnet ... and outbound traffic to the internet"; security
// groups are associated with network interfaces, "Security groups for
// your VPC"). Replies pass statefully.
func TestApplianceSecurityGroups(t *testing.T) {
	runCloudCases(t, []cloudCase{
		{name: "appliance-sg-blocks", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Broken,
			brokenAt: "tcp sg-bastion SG_NO_INGRESS_RULE", code: tracer.SGNoIngressRule, comp: "sg-bastion",
			detail: "no inbound rule of sg-bastion (on bastion) allows tcp 443 from 10.0.10.21 (app-1)"},
		{name: "srcdst-check-off", from: "app-1", target: "https://api.partner.example.net/", verdict: tracer.Delivered,
			code: tracer.SGAllow, comp: "sg-bastion", detail: ""},
	})

	// The hub's inspection appliance: the office's request passes sg-fw's
	// rules both ways, the reply passes statefully (security groups track
	// connections: "responses to allowed inbound traffic are allowed to
	// flow out, regardless of outbound rules").
	hub, err := LoadBuiltin("hub")
	if err != nil {
		t.Fatal(err)
	}
	r0 := trace(t, hub, "office-pc", "http://10.20.2.10:8080/")
	if r0.Verdict != tracer.Delivered {
		t.Fatalf("hub office-pc: %s; want delivered", brokenAt(r0))
	}
	allows, stateful := 0, 0
	for _, st := range r0.Stages {
		for _, h := range st.Hops {
			if h.Component == "sg-fw" && h.Code == tracer.SGAllow {
				allows++
			}
			if h.Component == "sg-fw" && h.Code == tracer.SGStateful && h.Direction == tracer.Return {
				stateful++
			}
		}
	}
	if allows < 2 || stateful < 1 {
		t.Errorf("hub: sg-fw allows %d times on the request (want in and out) and %d times statefully on the reply (want 1+)", allows, stateful)
	}

	// The inbound rule alone is not enough: the outbound rules of the
	// appliance's groups filter the packet as it leaves.
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "srcdst-check-off.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := w.Spec()
	for i := range s.VPCs[0].SecurityGroups {
		g := &s.VPCs[0].SecurityGroups[i]
		if g.Name == "sg-bastion" {
			g.Egress = g.Egress[:1] // ssh into the VPC only
		}
	}
	w2, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	r := trace(t, w2, "app-1", "https://api.partner.example.net/")
	if got := brokenAt(r); got != "tcp sg-bastion SG_NO_EGRESS_RULE" {
		t.Errorf("egress only for ssh: broken at %q; want tcp sg-bastion SG_NO_EGRESS_RULE", got)
	}

	// The fix the trace offers (an inbound rule on the appliance's group)
	// is a real edit that, with the egress rule, delivers.
	w3, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", "appliance-sg-blocks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r = trace(t, w3, "app-1", "https://api.partner.example.net/")
	fix := ""
	for _, st := range r.Stages {
		for _, h := range st.Hops {
			if h.Code == tracer.SGNoIngressRule {
				fix = h.Fix
			}
		}
	}
	e, err := spec.ParseEdit(fix)
	if err != nil {
		t.Fatalf("fix %q: %v", fix, err)
	}
	s = w3.Spec()
	if _, err := e.Apply(s); err != nil {
		t.Fatal(err)
	}
	w4, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if r := trace(t, w4, "app-1", "https://api.partner.example.net/"); r.Verdict != tracer.Delivered {
		t.Errorf("after %s: %s; want delivered", fix, brokenAt(r))
	}
}
