package debrief

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

func traceWorld(t *testing.T, code, from, target string) *tracer.Report {
	t.Helper()
	w, err := simnet.Load(filepath.Join("..", "..", "testdata", "worlds", "codes", code+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tracer.ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Trace(context.Background(), from, tg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestInvestigation checks the derived investigation for faults of every
// stage: the first observation, the inspection of the component at fault,
// and the fix.
func TestInvestigation(t *testing.T) {
	tests := []struct {
		code, from, target string
		want               []string // commands, in order, each a prefix
	}{
		{"DNS_NXDOMAIN", "", "https://shop.example.com/", []string{"dig shop.example.com", "show zone example.com", "dns example.com set shop A VALUE"}},
		{"DNS_LAME_DELEGATION", "", "https://shop.example.com/", []string{"dig shop.example.com", "dig shop.example.com +trace", "show zone example.com"}},
		{"SG_NO_INGRESS_RULE", "", "https://shop.example.com/", []string{"curl -v https://shop.example.com/", "nc -zv shop.example.com 443", "show sg sg-lb", "sg sg-lb add ingress tcp 443 from 0.0.0.0/0"}},
		{"NACL_EGRESS_DENIED", "app-1", "tcp://db.internal.shop:5432", []string{"nc -zv db.internal.shop 5432", "tcpdump at db-1", "show nacl acl-data", "add an egress rule to acl-data"}},
		{"HOST_FIREWALL_DROP", "app-1", "tcp://db.internal.shop:5432", []string{"nc -zv db.internal.shop 5432", "ssh db-1", "iptables -L", "firewall db-1 remove 2"}},
		{"SERVICE_DOWN", "", "https://api.partner.example.net/", []string{"curl -v https://api.partner.example.net/", "nc -zv api.partner.example.net 443", "ssh partner-api", "ss -ltn", "service partner-api partner-https start"}},
		{"LB_NO_HEALTHY_TARGETS", "", "https://shop.example.com/", []string{"curl -v https://shop.example.com/", "show target-health web-lb", "show sg sg-app", "sg sg-app add ingress tcp 8080 from sg-lb"}},
		{"TLS_CERT_EXPIRED", "", "https://shop.example.com/", []string{"curl -v https://shop.example.com/", "show cert shop-cert", "show lb web-lb", "renew shop-cert"}},
		{"NO_PUBLIC_ADDRESS", "app-1", "https://api.partner.example.net/", []string{"curl -v", "nc -zv", "show route-table rt-private", "give app-1 a public_ip"}},
		{"HTTP_STATUS", "", "https://shop.example.com/checkout", []string{"curl -v https://shop.example.com/checkout", "ssh app-1", "curl -v localhost:8080/checkout"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			r := traceWorld(t, tt.code, tt.from, tt.target)
			steps := Investigation(r, nil)
			var got []string
			for _, s := range steps {
				got = append(got, s.Command)
				if s.Why == "" || (s.Kind != "observe" && s.Kind != "inspect" && s.Kind != "fix") {
					t.Errorf("step %+v lacks a reason or a kind", s)
				}
			}
			i := 0
			for _, c := range got {
				if i < len(tt.want) && strings.HasPrefix(c, tt.want[i]) {
					i++
				}
			}
			if i != len(tt.want) {
				t.Errorf("investigation = %q; want, in order, commands starting %q", got, tt.want)
			}
			if steps[0].Kind != "observe" || steps[len(steps)-1].Kind != "fix" {
				t.Errorf("investigation should start observing and end fixing: %q", got)
			}
		})
	}
}

func TestInvestigationUsesReferenceFix(t *testing.T) {
	r := traceWorld(t, "SG_NO_INGRESS_RULE", "", "https://shop.example.com/")
	fix, err := spec.ParseEdit("sg sg-lb add ingress tcp 443 from 0.0.0.0/0")
	if err != nil {
		t.Fatal(err)
	}
	steps := Investigation(r, []spec.Edit{fix})
	last := steps[len(steps)-1]
	if last.Kind != "fix" || last.Command != "sg sg-lb add ingress tcp 443 from 0.0.0.0/0" {
		t.Errorf("last step = %+v", last)
	}
	w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
	tg, _ := tracer.ParseTarget("https://shop.example.com/")
	ok, _ := w.Trace(context.Background(), "", tg)
	if s := Investigation(ok, nil); s != nil {
		t.Errorf("a delivered request has an investigation: %v", s)
	}
}

// TestInvestigationInspectsRunnableThings covers breaks whose component is
// not a resource the shell can show: the root servers, the internet, a
// private zone.
func TestInvestigationInspectsRunnableThings(t *testing.T) {
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	spec := w.Spec()
	for i, r := range spec.DNS.Zones[0].Records {
		if r.Name == "web-lb" {
			spec.DNS.Zones[0].Records[i].Values = []string{"203.0.113.99"} // stale: nothing has it
		}
	}
	stale, err := simnet.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		w        *simnet.World
		from, to string
		want     []string
	}{
		{"unknown domain", w, "", "https://shop.example.nope/", []string{"dig shop.example.nope", "dig shop.example.nope +trace"}},
		{"stale record", stale, "", "https://shop.example.com/", []string{"nc -zv shop.example.com 443", "dig shop.example.com", "show zone example.com"}},
		{"private zone lacks the name", w, "app-1", "tcp://cache.internal.shop:6379", []string{"dig cache.internal.shop", "show zone private:internal.shop"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, _ := tracer.ParseTarget(tt.to)
			r, err := tt.w.Trace(context.Background(), tt.from, tg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range Investigation(r, nil) {
				got = append(got, s.Command)
			}
			i := 0
			for _, c := range got {
				if i < len(tt.want) && c == tt.want[i] {
					i++
				}
			}
			if i != len(tt.want) {
				t.Errorf("investigation = %q; want, in order, %q", got, tt.want)
			}
		})
	}
}
