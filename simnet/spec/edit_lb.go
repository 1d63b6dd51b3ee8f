package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// LBHealthCheckEdit sets the path or the port a target group's health
// check probes (exactly one of the two):
//
//	lb NAME health-check path|port VALUE [TARGET_GROUP]
//
// TG may be empty when the balancer has one target group.
type LBHealthCheckEdit struct {
	LB   string
	Path string
	Port int
	TG   string
}

// LBTargetEdit registers or deregisters a target:
//
//	lb NAME target add|remove INSTANCE [TARGET_GROUP]
type LBTargetEdit struct {
	LB     string
	Op     string // add, remove
	Target string
	TG     string
}

// LBTargetGroupPortEdit sets the port a target group sends traffic to:
//
//	lb NAME target-group TG port N
type LBTargetGroupPortEdit struct {
	LB   string
	TG   string
	Port int
}

// LBListenerCertEdit sets the certificate a listener presents:
//
//	lb NAME listener PORT certificate CERT
type LBListenerCertEdit struct {
	LB   string
	Port int
	Cert string
}

// LBListenerActionEdit sets what a listener does: forward to a target
// group, or redirect (exactly one of the two):
//
//	lb NAME listener PORT forward TARGET_GROUP
//	lb NAME listener PORT redirect https
type LBListenerActionEdit struct {
	LB       string
	Port     int
	Forward  string
	Redirect string
}

// LBListenerAddEdit adds a listener:
//
//	lb NAME listener add PORT PROTO forward TARGET_GROUP [certificate CERT]
//	lb NAME listener add PORT PROTO redirect https [certificate CERT]
type LBListenerAddEdit struct {
	LB       string
	Listener ListenerSpec
}

// LBListenerRemoveEdit removes a listener:
//
//	lb NAME listener remove PORT
type LBListenerRemoveEdit struct {
	LB   string
	Port int
}

func parseLBEdit(w []string) (Edit, error) {
	if len(w) < 4 {
		return nil, wordCount("lb", "name the balancer, then health-check, target, target-group or listener")
	}
	name, what := w[1], w[2]
	if err := nameArg("lb", "load balancer", name); err != nil {
		return nil, err
	}
	switch what {
	case "cross-zone":
		return parseCrossZoneEdit(w) // edit_cloud.go
	case "subnets":
		return parseLBSubnetsEdit(w) // edit_subnets.go
	case "health-check":
		if len(w) != 5 && len(w) != 6 {
			return nil, wordCount("lb", "health-check takes path|port VALUE [TARGET_GROUP]")
		}
		e := LBHealthCheckEdit{LB: name}
		if len(w) == 6 {
			e.TG = w[5]
		}
		switch w[3] {
		case "path":
			if !strings.HasPrefix(w[4], "/") {
				return nil, usagef("lb", "a health check path starts with /")
			}
			e.Path = w[4]
		case "port":
			n, err := portArg("lb", w[4])
			if err != nil {
				return nil, err
			}
			e.Port = n
		default:
			return nil, usagef("lb", "health-check sets path or port, not %q", w[3])
		}
		return e, nil
	case "target":
		if len(w) != 5 && len(w) != 6 {
			return nil, wordCount("lb", "target takes add|remove INSTANCE [TARGET_GROUP]")
		}
		if w[3] != "add" && w[3] != "remove" {
			return nil, usagef("lb", "%q is not add or remove", w[3])
		}
		e := LBTargetEdit{LB: name, Op: w[3], Target: w[4]}
		if len(w) == 6 {
			e.TG = w[5]
		}
		return e, nil
	case "target-group":
		if len(w) != 6 || w[4] != "port" {
			return nil, wordCount("lb", "target-group takes TG port N")
		}
		n, err := portArg("lb", w[5])
		if err != nil {
			return nil, err
		}
		return LBTargetGroupPortEdit{LB: name, TG: w[3], Port: n}, nil
	case "listener":
		return parseListenerEdit(w, name)
	}
	return nil, usagef("lb", "%q is not health-check, target, target-group or listener", what)
}

func parseListenerEdit(w []string, name string) (Edit, error) {
	if len(w) >= 5 && w[4] == "rule" {
		return parseRuleEdit(w, name) // edit_listener_rules.go
	}
	switch w[3] {
	case "add":
		if len(w) != 8 && len(w) != 10 {
			return nil, wordCount("lb", "listener add takes PORT PROTO forward TG|redirect https [certificate CERT]")
		}
		port, err := portArg("lb", w[4])
		if err != nil {
			return nil, err
		}
		li := ListenerSpec{Port: port, Protocol: strings.ToLower(w[5])}
		switch w[6] {
		case "forward":
			li.TargetGroup = w[7]
		case "redirect":
			li.Redirect = w[7]
		default:
			return nil, usagef("lb", "a listener forwards or redirects, not %q", w[6])
		}
		if len(w) == 10 {
			if w[8] != "certificate" {
				return nil, usagef("lb", "%q: only a certificate may follow the action", w[8])
			}
			li.Certificate = w[9]
		}
		return LBListenerAddEdit{LB: name, Listener: li}, nil
	case "remove":
		if len(w) != 5 {
			return nil, wordCount("lb", "listener remove takes PORT")
		}
		port, err := portArg("lb", w[4])
		if err != nil {
			return nil, err
		}
		return LBListenerRemoveEdit{LB: name, Port: port}, nil
	}
	if len(w) != 6 {
		return nil, wordCount("lb", "listener PORT takes certificate CERT, forward TG or redirect https")
	}
	port, err := portArg("lb", w[3])
	if err != nil {
		return nil, err
	}
	switch w[4] {
	case "certificate":
		return LBListenerCertEdit{LB: name, Port: port, Cert: w[5]}, nil
	case "forward":
		if w[5] == "" {
			return nil, usagef("lb", "the target group is missing")
		}
		return LBListenerActionEdit{LB: name, Port: port, Forward: w[5]}, nil
	case "redirect":
		if w[5] == "" {
			return nil, usagef("lb", "the redirect's scheme is missing")
		}
		return LBListenerActionEdit{LB: name, Port: port, Redirect: w[5]}, nil
	}
	return nil, usagef("lb", "a listener's %q cannot be set: set certificate, forward or redirect", w[4])
}

func withTG(w []string, tg string) []string {
	if tg != "" {
		return append(w, tg)
	}
	return w
}

func (e LBHealthCheckEdit) String() string {
	w := []string{"lb", e.LB, "health-check"}
	if e.Path != "" {
		w = append(w, "path", e.Path)
	} else {
		w = append(w, "port", strconv.Itoa(e.Port))
	}
	return JoinLine(withTG(w, e.TG))
}

func (e LBTargetEdit) String() string {
	return JoinLine(withTG([]string{"lb", e.LB, "target", e.Op, e.Target}, e.TG))
}

func (e LBTargetGroupPortEdit) String() string {
	return JoinLine([]string{"lb", e.LB, "target-group", e.TG, "port", strconv.Itoa(e.Port)})
}

func (e LBListenerCertEdit) String() string {
	return JoinLine([]string{"lb", e.LB, "listener", strconv.Itoa(e.Port), "certificate", e.Cert})
}

func (e LBListenerActionEdit) String() string {
	if e.Redirect != "" {
		return JoinLine([]string{"lb", e.LB, "listener", strconv.Itoa(e.Port), "redirect", e.Redirect})
	}
	return JoinLine([]string{"lb", e.LB, "listener", strconv.Itoa(e.Port), "forward", e.Forward})
}

func (e LBListenerAddEdit) String() string {
	li := e.Listener
	w := []string{"lb", e.LB, "listener", "add", strconv.Itoa(li.Port), li.Protocol}
	if li.Redirect != "" {
		w = append(w, "redirect", li.Redirect)
	} else {
		w = append(w, "forward", li.TargetGroup)
	}
	if li.Certificate != "" {
		w = append(w, "certificate", li.Certificate)
	}
	return JoinLine(w)
}

func (e LBListenerRemoveEdit) String() string {
	return JoinLine([]string{"lb", e.LB, "listener", "remove", strconv.Itoa(e.Port)})
}

func lbFor(s *WorldSpec, name string) (*LoadBalancerSpec, error) {
	l := specLB(s, name)
	if l == nil {
		return nil, fmt.Errorf("no load balancer is named %q", name)
	}
	return l, nil
}

func findListener(l *LoadBalancerSpec, port int) (*ListenerSpec, int, error) {
	for i := range l.Listeners {
		if l.Listeners[i].Port == port {
			return &l.Listeners[i], i, nil
		}
	}
	var ports []string
	for _, li := range l.Listeners {
		ports = append(ports, strconv.Itoa(li.Port))
	}
	return nil, -1, fmt.Errorf("%s has no listener on port %d (listeners: %s)", l.Name, port, strings.Join(ports, ", "))
}

func (e LBHealthCheckEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBHealthCheckEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	tg, err := FindTargetGroup(l, e.TG)
	if err != nil {
		return nil, "", err
	}
	undo := LBHealthCheckEdit{LB: e.LB, TG: e.TG}
	switch {
	case e.Path != "" && e.Port == 0:
		if !strings.HasPrefix(e.Path, "/") {
			return nil, "", usagef("lb", "a health check path starts with /")
		}
		undo.Path = tg.HealthCheck.Path
		if undo.Path == "" {
			undo.Path = "/"
		}
		tg.HealthCheck.Path = e.Path
		return undo, fmt.Sprintf("%s: target group %s health check path now %s", e.LB, tg.Name, e.Path), nil
	case e.Path == "" && e.Port >= 1 && e.Port <= 65535:
		undo.Port = tg.HealthCheck.Port
		if undo.Port == 0 {
			undo.Port = tg.Port // zero means the traffic port
		}
		tg.HealthCheck.Port = e.Port
		return undo, fmt.Sprintf("%s: target group %s health check port now %d", e.LB, tg.Name, e.Port), nil
	}
	return nil, "", usagef("lb", "health-check sets a path (starting with /) or a port from 1 to 65535")
}

func (e LBTargetEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBTargetEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	tg, err := FindTargetGroup(l, e.TG)
	if err != nil {
		return nil, "", err
	}
	has := slices.Contains(tg.Targets, e.Target)
	switch e.Op {
	case "add":
		if has {
			return nil, "", fmt.Errorf("%s is already a target of %s", e.Target, tg.Name)
		}
		tg.Targets = append(tg.Targets, e.Target)
		return LBTargetEdit{LB: e.LB, Op: "remove", Target: e.Target, TG: e.TG}, fmt.Sprintf("%s: registered %s in %s", e.LB, e.Target, tg.Name), nil
	case "remove":
		if !has {
			return nil, "", fmt.Errorf("%s is not a target of %s (targets: %s)", e.Target, tg.Name, strings.Join(tg.Targets, ", "))
		}
		tg.Targets = slices.DeleteFunc(tg.Targets, func(t string) bool { return t == e.Target })
		if tg.Targets == nil {
			tg.Targets = []string{}
		}
		return LBTargetEdit{LB: e.LB, Op: "add", Target: e.Target, TG: e.TG}, fmt.Sprintf("%s: deregistered %s from %s", e.LB, e.Target, tg.Name), nil
	}
	return nil, "", usagef("lb", "%q is not add or remove", e.Op)
}

func (e LBTargetGroupPortEdit) Apply(s *WorldSpec) (Edit, error) {
	u, _, err := e.apply(s)
	return u, err
}

func (e LBTargetGroupPortEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	if e.TG == "" {
		return nil, "", usagef("lb", "name the target group")
	}
	tg, err := FindTargetGroup(l, e.TG)
	if err != nil {
		return nil, "", err
	}
	if e.Port < 1 || e.Port > 65535 {
		return nil, "", usagef("lb", "port %d is not a number from 1 to 65535", e.Port)
	}
	old := tg.Port
	tg.Port = e.Port
	return LBTargetGroupPortEdit{LB: e.LB, TG: e.TG, Port: old}, fmt.Sprintf("%s: target group %s now sends to port %d (was %d)", e.LB, tg.Name, e.Port, old), nil
}

func (e LBListenerCertEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBListenerCertEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	li, _, err := findListener(l, e.Port)
	if err != nil {
		return nil, "", err
	}
	old := li.Certificate
	li.Certificate = e.Cert
	return LBListenerCertEdit{LB: e.LB, Port: e.Port, Cert: old}, fmt.Sprintf("%s: listener %d now presents certificate %s (was %s)", e.LB, e.Port, orNone(e.Cert), orNone(old)), nil
}

func (e LBListenerActionEdit) Apply(s *WorldSpec) (Edit, error) {
	u, _, err := e.apply(s)
	return u, err
}

func (e LBListenerActionEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	if (e.Forward == "") == (e.Redirect == "") {
		return nil, "", usagef("lb", "a listener forwards to a target group or redirects, one of the two")
	}
	li, _, err := findListener(l, e.Port)
	if err != nil {
		return nil, "", err
	}
	undo := LBListenerActionEdit{LB: e.LB, Port: e.Port, Forward: li.TargetGroup, Redirect: li.Redirect}
	if undo.Redirect != "" {
		undo.Forward = ""
	}
	if undo.Forward == "" && undo.Redirect == "" {
		return nil, "", fmt.Errorf("%s's listener on port %d has no action to change", e.LB, e.Port)
	}
	old := li.TargetGroup
	li.TargetGroup, li.Redirect = e.Forward, e.Redirect
	if e.Redirect != "" {
		return undo, fmt.Sprintf("%s: listener %d now redirects to %s", e.LB, e.Port, e.Redirect), nil
	}
	return undo, fmt.Sprintf("%s: listener %d now forwards to %s (was %s)", e.LB, e.Port, e.Forward, orNone(old)), nil
}

func (e LBListenerAddEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e LBListenerAddEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	li := e.Listener
	if li.Port < 1 || li.Port > 65535 || (li.TargetGroup == "") == (li.Redirect == "") {
		return nil, "", usagef("lb", "a listener needs a port from 1 to 65535 and either forward TG or redirect https")
	}
	if old, _, err := findListener(l, li.Port); err == nil {
		return nil, "", fmt.Errorf("%s already has a listener on port %d (%s); remove it first", e.LB, li.Port, old.Protocol)
	}
	l.Listeners = append(l.Listeners, li)
	return LBListenerRemoveEdit{LB: e.LB, Port: li.Port}, fmt.Sprintf("%s: added listener %s:%d", e.LB, li.Protocol, li.Port), nil
}

func (e LBListenerRemoveEdit) Apply(s *WorldSpec) (Edit, error) {
	u, _, err := e.apply(s)
	return u, err
}

func (e LBListenerRemoveEdit) apply(s *WorldSpec) (Edit, string, error) {
	l, err := lbFor(s, e.LB)
	if err != nil {
		return nil, "", err
	}
	li, i, err := findListener(l, e.Port)
	if err != nil {
		return nil, "", err
	}
	old := *li
	if old.TargetGroup == "" && old.Redirect == "" {
		return nil, "", fmt.Errorf("%s's listener on port %d has no action, so it could not be added back", e.LB, e.Port)
	}
	if old.Redirect != "" {
		old.TargetGroup = ""
	}
	l.Listeners = slices.Delete(l.Listeners, i, i+1)
	if l.Listeners == nil {
		l.Listeners = []ListenerSpec{}
	}
	return LBListenerAddEdit{LB: e.LB, Listener: old}, fmt.Sprintf("%s: removed the listener on port %d", e.LB, e.Port), nil
}
