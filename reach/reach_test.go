package reach

import (
	"bytes"
	"flag"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer/tracertest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// questions asked of each built-in world: what the internet reaches, who
// reaches an instance, and every class between two endpoints, with the
// witnesses traced.
var questions = map[string][][3]string{
	"shop":   {{"internet", "", ""}, {"", "db-1", ""}, {"app-1", "db-1", "explain"}, {"browser", "web-lb", ""}},
	"mesh":   {{"internet", "", ""}, {"", "payments-1", ""}, {"web-1", "payments-1", "explain"}},
	"peered": {{"internet", "", ""}, {"", "auth-1", ""}, {"etl-1", "app-1", "explain"}, {"app-1", "artifacts-1", ""}},
}

func TestReachGolden(t *testing.T) {
	for world, qs := range questions {
		t.Run(world, func(t *testing.T) {
			w, err := simnet.LoadBuiltin(world)
			if err != nil {
				t.Fatal(err)
			}
			r := w.NewReach()
			var out bytes.Buffer
			for _, q := range qs {
				var a *Answer
				switch {
				case q[0] != "" && q[1] != "":
					a, err = Between(w, r, q[0], q[1])
				case q[0] != "":
					a, err = From(w, r, q[0])
				default:
					a, err = To(w, r, q[1], 0)
				}
				if err != nil {
					t.Fatalf("%v: %v", q, err)
				}
				if err := a.WriteText(&out, r, q[2] == "explain"); err != nil {
					t.Fatal(err)
				}
				out.WriteString("\n")
				if err := a.WriteJSON(&out); err != nil {
					t.Fatal(err)
				}
				out.WriteString("\n")
			}
			tracertest.Golden(t, filepath.Join("testdata", "reach-"+world+".golden"), out.Bytes(), *update)
		})
	}
}

func TestAuditGolden(t *testing.T) {
	for _, world := range []string{"shop", "mesh", "peered"} {
		t.Run(world, func(t *testing.T) {
			w, err := simnet.LoadBuiltin(world)
			if err != nil {
				t.Fatal(err)
			}
			a := AuditWorld(w)
			var out bytes.Buffer
			if err := a.WriteText(&out); err != nil {
				t.Fatal(err)
			}
			tracertest.Golden(t, filepath.Join("testdata", "audit-"+world+".golden"), out.Bytes(), *update)
		})
	}
}

// TestAuditFindsEachKind: a world with one of each finding; the audit
// names each, with its rule.
func TestAuditFindsEachKind(t *testing.T) {
	w, err := simnet.Parse("audit", []byte(auditWorld))
	if err != nil {
		t.Fatal(err)
	}
	a := AuditWorld(w)
	want := map[string]string{
		Exposed:  "sg-open ingress tcp 22 from 0.0.0.0/0",
		Shadowed: "acl-a ingress rule 120 deny tcp 22 10.0.0.0/24",
		Unused:   "sg-open ingress tcp 9999 from 10.9.0.0/16",
		TooBroad: "sg-open ingress tcp 8000-8999 from 10.0.0.0/16",
	}
	got := map[string]bool{}
	for _, f := range a.Findings {
		if want[f.Kind] == f.Rule {
			got[f.Kind] = true
		}
		if f.Witness == "" {
			t.Errorf("%s %s has no witness", f.Kind, f.Rule)
		}
	}
	for k, r := range want {
		if !got[k] {
			t.Errorf("no %s finding for %s; findings: %+v", k, r, a.Findings)
		}
	}
}

const auditWorld = `name: audit
internet:
  clients:
    - {name: browser, ip: 198.51.100.10, resolver: r}
  resolvers:
    - {name: r, ip: 198.51.100.53}
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    route_tables:
      - name: rt
        routes:
          - {destination: 0.0.0.0/0, target: igw}
    network_acls:
      - name: acl-a
        ingress:
          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}
          - {rule: 120, protocol: tcp, ports: 22, cidr: 10.0.0.0/24, action: deny}
        egress:
          - {rule: 100, protocol: all, cidr: 0.0.0.0/0, action: allow}
    subnets:
      - {name: s, cidr: 10.0.0.0/24, route_table: rt, network_acl: acl-a}
      - {name: s2, cidr: 10.0.1.0/24, route_table: rt, network_acl: acl-a}
    security_groups:
      - name: sg-open
        ingress:
          - {protocol: tcp, ports: 22, source: 0.0.0.0/0}
          - {protocol: tcp, ports: 9999, source: 10.9.0.0/16}
          - {protocol: tcp, ports: 8000-8999, source: 10.0.0.0/16}
        egress:
          - {protocol: all, destination: 0.0.0.0/0}
    instances:
      - name: web
        subnet: s
        private_ip: 10.0.0.10
        public_ip: 203.0.113.10
        security_groups: [sg-open]
        services:
          - {name: ssh, protocol: tcp, port: 22}
          - {name: app, protocol: tcp, port: 8080}
      - name: client
        subnet: s2
        private_ip: 10.0.1.10
        security_groups: [sg-open]
`

// TestBetweenHTTP: a balancer whose target group has no target accepts
// the connection (tcp 443 stays open) and answers 503; between says so,
// per listener, where the healthy world answers 301 and 200.
func TestBetweenHTTP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		empty   bool
		want    map[uint16]int
		wantTxt string
	}{
		{"healthy", false, map[uint16]int{80: 301, 443: 200}, "https on tcp 443   200\n"},
		{"no targets", true, map[uint16]int{80: 301, 443: 503}, "https on tcp 443   503: reachable at TCP, not at HTTP (web-lb: 503: target group"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := simnet.LoadBuiltin("shop")
			if err != nil {
				t.Fatal(err)
			}
			if tc.empty {
				spec := w.Spec()
				for i := range spec.VPCs {
					for j := range spec.VPCs[i].LoadBalancers {
						for k := range spec.VPCs[i].LoadBalancers[j].TargetGroups {
							spec.VPCs[i].LoadBalancers[j].TargetGroups[k].Targets = nil
						}
					}
				}
				if w, err = simnet.Compile(spec); err != nil {
					t.Fatal(err)
				}
			}
			r := w.NewReach()
			a, err := Between(w, r, "browser", "web-lb")
			if err != nil {
				t.Fatal(err)
			}
			l := a.Lines[0]
			if !tcpOpen(l.Open, 443) {
				t.Fatalf("tcp 443 is not open: %v", l.Open)
			}
			got := map[uint16]int{}
			for _, h := range l.HTTP {
				got[h.Port] = h.Status
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("HTTP answers %v; want %v", got, tc.want)
			}
			var out bytes.Buffer
			if err := a.WriteText(&out, r, false); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.wantTxt) {
				t.Errorf("text lacks %q:\n%s", tc.wantTxt, out.String())
			}
		})
	}
}
