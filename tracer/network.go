package tracer

import (
	"context"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// Network is what a troubleshooter can do from one vantage point: resolve a
// name, open a connection, trace the route, make a TLS handshake, send an
// HTTP request. The simulated world (simnet) and the real one (tracer/probe)
// implement it; Diagnose and the trainer's shell commands are written once
// over it.
//
// A returned error means the operation could not be carried out at all (bad
// input, a cancelled context); a path that breaks is not an error but a
// result whose hops say where and why.
type Network interface {
	// Resolve asks the vantage point's resolver for name and qtype (a
	// dns.Type* constant).
	Resolve(ctx context.Context, name string, qtype uint16) (*Answer, error)
	// Dial opens a TCP connection, or sends a UDP datagram, to addr.
	Dial(ctx context.Context, proto Proto, addr netip.AddrPort) (*Conn, error)
	// Handshake makes a TLS handshake over conn, asking for serverName (SNI).
	Handshake(ctx context.Context, conn *Conn, serverName string) (*TLSResult, error)
	// Request sends an HTTP request over conn (after Handshake for https).
	Request(ctx context.Context, conn *Conn, req *HTTPRequest) (*HTTPResponse, error)
	// Traceroute finds the hops towards addr with probes of proto.
	Traceroute(ctx context.Context, proto Proto, addr netip.AddrPort, maxHops int) (*Route, error)
}

// Proto is a transport protocol.
type Proto string

const (
	TCP  Proto = "tcp"
	UDP  Proto = "udp"
	ICMP Proto = "icmp"
)

// Answer is a DNS lookup's result.
type Answer struct {
	Name   string // the name asked, fully qualified
	Type   uint16
	Rcode  int    // dns.RcodeSuccess, dns.RcodeNameError, ...
	Server string // who answered the client: a resolver's name or address
	// Msg is the reply as the client received it; nil when none came.
	Msg *dns.Msg
	// Addrs are the A and AAAA addresses at the end of the CNAME chain.
	Addrs  []netip.Addr
	CNAMEs []string // the aliases followed, in order
	RTT    time.Duration
	Hops   []Hop
	// Failure says what happened when no usable reply came ("timeout
	// after 3 tries", "replies with the wrong ID"); Rcode then means
	// nothing.
	Failure string
}

// ConnState is what a connection attempt observed.
type ConnState int

const (
	ConnOpen        ConnState = iota // SYN-ACK: the handshake completed
	ConnRefused                      // RST: nothing listens, or it is not for us
	ConnTimeout                      // silence: something dropped the SYN or its reply
	ConnUnreachable                  // an ICMP error answered
)

func (s ConnState) String() string {
	switch s {
	case ConnOpen:
		return "open"
	case ConnRefused:
		return "refused"
	case ConnTimeout:
		return "timeout"
	case ConnUnreachable:
		return "unreachable"
	}
	return "unknown"
}

// ICMPError is an ICMP error that answered a probe.
type ICMPError struct {
	Type   int        `json:"type"`
	Code   int        `json:"code"`
	Sender netip.Addr `json:"sender"`
}

// Conn is a connection attempt's result. Its Handle belongs to the Network
// that made it and is passed back to Handshake and Request.
type Conn struct {
	Proto Proto
	Addr  netip.AddrPort // the address dialled
	Local netip.AddrPort // the source address and port used
	State ConnState
	ICMP  *ICMPError // set when State is ConnUnreachable
	RTT   time.Duration
	Hops  []Hop
	// Assumed is set when the attempt failed but the Network can carry on
	// as if it had succeeded (the simulation does, so that one trace names
	// every blocker). Later stages then still run.
	Assumed bool
	// Via names how the probe was made ("syn", "connect") where it matters.
	Via    string
	Handle any
}

// Usable reports whether later stages can run over the connection.
func (c *Conn) Usable() bool { return c.State == ConnOpen || c.Assumed }

// Certificate is what a TLS server presented.
type Certificate struct {
	Name      string    `json:"name,omitempty"` // the world's name for it, if any
	Subject   string    `json:"subject"`
	DNSNames  []string  `json:"dns_names"`
	Issuer    string    `json:"issuer,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Raw is the certificate as a real server sent it (DER); empty for
	// a simulated one.
	Raw []byte `json:"-"`
}

// TLSResult is a TLS handshake's result.
type TLSResult struct {
	ServerName  string
	Version     string // "TLSv1.3"
	Cipher      string
	Certificate *Certificate // nil when none was presented
	OK          bool
	Hops        []Hop
	// Assumed: as for Conn.
	Assumed bool
}

// HTTPRequest is a request to send.
type HTTPRequest struct {
	Method string // GET when empty
	Scheme string // http or https
	Host   string // the Host header
	Path   string // "/" when empty
	// Header holds further request headers (curl -H), in order.
	Header [][2]string
}

// HTTPResponse is what came back.
type HTTPResponse struct {
	Status     int // 0 when no response came
	StatusText string
	Proto      string      // HTTP/1.1
	Header     [][2]string // in order, as sent
	Body       string
	Hops       []Hop
	// TTFB is the time to the first byte of the response.
	TTFB time.Duration
}

// Location returns the Location header, if any.
func (r *HTTPResponse) Location() string {
	for _, h := range r.Header {
		if h[0] == "Location" {
			return h[1]
		}
	}
	return ""
}

// RouteHop is one TTL of a traceroute.
type RouteHop struct {
	TTL     int           `json:"ttl"`
	Address string        `json:"address"` // empty when silent
	Name    string        `json:"name,omitempty"`
	RTT     time.Duration `json:"-"`
	RTTms   float64       `json:"rtt_ms"`
	Marker  string        `json:"marker,omitempty"` // !X, !H, !N, !F-mtu, or "" for none
}

// Route is a traceroute's result.
type Route struct {
	Hops    []RouteHop `json:"hops"`
	Reached bool       `json:"reached"`
	// StoppedAfter is the last TTL that answered, StopReason why it ended.
	StoppedAfter int    `json:"-"`
	StopReason   string `json:"-"`
	Explain      []Hop  `json:"-"`
}
