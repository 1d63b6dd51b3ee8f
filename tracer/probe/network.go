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
	// Tries is how many times a DNS query is sent over UDP (default 3,
	// as dig), each wait twice the last.
	Tries int
	// LargeHello sends a browser's ClientHello (about 1.5 kB, with a
	// post-quantum key share) instead of a curl-sized one. When it gets no
	// answer, a curl-sized one is tried on a new connection: if that one
	// completes, the large one was lost on the way, and DF probes look
	// for an MTU black hole.
	LargeHello bool
	// HostsFile is the hosts file consulted before DNS when nsswitch.conf
	// says "files" comes first (the default); "" means /etc/hosts, "-"
	// none.
	HostsFile string

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
	return n.resolve(ctx, name, qtype, false)
}

// resolve is Resolve, over TCP only when tcp is set (ResolveTCP).
func (n *Network) resolve(ctx context.Context, name string, qtype uint16, tcp bool) (*tracer.Answer, error) {
	fq := dns.Fqdn(name)
	a := &tracer.Answer{Name: fq, Type: qtype}
	if addr, ok := n.Overrides[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
		a.Addrs = []netip.Addr{addr}
		a.Server = "override"
		a.Hops = []tracer.Hop{{Component: "override", Kind: tracer.KindResolver, Direction: tracer.Return, Action: tracer.ActAnswer,
			Code: tracer.DNSAnswer, Detail: fmt.Sprintf("%s is %s (given with --resolve; DNS not asked)", fq, addr)}}
		return a, nil
	}
	if addrs, src, ok := n.lookupFiles(name, qtype); ok {
		a.Addrs, a.Server = addrs, src
		ss := make([]string, len(addrs))
		for i, x := range addrs {
			ss[i] = x.String()
		}
		a.Hops = []tracer.Hop{{Component: src, Kind: tracer.KindResolver, Direction: tracer.Return, Action: tracer.ActAnswer, Code: tracer.DNSAnswer,
			Detail: fmt.Sprintf("%s is %s (from %s, which the system resolver reads before DNS; DNS not asked)", fq, strings.Join(ss, ", "), src)}}
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
		a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Forward,
			Action: tracer.ActQuery, Code: tracer.DNSQuery, Detail: fmt.Sprintf("%s %s?", cur, dns.TypeToString[qtype])})
		var rep *DNSReply
		if tcp {
			rep = ExchangeTCP(ctx, srv, NewQuery(cur, qtype, true), n.timeout())
		} else {
			rep = ExchangeTries(ctx, srv, NewQuery(cur, qtype, true), n.timeout(), n.tries())
		}
		a.RTT = time.Since(start)
		if ctx.Err() != nil {
			a.Failure = "interrupted"
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return,
				Action: tracer.ActInterrupt, Code: tracer.Interrupted, Blocks: true, Detail: fmt.Sprintf("the lookup of %s was interrupted after %d tries", cur, rep.Tries)})
			return a, ctx.Err()
		}
		if rep.Msg == nil {
			code, why := rep.Verdict()
			a.Rcode = dns.RcodeServerFailure
			a.Failure = fmt.Sprintf("no reply after %d tries", rep.Tries)
			if code == tracer.DNSMismatch {
				a.Failure = "no matching reply (wrong ID or question)"
			}
			if rep.refused() {
				a.Failure = FailureRefused
			}
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return,
				Action: tracer.ActTimeout, Code: code, Blocks: true, Detail: fmt.Sprintf("%s: %s", cur, why)})
			return a, nil
		}
		if rep.Tries > 1 {
			n.note(fmt.Sprintf("DNS: %s answered %s on try %d of %d", a.Server, cur, rep.Tries, n.tries()))
		}
		m := rep.Msg
		a.Msg, a.Rcode = m, m.Rcode
		if rep.TCPErr != nil {
			_, why := rep.Verdict()
			a.Failure = "truncated answer, TCP retry failed"
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return,
				Action: tracer.ActTruncate, Code: tracer.DNSTruncated, Blocks: true, Detail: fmt.Sprintf("%s: %s", cur, why)})
			return a, nil
		}
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
						a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return,
							Action: tracer.ActAlias, Code: tracer.DNSCNAME, Detail: fmt.Sprintf("%s is an alias for %s", cur, r.Target)})
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
			a.Hops = append(a.Hops, tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return,
				Action: tracer.ActAnswer, Code: tracer.DNSCNAMELoop, Blocks: true, Detail: fmt.Sprintf("CNAME chain from %s longer than 8", fq)})
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
	h := tracer.Hop{Component: a.Server, Kind: tracer.KindResolver, Direction: tracer.Return, Action: tracer.ActAnswer}
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
	case len(a.CNAMEs) > 0 && (a.Rcode == dns.RcodeNameError || a.Rcode == dns.RcodeSuccess):
		// The alias exists; what is missing is its target.
		h.Blocks = true
		target := a.CNAMEs[len(a.CNAMEs)-1]
		h.Code = tracer.DNSDanglingCNAME
		if a.Rcode == dns.RcodeNameError {
			h.Detail = fmt.Sprintf("%s is an alias for %s, and %s does not exist (NXDOMAIN from %s): the CNAME dangles", a.Name, target, target, a.Server)
		} else {
			h.Detail = fmt.Sprintf("%s is an alias for %s, which has no %s record (NODATA from %s)", a.Name, target, typ, a.Server)
		}
	default:
		h.Blocks = true
		h.Detail = fmt.Sprintf("%s %s: %s from %s", a.Name, typ, RcodeName(a.Rcode), a.Server)
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
			h.Code = RcodeCode(a.Rcode)
		}
	}
	return h
}

// Dial implements tracer.Network. For TCP it connects with connect() and
// IP_RECVERR, so an ICMP error that stops the connection is named with its
// sender; with Explain set, a failed connection is probed further.
func (n *Network) Dial(ctx context.Context, proto tracer.Proto, addr netip.AddrPort) (*tracer.Conn, error) {
	switch proto {
	case tracer.UDP:
		return n.dialUDP(ctx, addr)
	case tracer.ICMP:
		return n.dialICMP(ctx, addr)
	}
	c := &tracer.Conn{Proto: tracer.TCP, Addr: addr, Via: MethodConnect.String()}
	// One connect(): the kernel resends the SYN itself (after 1s, 3s).
	p, r, err := startConnect(addr)
	if p != nil {
		defer p.close()
		step := n.timeout()
		r, err = p.wait(ctx, func(start time.Time) time.Time { return start.Add(step) }, true)
	}
	if err != nil {
		if ctx.Err() != nil {
			c.State = tracer.ConnTimeout
			c.Hops = []tracer.Hop{interruptedHop(addr.Addr().String(), "the connection attempt")}
			return c, ctx.Err()
		}
		return nil, err
	}
	// Silence after the step: the explaining traceroutes measure the
	// path, and the same connect() goes on meanwhile; an answer that comes
	// late, within a wait fitted to the round trips measured, is the
	// port's answer, not a loss.
	var late *lateAnswer
	var silence []tracer.Hop
	if r.State == PortFiltered && r.ICMP == nil && errors.Is(r.Errno, unix.ETIMEDOUT) && n.Explain {
		silence, late = n.explainSilence(ctx, addr, r.RTT, p)
		if ctx.Err() != nil {
			c.State, c.Hops = tracer.ConnTimeout, silence
			return c, ctx.Err()
		}
		if late != nil {
			r = late.r
		}
	}
	c.RTT, c.Local = r.RTT, r.Local
	host := addr.Addr().String()
	switch {
	case r.State == PortOpen:
		c.State, c.Handle = tracer.ConnOpen, r.Conn
		n.mu.Lock()
		n.conns = append(n.conns, r.Conn)
		n.mu.Unlock()
		c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActAccept, Code: tracer.PortOpen,
			Detail: fmt.Sprintf("%s answered the SYN with SYN-ACK", addr) + late.why(r.RTT, n.timeout())}}
		if late != nil {
			c.Hops = append(late.route, c.Hops...)
		}
	case r.State == PortClosed:
		c.State = tracer.ConnRefused
		c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActReset, Code: tracer.PortClosed, Blocks: true,
			Detail: fmt.Sprintf("%s answered the SYN with RST: nothing listens on port %d", host, addr.Port()) + late.why(0, n.timeout())}}
		if late != nil {
			c.Hops = append(late.route, c.Hops...)
		} else if n.Explain {
			c.Hops = append(c.Hops, n.explainRefused(ctx, addr)...)
		}
	case r.ICMP != nil:
		typ, code := v4TypeCode(*r.ICMP)
		c.State = tracer.ConnUnreachable
		c.ICMP = &tracer.ICMPError{Type: typ, Code: code, Sender: r.ICMP.Offender}
		c.Hops = []tracer.Hop{icmpHop(addr, c.ICMP)}
		if late != nil {
			c.Hops = append(late.route, c.Hops...)
		}
	case errors.Is(r.Errno, unix.EHOSTUNREACH) || errors.Is(r.Errno, unix.ENETUNREACH):
		// No ICMP error behind it: this host's own neighbour lookup (ARP)
		// failed, or it has no route.
		c.State = tracer.ConnUnreachable
		code, why := tracer.HostUnreachable, fmt.Sprintf("no host at %s answers ARP on this host's link (connect(): %v after %s)", host, r.Errno, r.RTT.Round(time.Millisecond))
		if errors.Is(r.Errno, unix.ENETUNREACH) {
			code, why = tracer.NoRoute, fmt.Sprintf("this host has no route to %s (connect(): %v)", host, r.Errno)
		}
		c.Hops = []tracer.Hop{{Component: "this host", Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActUnreach, Code: code, Blocks: true, Detail: why}}
		if late != nil {
			c.Hops = append(late.route, c.Hops...)
		}
	default:
		c.State = tracer.ConnTimeout
		waited := r.RTT
		c.RTT = 0
		if silence != nil {
			c.Hops = silence
		} else {
			c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActTimeout, Code: tracer.TCPTimeout, Blocks: true,
				Detail: fmt.Sprintf("SYNs to %s got no answer in %s: lost going or coming back", addr, waited.Round(time.Millisecond))}}
		}
	}
	if ctx.Err() != nil {
		return c, ctx.Err()
	}
	return c, nil
}

func interruptedHop(component, what string) tracer.Hop {
	return tracer.Hop{Component: component, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActInterrupt, Code: tracer.Interrupted, Blocks: true,
		Detail: what + " was interrupted before it could tell"}
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
		detail += fmt.Sprintf(": %s rejects TCP port %d (a host firewall reject)", e.Sender, addr.Port())
	case code == tracer.ICMPHostUnreachable && e.Type == 3 && e.Code == 1:
		detail += fmt.Sprintf(": no host at %s answers ARP on %s's link", addr.Addr(), e.Sender)
	case code == tracer.MTUBlackhole:
		detail += ": the packet is too big for a link and may not be fragmented"
	}
	return tracer.Hop{Component: e.Sender.String(), Kind: tracer.KindRouter, Direction: tracer.Return, Action: tracer.ActReject,
		Code: code, Detail: detail, Blocks: true}
}

// arpFailure is how long Linux takes to give up on a neighbour (3
// solicitations a second apart) and send ICMP host unreachable; an
// explaining traceroute lingers a little longer for it.
const arpFailure = 3500 * time.Millisecond

// explainSilence traces towards a silent port with TCP probes (raw SYNs,
// or connect() with IP_TTL unprivileged; never another protocol) to find
// the last hop that answers, and at the same time with ICMP (or UDP) to
// see whether the host answers at all. The verdict claims only what these
// show: where the silence starts, never which way the packet was lost.
//
// p is the connect() that met the silence, still pending: when the traces
// are done it is waited on until three round trips of the slowest answer
// they measured (the raw scan's rule), and an answer it gets, however
// late, is returned as the port's (late); so is a RST to the TCP trace's
// own SYNs. With no answer, a path measured as slow is said to be slow,
// and no box on it is blamed.
func (n *Network) explainSilence(ctx context.Context, addr netip.AddrPort, waited time.Duration, p *pendingConnect) ([]tracer.Hop, *lateAnswer) {
	host := addr.Addr().String()
	o := n.Trace
	o.Proto, o.Port = "tcp", addr.Port()
	o.Linger = max(o.Linger, arpFailure)
	co := n.Trace
	co.Proto, co.Port, co.Linger = "icmp", 0, o.Linger
	if o.Unprivileged || !RawAllowed() {
		co.Proto = "udp"
	}
	var companion *TraceResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		if c, err := Trace(ctx, addr.Addr(), co); err == nil {
			companion = c
		}
	}()
	tr, err := Trace(ctx, addr.Addr(), o)
	<-done
	if ctx.Err() != nil {
		return []tracer.Hop{interruptedHop(host, "the traceroute that explains the silence")}, nil
	}
	slowest := slowestAnswer(tr, companion)
	if p != nil {
		step := n.timeout()
		r, werr := p.wait(ctx, func(start time.Time) time.Time { return start.Add(roundWait(slowest.rtt, step)) }, true)
		if werr != nil {
			return []tracer.Hop{interruptedHop(host, "the connection attempt")}, nil
		}
		if r.State != PortFiltered || r.ICMP != nil || !errors.Is(r.Errno, unix.ETIMEDOUT) {
			late := &lateAnswer{r: r}
			if tr != nil {
				late.route = routersOnly(routeHops(tr), host)
			}
			return nil, late
		}
		waited = r.RTT
	}
	if err != nil {
		return []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActTimeout, Code: tracer.TCPTimeout, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s got no answer in %s, and the TCP traceroute to explain it could not run (%v): nothing more can be said", addr, waited.Round(time.Millisecond), err)}}, nil
	}
	for _, s := range tr.Notes {
		n.note(s)
	}
	hops := routeHops(tr)
	last, ok := tr.LastHop()
	if tr.Reached && last.Kind == ReplyRST {
		// The trace's own SYN met the RST that connect() has not (yet)
		// seen: that is the port's answer.
		return nil, &lateAnswer{r: connectResult{State: PortClosed, RTT: last.RTT}, route: routersOnly(hops, host),
			trace: fmt.Sprintf("a TCP traceroute's SYN at TTL %d was answered with RST in %s, while connect() had no answer in %s", last.TTL, last.RTT.Round(time.Millisecond), waited.Round(time.Millisecond))}
	}
	measured := ""
	if slowest.rtt > 0 {
		measured = fmt.Sprintf("no answer within %s on a path measured at %s round trip (%s at TTL %d, %s)",
			waited.Round(time.Millisecond), rttText(slowest.rtt), slowest.addr, slowest.ttl, slowest.proto)
	}
	// A path measured as slow against the step: the silence says nothing
	// about any box on it.
	if measured != "" && 3*slowest.rtt > n.timeout() {
		return append(hops, tracer.Hop{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActTimeout, Code: tracer.TCPTimeout, Blocks: true,
			Detail: fmt.Sprintf("SYNs to %s: %s, three times the slowest answer and more: the link is slow, and nothing shows where, or whether, SYNs or replies are lost; a longer --timeout may tell", addr, measured)}), nil
	}
	hostUp := ""
	if companion != nil && companion.Reached {
		h := companion.Hops[len(companion.Hops)-1]
		hostUp = fmt.Sprintf("%s answers %s probes at TTL %d", host, companion.Proto, h.TTL)
	}
	switch {
	case tr.Ended && last.Kind == ReplyUnreachable:
		e := &tracer.ICMPError{Type: last.ICMPType, Code: last.ICMPCode, Sender: last.Address}
		return append(hops, icmpHop(addr, e)), nil
	case tr.Reached:
		return append(hops, tracer.Hop{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActTimeout, Code: tracer.TCPTimeout, Blocks: true,
			Detail: fmt.Sprintf("connect() to %s had no answer in %s, but a TCP traceroute reached it at TTL %d in %s (%s): SYNs or their replies are lost only sometimes", addr, waited.Round(time.Millisecond), last.TTL, last.RTT.Round(time.Millisecond), kindText(last, "tcp"))}), nil
	}
	lost := tracer.Hop{Kind: tracer.KindRouter, Direction: tracer.Forward, Action: tracer.ActLost, Code: tracer.TCPLost, Blocks: true}
	k := 0
	if ok {
		k = last.TTL
	}
	// TTLs past the last TCP answer that answer no probe of any kind
	// are routers that send no time-exceeded, not the end of the path.
	silentToAll := companion != nil && companion.Reached && companion.Hops[len(companion.Hops)-1].TTL > k+1
	if silentToAll {
		for ttl := k + 1; ttl < companion.Hops[len(companion.Hops)-1].TTL; ttl++ {
			if h, ok := companion.Hop(ttl); ok && !h.Silent() {
				silentToAll = false
			}
		}
	}
	after := "no hop answers a TCP probe"
	if ok {
		after = fmt.Sprintf("the last hop that answers TCP probes is %s (TTL %d)", last.Address, k)
	}
	switch {
	case silentToAll:
		d := companion.Hops[len(companion.Hops)-1].TTL
		lost.Component, lost.Kind = host, "host"
		lost.Detail = fmt.Sprintf("SYNs to %s, or their replies, are lost going or coming back: %s; %s answer no probe of any kind (routers that send no time-exceeded), and %s; the loss is at those routers or at %s",
			addr, after, ttlRange(k+1, d-1), hostUp, host)
	case ok:
		lost.Component = last.Address.String()
		lost.Detail = fmt.Sprintf("SYNs to %s, or their replies, are lost after hop %d (%s), going or coming back: %s; %s stay silent",
			addr, k, last.Address, after, ttlRange(k+1, max(k+1, tr.Probed)))
		if hostUp != "" {
			lost.Detail += "; " + hostUp + ", so only TCP port " + fmt.Sprint(addr.Port()) + " (or its replies) is lost"
		} else if companion != nil {
			lost.Detail += fmt.Sprintf("; %s does not answer %s probes either", host, companion.Proto)
		}
	default:
		lost.Component, lost.Kind = host, "host"
		lost.Detail = fmt.Sprintf("SYNs to %s, or their replies, are lost going or coming back, and no hop on the way answers a TCP probe", addr)
		if hostUp != "" {
			lost.Detail += "; " + hostUp
		}
	}
	var asym []string
	for _, h := range tr.Hops {
		if !h.Silent() && h.Back > 0 && h.Back != h.TTL {
			asym = append(asym, fmt.Sprintf("TTL %d came back over %d hops", h.TTL, h.Back))
		}
	}
	if len(asym) > 0 {
		lost.Detail += "; the return path differs from the forward one (" + strings.Join(asym, ", ") + "), so a loss on the way back is plausible"
	}
	if measured != "" {
		lost.Detail += "; " + measured
	}
	return append(hops, lost), nil
}

// routersOnly drops the host's own hop from a traceroute's hops: its
// answer is the port's, which the caller says once.
func routersOnly(hops []tracer.Hop, host string) []tracer.Hop {
	var out []tracer.Hop
	for _, h := range hops {
		if h.Component != host {
			out = append(out, h)
		}
	}
	return out
}

// lateAnswer is the port's answer that came after the step's wait: to the
// connect() that kept waiting (r), or to a TCP traceroute's SYN (trace
// says so); route is what the traceroute found on the way.
type lateAnswer struct {
	r     connectResult
	trace string
	route []tracer.Hop
}

// why says, for a hop's detail, when the answer came: in rtt (when it
// came within the step), or after the step had run out.
func (l *lateAnswer) why(rtt, step time.Duration) string {
	switch {
	case l == nil && rtt > 0:
		return " in " + rtt.Round(time.Microsecond).String()
	case l == nil:
		return ""
	case l.trace != "":
		return " (" + l.trace + ")"
	}
	return fmt.Sprintf(" (it had come by %s after the first SYN, past the %s step: the connect() went on while traceroutes measured the path, and was waited on for three round trips of the slowest answer)",
		l.r.RTT.Round(time.Millisecond), step)
}

// answerAt is one answer of a traceroute: the slowest one says how slow
// the path is.
type answerAt struct {
	rtt   time.Duration
	addr  netip.Addr
	ttl   int
	proto string
}

func slowestAnswer(trs ...*TraceResult) answerAt {
	var a answerAt
	for _, tr := range trs {
		if tr == nil {
			continue
		}
		for _, h := range tr.Hops {
			if !h.Silent() && h.RTT > a.rtt {
				a = answerAt{rtt: h.RTT, addr: h.Address, ttl: h.TTL, proto: tr.Proto}
			}
		}
	}
	return a
}

func rttText(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// routeHops turns a traceroute into hops of a report.
func routeHops(tr *TraceResult) []tracer.Hop {
	var hops []tracer.Hop
	for _, h := range tr.Hops {
		if h.Silent() || h.Marker != "" {
			continue
		}
		d := fmt.Sprintf("TTL %d answered (%s) in %s", h.TTL, h.Kind, h.RTT.Round(time.Microsecond))
		if h.AfterPause {
			d += ", only after a pause (it rate-limits ICMP)"
		}
		hops = append(hops, tracer.Hop{Component: h.Address.String(), Kind: tracer.KindRouter, Direction: tracer.Forward, Action: tracer.ActForward,
			Code: tracer.TraceHop, Detail: d})
	}
	return hops
}

// explainRefused checks whether the refusing host answers at all.
func (n *Network) explainRefused(ctx context.Context, addr netip.AddrPort) []tracer.Hop {
	o := n.Trace
	o.Proto, o.Port = "icmp", 0
	if o.Unprivileged || !RawAllowed() {
		o.Proto = "udp"
	}
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
		return []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActAnswer, Code: tracer.TraceHop,
			Detail: fmt.Sprintf("the host is up: it answers %s probes at TTL %d in %s; only port %d is closed", tr.Proto, h.TTL, h.RTT.Round(time.Microsecond), addr.Port())}}
	}
	return []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActSilent, Code: tracer.TraceHop,
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
		h := icmpHop(addr, c.ICMP)
		if h.Code == tracer.ICMPPortUnreachable && ev.from == addr.Addr() {
			// For UDP this is how a host says nothing listens (RFC 1122
			// 3.2.2.1), not a firewall's doing.
			h.Detail = fmt.Sprintf("ICMP port unreachable from %s: nothing listens on UDP port %d (or a firewall rejects it as a closed port would)", ev.from, addr.Port())
		}
		c.Hops = []tracer.Hop{h}
	case ok:
		c.State = tracer.ConnOpen
		c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActAnswer, Code: tracer.PortOpen,
			Detail: fmt.Sprintf("%s answered the datagram", addr)}}
	default:
		// UDP silence proves nothing: open, or dropped.
		c.State = tracer.ConnOpen
		c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActSend, Code: tracer.Sent,
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
	tc, code, why, err := tlsHandshakeHello(ctx, nc, serverName, n.RootCAs, n.now(), n.timeout(), n.LargeHello)
	if err != nil {
		return nil, err
	}
	if n.LargeHello && timedOut(code, why) {
		if mh, ok := n.largeHelloLost(ctx, conn.Addr, serverName); ok {
			res.Hops = []tracer.Hop{mh, {Component: host, Kind: tracer.KindTLSServer, Direction: tracer.Return, Action: tracer.ActFail, Code: code, Detail: why, Blocks: true}}
			return res, nil
		}
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
		res.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindTLSServer, Direction: tracer.Return, Action: tracer.ActHandshake, Code: tracer.TLSOK,
			Detail: fmt.Sprintf("%s %s; certificate for %s verified", res.Version, res.Cipher, strings.Join(res.Certificate.DNSNames, ", "))}}
		return res, nil
	}
	res.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindTLSServer, Direction: tracer.Return, Action: tracer.ActFail, Code: code, Detail: why, Blocks: true}}
	if timedOut(code, why) {
		// The connection opened but the handshake's larger packets never
		// came: an MTU black hole is the usual cause.
		if mh, ok := n.explainStall(ctx, conn.Addr); ok {
			res.Hops = append([]tracer.Hop{mh}, res.Hops...)
		}
	}
	return res, nil
}

// Request implements tracer.Network: one HTTP/1.1 request over conn.
func (n *Network) Request(ctx context.Context, conn *tracer.Conn, req *tracer.HTTPRequest) (*tracer.HTTPResponse, error) {
	nc, ok := conn.Handle.(net.Conn)
	if !ok {
		return nil, errors.New("probe: Request needs a connection from this Network's Dial")
	}
	resp, br, err := request(ctx, nc, req, n.timeout())
	if err != nil {
		return nil, err
	}
	host := conn.Addr.Addr().String()
	h := tracer.Hop{Component: host, Kind: tracer.KindHTTPServer, Direction: tracer.Return, Action: tracer.ActRespond}
	stall, stalled := bodyHop(host, br, n.timeout())
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
	if stalled {
		h.Detail = fmt.Sprintf("%s %d %s: the headers arrived", resp.Proto, resp.Status, resp.StatusText)
		resp.Hops = []tracer.Hop{h, stall}
		if mh, ok := n.explainStall(ctx, conn.Addr); ok {
			resp.Hops = []tracer.Hop{h, mh, stall}
		}
	}
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

// explainStall probes the path MTU when a transfer stalled: a black hole
// (small packets pass, large ones vanish with no "fragmentation needed")
// explains it, and names the last hop large packets reach.
func (n *Network) explainStall(ctx context.Context, addr netip.AddrPort) (tracer.Hop, bool) {
	if !addr.Addr().Unmap().Is4() {
		return tracer.Hop{}, false
	}
	m, err := PathMTU(ctx, addr.Addr(), MTUOptions{})
	if err != nil || !m.Blackhole {
		if err == nil && m.Reached {
			n.note(fmt.Sprintf("path MTU to %s checked: %d-byte packets reach it, so the stall is not an MTU black hole", addr.Addr(), m.PMTU))
		}
		return tracer.Hop{}, false
	}
	comp := m.LastLarge.String()
	if !m.LastLarge.IsValid() {
		comp = "this host"
	}
	return tracer.Hop{Component: comp, Kind: tracer.KindRouter, Direction: tracer.Forward, Action: tracer.ActDrop, Code: tracer.MTUBlackhole, Blocks: true,
		Detail: m.Reason + "; the link after " + comp + " is smaller and the ICMP that would say so never arrives",
		Fix:    "let ICMP \"fragmentation needed\" (type 3 code 4) through, or clamp the TCP MSS on the small link"}, true
}

// timedOut reports a handshake that got no answer in time.
func timedOut(code tracer.Code, why string) bool {
	return code == tracer.TLSHandshakeFailed && (strings.Contains(why, "timeout") || strings.Contains(why, "deadline exceeded"))
}

// largeHelloLost runs the handshake again on a new connection with a
// curl-sized ClientHello after a large one got no answer. When the small
// one completes, the large one was lost on the way: DF probes confirm an
// MTU black hole and name the last hop large packets pass; when they do
// not, the contrast is still said.
func (n *Network) largeHelloLost(ctx context.Context, addr netip.AddrPort, serverName string) (tracer.Hop, bool) {
	d := net.Dialer{Timeout: n.timeout()}
	c, err := d.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return tracer.Hop{}, false
	}
	defer c.Close()
	tc, _, why, err := tlsHandshakeHello(ctx, c, serverName, n.RootCAs, n.now(), n.timeout(), false)
	if err != nil || tc == nil || timedOut(tracer.TLSHandshakeFailed, why) {
		return tracer.Hop{}, false
	}
	contrast := fmt.Sprintf("a browser-sized ClientHello (about 1.5 kB, with a post-quantum key share) got no answer from %s, and a curl-sized one on a new connection completed the handshake", addr)
	mh, ok := n.explainStall(ctx, addr)
	if !ok {
		n.note(contrast + "; DF probes found no MTU black hole, so something on the path drops large ClientHellos (a middlebox?)")
		return tracer.Hop{}, false
	}
	mh.Detail = contrast + ": " + mh.Detail
	return mh, true
}

func (n *Network) tries() int {
	if n.Tries > 0 {
		return n.Tries
	}
	return DefaultTries
}
