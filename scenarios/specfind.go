package scenarios

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet"
)

// The helpers below find resources in a world spec by name, so that faults
// and fixes edit the spec where the resource is declared. Each returns nil
// when nothing has the name.

func findSG(s *simnet.WorldSpec, name string) (*simnet.SecurityGroupSpec, *simnet.VPCSpec) {
	for i := range s.VPCs {
		v := &s.VPCs[i]
		for j := range v.SecurityGroups {
			if v.SecurityGroups[j].Name == name {
				return &v.SecurityGroups[j], v
			}
		}
	}
	return nil, nil
}

func findACL(s *simnet.WorldSpec, name string) *simnet.ACLSpec {
	for i := range s.VPCs {
		v := &s.VPCs[i]
		for j := range v.NetworkACLs {
			if v.NetworkACLs[j].Name == name {
				return &v.NetworkACLs[j]
			}
		}
	}
	return nil
}

func findRT(s *simnet.WorldSpec, name string) (*simnet.RouteTableSpec, *simnet.VPCSpec) {
	for i := range s.VPCs {
		v := &s.VPCs[i]
		for j := range v.RouteTables {
			if v.RouteTables[j].Name == name {
				return &v.RouteTables[j], v
			}
		}
	}
	return nil, nil
}

func findInstance(s *simnet.WorldSpec, name string) (*simnet.InstanceSpec, *simnet.VPCSpec) {
	for i := range s.VPCs {
		v := &s.VPCs[i]
		for j := range v.Instances {
			if v.Instances[j].Name == name {
				return &v.Instances[j], v
			}
		}
	}
	return nil, nil
}

// hostServices returns the services and firewall of an instance or an
// internet server.
func hostParts(s *simnet.WorldSpec, name string) (*[]simnet.ServiceSpec, *[]simnet.FirewallRuleSpec) {
	if in, _ := findInstance(s, name); in != nil {
		return &in.Services, &in.Firewall
	}
	for i := range s.Internet.Servers {
		if s.Internet.Servers[i].Name == name {
			return &s.Internet.Servers[i].Services, &s.Internet.Servers[i].Firewall
		}
	}
	return nil, nil
}

func findLB(s *simnet.WorldSpec, name string) *simnet.LoadBalancerSpec {
	for i := range s.VPCs {
		v := &s.VPCs[i]
		for j := range v.LoadBalancers {
			if v.LoadBalancers[j].Name == name {
				return &v.LoadBalancers[j]
			}
		}
	}
	return nil
}

func findCert(s *simnet.WorldSpec, name string) *simnet.CertSpec {
	for i := range s.Certificates {
		if s.Certificates[i].Name == name {
			return &s.Certificates[i]
		}
	}
	return nil
}

func findPeering(s *simnet.WorldSpec, name string) *simnet.PeeringSpec {
	for i := range s.Peerings {
		if s.Peerings[i].Name == name {
			return &s.Peerings[i]
		}
	}
	return nil
}

// vpcOf returns the VPC with the given name.
func findVPC(s *simnet.WorldSpec, name string) *simnet.VPCSpec {
	for i := range s.VPCs {
		if s.VPCs[i].Name == name {
			return &s.VPCs[i]
		}
	}
	return nil
}

// covers reports whether ports p include port n.
func covers(p simnet.Ports, n int) bool {
	lo, hi, err := p.Range()
	return err == nil && n >= lo && n <= hi
}

// protoCovers reports whether a rule's protocol covers proto.
func protoCovers(rule, proto string) bool {
	rule = strings.ToLower(rule)
	return rule == "all" || rule == "-1" || rule == strings.ToLower(proto)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// names lists the names of a slice of named things.
func namesOf[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}

func samePeer(a, b string) bool {
	if a == b {
		return true
	}
	pa, err1 := netip.ParsePrefix(a)
	pb, err2 := netip.ParsePrefix(b)
	return err1 == nil && err2 == nil && pa.Masked() == pb.Masked()
}

// worldClock is the time a spec says it is (simnet's default when unset).
func worldClock(s *simnet.WorldSpec) time.Time { return simnet.SpecClock(s) }

// findZone finds a zone by name; private:NAME or public:NAME picks one
// when both kinds share the name.
func findZone(s *simnet.WorldSpec, name string) (*simnet.ZoneSpec, error) {
	return simnet.SpecZone(s, name)
}

// zoneRef is how commands name a zone.
func zoneRef(s *simnet.WorldSpec, z *simnet.ZoneSpec) string { return simnet.ZoneRef(s, z) }

// relRecord returns a record name relative to its zone ("@" for the apex).
func relRecord(zone, name string) string { return simnet.RelRecord(zone, name) }
