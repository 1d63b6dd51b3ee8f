package scenarios

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pathlab/pathlab/simnet"
)

// ErrUsage is wrapped by every error about a fix command written wrongly
// (as opposed to one that names something the world lacks).
var ErrUsage = errors.New("usage")

// Fix is one fix command, parsed: an edit to a world spec, in the words a
// learner types in the play shell ("sg sg-app add ingress tcp 8080 from
// sg-lb"). Faults state their reference fixes in the same language, so the
// library proves itself through the commands a learner has.
type Fix struct {
	Words []string
	apply func(s *simnet.WorldSpec) (string, error)
}

// String returns the command as a line.
func (f *Fix) String() string { return JoinLine(f.Words) }

// Apply edits s in place and says what it changed. It does not validate
// the result as a whole; ApplyFix does.
func (f *Fix) Apply(s *simnet.WorldSpec) (string, error) { return f.apply(s) }

// FixUsage is the usage line of each fix verb.
var FixUsage = map[string][]string{
	"sg": {
		"sg NAME add|remove ingress PROTO PORTS from SOURCE",
		"sg NAME add|remove egress PROTO PORTS to DEST",
	},
	"nacl": {
		"nacl NAME add ingress|egress rule N allow|deny PROTO PORTS CIDR",
		"nacl NAME remove ingress|egress rule N",
	},
	"route": {
		"route TABLE add CIDR via TARGET",
		"route TABLE replace CIDR via TARGET",
		"route TABLE remove CIDR",
	},
	"service": {"service HOST NAME start|stop|bind ADDR|port N"},
	"firewall": {
		"firewall HOST remove N",
		"firewall HOST remove input|output N",
	},
	"dns": {
		"dns ZONE set NAME TYPE VALUE [VALUE...]",
		"dns ZONE remove NAME TYPE",
		"dns ZONE delegate NSNAME IP [NSNAME IP...]",
		"dns ZONE associate|disassociate VPC",
	},
	"lb": {
		"lb NAME health-check path|port VALUE [TARGET_GROUP]",
		"lb NAME target add|remove INSTANCE [TARGET_GROUP]",
		"lb NAME target-group TG port N",
		"lb NAME listener PORT certificate CERT",
		"lb NAME listener PORT forward TARGET_GROUP",
		"lb NAME listener add PORT PROTO forward TARGET_GROUP [certificate CERT]",
		"lb NAME listener add PORT http redirect https",
		"lb NAME listener remove PORT",
	},
	"cert": {"cert NAME renew [DOMAIN...]"},
	"peering": {
		"peering create NAME VPC VPC",
		"peering NAME accept|delete",
	},
}

// FixVerbs lists the fix verbs in the order help shows them.
var FixVerbs = []string{"sg", "nacl", "route", "service", "firewall", "dns", "lb", "cert", "peering"}

// IsFixVerb reports whether a command word starts a fix command.
func IsFixVerb(w string) bool { return slices.Contains(FixVerbs, w) }

func usage(verb string) error {
	return fmt.Errorf("%w: %s", ErrUsage, strings.Join(FixUsage[verb], "\n       "))
}

// ParseFix reads a fix command's words. It checks the form only; names
// are checked against a world when the fix is applied.
func ParseFix(words []string) (*Fix, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("%w: an empty command", ErrUsage)
	}
	f := &Fix{Words: slices.Clone(words)}
	var err error
	switch words[0] {
	case "sg":
		f.apply, err = parseSG(words)
	case "nacl":
		f.apply, err = parseNACL(words)
	case "route":
		f.apply, err = parseRoute(words)
	case "service":
		f.apply, err = parseService(words)
	case "firewall":
		f.apply, err = parseFirewall(words)
	case "dns":
		f.apply, err = parseDNS(words)
	case "lb":
		f.apply, err = parseLB(words)
	case "cert":
		f.apply, err = parseCert(words)
	case "peering":
		f.apply, err = parsePeering(words)
	default:
		return nil, fmt.Errorf("%w: %q is not a fix command; fix commands: %s", ErrUsage, words[0], strings.Join(FixVerbs, ", "))
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ParseFixLine splits and parses one fix command line.
func ParseFixLine(line string) (*Fix, error) {
	words, err := SplitLine(line)
	if err != nil {
		return nil, err
	}
	return ParseFix(words)
}

// ApplyFix applies a fix to a copy of spec and validates the result as a
// whole. On any error spec is untouched and the returned spec is nil.
func ApplyFix(spec *simnet.WorldSpec, f *Fix) (*simnet.WorldSpec, string, error) {
	next := spec.Clone()
	msg, err := f.Apply(next)
	if err != nil {
		return nil, "", err
	}
	if _, err := simnet.Compile(next); err != nil {
		return nil, "", invalidResult(err)
	}
	return next, msg, nil
}

// invalidResult words a validation failure of an edited world.
func invalidResult(err error) error {
	var se *simnet.Error
	if !errors.As(err, &se) {
		return err
	}
	var b strings.Builder
	b.WriteString("the world would not be valid, so nothing changed:")
	for _, p := range se.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Msg)
	}
	return &ValidationError{Msg: b.String(), Err: err}
}

// ValidationError is a fix refused because the edited world would not
// validate.
type ValidationError struct {
	Msg string
	Err error
}

func (e *ValidationError) Error() string { return e.Msg }
func (e *ValidationError) Unwrap() error { return e.Err }

// ---- sg

func normProto(p string) (string, bool) {
	p = strings.ToLower(p)
	switch p {
	case "tcp", "udp", "icmp", "all":
		return p, true
	case "-1":
		return "all", true
	}
	return "", false
}

// portsArg reads PORTS for a protocol: a number, a range, or all.
func portsArg(verb, proto, text string) (simnet.Ports, error) {
	if proto == "all" || proto == "icmp" {
		if text != "all" && text != "-" && text != "0-65535" {
			return simnet.Ports{}, fmt.Errorf("%w: protocol %s has no ports; write %s all", ErrUsage, proto, proto)
		}
		return simnet.Ports{}, nil
	}
	if text == "all" {
		return simnet.Ports{Text: "0-65535"}, nil
	}
	if strings.HasPrefix(text, "-") {
		// -1 means every port only in AWS's API, and only for protocol all
		// or icmp; here it would silently open 0-65535.
		return simnet.Ports{}, fmt.Errorf("%w: port %s is not a port; give a number from 1 to 65535, a range such as 1024-65535, or all", ErrUsage, text)
	}
	lo, hi, err := simnet.Ports{Text: text}.Range()
	if err != nil {
		return simnet.Ports{}, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if lo == 0 && hi == 0 {
		return simnet.Ports{}, fmt.Errorf("%w: port 0 is not a port", ErrUsage)
	}
	return simnet.PortsOf(lo, hi), nil
}

func parseSG(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) != 8 {
		return nil, usage("sg")
	}
	name, op, dir, protoText, portsText, prep, peer := w[1], w[2], w[3], w[4], w[5], w[6], w[7]
	if op != "add" && op != "remove" {
		return nil, usage("sg")
	}
	if dir != "ingress" && dir != "egress" {
		return nil, usage("sg")
	}
	if dir == "ingress" && prep != "from" || dir == "egress" && prep != "to" {
		return nil, fmt.Errorf("%w: an %s rule is written '%s PROTO PORTS %s ...'", ErrUsage, dir, dir, map[string]string{"ingress": "from", "egress": "to"}[dir])
	}
	proto, ok := normProto(protoText)
	if !ok {
		return nil, fmt.Errorf("%w: protocol %q is not tcp, udp, icmp or all", ErrUsage, protoText)
	}
	ports, err := portsArg("sg", proto, portsText)
	if err != nil {
		return nil, err
	}
	if peer == "" {
		return nil, usage("sg")
	}
	if strings.Contains(peer, "/") {
		p, err := netip.ParsePrefix(peer)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not a CIDR such as 10.0.1.0/24", ErrUsage, peer)
		}
		if p.Masked() != p {
			return nil, fmt.Errorf("%w: %s has host bits set; did you mean %s?", ErrUsage, peer, p.Masked())
		}
	}
	return func(s *simnet.WorldSpec) (string, error) {
		g, _ := findSG(s, name)
		if g == nil {
			return "", fmt.Errorf("no security group is named %q", name)
		}
		rule := simnet.SGRuleSpec{Protocol: proto, Ports: ports}
		rules := &g.Ingress
		if dir == "ingress" {
			rule.Source = peer
		} else {
			rule.Destination = peer
			rules = &g.Egress
		}
		text := sgRuleText(dir, rule)
		idx := -1
		for i, r := range *rules {
			if sameSGRule(r, rule) {
				idx = i
				break
			}
		}
		if op == "add" {
			if idx >= 0 {
				return "", fmt.Errorf("%s already has the rule %s", name, text)
			}
			*rules = append(*rules, rule)
			return fmt.Sprintf("%s: added %s", name, text), nil
		}
		if idx < 0 {
			var have []string
			for _, r := range *rules {
				have = append(have, sgRuleText(dir, r))
			}
			if len(have) == 0 {
				have = []string{"none"}
			}
			return "", fmt.Errorf("%s has no rule %s; its %s rules: %s", name, text, dir, strings.Join(have, "; "))
		}
		*rules = slices.Delete(*rules, idx, idx+1)
		return fmt.Sprintf("%s: removed %s", name, text), nil
	}, nil
}

func sameSGRule(a, b simnet.SGRuleSpec) bool {
	pa, _ := normProto(a.Protocol)
	pb, _ := normProto(b.Protocol)
	if pa != pb {
		return false
	}
	if pa == "tcp" || pa == "udp" {
		if !sameRange(a.Ports, b.Ports) {
			return false
		}
	}
	return samePeer(a.Source, b.Source) && samePeer(a.Destination, b.Destination)
}

func samePeer(a, b string) bool {
	if a == b {
		return true
	}
	pa, err1 := netip.ParsePrefix(a)
	pb, err2 := netip.ParsePrefix(b)
	return err1 == nil && err2 == nil && pa.Masked() == pb.Masked()
}

// sgRuleText writes a rule as the sg command takes it.
func sgRuleText(dir string, r simnet.SGRuleSpec) string {
	proto, _ := normProto(r.Protocol)
	ports := "all"
	if (proto == "tcp" || proto == "udp") && !r.Ports.IsZero() {
		ports = r.Ports.Text
	}
	if dir == "ingress" {
		return fmt.Sprintf("ingress %s %s from %s", proto, ports, r.Source)
	}
	return fmt.Sprintf("egress %s %s to %s", proto, ports, r.Destination)
}

// SGFix is the fix command that adds or removes a security group rule.
func sgFix(op, group, dir string, r simnet.SGRuleSpec) string {
	return fmt.Sprintf("sg %s %s %s", group, op, sgRuleText(dir, r))
}

// ---- nacl

func parseNACL(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 6 || w[4] != "rule" {
		return nil, usage("nacl")
	}
	name, op, dir := w[1], w[2], w[3]
	if dir != "ingress" && dir != "egress" {
		return nil, usage("nacl")
	}
	num, err := strconv.Atoi(w[5])
	if err != nil || num < 1 || num > 32766 {
		return nil, fmt.Errorf("%w: rule number %q is not a number from 1 to 32766", ErrUsage, w[5])
	}
	switch {
	case op == "remove" && len(w) == 6:
		return func(s *simnet.WorldSpec) (string, error) {
			a, _ := findACL(s, name)
			if a == nil {
				return "", fmt.Errorf("no network ACL is named %q", name)
			}
			rules := aclRules(a, dir)
			for i, r := range *rules {
				if r.Rule == num {
					*rules = slices.Delete(*rules, i, i+1)
					return fmt.Sprintf("%s: removed %s rule %d", name, dir, num), nil
				}
			}
			return "", fmt.Errorf("%s has no %s rule %d; its %s rules: %s", name, dir, num, dir, aclRuleNums(*rules))
		}, nil
	case op == "add" && len(w) == 10:
		action := strings.ToLower(w[6])
		if action != "allow" && action != "deny" {
			return nil, fmt.Errorf("%w: action %q is not allow or deny", ErrUsage, w[6])
		}
		proto, ok := normProto(w[7])
		if !ok {
			return nil, fmt.Errorf("%w: protocol %q is not tcp, udp, icmp or all", ErrUsage, w[7])
		}
		ports, err := portsArg("nacl", proto, w[8])
		if err != nil {
			return nil, err
		}
		cidr, err := netip.ParsePrefix(w[9])
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not a CIDR such as 0.0.0.0/0", ErrUsage, w[9])
		}
		return func(s *simnet.WorldSpec) (string, error) {
			a, _ := findACL(s, name)
			if a == nil {
				return "", fmt.Errorf("no network ACL is named %q", name)
			}
			rules := aclRules(a, dir)
			for _, r := range *rules {
				if r.Rule == num {
					return "", fmt.Errorf("%s already has %s rule %d (%s); remove it first or pick another number", name, dir, num, aclRuleText(r))
				}
			}
			r := simnet.ACLRuleSpec{Rule: num, Protocol: proto, Ports: ports, CIDR: cidr.Masked().String(), Action: action}
			*rules = append(*rules, r)
			slices.SortStableFunc(*rules, func(a, b simnet.ACLRuleSpec) int { return a.Rule - b.Rule })
			return fmt.Sprintf("%s: added %s %s", name, dir, aclRuleText(r)), nil
		}, nil
	}
	return nil, usage("nacl")
}

func aclRules(a *simnet.ACLSpec, dir string) *[]simnet.ACLRuleSpec {
	if dir == "ingress" {
		return &a.Ingress
	}
	return &a.Egress
}

func aclRuleNums(rs []simnet.ACLRuleSpec) string {
	if len(rs) == 0 {
		return "none"
	}
	var out []string
	for _, r := range rs {
		out = append(out, strconv.Itoa(r.Rule))
	}
	return strings.Join(out, ", ")
}

// aclRuleText writes a rule as the nacl command takes it, after "add DIR".
func aclRuleText(r simnet.ACLRuleSpec) string {
	proto, _ := normProto(r.Protocol)
	ports := "all"
	if (proto == "tcp" || proto == "udp") && !r.Ports.IsZero() {
		ports = r.Ports.Text
	}
	return fmt.Sprintf("rule %d %s %s %s %s", r.Rule, strings.ToLower(r.Action), proto, ports, r.CIDR)
}

func naclAddFix(acl, dir string, r simnet.ACLRuleSpec) string {
	return fmt.Sprintf("nacl %s add %s %s", acl, dir, aclRuleText(r))
}

// ---- route

func parseRoute(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 4 {
		return nil, usage("route")
	}
	table, op := w[1], w[2]
	dst, err := netip.ParsePrefix(w[3])
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a CIDR such as 0.0.0.0/0", ErrUsage, w[3])
	}
	var target string
	switch {
	case op == "remove" && len(w) == 4:
	case (op == "add" || op == "replace") && len(w) == 6 && w[4] == "via":
		target = w[5]
	default:
		return nil, usage("route")
	}
	return func(s *simnet.WorldSpec) (string, error) {
		rt, _ := findRT(s, table)
		if rt == nil {
			return "", fmt.Errorf("no route table is named %q", table)
		}
		idx := -1
		for i, r := range rt.Routes {
			if p, err := netip.ParsePrefix(r.Destination); err == nil && p.Masked() == dst.Masked() {
				idx = i
			}
		}
		switch op {
		case "remove":
			if idx < 0 {
				return "", fmt.Errorf("%s has no route for %s; its routes: %s", table, dst, routeList(rt))
			}
			old := rt.Routes[idx]
			rt.Routes = slices.Delete(rt.Routes, idx, idx+1)
			return fmt.Sprintf("%s: removed %s → %s", table, old.Destination, old.Target), nil
		case "add":
			if idx >= 0 {
				return "", fmt.Errorf("%s already has a route for %s (→ %s); use: route %s replace %s via %s", table, dst, rt.Routes[idx].Target, table, dst, target)
			}
			rt.Routes = append(rt.Routes, simnet.RouteSpec{Destination: dst.Masked().String(), Target: target})
			return fmt.Sprintf("%s: added %s → %s", table, dst.Masked(), target), nil
		default:
			if idx < 0 {
				return "", fmt.Errorf("%s has no route for %s to replace; use: route %s add %s via %s", table, dst, table, dst, target)
			}
			old := rt.Routes[idx].Target
			rt.Routes[idx].Target = target
			return fmt.Sprintf("%s: %s now → %s (was %s)", table, rt.Routes[idx].Destination, target, old), nil
		}
	}, nil
}

func routeList(rt *simnet.RouteTableSpec) string {
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

func parseService(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 4 {
		return nil, usage("service")
	}
	host, name, op := w[1], w[2], w[3]
	var arg string
	switch {
	case (op == "start" || op == "stop") && len(w) == 4:
	case op == "bind" && len(w) == 5:
		arg = w[4]
		if arg == "localhost" {
			arg = "127.0.0.1"
		}
		if arg != "0.0.0.0" && arg != "*" {
			if _, err := netip.ParseAddr(arg); err != nil {
				return nil, fmt.Errorf("%w: bind %q: give an address such as 0.0.0.0 or 127.0.0.1", ErrUsage, w[4])
			}
		}
		if arg == "*" {
			arg = "0.0.0.0"
		}
	case op == "port" && len(w) == 5:
		n, err := strconv.Atoi(w[4])
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrUsage, w[4])
		}
		arg = w[4]
	default:
		return nil, usage("service")
	}
	return func(s *simnet.WorldSpec) (string, error) {
		svcs, _ := hostParts(s, host)
		if svcs == nil {
			return "", fmt.Errorf("no instance or server is named %q", host)
		}
		var sv *simnet.ServiceSpec
		for i := range *svcs {
			if (*svcs)[i].Name == name {
				sv = &(*svcs)[i]
			}
		}
		if sv == nil {
			have := namesOf(*svcs, func(x simnet.ServiceSpec) string { return x.Name })
			if len(have) == 0 {
				have = []string{"none"}
			}
			return "", fmt.Errorf("%s has no service %q; its services: %s", host, name, strings.Join(have, ", "))
		}
		switch op {
		case "start", "stop":
			on := op == "start"
			if sv.IsRunning() == on {
				return "", fmt.Errorf("service %s on %s is already %s", name, host, map[bool]string{true: "running", false: "stopped"}[on])
			}
			sv.Running = &on
			return fmt.Sprintf("%s: service %s %s", host, name, map[bool]string{true: "started", false: "stopped"}[on]), nil
		case "bind":
			sv.Bind = arg
			return fmt.Sprintf("%s: service %s now listens on %s:%d", host, name, arg, sv.Port), nil
		default:
			n, _ := strconv.Atoi(arg)
			old := sv.Port
			sv.Port = n
			return fmt.Sprintf("%s: service %s now listens on port %d (was %d)", host, name, n, old), nil
		}
	}, nil
}

// ---- firewall

func parseFirewall(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 4 || w[2] != "remove" {
		return nil, usage("firewall")
	}
	host := w[1]
	chain := ""
	numText := w[3]
	switch len(w) {
	case 4:
	case 5:
		chain = strings.ToLower(w[3])
		if chain != "input" && chain != "output" {
			return nil, usage("firewall")
		}
		numText = w[4]
	default:
		return nil, usage("firewall")
	}
	n, err := strconv.Atoi(numText)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("%w: rule number %q is not a positive number", ErrUsage, numText)
	}
	return func(s *simnet.WorldSpec) (string, error) {
		_, fw := hostParts(s, host)
		if fw == nil {
			return "", fmt.Errorf("no instance or server is named %q", host)
		}
		idx, k := -1, 0
		for i, r := range *fw {
			if chain == "" || strings.EqualFold(r.Chain, chain) {
				k++
				if k == n {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			if chain != "" {
				return "", fmt.Errorf("%s's %s chain has %d rules, not %d", host, strings.ToUpper(chain), k, n)
			}
			return "", fmt.Errorf("%s's firewall has %d rules, not %d", host, len(*fw), n)
		}
		old := (*fw)[idx]
		*fw = slices.Delete(*fw, idx, idx+1)
		return fmt.Sprintf("%s: removed firewall rule %s", host, fwRuleText(old)), nil
	}, nil
}

// fwRuleText writes a host firewall rule as iptables -S would.
func fwRuleText(r simnet.FirewallRuleSpec) string {
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
		if !r.Port.IsZero() {
			fmt.Fprintf(&b, " -m %s --dport %s", p, strings.ReplaceAll(r.Port.Text, "-", ":"))
		}
	}
	fmt.Fprintf(&b, " -j %s", strings.ToUpper(r.Action))
	return b.String()
}

// ---- dns

func parseDNS(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 4 {
		return nil, usage("dns")
	}
	zoneName, op := w[1], w[2]
	switch op {
	case "set":
		if len(w) < 6 {
			return nil, usage("dns")
		}
		name, typ, values := w[3], strings.ToUpper(w[4]), slices.Clone(w[5:])
		if err := checkRecord(typ, values); err != nil {
			return nil, err
		}
		return func(s *simnet.WorldSpec) (string, error) {
			z, err := findZone(s, zoneName)
			if err != nil {
				return "", err
			}
			rel := relRecord(z.Name, name)
			ttl := (*int)(nil)
			var keep []simnet.RecordSpec
			for _, r := range z.Records {
				if relRecord(z.Name, r.Name) != rel {
					keep = append(keep, r)
					continue
				}
				rt := strings.ToUpper(r.Type)
				switch {
				case rt == typ:
					ttl = r.TTL
				case rt == "CNAME":
					return "", fmt.Errorf("%s has a CNAME (→ %s), and a CNAME stands alone: remove it first (dns %s remove %s CNAME)", rel, r.Value, zoneName, rel)
				case typ == "CNAME":
					return "", fmt.Errorf("%s has %s records, and a CNAME stands alone: remove them first (dns %s remove %s %s)", rel, rt, zoneName, rel, rt)
				default:
					keep = append(keep, r)
				}
			}
			rec := simnet.RecordSpec{Name: rel, Type: typ, TTL: ttl}
			if len(values) == 1 {
				rec.Value = values[0]
			} else {
				rec.Values = values
			}
			z.Records = append(keep, rec)
			return fmt.Sprintf("%s: %s %s now %s", z.Name, rel, typ, strings.Join(values, ", ")), nil
		}, nil
	case "remove":
		if len(w) != 5 {
			return nil, usage("dns")
		}
		name, typ := w[3], strings.ToUpper(w[4])
		return func(s *simnet.WorldSpec) (string, error) {
			z, err := findZone(s, zoneName)
			if err != nil {
				return "", err
			}
			rel := relRecord(z.Name, name)
			var keep []simnet.RecordSpec
			removed := 0
			for _, r := range z.Records {
				if relRecord(z.Name, r.Name) == rel && strings.ToUpper(r.Type) == typ {
					removed++
					continue
				}
				keep = append(keep, r)
			}
			if removed == 0 {
				return "", fmt.Errorf("zone %s has no %s record for %s", z.Name, typ, rel)
			}
			z.Records = keep
			return fmt.Sprintf("%s: removed %s %s", z.Name, rel, typ), nil
		}, nil
	case "delegate":
		rest := w[3:]
		if len(rest)%2 != 0 {
			return nil, usage("dns")
		}
		var ns []simnet.NameserverSpec
		for i := 0; i < len(rest); i += 2 {
			if _, err := netip.ParseAddr(rest[i+1]); err != nil {
				return nil, fmt.Errorf("%w: %q is not an address (write NSNAME IP pairs)", ErrUsage, rest[i+1])
			}
			ns = append(ns, simnet.NameserverSpec{Name: rest[i], IP: rest[i+1]})
		}
		return func(s *simnet.WorldSpec) (string, error) {
			z, err := findZone(s, zoneName)
			if err != nil {
				return "", err
			}
			if z.Private {
				return "", fmt.Errorf("%s is a private zone: nothing delegates to it", z.Name)
			}
			z.Delegation = ns
			var parts []string
			for _, n := range ns {
				parts = append(parts, n.Name+" ("+n.IP+")")
			}
			return fmt.Sprintf("%s: the parent now delegates to %s", z.Name, strings.Join(parts, ", ")), nil
		}, nil
	case "associate", "disassociate":
		if len(w) != 4 {
			return nil, usage("dns")
		}
		vpc := w[3]
		return func(s *simnet.WorldSpec) (string, error) {
			z, err := findZone(s, zoneName)
			if err != nil {
				return "", err
			}
			if !z.Private {
				return "", fmt.Errorf("%s is a public zone: only private zones are associated with VPCs", z.Name)
			}
			has := slices.Contains(z.VPCs, vpc)
			if op == "associate" {
				if has {
					return "", fmt.Errorf("%s is already associated with VPC %s", z.Name, vpc)
				}
				z.VPCs = append(z.VPCs, vpc)
				return fmt.Sprintf("%s: associated with VPC %s", z.Name, vpc), nil
			}
			if !has {
				return "", fmt.Errorf("%s is not associated with VPC %s", z.Name, vpc)
			}
			z.VPCs = slices.DeleteFunc(z.VPCs, func(v string) bool { return v == vpc })
			return fmt.Sprintf("%s: no longer associated with VPC %s", z.Name, vpc), nil
		}, nil
	}
	return nil, usage("dns")
}

func checkRecord(typ string, values []string) error {
	switch typ {
	case "A", "AAAA":
		for _, v := range values {
			a, err := netip.ParseAddr(v)
			if err != nil || a.Is4() != (typ == "A") {
				return fmt.Errorf("%w: %q is not an IPv%s address", ErrUsage, v, map[bool]string{true: "4", false: "6"}[typ == "A"])
			}
		}
	case "CNAME":
		if len(values) != 1 {
			return fmt.Errorf("%w: a CNAME has exactly one value", ErrUsage)
		}
	case "MX", "TXT", "NS":
	default:
		return fmt.Errorf("%w: record type %q is not one of A, AAAA, CNAME, MX, TXT, NS", ErrUsage, typ)
	}
	return nil
}

// ---- lb

func parseLB(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 4 {
		return nil, usage("lb")
	}
	name, what := w[1], w[2]
	withLB := func(f func(l *simnet.LoadBalancerSpec, s *simnet.WorldSpec) (string, error)) func(*simnet.WorldSpec) (string, error) {
		return func(s *simnet.WorldSpec) (string, error) {
			l, _ := findLB(s, name)
			if l == nil {
				return "", fmt.Errorf("no load balancer is named %q", name)
			}
			return f(l, s)
		}
	}
	switch what {
	case "health-check":
		if len(w) != 5 && len(w) != 6 {
			return nil, usage("lb")
		}
		field, val, tgName := w[3], w[4], ""
		if len(w) == 6 {
			tgName = w[5]
		}
		switch field {
		case "path":
			if !strings.HasPrefix(val, "/") {
				return nil, fmt.Errorf("%w: a health check path starts with /", ErrUsage)
			}
		case "port":
			if n, err := strconv.Atoi(val); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrUsage, val)
			}
		default:
			return nil, usage("lb")
		}
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			tg, err := findTG(l, tgName)
			if err != nil {
				return "", err
			}
			if field == "path" {
				tg.HealthCheck.Path = val
			} else {
				tg.HealthCheck.Port, _ = strconv.Atoi(val)
			}
			return fmt.Sprintf("%s: target group %s health check %s now %s", name, tg.Name, field, val), nil
		}), nil
	case "target":
		if len(w) != 5 && len(w) != 6 || (w[3] != "add" && w[3] != "remove") {
			return nil, usage("lb")
		}
		op, inst, tgName := w[3], w[4], ""
		if len(w) == 6 {
			tgName = w[5]
		}
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			tg, err := findTG(l, tgName)
			if err != nil {
				return "", err
			}
			has := slices.Contains(tg.Targets, inst)
			if op == "add" {
				if has {
					return "", fmt.Errorf("%s is already a target of %s", inst, tg.Name)
				}
				tg.Targets = append(tg.Targets, inst)
				return fmt.Sprintf("%s: registered %s in %s", name, inst, tg.Name), nil
			}
			if !has {
				return "", fmt.Errorf("%s is not a target of %s (targets: %s)", inst, tg.Name, strings.Join(tg.Targets, ", "))
			}
			tg.Targets = slices.DeleteFunc(tg.Targets, func(t string) bool { return t == inst })
			return fmt.Sprintf("%s: deregistered %s from %s", name, inst, tg.Name), nil
		}), nil
	case "target-group":
		if len(w) != 6 || w[4] != "port" {
			return nil, usage("lb")
		}
		tgName := w[3]
		n, err := strconv.Atoi(w[5])
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrUsage, w[5])
		}
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			tg, err := findTG(l, tgName)
			if err != nil {
				return "", err
			}
			old := tg.Port
			tg.Port = n
			return fmt.Sprintf("%s: target group %s now sends to port %d (was %d)", name, tg.Name, n, old), nil
		}), nil
	case "listener":
		return parseListener(w, name, withLB)
	}
	return nil, usage("lb")
}

func parseListener(w []string, name string, withLB func(func(*simnet.LoadBalancerSpec, *simnet.WorldSpec) (string, error)) func(*simnet.WorldSpec) (string, error)) (func(*simnet.WorldSpec) (string, error), error) {
	portArg := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			return 0, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrUsage, s)
		}
		return n, nil
	}
	findListener := func(l *simnet.LoadBalancerSpec, port int) (*simnet.ListenerSpec, int, error) {
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
	switch w[3] {
	case "add":
		// lb NAME listener add PORT PROTO forward TG [certificate CERT]
		// lb NAME listener add PORT http redirect https
		if len(w) < 8 {
			return nil, usage("lb")
		}
		port, err := portArg(w[4])
		if err != nil {
			return nil, err
		}
		li := simnet.ListenerSpec{Port: port, Protocol: strings.ToLower(w[5])}
		switch {
		case w[6] == "forward" && (len(w) == 8 || len(w) == 10 && w[8] == "certificate"):
			li.TargetGroup = w[7]
			if len(w) == 10 {
				li.Certificate = w[9]
			}
		case w[6] == "redirect" && len(w) == 8:
			li.Redirect = w[7]
		default:
			return nil, usage("lb")
		}
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			if old, _, err := findListener(l, port); err == nil {
				return "", fmt.Errorf("%s already has a listener on port %d (%s); remove it first", name, port, old.Protocol)
			}
			l.Listeners = append(l.Listeners, li)
			return fmt.Sprintf("%s: added listener %s:%d", name, li.Protocol, port), nil
		}), nil
	case "remove":
		if len(w) != 5 {
			return nil, usage("lb")
		}
		port, err := portArg(w[4])
		if err != nil {
			return nil, err
		}
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			_, i, err := findListener(l, port)
			if err != nil {
				return "", err
			}
			l.Listeners = slices.Delete(l.Listeners, i, i+1)
			return fmt.Sprintf("%s: removed the listener on port %d", name, port), nil
		}), nil
	}
	if len(w) != 6 {
		return nil, usage("lb")
	}
	port, err := portArg(w[3])
	if err != nil {
		return nil, err
	}
	val := w[5]
	switch w[4] {
	case "certificate":
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			li, _, err := findListener(l, port)
			if err != nil {
				return "", err
			}
			old := li.Certificate
			li.Certificate = val
			return fmt.Sprintf("%s: listener %d now presents certificate %s (was %s)", name, port, val, orNone(old)), nil
		}), nil
	case "forward":
		return withLB(func(l *simnet.LoadBalancerSpec, _ *simnet.WorldSpec) (string, error) {
			li, _, err := findListener(l, port)
			if err != nil {
				return "", err
			}
			old := li.TargetGroup
			li.TargetGroup, li.Redirect = val, ""
			return fmt.Sprintf("%s: listener %d now forwards to %s (was %s)", name, port, val, orNone(old)), nil
		}), nil
	}
	return nil, usage("lb")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// ---- cert

// certLifetime is how long a renewed certificate is valid.
const certLifetime = 365 * 24 * time.Hour

func parseCert(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	if len(w) < 3 || w[2] != "renew" {
		return nil, usage("cert")
	}
	name, domains := w[1], slices.Clone(w[3:])
	for _, d := range domains {
		if d == "" || strings.ContainsAny(d, " /:@") {
			return nil, fmt.Errorf("%w: %q is not a domain name", ErrUsage, d)
		}
	}
	return func(s *simnet.WorldSpec) (string, error) {
		c := findCert(s, name)
		if c == nil {
			return "", fmt.Errorf("no certificate is named %q", name)
		}
		clock := worldClock(s)
		start := clock.Truncate(24 * time.Hour).Add(-24 * time.Hour)
		c.NotBefore = start.Format(time.RFC3339)
		c.NotAfter = start.Add(certLifetime).Format(time.RFC3339)
		if len(domains) > 0 {
			c.Domains = domains
		}
		return fmt.Sprintf("%s: reissued for %s, valid %s to %s", name, strings.Join(c.Domains, ", "), c.NotBefore, c.NotAfter), nil
	}, nil
}

// worldClock is the time a spec says it is (simnet's default when unset).
func worldClock(s *simnet.WorldSpec) time.Time {
	if t, err := time.Parse(time.RFC3339, s.Clock); err == nil {
		return t.UTC()
	}
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
}

// ---- peering

func parsePeering(w []string) (func(*simnet.WorldSpec) (string, error), error) {
	switch {
	case len(w) == 5 && w[1] == "create":
		name, a, b := w[2], w[3], w[4]
		return func(s *simnet.WorldSpec) (string, error) {
			if findPeering(s, name) != nil {
				return "", fmt.Errorf("a peering is already named %s", name)
			}
			s.Peerings = append(s.Peerings, simnet.PeeringSpec{Name: name, VPCs: []string{a, b}, Status: "pending-acceptance"})
			return fmt.Sprintf("peering %s requested between %s and %s: pending acceptance (peering %s accept)", name, a, b, name), nil
		}, nil
	case len(w) == 3 && (w[2] == "accept" || w[2] == "delete"):
		name, op := w[1], w[2]
		return func(s *simnet.WorldSpec) (string, error) {
			p := findPeering(s, name)
			if p == nil {
				return "", fmt.Errorf("no peering is named %q", name)
			}
			if op == "delete" {
				if p.Status == "deleted" {
					return "", fmt.Errorf("peering %s is already deleted", name)
				}
				p.Status = "deleted"
				return fmt.Sprintf("peering %s deleted", name), nil
			}
			switch p.Status {
			case "active", "":
				return "", fmt.Errorf("peering %s is already active", name)
			case "pending", "pending-acceptance":
				p.Status = "active"
				return fmt.Sprintf("peering %s accepted: active", name), nil
			}
			return "", fmt.Errorf("peering %s is %s and cannot be accepted; create a new one (peering create NAME VPC VPC)", name, p.Status)
		}, nil
	}
	return nil, usage("peering")
}
