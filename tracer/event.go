package tracer

import (
	"net/netip"
	"strconv"
)

// Flow is a packet's header as one step of the path saw it: before any
// rewrite the step made (a NAT gateway's hop holds the source it
// rewrote; the next hop holds the new one).
type Flow struct {
	Proto Proto          `json:"proto"`
	Src   netip.AddrPort `json:"src"`
	Dst   netip.AddrPort `json:"dst"`
	// EphLo and EphHi are set on a reply that a stateless filter judges
	// for the initiator's whole ephemeral range (its own port is in
	// Dst). Zero otherwise.
	EphLo uint16 `json:"ephemeral_lo,omitempty"`
	EphHi uint16 `json:"ephemeral_hi,omitempty"`
	// TTL is the IP TTL as the packet reaches the step.
	TTL   uint8 `json:"ttl"`
	Reply bool  `json:"reply,omitempty"`
}

// IsValid reports whether the flow was recorded.
func (f Flow) IsValid() bool { return f.Src.IsValid() }

// String is the flow as "tcp 10.0.1.5:43211 → 10.0.10.21:8080".
func (f Flow) String() string {
	if f.Proto == ICMP {
		return "icmp " + f.Src.Addr().String() + " → " + f.Dst.Addr().String()
	}
	return string(f.Proto) + " " + f.Src.String() + " → " + f.Dst.String()
}

// RuleKind says what kind of rule matched.
type RuleKind uint8

const (
	RuleNone        RuleKind = iota
	RuleRoute                // a route table entry (or a VPC's implicit local route)
	RuleSG                   // a security group rule
	RuleACL                  // a network ACL rule (or its implicit deny)
	RuleFirewall             // a host firewall rule
	RuleHealthCheck          // a target group's health check
	RuleCertificate          // the certificate a TLS server presented
	// RuleListener is a balancer listener's rule (or its default action):
	// Owner is the balancer, Number the priority (0 for the default
	// action), PortLo the listener's port, Action forward, redirect or
	// respond, Target the target group forwarded to.
	RuleListener
)

var ruleKindNames = [...]string{"", "route", "security-group-rule", "network-acl-rule", "firewall-rule", "health-check", "certificate", "listener-rule"}

func (k RuleKind) String() string {
	if int(k) < len(ruleKindNames) {
		return ruleKindNames[k]
	}
	return "rule(" + strconv.Itoa(int(k)) + ")"
}

// Rule is the rule that decided a step, as a value: the fields that apply
// to its kind are set, the rest are zero. A compiled world holds its rules
// as Rules, so a hop points at one without allocating.
type Rule struct {
	Kind RuleKind
	// Owner is the resource the rule belongs to: the route table, the
	// security group, the ACL, the host, the target group.
	Owner string
	// Ingress: a security group or ACL rule for traffic coming in; a host
	// firewall rule of the INPUT chain.
	Ingress bool
	// Number is an ACL rule's number, a firewall rule's position (from 1).
	// Zero for an ACL's implicit deny.
	Number int
	// Action is allow or deny (ACLs, security groups), accept, drop or
	// reject (host firewalls); forward for routes.
	Action Action
	// Proto is tcp, udp, icmp, or "" for all protocols.
	Proto Proto
	// PortLo and PortHi are the rule's port range (both 0 when it has
	// none); a health check's port is PortLo.
	PortLo, PortHi uint16
	// Prefix is the rule's CIDR: the peer of an ACL or security group
	// rule, a route's destination, a firewall rule's source or
	// destination. Invalid when the rule names a group instead.
	Prefix netip.Prefix
	// Group is the security group a rule names as its peer ("" for a
	// CIDR).
	Group string
	// Target is a route's target: a gateway, peering or instance name,
	// "local" or "blackhole". A certificate rule's certificate name.
	Target string
	// Path and Matcher are a health check's path and expected status.
	Path, Matcher string
	// Text is the rule as the user wrote it.
	Text string
}

// Implicit reports whether the rule is an implicit one (an ACL's final
// deny, a VPC's local route) rather than one written in the world.
func (r *Rule) Implicit() bool {
	return r != nil && ((r.Kind == RuleACL && r.Number == 0) || (r.Kind == RuleRoute && r.Target == "local"))
}
