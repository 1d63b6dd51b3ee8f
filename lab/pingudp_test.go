package lab_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestVerifyPingAndUDP holds the simulation's ICMP and UDP flows against
// the kernel: pings (hosts answer where security groups and ACLs allow
// ICMP both ways, balancers never), and a UDP service on app-1 that sg-app
// admits from the bastion only, with the same service stopped on app-2
// (ICMP port unreachable).
func TestVerifyPingAndUDP(t *testing.T) {
	skip(t)
	w0, err := simnet.LoadBuiltin("shop")
	if err != nil {
		t.Fatal(err)
	}
	ws := w0.Spec()
	stopped := false
	for vi := range ws.VPCs {
		v := &ws.VPCs[vi]
		for ii := range v.Instances {
			in := &v.Instances[ii]
			switch in.Name {
			case "app-1":
				in.Services = append(in.Services, spec.ServiceSpec{Name: "statsd", Protocol: "udp", Port: 8125})
			case "app-2":
				in.Services = append(in.Services, spec.ServiceSpec{Name: "statsd", Protocol: "udp", Port: 8125, Running: &stopped})
			}
		}
		for gi := range v.SecurityGroups {
			g := &v.SecurityGroups[gi]
			switch g.Name {
			case "sg-app":
				g.Ingress = append(g.Ingress, spec.SGRuleSpec{Protocol: "udp", Ports: spec.Ports{Text: "8125"}, Source: "sg-bastion"})
			case "sg-bastion":
				g.Egress = append(g.Egress, spec.SGRuleSpec{Protocol: "udp", Ports: spec.Ports{Text: "8125"}, Destination: "10.0.0.0/16"})
			}
		}
	}
	w, err := simnet.Compile(ws)
	if err != nil {
		t.Fatal(err)
	}
	name := testLab("pingudp")
	lab.Down(name)
	st, err := lab.Up(context.Background(), ws, name, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Down(name)
	extra := [][2]string{
		{"browser", "icmp://api.partner.example.net"}, {"bastion", "icmp://10.0.10.21"}, {"browser", "icmp://203.0.113.10"},
		{"app-1", "icmp://127.0.0.1"}, {"office", "icmp://bastion.shop.example.com"}, {"app-1", "icmp://10.0.20.10"},
		{"bastion", "udp://10.0.10.21:8125"}, {"bastion", "udp://10.0.11.21:8125"}, {"app-2", "udp://10.0.10.21:8125"},
	}
	r, err := lab.Verify(context.Background(), st, w, lab.VerifyOptions{Extra: extra, Parallel: 16, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	icmp, udp := 0, 0
	for _, f := range r.Flows {
		switch {
		case strings.HasPrefix(f.Target, "icmp://"):
			icmp++
		case strings.HasPrefix(f.Target, "udp://"):
			udp++
		default:
			continue
		}
		if !f.Agree {
			t.Errorf("%s → %s: simulation %s %s %s (%s %s), lab %s %s %s (%s)", f.From, f.Target, f.Sim.Verdict, f.Sim.Stage, f.Sim.Observed,
				f.Sim.Component, f.Sim.Code, f.Lab.Verdict, f.Lab.Stage, f.Lab.Observed, f.Lab.Detail)
		} else {
			t.Logf("ok %s → %s: %s", f.From, f.Target, f.Sim.Short())
		}
	}
	if icmp < 6 || udp < 3 {
		t.Errorf("compared %d icmp and %d udp flows; want at least 6 and 3", icmp, udp)
	}
	t.Logf("FIGURE %d icmp and %d udp flows compared; %d of %d flows agree in all", icmp, udp, r.Agree, r.Total)
}
