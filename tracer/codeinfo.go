package tracer

import "sync"

// Observation is what the client sees when a code stops its request: the
// state its connection attempt ends in, the ICMP error that answered (if
// any), the HTTP status a balancer or server sent (if any), and one line
// in the words a tool prints.
type Observation struct {
	// Conn is the connection attempt's state; meaningful only when the
	// code stops the request at or below the transport (see Affects).
	Conn ConnState
	// ICMPType and ICMPCode are the ICMP error sent back; 0, 0 when none.
	ICMPType, ICMPCode int
	// HTTPStatus is the status the client receives; 0 when none (or when
	// it depends on the case, as for a balancer whose targets failed).
	HTTPStatus int
	// Line is what a tool shows, in its words.
	Line string
}

// Topics a code (and a fault, and a scenario) is about.
const (
	TopicDNS            = "dns"
	TopicRouting        = "routing"
	TopicNAT            = "nat"
	TopicPeering        = "peering"
	TopicSecurityGroups = "security-groups"
	TopicNACL           = "nacl"
	TopicHostFirewall   = "host-firewall"
	TopicApp            = "app"
	TopicLoadBalancer   = "load-balancer"
	TopicTLS            = "tls"
	TopicMTU            = "mtu"
	TopicProbe          = "probe"
	TopicTransit        = "transit"  // transit gateways and VPN
	TopicEndpoint       = "endpoint" // VPC endpoints and prefix lists
)

// Groups of codes, as the contract's table groups them.
const (
	GroupDNS      = "dns"
	GroupRouting  = "routing"
	GroupFilters  = "filters"
	GroupSockets  = "sockets"
	GroupBalancer = "balancer"
	GroupTLS      = "tls"
	GroupHTTP     = "http"
	GroupMTU      = "mtu"
	GroupProbe    = "probe" // only the real network shows these
	GroupPath     = "path"  // codes of hops that let the request through
)

// CodeInfo is everything a code means, in one place: views look it up
// instead of keeping their own switch over codes.
type CodeInfo struct {
	// Group is the contract table's row: dns, routing, filters, sockets,
	// balancer, tls, http, mtu; probe for codes only the real network
	// shows; path for codes that stop nothing.
	Group string
	// Stage is the stage of a request the code belongs to (StageDNS,
	// StageTCP, StageTLS, StageHTTP); "" for codes of any stage.
	Stage string
	// Topic is what a troubleshooter must understand to mend it.
	Topic string
	// Kind is the kind of component that decides it.
	Kind Kind
	// Action is what that component does.
	Action Action
	// Blocks is set for codes that stop a request.
	Blocks bool
	// Silent is set for blocks that answer nothing: the client waits.
	Silent bool
	// Relays is set for a component that only reports another's failure:
	// a balancer whose targets failed. The root cause is behind it.
	Relays bool
	// Observe is what the client sees when the code stops its request.
	Observe Observation
	// Meaning is one sentence on what the code means.
	Meaning string
}

// Info returns what the code means. An unknown code gets a zero CodeInfo
// whose Meaning is "".
func (c Code) Info() CodeInfo { return codeInfo()[c] }

// Explain returns one sentence on what a code means, or "" for a code it
// does not know.
func (c Code) Explain() string { return codeInfo()[c].Meaning }

// Blocks reports whether the code stops a request.
func (c Code) Blocks() bool { return codeInfo()[c].Blocks }

// Observations shared by many codes.
var (
	obsTimeout  = Observation{Conn: ConnTimeout, Line: "Connection timed out"}
	obsRefused  = Observation{Conn: ConnRefused, Line: "Connection refused"}
	obsNXDomain = Observation{Line: "status: NXDOMAIN"}
	obsNoData   = Observation{Line: "status: NOERROR, ANSWER: 0"}
	obsServFail = Observation{Line: "status: SERVFAIL"}
	obsDNSTime  = Observation{Line: "connection timed out; no servers could be reached"}
)

func pass(stage, topic string, k Kind, a Action, meaning string) CodeInfo {
	return CodeInfo{Group: GroupPath, Stage: stage, Topic: topic, Kind: k, Action: a, Meaning: meaning}
}

func block(group, stage, topic string, k Kind, a Action, o Observation, meaning string) CodeInfo {
	silent := o.Conn == ConnTimeout && o.ICMPType == 0 && o.HTTPStatus == 0
	return CodeInfo{Group: group, Stage: stage, Topic: topic, Kind: k, Action: a, Blocks: true, Silent: silent, Observe: o, Meaning: meaning}
}

func relays(i CodeInfo) CodeInfo {
	i.Relays = true
	return i
}

// codeInfo is the table of what each code means, built on first use: a
// command that meets no code (--help, check) does not pay for it at start.
var codeInfo = sync.OnceValue(newCodeInfo)

func newCodeInfo() map[Code]CodeInfo {
	m := map[Code]CodeInfo{
		// Codes of hops that let the request through.
		DNSQuery:        pass(StageDNS, TopicDNS, KindNameserver, ActQuery, "a query sent to a DNS server"),
		DNSReferral:     pass(StageDNS, TopicDNS, KindRootServer, ActRefer, "a server referred the resolver down a level"),
		DNSAnswer:       pass(StageDNS, TopicDNS, KindResolver, ActAnswer, "an answer with records"),
		DNSCNAME:        pass(StageDNS, TopicDNS, KindDNSZone, ActAlias, "an alias (CNAME) followed to its target"),
		DNSCached:       pass(StageDNS, TopicDNS, KindResolver, ActAnswer, "a resolver answered from its cache: the records as they were when it learnt them, until their TTL runs out"),
		RouteMatch:      pass("", TopicRouting, KindRouteTable, ActForward, "a route table entry matched"),
		IGWTranslate:    pass("", TopicRouting, KindInternetGateway, ActTranslate, "an internet gateway mapped public and private addresses"),
		NATTranslate:    pass("", TopicNAT, KindNATGateway, ActTranslate, "a NAT gateway rewrote the source"),
		PeeringForward:  pass("", TopicPeering, KindPeering, ActForward, "a peering carried the packet between VPCs"),
		InternetForward: pass("", TopicRouting, KindInternet, ActForward, "the internet carried the packet"),
		SGAllow:         pass("", TopicSecurityGroups, KindSecurityGroup, ActAllow, "a security group rule allowed the packet"),
		SGStateful:      pass("", TopicSecurityGroups, KindSecurityGroup, ActAllow, "a reply allowed by connection tracking"),
		NACLAllow:       pass("", TopicNACL, KindNetworkACL, ActAllow, "a network ACL rule allowed the packet"),
		HostFirewallOK:  pass("", TopicHostFirewall, KindHostFirewall, ActAccept, "the host firewall accepted the packet"),
		PortOpen:        pass(StageTCP, TopicApp, KindSocket, ActAccept, "a socket accepted the connection"),
		Sent:            pass("", "", KindClient, ActSend, "the source sent the packet"),
		Received:        pass("", "", KindInstance, ActReceive, "the packet arrived at its destination"),
		LBListener:      pass(StageTCP, TopicLoadBalancer, KindLoadBalancer, ActAccept, "a balancer listener took the connection"),
		LBRedirect:      pass(StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRedirect, "a listener answered with a redirect"),
		LBHealthy:       pass(StageHTTP, TopicLoadBalancer, KindTargetGroup, ActHealthy, "a target passed its health check"),
		LBUnhealthy:     pass(StageHTTP, TopicLoadBalancer, KindTargetGroup, ActUnhealthy, "a target failed its health check"),
		LBForward:       pass(StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActForward, "the balancer sent the request to a target"),
		TLSOK:           pass(StageTLS, TopicTLS, KindTLSServer, ActPresent, "the TLS handshake completed"),
		HTTPOK:          pass(StageHTTP, TopicApp, KindHTTPServer, ActRespond, "the server answered with a success status"),
		TraceHop:        pass("", TopicRouting, KindRouter, ActSignal, "a traceroute hop answered"),
		TGWForward:      pass("", TopicTransit, KindTGWRouteTable, ActForward, "a transit gateway route table sent the packet to an attachment"),
		VPNForward:      pass("", TopicTransit, KindVPNConnection, ActForward, "a VPN tunnel carried the packet between AWS and the on-premises network"),
		EndpointForward: pass("", TopicEndpoint, KindEndpoint, ActForward, "a VPC endpoint carried the packet to its service without the internet"),

		// DNS.
		DNSNXDomain:       block(GroupDNS, StageDNS, TopicDNS, KindDNSZone, ActAnswer, obsNXDomain, "the name does not exist in its zone"),
		DNSNoData:         block(GroupDNS, StageDNS, TopicDNS, KindDNSZone, ActAnswer, obsNoData, "the name exists but has no record of the type asked for"),
		DNSServFail:       block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, obsServFail, "the resolver could not get an answer and gave up"),
		DNSCNAMELoop:      block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, obsServFail, "the CNAME chain loops or is longer than resolvers follow"),
		DNSLameDelegation: block(GroupDNS, StageDNS, TopicDNS, KindNameserver, ActRefuse, obsServFail, "the parent zone delegates to servers that do not serve the zone"),
		DNSTimeout:        block(GroupDNS, StageDNS, TopicDNS, KindNameserver, ActTimeout, obsDNSTime, "no server for the zone answered"),
		DNSRefused:        block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActRefuse, Observation{Line: "status: REFUSED"}, "the server refused to answer"),

		// Routing.
		NoRoute:         block(GroupRouting, "", TopicRouting, KindRouteTable, ActDrop, obsTimeout, "no route matches the destination, so the packet is dropped"),
		RouteBlackhole:  block(GroupRouting, "", TopicRouting, KindRouteTable, ActDrop, obsTimeout, "the matching route points at a blackhole or at a target that is gone or inactive"),
		NoReturnRoute:   block(GroupRouting, "", TopicRouting, KindRouteTable, ActDrop, obsTimeout, "the request arrives but the responder's subnet has no route back, so the reply is lost"),
		NoPublicAddress: block(GroupRouting, "", TopicRouting, KindInternetGateway, ActDrop, obsTimeout, "the packet leaves through an internet gateway from an address with no public mapping"),
		RouteLoop:       block(GroupRouting, "", TopicRouting, KindRouteTable, ActDrop, obsTimeout, "routes send the packet in a circle until its TTL runs out"),

		// Filters.
		SGNoIngressRule:   block(GroupFilters, "", TopicSecurityGroups, KindSecurityGroup, ActDeny, obsTimeout, "no inbound rule of any security group on the receiving interface allows the packet"),
		SGNoEgressRule:    block(GroupFilters, "", TopicSecurityGroups, KindSecurityGroup, ActDeny, obsTimeout, "no outbound rule of any security group on the sending interface allows the packet"),
		NACLIngressDenied: block(GroupFilters, "", TopicNACL, KindNetworkACL, ActDeny, obsTimeout, "the subnet's network ACL denies the packet on the way in"),
		NACLEgressDenied:  block(GroupFilters, "", TopicNACL, KindNetworkACL, ActDeny, obsTimeout, "the subnet's network ACL denies the packet on the way out"),
		HostFirewallDrop:  block(GroupFilters, "", TopicHostFirewall, KindHostFirewall, ActDrop, obsTimeout, "the host firewall drops the packet silently; the client times out"),
		HostFirewallReject: block(GroupFilters, "", TopicHostFirewall, KindHostFirewall, ActReject,
			// iptables' REJECT answers with ICMP port unreachable; Linux
			// reports that to a TCP connect() as ECONNREFUSED.
			Observation{Conn: ConnUnreachable, ICMPType: 3, ICMPCode: 3, Line: "Connection refused (ICMP port unreachable)"},
			"the host firewall rejects the packet with an ICMP error"),

		// Sockets.
		PortClosed:      block(GroupSockets, StageTCP, TopicApp, KindSocket, ActReset, obsRefused, "nothing listens on the port: the SYN is answered with a reset"),
		ServiceDown:     block(GroupSockets, StageTCP, TopicApp, KindSocket, ActReset, obsRefused, "the service for the port is not running: the SYN is answered with a reset"),
		BoundToLoopback: block(GroupSockets, StageTCP, TopicApp, KindSocket, ActReset, obsRefused, "the service listens on 127.0.0.1 only, so other hosts are refused"),

		// Balancers. A 502 or 504 relays the failure of the leg behind it.
		LBNoListener:       block(GroupBalancer, StageTCP, TopicLoadBalancer, KindLoadBalancer, ActDrop, obsTimeout, "the load balancer has no listener on the port"),
		LBNoTargets:        block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindTargetGroup, ActRespond, Observation{Conn: ConnOpen, HTTPStatus: 503, Line: "HTTP/1.1 503 Service Temporarily Unavailable"}, "the target group has no targets (503)"),
		LBNoHealthyTargets: relays(block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindTargetGroup, ActRespond, Observation{Conn: ConnOpen, Line: "a 502 or 504 from the balancer"}, "no target passed its health check; the balancer failed open and no target answered")),
		LBTargetTimeout:    relays(block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRespond, Observation{Conn: ConnOpen, HTTPStatus: 504, Line: "HTTP/1.1 504 Gateway Time-out"}, "the balancer's connection to the target timed out (504)")),
		LBTargetRefused:    relays(block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRespond, Observation{Conn: ConnOpen, HTTPStatus: 502, Line: "HTTP/1.1 502 Bad Gateway"}, "the target refused or reset the balancer's connection (502)")),

		// TLS.
		TLSNameMismatch:    block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "SSL: no alternative certificate subject name matches target host name"}, "the certificate does not cover the name the client asked for"),
		TLSCertExpired:     block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "SSL certificate problem: certificate has expired"}, "the certificate's validity ended before now"),
		TLSCertNotYetValid: block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "SSL certificate problem: certificate is not yet valid"}, "the certificate's validity starts after now"),
		TLSNoCertificate:   block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "SSL routines::wrong version number"}, "the server has no certificate to present for TLS"),
		TLSUntrusted:       block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "SSL certificate problem: unable to get local issuer certificate"}, "the certificate chain does not lead to a trusted root"),
		TLSHandshakeFailed: block(GroupTLS, StageTLS, TopicTLS, KindTLSServer, ActFail, Observation{Conn: ConnOpen, Line: "TLS handshake failed"}, "the TLS handshake failed"),

		// HTTP and MTU.
		HTTPStatus:   block(GroupHTTP, StageHTTP, TopicApp, KindHTTPServer, ActRespond, Observation{Conn: ConnOpen, Line: "an error status"}, "the server answered with an error status"),
		HTTPError:    block(GroupHTTP, StageHTTP, TopicApp, KindHTTPServer, ActRespond, Observation{Conn: ConnOpen, Line: "Empty reply from server"}, "the server gave no usable HTTP response"),
		MTUBlackhole: block(GroupMTU, StageHTTP, TopicMTU, KindRouter, ActDrop, Observation{Conn: ConnOpen, Line: "the transfer stalls after the headers"}, "large packets with DF set are dropped and the ICMP that would say so never arrives"),

		// Transit gateways, VPN and endpoints (issue 11).
		TGWNoRoute:          block(GroupRouting, "", TopicTransit, KindTGWRouteTable, ActDrop, obsTimeout, "the transit gateway route table associated with the attachment the packet entered by has no route for its destination"),
		TGWBlackhole:        block(GroupRouting, "", TopicTransit, KindTGWRouteTable, ActDrop, obsTimeout, "the transit gateway route is a blackhole, or points at an attachment that is not available"),
		TGWZoneNotAttached:  block(GroupRouting, "", TopicTransit, KindTGWAttachment, ActDrop, obsTimeout, "the VPC's transit gateway attachment has no subnet in the sender's availability zone, so traffic from that zone cannot reach the gateway"),
		TGWAsymmetricReturn: block(GroupRouting, "", TopicTransit, KindTGWAttachment, ActDrop, obsTimeout, "the reply comes back on a path that misses the stateful appliance the request crossed, which drops the connection"),
		VPNTunnelDown:       block(GroupRouting, "", TopicTransit, KindVPNConnection, ActDrop, obsTimeout, "no tunnel of the site-to-site VPN connection is up (or the connection is not available)"),
		EndpointUnavailable: block(GroupRouting, "", TopicEndpoint, KindEndpoint, ActDrop, obsTimeout, "the VPC endpoint is pending, deleted or failed, so routes and names that lead to it go nowhere"),

		// Only the real network shows these.
		TCPFiltered:         block(GroupProbe, StageTCP, TopicProbe, KindRouter, ActSilent, obsTimeout, "the SYN met silence: a filter on the way drops it"),
		TCPTimeout:          block(GroupProbe, StageTCP, TopicProbe, KindHost, ActTimeout, obsTimeout, "the connection attempt timed out"),
		ICMPAdminProhibited: block(GroupProbe, StageTCP, TopicProbe, KindRouter, ActUnreach, Observation{Conn: ConnUnreachable, ICMPType: 3, ICMPCode: 13, Line: "No route to host (administratively prohibited)"}, "a router or host answered with ICMP administratively prohibited: it filters"),
		ICMPHostUnreachable: block(GroupProbe, StageTCP, TopicProbe, KindRouter, ActUnreach, Observation{Conn: ConnUnreachable, ICMPType: 3, ICMPCode: 1, Line: "No route to host"}, "a router answered with ICMP host unreachable"),
		ICMPNetUnreachable:  block(GroupProbe, StageTCP, TopicProbe, KindRouter, ActUnreach, Observation{Conn: ConnUnreachable, ICMPType: 3, ICMPCode: 0, Line: "Network is unreachable"}, "a router answered with ICMP network unreachable"),
		ICMPPortUnreachable: block(GroupProbe, StageTCP, TopicProbe, KindHost, ActUnreach, Observation{Conn: ConnUnreachable, ICMPType: 3, ICMPCode: 3, Line: "Connection refused (ICMP port unreachable)"}, "the host answered with ICMP port unreachable"),
		HostUnresponsive:    block(GroupProbe, "", TopicProbe, KindHost, ActSilent, obsTimeout, "the host does not answer at all"),

		TCPLost:          block(GroupProbe, StageTCP, TopicProbe, KindRouter, ActSilent, obsTimeout, "SYNs, or the replies to them, are lost past the last hop that answers; from the client alone it cannot be told whether going or coming back"),
		HostUnreachable:  block(GroupProbe, StageTCP, TopicProbe, KindHost, ActUnreach, Observation{Conn: ConnUnreachable, Line: "No route to host"}, "no host answers at the address on this host's own link: ARP (or neighbour discovery) failed"),
		HTTPBodyStalled:  block(GroupHTTP, StageHTTP, TopicProbe, KindHTTPServer, ActTimeout, Observation{Conn: ConnOpen, Line: "Operation timed out with part of the body received"}, "the response headers came but the body stopped arriving or was cut short"),
		Interrupted:      block(GroupProbe, "", TopicProbe, KindHost, ActFail, Observation{Line: "interrupted"}, "the probe was interrupted before it could tell"),
		DNSMismatch:      block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, Observation{Line: ";; Warning: ID mismatch"}, "the server's replies did not match the query (wrong ID or question) and were not believed"),
		DNSTruncated:     block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, Observation{Line: ";; Truncated, retrying in TCP mode."}, "the UDP answer was truncated and the retry over TCP failed, so only part of the answer is known"),
		DNSFormErr:       block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, Observation{Line: "status: FORMERR"}, "the server could not parse the query (FORMERR)"),
		DNSNotImp:        block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, Observation{Line: "status: NOTIMP"}, "the server does not implement this kind of query (NOTIMP)"),
		DNSRcode:         block(GroupDNS, StageDNS, TopicDNS, KindResolver, ActAnswer, Observation{Line: "an error status"}, "the server answered with an error rcode"),
		DNSDanglingCNAME: block(GroupDNS, StageDNS, TopicDNS, KindDNSZone, ActAlias, obsNXDomain, "the name is an alias (CNAME) whose target does not exist or has no record of the type asked"),

		DNSMissingGlue:     block(GroupDNS, StageDNS, TopicDNS, KindNameserver, ActRefer, obsServFail, "the parent delegates to a name server inside the zone but gives no address (glue) for it"),
		DNSServersDisagree: block(GroupDNS, StageDNS, TopicDNS, KindNameserver, ActAnswer, Observation{Line: "answers differ between servers"}, "the zone's authoritative servers give different answers"),
	}
	addCloudCodes(m)
	addRuleCodes(m)
	addLinuxCodes(m)
	return m
}
