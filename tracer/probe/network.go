package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
	"golang.org/x/sys/unix"
)

// Network is the real network seen from this host. It implements
// tracer.Network: Diagnose and the trainer's commands run over it as they
// do over the simulation. The zero value asks the system's resolver and
// trusts the system's roots; set fields before first use.
type Network struct {
	// Server is the DNS server to ask, ADDR or ADDR:PORT; empty means the
	// first nameserver of /etc/resolv.conf.
	Server string
	// Overrides maps a host name to the address to use instead of asking
	// DNS (curl's --resolve).
	Overrides map[string]netip.Addr
	// Timeout bounds each step (a query, a connect, a handshake, a
	// request); zero means 3s.
	Timeout time.Duration
	// RootCAs are the roots a certificate must chain to; nil means the
	// system's.
	RootCAs *x509.CertPool
	// Now is the clock certificates are judged against; nil means time.Now.
	Now func() time.Time
	// Explain makes Dial probe further when a connection fails: a TCP
	// traceroute to a silent port finds the last hop that answers, and a
	// refused port gets a ping of its host.
	Explain bool
	// Trace tunes the explaining traceroutes.
	Trace TraceOptions

	mu    sync.Mutex
	notes []string
	conns []net.Conn
}

var _ tracer.Network = (*Network)(nil)

func (n *Network) timeout() time.Duration {
	if n.Timeout > 0 {
		return n.Timeout
	}
	return 3 * time.Second
}

func (n *Network) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Network) note(s string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.notes {
		if x == s {
			return
		}
	}
	n.notes = append(n.notes, s)
}

// Notes returns remarks on how probes were made ("fell back to ...").
func (n *Network) Notes() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.notes...)
}

// Close closes every connection Dial opened.
func (n *Network) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, c := range n.conns {
		c.Close()
	}
	n.conns = nil
	return nil
}

// ParseServer reads ADDR or ADDR:PORT (port 53 by default); IPv6
// addresses with a port are written [ADDR]:PORT.
func ParseServer(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q is not an address or ADDR:PORT", s)
	}
	return netip.AddrPortFrom(a, 53), nil
}

// ResolvConfServer returns the first nameserver of /etc/resolv.conf.
func ResolvConfServer() (netip.AddrPort, error) {
	cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(cfg.Servers) == 0 {
		return netip.AddrPort{}, fmt.Errorf("no nameserver in /etc/resolv.conf; give one with --server")
	}
	a, err := netip.ParseAddr(cfg.Servers[0])
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, _ := strconv.Atoi(cfg.Port)
	if p == 0 {
		p = 53
	}
	return netip.AddrPortFrom(a, uint16(p)), nil
}

func (n *Network) server() (netip.AddrPort, error) {
	if n.Server != "" {
		return ParseServer(n.Server)
	}
	return ResolvConfServer()
}

// Resolve implements tracer.Network: it asks the server for name and
// qtype with recursion desired, follows CNAMEs (asking again where the
// answer stops at an alias), and records a hop for each query and answer.
func (n *Network) Resolve(ctx context.Context, name string, qtype uint16) (*tracer.Answer, error) {
	fq := dns.Fqdn(name)
	a := &tracer.Answer{Name: fq, Type: qtype}
	if addr, ok := n.Overrides[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
		a.Addrs = []netip.Addr{addr}
		a.Server = "override"
		a.Hops = []tracer.Hop{{Component: "override", Kind: "resolver", Direction: tracer.Return, Action: "answer",
			Code: tracer.DNSAnswer, Detail: fmt.Sprintf("%s is %s (given with --resolve; DNS not asked)", fq, addr)}}
		return a, nil
	}
	srv, err := n.server()
	if err != nil {
		return nil, err
	}
	a.Server = srv.String()
	cur := fq
	start := time.Now()
	for range 9 {
		a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: "resolver", Direction: tracer.Forward,
			Action: "query", Code: tracer.DNSQuery, Detail: fmt.Sprintf("%s %s?", cur, dns.TypeToString[qtype])})
		rep := Exchange(ctx, srv, NewQuery(cur, qtype, true), n.timeout())
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		a.RTT = time.Since(start)
		if rep.Msg == nil {
			a.Rcode = dns.RcodeServerFailure
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: "resolver", Direction: tracer.Return,
				Action: "timeout", Code: tracer.DNSTimeout, Blocks: true,
				Detail: fmt.Sprintf("no answer from %s for %s: %s", a.Server, cur, errText(rep.Err))})
			return a, nil
		}
		m := rep.Msg
		a.Msg, a.Rcode = m, m.Rcode
		// Walk the chain inside this answer.
		next := ""
		for range 9 {
			found := false
			for _, rr := range m.Answer {
				if !strings.EqualFold(rr.Header().Name, cur) {
					continue
				}
				switch r := rr.(type) {
				case *dns.A:
					if ip, ok := netip.AddrFromSlice(r.A.To4()); ok {
						a.Addrs = append(a.Addrs, ip)
					}
				case *dns.AAAA:
					if ip, ok := netip.AddrFromSlice(r.AAAA); ok {
						a.Addrs = append(a.Addrs, ip)
					}
				case *dns.CNAME:
					if !found && qtype != dns.TypeCNAME {
						a.CNAMEs = append(a.CNAMEs, r.Target)
						a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: "resolver", Direction: tracer.Return,
							Action: "alias", Code: tracer.DNSCNAME, Detail: fmt.Sprintf("%s is an alias for %s", cur, r.Target)})
						next, found = r.Target, true
					}
				}
			}
			if !found || len(a.Addrs) > 0 {
				break
			}
			cur = next
		}
		if len(a.CNAMEs) > 8 {
			a.Rcode = dns.RcodeServerFailure
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: "resolver", Direction: tracer.Return,
				Action: "answer", Code: tracer.DNSCNAMELoop, Blocks: true, Detail: fmt.Sprintf("CNAME chain from %s longer than 8", fq)})
			return a, nil
		}
		if len(a.Addrs) > 0 || m.Rcode != dns.RcodeSuccess || len(m.Answer) == 0 || next == "" || cur != next {
			break
		}
	}
	a.Hops = append(a.Hops, answerHop(a))
	return a, nil
}

func answerHop(a *tracer.Answer) tracer.Hop {
	h := tracer.Hop{Component: a.Server, Kind: "resolver", Direction: tracer.Return, Action: "answer"}
	typ := dns.TypeToString[a.Type]
	switch {
	case len(a.Addrs) > 0:
		h.Code = tracer.DNSAnswer
		ss := make([]string, len(a.Addrs))
		for i, x := range a.Addrs {
			ss[i] = x.String()
		}
		h.Detail = fmt.Sprintf("%s %s %s (%s)", a.Name, typ, strings.Join(ss, ", "), a.RTT.Round(time.Microsecond))
	case a.Msg != nil && a.Type != dns.TypeA && a.Type != dns.TypeAAAA && a.Rcode == dns.RcodeSuccess && len(a.Msg.Answer) > 0:
		h.Code = tracer.DNSAnswer
		h.Detail = strings.Join(RRStrings(a.Msg.Answer), "; ")
	default:
		h.Blocks = true
		h.Detail = fmt.Sprintf("%s %s: %s", a.Name, typ, RcodeName(a.Rcode))
		switch a.Rcode {
		case dns.RcodeNameError:
			h.Code = tracer.DNSNXDomain
			h.Detail = fmt.Sprintf("%s does not exist (NXDOMAIN from %s)", a.Name, a.Server)
		case dns.RcodeSuccess:
			h.Code = tracer.DNSNoData
			h.Detail = fmt.Sprintf("%s exists but has no %s record (NODATA)", a.Name, typ)
		case dns.RcodeRefused:
			h.Code = tracer.DNSRefused
			h.Detail = fmt.Sprintf("%s refused to answer for %s", a.Server, a.Name)
		default:
			h.Code = tracer.DNSServFail
		}
	}
	return h
}

// Dial implements tracer.Network. For TCP it connects with connect() and
// IP_RECVERR, so an ICMP error that stops the connection is named with its
// sender; with Explain set, a failed connection is probed further.
func (n *Network) Dial(ctx context.Context, proto tracer.Proto, addr netip.AddrPort) (*tracer.Conn, error) {
	if proto == tracer.UDP {
		return n.dialUDP(ctx, addr)
	}
	c := &tracer.Conn{Proto: tracer.TCP, Addr: addr, Via: MethodConnect.String()}
	// One connect(): the kernel resends the SYN itself (after 1s, 3s).
	r, err := connectProbe(ctx, addr, n.timeout(), true)
	if err != nil {
		return nil, err
	}
	c.RTT, c.Local = r.RTT, r.Local
	host := addr.Addr().String()
	switch {
	case r.State == PortOpen:
		c.State, c.Handle = tracer.ConnOpen, r.Conn
		n.mu.Lock()
		n.conns = append(n.conns, r.Conn)
		n.mu.Unlock()
		c.Hops = []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Return, Action: "accept", Code: tracer.PortOpen,
			Detail: fmt.Sprintf("%s answered the SYN with SYN-ACK in %s", addr, r.RTT.Round(time.Microsecond))}}
	case r.State == PortClosed:
		c.State = tracer.ConnRefused
		c.Hops = []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Return, Action: "reset", Code: tracer.PortClosed, Blocks: true,
			Detail: fmt.Sprintf("%s answered the SYN with RST: nothing listens on port %d", host, addr.Port())}}
		if n.Explain {
			c.Hops = append(c.Hops, n.explainRefused(ctx, addr)...)
		}
	case r.ICMP != nil:
		typ, code := v4TypeCode(*r.ICMP)
		c.State = tracer.ConnUnreachable
		c.ICMP = &tracer.ICMPError{Type: typ, Code: code, Sender: r.ICMP.Offender}
		c.Hops = []tracer.Hop{icmpHop(addr, c.ICMP)}
	default:
		c.State = tracer.ConnTimeout
		c.RTT = 0
		if n.Explain {
			c.Hops = n.explainSilence(ctx, addr)
		} else {
			c.Hops = []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Forward, Action: "timeout", Code: tracer.TCPFiltered, Blocks: true,
				Detail: fmt.Sprintf("SYNs to %s met silence for %s", addr, r.RTT.Round(time.Millisecond))}}
		}
	}
	if ctx.Err() != nil {
		return c, ctx.Err()
	}
	return c, nil
}

// icmpHop is the blocking hop for an ICMP error that stopped a probe: the
// sender is the component at fault.
func icmpHop(addr netip.AddrPort, e *tracer.ICMPError) tracer.Hop {
	code := tracer.ICMPCode(e.Type, e.Code)
	detail := fmt.Sprintf("ICMP destination unreachable (type %d code %d, %s) from %s", e.Type, e.Code, unreachText(e.Code), e.Sender)
	switch {
	case code == tracer.ICMPAdminProhibited:
		detail += fmt.Sprintf(": %s filters traffic to %s", e.Sender, addr)
	case code == tracer.ICMPPortUnreachable && e.Sender == addr.Addr():
		detail += fmt.Sprintf(": %s rejects port %d (a host firewall reject, or nothing listens)", e.Sender, addr.Port())
	case code == tracer.MTUBlackhole:
		detail += ": the packet is too big for a link and may not be fragmented"
	}
	return tracer.Hop{Component: e.Sender.String(), Kind: "router", Direction: tracer.Return, Action: "reject",
		Code: code, Detail: detail, Blocks: true}
}

// explainSilence traces towards a silent port with TCP SYNs to find the
// last hop that answers: the filter is there or just past it.
func (n *Network) explainSilence(ctx context.Context, addr netip.AddrPort) []tracer.Hop {
	o := n.Trace
	o.Proto, o.Port = "tcp", addr.Port()
	tr, err := Trace(ctx, addr.Addr(), o)
	host := addr.Addr().String()
	if err != nil {
		return []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Forward, Action: "timeout", Code: tracer.TCPFiltered, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s met silence; the traceroute to explain it failed: %v", addr, err)}}
	}
	for _, s := range tr.Notes {
		n.note(s)
	}
	hops := routeHops(tr)
	last, ok := tr.LastHop()
	switch {
	case !ok:
		hops = append(hops, tracer.Hop{Component: host, Kind: "host", Direction: tracer.Forward, Action: "timeout", Code: tracer.TCPFiltered, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s met silence and no hop on the way answered a traceroute: the filter may be the first hop", addr)})
	case last.Kind == ReplyUnreachable:
		e := &tracer.ICMPError{Type: last.ICMPType, Code: last.ICMPCode, Sender: last.Address}
		hops = append(hops, icmpHop(addr, e))
	case tr.Reached && tr.Proto != "tcp":
		hops = append(hops, tracer.Hop{Component: host, Kind: "host", Direction: tracer.Forward, Action: "drop", Code: tracer.TCPFiltered, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s meet silence, yet %s probes reach the host at TTL %d: a filter for TCP port %d sits on the way or at the host (without raw sockets the hop cannot be pinned)",
				addr, tr.Proto, last.TTL, addr.Port())})
	case tr.Reached:
		hops = append(hops, tracer.Hop{Component: host, Kind: "host", Direction: tracer.Forward, Action: "timeout", Code: tracer.TCPTimeout, Blocks: true,
			Detail: fmt.Sprintf("connect() to %s timed out, but a SYN traceroute reached it at TTL %d: the path is intermittent", addr, last.TTL)})
	default:
		hops = append(hops, tracer.Hop{Component: last.Address.String(), Kind: "router", Direction: tracer.Forward, Action: "drop", Code: tracer.TCPFiltered, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s die after %s, the last hop that answers (TTL %d); TTL %d and beyond stay silent, so the filter is at %s or the hop after it, which does not answer",
				addr, last.Address, last.TTL, tr.FirstSilent, last.Address)})
	}
	return hops
}

// routeHops turns a traceroute into hops of a report.
func routeHops(tr *TraceResult) []tracer.Hop {
	var hops []tracer.Hop
	for _, h := range tr.Hops {
		if h.Silent() || h.Marker != "" {
			continue
		}
		hops = append(hops, tracer.Hop{Component: h.Address.String(), Kind: "router", Direction: tracer.Forward, Action: "forward",
			Code: tracer.TraceHop, Detail: fmt.Sprintf("TTL %d answered (%s) in %s", h.TTL, h.Kind, h.RTT.Round(time.Microsecond))})
	}
	return hops
}

// explainRefused checks whether the refusing host answers at all.
func (n *Network) explainRefused(ctx context.Context, addr netip.AddrPort) []tracer.Hop {
	o := n.Trace
	o.Proto, o.Port = "icmp", 0
	host := addr.Addr().String()
	tr, err := Trace(ctx, addr.Addr(), o)
	if err != nil {
		return nil
	}
	for _, s := range tr.Notes {
		n.note(s)
	}
	if tr.Reached {
		h := tr.Hops[len(tr.Hops)-1]
		return []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Return, Action: "answer", Code: tracer.TraceHop,
			Detail: fmt.Sprintf("the host is up: it answers %s probes at TTL %d in %s; only port %d is closed", tr.Proto, h.TTL, h.RTT.Round(time.Microsecond), addr.Port())}}
	}
	return []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Return, Action: "silent", Code: tracer.TraceHop,
		Detail: fmt.Sprintf("the host sent the RST but does not answer %s probes (%s)", tr.Proto, tr.Reason)}}
}

func (n *Network) dialUDP(ctx context.Context, addr netip.AddrPort) (*tracer.Conn, error) {
	c := &tracer.Conn{Proto: tracer.UDP, Addr: addr, Via: MethodRecvErr.String()}
	s, err := newErrSocket(addr.Addr(), unix.SOCK_DGRAM)
	if err != nil {
		return nil, err
	}
	if err := s.connect(addr); err != nil {
		return nil, err
	}
	defer s.Close()
	start := time.Now()
	s.f.Write([]byte{0})
	wctx, cancel := context.WithTimeout(ctx, n.timeout()/3)
	defer cancel()
	ev, ok := waitRecvErr(wctx, s, addr.Addr())
	c.RTT = time.Since(start)
	host := addr.Addr().String()
	switch {
	case ok && ev.kind == ReplyUnreachable:
		c.State = tracer.ConnUnreachable
		c.ICMP = &tracer.ICMPError{Type: ev.typ, Code: ev.code, Sender: ev.from}
		c.Hops = []tracer.Hop{icmpHop(addr, c.ICMP)}
	case ok:
		c.State = tracer.ConnOpen
		c.Hops = []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Return, Action: "answer", Code: tracer.PortOpen,
			Detail: fmt.Sprintf("%s answered the datagram", addr)}}
	default:
		// UDP silence proves nothing: open, or dropped.
		c.State = tracer.ConnOpen
		c.Hops = []tracer.Hop{{Component: host, Kind: "host", Direction: tracer.Forward, Action: "send", Code: tracer.Sent,
			Detail: fmt.Sprintf("datagram sent to %s; no ICMP error came back (open, or silently dropped)", addr)}}
	}
	return c, ctx.Err()
}

// Handshake implements tracer.Network: a TLS handshake whose certificate
// is judged by CheckCertificate against RootCAs and Now.
func (n *Network) Handshake(ctx context.Context, conn *tracer.Conn, serverName string) (*tracer.TLSResult, error) {
	nc, ok := conn.Handle.(net.Conn)
	if !ok {
		return nil, errors.New("probe: Handshake needs a connection from this Network's Dial")
	}
	res := &tracer.TLSResult{ServerName: serverName}
	host := conn.Addr.Addr().String()
	tc, code, why, err := tlsHandshake(ctx, nc, serverName, n.RootCAs, n.now(), n.timeout())
	if err != nil {
		return nil, err
	}
	if tc != nil {
		st := tc.ConnectionState()
		res.Version, res.Cipher = tlsVersion(st.Version), tls.CipherSuiteName(st.CipherSuite)
		if len(st.PeerCertificates) > 0 {
			res.Certificate = certificate(st.PeerCertificates[0])
		}
		conn.Handle = net.Conn(tc)
		n.mu.Lock()
		n.conns = append(n.conns, tc)
		n.mu.Unlock()
	}
	if code == "" {
		res.OK = true
		res.Hops = []tracer.Hop{{Component: host, Kind: "tls-server", Direction: tracer.Return, Action: "handshake", Code: tracer.TLSOK,
			Detail: fmt.Sprintf("%s %s; certificate for %s verified", res.Version, res.Cipher, strings.Join(res.Certificate.DNSNames, ", "))}}
		return res, nil
	}
	res.Hops = []tracer.Hop{{Component: host, Kind: "tls-server", Direction: tracer.Return, Action: "fail", Code: code, Detail: why, Blocks: true}}
	return res, nil
}

// Request implements tracer.Network: one HTTP/1.1 request over conn.
func (n *Network) Request(ctx context.Context, conn *tracer.Conn, req *tracer.HTTPRequest) (*tracer.HTTPResponse, error) {
	nc, ok := conn.Handle.(net.Conn)
	if !ok {
		return nil, errors.New("probe: Request needs a connection from this Network's Dial")
	}
	resp, err := request(ctx, nc, req, n.timeout())
	if err != nil {
		return nil, err
	}
	host := conn.Addr.Addr().String()
	h := tracer.Hop{Component: host, Kind: "http-server", Direction: tracer.Return, Action: "respond"}
	switch {
	case resp.Status == 0:
		h.Code, h.Blocks, h.Detail = tracer.HTTPError, true, "no HTTP response (the connection closed, reset or timed out)"
	case resp.Status >= 400:
		h.Code, h.Blocks, h.Detail = tracer.HTTPStatus, true, fmt.Sprintf("%d %s", resp.Status, resp.StatusText)
	default:
		h.Code, h.Detail = tracer.HTTPOK, fmt.Sprintf("%s %d %s, first byte after %s", resp.Proto, resp.Status, resp.StatusText, resp.TTFB.Round(time.Microsecond))
		if loc := resp.Location(); loc != "" {
			h.Detail += " → " + loc
		}
	}
	resp.Hops = []tracer.Hop{h}
	return resp, nil
}

// Traceroute implements tracer.Network.
func (n *Network) Traceroute(ctx context.Context, proto tracer.Proto, addr netip.AddrPort, maxHops int) (*tracer.Route, error) {
	o := n.Trace
	o.Proto, o.Port, o.MaxHops = string(proto), addr.Port(), maxHops
	tr, err := Trace(ctx, addr.Addr(), o)
	if err != nil {
		return nil, err
	}
	for _, s := range tr.Notes {
		n.note(s)
	}
	return Route(tr), nil
}

// Route converts a traceroute's result to the tracer's shape.
func Route(tr *TraceResult) *tracer.Route {
	r := &tracer.Route{Hops: []tracer.RouteHop{}, Reached: tr.Reached, StoppedAfter: tr.StoppedAfter, StopReason: tr.Reason, Explain: routeHops(tr)}
	for _, h := range tr.Hops {
		rh := tracer.RouteHop{TTL: h.TTL, RTT: h.RTT, RTTms: ms(h.RTT), Marker: h.Marker}
		if !h.Silent() {
			rh.Address = h.Address.String()
		}
		r.Hops = append(r.Hops, rh)
	}
	return r
}
