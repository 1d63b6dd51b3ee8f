package scenarios

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Topics a fault or a scenario is about.
const (
	TopicDNS            = tracer.TopicDNS
	TopicRouting        = tracer.TopicRouting
	TopicSecurityGroups = tracer.TopicSecurityGroups
	TopicNACL           = tracer.TopicNACL
	TopicLoadBalancer   = tracer.TopicLoadBalancer
	TopicTLS            = tracer.TopicTLS
	TopicApp            = tracer.TopicApp
	TopicHostFirewall   = tracer.TopicHostFirewall
	TopicPeering        = tracer.TopicPeering
	TopicNAT            = tracer.TopicNAT
)

// Topics lists every topic, in the order listings show them.
var Topics = []string{TopicDNS, TopicRouting, TopicNAT, TopicPeering, TopicSecurityGroups, TopicNACL, TopicHostFirewall, TopicApp, TopicLoadBalancer, TopicTLS}

// Difficulties, easiest first.
var Difficulties = []string{"easy", "medium", "hard"}

// ErrFault is wrapped by every error about a fault that cannot be applied:
// an unknown kind, a bad parameter, a target the world lacks.
var ErrFault = errors.New("fault")

// Params are a fault's parameters, by name, as text.
type Params map[string]string

// String writes the parameters as key=value pairs, sorted.
func (p Params) String() string {
	var parts []string
	for _, k := range sortedKeys(p) {
		parts = append(parts, k+"="+p[k])
	}
	return strings.Join(parts, " ")
}

// Param describes one parameter of a fault kind.
type Param struct {
	Name     string `json:"name"`
	Doc      string `json:"doc"`
	Required bool   `json:"required"`
	Default  string `json:"default,omitempty"`
}

// Kind is a kind of fault: edits to a world spec, with parameters that
// say where, and a topic.
type Kind struct {
	Name       string        `json:"kind"`
	Topic      string        `json:"topic"`
	Difficulty string        `json:"difficulty"`
	Doc        string        `json:"description"`
	Params     []Param       `json:"parameters"`
	Codes      []tracer.Code `json:"codes"` // what a trace typically shows
	apply      func(s *spec.WorldSpec, p Params) (*Applied, error)
	candidates func(s *spec.WorldSpec) []Params
}

// Applied is a fault that has been applied: the edits it made, and how
// to undo them.
type Applied struct {
	Kind   string
	Params Params
	// Summary says what the fault changed, for the debrief.
	Summary string
	// Edits are the fault's changes to the spec, in the order made.
	Edits []spec.Edit
	// Undo undoes Edits: their inverses, the last edit's first.
	Undo []spec.Edit
	// Fix is the reference fix: Undo, except where no operator can undo
	// (a deleted peering stays deleted, a certificate is renewed rather
	// than given back its dates); then the fix an operator makes.
	Fix []spec.Edit
	// Components are the resources a learner may name as the cause.
	Components []string
}

// Apply applies the fault to s (in place) after checking the parameters.
func (k *Kind) Apply(s *spec.WorldSpec, p Params) (*Applied, error) {
	full := Params{}
	for name, v := range p {
		if !slices.ContainsFunc(k.Params, func(q Param) bool { return q.Name == name }) {
			return nil, fmt.Errorf("%w: %s has no parameter %q; its parameters: %s", ErrFault, k.Name, name, k.paramNames())
		}
		full[name] = strings.TrimSpace(v)
	}
	for _, q := range k.Params {
		if _, ok := full[q.Name]; !ok || full[q.Name] == "" {
			if q.Required {
				return nil, fmt.Errorf("%w: %s needs the parameter %q (%s)", ErrFault, k.Name, q.Name, q.Doc)
			}
			if q.Default != "" {
				full[q.Name] = q.Default
			} else {
				delete(full, q.Name)
			}
		}
	}
	a, err := k.apply(s, full)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFault, k.Name, err)
	}
	a.Kind, a.Params = k.Name, p
	if a.Fix == nil {
		a.Fix = a.Undo
	}
	return a, nil
}

func (k *Kind) paramNames() string {
	return strings.Join(namesOf(k.Params, func(p Param) string { return p.Name }), ", ")
}

// Catalog returns every fault kind, by topic then name.
func Catalog() []*Kind { return kinds() }

// LookupKind finds a fault kind by name.
func LookupKind(name string) *Kind {
	for _, k := range kinds() {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// catalogKinds is the catalog, built on first use by kinds: a command
// that plays no scenario (--help, trace, check) does not build it at start.
var (
	catalogKinds []*Kind
	catalogOnce  sync.Once
)

// kinds returns the catalog. Its parts join it in the order their files'
// inits once added them.
func kinds() []*Kind {
	catalogOnce.Do(func() {
		addBaseFaults()
		addCloudFaults()
		addDNSCacheFaults()
		addHybridFaults()
		addRuleFaults()
		addZoneFaults()
	})
	return catalogKinds
}

func addBaseFaults() {
	catalogKinds = []*Kind{
		// dns
		{Name: "dns-record-missing", Topic: TopicDNS, Difficulty: "easy",
			Doc:    "a record the path needs is deleted from its zone",
			Params: []Param{pZone, pName, {Name: "type", Doc: "record type", Default: "A"}},
			Codes:  []tracer.Code{tracer.DNSNXDomain, tracer.DNSNoData},
			apply:  applyRecordMissing, candidates: candRecords("A", "CNAME")},
		{Name: "dns-record-wrong", Topic: TopicDNS, Difficulty: "medium",
			Doc:    "an A record points at an address where nothing answers (a stale IP)",
			Params: []Param{pZone, pName, {Name: "value", Doc: "the wrong address (default: an unused one nearby)"}},
			Codes:  []tracer.Code{tracer.NoRoute},
			apply:  applyRecordWrong, candidates: candRecords("A")},
		{Name: "dns-cname-loop", Topic: TopicDNS, Difficulty: "medium",
			Doc:    "the target of a CNAME is made a CNAME back to it: the chain loops and resolvers answer SERVFAIL",
			Params: []Param{pZone, {Name: "name", Doc: "a CNAME whose target is in the same zone", Required: true}},
			Codes:  []tracer.Code{tracer.DNSCNAMELoop},
			apply:  applyCNAMELoop, candidates: candCNAMEs},
		{Name: "dns-cname-dangling", Topic: TopicDNS, Difficulty: "easy",
			Doc:    "a CNAME points at a name that does not exist (a typo, or a deleted balancer)",
			Params: []Param{pZone, {Name: "name", Doc: "a CNAME record", Required: true}, {Name: "target", Doc: "the dangling target (default: NAME-old under the old target's zone)"}},
			Codes:  []tracer.Code{tracer.DNSNXDomain},
			apply:  applyCNAMEDangling, candidates: candCNAMEs},
		{Name: "dns-private-shadow", Topic: TopicDNS, Difficulty: "hard",
			Doc:    "a private zone with the same name as a public one is associated with a VPC, so its hosts get NXDOMAIN for public names",
			Params: []Param{{Name: "zone", Doc: "a public zone", Required: true}, pVPC, {Name: "name", Doc: "the name the path needs (relative to the zone)", Required: true}},
			Codes:  []tracer.Code{tracer.DNSNXDomain},
			apply:  applyPrivateShadow, candidates: candShadow},
		{Name: "dns-lame-delegation", Topic: TopicDNS, Difficulty: "hard",
			Doc:    "the parent delegates the zone to a nameserver that does not serve it (lame): SERVFAIL",
			Params: []Param{{Name: "zone", Doc: "a public zone", Required: true}, {Name: "server", Doc: "the lame nameserver's name (default: another zone's server)"}},
			Codes:  []tracer.Code{tracer.DNSLameDelegation},
			apply:  applyLame, candidates: candPublicZones},
		{Name: "dns-delegation-timeout", Topic: TopicDNS, Difficulty: "hard",
			Doc:    "the parent delegates the zone to an address where no nameserver runs: queries time out, SERVFAIL",
			Params: []Param{{Name: "zone", Doc: "a public zone", Required: true}, {Name: "ip", Doc: "the silent address (default: an unused one near the zone's server)"}},
			Codes:  []tracer.Code{tracer.DNSTimeout},
			apply:  applyDelegationTimeout, candidates: candPublicZones},
		{Name: "dns-private-unassociated", Topic: TopicDNS, Difficulty: "medium",
			Doc:    "a private zone is not associated with a VPC that uses it: its names go to the public DNS and do not exist there",
			Params: []Param{{Name: "zone", Doc: "a private zone associated with more than one VPC", Required: true}, pVPC},
			Codes:  []tracer.Code{tracer.DNSNXDomain},
			apply:  applyUnassociated, candidates: candUnassociated},

		// routing
		{Name: "route-missing-default", Topic: TopicRouting, Difficulty: "medium",
			Doc:    "a public subnet's default route to the internet gateway is deleted: requests arrive, replies are lost",
			Params: []Param{pTable},
			Codes:  []tracer.Code{tracer.NoReturnRoute, tracer.NoRoute},
			apply:  applyRouteMissingDefault, candidates: candTablesWith(isIGWRoute)},
		{Name: "route-missing", Topic: TopicRouting, Difficulty: "medium",
			Doc:    "a route the path needs is deleted",
			Params: []Param{pTable, pDest},
			Codes:  []tracer.Code{tracer.NoRoute, tracer.NoReturnRoute},
			apply:  applyRouteMissing, candidates: candRoutes(func(*spec.WorldSpec, spec.RouteSpec) bool { return true })},
		{Name: "route-blackhole", Topic: TopicRouting, Difficulty: "medium",
			Doc:    "a route the path needs points at a blackhole",
			Params: []Param{pTable, pDest},
			Codes:  []tracer.Code{tracer.RouteBlackhole, tracer.NoReturnRoute},
			apply:  applyRouteBlackhole, candidates: candRoutes(func(_ *spec.WorldSpec, r spec.RouteSpec) bool { return r.Target != "blackhole" })},

		// nat
		{Name: "nat-route-missing", Topic: TopicNAT, Difficulty: "easy",
			Doc:    "a private subnet's default route to its NAT gateway is deleted: no way out",
			Params: []Param{pTable},
			Codes:  []tracer.Code{tracer.NoRoute},
			apply:  applyNATRouteMissing, candidates: candTablesWith(isNATRoute)},
		{Name: "nat-route-to-igw", Topic: TopicNAT, Difficulty: "medium",
			Doc:    "a private subnet's default route points at the internet gateway instead of the NAT gateway: hosts without public addresses cannot get out",
			Params: []Param{pTable},
			Codes:  []tracer.Code{tracer.NoPublicAddress},
			apply:  applyNATToIGW, candidates: candTablesWith(isNATRoute)},

		// peering
		{Name: "peering-deleted", Topic: TopicPeering, Difficulty: "medium",
			Doc:    "a peering is deleted; routes through it become blackholes",
			Params: []Param{pPeering},
			Codes:  []tracer.Code{tracer.RouteBlackhole},
			apply:  applyPeeringDeleted, candidates: candPeerings},
		{Name: "peering-pending", Topic: TopicPeering, Difficulty: "easy",
			Doc:    "a peering was requested but never accepted: routes through it go nowhere",
			Params: []Param{pPeering},
			Codes:  []tracer.Code{tracer.RouteBlackhole},
			apply:  applyPeeringPending, candidates: candPeerings},
		{Name: "peering-route-missing", Topic: TopicPeering, Difficulty: "medium",
			Doc:    "one side's route through a peering is deleted (often the return side): replies are lost",
			Params: []Param{pTable, pDest},
			Codes:  []tracer.Code{tracer.NoRoute, tracer.NoReturnRoute},
			apply:  applyPeeringRouteMissing, candidates: candRoutes(isPeeringRoute)},

		// security groups
		{Name: "sg-missing-ingress", Topic: TopicSecurityGroups, Difficulty: "easy",
			Doc:    "a security group loses the inbound rules for a port",
			Params: []Param{pGroup, pPort, pProto},
			Codes:  []tracer.Code{tracer.SGNoIngressRule},
			apply:  applySGMissing("ingress"), candidates: candSGRules("ingress", nil)},
		{Name: "sg-missing-egress", Topic: TopicSecurityGroups, Difficulty: "medium",
			Doc:    "a security group loses the outbound rules for a port",
			Params: []Param{pGroup, pPort, pProto},
			Codes:  []tracer.Code{tracer.SGNoEgressRule},
			apply:  applySGMissing("egress"), candidates: candSGRules("egress", nil)},
		{Name: "sg-wrong-source", Topic: TopicSecurityGroups, Difficulty: "medium",
			Doc:    "an inbound rule names the wrong source security group",
			Params: []Param{pGroup, pPort, {Name: "source", Doc: "the wrong group (default: another group of the VPC)"}},
			Codes:  []tracer.Code{tracer.SGNoIngressRule},
			apply:  applySGWrongSource, candidates: candSGRules("ingress", isGroupPeer)},
		{Name: "sg-wrong-cidr", Topic: TopicSecurityGroups, Difficulty: "medium",
			Doc:    "an inbound rule admits the wrong CIDR (a typo, or a range locked down too far)",
			Params: []Param{pGroup, pPort, {Name: "cidr", Doc: "the wrong CIDR (default: a near miss)"}},
			Codes:  []tracer.Code{tracer.SGNoIngressRule},
			apply:  applySGWrongCIDR, candidates: candSGRules("ingress", isCIDRPeer)},
		{Name: "sg-wrong-port", Topic: TopicSecurityGroups, Difficulty: "easy",
			Doc:    "an inbound rule opens the wrong port",
			Params: []Param{pGroup, pPort, {Name: "wrong", Doc: "the port the rule opens instead (default: a plausible neighbour)"}},
			Codes:  []tracer.Code{tracer.SGNoIngressRule},
			apply:  applySGWrongPort, candidates: candSGRules("ingress", nil)},

		// nacl
		{Name: "nacl-deny-first", Topic: TopicNACL, Difficulty: "medium",
			Doc:    "a deny rule numbered before the allow rules blocks the path",
			Params: []Param{pACL, pDir, pPort, {Name: "cidr", Doc: "the denied CIDR", Default: "0.0.0.0/0"}, {Name: "rule", Doc: "the deny rule's number (default: below the first rule)"}},
			Codes:  []tracer.Code{tracer.NACLIngressDenied, tracer.NACLEgressDenied},
			apply:  applyNACLDenyFirst, candidates: candACLs},
		{Name: "nacl-missing-ephemeral", Topic: TopicNACL, Difficulty: "hard",
			Doc:    "the rule allowing the ephemeral port range is deleted: requests arrive, replies are dropped (ACLs are stateless)",
			Params: []Param{pACL, pDir, {Name: "cidr", Doc: "only the rule for this CIDR (default: every ephemeral rule)"}},
			Codes:  []tracer.Code{tracer.NACLEgressDenied, tracer.NACLIngressDenied},
			apply:  applyNACLEphemeral(false), candidates: candEphemeral},
		{Name: "nacl-ephemeral-narrow", Topic: TopicNACL, Difficulty: "hard",
			Doc:    "the ephemeral rule allows 49152-65535 (the IANA range) but Linux clients use 32768-60999: connections that draw a lower port hang (intermittent)",
			Params: []Param{pACL, pDir, {Name: "cidr", Doc: "only the rule for this CIDR (default: every ephemeral rule)"}},
			Codes:  []tracer.Code{tracer.NACLEphemeralPartial, tracer.NACLEgressDenied, tracer.NACLIngressDenied},
			apply:  applyNACLEphemeral(true), candidates: candEphemeral},
		{Name: "nacl-missing-allow", Topic: TopicNACL, Difficulty: "medium",
			Doc:    "the allow rules for a port are deleted: the implicit deny drops the request",
			Params: []Param{pACL, pDir, pPort},
			Codes:  []tracer.Code{tracer.NACLIngressDenied, tracer.NACLEgressDenied},
			apply:  applyNACLMissingAllow, candidates: candACLs},

		// host firewall
		{Name: "firewall-drop", Topic: TopicHostFirewall, Difficulty: "medium",
			Doc:    "a host firewall rule inserted first drops a port silently: clients time out",
			Params: []Param{pHost, pPort},
			Codes:  []tracer.Code{tracer.HostFirewallDrop},
			apply:  applyFirewall("input", "drop"), candidates: candServices},
		{Name: "firewall-reject", Topic: TopicHostFirewall, Difficulty: "easy",
			Doc:    "a host firewall rule inserted first rejects a port: clients see connection refused at once",
			Params: []Param{pHost, pPort},
			Codes:  []tracer.Code{tracer.HostFirewallReject},
			apply:  applyFirewall("input", "reject"), candidates: candServices},
		{Name: "firewall-output-drop", Topic: TopicHostFirewall, Difficulty: "hard",
			Doc:    "a host firewall OUTPUT rule drops connections to a port: the host cannot reach its dependency",
			Params: []Param{pHost, pPort},
			Codes:  []tracer.Code{tracer.HostFirewallDrop},
			apply:  applyFirewall("output", "drop"), candidates: candOutbound},

		// app
		{Name: "service-down", Topic: TopicApp, Difficulty: "easy",
			Doc:    "a service is stopped: connections are refused",
			Params: []Param{pHost, pPort},
			Codes:  []tracer.Code{tracer.ServiceDown},
			apply:  applyService("down"), candidates: candServices},
		{Name: "service-loopback", Topic: TopicApp, Difficulty: "medium",
			Doc:    "a service listens on 127.0.0.1 only: curl localhost works, every other host is refused",
			Params: []Param{pHost, pPort},
			Codes:  []tracer.Code{tracer.BoundToLoopback},
			apply:  applyService("loopback"), candidates: candServices},
		{Name: "service-wrong-port", Topic: TopicApp, Difficulty: "medium",
			Doc:    "a service listens on another port than the one its clients use",
			Params: []Param{pHost, pPort, {Name: "wrong", Doc: "the port it listens on instead (default: PORT+1)"}},
			Codes:  []tracer.Code{tracer.PortClosed},
			apply:  applyService("port"), candidates: candServices},

		// load balancer
		{Name: "lb-hc-wrong-path", Topic: TopicLoadBalancer, Difficulty: "medium",
			Doc:    "a target group's health check asks for a path the app does not serve: every target is unhealthy",
			Params: []Param{pLB, pTG, {Name: "path", Doc: "the wrong path", Default: "/healthcheck"}},
			Codes:  []tracer.Code{tracer.LBUnhealthy, tracer.LBNoHealthyTargets},
			apply:  applyHCPath, candidates: candHTTPTGs},
		{Name: "lb-hc-wrong-port", Topic: TopicLoadBalancer, Difficulty: "medium",
			Doc:    "a target group's health check probes a port nothing listens on: every target is unhealthy",
			Params: []Param{pLB, pTG, {Name: "port", Doc: "the wrong port (default: the traffic port + 1)"}},
			Codes:  []tracer.Code{tracer.LBUnhealthy, tracer.LBNoHealthyTargets},
			apply:  applyHCPort, candidates: candTGs},
		{Name: "lb-tg-port-mismatch", Topic: TopicLoadBalancer, Difficulty: "hard",
			Doc:    "a target group sends traffic to another port than the targets listen on (the listener and the app disagree)",
			Params: []Param{pLB, pTG, {Name: "port", Doc: "the wrong traffic port (default: the right one + 1)"}},
			Codes:  []tracer.Code{tracer.LBTargetRefused, tracer.LBTargetTimeout, tracer.LBNoHealthyTargets},
			apply:  applyTGPort, candidates: candTGs},
		{Name: "lb-targets-empty", Topic: TopicLoadBalancer, Difficulty: "easy",
			Doc:    "every target is deregistered from a target group: 503",
			Params: []Param{pLB, pTG},
			Codes:  []tracer.Code{tracer.LBNoTargets},
			apply:  applyTargetsEmpty, candidates: candTGs},
		{Name: "lb-listener-missing", Topic: TopicLoadBalancer, Difficulty: "medium",
			Doc:    "a balancer's listener is deleted: connections to its port time out",
			Params: []Param{pLB, {Name: "port", Doc: "the listener's port", Required: true}},
			Codes:  []tracer.Code{tracer.LBNoListener},
			apply:  applyListenerMissing, candidates: candListeners},

		// tls
		{Name: "cert-expired", Topic: TopicTLS, Difficulty: "easy",
			Doc:    "a certificate expired two days ago",
			Params: []Param{pCert},
			Codes:  []tracer.Code{tracer.TLSCertExpired},
			apply:  applyCertTime(false), candidates: candCerts},
		{Name: "cert-not-yet-valid", Topic: TopicTLS, Difficulty: "medium",
			Doc:    "a certificate's validity starts after the world's clock (issued with a start date in the future)",
			Params: []Param{pCert},
			Codes:  []tracer.Code{tracer.TLSCertNotYetValid},
			apply:  applyCertTime(true), candidates: candCerts},
		{Name: "cert-wrong-name", Topic: TopicTLS, Difficulty: "medium",
			Doc:    "a certificate is reissued for the wrong names",
			Params: []Param{pCert, {Name: "domains", Doc: "the wrong names, comma-separated (default: a staging name)"}},
			Codes:  []tracer.Code{tracer.TLSNameMismatch},
			apply:  applyCertName, candidates: candCerts},
		{Name: "listener-wrong-cert", Topic: TopicTLS, Difficulty: "medium",
			Doc:    "a listener presents another certificate of the account, which does not cover the name",
			Params: []Param{pLB, {Name: "port", Doc: "the listener's port", Default: "443"}, {Name: "cert", Doc: "the wrong certificate (default: another one)"}},
			Codes:  []tracer.Code{tracer.TLSNameMismatch},
			apply:  applyListenerCert, candidates: candTLSListeners},
	}
	sort.SliceStable(catalogKinds, func(i, j int) bool {
		return slices.Index(Topics, catalogKinds[i].Topic) < slices.Index(Topics, catalogKinds[j].Topic)
	})
}

var (
	pZone    = Param{Name: "zone", Doc: "the zone (private:NAME or public:NAME when both exist)", Required: true}
	pName    = Param{Name: "name", Doc: "the record name, relative to the zone (@ for the apex)", Required: true}
	pVPC     = Param{Name: "vpc", Doc: "the VPC", Required: true}
	pTable   = Param{Name: "table", Doc: "the route table", Required: true}
	pDest    = Param{Name: "destination", Doc: "the route's destination CIDR", Required: true}
	pPeering = Param{Name: "peering", Doc: "the peering", Required: true}
	pGroup   = Param{Name: "group", Doc: "the security group", Required: true}
	pPort    = Param{Name: "port", Doc: "the port", Required: true}
	pProto   = Param{Name: "proto", Doc: "the protocol", Default: "tcp"}
	pACL     = Param{Name: "acl", Doc: "the network ACL", Required: true}
	pDir     = Param{Name: "direction", Doc: "ingress or egress", Default: "ingress"}
	pHost    = Param{Name: "host", Doc: "the instance or server; several, comma-separated, for every target of a balancer", Required: true}
	pLB      = Param{Name: "lb", Doc: "the load balancer", Required: true}
	pTG      = Param{Name: "tg", Doc: "the target group (default: the balancer's only one)"}
	pCert    = Param{Name: "cert", Doc: "the certificate", Required: true}
)

func atoiPort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return n, nil
}

// ---- edits

// change applies a fault's edits to a spec one by one and keeps their
// undos.
type change struct {
	s           *spec.WorldSpec
	edits, undo []spec.Edit
}

func (c *change) do(e spec.Edit) error {
	u, err := e.Apply(c.s)
	if err != nil {
		return err
	}
	c.edits = append(c.edits, e)
	c.undo = append(c.undo, u)
	return nil
}

// applied is the fault as done: its edits, and its undo, last edit first.
func (c *change) applied(summary string, components ...string) *Applied {
	a := &Applied{Summary: summary, Edits: c.edits, Components: components}
	for i := len(c.undo) - 1; i >= 0; i-- {
		a.Undo = append(a.Undo, c.undo[i])
	}
	return a
}

// ---- dns

func zoneComponent(z *spec.ZoneSpec) string { return strings.TrimSuffix(z.Name, ".") }

// recordsOf returns the values of the records at rel of type typ.
func recordsOf(z *spec.ZoneSpec, rel, typ string) (vals []string, found bool) {
	for _, r := range z.Records {
		if relRecord(z.Name, r.Name) == rel && strings.EqualFold(r.Type, typ) {
			vals = append(vals, r.AllValues()...)
			found = true
		}
	}
	return vals, found
}

func dnsSet(zone, rel, typ string, vals ...string) spec.DNSRecordEdit {
	return spec.DNSRecordEdit{Zone: zone, Op: "set", Name: rel, Type: typ, Values: vals}
}

func dnsRemove(zone, rel, typ string) spec.DNSRecordEdit {
	return spec.DNSRecordEdit{Zone: zone, Op: "remove", Name: rel, Type: typ}
}

func applyRecordMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	rel, typ := relRecord(z.Name, p["name"]), strings.ToUpper(p["type"])
	vals, ok := recordsOf(z, rel, typ)
	if !ok {
		return nil, fmt.Errorf("zone %s has no %s record for %s", z.Name, typ, rel)
	}
	summary := fmt.Sprintf("deleted %s %s (%s) from zone %s", rel, typ, strings.Join(vals, ", "), z.Name)
	c := &change{s: s}
	if err := c.do(dnsRemove(zoneRef(s, z), rel, typ)); err != nil {
		return nil, err
	}
	return c.applied(summary, zoneComponent(z)), nil
}

// unusedNear returns an address in a's /24 that nothing in the world uses.
func unusedNear(s *spec.WorldSpec, a netip.Addr) netip.Addr {
	used := usedAddrs(s)
	b := a.As4()
	for host := 250; host > 1; host-- {
		c := netip.AddrFrom4([4]byte{b[0], b[1], b[2], byte(host)})
		if !used[c] {
			return c
		}
	}
	return a
}

func usedAddrs(s *spec.WorldSpec) map[netip.Addr]bool {
	used := map[netip.Addr]bool{}
	add := func(t string) {
		if a, err := netip.ParseAddr(t); err == nil {
			used[a] = true
		}
	}
	for _, c := range s.Internet.Clients {
		add(c.IP)
	}
	for _, r := range s.Internet.Resolvers {
		add(r.IP)
	}
	for _, sv := range s.Internet.Servers {
		add(sv.IP)
	}
	for _, z := range s.DNS.Zones {
		for _, n := range z.Nameservers {
			add(n.IP)
		}
		for _, n := range z.Delegation {
			add(n.IP)
		}
	}
	for _, v := range s.VPCs {
		for _, n := range v.NATGateways {
			add(n.PrivateIP)
			add(n.PublicIP)
		}
		for _, l := range v.LoadBalancers {
			for _, n := range l.Nodes {
				add(n.PrivateIP)
				add(n.PublicIP)
			}
		}
		for _, in := range v.Instances {
			add(in.PrivateIP)
			add(in.PublicIP)
		}
		if p, err := netip.ParsePrefix(v.CIDR); err == nil {
			b := p.Masked().Addr().As4()
			b[3] += 2
			used[netip.AddrFrom4(b)] = true
		}
	}
	return used
}

func applyRecordWrong(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	rel := relRecord(z.Name, p["name"])
	vals, ok := recordsOf(z, rel, "A")
	if !ok {
		return nil, fmt.Errorf("zone %s has no A record for %s", z.Name, rel)
	}
	wrong := p["value"]
	if wrong == "" {
		a, err := netip.ParseAddr(vals[0])
		if err != nil {
			return nil, fmt.Errorf("record %s A %s is not an address", rel, vals[0])
		}
		wrong = unusedNear(s, a).String()
	} else if a, err := netip.ParseAddr(wrong); err != nil || !a.Is4() {
		return nil, fmt.Errorf("value %q is not an IPv4 address", wrong)
	}
	summary := fmt.Sprintf("pointed %s A in zone %s at %s instead of %s", rel, z.Name, wrong, strings.Join(vals, ", "))
	c := &change{s: s}
	if err := c.do(dnsSet(zoneRef(s, z), rel, "A", wrong)); err != nil {
		return nil, err
	}
	return c.applied(summary, zoneComponent(z)), nil
}

// inZone returns the name relative to z if it lies inside it.
func inZone(z *spec.ZoneSpec, fq string) (string, bool) {
	zn := strings.TrimSuffix(strings.ToLower(z.Name), ".")
	n := strings.TrimSuffix(strings.ToLower(fq), ".")
	if n == zn {
		return "@", true
	}
	if rest, ok := strings.CutSuffix(n, "."+zn); ok {
		return rest, true
	}
	return "", false
}

func cnameTarget(z *spec.ZoneSpec, rel string) (string, bool) {
	vals, ok := recordsOf(z, rel, "CNAME")
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[0], true
}

func applyCNAMELoop(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	rel := relRecord(z.Name, p["name"])
	target, ok := cnameTarget(z, rel)
	if !ok {
		return nil, fmt.Errorf("zone %s has no CNAME %s", z.Name, rel)
	}
	trel, ok := inZone(z, target)
	if !ok {
		return nil, fmt.Errorf("CNAME %s points outside zone %s (%s)", rel, z.Name, target)
	}
	if _, had := cnameTarget(z, trel); had {
		return nil, fmt.Errorf("%s is already a CNAME", trel)
	}
	ref := zoneRef(s, z)
	var types []string
	for _, r := range z.Records {
		if t := strings.ToUpper(r.Type); relRecord(z.Name, r.Name) == trel && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	fqName := rel + "." + strings.TrimSuffix(z.Name, ".")
	if rel == "@" {
		fqName = strings.TrimSuffix(z.Name, ".")
	}
	c := &change{s: s}
	for _, t := range types {
		if err := c.do(dnsRemove(ref, trel, t)); err != nil {
			return nil, err
		}
	}
	if err := c.do(dnsSet(ref, trel, "CNAME", fqName)); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("made %s in zone %s a CNAME back to %s: the chain %s → %s → %s loops", trel, z.Name, fqName, rel, trel, rel), zoneComponent(z)), nil
}

func applyCNAMEDangling(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, p["zone"])
	if err != nil {
		return nil, err
	}
	rel := relRecord(z.Name, p["name"])
	target, ok := cnameTarget(z, rel)
	if !ok {
		return nil, fmt.Errorf("zone %s has no CNAME %s", z.Name, rel)
	}
	wrong := p["target"]
	if wrong == "" {
		t := strings.TrimSuffix(target, ".")
		first, rest, _ := strings.Cut(t, ".")
		wrong = first + "-old." + rest
	}
	summary := fmt.Sprintf("pointed CNAME %s in zone %s at %s, which does not exist (it was %s)", rel, z.Name, wrong, strings.TrimSuffix(target, "."))
	c := &change{s: s}
	if err := c.do(dnsSet(zoneRef(s, z), rel, "CNAME", wrong)); err != nil {
		return nil, err
	}
	return c.applied(summary, zoneComponent(z)), nil
}

func applyPrivateShadow(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, "public:"+p["zone"])
	if err != nil {
		return nil, err
	}
	if findVPC(s, p["vpc"]) == nil {
		return nil, fmt.Errorf("no VPC is named %q", p["vpc"])
	}
	for _, o := range s.DNS.Zones {
		if o.Private && strings.EqualFold(strings.TrimSuffix(o.Name, "."), zoneComponent(z)) {
			return nil, fmt.Errorf("a private zone %s exists already", o.Name)
		}
	}
	// The undo would delete the shadowing zone, and with it the intranet
	// it was made for. The reference fix keeps it and copies into it the
	// records the name needs: its CNAME chain inside the zone, and the
	// addresses at its end.
	ref := "private:" + zoneComponent(z)
	var fix []spec.Edit
	rel := relRecord(z.Name, p["name"])
	for range 8 {
		if t, ok := cnameTarget(z, rel); ok {
			fix = append(fix, dnsSet(ref, rel, "CNAME", strings.TrimSuffix(t, ".")))
			next, in := inZone(z, t)
			if !in {
				break
			}
			rel = next
			continue
		}
		vals, ok := recordsOf(z, rel, "A")
		if !ok {
			break
		}
		fix = append(fix, dnsSet(ref, rel, "A", vals...))
		break
	}
	if len(fix) == 0 {
		return nil, fmt.Errorf("zone %s has no A or CNAME record for %s", z.Name, p["name"])
	}
	c := &change{s: s}
	// Something internal lives in the shadowing zone: the reason it exists.
	for _, e := range []spec.Edit{
		spec.ZoneEdit{Zone: z.Name, Op: "create", VPCs: []string{p["vpc"]}},
		dnsSet(ref, "intranet", "A", firstPrivate(s, p["vpc"])),
	} {
		if err := c.do(e); err != nil {
			return nil, err
		}
	}
	a := c.applied(fmt.Sprintf("created a private zone %s for VPC %s holding only an intranet record: it shadows the public zone, so %s is NXDOMAIN inside the VPC", z.Name, p["vpc"], p["name"]),
		zoneComponent(z), "private:"+zoneComponent(z))
	a.Fix = fix
	return a, nil
}

// firstPrivate returns an address inside a VPC, for records that need one.
func firstPrivate(s *spec.WorldSpec, vpc string) string {
	if v := findVPC(s, vpc); v != nil {
		for _, in := range v.Instances {
			return in.PrivateIP
		}
		if p, err := netip.ParsePrefix(v.CIDR); err == nil {
			b := p.Masked().Addr().As4()
			b[3] = 10
			return netip.AddrFrom4(b).String()
		}
	}
	return "10.0.0.10"
}

func applyLame(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, "public:"+p["zone"])
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, n := range z.Nameservers {
		own[n.IP] = true
	}
	var lame *spec.NameserverSpec
	for _, o := range s.DNS.Zones {
		if o.Private || o.Name == z.Name {
			continue
		}
		for _, n := range o.Nameservers {
			if own[n.IP] {
				continue
			}
			if p["server"] == "" || strings.EqualFold(strings.TrimSuffix(n.Name, "."), strings.TrimSuffix(p["server"], ".")) {
				lame = &n
				break
			}
		}
		if lame != nil {
			break
		}
	}
	if lame == nil {
		if p["server"] != "" {
			return nil, fmt.Errorf("no nameserver of another zone is named %q", p["server"])
		}
		return nil, fmt.Errorf("no other zone's nameserver exists to be lame for %s", z.Name)
	}
	summary := fmt.Sprintf("the parent now delegates %s to %s (%s), which does not serve it: lame", z.Name, lame.Name, lame.IP)
	comps := []string{zoneComponent(z), strings.TrimSuffix(lame.Name, ".")}
	c := &change{s: s}
	if err := c.do(spec.DNSDelegateEdit{Zone: zoneRef(s, z), Servers: []spec.NameserverSpec{*lame}}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

func applyDelegationTimeout(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, "public:"+p["zone"])
	if err != nil {
		return nil, err
	}
	if len(z.Nameservers) == 0 {
		return nil, fmt.Errorf("zone %s has no nameservers", z.Name)
	}
	ip := p["ip"]
	if ip == "" {
		a, err := netip.ParseAddr(z.Nameservers[0].IP)
		if err != nil {
			return nil, fmt.Errorf("nameserver %s has no address", z.Nameservers[0].Name)
		}
		ip = unusedNear(s, a).String()
	} else if _, err := netip.ParseAddr(ip); err != nil {
		return nil, fmt.Errorf("ip %q is not an address", ip)
	}
	name := "ns-old." + zoneComponent(z)
	summary := fmt.Sprintf("the parent now delegates %s to %s (%s), where no nameserver runs", z.Name, name, ip)
	comps := []string{zoneComponent(z), name}
	c := &change{s: s}
	if err := c.do(spec.DNSDelegateEdit{Zone: zoneRef(s, z), Servers: []spec.NameserverSpec{{Name: name, IP: ip}}}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

func applyUnassociated(s *spec.WorldSpec, p Params) (*Applied, error) {
	z, err := findZone(s, "private:"+p["zone"])
	if err != nil {
		return nil, err
	}
	if !slices.Contains(z.VPCs, p["vpc"]) {
		return nil, fmt.Errorf("private zone %s is not associated with VPC %s", z.Name, p["vpc"])
	}
	if len(z.VPCs) < 2 {
		return nil, fmt.Errorf("private zone %s is associated with %s only, and a private zone needs a VPC", z.Name, p["vpc"])
	}
	summary := fmt.Sprintf("dissociated private zone %s from VPC %s", z.Name, p["vpc"])
	comps := []string{zoneComponent(z)}
	c := &change{s: s}
	if err := c.do(spec.ZoneAssocEdit{Zone: zoneRef(s, z), Op: "disassociate", VPC: p["vpc"]}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

// ---- routing

func routeIndex(rt *spec.RouteTableSpec, dst string) int {
	want, err := netip.ParsePrefix(dst)
	if err != nil {
		return -1
	}
	for i, r := range rt.Routes {
		if p, err := netip.ParsePrefix(r.Destination); err == nil && p.Masked() == want.Masked() {
			return i
		}
	}
	return -1
}

func isIGWRoute(s *spec.WorldSpec, r spec.RouteSpec) bool {
	for _, v := range s.VPCs {
		if v.InternetGateway != "" && v.InternetGateway == r.Target {
			return true
		}
	}
	return false
}

func isNATRoute(s *spec.WorldSpec, r spec.RouteSpec) bool {
	for _, v := range s.VPCs {
		for _, n := range v.NATGateways {
			if n.Name == r.Target {
				return true
			}
		}
	}
	return false
}

func isPeeringRoute(s *spec.WorldSpec, r spec.RouteSpec) bool {
	return findPeering(s, r.Target) != nil
}

// routeEdit is an edit of the route in rt at index i.
func routeEdit(rt *spec.RouteTableSpec, i int, op, target string) (spec.RouteEdit, error) {
	dst, err := netip.ParsePrefix(rt.Routes[i].Destination)
	if err != nil {
		return spec.RouteEdit{}, fmt.Errorf("route %q in %s is not a CIDR", rt.Routes[i].Destination, rt.Name)
	}
	return spec.RouteEdit{Table: rt.Name, Op: op, Dest: dst, Target: target}, nil
}

func removeRoute(s *spec.WorldSpec, table, dst string, want func(*spec.WorldSpec, spec.RouteSpec) bool, what string) (*Applied, error) {
	rt, _ := findRT(s, table)
	if rt == nil {
		return nil, fmt.Errorf("no route table is named %q", table)
	}
	i := routeIndex(rt, dst)
	if i < 0 {
		return nil, fmt.Errorf("route table %s has no route for %s", table, dst)
	}
	r := rt.Routes[i]
	if want != nil && !want(s, r) {
		return nil, fmt.Errorf("route %s → %s in %s is not %s", r.Destination, r.Target, table, what)
	}
	e, err := routeEdit(rt, i, "remove", "")
	if err != nil {
		return nil, err
	}
	c := &change{s: s}
	if err := c.do(e); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("deleted the route %s → %s from %s", r.Destination, r.Target, table), table), nil
}

func applyRouteMissingDefault(s *spec.WorldSpec, p Params) (*Applied, error) {
	return removeRoute(s, p["table"], "0.0.0.0/0", isIGWRoute, "a route to an internet gateway")
}

func applyRouteMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	return removeRoute(s, p["table"], p["destination"], nil, "")
}

func applyNATRouteMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	return removeRoute(s, p["table"], "0.0.0.0/0", isNATRoute, "a route to a NAT gateway")
}

func applyPeeringRouteMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	return removeRoute(s, p["table"], p["destination"], isPeeringRoute, "a route through a peering")
}

func applyRouteBlackhole(s *spec.WorldSpec, p Params) (*Applied, error) {
	rt, _ := findRT(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no route table is named %q", p["table"])
	}
	i := routeIndex(rt, p["destination"])
	if i < 0 {
		return nil, fmt.Errorf("route table %s has no route for %s", p["table"], p["destination"])
	}
	old := rt.Routes[i].Target
	if old == "blackhole" {
		return nil, fmt.Errorf("the route is a blackhole already")
	}
	summary := fmt.Sprintf("pointed the route %s in %s at a blackhole (it went to %s)", rt.Routes[i].Destination, rt.Name, old)
	e, err := routeEdit(rt, i, "replace", "blackhole")
	if err != nil {
		return nil, err
	}
	c := &change{s: s}
	if err := c.do(e); err != nil {
		return nil, err
	}
	return c.applied(summary, rt.Name), nil
}

func applyNATToIGW(s *spec.WorldSpec, p Params) (*Applied, error) {
	rt, v := findRT(s, p["table"])
	if rt == nil {
		return nil, fmt.Errorf("no route table is named %q", p["table"])
	}
	i := routeIndex(rt, "0.0.0.0/0")
	if i < 0 || !isNATRoute(s, rt.Routes[i]) {
		return nil, fmt.Errorf("route table %s has no default route to a NAT gateway", rt.Name)
	}
	if v.InternetGateway == "" {
		return nil, fmt.Errorf("VPC %s has no internet gateway", v.Name)
	}
	old := rt.Routes[i].Target
	summary := fmt.Sprintf("pointed %s's default route at %s instead of NAT gateway %s", rt.Name, v.InternetGateway, old)
	e, err := routeEdit(rt, i, "replace", v.InternetGateway)
	if err != nil {
		return nil, err
	}
	c := &change{s: s}
	if err := c.do(e); err != nil {
		return nil, err
	}
	return c.applied(summary, rt.Name, v.InternetGateway), nil
}

// ---- peering

// routesVia lists the route tables with a route through a peering, and
// the routes' destinations.
func routesVia(s *spec.WorldSpec, peering string) (tables []string, edits []spec.RouteEdit) {
	for _, v := range s.VPCs {
		for _, rt := range v.RouteTables {
			for i, r := range rt.Routes {
				if r.Target == peering {
					tables = append(tables, rt.Name)
					if e, err := routeEdit(&rt, i, "replace", ""); err == nil {
						edits = append(edits, e)
					}
				}
			}
		}
	}
	return tables, edits
}

func applyPeeringDeleted(s *spec.WorldSpec, p Params) (*Applied, error) {
	pr := findPeering(s, p["peering"])
	if pr == nil {
		return nil, fmt.Errorf("no peering is named %q", p["peering"])
	}
	if pr.Status == "deleted" {
		return nil, fmt.Errorf("peering %s is deleted already", pr.Name)
	}
	if len(pr.VPCs) != 2 {
		return nil, fmt.Errorf("peering %s does not join two VPCs", pr.Name)
	}
	// A deleted peering cannot come back, so the reference fix is not the
	// undo: request a new one, accept it, and point the routes at it.
	fresh := pr.Name + "-2"
	fix := []spec.Edit{spec.PeeringEdit{Op: "create", Name: fresh, VPCs: slices.Clone(pr.VPCs)}, spec.PeeringEdit{Op: "accept", Name: fresh}}
	tables, routes := routesVia(s, pr.Name)
	for _, r := range routes {
		r.Target = fresh
		fix = append(fix, r)
	}
	name := pr.Name
	c := &change{s: s}
	if err := c.do(spec.PeeringEdit{Op: "delete", Name: name}); err != nil {
		return nil, err
	}
	a := c.applied(fmt.Sprintf("deleted peering %s: the routes through it became blackholes", name), append([]string{name}, tables...)...)
	a.Fix = fix
	return a, nil
}

func applyPeeringPending(s *spec.WorldSpec, p Params) (*Applied, error) {
	pr := findPeering(s, p["peering"])
	if pr == nil {
		return nil, fmt.Errorf("no peering is named %q", p["peering"])
	}
	if pr.Status != "active" && pr.Status != "" {
		return nil, fmt.Errorf("peering %s is %s, not active", pr.Name, pr.Status)
	}
	name := pr.Name
	tables, _ := routesVia(s, name)
	c := &change{s: s}
	if err := c.do(spec.PeeringStatusEdit{Name: name, Status: "pending-acceptance"}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("left peering %s pending acceptance", name), append([]string{name}, tables...)...), nil
}

// ---- security groups

func sgRulesOf(g *spec.SecurityGroupSpec, dir string) *[]spec.SGRuleSpec {
	if dir == "ingress" {
		return &g.Ingress
	}
	return &g.Egress
}

func ruleCovers(r spec.SGRuleSpec, proto string, port int) bool {
	if !protoCovers(r.Protocol, proto) {
		return false
	}
	if strings.EqualFold(r.Protocol, "all") || strings.EqualFold(r.Protocol, "icmp") {
		return true
	}
	return covers(r.Ports, port)
}

func sgEdit(op, group, dir string, r spec.SGRuleSpec) spec.SGRuleEdit {
	return spec.SGRuleEdit{Group: group, Op: op, Dir: dir, Rule: r}
}

func applySGMissing(dir string) func(*spec.WorldSpec, Params) (*Applied, error) {
	return func(s *spec.WorldSpec, p Params) (*Applied, error) {
		g, _ := findSG(s, p["group"])
		if g == nil {
			return nil, fmt.Errorf("no security group is named %q", p["group"])
		}
		port, err := atoiPort(p["port"])
		if err != nil {
			return nil, err
		}
		name := g.Name
		var gone []spec.SGRuleSpec
		for _, r := range *sgRulesOf(g, dir) {
			if ruleCovers(r, p["proto"], port) {
				gone = append(gone, r)
			}
		}
		if len(gone) == 0 {
			return nil, fmt.Errorf("security group %s has no %s rule for %s %d", name, dir, p["proto"], port)
		}
		c := &change{s: s}
		var what []string
		for _, r := range gone {
			what = append(what, spec.SGRuleText(dir, r))
			if err := c.do(sgEdit("remove", name, dir, r)); err != nil {
				return nil, err
			}
		}
		return c.applied(fmt.Sprintf("removed from %s: %s", name, strings.Join(what, "; ")), name), nil
	}
}

func isGroupPeer(s *spec.WorldSpec, peer string) bool {
	g, _ := findSG(s, peer)
	return g != nil
}

func isCIDRPeer(s *spec.WorldSpec, peer string) bool {
	_, err := netip.ParsePrefix(peer)
	return err == nil
}

// coveringIngress finds the first ingress rule of g covering tcp port
// whose source passes want.
func coveringIngress(s *spec.WorldSpec, g *spec.SecurityGroupSpec, port int, want func(*spec.WorldSpec, string) bool) int {
	for i, r := range g.Ingress {
		if ruleCovers(r, "tcp", port) && (want == nil || want(s, r.Source)) {
			return i
		}
	}
	return -1
}

// replaceRules swaps rules of a group for others: each old rule removed,
// its replacement added.
func replaceRules(c *change, group, dir string, old, repl []spec.SGRuleSpec) error {
	for i := range old {
		if err := c.do(sgEdit("remove", group, dir, old[i])); err != nil {
			return err
		}
		if err := c.do(sgEdit("add", group, dir, repl[i])); err != nil {
			return err
		}
	}
	return nil
}

func applySGWrongSource(s *spec.WorldSpec, p Params) (*Applied, error) {
	g, v := findSG(s, p["group"])
	if g == nil {
		return nil, fmt.Errorf("no security group is named %q", p["group"])
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	i := coveringIngress(s, g, port, isGroupPeer)
	if i < 0 {
		return nil, fmt.Errorf("security group %s has no ingress rule for tcp %d from a group", g.Name, port)
	}
	old := g.Ingress[i]
	wrong := p["source"]
	if wrong == "" {
		for _, o := range v.SecurityGroups {
			if o.Name != g.Name && o.Name != old.Source {
				wrong = o.Name
				break
			}
		}
	}
	if wrong == "" {
		return nil, fmt.Errorf("VPC %s has no other security group to name", v.Name)
	}
	if wg, _ := findSG(s, wrong); wg == nil {
		return nil, fmt.Errorf("no security group is named %q", wrong)
	}
	name := g.Name
	repl := old
	repl.Source = wrong
	c := &change{s: s}
	if err := replaceRules(c, name, "ingress", []spec.SGRuleSpec{old}, []spec.SGRuleSpec{repl}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("%s's rule for tcp %d now admits %s instead of %s", name, port, wrong, old.Source), name), nil
}

// nearMiss returns a CIDR that looks like c but does not hold the same
// addresses: a typo in an octet, or an internal range for the whole
// internet.
func nearMiss(c string) (string, error) {
	p, err := netip.ParsePrefix(c)
	if err != nil {
		return "", fmt.Errorf("%q is not a CIDR", c)
	}
	if p.Bits() == 0 {
		return "10.0.0.0/8", nil
	}
	b := p.Masked().Addr().As4()
	i := (p.Bits() - 1) / 8
	b[i] += 10
	return netip.PrefixFrom(netip.AddrFrom4(b), p.Bits()).Masked().String(), nil
}

func applySGWrongCIDR(s *spec.WorldSpec, p Params) (*Applied, error) {
	g, _ := findSG(s, p["group"])
	if g == nil {
		return nil, fmt.Errorf("no security group is named %q", p["group"])
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	i := coveringIngress(s, g, port, isCIDRPeer)
	if i < 0 {
		return nil, fmt.Errorf("security group %s has no ingress rule for tcp %d from a CIDR", g.Name, port)
	}
	old := g.Ingress[i]
	wrong := p["cidr"]
	if wrong == "" {
		if wrong, err = nearMiss(old.Source); err != nil {
			return nil, err
		}
	} else if w, err := netip.ParsePrefix(wrong); err != nil {
		return nil, fmt.Errorf("cidr %q is not a CIDR", wrong)
	} else {
		wrong = w.Masked().String()
	}
	name := g.Name
	repl := old
	repl.Source = wrong
	c := &change{s: s}
	if err := replaceRules(c, name, "ingress", []spec.SGRuleSpec{old}, []spec.SGRuleSpec{repl}); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("%s's rule for tcp %d now admits %s instead of %s", name, port, wrong, old.Source), name), nil
}

// neighbourPort is a plausible wrong port for port.
func neighbourPort(port int) int {
	switch port {
	case 443:
		return 8443
	case 80:
		return 8080
	case 8080:
		return 8000
	case 8443:
		return 443
	case 5432:
		return 5433
	case 9000:
		return 9090
	}
	if port == 65535 {
		return port - 1
	}
	return port + 1
}

func applySGWrongPort(s *spec.WorldSpec, p Params) (*Applied, error) {
	g, _ := findSG(s, p["group"])
	if g == nil {
		return nil, fmt.Errorf("no security group is named %q", p["group"])
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	wrong := neighbourPort(port)
	if p["wrong"] != "" {
		if wrong, err = atoiPort(p["wrong"]); err != nil {
			return nil, err
		}
	}
	var old, repl []spec.SGRuleSpec
	for _, r := range g.Ingress {
		if !ruleCovers(r, "tcp", port) || strings.EqualFold(r.Protocol, "all") {
			continue
		}
		old = append(old, r)
		r.Ports = spec.PortsOf(wrong, wrong)
		repl = append(repl, r)
	}
	if len(old) == 0 {
		return nil, fmt.Errorf("security group %s has no tcp ingress rule for port %d", g.Name, port)
	}
	name := g.Name
	c := &change{s: s}
	if err := replaceRules(c, name, "ingress", old, repl); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("%s's rules for tcp %d now open port %d instead", name, port, wrong), name), nil
}

// ---- nacl

func aclRules(a *spec.ACLSpec, dir string) *[]spec.ACLRuleSpec {
	if dir == "ingress" {
		return &a.Ingress
	}
	return &a.Egress
}

func naclEdit(op, acl, dir string, r spec.ACLRuleSpec) spec.NACLRuleEdit {
	if op == "remove" {
		r = spec.ACLRuleSpec{Rule: r.Rule}
	}
	return spec.NACLRuleEdit{ACL: acl, Op: op, Dir: dir, Rule: r}
}

func applyNACLDenyFirst(s *spec.WorldSpec, p Params) (*Applied, error) {
	a := findACL(s, p["acl"])
	if a == nil {
		return nil, fmt.Errorf("no network ACL is named %q", p["acl"])
	}
	dir := p["direction"]
	if dir != "ingress" && dir != "egress" {
		return nil, fmt.Errorf("direction %q is not ingress or egress", dir)
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	cidr, err := netip.ParsePrefix(p["cidr"])
	if err != nil {
		return nil, fmt.Errorf("cidr %q is not a CIDR", p["cidr"])
	}
	rules := aclRules(a, dir)
	num := 0
	if p["rule"] != "" {
		if num, err = strconv.Atoi(p["rule"]); err != nil || num < 1 || num > 32766 {
			return nil, fmt.Errorf("rule %q is not a number from 1 to 32766", p["rule"])
		}
	} else {
		first := 100
		if len(*rules) > 0 {
			first = (*rules)[0].Rule
			for _, r := range *rules {
				first = min(first, r.Rule)
			}
		}
		num = max(1, first-10)
		if first <= 10 {
			num = max(1, first/2)
		}
	}
	for _, r := range *rules {
		if r.Rule == num {
			return nil, fmt.Errorf("%s already has %s rule %d", a.Name, dir, num)
		}
	}
	r := spec.ACLRuleSpec{Rule: num, Protocol: "tcp", Ports: spec.PortsOf(port, port), CIDR: cidr.Masked().String(), Action: "deny"}
	name := a.Name
	c := &change{s: s}
	if err := c.do(naclEdit("add", name, dir, r)); err != nil {
		return nil, err
	}
	return c.applied(fmt.Sprintf("added %s %s to %s, ahead of its allow rules", dir, spec.ACLRuleText(r), name), name), nil
}

// isEphemeralRule reports whether an allow rule is there for replies: tcp
// over a range that holds Linux's ephemeral ports.
func isEphemeralRule(r spec.ACLRuleSpec) bool {
	if !strings.EqualFold(r.Action, "allow") || !strings.EqualFold(r.Protocol, "tcp") || r.Ports.IsZero() {
		return false
	}
	lo, hi, err := r.Ports.Range()
	return err == nil && hi > lo && lo <= 32768 && hi >= 60999
}

func applyNACLEphemeral(narrow bool) func(*spec.WorldSpec, Params) (*Applied, error) {
	return func(s *spec.WorldSpec, p Params) (*Applied, error) {
		a := findACL(s, p["acl"])
		if a == nil {
			return nil, fmt.Errorf("no network ACL is named %q", p["acl"])
		}
		dir := p["direction"]
		if dir != "ingress" && dir != "egress" {
			return nil, fmt.Errorf("direction %q is not ingress or egress", dir)
		}
		var hit []spec.ACLRuleSpec
		for _, r := range *aclRules(a, dir) {
			if isEphemeralRule(r) && (p["cidr"] == "" || samePeer(r.CIDR, p["cidr"])) {
				hit = append(hit, r)
			}
		}
		if len(hit) == 0 {
			return nil, fmt.Errorf("%s has no %s rule allowing the ephemeral ports", a.Name, dir)
		}
		name := a.Name
		c := &change{s: s}
		var what []string
		for _, r := range hit {
			what = append(what, spec.ACLRuleText(r))
			if err := c.do(naclEdit("remove", name, dir, r)); err != nil {
				return nil, err
			}
			if narrow {
				n := r
				n.Ports = spec.PortsOf(49152, 65535)
				if err := c.do(naclEdit("add", name, dir, n)); err != nil {
					return nil, err
				}
			}
		}
		verb := "removed"
		if narrow {
			verb = "narrowed to 49152-65535"
		}
		return c.applied(fmt.Sprintf("%s %s's %s rule for the ephemeral ports (%s)", verb, name, dir, strings.Join(what, "; ")), name), nil
	}
}

func applyNACLMissingAllow(s *spec.WorldSpec, p Params) (*Applied, error) {
	a := findACL(s, p["acl"])
	if a == nil {
		return nil, fmt.Errorf("no network ACL is named %q", p["acl"])
	}
	dir := p["direction"]
	if dir != "ingress" && dir != "egress" {
		return nil, fmt.Errorf("direction %q is not ingress or egress", dir)
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	var hit []spec.ACLRuleSpec
	for _, r := range *aclRules(a, dir) {
		if !strings.EqualFold(r.Action, "allow") || !protoCovers(r.Protocol, "tcp") {
			continue
		}
		if strings.EqualFold(r.Protocol, "tcp") && !covers(r.Ports, port) {
			continue
		}
		hit = append(hit, r)
	}
	if len(hit) == 0 {
		return nil, fmt.Errorf("%s has no %s allow rule covering tcp %d", a.Name, dir, port)
	}
	name := a.Name
	c := &change{s: s}
	var what []string
	for _, r := range hit {
		what = append(what, spec.ACLRuleText(r))
		if err := c.do(naclEdit("remove", name, dir, r)); err != nil {
			return nil, err
		}
	}
	return c.applied(fmt.Sprintf("removed from %s's %s rules: %s", name, dir, strings.Join(what, "; ")), name), nil
}

// ---- host firewall and services

func hostList(p Params) []string {
	var out []string
	for _, h := range strings.Split(p["host"], ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func applyFirewall(chain, action string) func(*spec.WorldSpec, Params) (*Applied, error) {
	return func(s *spec.WorldSpec, p Params) (*Applied, error) {
		port, err := atoiPort(p["port"])
		if err != nil {
			return nil, err
		}
		hosts := hostList(p)
		if len(hosts) == 0 {
			return nil, fmt.Errorf("no host named")
		}
		r := spec.FirewallRuleSpec{Chain: chain, Protocol: "tcp", Port: spec.PortsOf(port, port), Action: action}
		c := &change{s: s}
		for _, h := range hosts {
			if err := c.do(spec.FirewallEdit{Host: h, Op: "insert", Num: 1, Rule: r}); err != nil {
				return nil, err
			}
		}
		return c.applied(fmt.Sprintf("inserted %s first on %s", spec.FirewallRuleText(r), strings.Join(hosts, " and ")), hosts...), nil
	}
}

func applyService(how string) func(*spec.WorldSpec, Params) (*Applied, error) {
	return func(s *spec.WorldSpec, p Params) (*Applied, error) {
		port, err := atoiPort(p["port"])
		if err != nil {
			return nil, err
		}
		hosts := hostList(p)
		if len(hosts) == 0 {
			return nil, fmt.Errorf("no host named")
		}
		c := &change{s: s}
		var what string
		for _, h := range hosts {
			svcs, _ := hostParts(s, h)
			if svcs == nil {
				return nil, fmt.Errorf("no instance or server is named %q", h)
			}
			var sv *spec.ServiceSpec
			for i := range *svcs {
				if (*svcs)[i].Port == port {
					sv = &(*svcs)[i]
				}
			}
			if sv == nil {
				return nil, fmt.Errorf("%s has no service on port %d", h, port)
			}
			e := spec.ServiceEdit{Host: h, Service: sv.Name}
			switch how {
			case "down":
				if !sv.IsRunning() {
					return nil, fmt.Errorf("service %s on %s is stopped already", sv.Name, h)
				}
				e.Op = "stop"
				what = fmt.Sprintf("stopped service %s", sv.Name)
			case "loopback":
				if sv.Bind == "127.0.0.1" {
					return nil, fmt.Errorf("service %s on %s listens on loopback already", sv.Name, h)
				}
				e.Op, e.Bind = "bind", "127.0.0.1"
				what = fmt.Sprintf("bound service %s to 127.0.0.1", sv.Name)
			default:
				wrong := port + 1
				if p["wrong"] != "" {
					if wrong, err = atoiPort(p["wrong"]); err != nil {
						return nil, err
					}
				}
				for _, o := range *svcs {
					if o.Port == wrong && o.Name != sv.Name {
						return nil, fmt.Errorf("%s already has service %s on port %d", h, o.Name, wrong)
					}
				}
				e.Op, e.Port = "port", wrong
				what = fmt.Sprintf("moved service %s from port %d to %d", sv.Name, port, wrong)
			}
			if err := c.do(e); err != nil {
				return nil, err
			}
		}
		return c.applied(fmt.Sprintf("%s on %s", what, strings.Join(hosts, " and ")), hosts...), nil
	}
}

// ---- load balancers

func lbAndTG(s *spec.WorldSpec, p Params) (*spec.LoadBalancerSpec, *spec.TargetGroupSpec, error) {
	l := findLB(s, p["lb"])
	if l == nil {
		return nil, nil, fmt.Errorf("no load balancer is named %q", p["lb"])
	}
	tg, err := spec.FindTargetGroup(l, p["tg"])
	if err != nil {
		return nil, nil, err
	}
	return l, tg, nil
}

// tgArg is the optional target group argument of an lb command: named only
// when the balancer has several.
func tgArg(l *spec.LoadBalancerSpec, tg *spec.TargetGroupSpec) string {
	if len(l.TargetGroups) > 1 {
		return tg.Name
	}
	return ""
}

func applyHCPath(s *spec.WorldSpec, p Params) (*Applied, error) {
	l, tg, err := lbAndTG(s, p)
	if err != nil {
		return nil, err
	}
	hcProto := strings.ToLower(tg.HealthCheck.Protocol)
	if hcProto == "" {
		hcProto = strings.ToLower(tg.Protocol)
	}
	if hcProto != "http" && hcProto != "https" {
		return nil, fmt.Errorf("target group %s checks health over %s, which has no path", tg.Name, hcProto)
	}
	old := tg.HealthCheck.Path
	if old == "" {
		old = "/"
	}
	if p["path"] == old {
		return nil, fmt.Errorf("the health check asks for %s already", old)
	}
	summary := fmt.Sprintf("%s's health check now asks for %s instead of %s", tg.Name, p["path"], old)
	comps := []string{l.Name, tg.Name}
	c := &change{s: s}
	if err := c.do(spec.LBHealthCheckEdit{LB: l.Name, Path: p["path"], TG: tgArg(l, tg)}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

func applyHCPort(s *spec.WorldSpec, p Params) (*Applied, error) {
	l, tg, err := lbAndTG(s, p)
	if err != nil {
		return nil, err
	}
	old := tg.HealthCheck.Port
	if old == 0 {
		old = tg.Port
	}
	wrong := old + 1
	if p["port"] != "" {
		if wrong, err = atoiPort(p["port"]); err != nil {
			return nil, err
		}
	}
	if wrong == old {
		return nil, fmt.Errorf("the health check probes port %d already", old)
	}
	summary := fmt.Sprintf("%s's health check now probes port %d instead of %d", tg.Name, wrong, old)
	comps := []string{l.Name, tg.Name}
	c := &change{s: s}
	if err := c.do(spec.LBHealthCheckEdit{LB: l.Name, Port: wrong, TG: tgArg(l, tg)}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

func applyTGPort(s *spec.WorldSpec, p Params) (*Applied, error) {
	l, tg, err := lbAndTG(s, p)
	if err != nil {
		return nil, err
	}
	old := tg.Port
	wrong := old + 1
	if p["port"] != "" {
		if wrong, err = atoiPort(p["port"]); err != nil {
			return nil, err
		}
	}
	if wrong == old {
		return nil, fmt.Errorf("target group %s sends to port %d already", tg.Name, old)
	}
	summary := fmt.Sprintf("%s now sends traffic to port %d, but its targets listen on %d", tg.Name, wrong, old)
	comps := []string{l.Name, tg.Name}
	c := &change{s: s}
	if err := c.do(spec.LBTargetGroupPortEdit{LB: l.Name, TG: tg.Name, Port: wrong}); err != nil {
		return nil, err
	}
	return c.applied(summary, comps...), nil
}

func applyTargetsEmpty(s *spec.WorldSpec, p Params) (*Applied, error) {
	l, tg, err := lbAndTG(s, p)
	if err != nil {
		return nil, err
	}
	if len(tg.Targets) == 0 {
		return nil, fmt.Errorf("target group %s has no targets already", tg.Name)
	}
	old := slices.Clone(tg.Targets)
	lb, tgName, arg := l.Name, tg.Name, tgArg(l, tg)
	c := &change{s: s}
	for _, t := range old {
		if err := c.do(spec.LBTargetEdit{LB: lb, Op: "remove", Target: t, TG: arg}); err != nil {
			return nil, err
		}
	}
	return c.applied(fmt.Sprintf("deregistered every target of %s (%s)", tgName, strings.Join(old, ", ")), lb, tgName), nil
}

func applyListenerMissing(s *spec.WorldSpec, p Params) (*Applied, error) {
	l := findLB(s, p["lb"])
	if l == nil {
		return nil, fmt.Errorf("no load balancer is named %q", p["lb"])
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	for _, li := range l.Listeners {
		if li.Port != port {
			continue
		}
		lb := l.Name
		c := &change{s: s}
		if err := c.do(spec.LBListenerRemoveEdit{LB: lb, Port: port}); err != nil {
			return nil, err
		}
		return c.applied(fmt.Sprintf("deleted %s's %s listener on port %d", lb, li.Protocol, port), lb), nil
	}
	return nil, fmt.Errorf("%s has no listener on port %d", l.Name, port)
}

// ---- tls

// certUsers names what presents a certificate: listeners' balancers and
// services' hosts.
func certUsers(s *spec.WorldSpec, cert string) []string {
	var out []string
	for _, v := range s.VPCs {
		for _, l := range v.LoadBalancers {
			for _, li := range l.Listeners {
				if li.Certificate == cert && !slices.Contains(out, l.Name) {
					out = append(out, l.Name)
				}
			}
		}
		for _, in := range v.Instances {
			for _, sv := range in.Services {
				if sv.TLS == cert && !slices.Contains(out, in.Name) {
					out = append(out, in.Name)
				}
			}
		}
	}
	for _, sv := range s.Internet.Servers {
		for _, x := range sv.Services {
			if x.TLS == cert && !slices.Contains(out, sv.Name) {
				out = append(out, sv.Name)
			}
		}
	}
	return out
}

// A certificate's dates and names are the authority's: the faults reissue
// it, and the reference fix renews it (the undo would set the old dates
// back, which no operator can do).

func applyCertTime(notYet bool) func(*spec.WorldSpec, Params) (*Applied, error) {
	return func(s *spec.WorldSpec, p Params) (*Applied, error) {
		cert := findCert(s, p["cert"])
		if cert == nil {
			return nil, fmt.Errorf("no certificate is named %q", p["cert"])
		}
		clock := worldClock(s)
		e := spec.CertReissueEdit{Cert: cert.Name, Domains: slices.Clone(cert.Domains)}
		var summary string
		if notYet {
			start := clock.Add(48 * time.Hour).Truncate(time.Hour)
			e.NotBefore = start.Format(time.RFC3339)
			e.NotAfter = start.Add(spec.CertLifetime).Format(time.RFC3339)
			summary = fmt.Sprintf("reissued %s valid from %s, two days after the world's clock", cert.Name, e.NotBefore)
		} else {
			end := clock.Add(-48 * time.Hour).Truncate(time.Hour)
			e.NotAfter = end.Format(time.RFC3339)
			e.NotBefore = end.Add(-spec.CertLifetime).Format(time.RFC3339)
			summary = fmt.Sprintf("%s expired at %s", cert.Name, e.NotAfter)
		}
		comps := append([]string{cert.Name}, certUsers(s, cert.Name)...)
		c := &change{s: s}
		if err := c.do(e); err != nil {
			return nil, err
		}
		a := c.applied(summary, comps...)
		a.Fix = []spec.Edit{spec.CertRenewEdit{Cert: e.Cert}}
		return a, nil
	}
}

func applyCertName(s *spec.WorldSpec, p Params) (*Applied, error) {
	cert := findCert(s, p["cert"])
	if cert == nil {
		return nil, fmt.Errorf("no certificate is named %q", p["cert"])
	}
	var wrong []string
	if p["domains"] != "" {
		for _, d := range strings.Split(p["domains"], ",") {
			if d = strings.TrimSpace(d); d != "" {
				wrong = append(wrong, d)
			}
		}
	} else {
		for _, d := range cert.Domains {
			if strings.HasPrefix(d, "*.") {
				continue
			}
			first, rest, ok := strings.Cut(d, ".")
			if !ok {
				continue
			}
			wrong = append(wrong, first+"-staging."+rest)
		}
	}
	if len(wrong) == 0 {
		return nil, fmt.Errorf("no wrong names to give %s", cert.Name)
	}
	old := slices.Clone(cert.Domains)
	summary := fmt.Sprintf("reissued %s for %s instead of %s", cert.Name, strings.Join(wrong, ", "), strings.Join(old, ", "))
	comps := append([]string{cert.Name}, certUsers(s, cert.Name)...)
	c := &change{s: s}
	if err := c.do(spec.CertReissueEdit{Cert: cert.Name, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, Domains: wrong}); err != nil {
		return nil, err
	}
	a := c.applied(summary, comps...)
	a.Fix = []spec.Edit{spec.CertRenewEdit{Cert: a.Edits[0].(spec.CertReissueEdit).Cert, Domains: old}}
	return a, nil
}

func applyListenerCert(s *spec.WorldSpec, p Params) (*Applied, error) {
	l := findLB(s, p["lb"])
	if l == nil {
		return nil, fmt.Errorf("no load balancer is named %q", p["lb"])
	}
	port, err := atoiPort(p["port"])
	if err != nil {
		return nil, err
	}
	for i := range l.Listeners {
		li := &l.Listeners[i]
		if li.Port != port {
			continue
		}
		if li.Certificate == "" {
			return nil, fmt.Errorf("%s's listener on port %d has no certificate", l.Name, port)
		}
		wrong := p["cert"]
		if wrong == "" {
			for _, c := range s.Certificates {
				if c.Name != li.Certificate {
					wrong = c.Name
					break
				}
			}
		}
		if wrong == "" || findCert(s, wrong) == nil {
			return nil, fmt.Errorf("no other certificate exists to attach")
		}
		lb, old := l.Name, li.Certificate
		c := &change{s: s}
		if err := c.do(spec.LBListenerCertEdit{LB: lb, Port: port, Cert: wrong}); err != nil {
			return nil, err
		}
		return c.applied(fmt.Sprintf("%s's listener on port %d now presents %s instead of %s", lb, port, wrong, old), lb, wrong), nil
	}
	return nil, fmt.Errorf("%s has no listener on port %d", l.Name, port)
}
