package reach

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/pathlab/pathlab/tracer"
)

// everyPair is the full recomputation: every pair of endpoints (the
// internet as a source), compared on the classes where the destination
// listens, with no signatures, no deltas and no memo; each change as a
// line, sorted, and the count of the moved.
func everyPair(oldW, newW *simnet.World) (lines []string, moved int) {
	ro, rn := oldW.NewReach(), newW.NewReach()
	type both struct {
		name     string
		o, n     simnet.Endpoint
		inO, inN bool
	}
	var eps []*both
	idx := map[string]*both{}
	for _, e := range ro.Endpoints() {
		b := &both{name: e.Name, o: e, inO: true}
		idx[e.Name] = b
		eps = append(eps, b)
	}
	for _, e := range rn.Endpoints() {
		b := idx[e.Name]
		if b == nil {
			b = &both{name: e.Name}
			idx[e.Name] = b
			eps = append(eps, b)
		}
		b.n, b.inN = e, true
	}
	inO, okO := ro.Internet()
	inN, okN := rn.Internet()
	srcs := append([]*both{{name: simnet.InternetName, o: inO, n: inN, inO: okO, inN: okN}}, eps...)
	d := &Difference{}
	for _, s := range srcs {
		for _, t := range eps {
			if s.name == t.name {
				continue
			}
			var po, pn []simnet.ClassVerdict
			if s.inO && t.inO {
				po = ro.Listening(s.o, t.o)
			}
			if s.inN && t.inN {
				pn = rn.Listening(s.n, t.n)
			}
			m := newMemoed(s.name, t.name, diffClasses(po, pn, s.name, t.name))
			d.addAs(&m, s.name, t.name)
		}
	}
	return changeLines(d), d.Moved
}

func changeLines(d *Difference) []string {
	var out []string
	for _, c := range append(slices.Clone(d.Opened), d.Closed...) {
		out = append(out, fmt.Sprintf("%s→%s %s %+v→%+v", c.From, c.To, c.Range, c.Old, c.New))
	}
	slices.Sort(out)
	return out
}

// randomEdit changes a world the way reviews do: a group emptied, a group
// rule removed or added, an ACL rule added, a route removed or
// blackholed, an instance regrouped or removed, a subnet moved to
// another ACL. It says what it did.
func randomEdit(rnd *rand.Rand, s *spec.WorldSpec) string {
	v := &s.VPCs[rnd.IntN(len(s.VPCs))]
	pick := func(n int) int { return rnd.IntN(n) }
	ports := []int{22, 5432, 8080, 443}
	peer := func() string {
		switch pick(4) {
		case 0:
			return v.Subnets[pick(len(v.Subnets))].CIDR
		case 1:
			return v.SecurityGroups[pick(len(v.SecurityGroups))].Name
		case 2:
			return v.Instances[pick(len(v.Instances))].PrivateIP + "/32"
		}
		return "10.0.0.0/8"
	}
	switch pick(9) {
	case 0:
		g := &v.SecurityGroups[pick(len(v.SecurityGroups))]
		g.Ingress = nil
		return "emptied " + g.Name
	case 1:
		g := &v.SecurityGroups[pick(len(v.SecurityGroups))]
		if len(g.Egress) > 0 && pick(2) == 0 {
			g.Egress = slices.Delete(g.Egress, 0, 1)
			return "removed an egress rule of " + g.Name
		}
		if len(g.Ingress) == 0 {
			return ""
		}
		k := pick(len(g.Ingress))
		g.Ingress = slices.Delete(g.Ingress, k, k+1)
		return fmt.Sprintf("removed ingress rule %d of %s", k, g.Name)
	case 2:
		g := &v.SecurityGroups[pick(len(v.SecurityGroups))]
		p := ports[pick(len(ports))]
		if pick(3) == 0 {
			g.Egress = append(g.Egress, spec.SGRuleSpec{Protocol: "tcp", Ports: spec.PortsOf(p, p), Destination: peer()})
			return "added an egress rule to " + g.Name
		}
		g.Ingress = append(g.Ingress, spec.SGRuleSpec{Protocol: "tcp", Ports: spec.PortsOf(p, p), Source: peer()})
		return "added an ingress rule to " + g.Name
	case 3:
		a := &v.NetworkACLs[pick(len(v.NetworkACLs))]
		p := ports[pick(len(ports))]
		cidr := peer()
		if !strings.Contains(cidr, "/") {
			cidr = "10.0.0.0/8"
		}
		r := spec.ACLRuleSpec{Rule: 1 + pick(99), Protocol: "tcp", Ports: spec.PortsOf(p, p), CIDR: cidr, Action: []string{"allow", "deny"}[pick(2)]}
		if pick(2) == 0 {
			a.Ingress = append([]spec.ACLRuleSpec{r}, a.Ingress...)
			return "added an ingress rule to " + a.Name
		}
		a.Egress = append([]spec.ACLRuleSpec{r}, a.Egress...)
		return "added an egress rule to " + a.Name
	case 4, 5:
		rt := &v.RouteTables[pick(len(v.RouteTables))]
		if len(rt.Routes) == 0 {
			return ""
		}
		k := pick(len(rt.Routes))
		if pick(2) == 0 {
			rt.Routes[k].Target = "blackhole"
			return "blackholed a route of " + rt.Name
		}
		rt.Routes = slices.Delete(rt.Routes, k, k+1)
		return "removed a route of " + rt.Name
	case 6:
		in := &v.Instances[pick(len(v.Instances))]
		in.SecurityGroups = []string{v.SecurityGroups[pick(len(v.SecurityGroups))].Name}
		return "regrouped " + in.Name
	case 7:
		k := pick(len(v.Instances))
		name := v.Instances[k].Name
		v.Instances = slices.Delete(v.Instances, k, k+1)
		return "removed " + name
	default:
		sn := &v.Subnets[pick(len(v.Subnets))]
		sn.NetworkACL = v.NetworkACLs[pick(len(v.NetworkACLs))].Name
		return "moved " + sn.Name + " to " + sn.NetworkACL
	}
}

// TestCompareAgreesWithFullRecomputation: on generated worlds under random
// changes (one to three edits, several seeds), the diff that walks only
// what a change can reach finds exactly what comparing every pair of
// endpoints finds (each change with its ranges and stops, and the count
// of moved stops), and lists it in the order the diff before joint
// profiles and deltas did.
func TestCompareAgreesWithFullRecomputation(t *testing.T) {
	changed, cases := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		base := genWorld(t, worldgen.Options{Subnets: 12, VPCs: 2, Instances: 24, Rules: 150, Seed: seed})
		rnd := rand.New(rand.NewPCG(seed, 99))
		for range 8 {
			s := base.Spec()
			var did []string
			for range 1 + rnd.IntN(3) {
				if e := randomEdit(rnd, s); e != "" {
					did = append(did, e)
				}
			}
			nw, err := simnet.Compile(s)
			if err != nil {
				continue // an edit the world refuses (a removed balancer target)
			}
			cases++
			name := fmt.Sprintf("seed %d: %s", seed, strings.Join(did, ", "))
			d := Compare(base, nw)
			want, moved := everyPair(base, nw)
			if got := changeLines(d); !reflect.DeepEqual(got, want) || d.Moved != moved {
				t.Errorf("%s:\nCompare (moved %d):\n  %s\nevery pair (moved %d):\n  %s", name, d.Moved, strings.Join(got, "\n  "), moved, strings.Join(want, "\n  "))
				continue
			}
			if len(want) > 0 {
				changed++
			}
			if before := compareBefore(base, nw); !reflect.DeepEqual(d, before) {
				t.Errorf("%s: the output differs from the diff before joint profiles:\n%+v\nbefore:\n%+v", name, d, before)
			}
		}
	}
	if cases < 30 || changed < cases/2 {
		t.Fatalf("%d cases, %d with changes: the edits tell too little", cases, changed)
	}
	t.Logf("%d cases, %d with changes", cases, changed)
}

// compareBefore is Compare as it was before joint profiles and deltas:
// every touched endpoint against every endpoint, pairs of profiles
// memoized. It holds the output (order, counts) to what it was.
func compareBefore(oldW, newW *simnet.World) *Difference {
	ro, rn := oldW.NewReach(), newW.NewReach()
	d := &Difference{Opened: []Change{}, Closed: []Change{}}
	all := ro.GlobalSignature() != rn.GlobalSignature()
	var eps []*both
	idx := map[string]*both{}
	for _, e := range ro.Endpoints() {
		b := &both{name: e.Name, o: e, inO: true}
		idx[e.Name] = b
		eps = append(eps, b)
	}
	for _, e := range rn.Endpoints() {
		b := idx[e.Name]
		if b == nil {
			b = &both{name: e.Name}
			idx[e.Name] = b
			eps = append(eps, b)
		}
		b.n, b.inN = e, true
	}
	d.Endpoints = len(eps)
	var touched []*both
	for _, b := range eps {
		if all || !b.inO || !b.inN || ro.Signature(b.o) != rn.Signature(b.n) {
			touched = append(touched, b)
		}
	}
	d.Touched = len(touched)
	if len(touched) == 0 {
		return d
	}
	isTouched := map[string]bool{}
	for _, b := range touched {
		isTouched[b.name] = true
	}
	inO, okO := ro.Internet()
	inN, okN := rn.Internet()
	internet := &both{name: simnet.InternetName, o: inO, n: inN, inO: okO, inN: okN}
	type jointKey struct{ so, do, sn, dn int32 }
	memo := map[jointKey]memoed{}
	compare := func(s, t *both) {
		if s.name == t.name {
			return
		}
		d.Pairs++
		var k jointKey
		if s.inO && t.inO && s.inN && t.inN {
			k = jointKey{ro.Profile(s.o), ro.Profile(t.o), rn.Profile(s.n), rn.Profile(t.n)}
			if m, ok := memo[k]; ok {
				d.addAs(&m, s.name, t.name)
				return
			}
		}
		var po, pn []simnet.ClassVerdict
		if s.inO && t.inO {
			po = ro.Listening(s.o, t.o)
		}
		if s.inN && t.inN {
			pn = rn.Listening(s.n, t.n)
		}
		m := newMemoed(s.name, t.name, diffClasses(po, pn, s.name, t.name))
		if k != (jointKey{}) {
			memo[k] = m
		}
		d.addAs(&m, s.name, t.name)
	}
	for _, s := range touched {
		compare(internet, s)
		for _, t := range eps {
			compare(s, t)
			if !isTouched[t.name] {
				compare(t, s)
			}
		}
	}
	return d
}

// TestWriteText: the text of each kind of change, a stop in either
// world, an endpoint absent from one, icmp and a port range.
func TestWriteText(t *testing.T) {
	closedAt := simnet.Verdict{State: tracer.ConnTimeout, Code: "SG_NO_INGRESS_RULE", At: "sg-db", Kind: tracer.KindSecurityGroup}
	d := &Difference{
		Opened: []Change{
			{From: "app-1", To: "db-1", Range: simnet.PortRange{Proto: tracer.TCP, Lo: 5432, Hi: 5432}, Old: closedAt, New: simnet.Verdict{Open: true, State: tracer.ConnOpen}},
			{From: "new-1", To: "db-1", Range: simnet.PortRange{Proto: tracer.ICMP}, New: simnet.Verdict{Open: true, State: tracer.ConnOpen}},
		},
		Closed: []Change{
			{From: "internet", To: "web-1", Range: simnet.PortRange{Proto: tracer.UDP, Lo: 1024, Hi: 65535}, Old: simnet.Verdict{Open: true, State: tracer.ConnOpen}, New: closedAt},
		},
		Endpoints: 9, Touched: 2, Pairs: 30,
	}
	var b strings.Builder
	if err := d.WriteText(&b, "old.yaml", "new.yaml"); err != nil {
		t.Fatal(err)
	}
	want := `reachability over classes from old.yaml to new.yaml: 9 endpoints, 2 touched by the change, 30 pairs compared; 2 ranges opened, 1 closed

opened:
  app-1 → db-1 tcp 5432 (was stopped at sg-db: SG_NO_INGRESS_RULE)
  new-1 → db-1 icmp (absent from the other world)

closed:
  internet → web-1 udp 1024-65535 (now stopped at sg-db: SG_NO_INGRESS_RULE)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
