package tracer

// Code names what a hop decided or observed. The names are a contract
// (WORLD-FORMAT.md): scripts match on them, so they never change meaning.
type Code string

// Codes of hops that let the request through.
const (
	DNSQuery        Code = "DNS_QUERY"        // a query sent to a server
	DNSReferral     Code = "DNS_REFERRAL"     // a server referred the resolver down a level
	DNSAnswer       Code = "DNS_ANSWER"       // an answer with records
	DNSCNAME        Code = "DNS_CNAME"        // an alias followed to its target
	DNSCached       Code = "DNS_CACHED"       // a resolver answered from its cache, within the answer's TTL
	RouteMatch      Code = "ROUTE_MATCH"      // a route table entry matched
	IGWTranslate    Code = "IGW_TRANSLATE"    // an internet gateway mapped public and private addresses
	NATTranslate    Code = "NAT_TRANSLATE"    // a NAT gateway rewrote the source
	PeeringForward  Code = "PEERING_FORWARD"  // a peering carried the packet between VPCs
	InternetForward Code = "INTERNET_FORWARD" // the internet carried the packet
	SGAllow         Code = "SG_ALLOW"         // a security group rule allowed the packet
	SGStateful      Code = "SG_STATEFUL"      // a reply allowed by connection tracking
	NACLAllow       Code = "NACL_ALLOW"       // a network ACL rule allowed the packet
	HostFirewallOK  Code = "HOST_FIREWALL_ACCEPT"
	PortOpen        Code = "PORT_OPEN"   // a socket accepted the connection
	Sent            Code = "SENT"        // the source sent the packet
	Received        Code = "RECEIVED"    // the packet arrived at its destination
	LBListener      Code = "LB_LISTENER" // a balancer listener took the connection
	LBRedirect      Code = "LB_REDIRECT" // a listener answered with a redirect
	LBHealthy       Code = "LB_TARGET_HEALTHY"
	LBUnhealthy     Code = "LB_TARGET_UNHEALTHY"
	LBForward       Code = "LB_FORWARD" // the balancer sent the request to a target
	TLSOK           Code = "TLS_OK"
	HTTPOK          Code = "HTTP_OK"
	TraceHop        Code = "TRACE_HOP" // a traceroute hop answered
	// Issue 11: transit gateways, VPN, endpoints.
	TGWForward      Code = "TGW_FORWARD"      // a transit gateway route table sent the packet to an attachment
	VPNForward      Code = "VPN_FORWARD"      // a VPN tunnel carried the packet
	EndpointForward Code = "ENDPOINT_FORWARD" // a VPC endpoint carried the packet to its service
)

// Codes of hops that stop the request. The table in WORLD-FORMAT.md lists
// these; the live network adds the ones only real packets show.
const (
	DNSNXDomain        Code = "DNS_NXDOMAIN"
	DNSNoData          Code = "DNS_NODATA"
	DNSServFail        Code = "DNS_SERVFAIL"
	DNSCNAMELoop       Code = "DNS_CNAME_LOOP"
	DNSLameDelegation  Code = "DNS_LAME_DELEGATION"
	DNSTimeout         Code = "DNS_TIMEOUT"
	DNSRefused         Code = "DNS_REFUSED"
	NoRoute            Code = "NO_ROUTE"
	RouteBlackhole     Code = "ROUTE_BLACKHOLE"
	NoReturnRoute      Code = "NO_RETURN_ROUTE"
	NoPublicAddress    Code = "NO_PUBLIC_ADDRESS"
	RouteLoop          Code = "ROUTE_LOOP"
	SGNoIngressRule    Code = "SG_NO_INGRESS_RULE"
	SGNoEgressRule     Code = "SG_NO_EGRESS_RULE"
	NACLIngressDenied  Code = "NACL_INGRESS_DENIED"
	NACLEgressDenied   Code = "NACL_EGRESS_DENIED"
	HostFirewallDrop   Code = "HOST_FIREWALL_DROP"
	HostFirewallReject Code = "HOST_FIREWALL_REJECT"
	PortClosed         Code = "PORT_CLOSED"
	ServiceDown        Code = "SERVICE_DOWN"
	BoundToLoopback    Code = "BOUND_TO_LOOPBACK"
	LBNoListener       Code = "LB_NO_LISTENER"
	LBNoTargets        Code = "LB_NO_TARGETS"
	LBNoHealthyTargets Code = "LB_NO_HEALTHY_TARGETS"
	LBTargetTimeout    Code = "LB_TARGET_TIMEOUT"
	LBTargetRefused    Code = "LB_TARGET_REFUSED"
	TLSNameMismatch    Code = "TLS_NAME_MISMATCH"
	TLSCertExpired     Code = "TLS_CERT_EXPIRED"
	TLSCertNotYetValid Code = "TLS_CERT_NOT_YET_VALID"
	TLSNoCertificate   Code = "TLS_NO_CERTIFICATE"
	TLSUntrusted       Code = "TLS_UNTRUSTED"        // the chain does not lead to a trusted root
	TLSHandshakeFailed Code = "TLS_HANDSHAKE_FAILED" // the handshake failed for another reason
	HTTPStatus         Code = "HTTP_STATUS"          // an error status; the code is in the detail
	HTTPError          Code = "HTTP_ERROR"           // no response: reset, timeout, garbage
	MTUBlackhole       Code = "MTU_BLACKHOLE"

	// Transit gateways and VPN (issue 11).
	TGWNoRoute          Code = "TGW_NO_ROUTE"           // no route in the attachment's transit gateway route table
	TGWBlackhole        Code = "TGW_BLACKHOLE"          // the route is a blackhole, or its attachment is not available
	TGWZoneNotAttached  Code = "TGW_ZONE_NOT_ATTACHED"  // the sender's zone has no subnet in the VPC's attachment
	TGWAsymmetricReturn Code = "TGW_ASYMMETRIC_RETURN"  // the reply does not cross the stateful appliance the request crossed
	VPNTunnelDown       Code = "VPN_TUNNEL_DOWN"        // every tunnel of the VPN connection is down
	EndpointUnavailable Code = "ENDPOINT_NOT_AVAILABLE" // the VPC endpoint is pending, deleted or failed

	// Only the real world shows these.
	TCPFiltered         Code = "TCP_FILTERED"          // silence: some box on the way drops the SYN
	TCPTimeout          Code = "TCP_TIMEOUT"           // a connection attempt timed out
	ICMPAdminProhibited Code = "ICMP_ADMIN_PROHIBITED" // a router or host said "administratively prohibited"
	ICMPHostUnreachable Code = "ICMP_HOST_UNREACHABLE"
	ICMPNetUnreachable  Code = "ICMP_NET_UNREACHABLE"
	ICMPPortUnreachable Code = "ICMP_PORT_UNREACHABLE"
	HostUnresponsive    Code = "HOST_UNRESPONSIVE" // nothing at the address answers at all
)

// Codes returns every code that stops a request, in the order of the
// contract's table.
func Codes() []Code {
	return []Code{
		DNSNXDomain, DNSNoData, DNSServFail, DNSCNAMELoop, DNSLameDelegation, DNSTimeout,
		NoRoute, RouteBlackhole, NoReturnRoute, NoPublicAddress, RouteLoop,
		SGNoIngressRule, SGNoEgressRule, NACLIngressDenied, NACLEgressDenied, HostFirewallDrop, HostFirewallReject,
		PortClosed, ServiceDown, BoundToLoopback,
		LBNoListener, LBNoTargets, LBNoHealthyTargets, LBTargetTimeout, LBTargetRefused,
		TLSNameMismatch, TLSCertExpired, TLSCertNotYetValid, TLSNoCertificate,
		HTTPStatus, MTUBlackhole,
		TGWNoRoute, TGWBlackhole, TGWZoneNotAttached, TGWAsymmetricReturn, VPNTunnelDown, EndpointUnavailable,
	}
}

// Codes the live DNS trace adds.
const (
	DNSMissingGlue     Code = "DNS_MISSING_GLUE"     // a zone is delegated to a server inside it without its address
	DNSServersDisagree Code = "DNS_SERVERS_DISAGREE" // authoritative servers of one zone give different answers
)

// Codes the live probes add so that each verdict claims only what its
// evidence shows (issue 12).
const (
	TCPLost          Code = "TCP_LOST"          // SYNs or their replies vanish past the last hop that answers
	HostUnreachable  Code = "HOST_UNREACHABLE"  // this host found no one at the address on its own link (ARP failed)
	HTTPBodyStalled  Code = "HTTP_BODY_STALLED" // the body stopped arriving, or was cut short
	DNSMismatch      Code = "DNS_MISMATCH"      // replies came, but with the wrong ID or question
	DNSTruncated     Code = "DNS_TRUNCATED"     // the UDP answer was truncated and the TCP retry failed
	DNSFormErr       Code = "DNS_FORMERR"
	DNSNotImp        Code = "DNS_NOTIMP"
	DNSRcode         Code = "DNS_RCODE" // another rcode; the detail names it
	DNSDanglingCNAME Code = "DNS_DANGLING_CNAME"
	Interrupted      Code = "INTERRUPTED" // the probe was stopped before it could tell
)
