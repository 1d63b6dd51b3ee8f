package lab

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/tracer"
)

func broken(stage string, code tracer.Code, component string, http string) *tracer.Report {
	r := &tracer.Report{Verdict: tracer.Broken, BrokenAt: &tracer.Break{Stage: stage, Code: code, Component: component}}
	if http != "" {
		r.Stages = append(r.Stages, tracer.Stage{Name: tracer.StageHTTP, Summary: http})
	}
	return r
}

// TestObserved checks that the simulation's codes and the live probes'
// codes come to the same observation when a client would see the same.
func TestObserved(t *testing.T) {
	tests := []struct {
		name     string
		sim, lab *tracer.Report
		want     string
	}{
		{"NXDOMAIN", broken("dns", tracer.DNSNXDomain, "example.com", ""), broken("dns", tracer.DNSNXDomain, "198.51.100.53:53", ""), "NXDOMAIN"},
		{"a lame delegation is SERVFAIL to the client", broken("dns", tracer.DNSLameDelegation, "ns1", ""), broken("dns", tracer.DNSServFail, "198.51.100.53:53", ""), "SERVFAIL"},
		{"a silent delegation too", broken("dns", tracer.DNSTimeout, "ns1", ""), broken("dns", tracer.DNSServFail, "198.51.100.53:53", ""), "SERVFAIL"},
		{"a security group is a timeout", broken("tcp", tracer.SGNoIngressRule, "sg-app", ""), broken("tcp", tracer.TCPFiltered, "10.0.10.21", ""), "timeout"},
		{"a stopped service is refused", broken("tcp", tracer.ServiceDown, "db-1", ""), broken("tcp", tracer.PortClosed, "10.0.20.10", ""), "refused"},
		{"a REJECT is port unreachable", broken("tcp", tracer.HostFirewallReject, "db-1", ""), broken("tcp", tracer.ICMPPortUnreachable, "10.0.20.10", ""), "ICMP port unreachable"},
		{"a balancer's 504", broken("http", tracer.LBNoHealthyTargets, "web-lb", "HTTP/1.1 504 Gateway Time-out"), broken("http", tracer.HTTPStatus, "203.0.113.10", "HTTP/1.1 504 Gateway Timeout"), "HTTP 504"},
		{"a dangling alias is NXDOMAIN to the client", broken("dns", tracer.DNSNXDomain, "mesh.internal", ""), broken("dns", tracer.DNSDanglingCNAME, "10.20.0.2:53", ""), "NXDOMAIN"},
		{"a closed UDP port is port unreachable", broken("udp", tracer.ServiceDown, "app-2", ""), broken("udp", tracer.ICMPPortUnreachable, "10.0.11.21", ""), "ICMP port unreachable"},
		{"a certificate rejected for either reason", broken("tls", tracer.TLSNameMismatch, "web-lb", ""), broken("tls", tracer.TLSCertExpired, "203.0.113.10", ""), "certificate rejected"},
	}
	names := map[netip.Addr]string{netip.MustParseAddr("10.0.20.10"): "db-1"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, l := simSide(tt.sim), labSide(tt.lab, names)
			if s.Observed != tt.want || l.Observed != tt.want {
				t.Errorf("simulation observes %q, lab %q; want %q for both", s.Observed, l.Observed, tt.want)
			}
		})
	}
	// What differs must stay apart.
	if simSide(broken("tcp", tracer.PortClosed, "x", "")).Observed == labSide(broken("tcp", tracer.TCPTimeout, "x", ""), names).Observed {
		t.Error("a refusal and a timeout observe the same")
	}
	// A refusal lost on its way back (the simulation's stage says timeout)
	// is a timeout to the client, as the lab sees it.
	lost := broken("tcp", tracer.PortClosed, "office-pc", "")
	lost.Stages = append(lost.Stages, tracer.Stage{Name: tracer.StageTCP, Summary: "192.168.10.20:22 timeout"})
	if o := simSide(lost).Observed; o != "timeout" {
		t.Errorf("a refusal dropped on its way back observes %q; want timeout", o)
	}
	if l := labSide(broken("tcp", tracer.PortClosed, "10.0.20.10", ""), names); l.Component != "db-1" {
		t.Errorf("lab component %q; want the address named db-1", l.Component)
	}
}

func TestResultText(t *testing.T) {
	r := &Result{Lab: "shop", World: "shop", Total: 2, Agree: 1, Flows: []FlowResult{
		{From: "browser", Target: "https://shop.example.com/", Sim: Side{Verdict: "delivered"}, Lab: Side{Verdict: "delivered"}, Agree: true},
		{From: "app-1", Target: "tcp://db.internal.shop:5432", Sim: Side{Verdict: "broken", Stage: "tcp", Observed: "refused"}, Lab: Side{Verdict: "broken", Stage: "tcp", Observed: "timeout"}},
	}}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"1 of 2 flows agree", "DIFF  app-1", "simulation: tcp: refused", "lab:        tcp: timeout"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// TestResultJSON holds the JSON to the contract: flows with from,
// target, sim and lab (verdict, stage, component, code) and agree; agree
// and total counts.
func TestResultJSON(t *testing.T) {
	r := &Result{Total: 1, Flows: []FlowResult{{From: "app-1", Target: "tcp://db:5432",
		Sim: Side{Verdict: "broken", Stage: "tcp", Component: "sg-db", Code: "SG_NO_INGRESS_RULE", Observed: "timeout"},
		Lab: Side{Verdict: "broken", Stage: "tcp", Component: "db-1", Code: "TCP_FILTERED", Observed: "timeout"}, Agree: true}}, Agree: 1}
	var b strings.Builder
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Flows []struct {
			From, Target string
			Sim, Lab     map[string]any
			Agree        *bool
		}
		Agree, Total *int
	}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatal(err)
	}
	if got.Agree == nil || got.Total == nil || *got.Agree != 1 || *got.Total != 1 || len(got.Flows) != 1 {
		t.Fatalf("counts or flows missing: %s", b.String())
	}
	f := got.Flows[0]
	if f.From != "app-1" || f.Target != "tcp://db:5432" || f.Agree == nil || !*f.Agree {
		t.Errorf("flow = %+v", f)
	}
	for _, k := range []string{"verdict", "stage", "component", "code"} {
		if f.Sim[k] == nil || f.Lab[k] == nil {
			t.Errorf("sim or lab lacks %q: %s", k, b.String())
		}
	}
}
