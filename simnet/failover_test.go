package simnet

import (
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
)

func cloudSpec(t *testing.T, name string) *spec.WorldSpec {
	t.Helper()
	w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return w.Spec()
}

// shopRecords returns the example.com zone's records of s.
func shopZone(s *spec.WorldSpec) *spec.ZoneSpec {
	for i := range s.DNS.Zones {
		if s.DNS.Zones[i].Name == "example.com" {
			return &s.DNS.Zones[i]
		}
	}
	return nil
}

// TestFailoverEvaluateHealth: Route 53's failover routing with "Evaluate
// target health" (Route 53 Developer Guide, "Failover routing",
// "Active-active and active-passive failover": the primary while it is
// healthy, the secondary when it is not; Route 53 API, AliasTarget
// EvaluateTargetHealth: an alias inherits its target's health, an
// application balancer being healthy when every target group with
// targets has a healthy one; "How Amazon Route 53 chooses records when
// health checking is configured": when all records are unhealthy Route 53
// answers as if all were healthy, so failover gives the primary). With the
// simple routing policy a lone alias answers whatever its health.
func TestFailoverEvaluateHealth(t *testing.T) {
	lbAddrs := []string{"203.0.113.10", "203.0.113.11"}
	for _, tc := range []struct {
		name  string
		world string
		edit  func(s *spec.WorldSpec)
		want  []string
		why   string
	}{
		{name: "primary healthy", world: "failover-primary-healthy", want: lbAddrs, why: "the primary is healthy"},
		{name: "primary unhealthy: the secondary", world: "failover-primary-unhealthy", want: []string{"192.0.2.90"}, why: "Route 53 answers with the secondary"},
		{name: "evaluate_health off: the primary counts as healthy", world: "failover-primary-unhealthy", edit: func(s *spec.WorldSpec) {
			for i, r := range shopZone(s).Records {
				if r.Failover == "primary" {
					shopZone(s).Records[i].Alias.EvaluateHealth = false
				}
			}
		}, want: lbAddrs, why: "evaluate_health is off"},
		{name: "both unhealthy: the primary, as if healthy", world: "failover-primary-unhealthy", edit: func(s *spec.WorldSpec) {
			for i, r := range shopZone(s).Records {
				if r.Failover == "secondary" {
					shopZone(s).Records[i] = spec.RecordSpec{Name: "shop", Type: "A", Failover: "secondary", Alias: &spec.AliasSpec{Target: "web-lb", EvaluateHealth: true}}
				}
			}
		}, want: lbAddrs, why: "both unhealthy"},
		{name: "target group without targets: unhealthy", world: "failover-primary-healthy", edit: func(s *spec.WorldSpec) {
			s.VPCs[0].LoadBalancers[0].TargetGroups[0].Targets = nil
		}, want: []string{"192.0.2.90"}, why: "has no registered targets"},
		{name: "simple policy: a lone alias answers though unhealthy", world: "failover-primary-unhealthy", edit: func(s *spec.WorldSpec) {
			z := shopZone(s)
			var keep []spec.RecordSpec
			for _, r := range z.Records {
				if r.Failover == "" {
					keep = append(keep, r)
				}
			}
			z.Records = append(keep, spec.RecordSpec{Name: "shop", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb", EvaluateHealth: true}})
		}, want: lbAddrs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloudSpec(t, tc.world)
			if tc.edit != nil {
				tc.edit(s)
			}
			w, err := Compile(s)
			if err != nil {
				t.Fatal(err)
			}
			n, err := w.From("browser")
			if err != nil {
				t.Fatal(err)
			}
			ans, err := n.Resolve(context.Background(), "shop.example.com", dns.TypeA)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range ans.Addrs {
				got = append(got, a.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("addresses %v; want %v", got, tc.want)
			}
			if tc.why != "" {
				found := false
				for _, h := range ans.Hops {
					if strings.Contains(h.Text(), tc.why) {
						found = true
					}
				}
				if !found {
					t.Errorf("no hop says %q", tc.why)
				}
			}
		})
	}
}

// TestFailoverValidation: Route 53 takes one primary and one secondary per
// name and type, refuses records of one name and type with different
// routing policies, and a failover value is PRIMARY or SECONDARY
// (Route 53 API, ResourceRecordSet Failover).
func TestFailoverValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  spec.RecordSpec
		drop string // the failover role removed first
		want string
	}{
		{name: "two primaries", add: spec.RecordSpec{Name: "shop", Type: "A", Failover: "primary", Value: "192.0.2.91"}, want: "already has a primary failover record"},
		{name: "two secondaries", add: spec.RecordSpec{Name: "shop", Type: "A", Failover: "secondary", Value: "192.0.2.91"}, want: "already has a secondary failover record"},
		{name: "mixed policies", add: spec.RecordSpec{Name: "shop", Type: "A", Value: "192.0.2.91"}, want: "Route 53 refuses records of one name and type with different routing policies"},
		{name: "mixed policies, simple first", add: spec.RecordSpec{Name: "shop", Type: "A", Alias: &spec.AliasSpec{Target: "web-lb"}}, want: "Route 53 refuses records of one name and type with different routing policies"},
		{name: "no primary", drop: "primary", want: "has a secondary failover record but no primary"},
		{name: "bad role", add: spec.RecordSpec{Name: "www", Type: "A", Failover: "tertiary", Value: "192.0.2.91"}, want: `failover is primary or secondary, not "tertiary"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cloudSpec(t, "failover-primary-healthy")
			z := shopZone(s)
			if tc.drop != "" {
				var keep []spec.RecordSpec
				for _, r := range z.Records {
					if r.Failover != tc.drop {
						keep = append(keep, r)
					}
				}
				z.Records = keep
			}
			if tc.add.Name != "" {
				if tc.add.Alias != nil {
					z.Records = append([]spec.RecordSpec{tc.add}, z.Records...) // before the failover records
				} else {
					z.Records = append(z.Records, tc.add)
				}
			}
			if _, err := Compile(s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want %q", err, tc.want)
			}
		})
	}
}

// TestFailoverAuthoritative: Route 53's own name servers apply the
// failover policy (Route 53 Developer Guide, "Failover routing": "Route 53
// responds to DNS queries using the primary record when it is healthy ...
// the secondary when the primary is unhealthy"), so a query straight to
// the zone's server (dig @ns1.example.com) gets what a resolver gets.
func TestFailoverAuthoritative(t *testing.T) {
	for _, tc := range []struct{ world, want string }{
		{"failover-primary-healthy", ""},
		{"failover-primary-unhealthy", "192.0.2.90"},
	} {
		t.Run(tc.world, func(t *testing.T) {
			w, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "cloud", tc.world+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			q := new(dns.Msg)
			q.SetQuestion("shop.example.com.", dns.TypeA)
			m := w.Authoritative(netip.MustParseAddr("192.0.2.53"), q)
			var got []string
			for _, rr := range m.Answer {
				if a, ok := rr.(*dns.A); ok {
					got = append(got, a.A.String())
				}
			}
			if len(got) == 0 {
				t.Fatalf("no A answer: %v", m)
			}
			if tc.want == "" { // healthy: the primary, the balancer's nodes
				if slices.Contains(got, "192.0.2.90") {
					t.Errorf("healthy primary: the name server answered the secondary %v", got)
				}
			} else if !slices.Equal(got, []string{tc.want}) {
				t.Errorf("unhealthy primary: the name server answered %v; want the secondary [%s]", got, tc.want)
			}
		})
	}
}
