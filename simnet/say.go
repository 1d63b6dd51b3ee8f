package simnet

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/tracer"
)

// The words of the engine's common hops. The engine records a hop's facts
// (its Flow, the rule that Matched, its Peer, and in Ref the resource the
// words name) and one of these renderers; the text is made only when a
// view asks for it (tracer.Hop.Text). Each renders exactly what the
// engine would have written out, from facts recorded at the step.

// flowPorted reports whether the hop's packet has ports.
func flowPorted(f tracer.Flow) bool { return f.Proto == tracer.TCP || f.Proto == tracer.UDP }

// flowText is the packet as pkt.String writes it.
func flowText(f tracer.Flow) string {
	if f.Proto == tracer.ICMP {
		return "icmp " + f.Src.Addr().String() + " → " + f.Dst.Addr().String()
	}
	dport := strconv.Itoa(int(f.Dst.Port()))
	if f.Reply && f.EphHi > f.EphLo {
		dport = portText(f.EphLo, f.EphHi)
	}
	return string(f.Proto) + " " + f.Src.Addr().String() + ":" + strconv.Itoa(int(f.Src.Port())) + " → " + f.Dst.Addr().String() + ":" + dport
}

// flowPorts is the destination ports a stateless filter judged: the
// request's port, or a reply's whole ephemeral range.
func flowPorts(f tracer.Flow) (lo, hi uint16) {
	if f.Reply && f.EphHi > f.EphLo {
		return f.EphLo, f.EphHi
	}
	return f.Dst.Port(), f.Dst.Port()
}

// flowProtoPort is protoPort of the hop's packet: "tcp 443", or "icmp".
func flowProtoPort(f tracer.Flow) string {
	if flowPorted(f) {
		return string(f.Proto) + " " + strconv.Itoa(int(f.Dst.Port()))
	}
	return string(f.Proto)
}

func whereText(ingress bool) string {
	if ingress {
		return "entering"
	}
	return "leaving"
}

// sayACLAllow: an ACL rule (Matched) allowed the packet into or out of
// subnet Peer.
type sayACLAllow struct{}

func (sayACLAllow) Say(h *tracer.Hop) string { return aclAllowText(h, aclFull) }

// aclForm is how much of an ACL allow aclAllowText says.
type aclForm int

const (
	aclFull  aclForm = iota // "request tcp port 443 allowed by rule 100, leaving subnet web-a"
	aclNoLeg                // the same without the leg: "tcp port 443 allowed by rule 100, ..."
	aclNoWhy                // a reply's words without why replies need a rule
)

// aclAllowText words an ACL allow from the hop's facts: the flow, the
// subnet crossed (Peer), and the rules that allowed it: Ref ([]string)
// when several rules each allowed part of the ports, else Matched.
func aclAllowText(h *tracer.Hop, form aclForm) string {
	f := h.Flow
	num := strconv.Itoa(h.Matched.Number)
	if nums, ok := h.Ref.([]string); ok {
		num = strings.Join(nums, ", ")
	}
	where := whereText(h.Matched.Ingress)
	lo, hi := flowPorts(f)
	if f.Reply && flowPorted(f) {
		text := "reply to " + string(f.Proto) + " " + portText(lo, hi) + " (the initiator's ephemeral ports) allowed by rule " +
			num + ", " + where + " subnet " + h.Peer
		if form == aclNoWhy {
			return text
		}
		return text + ": ACLs are stateless, so replies need a rule of their own"
	}
	what := string(f.Proto)
	if flowPorted(f) {
		what += " port " + portText(lo, hi)
	}
	text := what + " allowed by rule " + num + ", " + where + " subnet " + h.Peer
	if form == aclNoLeg {
		return text
	}
	leg := "request"
	if f.Reply {
		leg = "reply"
	}
	return leg + " " + text
}

// refIface is the interface a hop's Ref names, or nil.
func refIface(h *tracer.Hop) *iface {
	i, _ := h.Ref.(*iface)
	return i
}

// refOf stores an interface as a hop's Ref: nil stays an untyped nil.
func refOf(i *iface) any {
	if i == nil {
		return nil
	}
	return i
}

// saySGIn: security group Component admitted the packet into instance
// Peer; Ref is the sending interface when known.
type saySGIn struct{}

func (saySGIn) Say(h *tracer.Hop) string {
	f := h.Flow
	return "inbound " + flowProtoPort(f) + " from " + srcDesc(refIface(h), f.Src.Addr()) + " allowed (on " + h.Peer + ")"
}

// saySGOut: security group Component let the packet out of instance Peer;
// Ref is the receiving interface when known.
type saySGOut struct{}

func (saySGOut) Say(h *tracer.Hop) string {
	f := h.Flow
	return "outbound " + flowProtoPort(f) + " to " + srcDesc(refIface(h), f.Dst.Addr()) + " allowed (from " + h.Peer + ")"
}

// sayRoute: route table Component's route (Matched) carries the packet;
// Ref is the subnet whose table it is.
type sayRoute struct{}

func (sayRoute) Say(h *tracer.Hop) string {
	sn := h.Ref.(*subnet)
	return h.Flow.Dst.Addr().String() + " matches " + h.Matched.Prefix.String() + " (longest prefix) in " + h.Component + " of subnet " + sn.name
}

// sayIGWOut: the internet gateway maps the sender's (Ref) private source
// to its public address.
type sayIGWOut struct{}

func (sayIGWOut) Say(h *tracer.Hop) string {
	s := refIface(h)
	return "source " + h.Flow.Src.Addr().String() + " → " + s.public.String() + " (one-to-one mapping of " + s.name + ")"
}

// sayIGWIn: the internet gateway maps a public destination to the private
// address of Ref.
type sayIGWIn struct{}

func (sayIGWIn) Say(h *tracer.Hop) string {
	m := refIface(h)
	return "destination " + h.Flow.Dst.Addr().String() + " → " + m.private.String() + " (" + m.name + ")"
}

// sayInternetTo: the internet carries the packet to host Ref.
type sayInternetTo struct{}

func (sayInternetTo) Say(h *tracer.Hop) string {
	return "to " + refIface(h).name + " (" + h.Flow.Dst.Addr().String() + ")"
}

// sayInternetPublic: the internet carries the packet to the public
// address of Ref.
type sayInternetPublic struct{}

func (sayInternetPublic) Say(h *tracer.Hop) string {
	return "to " + h.Flow.Dst.Addr().String() + ", the public address of " + refIface(h).name
}

// sayNATOut: NAT gateway Ref rewrites the source.
type saySNAT struct{}

func (saySNAT) Say(h *tracer.Hop) string {
	n := refIface(h)
	f := h.Flow
	port := natPort(&pkt{sport: f.Src.Port(), dport: f.Dst.Port()})
	return "source " + f.Src.String() + " → " + netip.AddrPortFrom(n.private, port).String() + " (public " + n.public.String() + ")"
}

// sentWhat names the first packet of a conversation in proto.
func sentWhat(p tracer.Proto) string {
	switch p {
	case tracer.UDP:
		return "datagram"
	case tracer.ICMP:
		return "echo request"
	}
	return "SYN"
}

// saySent: the client sends the conversation's first packet.
type saySent struct{}

func (saySent) Say(h *tracer.Hop) string { return sentWhat(h.Flow.Proto) + " " + flowText(h.Flow) }

// sayNodeSYN: a balancer node opens its own connection to target Ref.
type sayNodeSYN struct{}

func (sayNodeSYN) Say(h *tracer.Hop) string {
	return "node " + h.Flow.Src.Addr().String() + " opens a connection to " + h.Ref.(*host).name + ": SYN " + flowText(h.Flow)
}

// sayListener: a balancer node accepts on listener Ref.
type sayListener struct{}

func (sayListener) Say(h *tracer.Hop) string {
	li := h.Ref.(*listener)
	return "node " + h.Flow.Dst.Addr().String() + " accepts on listener " + li.proto + ":" + strconv.Itoa(int(li.port)) + listenerTo(li)
}

// saySocket: service Ref accepts the connection.
type saySocket struct{}

func (saySocket) Say(h *tracer.Hop) string {
	svc := h.Ref.(*service)
	bind := "0.0.0.0"
	if svc.loop {
		bind = "127.0.0.1"
	} else if svc.own {
		bind = svc.bind.String()
	}
	return svc.name + " listens on " + bind + ":" + strconv.Itoa(int(svc.port)) + " and accepts"
}

// sayReceived: the client receives the answer of connection Ref.
type sayReceived struct{}

func (sayReceived) Say(h *tracer.Hop) string {
	c := h.Ref.(*tracer.Conn)
	what := "SYN-ACK"
	switch c.Proto {
	case tracer.UDP:
		what = "reply"
	case tracer.ICMP:
		what = "echo reply"
	}
	return what + " from " + c.Addr.String()
}

// sayFirewallAccept: a host firewall rule (Matched) accepts the packet.
type sayFirewallAccept struct{}

func (sayFirewallAccept) Say(h *tracer.Hop) string {
	chain := "OUTPUT"
	if h.Matched.Ingress {
		chain = "INPUT"
	}
	return chain + " rule " + strconv.Itoa(h.Matched.Number) + " accepts " + flowProtoPort(h.Flow) + " from " + h.Flow.Src.Addr().String()
}

// sayNodeReturn: a network load balancer's reply returns through node Ref.
type sayNodeReturn struct{}

func (sayNodeReturn) Say(h *tracer.Hop) string {
	return "the reply returns through the node " + refIface(h).private.String() + " that passed the connection"
}

// sayTLSOK: the server presents a certificate that covers the name; Ref
// is the handshake's result.
type sayTLSOK struct{}

func (sayTLSOK) Say(h *tracer.Hop) string {
	res := h.Ref.(*tracer.TLSResult)
	name := strings.ToLower(strings.TrimSuffix(res.ServerName, "."))
	return "certificate " + res.Certificate.Name + " covers " + name + " and is valid until " + res.Certificate.NotAfter.Format("2006-01-02")
}

// albAsk is an application load balancer's request to a target: the Ref
// of its forward and relay hops.
type albAsk struct {
	path   string
	target *host
	port   uint16
	why    string
	resp   *tracer.HTTPResponse
}

type sayALBForward struct{}

func (sayALBForward) Say(h *tracer.Hop) string {
	a := h.Ref.(*albAsk)
	return "forwards GET " + a.path + " to " + a.target.name + " (" + netip.AddrPortFrom(a.target.iface.private, a.port).String() + "): " + a.why
}

type sayALBRelay struct{}

func (sayALBRelay) Say(h *tracer.Hop) string {
	a := h.Ref.(*albAsk)
	return "relays " + a.target.name + "'s " + strconv.Itoa(a.resp.Status) + " " + a.resp.StatusText + " to the client over its own connection"
}

// serveAsk is a service's answer to a request: the Ref of its hop.
type serveAsk struct {
	svc    *service
	path   string
	status int
}

type sayServe struct{}

func (sayServe) Say(h *tracer.Hop) string {
	a := h.Ref.(*serveAsk)
	return a.svc.name + " answers GET " + a.path + " with " + strconv.Itoa(a.status) + " " + http.StatusText(a.status)
}
