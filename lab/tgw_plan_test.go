package lab

import (
	"net/netip"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// ifaceAddr is the first address of a node's interface.
func ifaceAddr(t *testing.T, n *Node, name string) netip.Addr {
	t.Helper()
	for _, i := range n.Ifaces {
		if i.Name == name && len(i.Addrs) > 0 {
			return i.Addrs[0].Addr()
		}
	}
	t.Fatalf("%s has no interface %s", n.Name, name)
	return netip.Addr{}
}

// ruleTable is the table the rule of node n for iif (and mark) looks up,
// or -1.
func ruleTable(n *Node, iif string, mark uint32) int {
	for _, r := range n.Rules {
		if r.IIF == iif && r.Mark == mark {
			return r.Table
		}
	}
	return -1
}

// hubPlan plans the hub world after edits (spec.ParseEdit lines).
func hubPlan(t *testing.T, edits ...string) *Plan {
	t.Helper()
	s := builtinSpec(t, "hub")
	for _, e := range edits {
		ed, err := spec.ParseEdit(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ed.Apply(s); err != nil {
			t.Fatal(err)
		}
	}
	p, err := PlanFor(s, "hub")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// attLinkOf is the link of attachment subnet sn: the VPC router's
// interface and the gateway's.
func attLinkOf(t *testing.T, p *Plan, subnet string) (rIf, tIf string) {
	t.Helper()
	for _, ls := range p.hybrid.links {
		for _, l := range ls {
			if l.subnet == subnet {
				return l.rIf, l.tIf
			}
		}
	}
	t.Fatalf("no link of attachment subnet %s", subnet)
	return "", ""
}

// TestPlanTGW checks the hub's transit gateway against the AWS Transit
// Gateway guide's rules as the simulation keeps them: a route to the
// gateway leaves by the attachment subnet in the sender's zone; the
// gateway's tables are looked up by the attachment a packet entered by;
// into a VPC it keeps the zone, or with appliance mode follows the flow
// hash; blackhole and missing routes drop.
func TestPlanTGW(t *testing.T) {
	p := hubPlan(t)
	g := p.Node("_tgw.tgw-hub")
	if g == nil || g.Kind != KindTGW || !g.Forward {
		t.Fatalf("no forwarding transit gateway router: %+v", g)
	}
	app := p.Node("_router.app")
	aRIf, aTIf := attLinkOf(t, p, "app-tgw-a")
	bRIf, bTIf := attLinkOf(t, p, "app-tgw-b")

	// The app VPC: app-a (bridge b2, zone a) and app-b (b3, zone b) share
	// rt-app-private, whose default route is the gateway: each zone's
	// copy leaves by its own attachment link.
	ta, tb := ruleTable(app, "b2", 0), ruleTable(app, "b3", 0)
	if ta == tb || ta < zoneTableBase || tb < zoneTableBase {
		t.Fatalf("app-a looks up table %d, app-b %d; want a copy per zone", ta, tb)
	}
	for _, c := range []struct {
		table int
		tIf   string
	}{{ta, aTIf}, {tb, bTIf}} {
		r := findRoute(app, c.table, "0.0.0.0/0")
		if r == nil || r.Blackhole || r.Via != ifaceAddr(t, g, c.tIf) {
			t.Errorf("table %d's default route %+v; want via the gateway's end of %s", c.table, r, c.tIf)
		}
	}
	// What the gateway delivers by app-tgw-a is routed by that subnet's
	// table (rt-app-private, zone a's copy).
	if got := ruleTable(app, aRIf, 0); got != ta {
		t.Errorf("iif %s looks up table %d; want %d (app-tgw-a's)", aRIf, got, ta)
	}
	if got := ruleTable(app, bRIf, 0); got != tb {
		t.Errorf("iif %s looks up table %d; want %d (app-tgw-b's)", bRIf, got, tb)
	}

	// The gateway: att-app is associated with tgw-rt-spokes, whose only
	// route goes to att-inspect, an appliance-mode attachment of two
	// subnets: choice k (mark 1+k) picks subnet k whatever the zone.
	insp := p.Node("_router.inspection")
	iaR, _ := attLinkOf(t, p, "insp-tgw-a")
	ibR, _ := attLinkOf(t, p, "insp-tgw-b")
	for _, in := range []string{aTIf, bTIf} {
		for k, rIf := range []string{iaR, ibR} {
			tbl := ruleTable(g, in, uint32(tgwMarkBase+k))
			r := findRoute(g, tbl, "0.0.0.0/0")
			if r == nil || r.Via != ifaceAddr(t, insp, rIf) {
				t.Errorf("from %s with choice %d: default route %+v; want via the inspection router's %s", in, k, r, rIf)
			}
		}
	}
	// tgw-rt-inspect (att-inspect's table) propagates the app VPC: back
	// into it by the subnet of the zone the packet came from.
	_, fromA := attLinkOf(t, p, "insp-tgw-a")
	tbl := ruleTable(g, fromA, tgwMarkBase)
	if r := findRoute(g, tbl, "10.10.0.0/16"); r == nil || r.Via != ifaceAddr(t, app, aRIf) {
		t.Errorf("from zone a to the app VPC: %+v; want via app's %s (zone a)", r, aRIf)
	}
	if r := findRoute(g, tbl, "192.168.0.0/16"); r == nil || r.Blackhole {
		t.Errorf("tgw-rt-inspect lacks the office's propagated VPN route: %+v", r)
	}

	// The appliance choice is the simulation's hash.
	var marks *Table
	for _, tb := range g.Tables {
		if tb.Name == "pathlab_tgw" {
			marks = tb
		}
	}
	if marks == nil {
		t.Fatal("no appliance marks in the gateway")
	}
	app1, api1 := netip.MustParseAddr("10.10.10.10"), netip.MustParseAddr("10.20.2.10")
	want := uint32(tgwMarkBase) + simnet.FlowHash(app1, api1)%2
	got := uint32(tgwMarkBase)
	for _, r := range marks.Chains[0].Rules {
		if r.Src == host32(app1) && r.Dst == host32(api1) {
			got = r.SetMark
		}
	}
	if got != want {
		t.Errorf("app-1 → api-1 marked %d; want %d (simnet.FlowHash)", got, want)
	}

	// Faults: a blackhole route; a table without the route; a zone
	// without an attachment subnet.
	p = hubPlan(t, "route tgw-rt-inspect add 10.20.0.0/16 via blackhole")
	g = p.Node("_tgw.tgw-hub")
	if r := findRoute(g, ruleTable(g, fromA, tgwMarkBase), "10.20.0.0/16"); r == nil || !r.Blackhole {
		t.Errorf("a static blackhole route for 10.20.0.0/16: %+v; want a blackhole", r)
	}
	p = hubPlan(t, "route tgw-rt-spokes remove 0.0.0.0/0")
	g = p.Node("_tgw.tgw-hub")
	if r := findRoute(g, ruleTable(g, aTIf, tgwMarkBase), "0.0.0.0/0"); r != nil {
		t.Errorf("tgw-rt-spokes without routes still has %+v", r)
	}
	if r := findRoute(g, 0, "0.0.0.0/0"); r == nil || !r.Blackhole {
		t.Errorf("the gateway's main table does not drop what its tables miss: %+v", r)
	}
	p = hubPlan(t, "attachment att-app subnet remove app-tgw-b")
	app = p.Node("_router.app")
	if r := findRoute(app, ruleTable(app, "b3", 0), "0.0.0.0/0"); r == nil || !r.Blackhole {
		t.Errorf("app-b (zone b) without an attachment subnet there: %+v; want a blackhole", r)
	}
	// Appliance mode off: the zone decides, one table per zone.
	p = hubPlan(t, "attachment att-inspect appliance-mode off")
	g = p.Node("_tgw.tgw-hub")
	for _, tb := range g.Tables {
		if tb.Name == "pathlab_tgw" {
			t.Error("appliance marks without appliance mode")
		}
	}
	if r := findRoute(g, ruleTable(g, bTIf, 0), "0.0.0.0/0"); r == nil || r.Via != ifaceAddr(t, p.Node("_router.inspection"), ibR) {
		t.Errorf("from zone b without appliance mode: %+v; want into insp-tgw-b", r)
	}
}

// TestPlanVPN checks the VPN connections, the on-premises networks and
// the virtual private gateway: links with the world's MTU, down with the
// tunnels, routes on both sides, and route propagation into the table
// that lists the gateway.
func TestPlanVPN(t *testing.T) {
	p := hubPlan(t)
	office, dc := p.Node("_onprem.office"), p.Node("_onprem.dc")
	if office == nil || dc == nil || p.Node("office-pc") == nil || p.Node("dc-db") == nil {
		t.Fatal("on-premises routers or hosts missing")
	}
	if p.Node("dc-db").Kind != KindOnPremHost || !p.Node("dc-db").Serves || p.Node("office-pc").Resolver != netip.MustParseAddr("198.51.100.53") {
		t.Errorf("on-premises hosts: %+v", p.Node("dc-db"))
	}
	var officeVPN, dcVPN *Link
	for i, l := range p.Links {
		switch {
		case l.A == office.Name && l.B == "_tgw.tgw-hub":
			officeVPN = &p.Links[i]
		case l.A == dc.Name && l.B == "_router.shared":
			dcVPN = &p.Links[i]
		}
	}
	if officeVPN == nil || dcVPN == nil {
		t.Fatalf("VPN links: office %v, dc %v", officeVPN, dcVPN)
	}
	if officeVPN.MTU != 1400 || dcVPN.MTU != 0 {
		t.Errorf("MTUs %d and %d; want the world's 1400 and the default", officeVPN.MTU, dcVPN.MTU)
	}
	// The office sends everything not its own into the transit gateway;
	// the data centre only the shared VPC, into the VGW.
	if r := findRoute(office, 0, "0.0.0.0/0"); r == nil || r.Via != ifaceAddr(t, p.Node("_tgw.tgw-hub"), officeVPN.BIf) {
		t.Errorf("office default %+v", r)
	}
	if r := findRoute(dc, 0, "10.20.0.0/16"); r == nil || r.Blackhole {
		t.Errorf("dc to the shared VPC %+v", r)
	}
	if r := findRoute(dc, 0, "0.0.0.0/0"); r == nil || !r.Blackhole {
		t.Errorf("dc default %+v; want no route (its internet access is outside the world)", r)
	}
	// rt-shared propagates vgw-shared: 172.16.0.0/16 into the VPN.
	shared := p.Node("_router.shared")
	if r := findRoute(shared, ruleTable(shared, "b1", 0), "172.16.0.0/16"); r == nil || r.Via != ifaceAddr(t, dc, dcVPN.AIf) {
		t.Errorf("rt-shared's propagated route %+v", r)
	}
	p = hubPlan(t, "propagation rt-shared disable vgw-shared")
	shared = p.Node("_router.shared")
	if r := findRoute(shared, ruleTable(shared, "b1", 0), "172.16.0.0/16"); r != nil {
		t.Errorf("propagation off, yet %+v", r)
	}
	// Both tunnels down: the customer's side of the link is down, and
	// both sides drop what they would send into it.
	p = hubPlan(t, "vpn vpn-office tunnel 1 down", "vpn vpn-office tunnel 2 down")
	office = p.Node("_onprem.office")
	if i := office.iface(officeVPN.AIf); !i.Down {
		t.Errorf("the office's end of vpn-office is up with both tunnels down")
	}
	if r := findRoute(office, 0, "0.0.0.0/0"); r == nil || !r.Blackhole {
		t.Errorf("office default with the tunnels down %+v; want a blackhole", r)
	}
	g := p.Node("_tgw.tgw-hub")
	for _, r := range g.Routes {
		if r.Dst.String() == "192.168.0.0/16" && r.Table != tgwLocalTable && !r.Blackhole {
			t.Errorf("the gateway still routes the office into the down tunnel: %+v", r)
		}
	}
	// One tunnel is enough.
	p = hubPlan(t, "vpn vpn-office tunnel 1 down")
	if i := p.Node("_onprem.office").iface(officeVPN.AIf); i.Down {
		t.Error("one tunnel down took the link down")
	}
}
