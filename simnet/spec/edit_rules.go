package spec

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// ---- sg

// SGRuleEdit adds or removes a security group rule:
//
//	sg NAME add|remove ingress PROTO PORTS from SOURCE
//	sg NAME add|remove egress PROTO PORTS to DEST
//
// Rule holds Source for ingress and Destination for egress.
type SGRuleEdit struct {
	Group string
	Op    string // add, remove
	Dir   string // ingress, egress
	Rule  SGRuleSpec
}

func parseSGEdit(w []string) (Edit, error) {
	if len(w) != 8 {
		return nil, wordCount("sg", fmt.Sprintf("a security group rule takes 8 words, not %d", len(w)))
	}
	name, op, dir, protoText, portsText, prep, peer := w[1], w[2], w[3], w[4], w[5], w[6], w[7]
	if err := nameArg("sg", "security group", name); err != nil {
		return nil, err
	}
	if op != "add" && op != "remove" {
		return nil, usagef("sg", "%q is not add or remove", op)
	}
	if dir != "ingress" && dir != "egress" {
		return nil, usagef("sg", "%q is not ingress or egress", dir)
	}
	if dir == "ingress" && prep != "from" || dir == "egress" && prep != "to" {
		return nil, usagef("sg", "an %s rule is written '%s PROTO PORTS %s ...'", dir, dir, map[string]string{"ingress": "from", "egress": "to"}[dir])
	}
	proto, err := protoArg("sg", protoText)
	if err != nil {
		return nil, err
	}
	ports, err := portsArg("sg", proto, portsText)
	if err != nil {
		return nil, err
	}
	if peer == "" {
		return nil, usagef("sg", "the %s is missing: a CIDR or a security group", map[string]string{"ingress": "source", "egress": "destination"}[dir])
	}
	if strings.Contains(peer, "/") {
		p, err := netip.ParsePrefix(peer)
		if err != nil {
			return nil, usagef("sg", "%q is not a CIDR such as 10.0.1.0/24", peer)
		}
		if p.Masked() != p {
			return nil, usagef("sg", "%s has host bits set; did you mean %s?", peer, p.Masked())
		}
	}
	e := SGRuleEdit{Group: name, Op: op, Dir: dir, Rule: SGRuleSpec{Protocol: proto, Ports: ports}}
	if dir == "ingress" {
		e.Rule.Source = peer
	} else {
		e.Rule.Destination = peer
	}
	return e, nil
}

func (e SGRuleEdit) String() string {
	return JoinLine(append([]string{"sg", e.Group, e.Op}, sgRuleWords(e.Dir, e.Rule)...))
}

func sgRuleWords(dir string, r SGRuleSpec) []string {
	proto, _ := normProto(r.Protocol)
	if dir == "ingress" {
		return []string{"ingress", proto, portsText(proto, r.Ports), "from", r.Source}
	}
	return []string{"egress", proto, portsText(proto, r.Ports), "to", r.Destination}
}

// SGRuleText writes a rule as the sg command takes it, after the verb.
func SGRuleText(dir string, r SGRuleSpec) string { return JoinLine(sgRuleWords(dir, r)) }

// sameSGRule reports whether two rules admit the same traffic.
func sameSGRule(a, b SGRuleSpec) bool {
	pa, _ := normProto(a.Protocol)
	pb, _ := normProto(b.Protocol)
	if pa != pb {
		return false
	}
	if pa == "tcp" || pa == "udp" {
		if !sameRange(normPorts(pa, a.Ports), normPorts(pb, b.Ports)) {
			return false
		}
	}
	return samePeer(a.Source, b.Source) && samePeer(a.Destination, b.Destination)
}

// normSGRule writes a rule in the form a command reads back.
func NormSGRule(dir string, r SGRuleSpec) SGRuleSpec {
	proto, _ := normProto(r.Protocol)
	out := SGRuleSpec{Protocol: proto, Ports: normPorts(proto, r.Ports)}
	if dir == "ingress" {
		out.Source = r.Source
	} else {
		out.Destination = r.Destination
	}
	return out
}

func (e SGRuleEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e SGRuleEdit) apply(s *WorldSpec) (Edit, string, error) {
	if e.Op != "add" && e.Op != "remove" || e.Dir != "ingress" && e.Dir != "egress" {
		return nil, "", usagef("sg", "%q: the operation is add or remove, the direction ingress or egress", e.String())
	}
	g := specSG(s, e.Group)
	if g == nil {
		return nil, "", fmt.Errorf("no security group is named %q", e.Group)
	}
	rule := NormSGRule(e.Dir, e.Rule)
	rules := &g.Ingress
	if e.Dir == "egress" {
		rules = &g.Egress
	}
	text := SGRuleText(e.Dir, rule)
	idx := slices.IndexFunc(*rules, func(r SGRuleSpec) bool { return sameSGRule(r, rule) })
	if e.Op == "add" {
		if idx >= 0 {
			return nil, "", fmt.Errorf("%s already has the rule %s", e.Group, text)
		}
		*rules = append(*rules, rule)
		return SGRuleEdit{Group: e.Group, Op: "remove", Dir: e.Dir, Rule: rule}, fmt.Sprintf("%s: added %s", e.Group, text), nil
	}
	if idx < 0 {
		var have []string
		for _, r := range *rules {
			have = append(have, SGRuleText(e.Dir, r))
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		return nil, "", fmt.Errorf("%s has no rule %s; its %s rules: %s", e.Group, text, e.Dir, strings.Join(have, "; "))
	}
	old := (*rules)[idx]
	*rules = slices.Delete(*rules, idx, idx+1)
	if *rules == nil {
		*rules = []SGRuleSpec{}
	}
	return SGRuleEdit{Group: e.Group, Op: "add", Dir: e.Dir, Rule: NormSGRule(e.Dir, old)}, fmt.Sprintf("%s: removed %s", e.Group, text), nil
}

// ---- nacl

// NACLRuleEdit adds or removes a numbered network ACL rule:
//
//	nacl NAME add ingress|egress rule N allow|deny PROTO PORTS CIDR
//	nacl NAME remove ingress|egress rule N
//
// A removal sets only Rule.Rule.
type NACLRuleEdit struct {
	ACL  string
	Op   string // add, remove
	Dir  string // ingress, egress
	Rule ACLRuleSpec
}

func parseNACLEdit(w []string) (Edit, error) {
	if len(w) < 6 || w[4] != "rule" {
		return nil, wordCount("nacl", "write the direction, then 'rule N'")
	}
	name, op, dir := w[1], w[2], w[3]
	if err := nameArg("nacl", "network ACL", name); err != nil {
		return nil, err
	}
	if dir != "ingress" && dir != "egress" {
		return nil, usagef("nacl", "%q is not ingress or egress", dir)
	}
	num, err := strconv.Atoi(w[5])
	if err != nil || num < 1 || num > 32766 {
		return nil, usagef("nacl", "rule number %q is not a number from 1 to 32766", w[5])
	}
	switch {
	case op == "remove" && len(w) == 6:
		return NACLRuleEdit{ACL: name, Op: op, Dir: dir, Rule: ACLRuleSpec{Rule: num}}, nil
	case op == "remove":
		return nil, wordCount("nacl", "a removal names the rule number only")
	case (op == "add" || op == "replace") && len(w) == 10:
		action := strings.ToLower(w[6])
		if action != "allow" && action != "deny" {
			return nil, usagef("nacl", "action %q is not allow or deny", w[6])
		}
		proto, err := protoArg("nacl", w[7])
		if err != nil {
			return nil, err
		}
		ports, err := portsArg("nacl", proto, w[8])
		if err != nil {
			return nil, err
		}
		cidr, err := cidrArg("nacl", w[9], "0.0.0.0/0")
		if err != nil {
			return nil, err
		}
		return NACLRuleEdit{ACL: name, Op: op, Dir: dir, Rule: ACLRuleSpec{Rule: num, Protocol: proto, Ports: ports, CIDR: cidr.Masked().String(), Action: action}}, nil
	case op == "add" || op == "replace":
		return nil, wordCount("nacl", "an added or replaced rule needs allow|deny, PROTO, PORTS and CIDR after its number")
	}
	return nil, usagef("nacl", "%q is not add, replace or remove", op)
}

func (e NACLRuleEdit) String() string {
	if e.Op == "remove" {
		return JoinLine([]string{"nacl", e.ACL, "remove", e.Dir, "rule", strconv.Itoa(e.Rule.Rule)})
	}
	return JoinLine(append([]string{"nacl", e.ACL, e.Op, e.Dir}, aclRuleWords(e.Rule)...))
}

func aclRuleWords(r ACLRuleSpec) []string {
	proto, _ := normProto(r.Protocol)
	return []string{"rule", strconv.Itoa(r.Rule), strings.ToLower(r.Action), proto, portsText(proto, r.Ports), r.CIDR}
}

// ACLRuleText writes a rule as the nacl command takes it, after "add DIR".
func ACLRuleText(r ACLRuleSpec) string { return JoinLine(aclRuleWords(r)) }

func NormACLRule(r ACLRuleSpec) ACLRuleSpec {
	proto, _ := normProto(r.Protocol)
	out := ACLRuleSpec{Rule: r.Rule, Protocol: proto, Ports: normPorts(proto, r.Ports), CIDR: r.CIDR, Action: strings.ToLower(r.Action)}
	if p, err := netip.ParsePrefix(r.CIDR); err == nil {
		out.CIDR = p.Masked().String()
	}
	return out
}

func (e NACLRuleEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e NACLRuleEdit) apply(s *WorldSpec) (Edit, string, error) {
	a := specACL(s, e.ACL)
	if a == nil {
		return nil, "", fmt.Errorf("no network ACL is named %q", e.ACL)
	}
	var rules *[]ACLRuleSpec
	switch e.Dir {
	case "ingress":
		rules = &a.Ingress
	case "egress":
		rules = &a.Egress
	default:
		return nil, "", usagef("nacl", "%q is not ingress or egress", e.Dir)
	}
	num := e.Rule.Rule
	switch e.Op {
	case "remove":
		for i, r := range *rules {
			if r.Rule == num {
				*rules = slices.Delete(*rules, i, i+1)
				if *rules == nil {
					*rules = []ACLRuleSpec{}
				}
				return NACLRuleEdit{ACL: e.ACL, Op: "add", Dir: e.Dir, Rule: NormACLRule(r)}, fmt.Sprintf("%s: removed %s rule %d", e.ACL, e.Dir, num), nil
			}
		}
		nums := "none"
		if len(*rules) > 0 {
			var out []string
			for _, r := range *rules {
				out = append(out, strconv.Itoa(r.Rule))
			}
			nums = strings.Join(out, ", ")
		}
		return nil, "", fmt.Errorf("%s has no %s rule %d; its %s rules: %s", e.ACL, e.Dir, num, e.Dir, nums)
	case "add":
		for _, r := range *rules {
			if r.Rule == num {
				return nil, "", fmt.Errorf("%s already has %s rule %d (%s); remove it first or pick another number", e.ACL, e.Dir, num, ACLRuleText(r))
			}
		}
		r := NormACLRule(e.Rule)
		*rules = append(*rules, r)
		slices.SortStableFunc(*rules, func(a, b ACLRuleSpec) int { return a.Rule - b.Rule })
		return NACLRuleEdit{ACL: e.ACL, Op: "remove", Dir: e.Dir, Rule: ACLRuleSpec{Rule: num}}, fmt.Sprintf("%s: added %s %s", e.ACL, e.Dir, ACLRuleText(r)), nil
	case "replace":
		// As replace-network-acl-entry: the rule keeps its number.
		for i, old := range *rules {
			if old.Rule == num {
				r := NormACLRule(e.Rule)
				(*rules)[i] = r
				return NACLRuleEdit{ACL: e.ACL, Op: "replace", Dir: e.Dir, Rule: NormACLRule(old)},
					fmt.Sprintf("%s: replaced %s rule %d (%s) with %s", e.ACL, e.Dir, num, ACLRuleText(old), ACLRuleText(r)), nil
			}
		}
		return nil, "", fmt.Errorf("%s has no %s rule %d to replace; add it instead (nacl %s add %s rule %d ...)", e.ACL, e.Dir, num, e.ACL, e.Dir, num)
	}
	return nil, "", usagef("nacl", "%q is not add, replace or remove", e.Op)
}

// ---- route

// RouteEdit adds, replaces or removes a route:
//
//	route TABLE add CIDR via TARGET
//	route TABLE replace CIDR via TARGET
//	route TABLE remove CIDR
type RouteEdit struct {
	Table  string
	Op     string // add, replace, remove
	Dest   netip.Prefix
	Target string // empty for remove
	// List: the destination is this prefix list (pl-...) instead of Dest.
	List string
}

func parseRouteEdit(w []string) (Edit, error) {
	if len(w) < 4 {
		return nil, wordCount("route", "name the table, the operation and the destination CIDR")
	}
	table, op := w[1], w[2]
	if err := nameArg("route", "route table", table); err != nil {
		return nil, err
	}
	if op != "add" && op != "replace" && op != "remove" {
		return nil, usagef("route", "%q is not add, replace or remove", op)
	}
	var e RouteEdit
	if strings.HasPrefix(w[3], "pl-") {
		e = RouteEdit{Table: table, Op: op, List: w[3]}
	} else {
		dst, err := cidrArg("route", w[3], "0.0.0.0/0")
		if err != nil {
			return nil, err
		}
		e = RouteEdit{Table: table, Op: op, Dest: dst}
	}
	switch {
	case op == "remove" && len(w) == 4:
	case op == "remove":
		return nil, wordCount("route", "a removal names the destination only")
	case len(w) == 6 && w[4] == "via" && w[5] != "":
		e.Target = w[5]
	default:
		return nil, wordCount("route", fmt.Sprintf("%s needs 'via TARGET' after the destination", op))
	}
	return e, nil
}

func (e RouteEdit) String() string {
	dst := e.Dest.String()
	if e.List != "" {
		dst = e.List
	}
	if e.Op == "remove" {
		return JoinLine([]string{"route", e.Table, "remove", dst})
	}
	return JoinLine([]string{"route", e.Table, e.Op, dst, "via", e.Target})
}

func (e RouteEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e RouteEdit) apply(s *WorldSpec) (Edit, string, error) {
	rt := specRT(s, e.Table)
	if rt == nil {
		return nil, "", fmt.Errorf("no route table is named %q", e.Table)
	}
	if e.List != "" {
		return e.applyList(rt)
	}
	if !e.Dest.IsValid() {
		return nil, "", usagef("route", "the destination is not a CIDR")
	}
	dst := e.Dest
	idx := -1
	for i, r := range rt.Routes {
		if p, err := netip.ParsePrefix(r.Destination); err == nil && p.Masked() == dst.Masked() {
			idx = i
		}
	}
	switch e.Op {
	case "remove":
		if idx < 0 {
			return nil, "", fmt.Errorf("%s has no route for %s; its routes: %s", e.Table, dst, routeList(rt))
		}
		old := rt.Routes[idx]
		rt.Routes = slices.Delete(rt.Routes, idx, idx+1)
		if rt.Routes == nil {
			rt.Routes = []RouteSpec{}
		}
		undo := RouteEdit{Table: e.Table, Op: "add", Dest: dst, Target: old.Target}
		if p, err := netip.ParsePrefix(old.Destination); err == nil {
			undo.Dest = p
		}
		return undo, fmt.Sprintf("%s: removed %s → %s", e.Table, old.Destination, old.Target), nil
	case "add":
		if e.Target == "" {
			return nil, "", usagef("route", "an added route needs 'via TARGET'")
		}
		if idx >= 0 {
			return nil, "", fmt.Errorf("%s already has a route for %s (→ %s); use: route %s replace %s via %s", e.Table, dst, rt.Routes[idx].Target, e.Table, dst, e.Target)
		}
		if !specHasRouteTarget(s, e.Target) {
			return nil, "", routeTargetNotFound(s, e.Target)
		}
		rt.Routes = append(rt.Routes, RouteSpec{Destination: dst.Masked().String(), Target: e.Target})
		return RouteEdit{Table: e.Table, Op: "remove", Dest: dst.Masked()}, fmt.Sprintf("%s: added %s → %s", e.Table, dst.Masked(), e.Target), nil
	case "replace":
		if e.Target == "" {
			return nil, "", usagef("route", "a replaced route needs 'via TARGET'")
		}
		if idx < 0 {
			return nil, "", fmt.Errorf("%s has no route for %s to replace; use: route %s add %s via %s", e.Table, dst, e.Table, dst, e.Target)
		}
		if !specHasRouteTarget(s, e.Target) {
			return nil, "", routeTargetNotFound(s, e.Target)
		}
		old := rt.Routes[idx].Target
		rt.Routes[idx].Target = e.Target
		return RouteEdit{Table: e.Table, Op: "replace", Dest: dst, Target: old}, fmt.Sprintf("%s: %s now → %s (was %s)", e.Table, rt.Routes[idx].Destination, e.Target, old), nil
	}
	return nil, "", usagef("route", "%q is not add, replace or remove", e.Op)
}

func routeList(rt *RouteTableSpec) string {
	if len(rt.Routes) == 0 {
		return "only the implicit local route"
	}
	var out []string
	for _, r := range rt.Routes {
		out = append(out, r.Destination+" → "+r.Target)
	}
	return strings.Join(out, ", ")
}

// ---- service

// ServiceEdit starts, stops, rebinds or moves a service:
//
//	service HOST NAME start|stop
//	service HOST NAME bind ADDR
//	service HOST NAME port N
//	service HOST NAME reply-from asked|primary
type ServiceEdit struct {
	Host      string
	Service   string
	Op        string // start, stop, bind, port, reply-from
	Bind      string // for bind
	Port      int    // for port
	ReplyFrom string // for reply-from (spec_linux.go)
}

func parseServiceEdit(w []string) (Edit, error) {
	if len(w) < 4 {
		return nil, wordCount("service", "name the host, the service and what to do")
	}
	e := ServiceEdit{Host: w[1], Service: w[2], Op: w[3]}
	if err := nameArg("service", "host", e.Host); err != nil {
		return nil, err
	}
	switch {
	case (e.Op == "start" || e.Op == "stop") && len(w) == 4:
	case e.Op == "bind" && len(w) == 5:
		arg := w[4]
		switch arg {
		case "localhost":
			arg = "127.0.0.1"
		case "*":
			arg = "0.0.0.0"
		}
		if _, err := netip.ParseAddr(arg); err != nil {
			return nil, usagef("service", "bind %q: give an address such as 0.0.0.0 or 127.0.0.1", w[4])
		}
		e.Bind = arg
	case e.Op == "port" && len(w) == 5:
		n, err := portArg("service", w[4])
		if err != nil {
			return nil, err
		}
		e.Port = n
	case e.Op == "reply-from" && len(w) == 5:
		if w[4] != ReplyFromAsked && w[4] != ReplyFromPrimary {
			return nil, usagef("service", "reply-from %q: give asked (answers leave from the address asked) or primary (from the primary address)", w[4])
		}
		e.ReplyFrom = w[4]
	case e.Op == "start" || e.Op == "stop" || e.Op == "bind" || e.Op == "port" || e.Op == "reply-from":
		return nil, wordCount("service", fmt.Sprintf("%s takes %s", e.Op, map[string]string{"start": "nothing more", "stop": "nothing more", "bind": "one address", "port": "one port", "reply-from": "asked or primary"}[e.Op]))
	default:
		return nil, usagef("service", "%q is not start, stop, bind, port or reply-from", e.Op)
	}
	return e, nil
}

func (e ServiceEdit) String() string {
	w := []string{"service", e.Host, e.Service, e.Op}
	switch e.Op {
	case "bind":
		w = append(w, e.Bind)
	case "port":
		w = append(w, strconv.Itoa(e.Port))
	case "reply-from":
		w = append(w, e.ReplyFrom)
	}
	return JoinLine(w)
}

func (e ServiceEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

func (e ServiceEdit) apply(s *WorldSpec) (Edit, string, error) {
	svcs, _ := specHost(s, e.Host)
	if svcs == nil {
		return nil, "", fmt.Errorf("no instance or server is named %q", e.Host)
	}
	var sv *ServiceSpec
	for i := range *svcs {
		if (*svcs)[i].Name == e.Service {
			sv = &(*svcs)[i]
		}
	}
	if sv == nil {
		var have []string
		for _, x := range *svcs {
			have = append(have, x.Name)
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		return nil, "", fmt.Errorf("%s has no service %q; its services: %s", e.Host, e.Service, strings.Join(have, ", "))
	}
	undo := ServiceEdit{Host: e.Host, Service: e.Service}
	switch e.Op {
	case "start", "stop":
		on := e.Op == "start"
		if sv.IsRunning() == on {
			return nil, "", fmt.Errorf("service %s on %s is already %s", e.Service, e.Host, map[bool]string{true: "running", false: "stopped"}[on])
		}
		sv.Running = &on
		undo.Op = map[bool]string{true: "stop", false: "start"}[on]
		return undo, fmt.Sprintf("%s: service %s %s", e.Host, e.Service, map[bool]string{true: "started", false: "stopped"}[on]), nil
	case "bind":
		if _, err := netip.ParseAddr(e.Bind); err != nil {
			return nil, "", usagef("service", "bind %q: give an address such as 0.0.0.0 or 127.0.0.1", e.Bind)
		}
		old := sv.Bind
		if old == "" {
			old = "0.0.0.0"
		}
		sv.Bind = e.Bind
		undo.Op, undo.Bind = "bind", old
		return undo, fmt.Sprintf("%s: service %s now listens on %s:%d", e.Host, e.Service, e.Bind, sv.Port), nil
	case "port":
		if e.Port < 1 || e.Port > 65535 {
			return nil, "", usagef("service", "port %d is not a number from 1 to 65535", e.Port)
		}
		old := sv.Port
		sv.Port = e.Port
		undo.Op, undo.Port = "port", old
		return undo, fmt.Sprintf("%s: service %s now listens on port %d (was %d)", e.Host, e.Service, e.Port, old), nil
	case "reply-from":
		if e.ReplyFrom != ReplyFromAsked && e.ReplyFrom != ReplyFromPrimary {
			return nil, "", usagef("service", "reply-from %q: give asked (answers leave from the address asked) or primary (from the primary address)", e.ReplyFrom)
		}
		old := sv.ReplyFrom
		if old == "" {
			old = ReplyFromAsked
		}
		if old == e.ReplyFrom {
			return nil, "", fmt.Errorf("service %s on %s already answers from the %s address", e.Service, e.Host, map[string]string{ReplyFromAsked: "asked", ReplyFromPrimary: "primary"}[old])
		}
		sv.ReplyFrom = e.ReplyFrom
		undo.Op, undo.ReplyFrom = "reply-from", old
		return undo, fmt.Sprintf("%s: service %s now answers from %s", e.Host, e.Service, map[string]string{ReplyFromAsked: "the address asked", ReplyFromPrimary: "the primary address"}[e.ReplyFrom]), nil
	}
	return nil, "", usagef("service", "%q is not start, stop, bind, port or reply-from", e.Op)
}

// ---- firewall

// FirewallEdit removes a host firewall rule by its number, counted over
// the whole firewall or within one chain, or inserts one at a number of
// the whole firewall:
//
//	firewall HOST remove [input|output] N
//	firewall HOST insert N input|output PROTO PORTS [from CIDR] [to CIDR] accept|drop|reject
type FirewallEdit struct {
	Host  string
	Op    string // remove, insert
	Chain string // remove: the chain N counts in; empty for the whole firewall
	Num   int
	Rule  FirewallRuleSpec // insert
}

func parseFirewallEdit(w []string) (Edit, error) {
	if len(w) < 4 {
		return nil, wordCount("firewall", "name the host, then remove or insert and a rule number")
	}
	e := FirewallEdit{Host: w[1], Op: w[2]}
	if err := nameArg("firewall", "host", e.Host); err != nil {
		return nil, err
	}
	num := func(text string) (int, error) {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return 0, usagef("firewall", "rule number %q is not a positive number", text)
		}
		return n, nil
	}
	var err error
	switch e.Op {
	case "remove":
		numText := w[3]
		switch len(w) {
		case 4:
		case 5:
			e.Chain = strings.ToLower(w[3])
			if e.Chain != "input" && e.Chain != "output" {
				return nil, usagef("firewall", "chain %q is not input or output", w[3])
			}
			numText = w[4]
		default:
			return nil, wordCount("firewall", "a removal names [CHAIN] N only")
		}
		if e.Num, err = num(numText); err != nil {
			return nil, err
		}
		return e, nil
	case "insert", "replace":
		if len(w) < 8 {
			return nil, wordCount("firewall", "an inserted or replaced rule needs N, CHAIN, PROTO, PORTS and an action")
		}
		if e.Num, err = num(w[3]); err != nil {
			return nil, err
		}
		r := FirewallRuleSpec{Chain: strings.ToLower(w[4])}
		if r.Chain != "input" && r.Chain != "output" {
			return nil, usagef("firewall", "chain %q is not input or output", w[4])
		}
		if r.Protocol, err = protoArg("firewall", w[5]); err != nil {
			return nil, err
		}
		if r.Port, err = portsArg("firewall", r.Protocol, w[6]); err != nil {
			return nil, err
		}
		if r.Protocol == "tcp" || r.Protocol == "udp" {
			if r.Port.Text == "0-65535" {
				r.Port = Ports{}
			}
		}
		rest := w[7:]
		for len(rest) > 1 {
			kw, val := rest[0], rest[1]
			if kw != "from" && kw != "to" {
				break
			}
			if _, err := netip.ParsePrefix(val); err != nil {
				if _, err := netip.ParseAddr(val); err != nil {
					return nil, usagef("firewall", "%s %q: give an address or a CIDR", kw, val)
				}
			}
			if kw == "from" && r.Source == "" {
				r.Source = val
			} else if kw == "to" && r.Destination == "" {
				r.Destination = val
			} else {
				return nil, usagef("firewall", "%s is given twice", kw)
			}
			rest = rest[2:]
		}
		if len(rest) != 1 {
			return nil, wordCount("firewall", "the rule ends with its action: accept, drop or reject")
		}
		r.Action = strings.ToLower(rest[0])
		if r.Action != "accept" && r.Action != "drop" && r.Action != "reject" {
			return nil, usagef("firewall", "action %q is not accept, drop or reject", rest[0])
		}
		e.Rule = r
		return e, nil
	}
	return nil, usagef("firewall", "%q is not remove, insert or replace", e.Op)
}

func (e FirewallEdit) String() string {
	if e.Op == "insert" || e.Op == "replace" {
		r := e.Rule
		proto, _ := normProto(r.Protocol)
		w := []string{"firewall", e.Host, e.Op, strconv.Itoa(e.Num), strings.ToLower(r.Chain), proto, portsText(proto, r.Port)}
		if r.Source != "" {
			w = append(w, "from", r.Source)
		}
		if r.Destination != "" {
			w = append(w, "to", r.Destination)
		}
		return JoinLine(append(w, strings.ToLower(r.Action)))
	}
	w := []string{"firewall", e.Host, e.Op}
	if e.Chain != "" {
		w = append(w, e.Chain)
	}
	return JoinLine(append(w, strconv.Itoa(e.Num)))
}

func (e FirewallEdit) Apply(s *WorldSpec) (Edit, error) { u, _, err := e.apply(s); return u, err }

// normFirewallRule writes a rule in the form the insert command reads.
func NormFirewallRule(r FirewallRuleSpec) FirewallRuleSpec {
	proto, _ := normProto(r.Protocol)
	out := FirewallRuleSpec{Chain: strings.ToLower(r.Chain), Protocol: proto, Source: r.Source, Destination: r.Destination, Action: strings.ToLower(r.Action)}
	if proto == "tcp" || proto == "udp" {
		if p := normPorts(proto, r.Port); p.Text != "0-65535" {
			out.Port = p
		}
	}
	return out
}

func (e FirewallEdit) apply(s *WorldSpec) (Edit, string, error) {
	_, fw := specHost(s, e.Host)
	if fw == nil {
		return nil, "", fmt.Errorf("no instance or server is named %q", e.Host)
	}
	if e.Num < 1 {
		return nil, "", usagef("firewall", "rule number %d is not a positive number", e.Num)
	}
	switch e.Op {
	case "insert":
		if e.Num > len(*fw)+1 {
			return nil, "", fmt.Errorf("%s's firewall has %d rules: a rule can go at 1 to %d", e.Host, len(*fw), len(*fw)+1)
		}
		r := NormFirewallRule(e.Rule)
		if r.Chain != "input" && r.Chain != "output" {
			return nil, "", usagef("firewall", "chain %q is not input or output", r.Chain)
		}
		*fw = slices.Insert(*fw, e.Num-1, r)
		return FirewallEdit{Host: e.Host, Op: "remove", Num: e.Num}, fmt.Sprintf("%s: inserted firewall rule %s at %d (%s)", e.Host, FirewallRuleText(r), e.Num, iptablesLine(*fw, e.Num-1)), nil
	case "replace":
		// As iptables -R: the rule at N (counted over the whole
		// firewall, as insert counts) is replaced in place.
		if e.Num > len(*fw) {
			return nil, "", fmt.Errorf("%s's firewall has %d rules, not %d", e.Host, len(*fw), e.Num)
		}
		r := NormFirewallRule(e.Rule)
		if r.Chain != "input" && r.Chain != "output" {
			return nil, "", usagef("firewall", "chain %q is not input or output", r.Chain)
		}
		old := NormFirewallRule((*fw)[e.Num-1])
		(*fw)[e.Num-1] = r
		return FirewallEdit{Host: e.Host, Op: "replace", Num: e.Num, Rule: old},
			fmt.Sprintf("%s: replaced firewall rule %d (%s) with %s (%s)", e.Host, e.Num, FirewallRuleText(old), FirewallRuleText(r), iptablesLine(*fw, e.Num-1)), nil
	case "remove":
		chain := strings.ToLower(e.Chain)
		idx, k := -1, 0
		for i, r := range *fw {
			if chain == "" || strings.EqualFold(r.Chain, chain) {
				k++
				if k == e.Num {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			if chain != "" {
				return nil, "", fmt.Errorf("%s's %s chain has %d rules, not %d", e.Host, strings.ToUpper(chain), k, e.Num)
			}
			return nil, "", fmt.Errorf("%s's firewall has %d rules, not %d", e.Host, len(*fw), e.Num)
		}
		old := (*fw)[idx]
		was := iptablesLine(*fw, idx)
		*fw = slices.Delete(*fw, idx, idx+1)
		return FirewallEdit{Host: e.Host, Op: "insert", Num: idx + 1, Rule: NormFirewallRule(old)}, fmt.Sprintf("%s: removed firewall rule %s (it was %s)", e.Host, FirewallRuleText(old), was), nil
	}
	return nil, "", usagef("firewall", "%q is not remove or insert", e.Op)
}

// iptablesLine says where the rule at fw[idx] is in iptables' own numbering:
// an edit's N counts the host's rules over both chains, while iptables -L
// --line-numbers counts each chain apart, after the connection-tracking
// rule the host has at line 1 of each (the shell and the lab list it).
func iptablesLine(fw []FirewallRuleSpec, idx int) string {
	chain := fw[idx].Chain
	line := 1
	for _, r := range fw[:idx+1] {
		if strings.EqualFold(r.Chain, chain) {
			line++
		}
	}
	return fmt.Sprintf("line %d of iptables -L %s --line-numbers", line, strings.ToUpper(chain))
}

// FirewallRuleText writes a host firewall rule as iptables -S would.
func FirewallRuleText(r FirewallRuleSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-A %s", strings.ToUpper(r.Chain))
	if r.Source != "" {
		fmt.Fprintf(&b, " -s %s", r.Source)
	}
	if r.Destination != "" {
		fmt.Fprintf(&b, " -d %s", r.Destination)
	}
	p := strings.ToLower(r.Protocol)
	if p != "all" && p != "" {
		fmt.Fprintf(&b, " -p %s", p)
		if !r.Port.IsZero() && p != "icmp" {
			fmt.Fprintf(&b, " -m %s --dport %s", p, strings.ReplaceAll(r.Port.Text, "-", ":"))
		}
	}
	fmt.Fprintf(&b, " -j %s", strings.ToUpper(r.Action))
	if strings.EqualFold(r.Action, "reject") {
		b.WriteString(" --reject-with icmp-port-unreachable")
	}
	return b.String()
}

// SameSGRule reports whether two security group rules admit the same
// traffic, however they are written.
func SameSGRule(a, b SGRuleSpec) bool { return sameSGRule(a, b) }

// NormProto reads a protocol as the commands take it (tcp, udp, icmp or
// all; -1 is all); false when it is none of them.
func NormProto(p string) (string, bool) { return normProto(p) }

// applyList applies a route edit whose destination is a prefix list.
func (e RouteEdit) applyList(rt *RouteTableSpec) (Edit, string, error) {
	idx := slices.IndexFunc(rt.Routes, func(r RouteSpec) bool { return r.Destination == e.List })
	switch e.Op {
	case "remove":
		if idx < 0 {
			return nil, "", fmt.Errorf("%s has no route for %s; its routes: %s", e.Table, e.List, routeList(rt))
		}
		old := rt.Routes[idx]
		rt.Routes = slices.Delete(rt.Routes, idx, idx+1)
		if rt.Routes == nil {
			rt.Routes = []RouteSpec{}
		}
		return RouteEdit{Table: e.Table, Op: "add", List: e.List, Target: old.Target}, fmt.Sprintf("%s: removed %s → %s", e.Table, e.List, old.Target), nil
	case "add":
		if e.Target == "" {
			return nil, "", usagef("route", "an added route needs 'via TARGET'")
		}
		if idx >= 0 {
			return nil, "", fmt.Errorf("%s already has a route for %s (→ %s)", e.Table, e.List, rt.Routes[idx].Target)
		}
		rt.Routes = append(rt.Routes, RouteSpec{Destination: e.List, Target: e.Target})
		return RouteEdit{Table: e.Table, Op: "remove", List: e.List}, fmt.Sprintf("%s: added %s → %s", e.Table, e.List, e.Target), nil
	case "replace":
		if e.Target == "" {
			return nil, "", usagef("route", "a replaced route needs 'via TARGET'")
		}
		if idx < 0 {
			return nil, "", fmt.Errorf("%s has no route for %s to replace", e.Table, e.List)
		}
		old := rt.Routes[idx].Target
		rt.Routes[idx].Target = e.Target
		return RouteEdit{Table: e.Table, Op: "replace", List: e.List, Target: old}, fmt.Sprintf("%s: %s now → %s (was %s)", e.Table, e.List, e.Target, old), nil
	}
	return nil, "", usagef("route", "%q is not add, replace or remove", e.Op)
}
