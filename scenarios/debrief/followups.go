package debrief

import (
	"math/rand/v2"
	"sync"

	"github.com/pathlab/pathlab/tracer"
)

// FollowUp is a question an interviewer asks after the exercise, and the
// answer a strong candidate gives.
type FollowUp struct {
	Concept     string `json:"concept"` // e.g. "stateless network ACLs"
	Question    string `json:"question"`
	ModelAnswer string `json:"model_answer"` // 2-5 sentences, precise, as a strong candidate says it
}

// FollowUps returns three to five follow-up questions for a fault whose
// trace reported these codes (broken_at first, then the other blockers'),
// most specific first, without repeats. seed picks among the questions of a
// concept deterministically: the same codes and seed give the same list.
//
// The first concept of the first known code gives two questions, every
// further concept one, up to five; general troubleshooting-method questions
// fill the list up to three. Some codes pin the question that fits them
// best (the fail-open question for LB_NO_HEALTHY_TARGETS, say): a pinned
// question comes first in its concept, the seed shuffles the rest.
func FollowUps(codes []tracer.Code, seed uint64) []FollowUp {
	rng := rand.New(rand.NewPCG(seed, fuSeedStream))

	// The concepts the codes name, in order of first mention, with the
	// questions each code pins.
	var order []string
	pins := map[string][]string{}
	for _, c := range codes {
		for _, r := range fuCodeRefs()[c] {
			if _, seen := pins[r.concept]; !seen {
				order = append(order, r.concept)
				pins[r.concept] = nil
			}
			for _, id := range r.pins {
				if !fuContains(pins[r.concept], id) {
					pins[r.concept] = append(pins[r.concept], id)
				}
			}
		}
	}

	var out []FollowUp
	for i, key := range order {
		want := 1
		if i == 0 {
			want = 2
		}
		for _, q := range fuArrange(fuConceptByKey()[key], pins[key], rng)[:want] {
			if len(out) < fuMax {
				out = append(out, q)
			}
		}
	}
	if len(out) < fuMin {
		for _, q := range fuArrange(fuConceptByKey()[fuMethod], nil, rng) {
			if len(out) == fuMin {
				break
			}
			out = append(out, q)
		}
	}
	return out
}

const (
	fuMin        = 3
	fuMax        = 5
	fuSeedStream = 0x70617468_6c616221 // "pathlab!"
	fuMethod     = "method"
)

// fuArrange returns a concept's questions as follow-ups: the pinned ones
// first, in the order given, then the others in an order the rng picks.
func fuArrange(c *fuConcept, pinned []string, rng *rand.Rand) []FollowUp {
	var first, rest []fuQuestion
	for _, id := range pinned {
		for _, q := range c.questions {
			if q.id == id {
				first = append(first, q)
			}
		}
	}
	for _, q := range c.questions {
		if !fuContains(pinned, q.id) {
			rest = append(rest, q)
		}
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	out := make([]FollowUp, 0, len(c.questions))
	for _, q := range append(first, rest...) {
		out = append(out, FollowUp{Concept: c.name, Question: q.question, ModelAnswer: q.answer})
	}
	return out
}

func fuContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fuQuestion is one question of the bank; id lets codes pin it.
type fuQuestion struct {
	id       string
	question string
	answer   string
}

// fuConcept is the idea behind a fault, with the questions that probe it.
type fuConcept struct {
	key       string
	name      string
	questions []fuQuestion
}

// fuRef ties a code to a concept, optionally pinning questions of it.
type fuRef struct {
	concept string
	pins    []string
}

func fuR(concept string, pins ...string) fuRef { return fuRef{concept: concept, pins: pins} }

// fuCodeRefs maps each code to one or two concepts, most specific first.
// It is built on first use, as fuConceptByKey is: only a debrief needs them.
var fuCodeRefs = sync.OnceValue(func() map[tracer.Code][]fuRef {
	return map[tracer.Code][]fuRef{
		tracer.DNSNXDomain:        {fuR("dns", "dns-nxdomain-nodata"), fuR("private", "private-shadow")},
		tracer.DNSNoData:          {fuR("dns", "dns-nxdomain-nodata"), fuR("cname", "cname-other-data")},
		tracer.DNSServFail:        {fuR("dns", "dns-servfail"), fuR("cname", "cname-loop")},
		tracer.DNSCNAMELoop:       {fuR("cname", "cname-loop"), fuR("dns", "dns-servfail")},
		tracer.DNSLameDelegation:  {fuR("dns", "dns-lame")},
		tracer.DNSTimeout:         {fuR("dns", "dns-timeout-refused")},
		tracer.DNSRefused:         {fuR("dns", "dns-timeout-refused")},
		tracer.DNSMissingGlue:     {fuR("dns", "dns-glue")},
		tracer.DNSServersDisagree: {fuR("dns", "dns-disagree")},

		tracer.NoRoute:         {fuR("routing", "route-no-route"), fuR("nat")},
		tracer.RouteBlackhole:  {fuR("routing", "route-blackhole"), fuR("nat")},
		tracer.NoReturnRoute:   {fuR("routing", "route-syn-seen"), fuR("nat", "nat-inbound")},
		tracer.NoPublicAddress: {fuR("nat", "nat-public-subnet")},
		tracer.RouteLoop:       {fuR("routing", "route-loop"), fuR("traceroute")},
		// Transit gateways, VPN and endpoints (issue 11) ask the routing
		// questions: each is a route that is missing or leads nowhere.
		tracer.TGWNoRoute:          {fuR("routing", "route-no-route")},
		tracer.TGWBlackhole:        {fuR("routing", "route-blackhole")},
		tracer.TGWZoneNotAttached:  {fuR("routing", "route-no-route")},
		tracer.TGWAsymmetricReturn: {fuR("routing", "route-syn-seen")},
		tracer.VPNTunnelDown:       {fuR("routing", "route-no-route"), fuR("traceroute")},
		tracer.EndpointUnavailable: {fuR("routing", "route-blackhole")},

		tracer.SGNoIngressRule:    {fuR("sg"), fuR("sockets", "sock-refused-timeout")},
		tracer.SGNoEgressRule:     {fuR("sg", "sg-egress-default"), fuR("sockets", "sock-refused-timeout")},
		tracer.SGStateful:         {fuR("sg", "sg-stateful")},
		tracer.NACLIngressDenied:  {fuR("nacl", "nacl-order"), fuR("sg", "sg-vs-nacl")},
		tracer.NACLEgressDenied:   {fuR("nacl", "nacl-ephemeral"), fuR("routing", "route-syn-seen")},
		tracer.HostFirewallDrop:   {fuR("hostfw", "fw-drop-reject"), fuR("sockets")},
		tracer.HostFirewallReject: {fuR("hostfw", "fw-drop-reject"), fuR("sockets", "sock-rst-who")},

		tracer.PortClosed:      {fuR("sockets", "sock-ss")},
		tracer.ServiceDown:     {fuR("sockets", "sock-service-down")},
		tracer.BoundToLoopback: {fuR("sockets", "sock-bind")},

		tracer.LBNoListener:       {fuR("lb", "lb-listener"), fuR("sockets", "sock-refused-timeout")},
		tracer.LBNoTargets:        {fuR("lb", "lb-503-deploy"), fuR("lbhealth")},
		tracer.LBNoHealthyTargets: {fuR("lbhealth", "hc-fail-open"), fuR("lb")},
		tracer.LBTargetTimeout:    {fuR("lb", "lb-504-silent"), fuR("lbhealth", "hc-vs-traffic")},
		tracer.LBTargetRefused:    {fuR("lb", "lb-5xx"), fuR("lbhealth", "hc-vs-traffic")},
		tracer.LBUnhealthy:        {fuR("lbhealth", "hc-debug")},

		tracer.TLSNameMismatch:    {fuR("tlsname")},
		tracer.TLSCertExpired:     {fuR("tlstrust", "tls-expiry")},
		tracer.TLSCertNotYetValid: {fuR("tlstrust", "tls-not-yet-valid")},
		tracer.TLSNoCertificate:   {fuR("tlstrust", "tls-no-tls"), fuR("tlsname", "tls-sni")},
		tracer.TLSUntrusted:       {fuR("tlstrust", "tls-chain")},
		tracer.TLSHandshakeFailed: {fuR("tlstrust", "tls-no-tls"), fuR("tlsname")},

		tracer.HTTPStatus:   {fuR("http")},
		tracer.HTTPError:    {fuR("http", "http-no-response"), fuR("mtu", "mtu-symptom")},
		tracer.MTUBlackhole: {fuR("mtu", "mtu-pmtud")},

		tracer.TCPFiltered:         {fuR("traceroute", "tr-stars"), fuR("hostfw", "fw-drop-reject")},
		tracer.TCPTimeout:          {fuR("sockets", "sock-refused-timeout"), fuR("routing", "route-syn-seen")},
		tracer.ICMPAdminProhibited: {fuR("traceroute", "tr-admin-prohibited"), fuR("hostfw", "fw-icmp-types")},
		tracer.ICMPHostUnreachable: {fuR("routing", "route-no-route"), fuR("traceroute")},
		tracer.ICMPNetUnreachable:  {fuR("routing", "route-no-route"), fuR("traceroute")},
		tracer.ICMPPortUnreachable: {fuR("hostfw", "fw-icmp-types"), fuR("sockets", "sock-refused-timeout")},
		tracer.HostUnresponsive:    {fuR("traceroute", "tr-down-or-filtered")},
		tracer.TraceHop:            {fuR("traceroute", "tr-how")},
	}
})

var fuConceptByKey = sync.OnceValue(func() map[string]*fuConcept {
	m := make(map[string]*fuConcept, len(fuBank))
	for i := range fuBank {
		m[fuBank[i].key] = &fuBank[i]
	}
	return m
})

// fuBank is every concept with its questions and model answers.
var fuBank = []fuConcept{
	{key: "dns", name: "DNS resolution and delegation", questions: []fuQuestion{
		{"dns-nxdomain-nodata",
			"What is the difference between NXDOMAIN and NODATA, and why does it matter when you debug?",
			"NXDOMAIN (RCODE 3) means the name itself does not exist in the zone; NODATA is RCODE 0, NOERROR, with an empty answer section, meaning the name exists but has no record of the type asked for, such as a TXT record but no A. " +
				"Both are cached negatively for the time the zone's SOA allows (RFC 2308). " +
				"NXDOMAIN sends me looking for a deleted or misspelt record or the wrong zone; NODATA sends me looking for the one record type that was never created, often the A or AAAA."},
		{"dns-lame",
			"What is a lame delegation, and how would you prove one with dig?",
			"A lame delegation is when the parent zone's NS records point at servers that are not authoritative for the child zone: they answer REFUSED or SERVFAIL, return a referral without the aa flag, or do not answer at all. " +
				"I look at the delegation the parent publishes with `dig +norec NS example.com @a.gtld-servers.net`, then ask each listed server directly with `dig +norec SOA example.com @that-server`. " +
				"A server that refuses or answers without the aa flag is lame, and `dig +trace` shows the whole walk from the root in one go."},
		{"dns-servfail",
			"The resolver returned SERVFAIL: whose fault is that, and how do you find out?",
			"SERVFAIL means the recursive resolver tried and could not get a usable answer: the authoritative servers timed out or were lame, DNSSEC validation failed, or a CNAME chain looped or ran too long. " +
				"The code alone does not say which, so I bypass the resolver: `dig +trace name` walks the delegation from the root, and `dig +norec @each-authoritative name` shows which server misbehaves. " +
				"If `dig +cd name` (checking disabled) succeeds where the normal query fails, the problem is DNSSEC validation."},
		{"dns-walk",
			"What does a recursive resolver do to answer www.example.com from a cold cache?",
			"It asks a root server, which refers it to the com servers with NS records and their glue addresses; it asks a com server, which refers it to example.com's nameservers; it asks one of those, which answers authoritatively, with the aa flag set, with the record or a CNAME to follow. " +
				"Every answer is cached for its TTL, so later queries skip the steps already known. " +
				"The client's stub resolver sends just one recursive query, with the RD flag, and waits for the final answer."},
		{"dns-glue",
			"When does a delegation need glue records, and what happens without them?",
			"Glue is needed when a zone's nameserver lives inside the zone it serves, like ns1.example.com for example.com: to find ns1's address the resolver would have to ask example.com's servers, which it cannot reach without that address. " +
				"So the parent publishes A and AAAA glue for ns1 in the additional section of its referral. " +
				"Without glue the lookup cannot make progress and fails, usually as SERVFAIL; a nameserver named outside the zone needs no glue."},
		{"dns-timeout-refused",
			"How do you tell a DNS timeout from a REFUSED answer, and what does each point to?",
			"REFUSED is an answer: a server got the query and declined by policy, typically because it does not serve that zone or does not offer recursion to your address. " +
				"A timeout is silence: no server listens at that address, or a firewall drops port 53 (and remember DNS also needs TCP 53 for large answers). " +
				"So REFUSED points at the server's configuration or at asking the wrong server, while a timeout points at reachability, which I check with `dig @server` and tcpdump on port 53."},
		{"dns-stale",
			"You fixed the record, but some users still fail: why?",
			"Resolvers cache answers for the record's TTL, and negative answers for the negative TTL from the zone's SOA, so users behind a resolver that cached the old answer or the NXDOMAIN keep getting it until it expires. " +
				"Clients cache too: nscd or systemd-resolved, the JVM, browsers. " +
				"I confirm the fix against the authoritative server with `dig @ns`, check the remaining TTL on the affected users' resolver, and lower TTLs ahead of planned changes next time."},
		{"dns-disagree",
			"The zone's authoritative servers give different answers: how does that happen, and how do you spot it?",
			"Usually zone transfers from the primary failed or lag, so a secondary serves an old copy, or the zone moved to a new provider while the registrar still lists old and new nameservers. " +
				"Resolvers pick among the NS by response time, so users get one answer or the other seemingly at random. " +
				"I query each nameserver directly with `dig +norec @ns name` and compare their SOA serials, which `dig +nssearch example.com` shows in one command."},
	}},
	{key: "cname", name: "CNAME chains and aliases", questions: []fuQuestion{
		{"cname-apex",
			"Why can't you put a CNAME at the zone apex, and what do providers offer instead?",
			"A CNAME must be the only data at its name, but the apex has to carry the zone's SOA and NS records, so a CNAME there is not allowed (RFC 1034). " +
				"Providers offer server-side alternatives: Route 53 alias records, or ALIAS, ANAME and CNAME flattening elsewhere, which resolve the target on the authoritative server and return plain A and AAAA records. " +
				"The other option is to serve the apex with its own addresses and redirect example.com to www."},
		{"cname-loop",
			"How does a resolver handle a CNAME loop or a very long CNAME chain?",
			"For every CNAME the resolver restarts the lookup at the target name, but only a limited number of times, a small fixed limit in every resolver (this simulator stops after 8). " +
				"When the chain loops back on itself or exceeds the limit, the resolver gives up with SERVFAIL instead of an answer. " +
				"Querying each name in the chain in turn with `dig +norec @authoritative` shows where it turns back, and the fix is to point the last alias at a name that has A or AAAA records."},
		{"cname-other-data",
			"Can a name have both a CNAME and an MX or TXT record?",
			"No: a CNAME must be the only record at its name, apart from DNSSEC records, because a resolver that finds a CNAME restarts the query at the target for every record type. " +
				"Most DNS servers reject the combination, so adding a verification TXT record to a name that is already a CNAME fails. " +
				"The record has to go on the target name, or the alias has to become real A and AAAA records."},
		{"cname-vs-alias",
			"What is the difference between a CNAME and a Route 53 alias record?",
			"A CNAME is a standard record that the client's resolver follows with an extra lookup, and it cannot sit at the zone apex. " +
				"A Route 53 alias is a Route 53 feature: the authoritative server resolves the AWS target itself (a load balancer, a CloudFront distribution, an S3 website or another record in the zone) and answers with A or AAAA records, so it works at the apex. " +
				"You cannot set its TTL, since it takes the target's, and queries to aliases of AWS resources are not charged."},
		{"cname-target-gone",
			"How do TTLs behave along a CNAME chain, and what do users see when the alias's target is deleted?",
			"Each record in the chain is cached with its own TTL, so a resolver may keep the alias for a day while the target's A record expires after 60 seconds; that is why pointing a long-lived CNAME at a provider's name that changes its addresses works. " +
				"If the target name is deleted, the lookup of the alias ends in NXDOMAIN even though the alias record still exists. " +
				"`dig alias` then shows the CNAME in the answer section with status NXDOMAIN, which tells you to look at the target, not the alias."},
	}},
	{key: "private", name: "private zones shadowing public ones", questions: []fuQuestion{
		{"private-shadow",
			"A name resolves on your laptop but gives NXDOMAIN inside the VPC: what is going on?",
			"The VPC probably has a Route 53 private hosted zone associated with it for the name's domain or a parent of it. " +
				"The VPC resolver, at the VPC base address plus two or 169.254.169.253, answers every name in that domain from the private zone, and if the zone lacks the record it returns NXDOMAIN rather than falling back to the public zone. " +
				"The fix is to add the record to the private zone too, or to narrow the private zone to a subdomain such as internal.example.com."},
		{"private-split-horizon",
			"What is split-horizon DNS, and what are its risks?",
			"Split-horizon DNS gives different answers for the same name depending on who asks: a private zone returns internal addresses inside the VPC, the public zone public ones outside. " +
				"The risks are drift between the two copies, a private zone silently shadowing records it does not carry, and confusing results when a test from a laptop and a test from an instance disagree. " +
				"So I always note where a lookup ran and which resolver answered it."},
		{"private-association",
			"How does a Route 53 private hosted zone decide who can see it?",
			"It answers only queries that reach the Route 53 Resolver from VPCs associated with the zone, and those VPCs need enableDnsSupport and enableDnsHostnames turned on. " +
				"Other VPCs, on-premises networks and the internet do not see it unless they forward queries to that resolver, for example through a Resolver inbound endpoint. " +
				"So 'works in one VPC, NXDOMAIN in the peered one' usually means the zone is not associated with the second VPC: peering alone does not share DNS."},
		{"private-which-resolver",
			"How do you find out which resolver an instance uses and what it answered?",
			"On Linux I read /etc/resolv.conf (`cat /etc/resolv.conf`), and with systemd-resolved I ask it which upstream servers it really uses, because resolv.conf may only point at the local stub on 127.0.0.53. " +
				"Then `dig name` prints the SERVER line that answered and the flags. " +
				"Comparing `dig @10.0.0.2 name` (the VPC resolver) with a public resolver's answer shows at once whether a private zone shadows the public record."},
		{"private-overlap",
			"Private zones example.com and db.example.com are both associated with a VPC: which one answers for db.example.com?",
			"The Route 53 Resolver uses the most specific matching zone, so db.example.com and every name under it are answered from the db.example.com zone, and all other names from example.com. " +
				"A db record added to the example.com zone is therefore silently ignored inside that VPC. " +
				"It is the same longest-match idea as routing, and it is why a subdomain zone created for one team can hide records another team still edits in the parent."},
	}},
	{key: "routing", name: "longest-prefix routing and return paths", questions: []fuQuestion{
		{"route-syn-seen",
			"Why did tcpdump on the server see the SYN while the client timed out?",
			"Because the request path worked and the return path did not: the SYN-ACK was lost on the way back. " +
				"The usual causes are a stateless network ACL with no rule for the replies to the client's ephemeral ports (32768-60999 for Linux clients), a route table in the server's subnet with no route back, or one that sends replies to a NAT gateway that never saw the connection, and asymmetric routing where a stateful firewall on the other path drops the reply. " +
				"If the server's capture shows the SYN-ACK leaving, the loss is in the network on the way back; if it does not, the host itself (its firewall, socket or rp_filter) is the problem."},
		{"route-lpm",
			"How does a VPC route table choose among several routes that match a destination?",
			"It uses longest prefix match: the most specific route containing the destination wins, so 10.0.20.0/24 beats 10.0.0.0/16, which beats 0.0.0.0/0. " +
				"Every route table has the implicit local route for the VPC CIDR, which cannot be deleted; to send traffic inside the VPC through an appliance you add more specific routes pointing at it. " +
				"Order of entry does not matter, only prefix length, which is why a forgotten specific route can hijack part of a range."},
		{"route-blackhole",
			"What does a route in state blackhole mean in AWS, and how does it happen?",
			"A route shows as blackhole when its target no longer works: the NAT gateway, network interface or instance it points at was deleted or stopped, or the peering connection was deleted. " +
				"Packets matching it are dropped silently, so clients time out instead of getting an error. " +
				"I find such routes with `aws ec2 describe-route-tables` and their State field, and fix them by pointing the route at a live target or removing it (Transit Gateway route tables also allow deliberate blackhole routes)."},
		{"route-asymmetric",
			"What is asymmetric routing, and why does it break stateful devices?",
			"Asymmetric routing means the reply takes a different path from the request, through another appliance, NAT or gateway. " +
				"A stateful firewall or NAT that saw only one direction has no connection-tracking entry for the other, so it drops the reply or cannot translate it back. " +
				"A classic AWS case is an instance with a public address in a subnet whose default route points at a NAT gateway: requests arrive through the internet gateway, the replies go to the NAT, and the NAT drops them."},
		{"route-loop",
			"How would you recognise a routing loop, and what stops the packet from looping forever?",
			"Each router decrements the IP TTL (the hop limit in IPv6) and drops the packet when it reaches zero, sending ICMP time exceeded back to the source. " +
				"traceroute shows the same two or three hops repeating until the maximum hop count, and a capture on one of them shows the same packet coming back with a lower TTL each time. " +
				"The cause is usually two route tables or appliances each pointing the destination at the other, often through default routes."},
		{"route-no-route",
			"When no route matches the destination, what does the sender see: on a Linux box versus in a VPC?",
			"A Linux host with no matching route fails locally at once with 'Network is unreachable' (ENETUNREACH) and sends nothing; a Linux router drops the packet and returns ICMP destination unreachable, so the client also fails fast. " +
				"The VPC router drops silently, so the client just times out. " +
				"That is why in AWS I read the route table of the source subnet, and for the reply the destination subnet, rather than waiting for an error."},
	}},
	{key: "nat", name: "NAT gateway vs internet gateway", questions: []fuQuestion{
		{"nat-vs-igw",
			"What is the difference between a NAT gateway and an internet gateway?",
			"An internet gateway does one-to-one static translation between an instance's public or Elastic IP and its private address, in both directions, so a host with a public address in a subnet routed to it can accept inbound connections. " +
				"A NAT gateway does many-to-one source NAT for instances without public addresses: their outbound connections leave from the NAT's Elastic IP, and nothing on the internet can open a connection through it. " +
				"The NAT gateway itself sits in a public subnet and reaches the internet through the internet gateway."},
		{"nat-public-subnet",
			"What makes a subnet public, and why can an instance without a public IP in a public subnet still not reach the internet?",
			"A subnet is public only because its route table sends 0.0.0.0/0 to an internet gateway; nothing else about it is special. " +
				"The internet gateway translates only addresses that have a public or Elastic IP mapping, so packets from a private-only address are dropped there. " +
				"The fix is to give the instance a public or Elastic IP, or to put it in a private subnet whose default route points at a NAT gateway."},
		{"nat-ports",
			"Which source ports does a NAT gateway use, and why does that matter for network ACLs?",
			"A NAT gateway rewrites the source to its own address and picks a source port from 1024-65535, so replies from the internet come back to the NAT's subnet on any port in that range. " +
				"The NAT subnet's ACL must therefore allow inbound 1024-65535 from the destinations, and the private subnet's ACL must allow the replies the NAT forwards on to the instances' own ephemeral ports. " +
				"An ACL that allows only Linux's 32768-60999 on the NAT subnet drops a share of the replies seemingly at random."},
		{"nat-limits",
			"What limits a single NAT gateway, and what do you see when you hit them?",
			"A NAT gateway supports up to 55,000 simultaneous connections to each unique destination (address, port and protocol) per public address; beyond that new connections fail and the ErrorPortAllocation CloudWatch metric rises. " +
				"Adding secondary addresses to the NAT gateway raises the limit, as does spreading traffic over more destinations or gateways. " +
				"A NAT gateway also lives in a single Availability Zone, so you run one per zone to keep an AZ failure from cutting off the others' egress."},
		{"nat-inbound",
			"Can anyone on the internet reach an instance behind a NAT gateway? How would you expose it?",
			"No: a NAT gateway only translates connections started from inside, keeping state so replies come back, and has no port forwarding. " +
				"To expose a private instance you put a load balancer in public subnets in front of it, or give it a public address in a public subnet, and for admin access use Session Manager or a bastion. " +
				"Giving it a public IP while its subnet's default route still points at the NAT breaks it: SYNs arrive through the internet gateway but the replies leave through the NAT, which drops them."},
		{"nat-idle",
			"Long-lived idle connections through a NAT gateway die silently: why?",
			"A NAT gateway forgets a connection after 350 seconds of idle time; when the instance later sends on it, the NAT answers with a TCP RST, and the remote side never hears about it. " +
				"Linux's default keepalive starts after 7200 seconds (net.ipv4.tcp_keepalive_time), far too late to help. " +
				"The fix is TCP keepalives or application pings at an interval under 350 seconds, or connection pools that retire idle connections sooner."},
	}},
	{key: "sg", name: "stateful security groups and group references", questions: []fuQuestion{
		{"sg-stateful",
			"What does a stateful filter remember?",
			"It keeps a connection-tracking entry per flow, keyed on the 5-tuple (protocol, source and destination address, source and destination port), with the flow's state, such as where a TCP connection is in its handshake. " +
				"A packet that matches an existing entry in the reverse direction is a reply and passes without any rule, which is why a security group needs no outbound rule for responses. " +
				"On Linux the kernel's connection-tracking table holds these entries, and they expire after per-protocol timeouts, so idle flows are eventually forgotten."},
		{"sg-reference",
			"What does it mean when a security group rule's source is another security group?",
			"The rule matches traffic from any network interface that carries that group, by the interface's private IP address, so it follows instances as they scale in and out without tracking addresses. " +
				"It does not match the instance's public or Elastic IP, so traffic that goes out through an internet gateway and comes back in does not match, and across VPC peering it works only within one region. " +
				"It does not import the other group's rules either: it only identifies sources."},
		{"sg-vs-nacl",
			"How do security groups and network ACLs differ?",
			"Security groups attach to network interfaces, are stateful, contain only allow rules, and the rules of all groups on an interface are combined, so any match allows. " +
				"Network ACLs attach to subnets, are stateless so replies need their own rules, support allow and deny, and are evaluated in rule-number order with the first match winning and an implicit deny at the end. " +
				"In practice security groups are the main control and ACLs a coarse subnet guardrail, for example to deny a known-bad range."},
		{"sg-deny-one",
			"Your security group allows 0.0.0.0/0 on 443: how do you block one abusive IP address?",
			"Not with the security group: it has only allow rules, and all matching rules are combined, so a narrower rule cannot subtract from 0.0.0.0/0. " +
				"I would use a network ACL deny rule numbered below the allows, AWS WAF on the load balancer or CloudFront for HTTP traffic, or an AWS Network Firewall rule. " +
				"The ACL deny applies to the whole subnet and is stateless, so it is a blunt tool."},
		{"sg-egress-default",
			"What does a new security group allow by default, and when does a missing egress rule bite?",
			"A new group has no inbound rules and one outbound rule allowing all traffic to 0.0.0.0/0 (plus ::/0 if the VPC has IPv6). " +
				"Teams that tighten egress replace that rule with specific destinations, and then a new dependency such as a database port times out from the client, because its SYN never leaves the interface. " +
				"Since security groups are stateful, egress rules matter only for connections the instance opens, never for replies to inbound connections."},
		{"sg-existing-flows",
			"You remove a security group rule: do existing connections stop at once?",
			"Not necessarily: tracked connections that the rule allowed keep flowing until they end or time out, because the group evaluates rules when a flow starts, and AWS documents that removing a rule does not interrupt them. " +
				"The exception is untracked flows, such as traffic allowed by rules open to 0.0.0.0/0 in both directions, which are judged packet by packet and stop immediately. " +
				"So to cut off an attacker mid-connection, a network ACL deny is the reliable tool."},
	}},
	{key: "nacl", name: "stateless network ACLs and ephemeral ports", questions: []fuQuestion{
		{"nacl-ephemeral",
			"Why must a network ACL allow the ephemeral port range outbound when the server only listens on 5432?",
			"Network ACLs are stateless, so the reply is judged as a new packet that needs its own rule, and it travels from port 5432 to the client's ephemeral source port. " +
				"Linux clients pick that port from net.ipv4.ip_local_port_range, 32768-60999 by default, NAT gateways and load balancers use 1024-65535, and Windows uses 49152-65535. " +
				"So the server subnet's egress rules and the client subnet's ingress rules must cover the range the real clients use, which is why AWS suggests allowing 1024-65535 for replies."},
		{"nacl-order",
			"How are network ACL rules evaluated?",
			"In ascending rule number, lowest first, and the first rule that matches decides, allow or deny; later rules are never consulted. " +
				"If nothing matches, the final * rule denies, and it cannot be removed, so a new custom ACL denies everything until you add rules, whereas the VPC's default ACL allows all. " +
				"A deny numbered 90 therefore beats an allow numbered 100, and you leave gaps between numbers (100, 110, 120) so you can insert rules later."},
		{"nacl-stateless",
			"What does 'stateless' mean for a network ACL, concretely?",
			"It keeps no record of connections, so every packet is judged alone against the rules for its direction, requests and replies alike. " +
				"A TCP connection from subnet A to subnet B needs four rules: A's egress and B's ingress for the request to the service port, then B's egress and A's ingress for the replies to the ephemeral ports. " +
				"Traffic between two addresses in the same subnet crosses no ACL at all."},
		{"nacl-which-rule",
			"The trace stopped at an ACL on the reply: which rule do you add, and where?",
			"I note whose ACL dropped the packet and in which direction: a reply leaving the server's subnet needs an egress rule there, a reply entering the client's subnet an ingress rule there. " +
				"The rule's port range is the client's ephemeral range, not the service port, and its CIDR is the client's address or subnet. " +
				"I give it a number below any deny that would match first, then re-run the test and check the flow logs for REJECT records."},
		{"nacl-flowlogs",
			"How would VPC Flow Logs show you an ACL problem on the return path?",
			"Flow logs record ACCEPT or REJECT per flow at each network interface. " +
				"Because security groups are stateful and ACLs are not, a request logged as ACCEPT at the server's interface followed by its response logged as REJECT is the classic sign that an ACL denied the return traffic; with a security group problem the request itself would be REJECT. " +
				"The record's ports show the client's ephemeral port as the destination of the rejected reply."},
	}},
	{key: "hostfw", name: "host firewall DROP vs REJECT", questions: []fuQuestion{
		{"fw-drop-reject",
			"What does the client see when a host firewall DROPs the packet, versus when it REJECTs it?",
			"With DROP the packet is discarded silently, so the client retransmits its SYN with exponential backoff and finally times out, after about two minutes on Linux with the default net.ipv4.tcp_syn_retries of 6. " +
				"With REJECT, iptables answers at once, by default with ICMP port unreachable, which the client reports as 'connection refused', or with a TCP reset if the rule says --reject-with tcp-reset. " +
				"So a timeout points at silent filtering somewhere on the path, while an immediate refusal comes from the host or from something answering for it."},
		{"fw-which-better",
			"Should a firewall DROP or REJECT, and why?",
			"Inside your own network REJECT is friendlier: clients fail fast with a clear error instead of hanging on retries, and troubleshooting is quicker. " +
				"DROP is common at the internet edge because it tells scanners less and sends nothing towards spoofed sources, though a rate-limited REJECT covers much of that. " +
				"Either way, log what you block and be consistent, or people waste time chasing silence."},
		{"fw-which-rule",
			"How do you find which host firewall rule matched a packet on Linux?",
			"`iptables -L INPUT -n -v --line-numbers` lists the rules in order with packet and byte counters (nftables lists its ruleset the same way); sending a test connection and watching which counter rises identifies the rule. " +
				"Rules are first match within a chain, so an earlier broad DROP hides a later ACCEPT, and the chain's policy applies when nothing matches. " +
				"For harder cases a LOG rule, or nftables' packet tracing, shows each packet's path through the rules."},
		{"fw-established",
			"Why does a Linux firewall usually start with an ESTABLISHED,RELATED accept rule?",
			"That rule, a conntrack match on the states ESTABLISHED and RELATED that jumps to ACCEPT, lets replies to connections the host opened, and later packets of connections already accepted, through without walking the rest of the chain, which makes the firewall stateful like a security group. " +
				"RELATED also admits ICMP errors tied to a tracked flow, such as fragmentation needed, which path MTU discovery depends on. " +
				"Without it you must open the ephemeral ports for replies, as with a network ACL."},
		{"fw-icmp-types",
			"A REJECT can answer with different ICMP messages: what does each mean to the client?",
			"iptables REJECT defaults to icmp-port-unreachable; the other options include icmp-net-unreachable, icmp-host-unreachable, icmp-admin-prohibited (type 3 code 13) and tcp-reset. " +
				"Port unreachable and tcp-reset surface as 'connection refused', net and host unreachable as 'Network is unreachable' and 'No route to host'. " +
				"Admin-prohibited says plainly that a filter refused the packet, but Linux reports it as EHOSTUNREACH, 'No route to host', which sends people chasing routes that are fine."},
		{"fw-host-silent",
			"The SYN reaches the host and the service is listening, yet the client times out: what host-level causes do you check?",
			"An INPUT rule or chain policy that drops the SYN, an OUTPUT rule dropping the SYN-ACK, reverse-path filtering (net.ipv4.conf.*.rp_filter) discarding packets that arrive on an interface the host would not route the reply out of, or a full accept queue: `ss -ltn` shows a listener's Recv-Q (connections waiting to be accepted) against its Send-Q (the backlog). " +
				"Note that tcpdump captures inbound packets before iptables sees them, so 'tcpdump saw the SYN' does not mean the host accepted it. " +
				"Seeing the SYN arrive and no SYN-ACK leave in the same capture narrows it to the host."},
	}},
	{key: "sockets", name: "sockets: refused vs timeout and bind addresses", questions: []fuQuestion{
		{"sock-refused-timeout",
			"What is the difference between 'connection refused' and a connection timeout?",
			"Connection refused means something answered the SYN with a TCP RST or an ICMP port unreachable: the packet reached a host, usually the right one, and nothing was listening on that port or a firewall rejected it. " +
				"A timeout means no answer came back at all: the SYN or the SYN-ACK was dropped silently by a security group, an ACL, a DROP rule or a missing route, or the host is down. " +
				"So refused sends me to the host and its sockets, and a timeout sends me to the path and its filters."},
		{"sock-bind",
			"A service works with curl on the server itself but other hosts get 'connection refused': what do you check?",
			"Whether it is bound to 127.0.0.1 or ::1 instead of 0.0.0.0 or the host's address: a loopback-bound socket accepts only connections to the loopback address, so the kernel answers other hosts' SYNs with a reset. " +
				"`ss -ltnp` shows it in the Local Address column, 127.0.0.1:8080 versus 0.0.0.0:8080 or *:8080, with the owning process. " +
				"The fix is in the service's listen setting, such as listen_addresses in PostgreSQL or --host 0.0.0.0 for a development server."},
		{"sock-ss",
			"What does `ss -ltn` tell you, and how do you read it?",
			"-l lists listening sockets, -t limits the list to TCP and -n shows numeric addresses and ports; adding -p shows the owning process, which needs root for other users' processes. " +
				"Each line shows the address and port the socket is bound to, and for listeners Recv-Q is the current accept-queue length and Send-Q its maximum backlog. " +
				"If the port is missing, nothing listens and clients get connection refused; if Recv-Q sits near Send-Q, the application is not accepting fast enough and new connections get dropped."},
		{"sock-service-down",
			"How do you confirm whether a service is down or only unreachable?",
			"On the host I check `systemctl status SERVICE` and `journalctl -u SERVICE` for whether the process runs and why it stopped, and `ss -ltnp` for whether anything holds the port. " +
				"Then I connect locally, with `curl -v http://127.0.0.1:8080/` or `nc -vz 127.0.0.1 8080`, and from a remote host. " +
				"Working locally but not remotely points at the bind address or a filter, while refused locally means the service itself is down or listening on another port."},
		{"sock-rst-who",
			"Who sends the RST when a port is closed, and can something other than the server send it?",
			"Normally the destination's kernel sends it: a SYN to a port with no listening socket gets an RST, which the client reports as ECONNREFUSED. " +
				"But a firewall with REJECT --reject-with tcp-reset, a load balancer or another middlebox can send resets on the host's behalf, so in a capture I check where the RST came from: its TTL and timing compared with the server's other packets usually give it away. " +
				"A cloud security group or network ACL never sends resets: it drops silently."},
	}},
	{key: "lbhealth", name: "load balancer health checks and fail-open", questions: []fuQuestion{
		{"hc-fail-open",
			"Why did the balancer still send traffic to unhealthy targets?",
			"Because it fails open: when no target is healthy, an ALB or NLB routes requests to all registered targets regardless of their health, on the theory that the health check may be wrong and trying beats refusing everything. " +
				"If the targets really are broken, clients then see what those targets produce, typically 502 or 504, instead of a clean 503. " +
				"So 'every target unhealthy' and 'traffic still reaches them' is documented behaviour, not a bug, and the fix is whatever makes the targets fail."},
		{"hc-vs-traffic",
			"The targets show healthy, but users get errors: how can health checks pass while real traffic fails?",
			"Health checks test only what they are configured to test: a port and path that may differ from the traffic port, such as /health on 9090 while users hit 8080, or a path that returns 200 without touching the database. " +
				"Security groups may admit the health-check port but not the traffic port, or the real request depends on something the check skips. " +
				"I compare the target group's health-check settings with the port traffic is forwarded to, and make the check exercise the same port and path."},
		{"hc-timing",
			"How does an ALB decide a target is unhealthy, and how long does that take?",
			"Each load balancer node sends the check to each target at the configured interval, 30 seconds by default, and marks the target unhealthy after the unhealthy threshold of consecutive failures, 2 by default, and healthy again after the healthy threshold of successes, 5 by default. " +
				"A failure is a timeout (5 seconds by default), a refused or reset connection, or a status outside the matcher, which defaults to 200. " +
				"With the defaults a dead target is pulled after about a minute, and a recovered one comes back after about two and a half."},
		{"hc-security-groups",
			"What must the target's security group allow for health checks to pass?",
			"Health checks come from the load balancer nodes' private addresses in its subnets, so the target's security group must admit the health-check port from the load balancer's security group or subnets, and the subnet ACLs must allow the check in and its reply back to ports 1024-65535. " +
				"If the health-check port differs from the traffic port, both need rules. " +
				"For an NLB with client IP preservation the real traffic arrives from the clients' own addresses, so those must be admitted too, while the checks still come from the NLB."},
		{"hc-deep-shallow",
			"Should a health check test the target's dependencies, like its database?",
			"It is a trade-off: a deep check catches targets that run but are useless, while a shallow check (the process answers) avoids failing every target at once when a shared dependency breaks. " +
				"Because all targets share the database, a deep check marks them all unhealthy during a database outage, and the balancer then fails open anyway. " +
				"So the usual advice is shallow checks for routing decisions and separate monitoring and alerting for the dependencies."},
		{"hc-debug",
			"How do you find out why a target is unhealthy?",
			"`aws elbv2 describe-target-health --target-group-arn TG_ARN` gives each target's state and a reason code: Target.Timeout means the check got no answer in time (typically a security group or ACL), Target.ResponseCodeMismatch a wrong status (a redirect or a 404 on the check path), and Target.FailedHealthChecks a connection error or malformed response. " +
				"Then I reproduce the check from a host in the balancer's subnets with curl against the target's private address, health-check port and path. " +
				"Whether that times out, is refused or returns the wrong code tells me which layer to fix."},
	}},
	{key: "lb", name: "load balancer listeners and 502 vs 503 vs 504", questions: []fuQuestion{
		{"lb-5xx",
			"An ALB returns 502, 503 or 504: what does each tell you?",
			"502 Bad Gateway means the balancer reached for a target but got no valid response: the connection was refused or reset, the target closed it mid-request, or the response was malformed. " +
				"503 Service Unavailable from an ALB means it had nowhere to send the request, typically a target group with no registered targets. " +
				"504 Gateway Timeout means the target did not answer in time: the connection could not be established within 10 seconds, or the response took longer than the idle timeout, 60 seconds by default."},
		{"lb-504-silent",
			"You see 504s from the ALB, but the application logged nothing: where do you look?",
			"If the application never logged the request, the balancer probably never got a connection: a security group or network ACL on the target side drops the SYN, a host firewall DROPs it, or the target is overloaded and not accepting. " +
				"I check that the target's security group admits the traffic port from the balancer's group and that the ACLs let replies back to 1024-65535. " +
				"The ALB access log shows which target failed, with a target_processing_time of -1 when the balancer could not dispatch the request to it."},
		{"lb-502-keepalive",
			"Intermittent 502s under light load: what is a classic cause?",
			"A keep-alive timeout on the target shorter than the balancer's idle timeout: the target closes an idle connection just as the ALB reuses it for a new request, and the ALB gets a reset or FIN and returns 502. " +
				"The fix is to make the application's keep-alive timeout longer than the ALB's idle timeout of 60 seconds, for example 65 seconds in nginx or Node.js. " +
				"The access log shows these requests with elb_status_code 502 and a target_status_code of '-'."},
		{"lb-who-answered",
			"How do you tell whether an error page came from the load balancer or from the application?",
			"The ALB access log records both elb_status_code and target_status_code: if the target's is '-', the balancer generated the error itself; if they match, it passed on the target's answer. " +
				"In the response itself, a Server: awselb/2.0 header marks a page the balancer generated, while the application's own headers and body mark its own. " +
				"A 503 from awselb with no target status is the balancer saying it had no target to use."},
		{"lb-503-deploy",
			"An ALB returns 503 right after a deploy: what happened?",
			"A 503 from an ALB means no target was registered for the rule that matched: typically the old targets were deregistered before the new ones were registered, or the rule forwards to the wrong, empty target group. " +
				"Registered but unhealthy targets do not give 503, since the ALB fails open and tries them. " +
				"I check `aws elbv2 describe-target-health --target-group-arn TG_ARN` for the group the listener rule uses, and fix the deploy order: register the new targets, wait until they are healthy, then drain the old ones with a deregistration delay."},
		{"lb-listener",
			"How does an ALB listener decide what to do with a request?",
			"A listener is a port and protocol, HTTP or HTTPS for an ALB, and nothing answers on a port without one. " +
				"Its rules are evaluated in priority order, lowest number first, matching on host header, path, HTTP headers, method, query string or source IP, and the default rule applies when none match. " +
				"Each rule's action forwards to a target group, redirects, returns a fixed response or authenticates; an HTTPS listener first terminates TLS with the certificate SNI selects."},
	}},
	{key: "tlsname", name: "TLS names: SNI, SAN and wildcards", questions: []fuQuestion{
		{"tls-san",
			"The certificate's CN matches the hostname, yet clients reject it: why?",
			"Modern clients check only the Subject Alternative Name extension: RFC 6125 discourages falling back to the Common Name (RFC 9525 drops it), and Chrome since version 58 and Go since 1.15 ignore the CN entirely. " +
				"If the name is not among the SAN entries, the handshake fails with a name mismatch. " +
				"I check the names the server presents: `curl -v` prints the certificate's subject and its subjectAltName match, and `openssl s_client -connect host:443 -servername name` shows the certificate itself."},
		{"tls-wildcard",
			"Does a certificate for *.example.com cover example.com, and a.b.example.com?",
			"Neither: a wildcard matches exactly one whole label in the leftmost position, so *.example.com covers www.example.com and api.example.com but not the bare example.com or a.b.example.com. " +
				"That is why certificates usually list both example.com and *.example.com as SANs. " +
				"Deeper names need their own entry, such as *.b.example.com."},
		{"tls-sni",
			"What is SNI, and what goes wrong without it?",
			"Server Name Indication is a TLS extension in the ClientHello that tells the server which hostname the client wants, so a server or load balancer with several certificates on one address and port can present the right one. " +
				"A client that sends no SNI, or the wrong name, for instance because it connects by IP address, gets the default certificate and usually a name mismatch. " +
				"An ALB HTTPS listener uses SNI to choose among its certificates and falls back to its default certificate when none matches."},
		{"tls-inspect",
			"How do you see exactly which certificate a server presents for a name?",
			"`openssl s_client -connect host:443 -servername host -showcerts` shows the chain the server sends for that SNI name and the verification result; `curl -v` prints the leaf's subject, its start and expire dates and whether its subjectAltName matches. " +
				"`curl -v https://host/` prints the subject, whether the name matched, and the expiry too. " +
				"Repeating it with another -servername, or against each of the load balancer's addresses, reveals SNI-dependent or per-node differences."},
		{"tls-fix-mismatch",
			"Users get a name mismatch on shop.example.com but not on www.example.com: how do you fix it properly?",
			"The listener presents a certificate whose SANs include www.example.com but not shop.example.com. " +
				"The fix is a certificate that covers the name, either reissued with both SANs or a second certificate added to the listener so SNI selects it; an ALB listener accepts several ACM certificates. " +
				"Telling users to click through, or turning off verification in clients, is not a fix: it removes the protection against impersonation."},
	}},
	{key: "tlstrust", name: "TLS validity and chain of trust", questions: []fuQuestion{
		{"tls-chain",
			"The site works in a browser, but curl says 'unable to get local issuer certificate': why?",
			"The server is probably not sending its intermediate certificate. " +
				"Browsers often paper over that by caching intermediates or fetching them from the certificate's AIA URL, but curl, OpenSSL and most libraries build the chain only from what the server sent plus their trust store. " +
				"The fix is to serve the full chain, leaf then intermediates and not the root, for example nginx's ssl_certificate pointing at fullchain.pem, and to verify with `openssl s_client -showcerts`."},
		{"tls-expiry",
			"How do you catch certificate expiry before users do?",
			"Monitor the notAfter of what each endpoint actually serves, not what sits in a certificate store, with a probe that connects over TLS and alerts 30 and 7 days ahead. " +
				"Automate renewal, with ACM, which renews automatically while its DNS validation records stay in place, or with ACME clients for Let's Encrypt. " +
				"Alert on renewal failures too, because an automated renewal that silently stopped working is the usual cause of expiry outages."},
		{"tls-not-yet-valid",
			"A client reports 'certificate is not yet valid' for a certificate issued yesterday: what do you check?",
			"The client's clock first: validity is judged against local time, so a device with a wrong or unsynchronised clock (no NTP, a VM restored from a snapshot, a dead RTC battery) sees a fresh certificate as coming from the future. " +
				"I compare the client's clock with the certificate's start date, which `curl -v` prints, and check that NTP (chrony) keeps the clock in sync. " +
				"If the clock is right, the certificate really was issued with a future notBefore and must be reissued."},
		{"tls-trust",
			"What does it mean for a certificate chain to be trusted?",
			"The client builds a path from the leaf through the intermediates to a root in its own trust store, checking every signature, each certificate's validity period, the CA and key-usage constraints, and the name on the leaf. " +
				"A self-signed certificate or one from a private CA fails unless that root is installed on the client, with update-ca-certificates on Debian or in a runtime's own store such as Java's cacerts. " +
				"Clients have different stores, which is why one client trusts a chain that another rejects."},
		{"tls-no-tls",
			"The client gets 'wrong version number' or a handshake failure on port 443: what is going on?",
			"Most often the server is not speaking TLS on that port at all: the client sent a ClientHello and got plain HTTP or another protocol back, which OpenSSL reports as 'wrong version number' because the bytes do not parse as a TLS record. " +
				"`curl -v http://host:443/` or `openssl s_client -connect host:443` confirms it, and the fix is to configure a certificate and enable TLS on that port, or use the right scheme. " +
				"Other handshake failures come from no shared protocol version or cipher suite, or a server that requires a client certificate."},
	}},
	{key: "http", name: "HTTP status semantics", questions: []fuQuestion{
		{"http-4xx-5xx",
			"What is the difference between a 4xx and a 5xx, and why does it matter for alerting?",
			"A 4xx means the server judged the request itself wrong: not found, unauthenticated, forbidden, bad input. " +
				"A 5xx means the server or something behind it failed to handle a request that may well have been valid, so a spike of 5xx is our problem and should page, while 4xx are watched as a ratio because a jump in 404s after a deploy can still mean we broke routes. " +
				"Retrying makes sense for 502, 503 and 504, but not for most 4xx."},
		{"http-401-403",
			"What is the difference between 401 and 403?",
			"401 Unauthorized means the request lacks valid authentication: the server does not know who you are, and it must send a WWW-Authenticate header saying how to authenticate. " +
				"403 Forbidden means the server knows who you are, or does not care, and refuses anyway, so authenticating again will not help. " +
				"Some services return 404 instead of 403 to hide that a resource exists at all."},
		{"http-redirects",
			"301, 302, 307 and 308: what is the difference?",
			"301 and 308 are permanent redirects, 302 and 307 temporary ones, and clients and search engines may cache the permanent ones. " +
				"307 and 308 require the client to repeat the same method and body, while with 301 and 302 clients historically turn a POST into a GET. " +
				"An ALB redirect action answers 301 or 302 itself without contacting any target, which is why an HTTP-to-HTTPS redirect keeps working when every target is down."},
		{"http-404",
			"The server returns 404 for a path you are sure exists: what do you check?",
			"First which server actually answered: whether the Host header and path reach the intended virtual host or listener rule, or a default one that does not know the route; response headers and access logs tell me. " +
				"Then path details such as a trailing slash, letter case, URL encoding, or a prefix that a proxy strips or adds. " +
				"`curl -v -H 'Host: name' http://address/path` lets me test each hop directly."},
		{"http-429-503",
			"When should a service return 429 rather than 503, and how should clients react?",
			"429 Too Many Requests means this client exceeded a rate limit; 503 Service Unavailable means the service as a whole is overloaded or down for maintenance. " +
				"Both can carry a Retry-After header, and well-behaved clients honour it and otherwise retry with exponential backoff and jitter. " +
				"Without that, clients turn a brief overload into a retry storm that keeps the service down."},
		{"http-no-response",
			"curl connects but reports 'Empty reply from server' or a reset mid-request: what could cause that?",
			"The TCP connection worked, but the server closed or reset it without a valid HTTP response: the process crashed or hit its own timeout while handling the request, a proxy closed an idle keep-alive connection just as it was reused, or the client spoke plain HTTP to a TLS port or the reverse. " +
				"A request that hangs until a timeout after connecting can also be an MTU blackhole eating the large response packets. " +
				"I look for the request in the server's logs, then capture to see who sent the FIN or RST and after how long."},
	}},
	{key: "mtu", name: "path MTU discovery and MTU blackholes", questions: []fuQuestion{
		{"mtu-pmtud",
			"How does path MTU discovery work, and what breaks it?",
			"The sender sets the Don't Fragment bit on IPv4 packets; a router whose next link has a smaller MTU drops an oversized packet and returns ICMP destination unreachable, type 3 code 4 'fragmentation needed', carrying the next-hop MTU, and the sender lowers its path MTU and resends smaller segments. " +
				"IPv6 routers never fragment and send ICMPv6 Packet Too Big instead. " +
				"If a firewall, security group or ACL drops those ICMP messages, the sender never learns and keeps sending packets that vanish: an MTU blackhole."},
		{"mtu-symptom",
			"Why does an MTU blackhole let ping and the TCP handshake succeed but hang on large responses?",
			"Handshake packets and ordinary pings are far below any MTU, so they pass; only full-size segments, such as a large HTTP response or a TLS certificate chain, exceed the smaller link. " +
				"With the fragmentation-needed ICMP dropped, those segments are lost and retransmitted at the same size again and again, so the connection hangs after connecting. " +
				"`tracepath host` finds the real path MTU hop by hop, as pings that forbid fragmentation do with 1472 bytes of payload (plus 28 of headers makes 1500) and then smaller sizes."},
		{"mtu-aws",
			"Where do MTUs change in AWS, and what should your security groups allow because of it?",
			"Most current instance types use 9001-byte jumbo frames inside a VPC, but traffic through an internet gateway is limited to 1500 bytes, Transit Gateway to 8500, and Site-to-Site VPN to 1446 because of IPsec overhead. " +
				"So a path can shrink mid-way even when both ends use jumbo frames. " +
				"AWS recommends allowing inbound ICMP type 3 code 4, 'fragmentation needed', in security groups and ACLs so path MTU discovery works across those boundaries."},
		{"mtu-workaround",
			"How do you fix an MTU blackhole when you cannot fix the ICMP filtering?",
			"Clamp the TCP MSS so segments fit: on a Linux router or VPN gateway, iptables' TCPMSS target with --clamp-mss-to-pmtu in the mangle table's FORWARD chain rewrites the MSS in passing SYNs; or lower the interface MTU on the hosts (to 1400, say). " +
				"Linux can also probe for the path MTU itself after a suspected blackhole with net.ipv4.tcp_mtu_probing=1. " +
				"The real fix is still to let ICMP type 3 code 4 through every filter on the path."},
		{"mtu-capture",
			"How would you confirm an MTU blackhole with packet captures?",
			"On the sender, tcpdump shows full-size segments with DF set retransmitted without being acknowledged while small packets flow, and no ICMP fragmentation-needed arriving; on the receiver the large segments never appear. " +
				"Because of segmentation offload the sender's capture may show oversized super-segments, so I compare sizes with the MSS or disable TSO with ethtool for the test. " +
				"Where ICMP does work, `tracepath host` reports the path MTU hop by hop."},
	}},
	{key: "traceroute", name: "traceroute and what silence means", questions: []fuQuestion{
		{"tr-stars",
			"What does a row of asterisks in traceroute mean?",
			"Only that no reply came back for that TTL within the wait time: the hop may drop or rate-limit the ICMP time-exceeded messages it should send, a filter may drop the probes or the replies, or the hop may not decrement the TTL at all. " +
				"If later hops answer, the stars are harmless; if everything after some point is silent, the path may be blocked there, or the destination simply filters the probe protocol. " +
				"Silence is absence of evidence, not proof of a drop at that hop."},
		{"tr-how",
			"How does traceroute work, and why does a TCP traceroute sometimes get further?",
			"It sends probes with TTL 1, 2, 3 and so on; each router that decrements a probe's TTL to zero drops it and returns ICMP time exceeded, revealing itself, until the destination answers. " +
				"Linux traceroute uses UDP to high ports by default, Windows tracert uses ICMP echo, and `traceroute -T -p 443` sends TCP SYNs to the real service port. " +
				"Firewalls that allow the service usually let those SYNs through, so a TCP traceroute to the real port tests the same path and filters as the application."},
		{"tr-vpc",
			"Why does traceroute inside an AWS VPC show the destination as the very first hop?",
			"The VPC router is implicit: it does not show up as a hop, so between instances in a VPC, and across a peering, the destination answers at hop 1. " +
				"A traceroute there tells you almost nothing about route tables, security groups or ACLs, which drop silently rather than answer. " +
				"Reachability Analyzer, the route tables and VPC Flow Logs are the tools that show the path inside AWS."},
		{"tr-mtr-loss",
			"mtr shows 40% loss at hop 5 but none at the destination: is hop 5 a problem?",
			"No: loss that does not carry on to the following hops is that router rate-limiting or deprioritising the ICMP it generates for expired TTLs, which it handles on its slow path while forwarding transit traffic normally. " +
				"Real loss on a link shows at that hop and every hop after it, including the destination. " +
				"The same goes for latency: a spike at one hop that does not carry forward is ICMP generation delay, not path delay."},
		{"tr-admin-prohibited",
			"The probe got ICMP 'administratively prohibited' instead of silence: what does that tell you?",
			"ICMP type 3 code 13 means a router or host filtered the packet and chose to say so, for example an iptables REJECT --reject-with icmp-admin-prohibited or a router ACL. " +
				"It is more useful than silence: the source address of the ICMP message names the box that filters, so you go straight to its rules. " +
				"Silence could be any filter on the request or the reply path and needs bisecting."},
		{"tr-down-or-filtered",
			"A host answers neither ping nor TCP: how do you tell whether it is down or filtered?",
			"From outside, a dead host and a silent filter look the same, so I change the vantage point: test from the same subnet, where the fewest filters apply, and from the host itself if I can reach its console. " +
				"In AWS I check the instance state and status checks and the console output, then whether its security group allows ICMP at all, since echo is not allowed by default. " +
				"Flow logs at its interface tell me whether packets arrive and whether they are accepted or rejected."},
	}},
	{key: fuMethod, name: "troubleshooting method", questions: []fuQuestion{
		{"m-bisect",
			"How do you bisect a network path when a connection fails?",
			"I split the path into layers and segments and test at a midpoint: resolve the name, connect by IP from the same client, then from a host in the destination's subnet, then on the destination itself over localhost. " +
				"Each test clears or convicts the half it covers, so a dozen components take only a few tests. " +
				"I change one thing at a time and write down each result, so I never retest what is already proven."},
		{"m-first",
			"What do you check first when you are told 'the service is down'?",
			"I pin the symptom down precisely: which name, port and client, since when, for everyone or only some, and the exact error, because refused, timeout, NXDOMAIN and 502 point at different layers. " +
				"Then I ask what changed recently, such as deploys or security group, route or DNS edits. " +
				"After that I work through the layers the error has not already ruled out: DNS, routing, filters, socket, TLS, then HTTP."},
		{"m-tcpdump-both",
			"Why capture with tcpdump on both ends at the same time?",
			"One capture shows what one host sent and received, not what happened in between; two simultaneous captures show which packets were lost and in which direction. " +
				"If the client's SYN appears on the server, the request path is fine; if the server's SYN-ACK never reaches the client, the return path is broken. " +
				"A filter like `tcpdump -ni any host 10.0.10.21 and port 5432` keeps the captures small, and on Linux tcpdump sees inbound packets before iptables does, so 'captured' does not mean 'accepted'."},
		{"m-tools",
			"Which client-side tools do you reach for, and what does each prove?",
			"`dig` proves name resolution and shows which server answered; `nc -vz host port` proves a TCP connection and distinguishes refused from timeout; `openssl s_client -connect host:443 -servername name` proves the TLS layer and shows the certificate. " +
				"`curl -v --resolve name:443:address https://name/` tests one backend while keeping the right name for SNI and Host. " +
				"Each clears one layer, so I go in that order and stop at the first that fails."},
		{"m-aws-tools",
			"Which AWS tools help you troubleshoot connectivity without logging in to the hosts?",
			"VPC Reachability Analyzer evaluates route tables, security groups, ACLs and gateways between two resources and names the blocking component; VPC Flow Logs record ACCEPT or REJECT for each flow at each interface; and `aws elbv2 describe-target-health --target-group-arn TG_ARN` explains unhealthy targets. " +
				"Flow logs do not capture everything, for instance queries to the Amazon-provided DNS resolver, which Route 53 Resolver query logging covers instead. " +
				"None of these see application errors, so they complement captures and logs rather than replace them."},
		{"m-after-fix",
			"After you fix the fault, how do you prove it, and keep it from coming back?",
			"I repeat the exact failing test from the same client and confirm the original symptom is gone, not just that some other check passes, and then check that nothing else broke, such as other clients or health checks. " +
				"To keep it fixed, the change goes into infrastructure as code rather than a console edit. " +
				"I also add a monitor or synthetic check that would have caught it, such as an end-to-end probe from the affected network."},
	}},
}
