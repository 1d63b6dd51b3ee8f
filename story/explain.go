package story

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Story is a request told in plain words, in the order of "what happens
// when you type a URL": the resolver's walk, the SYN's way there and the
// reply's way back, the certificate check, the balancer's choice, the
// app's answer. Each step names the component and teaches its concept
// once. The story stops at the first break and says what a learner would
// observe there and what would mend it.
type Story struct {
	Target    string        `json:"target"`
	From      string        `json:"from"`
	World     string        `json:"world,omitempty"`
	Delivered bool          `json:"delivered"`
	BrokenAt  *tracer.Break `json:"broken_at"`
	Steps     []Step        `json:"steps"`
	// Further are the blockers past the break that the story does not
	// reach; a fix must mend them too.
	Further []tracer.Break `json:"further_blockers"`
}

// Step is one moment of the story.
type Step struct {
	Stage     string      `json:"stage"` // dns, tcp, udp, tls, http
	Component string      `json:"component"`
	Kind      tracer.Kind `json:"kind"`
	Title     string      `json:"title"`
	Text      string      `json:"text"`
	// At the break: the code, what dig, curl or nc would show, and the
	// change that would mend it.
	Broken  bool        `json:"broken,omitempty"`
	Code    tracer.Code `json:"code,omitempty"`
	Observe string      `json:"observe,omitempty"`
	Fix     string      `json:"fix,omitempty"`
}

// Explain traces the request and tells its story.
func Explain(ctx context.Context, w *simnet.World, from string, target tracer.Target) (*Story, error) {
	r, err := w.Trace(ctx, from, target)
	if err != nil {
		return nil, err
	}
	return Tell(r, target), nil
}

// Tell turns a trace report into a story.
func Tell(r *tracer.Report, target tracer.Target) *Story {
	s := &Story{Target: r.Target, From: r.From, World: r.World, Delivered: r.Delivered(), BrokenAt: r.BrokenAt, Steps: []Step{}, Further: []tracer.Break{}}
	if len(r.Blockers) > 1 {
		s.Further = append(s.Further, r.Blockers[1:]...)
	}
	t := &teller{s: s, target: target, from: r.From, taught: map[string]bool{}, names: map[string]bool{r.From: true}}
	for _, st := range r.Stages {
		for _, h := range st.Hops {
			t.names[h.Component] = true
		}
	}
	for _, st := range r.Stages {
		if st.Verdict == tracer.StageNotReached {
			continue
		}
		if t.stage(st) {
			return s
		}
	}
	t.ending(r)
	return s
}

// teller walks the hops and writes the steps.
type teller struct {
	s      *Story
	target tracer.Target
	from   string
	taught map[string]bool // concepts already explained
	names  map[string]bool // resource names, which keep their case
	stg    string
	// server is the last host that accepted a connection, the one a
	// capture would be taken on
	server string
}

// concept returns the sentence the first time a concept comes up, then "".
func (t *teller) concept(key, text string) string {
	if t.taught[key] {
		return ""
	}
	t.taught[key] = true
	return text
}

func (t *teller) add(h tracer.Hop, title string, parts ...string) {
	var text []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			text = append(text, t.sentence(p))
		}
	}
	t.s.Steps = append(t.s.Steps, Step{Stage: t.stg, Component: h.Component, Kind: h.Kind, Title: title, Text: strings.Join(text, " ")})
}

// sentence ends a fragment with a full stop and capitalises its first
// word, unless that word is a name (a resource, an address, a domain),
// which keeps its case.
func (t *teller) sentence(s string) string {
	if s == "" {
		return s
	}
	first, _, _ := strings.Cut(s, " ")
	first = strings.TrimRight(first, ",:;'s")
	if !t.names[first] && !t.names[strings.TrimSuffix(first, "'")] && strings.IndexFunc(first, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) < 0 {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// stage tells one stage; it reports whether the story broke there.
func (t *teller) stage(st tracer.Stage) bool {
	t.stg = st.Name
	hops := st.Hops
	for i := 0; i < len(hops); i++ {
		h := hops[i]
		if h.Blocks {
			t.broken(h)
			return true
		}
		// A reply's way back is one step: why it is allowed.
		if h.Direction == tracer.Return && isPathHop(h) {
			j := i
			for j < len(hops) && hops[j].Direction == tracer.Return && isPathHop(hops[j]) && !hops[j].Blocks {
				j++
			}
			t.replyLeg(hops[i:j])
			i = j - 1
			continue
		}
		// Consecutive health checks are one step.
		if h.Code == tracer.LBHealthy || h.Code == tracer.LBUnhealthy {
			j := i
			for j < len(hops) && (hops[j].Code == tracer.LBHealthy || hops[j].Code == tracer.LBUnhealthy) {
				j++
			}
			t.health(hops[i:j])
			i = j - 1
			continue
		}
		// Consecutive DNS referrals are the resolver's walk down.
		if h.Code == tracer.DNSReferral && h.Kind != tracer.KindPrivateZone || (h.Kind == tracer.KindNameserver && h.Code == tracer.DNSQuery) {
			j := i
			for j < len(hops) && !hops[j].Blocks && (hops[j].Code == tracer.DNSReferral && hops[j].Kind != tracer.KindPrivateZone || hops[j].Kind == tracer.KindNameserver) {
				j++
			}
			t.walkDown(hops[i:j])
			i = j - 1
			continue
		}
		// The two ACL checks of a subnet crossing are one step.
		if h.Code == tracer.NACLAllow && i+1 < len(hops) && hops[i+1].Code == tracer.NACLAllow && hops[i+1].Direction == h.Direction {
			t.aclCrossing(h, hops[i+1])
			i++
			continue
		}
		t.hop(h)
	}
	return false
}

// isPathHop: a hop of a packet's way through the network (not a DNS, TLS
// or HTTP decision).
func isPathHop(h tracer.Hop) bool {
	switch h.Kind {
	case tracer.KindSecurityGroup, tracer.KindRouteTable, tracer.KindNetworkACL, tracer.KindInternetGateway, tracer.KindNATGateway, tracer.KindInternet, tracer.KindPeering, tracer.KindLoadBalancer, tracer.KindClient, tracer.KindInstance, tracer.KindServer, tracer.KindHostFirewall:
		return h.Code != tracer.HTTPOK && h.Code != tracer.LBRedirect && h.Code != tracer.TLSOK && h.Action != tracer.ActRespond
	}
	return false
}

func (t *teller) hop(h tracer.Hop) {
	switch h.Code {
	case tracer.DNSQuery:
		if h.Kind == tracer.KindVPCResolver {
			t.add(h, "asking the VPC resolver", h.Text()+" (the name's IPv4 address)",
				t.concept("vpc-resolver", "An instance asks the resolver at its VPC's base address plus two; it answers from the private zones associated with the VPC first, and from the public DNS for everything else"))
			return
		}
		t.add(h, "asking the resolver", h.Text()+" (the name's IPv4 address)",
			t.concept("resolver", "A recursive resolver does the legwork for its clients: it starts at the root of the DNS, follows referrals down to the servers that hold the name, and caches what it learns"))
	case tracer.DNSReferral: // a private zone matched
		t.add(h, "a private zone", h.Text(),
			t.concept("private-zone", "A private hosted zone is seen only from the VPCs associated with it; for names under it the public DNS is never asked"))
	case tracer.DNSCNAME:
		t.add(h, "an alias", h.Text(),
			t.concept("cname", "A CNAME says that a name is another name: the resolver starts over with the target and hands the client the whole chain"))
	case tracer.DNSAnswer:
		if h.Direction == tracer.Return {
			t.add(h, "the answer comes back", h.Text(),
				t.concept("dns-ttl", "The client uses the first address (and tries the next one if it fails); every record's TTL says how long resolvers may cache it"))
			return
		}
		if h.Kind == tracer.KindHostsFile {
			t.add(h, "the hosts file", h.Text())
			return
		}
		t.add(h, "the address", h.Text(),
			t.concept("a-record", "An A record maps a name to an IPv4 address; the authoritative server's answer ends the walk"))
	case tracer.Sent:
		if h.Kind == tracer.KindLoadBalancer {
			t.add(h, "the balancer's own connection", h.Text(),
				t.concept("alb-second", "An application load balancer ends the client's connection and opens its own from the node's private address: the app sees the balancer's address, and the client's only in the X-Forwarded-For header"))
			return
		}
		t.add(h, "the SYN leaves", fmt.Sprintf("%s opens a connection: %s", h.Component, h.Text()),
			t.concept("syn", "A TCP connection starts with a three-way handshake: SYN, SYN-ACK, ACK. The source port is ephemeral: the client's system picks a free one (32768-60999 on Linux) for this connection, and the reply will come back to it"))
	case tracer.SGAllow:
		what := h.Text() + ", by security group " + h.Component + "'s rule \"" + h.Rule + "\""
		key, c := "sg", "Security groups are allow-only rules on network interfaces, checked when a connection leaves one interface and when it enters another; they are stateful, so a connection they allow may answer"
		if h.Matched != nil && h.Matched.Group != "" {
			key2 := t.concept("sg-ref", "A rule that names a security group instead of addresses matches any interface that carries that group, by its private address")
			t.add(h, "security group", what, t.concept(key, c), key2)
			return
		}
		t.add(h, "security group", what, t.concept(key, c))
	case tracer.RouteMatch:
		if h.Kind == tracer.KindInstance {
			t.add(h, "an appliance forwards", h.Text())
			return
		}
		t.add(h, "route table", h.Text()+", so the route "+h.Rule+" sends it on",
			t.concept("route", "A route table picks the most specific route that matches the destination (longest prefix); the VPC's own range always has a local route"))
	case tracer.NACLAllow:
		t.add(h, "network ACL", "network ACL "+h.Component+": "+h.Text(), t.concept("nacl", aclConcept))
	case tracer.IGWTranslate:
		t.add(h, "internet gateway", h.Text(),
			t.concept("igw", "An internet gateway maps each public address to one private address and back (one-to-one NAT): inside the VPC nothing has a public address"))
	case tracer.NATTranslate:
		t.add(h, "NAT gateway", h.Text(),
			t.concept("nat", "A NAT gateway lets private instances open connections out: it rewrites their source to its own address and a port it chooses, remembers the mapping for the replies, and lets nothing from outside open a connection in"))
	case tracer.InternetForward:
		t.add(h, "across the internet", "the internet carries the packet "+h.Text())
	case tracer.PeeringForward:
		t.add(h, "VPC peering", h.Text(),
			t.concept("peering", "A peering joins two VPCs' private ranges; it is not transitive, and each side needs a route to the other"))
	case tracer.HostFirewallOK:
		t.add(h, "host firewall", h.Component+"'s firewall: "+h.Text(),
			t.concept("iptables", "The host's own firewall (iptables) runs after the cloud's filters: its rules are read top down and the first match decides"))
	case tracer.PortOpen:
		t.server = h.Component
		if h.Kind == tracer.KindResolver || h.Kind == tracer.KindVPCResolver {
			t.add(h, "the resolver", h.Text())
			return
		}
		t.add(h, "the socket", h.Component+": "+h.Text(),
			t.concept("socket", "A listening socket accepts the SYN and the kernel answers with a SYN-ACK; a service bound to 127.0.0.1 could only be reached from the host itself"))
	case tracer.Received:
		t.add(h, "the handshake completes", h.Component+" receives the "+h.Text()+"; its ACK completes the handshake")
	case tracer.LBListener:
		t.server = h.Component
		t.add(h, "the balancer's listener", h.Component+": "+h.Text(),
			t.concept("listener", "A load balancer listens on the ports its listeners name; each listener ends the connection (and TLS, with its certificate) and forwards requests to a target group, or answers with a redirect"))
	case tracer.LBForward:
		if h.Direction == tracer.Return {
			t.add(h, "back through the balancer", h.Text())
			return
		}
		t.add(h, "the balancer chooses a target", h.Component+" "+h.Text(),
			t.concept("lb-choice", "A balancer sends each request to a healthy target; when none is healthy it fails open and tries them all"))
	case tracer.TLSOK:
		t.add(h, "the certificate check", h.Component+" presents its certificate: "+h.Text(),
			t.concept("tls", "The client checks that the certificate names the host it asked for (SNI), that it is valid now and that an authority it trusts signed it; only then does it send the request, encrypted"))
	case tracer.LBRedirect:
		t.add(h, "a redirect", h.Component+"'s "+h.Text(),
			t.concept("redirect", "A redirect is an answer too: the browser follows the Location header with a new request"))
	case tracer.HTTPOK:
		if h.Kind == tracer.KindLoadBalancer {
			t.add(h, "the answer goes back", h.Component+" "+h.Text())
			return
		}
		t.add(h, "the app answers", h.Text())
	default:
		t.add(h, string(h.Kind), h.Text())
	}
}

const aclConcept = "A network ACL guards a subnet's border and is stateless: its numbered rules are read in order, the first match decides, and a reply needs a rule of its own"

func (t *teller) aclCrossing(a, b tracer.Hop) {
	text := "network ACL " + a.Component + ": " + a.Text()
	if b.Component == a.Component {
		again, ok := simnet.ACLAllowWithoutLeg(&b)
		if !ok {
			again = b.Text()
		}
		text += "; and again " + again
	} else {
		text += "; network ACL " + b.Component + ": " + b.Text()
	}
	t.add(a, "crossing subnets", text, t.concept("nacl", aclConcept))
}

// walkDown tells the resolver's walk from the root to the zone's servers.
func (t *teller) walkDown(hops []tracer.Hop) {
	var parts []string
	for _, h := range hops {
		parts = append(parts, h.Text())
	}
	h := hops[len(hops)-1]
	t.add(h, "the walk down from the root", strings.Join(parts, "; "),
		t.concept("delegation", "Each level of the DNS knows only who answers for the level below: the root knows the top-level domains, they know the registered zones, and the zone's own servers hold its records"))
}

// health tells how the balancer decided which targets are healthy.
func (t *teller) health(hops []tracer.Hop) {
	h := hops[0]
	var parts []string
	for _, x := range hops {
		state := "healthy"
		if x.Code == tracer.LBUnhealthy {
			state = "unhealthy"
		}
		parts = append(parts, x.Text()+": "+state)
	}
	intro := fmt.Sprintf("before choosing, the balancer knows which targets of %s are healthy (%s): %s", h.Component, h.Rule, strings.Join(parts, "; "))
	t.add(h, "how health was decided", intro,
		t.concept("health", "A health check is a real request from every balancer node to every target, through the same route tables, ACLs and security groups as the traffic; a target is healthy while its answers match"))
}

// replyLeg tells why the reply gets back.
func (t *teller) replyLeg(hops []tracer.Hop) {
	var parts []string
	stateful := false
	for _, h := range hops {
		switch h.Code {
		case tracer.SGStateful:
			stateful = true
			parts = append(parts, "security group "+h.Component+" lets the reply out without a rule: security groups are stateful and remember the connection")
		case tracer.NACLAllow:
			detail, ok := simnet.ACLReplyWithoutWhy(&h)
			if !ok {
				detail = h.Text()
			}
			if stateful {
				parts = append(parts, "network ACL "+h.Component+" keeps no such memory: "+detail+" ("+h.Rule+")")
				stateful = false
			} else {
				parts = append(parts, "network ACL "+h.Component+": "+detail+" ("+h.Rule+")")
			}
		case tracer.RouteMatch:
			if h.Kind == tracer.KindRouteTable {
				parts = append(parts, "route table "+h.Component+" sends it back: "+h.Text())
			}
		case tracer.IGWTranslate:
			parts = append(parts, h.Component+" puts the public address back: "+h.Text())
		case tracer.NATTranslate:
			parts = append(parts, h.Component+" finds its mapping: "+h.Text())
		case tracer.Received:
			parts = append(parts, h.Component+" receives the "+h.Text()+"; its ACK completes the handshake")
		case tracer.LBForward:
			parts = append(parts, h.Text())
		case tracer.PeeringForward:
			parts = append(parts, "peering "+h.Component+" carries it back")
		}
	}
	if len(parts) == 0 {
		return
	}
	h := hops[0]
	t.add(h, "the way back", strings.Join(parts, "; "),
		t.concept("ephemeral", "Replies travel to the initiator's ephemeral port, which is why a stateless ACL must allow that whole range (32768-60999 for Linux hosts, 1024-65535 for NAT gateways and balancers) and a stateful security group need not"))
}

// broken tells the break: what happened, what a learner would observe,
// and what would mend it.
func (t *teller) broken(h tracer.Hop) {
	text := t.sentence(h.Text())
	if ex := h.Code.Explain(); ex != "" {
		text += " " + t.sentence(ex)
	}
	fix := h.Mend()
	if fix == "" {
		fix = "see `pathlab trace` for the rule that decided, and change it"
	}
	t.s.Steps = append(t.s.Steps, Step{Stage: t.stg, Component: h.Component, Kind: h.Kind, Title: "the path breaks here",
		Text: text, Broken: true, Code: h.Code, Observe: t.sentence(t.observe(h)), Fix: fix})
}

// observe is what a learner sees with the usual tools when the path breaks
// at h.
func (t *teller) observe(h tracer.Hop) string {
	host, port := t.target.Host, t.target.Port
	url := t.target.String()
	curl := "curl -v " + url
	nc := fmt.Sprintf("nc -vz %s %d", host, port)
	timeout := fmt.Sprintf("`%s` waits and fails with \"Connection timed out\", and `%s` stops at \"Trying ...:%d\" until it gives up: nothing comes back, not even a refusal", nc, curl, port)
	refused := fmt.Sprintf("`%s` fails at once with \"Connection refused\", and `%s` with \"(7) Failed to connect ... Connection refused\": the host answered the SYN with a reset", nc, curl)
	resolve := fmt.Sprintf(", and `%s` says \"Could not resolve host\"", curl)
	if t.target.Scheme == "tcp" || t.target.Scheme == "udp" {
		// no curl for a bare port
		timeout = fmt.Sprintf("`%s` waits and fails with \"Connection timed out\": nothing comes back, not even a refusal", nc)
		refused = fmt.Sprintf("`%s` fails at once with \"Connection refused\": the host answered the SYN with a reset", nc)
		resolve = fmt.Sprintf(", and `%s` fails to resolve the name", nc)
	}
	// What the client sees follows from the code's facts (Code.Info): its
	// group, whether it answers at all, and what it answers.
	info := h.Code.Info()
	switch {
	case h.Code == tracer.DNSNXDomain:
		return fmt.Sprintf("`dig %s` shows status: NXDOMAIN%s", host, resolve)
	case h.Code == tracer.DNSNoData:
		return fmt.Sprintf("`dig %s` shows status: NOERROR with ANSWER: 0 (the name exists, the record type does not)%s", host, resolve)
	case info.Group == tracer.GroupDNS:
		return fmt.Sprintf("`dig %s` shows status: SERVFAIL (`dig +trace %s` shows where the walk stops)%s", host, host, resolve)
	case info.Silent && h.Direction == tracer.Return:
		server := "the server"
		if t.server != "" {
			server = t.server
		}
		return timeout + ". Yet tcpdump on " + server + " would show the SYN arriving and SYN-ACKs leaving, unanswered: the request gets there and only the reply is lost"
	case info.Silent:
		if t.stg == tracer.StageHTTP {
			return fmt.Sprintf("`%s` hangs and ends with a gateway error from the balancer", curl)
		}
		if t.target.Proto() == tracer.UDP {
			return fmt.Sprintf("`nc -vzu %s %d` reports success (UDP has no handshake) but no answer ever comes", host, port)
		}
		return timeout
	case info.Observe.Conn == tracer.ConnRefused:
		if t.target.Proto() == tracer.UDP {
			return fmt.Sprintf("`nc -vzu %s %d` sees an ICMP port unreachable: the port is closed", host, port)
		}
		return refused
	case info.Observe.Conn == tracer.ConnUnreachable:
		return fmt.Sprintf("`%s` fails at once with \"Connection refused\": the ICMP port unreachable the firewall sends looks like a closed port", nc)
	case h.Code == tracer.TLSNameMismatch:
		return fmt.Sprintf("`%s` fails with \"(60) %s\"; `openssl s_client -connect %s:%d -servername %s` shows the certificate's names", curl, info.Observe.Line, host, port, host)
	case h.Code == tracer.TLSNoCertificate:
		return fmt.Sprintf("`%s` fails with \"(35) ... wrong version number\": the server answers in plain text, not TLS", curl)
	case info.Group == tracer.GroupTLS:
		return fmt.Sprintf("`%s` fails with \"(60) %s\"", curl, info.Observe.Line)
	case info.Relays || info.Observe.HTTPStatus != 0 || h.Code == tracer.HTTPStatus:
		status := "an error status"
		if h.Status != 0 {
			status = "HTTP " + strconv.Itoa(h.Status)
		}
		return fmt.Sprintf("`curl -i %s` connects and gets %s: the network up to the balancer works, the trouble is behind it", url, status)
	case h.Code == tracer.HTTPError:
		return fmt.Sprintf("`%s` fails with \"(52) %s\"", curl, info.Observe.Line)
	case h.Code == tracer.MTUBlackhole:
		return fmt.Sprintf("`%s` connects and sends the request, then hangs: small packets pass, the full-size ones of the answer vanish", curl)
	}
	return fmt.Sprintf("`%s` fails", curl)
}

// ending closes a delivered story.
func (t *teller) ending(r *tracer.Report) {
	last := r.Stages[len(r.Stages)-1]
	what := last.Summary
	if what == "" {
		what = "the connection is open"
	}
	t.s.Steps = append(t.s.Steps, Step{Stage: last.Name, Component: r.From, Title: "delivered",
		Text: t.sentence(fmt.Sprintf("%s gets its answer: %s", r.From, what))})
}

// WriteJSON writes the story as one indented JSON object.
func (s *Story) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

var stageTitles = map[string]string{
	tracer.StageDNS:  "DNS: finding the address",
	tracer.StageTCP:  "TCP: opening the connection",
	tracer.StageUDP:  "UDP: sending the datagram",
	tracer.StageTLS:  "TLS: checking who answers",
	tracer.StageHTTP: "HTTP: the request and its answer",
}

// WriteText writes the story for a person, wrapped at 78 columns.
func (s *Story) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "What happens when %s opens %s", s.From, s.Target)
	if s.World != "" {
		fmt.Fprintf(&b, " (world %s)", s.World)
	}
	b.WriteString("\n")
	stage := ""
	for i, st := range s.Steps {
		if st.Stage != stage {
			stage = st.Stage
			fmt.Fprintf(&b, "\n%s\n", stageTitles[stage])
		}
		mark := "  "
		if st.Broken {
			mark = "✗ "
		}
		fmt.Fprintf(&b, "%s%2d. %s: %s\n", mark, i+1, st.Component, st.Title)
		tracer.Wrap(&b, st.Text, "      ", "      ", 78)
		if st.Broken {
			tracer.Wrap(&b, "You would see: "+st.Observe, "      ", "      ", 78)
			tracer.Wrap(&b, "To mend it: "+st.Fix, "      ", "      ", 78)
		}
	}
	b.WriteString("\n")
	if s.Delivered {
		b.WriteString("delivered\n")
	} else if s.BrokenAt != nil {
		fmt.Fprintf(&b, "broken at %s: %s\n", s.BrokenAt.Component, s.BrokenAt.Code)
		if len(s.Further) > 0 {
			b.WriteString("Past this break the trace finds more that a fix must mend:\n")
			for _, f := range s.Further {
				tracer.Wrap(&b, fmt.Sprintf("%s (%s) %s: %s", f.Component, f.Stage, f.Code, f.Detail), "  - ", "    ", 78)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
