package simnet

import "fmt"

// TargetHealth is one target's health as one balancer node sees it.
type TargetHealth struct {
	LoadBalancer string `json:"load_balancer"`
	TargetGroup  string `json:"target_group"`
	Node         string `json:"node"` // the node's private address
	Target       string `json:"target"`
	Port         int    `json:"port"`
	Healthy      bool   `json:"healthy"`
	Reason       string `json:"reason"`
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
						ok, why := w.healthy(node, tg, h)
						out = append(out, TargetHealth{LoadBalancer: l.name, TargetGroup: tg.name, Node: node.private.String(),
							Target: h.name, Port: int(tg.port), Healthy: ok, Reason: why})
					}
				}
			}
		}
	}
	return out, nil
}

// LoadBalancers lists the balancers' names.
func (w *World) LoadBalancers() []string { return w.Names("load-balancer") }
