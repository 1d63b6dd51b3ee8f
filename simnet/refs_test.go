package simnet

// A test of the resolver through a compiled built-in world: it stays with
// simnet (which compiles) when the spec moves to its own package.

import (
	"strings"
	"testing"
)

// TestRefs: the one resolver finds each kind of resource where it is
// declared (writing through the pointer edits the spec), returns nil for a
// name nothing has, and answers route targets with the did-you-mean.
func TestRefs(t *testing.T) {
	w := mustBuiltin(t)
	s := w.Spec()
	r := s.Refs()
	v := &s.VPCs[0]
	type found struct {
		kind, name string
		ok         bool
	}
	var cases []found
	if len(v.SecurityGroups) > 0 {
		g, gv := r.SecurityGroup(v.SecurityGroups[0].Name)
		cases = append(cases, found{"security group", v.SecurityGroups[0].Name, g == &v.SecurityGroups[0] && gv == v})
	}
	if len(v.NetworkACLs) > 0 {
		cases = append(cases, found{"acl", v.NetworkACLs[0].Name, r.ACL(v.NetworkACLs[0].Name) == &v.NetworkACLs[0]})
	}
	if len(v.RouteTables) > 0 {
		rt, rv := r.RouteTable(v.RouteTables[0].Name)
		cases = append(cases, found{"route table", v.RouteTables[0].Name, rt == &v.RouteTables[0] && rv == v && r.AnyRouteTable(v.RouteTables[0].Name) == rt})
	}
	if len(v.Instances) > 0 {
		in, iv := r.Instance(v.Instances[0].Name)
		svc, fw := r.Host(v.Instances[0].Name)
		cases = append(cases, found{"instance", v.Instances[0].Name, in == &v.Instances[0] && iv == v && svc == &in.Services && fw == &in.Firewall})
	}
	if len(v.LoadBalancers) > 0 {
		cases = append(cases, found{"balancer", v.LoadBalancers[0].Name, r.LoadBalancer(v.LoadBalancers[0].Name) == &v.LoadBalancers[0]})
	}
	if len(s.Certificates) > 0 {
		cases = append(cases, found{"certificate", s.Certificates[0].Name, r.Cert(s.Certificates[0].Name) == &s.Certificates[0]})
	}
	cases = append(cases, found{"vpc", v.Name, r.VPC(v.Name) == v})
	if len(cases) < 5 {
		t.Fatalf("the built-in world has too few kinds of resource to test (%d)", len(cases))
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("Refs: the %s %q is not found where it is declared", c.kind, c.name)
		}
	}
	g, _ := r.SecurityGroup("no-such-thing")
	svc, _ := r.Host("no-such-thing")
	p, i := r.Peering("no-such-thing")
	if g != nil || r.ACL("no-such-thing") != nil || r.AnyRouteTable("no-such-thing") != nil || svc != nil ||
		r.LoadBalancer("no-such-thing") != nil || r.Cert("no-such-thing") != nil || p != nil || i != -1 || r.VPC("no-such-thing") != nil {
		t.Error("Refs found something for a name nothing has")
	}
	if !r.HasRouteTarget("blackhole") || r.HasRouteTarget("no-such-thing") {
		t.Error("HasRouteTarget: blackhole must be a target, an unknown name not")
	}
	targets := r.RouteTargets()
	if len(targets) == 0 {
		t.Fatal("RouteTargets: the built-in world has route targets")
	}
	for _, n := range targets {
		if !r.HasRouteTarget(n) {
			t.Errorf("HasRouteTarget(%q) is false for a listed target", n)
		}
	}
	typo := targets[0][:len(targets[0])-1] + "#"
	if err := r.RouteTargetNotFound(typo); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("RouteTargetNotFound(%q) = %v; want a did-you-mean", typo, err)
	}
}
