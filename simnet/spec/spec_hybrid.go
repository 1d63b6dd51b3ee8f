package spec

// The world format's extensions for transit gateways, site-to-site VPN,
// on-premises networks, VPC endpoints and managed prefix lists (issue 11).
// Each follows the AWS documentation of the construct; the README's table
// of extensions documents every key.

// PrefixListSpec is a managed prefix list: a named set of CIDRs that route
// tables and security groups use as one destination or source. AWS's
// service lists (pl-... for S3 and DynamoDB) are written the same way.
type PrefixListSpec struct {
	Name  string   `yaml:"name" json:"name"` // pl-...
	CIDRs []string `yaml:"cidrs" json:"cidrs"`
}

// TransitGatewaySpec is a transit gateway: a regional router that VPCs and
// VPN connections attach to. Its route tables decide where a packet that
// enters through an attachment goes: the table the attachment is
// associated with is searched, by longest prefix.
type TransitGatewaySpec struct {
	Name        string              `yaml:"name" json:"name"`
	Attachments []TGWAttachmentSpec `yaml:"attachments,omitempty" json:"attachments,omitempty"`
	RouteTables []RouteTableSpec    `yaml:"route_tables,omitempty" json:"route_tables,omitempty"`
}

// TGWAttachmentSpec attaches a VPC (through one subnet per zone) or a VPN
// connection to a transit gateway.
type TGWAttachmentSpec struct {
	Name string `yaml:"name" json:"name"`
	// VPC and Subnets: a VPC attachment. The gateway puts an interface in
	// each subnet; resources in a zone with no such subnet cannot reach it.
	VPC     string   `yaml:"vpc,omitempty" json:"vpc,omitempty"`
	Subnets []string `yaml:"subnets,omitempty" json:"subnets,omitempty"`
	// VPN: a VPN attachment, to the named VPN connection.
	VPN string `yaml:"vpn,omitempty" json:"vpn,omitempty"`
	// ApplianceMode keeps both directions of a flow on one zone's
	// interface of this VPC (for stateful appliances).
	ApplianceMode bool `yaml:"appliance_mode,omitempty" json:"appliance_mode,omitempty"`
	// State: available (the default), pending, deleted or failed. Routes to
	// an attachment that is not available are blackholes.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
}

// OnPremSpec is an on-premises network: its CIDRs, its customer gateway
// (the device that ends the VPN tunnels) and its hosts, which are vantage
// points as clients and instances are.
type OnPremSpec struct {
	Name            string         `yaml:"name" json:"name"`
	CIDRs           []string       `yaml:"cidrs" json:"cidrs"`
	CustomerGateway CustomerGWSpec `yaml:"customer_gateway" json:"customer_gateway"`
	Hosts           []OnPremHost   `yaml:"hosts,omitempty" json:"hosts,omitempty"`
}

// CustomerGWSpec is a customer gateway: the on-premises VPN device, known
// to AWS by its public address.
type CustomerGWSpec struct {
	Name string `yaml:"name" json:"name"`
	IP   string `yaml:"ip" json:"ip"`
}

// OnPremHost is a host on an on-premises network.
type OnPremHost struct {
	Name     string             `yaml:"name" json:"name"`
	IP       string             `yaml:"ip" json:"ip"`
	Resolver string             `yaml:"resolver,omitempty" json:"resolver,omitempty"` // an internet resolver, as for clients
	Services []ServiceSpec      `yaml:"services,omitempty" json:"services,omitempty"`
	Firewall []FirewallRuleSpec `yaml:"firewall,omitempty" json:"firewall,omitempty"`
}

// VPNSpec is a site-to-site VPN connection between a customer gateway and
// either a virtual private gateway (a VPC's vpn_gateway) or a transit
// gateway (through a VPN attachment naming it).
type VPNSpec struct {
	Name            string `yaml:"name" json:"name"`
	CustomerGateway string `yaml:"customer_gateway" json:"customer_gateway"`
	VPNGateway      string `yaml:"vpn_gateway,omitempty" json:"vpn_gateway,omitempty"`
	// StaticRoutes are the on-premises prefixes AWS sends into the tunnels
	// (static routing); empty means the on-premises network's CIDRs, as a
	// BGP session would advertise them.
	StaticRoutes []string `yaml:"static_routes,omitempty" json:"static_routes,omitempty"`
	// Tunnels: AWS gives every connection two; each up or down. Empty
	// means two tunnels, both up.
	Tunnels []TunnelSpec `yaml:"tunnels,omitempty" json:"tunnels,omitempty"`
	// MTU of the tunnels; 0 means AWS's 1446.
	MTU int `yaml:"mtu,omitempty" json:"mtu,omitempty"`
	// State: available (the default), pending, deleted or failed.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
}

// TunnelSpec is one tunnel of a VPN connection.
type TunnelSpec struct {
	State string `yaml:"state" json:"state"` // up, down
}

// EndpointSpec is a VPC endpoint. A gateway endpoint (S3, DynamoDB) is
// reached through route-table entries whose destination is its service's
// prefix list; an interface endpoint is an interface in each of its
// subnets, behind security groups, and with private DNS it answers the
// service's public name inside the VPC.
type EndpointSpec struct {
	Name string `yaml:"name" json:"name"`
	Type string `yaml:"type" json:"type"` // gateway, interface
	// Service is the service's public DNS name (interface endpoints) or
	// its short name (s3, dynamodb).
	Service string `yaml:"service" json:"service"`
	// Server is the internet server that is the service in this world.
	Server string `yaml:"server" json:"server"`
	// PrefixList: a gateway endpoint's service addresses.
	PrefixList string `yaml:"prefix_list,omitempty" json:"prefix_list,omitempty"`
	// Interfaces, SecurityGroups, PrivateDNS: an interface endpoint's.
	Interfaces     []LBNodeSpec `yaml:"interfaces,omitempty" json:"interfaces,omitempty"`
	SecurityGroups []string     `yaml:"security_groups,omitempty" json:"security_groups,omitempty"`
	PrivateDNS     bool         `yaml:"private_dns,omitempty" json:"private_dns,omitempty"`
	// State: available (the default), pending, deleted or failed.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
}
