package spec

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Edit is one typed change to a world spec: what a learner types as a fix
// command in the play shell ("sg sg-app add ingress tcp 8080 from sg-lb"),
// and what a fault does to break a world. String is the command line;
// ParseEdit reads it back into an equal value.
type Edit interface {
	// Apply edits s in place and returns the edit that undoes it: applied
	// to the result, the undo gives back a spec that means the same as s.
	// An error says what is wrong and what is allowed; s is then
	// unchanged. Apply does not validate the world as a whole.
	Apply(s *WorldSpec) (undo Edit, err error)
	// String is the edit as a fix command line.
	String() string
}

// reporter is an edit that also says, in a line for the learner, what it
// changed.
type reporter interface {
	apply(s *WorldSpec) (undo Edit, msg string, err error)
}

// ApplyEdit applies e to s in place, like e.Apply, and also returns a line
// for the learner saying what changed.
func ApplyEdit(s *WorldSpec, e Edit) (undo Edit, msg string, err error) {
	if r, ok := e.(reporter); ok {
		return r.apply(s)
	}
	undo, err = e.Apply(s)
	return undo, e.String(), err
}

// ErrEditUsage is wrapped by every error about an edit command written
// wrongly (as opposed to one that names something the world lacks).
var ErrEditUsage = errors.New("usage")

// EditUsage is the usage of each edit verb, one line per form.
var EditUsage = map[string][]string{
	"sg": {
		"sg NAME add|remove ingress PROTO PORTS from SOURCE",
		"sg NAME add|remove egress PROTO PORTS to DEST",
	},
	"nacl": {
		"nacl NAME add ingress|egress rule N allow|deny PROTO PORTS CIDR",
		"nacl NAME replace ingress|egress rule N allow|deny PROTO PORTS CIDR",
		"nacl NAME remove ingress|egress rule N",
	},
	"route": {
		"route TABLE add CIDR via TARGET",
		"route TABLE replace CIDR via TARGET",
		"route TABLE remove CIDR",
	},
	"service": {"service HOST NAME start|stop|bind ADDR|port N|reply-from asked|primary"},
	"firewall": {
		"firewall HOST remove N",
		"firewall HOST remove input|output N",
		"firewall HOST insert N input|output PROTO PORTS [from CIDR] [to CIDR] accept|drop|reject",
		"firewall HOST replace N input|output PROTO PORTS [from CIDR] [to CIDR] accept|drop|reject",
	},
	"dns": {
		"dns ZONE set NAME TYPE [ttl SECONDS] VALUE [VALUE...]",
		"dns ZONE remove NAME TYPE",
		"dns ZONE delegate NSNAME IP [NSNAME IP...]",
		"dns ZONE associate|disassociate VPC",
		"dns ZONE create private VPC [VPC...]",
		"dns ZONE delete",
	},
	"lb": {
		"lb NAME health-check path|port VALUE [TARGET_GROUP]",
		"lb NAME target add|remove INSTANCE [TARGET_GROUP]",
		"lb NAME target-group TG port N",
		"lb NAME listener PORT certificate CERT",
		"lb NAME listener PORT forward TARGET_GROUP",
		"lb NAME listener PORT redirect https",
		"lb NAME listener add PORT PROTO forward TARGET_GROUP [certificate CERT]",
		"lb NAME listener add PORT http redirect https",
		"lb NAME listener remove PORT",
	},
	"cert": {
		"cert NAME renew [DOMAIN...]",
		"cert NAME reissue NOT_BEFORE NOT_AFTER DOMAIN [DOMAIN...]",
	},
	"peering": {
		"peering create NAME VPC VPC",
		"peering NAME accept|delete",
		"peering NAME withdraw",
		"peering NAME status STATUS",
	},
}

// EditVerbs lists the edit verbs in the order help shows them.
var EditVerbs = []string{"sg", "nacl", "route", "service", "firewall", "dns", "lb", "cert", "peering"}

// UsageError is an edit command written wrongly: what is wrong, and the
// forms the verb takes.
type UsageError struct {
	Verb   string
	Reason string
}

func (e *UsageError) Error() string {
	if e.Verb == "" || len(EditUsage[e.Verb]) == 0 {
		return "usage: " + e.Reason
	}
	return "usage: " + strings.Join(EditUsage[e.Verb], "\n       ") + "\n       " + e.Reason
}

// Unwrap makes errors.Is(err, ErrEditUsage) hold.
func (e *UsageError) Unwrap() error { return ErrEditUsage }

func usagef(verb, format string, args ...any) error {
	return &UsageError{Verb: verb, Reason: fmt.Sprintf(format, args...)}
}

// ParseEdit reads an edit command line. It checks the form only; names
// are checked against a world when the edit is applied.
func ParseEdit(line string) (Edit, error) {
	words, err := SplitLine(line)
	if err != nil {
		return nil, err
	}
	return ParseEditWords(words)
}

// ParseEditWords reads an edit command already split into words.
func ParseEditWords(w []string) (Edit, error) {
	if len(w) == 0 {
		return nil, &UsageError{Reason: "an empty command"}
	}
	switch w[0] {
	case "sg":
		return parseSGEdit(w)
	case "nacl":
		return parseNACLEdit(w)
	case "route":
		return parseRouteEdit(w)
	case "service":
		return parseServiceEdit(w)
	case "firewall":
		return parseFirewallEdit(w)
	case "dns":
		return parseDNSEdit(w)
	case "lb":
		return parseLBEdit(w)
	case "cert":
		return parseCertEdit(w)
	case "peering":
		return parsePeeringEdit(w)
	case "instance":
		return parseInstanceEdit(w) // edit_cloud.go
	case "nat":
		return parseNATEdit(w) // edit_cloud.go
	}
	if e, ok, err := parseHybridEdit(w); ok { // edit_hybrid.go
		return e, err
	}
	return nil, &UsageError{Reason: fmt.Sprintf("%q is not a fix command; fix commands: %s", w[0], strings.Join(EditVerbs, ", "))}
}

// wordCount is a usage error about the words of a command: what is
// missing or too much.
func wordCount(verb, what string) error {
	return usagef(verb, "%s", what)
}

// ---- shared argument readers

// normProto reads a protocol as the commands take it.
func normProto(p string) (string, bool) {
	p = strings.ToLower(p)
	switch p {
	case "tcp", "udp", "icmp", "all":
		return p, true
	case "-1", "":
		return "all", true
	}
	return "", false
}

func protoArg(verb, text string) (string, error) {
	if text == "" {
		return "", usagef(verb, "the protocol is missing: write tcp, udp, icmp or all")
	}
	p, ok := normProto(text)
	if !ok {
		return "", usagef(verb, "protocol %q is not tcp, udp, icmp or all", text)
	}
	return p, nil
}

// portsArg reads PORTS for a protocol: a number, a range, or all. Ports
// of tcp and udp come back as lo-hi text; other protocols have none.
func portsArg(verb, proto, text string) (Ports, error) {
	if proto == "all" || proto == "icmp" {
		if text != "all" && text != "-" && text != "0-65535" {
			return Ports{}, usagef(verb, "protocol %s has no ports; write %s all", proto, proto)
		}
		return Ports{}, nil
	}
	if text == "all" {
		return Ports{Text: "0-65535"}, nil
	}
	if strings.HasPrefix(text, "-") {
		// -1 means every port only in AWS's API, and only for protocol all
		// or icmp; here it would silently open 0-65535.
		return Ports{}, usagef(verb, "port %s is not a port; give a number from 1 to 65535, a range such as 1024-65535, or all", text)
	}
	lo, hi, err := Ports{Text: text}.Range()
	if text == "" || err != nil {
		if err == nil {
			err = fmt.Errorf("the ports are missing")
		}
		return Ports{}, usagef(verb, "%v (a port such as 443, a range such as 1024-65535, or all)", err)
	}
	if lo == 0 && hi == 0 {
		return Ports{}, usagef(verb, "port 0 is not a port; ports run from 1 to 65535")
	}
	return PortsOf(lo, hi), nil
}

// portsText writes ports as the commands take them.
func portsText(proto string, p Ports) string {
	proto, _ = normProto(proto)
	if (proto == "tcp" || proto == "udp") && !p.IsZero() {
		if lo, hi, err := p.Range(); err == nil {
			return PortsOf(lo, hi).Text
		}
		return p.Text
	}
	return "all"
}

// normPorts gives a rule's ports in the form the commands write them.
func normPorts(proto string, p Ports) Ports {
	proto, _ = normProto(proto)
	if proto != "tcp" && proto != "udp" {
		return Ports{}
	}
	if p.IsZero() {
		return Ports{Text: "0-65535"}
	}
	if lo, hi, err := p.Range(); err == nil {
		return PortsOf(lo, hi)
	}
	return p
}

func portArg(verb, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, usagef(verb, "port %q is not a number from 1 to 65535", s)
	}
	return n, nil
}

func cidrArg(verb, s, example string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, usagef(verb, "%q is not a CIDR such as %s", s, example)
	}
	return p, nil
}

// nameArg checks a resource name: a word, not empty.
func nameArg(verb, what, s string) error {
	if s == "" {
		return usagef(verb, "the %s is missing", what)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func samePeer(a, b string) bool {
	if a == b {
		return true
	}
	pa, err1 := netip.ParsePrefix(a)
	pb, err2 := netip.ParsePrefix(b)
	return err1 == nil && err2 == nil && pa.Masked() == pb.Masked()
}

func sameRange(a, b Ports) bool {
	al, ah, err1 := a.Range()
	bl, bh, err2 := b.Range()
	return err1 == nil && err2 == nil && al == bl && ah == bh
}
