package spec

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// WorldSpec is a world file as written: the configuration. It is compiled
// into a World (the runtime) by Compile. The field names follow
// WORLD-FORMAT.md; fields marked "extension" go beyond its baseline.
type WorldSpec struct {
	Name         string        `yaml:"name" json:"name"`
	Description  string        `yaml:"description,omitempty" json:"description,omitempty"`
	Clock        string        `yaml:"clock,omitempty" json:"clock,omitempty"` // RFC 3339; certificate validity is judged against it
	Internet     InternetSpec  `yaml:"internet,omitempty" json:"internet"`
	DNS          DNSSpec       `yaml:"dns,omitempty" json:"dns"`
	Certificates []CertSpec    `yaml:"certificates,omitempty" json:"certificates,omitempty"`
	VPCs         []VPCSpec     `yaml:"vpcs,omitempty" json:"vpcs,omitempty"`
	Peerings     []PeeringSpec `yaml:"peerings,omitempty" json:"peerings,omitempty"`
	// Extensions of issue 11 (spec_hybrid.go).
	PrefixLists     []PrefixListSpec     `yaml:"prefix_lists,omitempty" json:"prefix_lists,omitempty"`
	TransitGateways []TransitGatewaySpec `yaml:"transit_gateways,omitempty" json:"transit_gateways,omitempty"`
	OnPremises      []OnPremSpec         `yaml:"on_premises,omitempty" json:"on_premises,omitempty"`
	VPNConnections  []VPNSpec            `yaml:"vpn_connections,omitempty" json:"vpn_connections,omitempty"`
}

// InternetSpec is the internet side of a world.
type InternetSpec struct {
	Clients   []ClientSpec   `yaml:"clients,omitempty" json:"clients,omitempty"`
	Resolvers []ResolverSpec `yaml:"resolvers,omitempty" json:"resolvers,omitempty"`
	Servers   []ServerSpec   `yaml:"servers,omitempty" json:"servers,omitempty"`
}

// ClientSpec is a host on the internet that starts requests (a browser).
type ClientSpec struct {
	Name     string `yaml:"name" json:"name"`
	IP       string `yaml:"ip" json:"ip"`
	Resolver string `yaml:"resolver,omitempty" json:"resolver,omitempty"` // name of an internet resolver
}

// ResolverSpec is a recursive resolver on the internet.
type ResolverSpec struct {
	Name string `yaml:"name" json:"name"`
	IP   string `yaml:"ip" json:"ip"`
}

// ServerSpec is a host on the internet with services.
type ServerSpec struct {
	Name     string             `yaml:"name" json:"name"`
	IP       string             `yaml:"ip" json:"ip"`
	Services []ServiceSpec      `yaml:"services,omitempty" json:"services,omitempty"`
	Firewall []FirewallRuleSpec `yaml:"firewall,omitempty" json:"firewall,omitempty"` // extension: as for instances
}

// DNSSpec holds the zones.
type DNSSpec struct {
	Zones []ZoneSpec `yaml:"zones,omitempty" json:"zones,omitempty"`
}

// ZoneSpec is a public zone (served by its nameservers on the internet) or
// a private one (answered by the VPC resolver of its VPCs).
type ZoneSpec struct {
	Name        string           `yaml:"name" json:"name"`
	Private     bool             `yaml:"private,omitempty" json:"private,omitempty"`
	VPCs        []string         `yaml:"vpcs,omitempty" json:"vpcs,omitempty"`
	Nameservers []NameserverSpec `yaml:"nameservers,omitempty" json:"nameservers,omitempty"`
	// Delegation is the NS set the parent zone (the TLD) hands out for this
	// zone; empty means the zone's own nameservers. A delegation to a server
	// that does not serve the zone is lame. Extension.
	Delegation []NameserverSpec `yaml:"delegation,omitempty" json:"delegation,omitempty"`
	Records    []RecordSpec     `yaml:"records,omitempty" json:"records,omitempty"`
}

// NameserverSpec is an authoritative server: a name and an address on the
// internet.
type NameserverSpec struct {
	Name string `yaml:"name" json:"name"`
	IP   string `yaml:"ip" json:"ip"`
}

// RecordSpec is a resource record. Name is relative to the zone ("@" for
// the apex).
type RecordSpec struct {
	Name   string   `yaml:"name" json:"name"`
	Type   string   `yaml:"type" json:"type"`
	Value  string   `yaml:"value,omitempty" json:"value,omitempty"`
	Values []string `yaml:"values,omitempty" json:"values,omitempty"`
	TTL    *int     `yaml:"ttl,omitempty" json:"ttl,omitempty"` // seconds; nil means 300
	// Alias makes an A record a Route 53 alias: it answers with the
	// addresses of a balancer or of another record of the zone, and may
	// sit at the apex. Extension.
	Alias *AliasSpec `yaml:"alias,omitempty" json:"alias,omitempty"`
	// Failover is Route 53's failover routing policy on an A record
	// (plain or alias): "primary" or "secondary" (failover.go). Extension.
	Failover string `yaml:"failover,omitempty" json:"failover,omitempty"`
}

// AliasSpec is a Route 53 alias target: a load balancer's name, or a
// record name of the same zone.
type AliasSpec struct {
	Target         string `yaml:"target" json:"target"`
	EvaluateHealth bool   `yaml:"evaluate_health,omitempty" json:"evaluate_health,omitempty"`
}

// AllValues returns Value and Values together.
func (r RecordSpec) AllValues() []string {
	if r.Value != "" {
		return append([]string{r.Value}, r.Values...)
	}
	return r.Values
}

// CertSpec is a certificate.
type CertSpec struct {
	Name      string   `yaml:"name" json:"name"`
	Domains   []string `yaml:"domains" json:"domains"` // wildcards allowed: *.example.com
	NotBefore string   `yaml:"not_before" json:"not_before"`
	NotAfter  string   `yaml:"not_after" json:"not_after"`
}

// PeeringSpec is a VPC peering connection.
type PeeringSpec struct {
	Name   string   `yaml:"name" json:"name"`
	VPCs   []string `yaml:"vpcs" json:"vpcs"`     // exactly two
	Status string   `yaml:"status" json:"status"` // active, pending, deleted
	MTU    int      `yaml:"mtu,omitempty" json:"mtu,omitempty"`
}

// VPCSpec is a virtual private cloud.
type VPCSpec struct {
	Name            string              `yaml:"name" json:"name"`
	CIDR            string              `yaml:"cidr" json:"cidr"`
	InternetGateway string              `yaml:"internet_gateway,omitempty" json:"internet_gateway,omitempty"`
	RouteTables     []RouteTableSpec    `yaml:"route_tables,omitempty" json:"route_tables,omitempty"`
	NetworkACLs     []ACLSpec           `yaml:"network_acls,omitempty" json:"network_acls,omitempty"`
	Subnets         []SubnetSpec        `yaml:"subnets,omitempty" json:"subnets,omitempty"`
	NATGateways     []NATGatewaySpec    `yaml:"nat_gateways,omitempty" json:"nat_gateways,omitempty"`
	SecurityGroups  []SecurityGroupSpec `yaml:"security_groups,omitempty" json:"security_groups,omitempty"`
	LoadBalancers   []LoadBalancerSpec  `yaml:"load_balancers,omitempty" json:"load_balancers,omitempty"`
	Instances       []InstanceSpec      `yaml:"instances,omitempty" json:"instances,omitempty"`
	VPNGateway      string              `yaml:"vpn_gateway,omitempty" json:"vpn_gateway,omitempty"` // extension: an attached virtual private gateway
	Endpoints       []EndpointSpec      `yaml:"endpoints,omitempty" json:"endpoints,omitempty"`     // extension: VPC endpoints
	// EnableDNSSupport: the VPC resolver answers (unless false).
	// EnableDNSHostnames: with support, private zones are answered
	// (unless false). Extension.
	EnableDNSSupport   *bool `yaml:"enable_dns_support,omitempty" json:"enable_dns_support,omitempty"`
	EnableDNSHostnames *bool `yaml:"enable_dns_hostnames,omitempty" json:"enable_dns_hostnames,omitempty"`
}

// RouteTableSpec is a route table.
type RouteTableSpec struct {
	Name   string      `yaml:"name" json:"name"`
	Routes []RouteSpec `yaml:"routes" json:"routes"`
	// Propagations (extension): in a VPC, the virtual private gateways
	// whose VPN routes the table takes (route propagation); in a transit
	// gateway, the attachments whose routes it takes.
	Propagations []string `yaml:"propagations,omitempty" json:"propagations,omitempty"`
	// Associations (extension, transit gateways only): the attachments
	// whose traffic this table routes.
	Associations []string `yaml:"associations,omitempty" json:"associations,omitempty"`
}

// RouteSpec is one route. Target is an internet gateway, NAT gateway,
// peering or instance name, or "blackhole"; as extensions a transit
// gateway, a virtual private gateway or a gateway endpoint (in a transit
// gateway's table: an attachment). Destination is a CIDR or a prefix
// list's name.
type RouteSpec struct {
	Destination string `yaml:"destination" json:"destination"`
	Target      string `yaml:"target" json:"target"`
}

// ACLSpec is a network ACL.
type ACLSpec struct {
	Name    string        `yaml:"name" json:"name"`
	Ingress []ACLRuleSpec `yaml:"ingress" json:"ingress"`
	Egress  []ACLRuleSpec `yaml:"egress" json:"egress"`
}

// ACLRuleSpec is one numbered network ACL rule.
type ACLRuleSpec struct {
	Rule     int    `yaml:"rule" json:"rule"`
	Protocol string `yaml:"protocol" json:"protocol"` // tcp, udp, icmp, all
	Ports    Ports  `yaml:"ports,omitempty" json:"ports,omitempty"`
	CIDR     string `yaml:"cidr" json:"cidr"`
	Action   string `yaml:"action" json:"action"` // allow, deny
	// ICMPType and ICMPCode narrow an icmp rule to one type and code
	// (nil: any). Extension.
	ICMPType *int `yaml:"icmp_type,omitempty" json:"icmp_type,omitempty"`
	ICMPCode *int `yaml:"icmp_code,omitempty" json:"icmp_code,omitempty"`
}

// SubnetSpec is a subnet.
type SubnetSpec struct {
	Name       string `yaml:"name" json:"name"`
	CIDR       string `yaml:"cidr" json:"cidr"`
	Zone       string `yaml:"zone,omitempty" json:"zone,omitempty"`
	RouteTable string `yaml:"route_table" json:"route_table"`
	NetworkACL string `yaml:"network_acl" json:"network_acl"`
}

// NATGatewaySpec is a NAT gateway.
type NATGatewaySpec struct {
	Name      string `yaml:"name" json:"name"`
	Subnet    string `yaml:"subnet" json:"subnet"`
	PrivateIP string `yaml:"private_ip" json:"private_ip"`
	PublicIP  string `yaml:"public_ip" json:"public_ip"`
	// State is available (the default), pending, failed, deleting or
	// deleted; routes to one that is not available are blackholes.
	// Extension.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
}

// SecurityGroupSpec is a security group.
type SecurityGroupSpec struct {
	Name    string       `yaml:"name" json:"name"`
	Ingress []SGRuleSpec `yaml:"ingress" json:"ingress"`
	Egress  []SGRuleSpec `yaml:"egress" json:"egress"`
}

// SGRuleSpec is one security group rule: Source for ingress, Destination
// for egress; each a CIDR or a security group name.
type SGRuleSpec struct {
	Protocol    string `yaml:"protocol" json:"protocol"`
	Ports       Ports  `yaml:"ports,omitempty" json:"ports,omitempty"`
	Source      string `yaml:"source,omitempty" json:"source,omitempty"`
	Destination string `yaml:"destination,omitempty" json:"destination,omitempty"`
	// ICMPType and ICMPCode narrow an icmp rule (nil: any). Extension.
	ICMPType *int `yaml:"icmp_type,omitempty" json:"icmp_type,omitempty"`
	ICMPCode *int `yaml:"icmp_code,omitempty" json:"icmp_code,omitempty"`
}

// LoadBalancerSpec is an application or network load balancer.
type LoadBalancerSpec struct {
	Name           string            `yaml:"name" json:"name"`
	Type           string            `yaml:"type" json:"type"`     // application, network
	Scheme         string            `yaml:"scheme" json:"scheme"` // internet-facing, internal
	SecurityGroups []string          `yaml:"security_groups,omitempty" json:"security_groups,omitempty"`
	Nodes          []LBNodeSpec      `yaml:"nodes" json:"nodes"`
	Listeners      []ListenerSpec    `yaml:"listeners" json:"listeners"`
	TargetGroups   []TargetGroupSpec `yaml:"target_groups,omitempty" json:"target_groups,omitempty"`
	// CrossZone is cross-zone load balancing: on unless false for
	// application balancers, off unless true for network balancers.
	// Extension.
	CrossZone *bool `yaml:"cross_zone,omitempty" json:"cross_zone,omitempty"`
}

// LBNodeSpec is a balancer's presence in one subnet.
type LBNodeSpec struct {
	Subnet    string `yaml:"subnet" json:"subnet"`
	PrivateIP string `yaml:"private_ip" json:"private_ip"`
	PublicIP  string `yaml:"public_ip,omitempty" json:"public_ip,omitempty"`
}

// ListenerSpec is a balancer listener: it forwards to a target group or
// redirects (to "https").
type ListenerSpec struct {
	Port        int    `yaml:"port" json:"port"`
	Protocol    string `yaml:"protocol" json:"protocol"` // http, https, tcp, tls
	Certificate string `yaml:"certificate,omitempty" json:"certificate,omitempty"`
	TargetGroup string `yaml:"target_group,omitempty" json:"target_group,omitempty"`
	Redirect    string `yaml:"redirect,omitempty" json:"redirect,omitempty"`
	// Certificates are further certificates the listener offers, chosen
	// by the client's SNI name; Certificate stays the default one (ELB's
	// default certificate and certificate list). Extension.
	Certificates []string `yaml:"certificates,omitempty" json:"certificates,omitempty"`
	// DefaultRedirect and FixedResponse are the other default actions
	// (ELB's redirect and fixed-response actions), beside TargetGroup
	// (forward) and Redirect ("https", the short form). Extension.
	DefaultRedirect *RedirectSpec      `yaml:"default_redirect,omitempty" json:"default_redirect,omitempty"`
	FixedResponse   *FixedResponseSpec `yaml:"fixed_response,omitempty" json:"fixed_response,omitempty"`
	// Rules are evaluated in priority order, lowest first; the first whose
	// conditions all match acts, else the default action. Extension.
	Rules []ListenerRuleSpec `yaml:"rules,omitempty" json:"rules,omitempty"`
}

// ListenerRuleSpec is an application balancer listener rule: a priority
// (1-50000, unique in the listener), conditions that must all match, and
// exactly one action.
type ListenerRuleSpec struct {
	Priority      int                `yaml:"priority" json:"priority"`
	Conditions    RuleConditionSpec  `yaml:"conditions" json:"conditions"`
	Forward       string             `yaml:"forward,omitempty" json:"forward,omitempty"` // a target group
	Redirect      *RedirectSpec      `yaml:"redirect,omitempty" json:"redirect,omitempty"`
	FixedResponse *FixedResponseSpec `yaml:"fixed_response,omitempty" json:"fixed_response,omitempty"`
}

// RuleConditionSpec holds a rule's conditions; each set one must match
// (values within one condition are alternatives). Host and path patterns
// take * and ? as ELB's do; hosts match case-insensitively, paths exactly.
type RuleConditionSpec struct {
	Host       []string             `yaml:"host,omitempty" json:"host,omitempty"`
	Path       []string             `yaml:"path,omitempty" json:"path,omitempty"`
	HTTPHeader *HeaderConditionSpec `yaml:"http_header,omitempty" json:"http_header,omitempty"`
	Method     []string             `yaml:"http_method,omitempty" json:"http_method,omitempty"`
	SourceIP   []string             `yaml:"source_ip,omitempty" json:"source_ip,omitempty"` // CIDRs
}

// HeaderConditionSpec matches one HTTP header against patterns.
type HeaderConditionSpec struct {
	Name   string   `yaml:"name" json:"name"`
	Values []string `yaml:"values" json:"values"`
}

// RedirectSpec is ELB's redirect action. Empty fields keep the request's
// own value (ELB's #{protocol}, #{host}, #{port}, #{path}, #{query});
// the fields may also use those placeholders. StatusCode is HTTP_301
// (the default) or HTTP_302.
type RedirectSpec struct {
	Protocol   string `yaml:"protocol,omitempty" json:"protocol,omitempty"` // HTTP, HTTPS
	Host       string `yaml:"host,omitempty" json:"host,omitempty"`
	Port       string `yaml:"port,omitempty" json:"port,omitempty"`
	Path       string `yaml:"path,omitempty" json:"path,omitempty"`
	Query      string `yaml:"query,omitempty" json:"query,omitempty"`
	StatusCode string `yaml:"status_code,omitempty" json:"status_code,omitempty"`
}

// FixedResponseSpec is ELB's fixed-response action.
type FixedResponseSpec struct {
	StatusCode  int    `yaml:"status_code" json:"status_code"`
	ContentType string `yaml:"content_type,omitempty" json:"content_type,omitempty"`
	MessageBody string `yaml:"message_body,omitempty" json:"message_body,omitempty"`
}

// TargetGroupSpec is a balancer's target group.
type TargetGroupSpec struct {
	Name        string          `yaml:"name" json:"name"`
	Protocol    string          `yaml:"protocol" json:"protocol"` // http, https, tcp
	Port        int             `yaml:"port" json:"port"`
	HealthCheck HealthCheckSpec `yaml:"health_check,omitempty" json:"health_check"`
	Targets     []string        `yaml:"targets" json:"targets"`
}

// HealthCheckSpec is a target group's health check. Zero values mean: the
// target group's protocol and port, path "/", matcher "200".
type HealthCheckSpec struct {
	Protocol string `yaml:"protocol,omitempty" json:"protocol,omitempty"`
	Port     int    `yaml:"port,omitempty" json:"port,omitempty"`
	Path     string `yaml:"path,omitempty" json:"path,omitempty"`
	Matcher  string `yaml:"matcher,omitempty" json:"matcher,omitempty"`
}

// InstanceSpec is a host in a subnet.
type InstanceSpec struct {
	Name           string             `yaml:"name" json:"name"`
	Subnet         string             `yaml:"subnet" json:"subnet"`
	PrivateIP      string             `yaml:"private_ip" json:"private_ip"`
	PublicIP       string             `yaml:"public_ip,omitempty" json:"public_ip,omitempty"`
	SecurityGroups []string           `yaml:"security_groups,omitempty" json:"security_groups,omitempty"`
	Services       []ServiceSpec      `yaml:"services,omitempty" json:"services,omitempty"`
	Firewall       []FirewallRuleSpec `yaml:"firewall,omitempty" json:"firewall,omitempty"`
	// SourceDestCheck is EC2's source/destination check: on unless
	// false. An instance that is a route's target forwards only with it
	// off. Extension.
	SourceDestCheck *bool `yaml:"source_dest_check,omitempty" json:"source_dest_check,omitempty"`
	// SecondaryPrivateIPs are EC2's secondary private IPv4 addresses of
	// the instance's primary interface: in its subnet, and the instance's
	// addresses like the primary one (spec_linux.go). Extension.
	SecondaryPrivateIPs []string `yaml:"secondary_private_ips,omitempty" json:"secondary_private_ips,omitempty"`
}

// SrcDstCheck is whether the instance's source/destination check is on:
// unless the world turns it off.
func (in InstanceSpec) SrcDstCheck() bool { return in.SourceDestCheck == nil || *in.SourceDestCheck }

// ServiceSpec is a listening service.
type ServiceSpec struct {
	Name     string         `yaml:"name" json:"name"`
	Protocol string         `yaml:"protocol" json:"protocol"` // tcp, udp
	Port     int            `yaml:"port" json:"port"`
	Bind     string         `yaml:"bind,omitempty" json:"bind,omitempty"`       // 0.0.0.0 (all, the default) or 127.0.0.1
	Running  *bool          `yaml:"running,omitempty" json:"running,omitempty"` // nil means running
	TLS      string         `yaml:"tls,omitempty" json:"tls,omitempty"`         // certificate name
	HTTP     map[string]int `yaml:"http,omitempty" json:"http,omitempty"`       // path to status; other paths 404
	// DNS makes a udp/53 service a DNS server, and ReplyFrom says which
	// source address its UDP answers carry (spec_linux.go). Extension.
	DNS       *DNSServerSpec `yaml:"dns,omitempty" json:"dns,omitempty"`
	ReplyFrom string         `yaml:"reply_from,omitempty" json:"reply_from,omitempty"`
}

// IsRunning reports whether the service runs (unset means it does).
func (s ServiceSpec) IsRunning() bool { return s.Running == nil || *s.Running }

// FirewallRuleSpec is a host firewall rule. First match wins; no match
// accepts.
type FirewallRuleSpec struct {
	Chain       string `yaml:"chain" json:"chain"` // input, output
	Protocol    string `yaml:"protocol" json:"protocol"`
	Port        Ports  `yaml:"port,omitempty" json:"port,omitempty"`
	Source      string `yaml:"source,omitempty" json:"source,omitempty"`
	Destination string `yaml:"destination,omitempty" json:"destination,omitempty"`
	Action      string `yaml:"action" json:"action"` // accept, drop, reject
}

// Ports is a port or a port range as written: 443, "443" or "1024-65535".
// The zero value means all ports. Parse checks it.
type Ports struct {
	Text string
}

// UnmarshalYAML keeps the value as text (443, "443", "1024-65535");
// Validate reports what is wrong with it, with its position. It takes the
// decoded value, not the node's bytes, which the YAML decoder would have to
// format anew for every rule.
func (p *Ports) UnmarshalYAML(decode func(any) error) error {
	var v any
	if err := decode(&v); err != nil {
		return err
	}
	if v == nil {
		p.Text = ""
		return nil
	}
	p.Text = strings.TrimSpace(fmt.Sprint(v))
	return nil
}

// MarshalYAML writes the ports back as written.
func (p Ports) MarshalYAML() (any, error) {
	if lo, hi, err := p.Range(); err == nil && lo == hi {
		return lo, nil
	}
	return p.Text, nil
}

// MarshalJSON writes the ports as text.
func (p Ports) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(p.Text)), nil }

// IsZero reports whether no ports were given (all ports).
func (p Ports) IsZero() bool { return p.Text == "" }

// PortsOf returns Ports for lo-hi.
func PortsOf(lo, hi int) Ports {
	if lo == hi {
		return Ports{Text: strconv.Itoa(lo)}
	}
	return Ports{Text: fmt.Sprintf("%d-%d", lo, hi)}
}

// Range returns the first and last port; all ports when empty.
func (p Ports) Range() (lo, hi int, err error) {
	t := p.Text
	if t == "" || t == "all" || t == "-1" {
		return 0, 65535, nil
	}
	a, b, isRange := strings.Cut(t, "-")
	lo, err = strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, fmt.Errorf("ports %q: want a number or a range such as 1024-65535", t)
	}
	hi = lo
	if isRange {
		hi, err = strconv.Atoi(strings.TrimSpace(b))
		if err != nil {
			return 0, 0, fmt.Errorf("ports %q: want a number or a range such as 1024-65535", t)
		}
	}
	if lo < 0 || hi > 65535 || lo > 65535 || hi < 0 {
		return 0, 0, fmt.Errorf("ports %q: ports run from 0 to 65535", t)
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("ports %q: the range runs backwards; write %d-%d", t, hi, lo)
	}
	return lo, hi, nil
}

// UnmarshalJSON reads ports written by MarshalJSON.
func (p *Ports) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		s = string(b)
	}
	p.Text = s
	return nil
}

// Clone returns a deep copy of the spec. It copies field by field
// (reflection), not through JSON: worlds are cloned for every fault, fix
// and compile, and the JSON round trip was most of a scenario's build.
func (s *WorldSpec) Clone() *WorldSpec {
	out := new(WorldSpec)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(s).Elem())
	return out
}

// deepCopy copies src into dst (settable, of the same type): slices, maps
// and pointers are copied anew, so nothing is shared. Specs are plain data:
// structs, strings, numbers, bools, slices, maps and pointers to them.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			deepCopy(n.Index(i), src.Index(i))
		}
		dst.Set(n)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			n.SetMapIndex(it.Key(), v)
		}
		dst.Set(n)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Type().Elem())
		deepCopy(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Interface:
		panic("simnet: cloning a spec: an interface field cannot be deep-copied") // specs hold none
	default:
		dst.Set(src)
	}
}
