package simnet

import (
	"context"
	"slices"

	"github.com/pathlab/pathlab/tracer"
)

// ListenerAnswer is what one HTTP or HTTPS listener of an application
// balancer answers a request for "/", once a connection reaches it: a
// balancer with no healthy target accepts the connection (its port is open)
// and answers 503.
type ListenerAnswer struct {
	Port   uint16 `json:"port"`
	Scheme string `json:"scheme"` // http or https
	// Status is the HTTP status the client gets; 0 when no answer comes.
	Status int `json:"status"`
	// At and Why name the hop that decided an answer that is not a
	// success: the balancer's 503, a target's refusal.
	At  string `json:"at,omitempty"`
	Why string `json:"why,omitempty"`
}

// OK reports whether the answer is a success or a redirect.
func (a ListenerAnswer) OK() bool { return a.Status >= 200 && a.Status < 400 }

// ListenerAnswers asks each HTTP and HTTPS listener of the named
// application balancer for "/", in port order, the way a request that
// reached it would be answered (through its node in the first zone).
// Other balancers, and names that are not balancers, have none.
func (w *World) ListenerAnswers(name string) []ListenerAnswer {
	l := w.lbs[name]
	if l == nil || !l.alb || len(l.nodes) == 0 {
		return nil
	}
	n := &Net{w: w}
	var out []ListenerAnswer
	for _, li := range l.listeners {
		if li.proto != "http" && li.proto != "https" {
			continue
		}
		c := &tracer.Conn{Proto: tracer.TCP, State: tracer.ConnOpen, Handle: &conn{dst: l.nodes[0], lis: li}}
		resp, err := n.Request(context.Background(), c, &tracer.HTTPRequest{Scheme: li.proto, Host: l.name, Path: "/"})
		a := ListenerAnswer{Port: li.port, Scheme: li.proto}
		if err == nil {
			a.Status = resp.Status
			if !a.OK() {
				for i := range resp.Hops {
					if h := &resp.Hops[i]; h.Blocks {
						a.At, a.Why = h.Component, h.Text()
						break
					}
				}
			}
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b ListenerAnswer) int { return int(a.Port) - int(b.Port) })
	return out
}
