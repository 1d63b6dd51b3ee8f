package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
)

// TargetHealth is a target's health as a balancer node of the lab saw it
// at its last round of health checks.
type TargetHealth struct {
	LoadBalancer string `json:"load_balancer"`
	TargetGroup  string `json:"target_group"`
	Node         string `json:"node"` // the node's private address
	Target       string `json:"target"`
	Port         int    `json:"port"`
	Healthy      bool   `json:"healthy"`
	// ReasonCode is ELB's code for an unhealthy target: Target.Timeout,
	// Target.ResponseCodeMismatch, Target.FailedHealthChecks,
	// Target.NotInUse.
	ReasonCode string `json:"reason_code,omitempty"`
}

func healthFile(dir, node string) string { return filepath.Join(dir, "health-"+node+".json") }

// writeHealth records a node's last round of health checks in the lab's
// directory, where Health reads it.
func (sv *servers) writeHealth(lb spec.LoadBalancerSpec, nd spec.LBNodeSpec, groups map[string]*targetGroup) {
	var out []TargetHealth
	for _, tgs := range lb.TargetGroups {
		g := groups[tgs.Name]
		if g == nil {
			continue
		}
		g.mu.Lock()
		for i, t := range g.targets {
			out = append(out, TargetHealth{LoadBalancer: lb.Name, TargetGroup: tgs.Name, Node: nd.PrivateIP, Target: t.name, Port: tgs.Port,
				Healthy: g.healthy[i], ReasonCode: g.reasons[i]})
		}
		g.mu.Unlock()
		for _, t := range g.unused {
			out = append(out, TargetHealth{LoadBalancer: lb.Name, TargetGroup: tgs.Name, Node: nd.PrivateIP, Target: t, Port: tgs.Port, ReasonCode: "Target.NotInUse"})
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return
	}
	f := healthFile(sv.dir, LBNodeName(lb.Name, nd.Subnet))
	if os.WriteFile(f+".tmp", b, 0o644) == nil {
		os.Rename(f+".tmp", f)
	}
}

// Health is what the lab's balancer nodes of lb found at their last round
// of health checks (every two seconds): live, not the simulation's
// reading of the world.
func Health(st *State, spec *spec.WorldSpec, lb string) ([]TargetHealth, error) {
	l := findLB(spec, lb)
	if l == nil {
		return nil, fmt.Errorf("no load balancer is named %q", lb)
	}
	// A node checks once before it is ready, while the targets' servers
	// may still be starting: wait for a round after the lab was up (its
	// state file's last write), two seconds at most after it.
	up := time.Now()
	if fi, err := os.Stat(statePath(st.Name)); err == nil {
		up = fi.ModTime()
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, nd := range l.Nodes {
		for time.Now().Before(deadline) {
			fi, err := os.Stat(healthFile(st.Dir, LBNodeName(lb, nd.Subnet)))
			if err == nil && fi.ModTime().After(up) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var out []TargetHealth
	for _, nd := range l.Nodes {
		b, err := os.ReadFile(healthFile(st.Dir, LBNodeName(lb, nd.Subnet)))
		if err != nil {
			return nil, fmt.Errorf("balancer node %s has reported no health checks: %v", LBNodeName(lb, nd.Subnet), err)
		}
		var hs []TargetHealth
		if err := json.Unmarshal(b, &hs); err != nil {
			return nil, fmt.Errorf("balancer node %s: %v", LBNodeName(lb, nd.Subnet), err)
		}
		out = append(out, hs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TargetGroup < out[j].TargetGroup })
	return out, nil
}
