package tracer

// Kind is the kind of component a hop is about: the step of the path that
// decided (a route table, a security group, a resolver, ...). Its text is
// part of the report's contract ("kind" in the JSON), so a Kind is a string
// type with one constant per kind; views compare against the constants,
// never against literals.
type Kind string

// Kinds of component, grouped by where they sit on the path.
const (
	// Vantage points and hosts.
	KindClient   Kind = "client"   // an internet client (a browser)
	KindServer   Kind = "server"   // a host on the internet
	KindInstance Kind = "instance" // an instance in a VPC
	KindHost     Kind = "host"     // a host known only by its address (the real network)
	KindRouter   Kind = "router"   // a router that answered a probe (the real network)

	// DNS.
	KindResolver    Kind = "resolver"     // a recursive resolver
	KindVPCResolver Kind = "vpc-resolver" // a VPC's resolver at its base address + 2
	KindRootServer  Kind = "root-server"
	KindTLDServer   Kind = "tld-server"
	KindNameserver  Kind = "nameserver"   // an authoritative server of a zone
	KindDNSZone     Kind = "dns-zone"     // a public zone's data
	KindPrivateZone Kind = "private-zone" // a private zone associated with a VPC
	KindHostsFile   Kind = "hosts-file"   // /etc/hosts

	// Routing and gateways.
	KindRouteTable      Kind = "route-table"
	KindInternetGateway Kind = "internet-gateway"
	KindNATGateway      Kind = "nat-gateway"
	KindPeering         Kind = "peering"
	KindInternet        Kind = "internet"
	KindVPC             Kind = "vpc" // a VPC as a whole (nothing in it has the address)

	// Filters and sockets.
	KindSecurityGroup Kind = "security-group"
	KindNetworkACL    Kind = "network-acl"
	KindHostFirewall  Kind = "host-firewall"
	KindSocket        Kind = "socket"
	KindService       Kind = "service"

	// Balancers and application layers.
	KindLoadBalancer Kind = "load-balancer"
	KindTargetGroup  Kind = "target-group"
	KindTLSServer    Kind = "tls-server"
	KindHTTPServer   Kind = "http-server"

	// Transit gateways, VPN and endpoints (issue 11).
	KindTransitGateway  Kind = "transit-gateway"
	KindTGWAttachment   Kind = "tgw-attachment"
	KindTGWRouteTable   Kind = "tgw-route-table"
	KindVPNGateway      Kind = "vpn-gateway"      // a virtual private gateway attached to a VPC
	KindVPNConnection   Kind = "vpn-connection"   // a site-to-site VPN connection and its tunnels
	KindCustomerGateway Kind = "customer-gateway" // the on-premises end of a VPN
	KindOnPremHost      Kind = "on-prem-host"     // a host on an on-premises network
	KindOnPremNetwork   Kind = "on-prem-network"  // an on-premises network as a whole
	KindEndpoint        Kind = "vpc-endpoint"
)

func (k Kind) String() string { return string(k) }

// Kinds lists every kind, in path order.
func Kinds() []Kind {
	return []Kind{
		KindClient, KindServer, KindInstance, KindHost, KindRouter,
		KindResolver, KindVPCResolver, KindRootServer, KindTLDServer, KindNameserver, KindDNSZone, KindPrivateZone, KindHostsFile,
		KindRouteTable, KindInternetGateway, KindNATGateway, KindPeering, KindInternet, KindVPC,
		KindSecurityGroup, KindNetworkACL, KindHostFirewall, KindSocket, KindService,
		KindLoadBalancer, KindTargetGroup, KindTLSServer, KindHTTPServer,
		KindTransitGateway, KindTGWAttachment, KindTGWRouteTable, KindVPNGateway, KindVPNConnection, KindCustomerGateway, KindOnPremHost, KindOnPremNetwork, KindEndpoint,
	}
}

// IsDNSServer reports whether the kind answers DNS queries on the way
// down from the root (the servers a resolver's walk visits).
func (k Kind) IsDNSServer() bool {
	return k == KindRootServer || k == KindTLDServer || k == KindNameserver
}

// Action is what a component did to the packet or the request. Like Kind,
// its text is part of the report's contract ("action" in the JSON).
type Action string

func (a Action) String() string { return string(a) }

// Actions.
const (
	ActSend      Action = "send"
	ActReceive   Action = "receive"
	ActAccept    Action = "accept"
	ActForward   Action = "forward"
	ActTranslate Action = "translate"
	ActAllow     Action = "allow"
	ActDeny      Action = "deny"
	ActDrop      Action = "drop"
	ActReject    Action = "reject"
	ActReset     Action = "reset"
	ActTimeout   Action = "timeout"
	ActSilent    Action = "silent"
	ActUnreach   Action = "unreachable"
	ActSignal    Action = "signal"
	ActClose     Action = "close"
	ActLost      Action = "lost"        // probes vanished, going or coming back
	ActInterrupt Action = "interrupted" // the probe was stopped before it could tell
	ActTruncate  Action = "truncated"   // a DNS answer cut short
	ActStall     Action = "stall"       // a transfer that stopped arriving

	// DNS.
	ActQuery  Action = "query"
	ActRefer  Action = "refer"
	ActServe  Action = "serve"
	ActMatch  Action = "match"
	ActAlias  Action = "alias"
	ActAnswer Action = "answer"
	ActRefuse Action = "refuse"

	// Balancers, TLS and HTTP.
	ActHealthy   Action = "healthy"
	ActUnhealthy Action = "unhealthy"
	ActRedirect  Action = "redirect"
	ActRespond   Action = "respond"
	ActPresent   Action = "present"
	ActHandshake Action = "handshake"
	ActFail      Action = "fail"
)
