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

	// Only the real world shows these.
	TCPFiltered         Code = "TCP_FILTERED"          // silence: some box on the way drops the SYN
	TCPTimeout          Code = "TCP_TIMEOUT"           // a connection attempt timed out
	ICMPAdminProhibited Code = "ICMP_ADMIN_PROHIBITED" // a router or host said "administratively prohibited"
	ICMPHostUnreachable Code = "ICMP_HOST_UNREACHABLE"
	ICMPNetUnreachable  Code = "ICMP_NET_UNREACHABLE"
	ICMPPortUnreachable Code = "ICMP_PORT_UNREACHABLE"
	HostUnresponsive    Code = "HOST_UNRESPONSIVE" // nothing at the address answers at all
	ProbeError          Code = "PROBE_ERROR"       // the probe itself could not run
)

// Explain returns one sentence on what a code means, or "" for a code it
// does not know.
func (c Code) Explain() string { return codeText[c] }

var codeText = map[Code]string{
	DNSNXDomain:         "the name does not exist in its zone",
	DNSNoData:           "the name exists but has no record of the type asked for",
	DNSServFail:         "the resolver could not get an answer and gave up",
	DNSCNAMELoop:        "the CNAME chain loops or is longer than resolvers follow",
	DNSLameDelegation:   "the parent zone delegates to servers that do not serve the zone",
	DNSTimeout:          "no server for the zone answered",
	DNSRefused:          "the server refused to answer",
	NoRoute:             "no route matches the destination, so the packet is dropped",
	RouteBlackhole:      "the matching route points at a blackhole or at a target that is gone or inactive",
	NoReturnRoute:       "the request arrives but the responder's subnet has no route back, so the reply is lost",
	NoPublicAddress:     "the packet leaves through an internet gateway from an address with no public mapping",
	RouteLoop:           "routes send the packet in a circle until its TTL runs out",
	SGNoIngressRule:     "no inbound rule of any security group on the receiving interface allows the packet",
	SGNoEgressRule:      "no outbound rule of any security group on the sending interface allows the packet",
	NACLIngressDenied:   "the subnet's network ACL denies the packet on the way in",
	NACLEgressDenied:    "the subnet's network ACL denies the packet on the way out",
	HostFirewallDrop:    "the host firewall drops the packet silently; the client times out",
	HostFirewallReject:  "the host firewall rejects the packet with an ICMP error",
	PortClosed:          "nothing listens on the port: the SYN is answered with a reset",
	ServiceDown:         "the service for the port is not running: the SYN is answered with a reset",
	BoundToLoopback:     "the service listens on 127.0.0.1 only, so other hosts are refused",
	LBNoListener:        "the load balancer has no listener on the port",
	LBNoTargets:         "the target group has no targets (503)",
	LBNoHealthyTargets:  "no target passed its health check; the balancer failed open and no target answered",
	LBTargetTimeout:     "the balancer's connection to the target timed out (504)",
	LBTargetRefused:     "the target refused or reset the balancer's connection (502)",
	TLSNameMismatch:     "the certificate does not cover the name the client asked for",
	TLSCertExpired:      "the certificate's validity ended before now",
	TLSCertNotYetValid:  "the certificate's validity starts after now",
	TLSNoCertificate:    "the server has no certificate to present for TLS",
	TLSUntrusted:        "the certificate chain does not lead to a trusted root",
	TLSHandshakeFailed:  "the TLS handshake failed",
	HTTPStatus:          "the server answered with an error status",
	HTTPError:           "the server gave no usable HTTP response",
	MTUBlackhole:        "large packets with DF set are dropped and the ICMP that would say so never arrives",
	TCPFiltered:         "the SYN met silence: a filter on the way drops it",
	TCPTimeout:          "the connection attempt timed out",
	ICMPAdminProhibited: "a router or host answered with ICMP administratively prohibited: it filters",
	ICMPHostUnreachable: "a router answered with ICMP host unreachable",
	ICMPNetUnreachable:  "a router answered with ICMP network unreachable",
	ICMPPortUnreachable: "the host answered with ICMP port unreachable",
	HostUnresponsive:    "the host does not answer at all",
	ProbeError:          "the probe could not run",
}

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
	}
}

// Codes the live DNS trace adds.
const (
	DNSMissingGlue     Code = "DNS_MISSING_GLUE"     // a zone is delegated to a server inside it without its address
	DNSServersDisagree Code = "DNS_SERVERS_DISAGREE" // authoritative servers of one zone give different answers
)

func init() {
	codeText[DNSMissingGlue] = "the parent delegates to a name server inside the zone but gives no address (glue) for it"
	codeText[DNSServersDisagree] = "the zone's authoritative servers give different answers"
}

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

func init() {
	codeText[TCPLost] = "SYNs, or the replies to them, are lost past the last hop that answers; from the client alone it cannot be told whether going or coming back"
	codeText[HostUnreachable] = "no host answers at the address on this host's own link: ARP (or neighbour discovery) failed"
	codeText[HTTPBodyStalled] = "the response headers came but the body stopped arriving or was cut short"
	codeText[DNSMismatch] = "the server's replies did not match the query (wrong ID or question) and were not believed"
	codeText[DNSTruncated] = "the UDP answer was truncated and the retry over TCP failed, so only part of the answer is known"
	codeText[DNSFormErr] = "the server could not parse the query (FORMERR)"
	codeText[DNSNotImp] = "the server does not implement this kind of query (NOTIMP)"
	codeText[DNSRcode] = "the server answered with an error rcode"
	codeText[DNSDanglingCNAME] = "the name is an alias (CNAME) whose target does not exist or has no record of the type asked"
	codeText[Interrupted] = "the probe was interrupted before it could tell"
}
