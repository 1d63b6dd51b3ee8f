// Package debrief explains a finished exercise: the efficient investigation
// for its fault, derived from the trace rather than written by hand, and the
// follow-up questions an interviewer would ask.
package debrief

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

// Step is one move of an investigation, written as a play-shell command.
type Step struct {
	Kind    string `json:"kind"` // observe, inspect or fix
	Command string `json:"command"`
	Why     string `json:"why"` // what it shows, and how it narrows the search
}

// Investigation derives from a broken trace the shortest investigation that
// finds and mends the fault: the observation that first narrows the search,
// the inspection that confirms the component at fault, and the fix. fixes
// are the scenario's reference fix commands; without them the blocking
// hops' own suggestions are used. A delivered trace has no investigation.
func Investigation(r *tracer.Report, fixes []spec.Edit) []Step {
	if r == nil || r.BrokenAt == nil {
		return nil
	}
	t := r.Request
	if t.Scheme == "" {
		return nil // a report made by hand, without its request
	}
	var steps []Step
	add := func(kind, cmd, why string) {
		for _, s := range steps {
			if s.Command == cmd {
				return
			}
		}
		steps = append(steps, Step{Kind: kind, Command: cmd, Why: why})
	}
	b := r.BrokenAt
	root, rootHop := rootCause(r)

	// 1. The observation that first narrows the search: which stage breaks,
	// and how (an answer, a refusal, silence, a status).
	switch b.Stage {
	case tracer.StageDNS:
		add("observe", "dig "+t.Host, fmt.Sprintf("the lookup fails (%s): the fault is in DNS, before any packet goes to the service", dnsObserved(b.Code)))
		if b.Code == tracer.DNSLameDelegation || b.Code == tracer.DNSTimeout {
			add("observe", "dig "+t.Host+" +trace", "the walk from the root shows the delegation that leads nowhere: the servers the TLD names do not answer for the zone")
		}
	case tracer.StageTCP, tracer.StageUDP:
		if t.Scheme == "http" || t.Scheme == "https" {
			add("observe", "curl -v "+t.String(), connObserved(b.Code)+": the request dies while connecting, so DNS is fine and the fault is on the path or at the socket")
		}
		add("observe", fmt.Sprintf("nc -zv %s %d", t.Host, t.Port), connObserved(b.Code)+narrowConn(b.Code))
	case tracer.StageTLS:
		add("observe", "curl -v "+t.String(), "the TCP connection opens and the TLS handshake fails on the certificate: the path is fine, the certificate is not")
	case tracer.StageHTTP:
		add("observe", "curl -v "+t.String(), fmt.Sprintf("DNS, TCP and TLS succeed and the answer is an error status (%s): the fault is behind the listener", b.Code))
		if kindOf(b.Code) == "lb" {
			add("observe", "show target-health "+b.Component, "the balancer's health checks say which targets it cannot reach and why: the fault is on the balancer-to-target leg")
		}
	}

	// 2. The inspection that confirms the component at fault (the root
	// cause, which for a balancer's 5xx is behind it).
	if root != nil {
		if rootHop.Direction == tracer.Return && (root.Code == tracer.NACLEgressDenied || root.Code == tracer.NACLIngressDenied || root.Code == tracer.NoReturnRoute) {
			if at := arrivalHost(r, rootHop); at != "" {
				add("observe", "tcpdump at "+at, "the request arrives at the server but no reply reaches the client: the break is on the way back")
			}
		}
		for _, s := range inspect(r, root, rootHop, t) {
			add("inspect", s[0], s[1])
		}
	}

	// 3. The fix.
	lines := make([]string, len(fixes))
	for i, f := range fixes {
		lines[i] = f.String()
	}
	if len(lines) == 0 {
		for _, bl := range blockingHops(r) {
			if m := bl.Mend(); m != "" {
				lines = append(lines, m)
			}
		}
	}
	for _, f := range lines {
		add("fix", f, "then check: the request must be delivered, and nothing else opened")
	}
	return steps
}

// kindOf is what a debrief looks at for a break, from the kind of
// component its code names: a show kind, or the host's firewall or socket.
// A zone only for a name that is missing from it ("" for a walk that
// failed: that needs dig +trace, not the zone's records).
func kindOf(code tracer.Code) string {
	switch k := code.Info().Kind; k {
	case tracer.KindHostFirewall:
		return "firewall"
	case tracer.KindSocket, tracer.KindHTTPServer:
		return "socket"
	case tracer.KindDNSZone:
		return "zone"
	case tracer.KindSecurityGroup, tracer.KindNetworkACL, tracer.KindRouteTable, tracer.KindLoadBalancer, tracer.KindTargetGroup:
		return scenarios.ShowKind(k)
	}
	return ""
}

func blockingHops(r *tracer.Report) []tracer.Hop {
	var out []tracer.Hop
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Blocks {
				out = append(out, h)
			}
		}
	}
	return out
}

// rootCause is the blocker a fix must change (scenarios.RootCause) and
// its hop.
func rootCause(r *tracer.Report) (*tracer.Break, *tracer.Hop) {
	b := scenarios.RootCause(r)
	if b == nil {
		return nil, nil
	}
	for _, h := range blockingHops(r) {
		if h.Component == b.Component && h.Code == b.Code {
			return b, &h
		}
	}
	return nil, nil
}

// arrivalHost is the host whose socket accepted the request before the
// reply was lost at lost: the last accepting socket before that hop (behind
// a balancer, the target, not the balancer).
func arrivalHost(r *tracer.Report, lost *tracer.Hop) string {
	host := ""
	for _, s := range r.Stages {
		for i := range s.Hops {
			h := &s.Hops[i]
			if h.Component == lost.Component && h.Code == lost.Code && h.Direction == lost.Direction {
				return host
			}
			if h.Code == tracer.PortOpen {
				host = h.Component
			}
		}
	}
	return host
}

// inspect names the commands that show the root cause's configuration.
func inspect(r *tracer.Report, b *tracer.Break, h *tracer.Hop, t tracer.Target) [][2]string {
	var out [][2]string
	switch h.Kind {
	case tracer.KindRootServer, tracer.KindTLDServer:
		return [][2]string{{"dig " + t.Host + " +trace", "the walk from the root stops where the name's domain is unknown: " + b.Detail}}
	case tracer.KindInternet:
		return [][2]string{{"dig " + t.Host, "nothing on the internet has the address the name points at: is the record stale? " + b.Detail},
			{"show zone " + zoneOf(t.Host), "the zone's records, against the addresses that exist"}}
	case tracer.KindVPC:
		return [][2]string{{"show vpc " + b.Component, "nothing in the VPC has the address: " + b.Detail}}
	case tracer.KindPrivateZone:
		return [][2]string{{"show zone private:" + b.Component, "the private zone answers for its whole domain, so a name it lacks is NXDOMAIN: " + b.Detail}}
	}
	switch kindOf(b.Code) {
	case "sg":
		out = append(out, [2]string{"show sg " + b.Component, "its rules lack one for this traffic: " + b.Detail})
	case "nacl":
		why := "its numbered rules, read in order, deny this packet: " + b.Detail
		if h.Direction == tracer.Return {
			why = "it is stateless: the request passes, but the reply to the client's ephemeral ports has no rule: " + b.Detail
		}
		out = append(out, [2]string{"show nacl " + b.Component, why})
	case "route-table":
		out = append(out, [2]string{"show route-table " + b.Component, "longest prefix match decides where the packet goes: " + b.Detail})
	case "lb":
		out = append(out, [2]string{"show lb " + b.Component, "its listeners and target groups: " + b.Detail})
	case "zone":
		out = append(out, [2]string{"show zone " + b.Component, "the zone's records: " + b.Detail})
	case "firewall":
		out = append(out, [2]string{"ssh " + b.Component, "the cloud filters let the packet through; the host's own firewall is next"},
			[2]string{"iptables -L", "the rule that matches first: " + b.Detail})
	case "socket":
		port := strconv.Itoa(int(t.Port))
		if p := listenPort(r, b.Component); p != "" {
			port = p
		}
		out = append(out, [2]string{"ssh " + b.Component, "the packet arrives; what the host does with it is next"})
		if b.Code == tracer.HTTPStatus || b.Code == tracer.HTTPError {
			out = append(out, [2]string{"curl -v localhost:" + port + t.Path, "the app itself answers with the error, so the network is not at fault: " + b.Detail})
		} else {
			out = append(out, [2]string{"ss -ltn", "which ports listen, and on which address: " + b.Detail})
		}
	default:
		switch b.Code {
		case tracer.NoPublicAddress:
			out = append(out, [2]string{"show route-table " + lastRouteTable(r), "the route sends the packet to the internet gateway, which needs a public address for the source: " + b.Detail})
		case tracer.DNSCNAMELoop, tracer.DNSServFail:
			out = append(out, [2]string{"dig " + t.Host + " CNAME", "each alias in turn shows the chain: " + b.Detail})
		case tracer.DNSLameDelegation, tracer.DNSTimeout:
			out = append(out, [2]string{"show zone " + zoneOf(t.Host), "compare the zone's nameservers with the ones the parent delegates to: " + b.Detail})
		case tracer.TLSNameMismatch, tracer.TLSCertExpired, tracer.TLSCertNotYetValid, tracer.TLSNoCertificate:
			if h.Matched != nil && h.Matched.Kind == tracer.RuleCertificate {
				out = append(out, [2]string{"show cert " + h.Matched.Target, "its names and validity against the clock: " + b.Detail})
			}
			out = append(out, [2]string{"show " + map[bool]string{true: "lb", false: "instance"}[h.Kind == tracer.KindLoadBalancer] + " " + b.Component, "which certificate the listener or service presents"})
		case tracer.MTUBlackhole:
			out = append(out, [2]string{"show peering " + b.Component, "its MTU is below the packets' size, so path MTU discovery must work: " + b.Detail})
		default:
			out = append(out, [2]string{"show", "find " + b.Component + ": " + b.Detail})
		}
	}
	return out
}

func lastRouteTable(r *tracer.Report) string {
	name := ""
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Blocks {
				return name
			}
			if h.Kind == tracer.KindRouteTable {
				name = h.Component
			}
		}
	}
	return name
}

func zoneOf(host string) string {
	labels := strings.Split(host, ".")
	if len(labels) <= 2 {
		return host
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

func dnsObserved(c tracer.Code) string {
	switch c {
	case tracer.DNSNXDomain:
		return "status: NXDOMAIN"
	case tracer.DNSNoData:
		return "NOERROR with no answer"
	}
	return "status: SERVFAIL"
}

func connObserved(c tracer.Code) string {
	switch c.Info().Observe.Conn {
	case tracer.ConnRefused:
		return "Connection refused"
	case tracer.ConnUnreachable:
		return "the connection is refused (ICMP port unreachable)"
	}
	return "the connection times out"
}

func narrowConn(c tracer.Code) string {
	switch c.Info().Observe.Conn {
	case tracer.ConnRefused:
		return ": a reset means the packet reached the host and nothing listens there for it"
	case tracer.ConnUnreachable:
		return ": something on the host answers with an error, so the path is open and the host refuses"
	}
	return ": silence means a filter or a route drops the SYN or its reply, somewhere between the two ends"
}

// listenPort is the port the host's socket accepted on in the trace (for an
// app behind a balancer, its own port, not the listener's).
func listenPort(r *tracer.Report, host string) string {
	port := ""
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			if h.Code == tracer.PortOpen && h.Component == host && h.Flow.IsValid() {
				port = strconv.Itoa(int(h.Flow.Dst.Port()))
			}
		}
	}
	return port
}
