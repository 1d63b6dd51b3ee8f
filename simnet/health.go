package simnet

import (
	"fmt"

	"github.com/pathlab/pathlab/tracer"
)

// TargetHealth is one target's health as one balancer node sees it.
type TargetHealth struct {
	LoadBalancer string `json:"load_balancer"`
	TargetGroup  string `json:"target_group"`
	Node         string `json:"node"` // the node's private address
	Target       string `json:"target"`
	Port         int    `json:"port"`
	Healthy      bool   `json:"healthy"`
	// Reason explains the outcome and names the cause: an answer key, not
	// for learners' eyes.
	Reason string `json:"reason"`
	// ReasonCode and Description are what the cloud API shows for an
	// unhealthy target (Target.Timeout, Target.ResponseCodeMismatch,
	// Target.FailedHealthChecks); empty when healthy.
	ReasonCode  string `json:"reason_code,omitempty"`
	Description string `json:"description,omitempty"`
	// Status is the HTTP status the check received, 0 for none.
	Status int `json:"status,omitempty"`
	// Cause and CauseComponent are the code and component of the hop that
	// stopped the check; empty when healthy.
	Cause          tracer.Code `json:"cause,omitempty"`
	CauseComponent string      `json:"cause_component,omitempty"`
}

// TargetHealth runs every health check of the named balancer (every target
// group, from every node), as describe-target-health shows them.
func (w *World) TargetHealth(lbName string) ([]TargetHealth, error) {
	l := w.lbs[lbName]
	if l == nil {
		return nil, fmt.Errorf("%w: no load balancer is named %q", ErrUnknownName, lbName)
	}
	var out []TargetHealth
	for _, ls := range w.spec.VPCs {
		for _, lbs := range ls.LoadBalancers {
			if lbs.Name != lbName {
				continue
			}
			for _, tgs := range lbs.TargetGroups {
				tg := l.tgs[tgs.Name]
				for _, node := range l.nodes {
					for _, h := range tg.targets {
						if !l.inUse(h) {
							// ELB runs no health checks against a target in a
							// zone it has no node in: its state is unused.
							out = append(out, TargetHealth{LoadBalancer: l.name, TargetGroup: tg.name, Node: node.private.String(), Target: h.name, Port: int(tg.port),
								Reason: fmt.Sprintf("%s is in zone %s, where %s has no node", h.name, zoneOf(h.iface), l.name), ReasonCode: "Target.NotInUse",
								Description: "Target is in an Availability Zone that is not enabled for the load balancer", Cause: tracer.LBTargetNotInUse, CauseComponent: h.name})
							continue
						}
						r := w.healthOf(node, tg, h)
						out = append(out, TargetHealth{LoadBalancer: l.name, TargetGroup: tg.name, Node: node.private.String(),
							Target: h.name, Port: int(tg.port), Healthy: r.ok, Reason: r.why, ReasonCode: r.awsCode, Description: r.awsDesc,
							Status: r.status, Cause: r.cause, CauseComponent: r.component})
					}
				}
			}
		}
	}
	return out, nil
}

// LoadBalancers lists the balancers' names.
func (w *World) LoadBalancers() []string { return w.Names("load-balancer") }
