package lab

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// TestFailoverAnswer holds the lab's authoritative answer for a failover
// pair to Route 53's policy: the primary (an alias to web-lb with
// evaluate_health) while the balancer is healthy, the secondary when no
// target passes its check, the primary again when the secondary is an
// alias to an unhealthy balancer too, and the primary when the
// balancer's target group has no targets but evaluate_health is off.
func TestFailoverAnswer(t *testing.T) {
	secondaryToLB := func(s *spec.WorldSpec) {
		z := &s.DNS.Zones[0]
		for i := range z.Records {
			if z.Records[i].Failover == "secondary" {
				z.Records[i].Value, z.Records[i].TTL = "", nil
				z.Records[i].Alias = &spec.AliasSpec{Target: "web-lb", EvaluateHealth: true}
			}
		}
	}
	noEvaluate := func(s *spec.WorldSpec) {
		z := &s.DNS.Zones[0]
		for i := range z.Records {
			if z.Records[i].Alias != nil {
				z.Records[i].Alias.EvaluateHealth = false
			}
		}
	}
	tests := []struct {
		name, world string
		edit        func(*spec.WorldSpec)
		want        string
	}{
		{"healthy primary", "failover-primary-healthy", nil, "203.0.113.10 203.0.113.11"},
		{"unhealthy primary, healthy secondary", "failover-primary-unhealthy", nil, "192.0.2.90"},
		{"both unhealthy: the primary", "failover-primary-unhealthy", secondaryToLB, "203.0.113.10 203.0.113.11"},
		{"evaluate_health off: healthy", "failover-primary-unhealthy", noEvaluate, "203.0.113.10 203.0.113.11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := simnet.LoadSpec("../testdata/worlds/cloud/" + tc.world + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				tc.edit(s)
			}
			var zd *zoneData
			for _, z := range s.DNS.Zones {
				if z.Name == "example.com" {
					zd = buildZone(s, z)
				}
			}
			if zd == nil {
				t.Fatal("no zone example.com")
			}
			m := new(dns.Msg)
			zd.answer(m, "shop.example.com.", dns.TypeA)
			var got []string
			for _, rr := range m.Answer {
				if a, ok := rr.(*dns.A); ok {
					got = append(got, a.A.String())
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("shop.example.com A = %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}
