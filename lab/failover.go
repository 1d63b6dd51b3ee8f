package lab

import (
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/spec"
)

// Route 53 failover routing in the lab's DNS (the simulation's
// simnet/failover.go; Route 53 Developer Guide, "Failover routing"): a
// name with a primary and a secondary A record is answered with the
// primary while it is healthy, else with the secondary if that is
// healthy; when both are unhealthy Route 53 answers as if both were
// healthy, with the primary. A plain record, and an alias without
// evaluate_health, count as healthy (worlds model no standalone health
// checks); an alias with evaluate_health to a balancer inherits the
// balancer's health: healthy when every target group with targets has a
// healthy target, a group without targets unhealthy (AliasTarget,
// EvaluateTargetHealth).
//
// The balancer's health is the simulation's reading of the world, not the
// lab's own health checks (lab.Health): the zones are built when the DNS
// servers start, before the balancer nodes have checked their targets,
// and resolvers cache the answer for its TTL, so a live reading would
// depend on which came first.

// failoverGroup is a name's failover records as the zone file has them.
type failoverGroup struct {
	owner              string
	primary, secondary *spec.RecordSpec
}

// addFailover answers every failover group of the zone with the record
// the policy chooses. Called after the zone's other records and aliases
// are in, so that an alias to a record of the zone finds it.
func (z *zoneData) addFailover(s *spec.WorldSpec, groups []*failoverGroup) {
	for _, g := range groups {
		rec := g.primary
		if rec == nil {
			rec = g.secondary // refused by the simulation; answer what there is
		} else if g.secondary != nil && !recordHealthy(s, *g.primary) && recordHealthy(s, *g.secondary) {
			rec = g.secondary
		}
		if rec == nil {
			continue
		}
		z.records[g.owner] = append(z.records[g.owner], z.failoverRRs(s, g.owner, *rec)...)
	}
}

// failoverRRs are the A records one failover record answers with.
func (z *zoneData) failoverRRs(s *spec.WorldSpec, owner string, r spec.RecordSpec) []dns.RR {
	if r.Alias != nil {
		// alias appends to the owner's records: let it, and take them back.
		keep := z.records[owner]
		z.records[owner] = nil
		z.alias(s, r)
		got := z.records[owner]
		z.records[owner] = keep
		return got
	}
	ttl := 300
	if r.TTL != nil {
		ttl = *r.TTL
	}
	var out []dns.RR
	for _, v := range r.AllValues() {
		if rr, err := dns.NewRR(fmt.Sprintf("%s %d IN A %s", owner, ttl, v)); err == nil && rr != nil {
			out = append(out, rr)
		}
	}
	return out
}

// recordHealthy is a failover record's health as Route 53 sees it.
func recordHealthy(s *spec.WorldSpec, r spec.RecordSpec) bool {
	if r.Alias == nil || !r.Alias.EvaluateHealth {
		return true
	}
	lb := findLB(s, strings.TrimSpace(r.Alias.Target))
	if lb == nil {
		return true // an alias to a record, which has no health check
	}
	return lbHealthy(s, lb)
}

var (
	healthMu    sync.Mutex
	healthCache = map[*spec.WorldSpec]map[string]bool{}
)

// lbHealthy is a balancer's health for Route 53, by the simulation's
// health checks: every target group with targets has a target that passes
// its check from some node; a target group with none is unhealthy.
func lbHealthy(s *spec.WorldSpec, lb *spec.LoadBalancerSpec) bool {
	healthMu.Lock()
	defer healthMu.Unlock()
	if h, ok := healthCache[s][lb.Name]; ok {
		return h
	}
	ok := lbHealthyUncached(s, lb)
	if healthCache[s] == nil {
		healthCache[s] = map[string]bool{}
	}
	healthCache[s][lb.Name] = ok
	return ok
}

func lbHealthyUncached(s *spec.WorldSpec, lb *spec.LoadBalancerSpec) bool {
	for _, tg := range lb.TargetGroups {
		if len(tg.Targets) == 0 {
			return false
		}
	}
	w, err := simnet.Compile(s)
	if err != nil {
		return true // a world the simulation refuses: no health to inherit
	}
	hs, err := w.TargetHealth(lb.Name)
	if err != nil {
		return true
	}
	healthy := map[string]bool{}
	for _, h := range hs {
		if h.Healthy {
			healthy[h.TargetGroup] = true
		}
	}
	for _, tg := range lb.TargetGroups {
		if !healthy[tg.Name] {
			return false
		}
	}
	return true
}

// isFailover reports whether r takes part in failover routing.
func isFailover(r spec.RecordSpec) bool {
	role := strings.ToLower(strings.TrimSpace(r.Failover))
	return role != "" && strings.EqualFold(r.Type, "A")
}

// noteFailover files r under its owner's failover group.
func noteFailover(groups []*failoverGroup, owner string, r spec.RecordSpec) []*failoverGroup {
	var g *failoverGroup
	for _, x := range groups {
		if x.owner == owner {
			g = x
		}
	}
	if g == nil {
		g = &failoverGroup{owner: owner}
		groups = append(groups, g)
	}
	rr := r
	if strings.EqualFold(strings.TrimSpace(r.Failover), "secondary") {
		g.secondary = &rr
	} else {
		g.primary = &rr
	}
	return groups
}
