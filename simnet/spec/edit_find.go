package spec

import (
	"fmt"
	"strings"
	"time"
)

// The finders below look resources up in a spec by name (through Refs,
// spec_refs.go), so that edits change the spec where the resource is
// declared. Each returns nil when nothing has the name.

func specSG(s *WorldSpec, name string) *SecurityGroupSpec {
	g, _ := s.Refs().SecurityGroup(name)
	return g
}

func specACL(s *WorldSpec, name string) *ACLSpec { return s.Refs().ACL(name) }

func specRT(s *WorldSpec, name string) *RouteTableSpec { return s.Refs().AnyRouteTable(name) }

func specLB(s *WorldSpec, name string) *LoadBalancerSpec { return s.Refs().LoadBalancer(name) }

// specHost returns the services and firewall of an instance or an
// internet server.
func specHost(s *WorldSpec, name string) (*[]ServiceSpec, *[]FirewallRuleSpec) {
	return s.Refs().Host(name)
}

func specCert(s *WorldSpec, name string) *CertSpec { return s.Refs().Cert(name) }

func specPeering(s *WorldSpec, name string) (*PeeringSpec, int) { return s.Refs().Peering(name) }

// FindTargetGroup finds a target group of a balancer; with tg empty, the
// balancer's only target group.
func FindTargetGroup(l *LoadBalancerSpec, tg string) (*TargetGroupSpec, error) {
	if tg == "" {
		if len(l.TargetGroups) == 1 {
			return &l.TargetGroups[0], nil
		}
		names := make([]string, len(l.TargetGroups))
		for i, t := range l.TargetGroups {
			names[i] = t.Name
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("load balancer %s has no target groups", l.Name)
		}
		return nil, fmt.Errorf("load balancer %s has several target groups (%s): name one", l.Name, strings.Join(names, ", "))
	}
	for i := range l.TargetGroups {
		if l.TargetGroups[i].Name == tg {
			return &l.TargetGroups[i], nil
		}
	}
	return nil, fmt.Errorf("load balancer %s has no target group %q", l.Name, tg)
}

// SpecZone finds a zone by name. A name may be prefixed "private:" or
// "public:" when a private and a public zone share it.
func SpecZone(s *WorldSpec, name string) (*ZoneSpec, error) {
	z, _, err := specZone(s, name)
	return z, err
}

func specZone(s *WorldSpec, name string) (*ZoneSpec, int, error) {
	want := 0 // 0 any, 1 public, 2 private
	if rest, ok := strings.CutPrefix(name, "private:"); ok {
		name, want = rest, 2
	} else if rest, ok := strings.CutPrefix(name, "public:"); ok {
		name, want = rest, 1
	}
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	var found []int
	for i := range s.DNS.Zones {
		z := &s.DNS.Zones[i]
		if strings.TrimSuffix(strings.ToLower(z.Name), ".") != name {
			continue
		}
		if want == 1 && z.Private || want == 2 && !z.Private {
			continue
		}
		found = append(found, i)
	}
	switch len(found) {
	case 0:
		var names []string
		for _, z := range s.DNS.Zones {
			n := z.Name
			if z.Private {
				n += " (private)"
			}
			names = append(names, n)
		}
		return nil, -1, fmt.Errorf("no zone is named %q; zones: %s", name, strings.Join(names, ", "))
	case 1:
		return &s.DNS.Zones[found[0]], found[0], nil
	}
	return nil, -1, fmt.Errorf("%s is both a public and a private zone: write public:%s or private:%s", name, name, name)
}

// ZoneRef is how commands name a zone: "private:NAME" or "public:NAME"
// when a zone of the other kind shares the name.
func ZoneRef(s *WorldSpec, z *ZoneSpec) string {
	n := 0
	for _, o := range s.DNS.Zones {
		if strings.EqualFold(strings.TrimSuffix(o.Name, "."), strings.TrimSuffix(z.Name, ".")) {
			n++
		}
	}
	if n > 1 {
		if z.Private {
			return "private:" + z.Name
		}
		return "public:" + z.Name
	}
	return z.Name
}

// RelRecord returns a record name relative to its zone as written in the
// spec ("@" for the apex), accepting a relative or a fully qualified name.
func RelRecord(zone, name string) string {
	z := strings.TrimSuffix(strings.ToLower(zone), ".")
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	if n == z || n == "@" {
		return "@"
	}
	if rest, ok := strings.CutSuffix(n, "."+z); ok {
		return rest
	}
	return n
}

// SpecClock is the time a spec says it is (the default when unset).
func SpecClock(s *WorldSpec) time.Time {
	if t, err := time.Parse(time.RFC3339, s.Clock); err == nil {
		return t.UTC()
	}
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
}
