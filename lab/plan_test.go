package lab

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

func builtinSpec(t testing.TB, name string) *spec.WorldSpec {
	t.Helper()
	w, err := simnet.LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return w.Spec()
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"shop", true},
		{"verify-shop-2", true},
		{"", false},
		{"Shop", false},
		{"a.b", false}, // a dot would let one lab's prefix cover another's
		{"-x", false},
		{strings.Repeat("a", 33), false},
	}
	for _, tt := range tests {
		if err := ValidName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v; want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestPlanShape checks what every lab must hold to: names the kernel
// accepts, links between nodes that exist, link addresses that do not
// collide, every namespace under the lab's prefix.
func TestPlanShape(t *testing.T) {
	for _, world := range simnet.BuiltinNames() {
		t.Run(world, func(t *testing.T) {
			if u := Unsupported(builtinSpec(t, world)); u != "" {
				t.Skipf("the lab does not build %s yet", u)
			}
			p, err := PlanFor(builtinSpec(t, world), "t-"+world)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range p.Nodes {
				if !strings.HasPrefix(n.NS, PrefixOf("t-"+world)) {
					t.Errorf("%s: namespace %s is outside the prefix", n.Name, n.NS)
				}
				for _, i := range n.Ifaces {
					if len(i.Name) > 15 {
						t.Errorf("%s: interface %q is longer than Linux's 15 characters", n.Name, i.Name)
					}
				}
			}
			seen := map[netip.Addr]string{}
			for _, l := range p.Links {
				if p.Node(l.A) == nil || p.Node(l.B) == nil {
					t.Errorf("link %v joins a node that does not exist", l)
				}
			}
			for _, n := range p.Nodes {
				for _, i := range n.Ifaces {
					for _, a := range i.Addrs {
						if !a.Addr().IsLinkLocalUnicast() {
							continue
						}
						if prev, dup := seen[a.Addr()]; dup {
							t.Errorf("link address %s on %s and %s", a.Addr(), prev, n.Name)
						}
						seen[a.Addr()] = n.Name
					}
				}
			}
		})
	}
}

func findRoute(n *Node, table int, dst string) *Route {
	for i := range n.Routes {
		if n.Routes[i].Table == table && n.Routes[i].Dst.String() == dst {
			return &n.Routes[i]
		}
	}
	return nil
}

// TestPlanShop checks the shop's plan against the world: route tables as
// policy routing, blackholes, the gateways, the filters.
func TestPlanShop(t *testing.T) {
	p, err := PlanFor(builtinSpec(t, "shop"), "shop")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Node("_router.prod")
	if r == nil {
		t.Fatal("no router for VPC prod")
	}
	// Tables: rt-public 100, rt-private 101, rt-isolated 102, in file order.
	tests := []struct {
		name      string
		table     int
		dst       string
		via       string
		blackhole bool
	}{
		{"public goes to the internet gateway", 100, "0.0.0.0/0", r.Ifaces[1].Addrs[0].Addr().Next().String(), false},
		{"private goes to the NAT gateway", 101, "0.0.0.0/0", "10.0.1.5", false},
		{"isolated has no way out", 102, "0.0.0.0/0", "", true},
		{"the local route reaches a subnet", 102, "10.0.10.0/24", "", false},
		{"the rest of the VPC range is nowhere", 101, "10.0.0.0/16", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := findRoute(r, tt.table, tt.dst)
			if rt == nil {
				t.Fatalf("no route %s in table %d", tt.dst, tt.table)
			}
			if rt.Blackhole != tt.blackhole {
				t.Errorf("blackhole = %v; want %v", rt.Blackhole, tt.blackhole)
			}
			if tt.via != "" && rt.Via.String() != tt.via {
				t.Errorf("via %s; want %s", rt.Via, tt.via)
			}
		})
	}
	if r.Ifaces[1].Name != "igw" {
		t.Fatalf("router's second interface is %s; the test expects igw", r.Ifaces[1].Name)
	}
	rules := 0
	for _, ru := range r.Rules {
		if ru.Prio == 100 {
			rules++
		}
	}
	if rules != 5 {
		t.Errorf("%d subnet rules; want one per subnet (5)", rules)
	}
	// sg-app admits 8080 from the balancer's nodes only.
	app := p.Node("app-1")
	var from []string
	for _, ru := range app.Tables[0].Chains[0].Rules {
		if ru.PortLo == 8080 {
			from = append(from, ru.Src.String())
		}
	}
	if strings.Join(from, " ") != "10.0.1.10/32 10.0.2.10/32" {
		t.Errorf("sg-app 8080 from %v; want web-lb's nodes", from)
	}
	// acl-data: rule 100 first, the implicit deny last.
	var acl *Chain
	for _, tb := range r.Tables {
		for _, c := range tb.Chains {
			if c.Name == "acl-acl-data-ingress" {
				acl = c
			}
		}
	}
	if acl == nil || len(acl.Rules) != 2 || acl.Rules[0].Verdict != "return" || acl.Rules[1].Verdict != "drop" {
		t.Fatalf("acl-data ingress = %+v", acl)
	}
	if db := p.Node("db-1"); len(db.Firewall) != 2 {
		t.Errorf("db-1 firewall has %d rules; want the world's 2", len(db.Firewall))
	}
	if igw := p.Node("igw-prod"); igw == nil || igw.Kind != KindIGW {
		t.Errorf("no internet gateway node")
	}
}

func TestRuleString(t *testing.T) {
	r := FRule{IIF: "b0", Src: netip.MustParsePrefix("10.0.0.0/16"), Proto: "tcp", PortLo: 1024, PortHi: 65535, Verdict: "return"}
	if got, want := r.String(), "iif b0 saddr 10.0.0.0/16 tcp dport 1024-65535 return"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if _, err := ruleExprs(FRule{Verdict: "bogus"}); err == nil {
		t.Error("ruleExprs accepted an unknown verdict")
	}
}
