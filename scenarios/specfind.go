package scenarios

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// The helpers below find resources in a world spec by name through the
// spec's one resolver (WorldSpec.Refs), so that faults and fixes edit the
// spec where the resource is declared. Each returns nil when nothing has
// the name.

func findSG(s *spec.WorldSpec, name string) (*spec.SecurityGroupSpec, *spec.VPCSpec) {
	return s.Refs().SecurityGroup(name)
}

func findACL(s *spec.WorldSpec, name string) *spec.ACLSpec { return s.Refs().ACL(name) }

func findRT(s *spec.WorldSpec, name string) (*spec.RouteTableSpec, *spec.VPCSpec) {
	return s.Refs().RouteTable(name)
}

func findInstance(s *spec.WorldSpec, name string) (*spec.InstanceSpec, *spec.VPCSpec) {
	return s.Refs().Instance(name)
}

// hostServices returns the services and firewall of an instance or an
// internet server.
func hostParts(s *spec.WorldSpec, name string) (*[]spec.ServiceSpec, *[]spec.FirewallRuleSpec) {
	return s.Refs().Host(name)
}

func findLB(s *spec.WorldSpec, name string) *spec.LoadBalancerSpec {
	return s.Refs().LoadBalancer(name)
}

func findCert(s *spec.WorldSpec, name string) *spec.CertSpec { return s.Refs().Cert(name) }

func findPeering(s *spec.WorldSpec, name string) *spec.PeeringSpec {
	p, _ := s.Refs().Peering(name)
	return p
}

// vpcOf returns the VPC with the given name.
func findVPC(s *spec.WorldSpec, name string) *spec.VPCSpec { return s.Refs().VPC(name) }

// covers reports whether ports p include port n.
func covers(p spec.Ports, n int) bool {
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
func worldClock(s *spec.WorldSpec) time.Time { return spec.SpecClock(s) }

// findZone finds a zone by name; private:NAME or public:NAME picks one
// when both kinds share the name.
func findZone(s *spec.WorldSpec, name string) (*spec.ZoneSpec, error) {
	return spec.SpecZone(s, name)
}

// zoneRef is how commands name a zone.
func zoneRef(s *spec.WorldSpec, z *spec.ZoneSpec) string { return spec.ZoneRef(s, z) }

// relRecord returns a record name relative to its zone ("@" for the apex).
func relRecord(zone, name string) string { return spec.RelRecord(zone, name) }
