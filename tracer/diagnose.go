package tracer

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Diagnose walks a request to target over n: DNS, then TCP (or UDP), then
// TLS for https, then HTTP for http and https. It stops at the first stage
// whose result cannot be used (no address, no connection); where the Network
// carries on past a block (the simulation does), later stages still run, so
// the report names every blocker.
//
// The error is for a request that could not be made at all (a cancelled
// context, a Network failure); a broken path is a Report with verdict
// "broken".
func Diagnose(ctx context.Context, n Network, target Target, from string) (*Report, error) {
	r := &Report{Target: target.String(), Request: target, From: from, Stages: make([]Stage, 0, 4)}
	defer r.Finish()
	proto := target.Proto()

	// DNS.
	addr, isAddr := target.HostAddr()
	if !isAddr {
		a, err := n.Resolve(ctx, target.Host, dns.TypeA)
		if err != nil {
			return r, err
		}
		st := Stage{Name: StageDNS, Hops: a.Hops}
		if len(a.Addrs) == 0 && !blocked(st.Hops) {
			st.Hops = append(st.Hops, dnsFailureHop(a))
		}
		if len(a.Addrs) > 0 {
			addr = a.Addrs[0]
			st.Summary = target.Host + " is " + joinAddrs(a.Addrs)
		} else {
			st.Summary = fmt.Sprintf("%s: %s", target.Host, rcodeName(a))
		}
		r.Stages = append(r.Stages, finishStage(st))
		if len(a.Addrs) == 0 {
			r.notReached(target, StageDNS)
			return r, nil
		}
	}

	// TCP or UDP.
	dst := netip.AddrPortFrom(addr, target.Port)
	c, err := n.Dial(ctx, proto, dst)
	if err != nil {
		return r, err
	}
	name := StageTCP
	switch proto {
	case UDP:
		name = StageUDP
	case ICMP:
		name = StageICMP
	}
	st := Stage{Name: name, Hops: c.Hops}
	if c.State != ConnOpen && !blocked(st.Hops) {
		st.Hops = append(st.Hops, connFailureHop(c))
	}
	st.Summary = dst.String() + " " + c.State.String()
	r.Stages = append(r.Stages, finishStage(st))
	if !c.Usable() {
		r.notReached(target, name)
		return r, nil
	}

	// TLS.
	if target.Scheme == "https" {
		t, err := n.Handshake(ctx, c, target.Host)
		if err != nil {
			return r, err
		}
		st := Stage{Name: StageTLS, Hops: t.Hops}
		if !t.OK && !blocked(st.Hops) {
			st.Hops = append(st.Hops, Hop{Component: dst.Addr().String(), Kind: KindTLSServer, Direction: Forward,
				Action: ActFail, Code: TLSHandshakeFailed, Detail: "the TLS handshake failed", Blocks: true})
		}
		if t.Certificate != nil {
			st.Summary = fmt.Sprintf("certificate %s for %s", t.Certificate.Subject, strings.Join(t.Certificate.DNSNames, ", "))
		}
		r.Stages = append(r.Stages, finishStage(st))
		if !t.OK && !t.Assumed {
			r.notReached(target, StageTLS)
			return r, nil
		}
	}

	// HTTP.
	if target.Scheme == "http" || target.Scheme == "https" {
		hr, err := n.Request(ctx, c, &HTTPRequest{Method: "GET", Scheme: target.Scheme, Host: target.Host, Path: target.Path})
		if err != nil {
			return r, err
		}
		st := Stage{Name: StageHTTP, Hops: hr.Hops}
		if !blocked(st.Hops) && (hr.Status == 0 || hr.Status >= 400) {
			st.Hops = append(st.Hops, httpFailureHop(dst, hr))
		}
		if hr.Status > 0 {
			st.Summary = fmt.Sprintf("%s %d %s", hr.Proto, hr.Status, hr.StatusText)
			if loc := hr.Location(); loc != "" && hr.Status >= 300 && hr.Status < 400 {
				st.Summary += " → " + loc
				st.Location = loc
			}
		}
		r.Stages = append(r.Stages, finishStage(st))
	}
	return r, nil
}

// notReached appends the stages after the one named as not reached.
func (r *Report) notReached(t Target, after string) {
	all := []string{StageDNS, StageTCP, StageTLS, StageHTTP}
	switch t.Proto() {
	case UDP:
		all = []string{StageDNS, StageUDP}
	case ICMP:
		all = []string{StageDNS, StageICMP}
	}
	switch t.Scheme {
	case "http":
		all = []string{StageDNS, StageTCP, StageHTTP}
	case "tcp":
		all = []string{StageDNS, StageTCP}
	}
	seen := false
	for _, s := range all {
		if seen {
			r.Stages = append(r.Stages, Stage{Name: s, Verdict: StageNotReached, Hops: []Hop{}})
		}
		if s == after {
			seen = true
		}
	}
}

func finishStage(s Stage) Stage {
	s.Verdict = StageOK
	if blocked(s.Hops) {
		s.Verdict = StageBroken
	}
	if s.Hops == nil {
		s.Hops = []Hop{}
	}
	return s
}

func joinAddrs(as []netip.Addr) string {
	b := make([]byte, 0, 16*len(as))
	for i, a := range as {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = a.AppendTo(b)
	}
	return string(b)
}

func rcodeName(a *Answer) string {
	if a.Failure != "" {
		return a.Failure
	}
	if a.Rcode == dns.RcodeSuccess {
		return "no address (NODATA)"
	}
	if s, ok := dns.RcodeToString[a.Rcode]; ok {
		return s
	}
	return fmt.Sprintf("rcode %d", a.Rcode)
}

// dnsFailureHop stands in when a Network reported a failed lookup without
// saying which hop failed.
func dnsFailureHop(a *Answer) Hop {
	code := DNSServFail
	switch {
	case a.Msg == nil && a.Rcode == dns.RcodeServerFailure:
		code = DNSTimeout
	case a.Rcode == dns.RcodeNameError:
		code = DNSNXDomain
	case a.Rcode == dns.RcodeSuccess:
		code = DNSNoData
	case a.Rcode == dns.RcodeRefused:
		code = DNSRefused
	}
	server := a.Server
	if server == "" {
		server = "resolver"
	}
	return Hop{Component: server, Kind: KindResolver, Direction: Return, Action: ActAnswer, Code: code,
		Detail: fmt.Sprintf("%s %s: %s", a.Name, dns.TypeToString[a.Type], rcodeName(a)), Blocks: true}
}

func connFailureHop(c *Conn) Hop {
	h := Hop{Component: c.Addr.Addr().String(), Kind: KindHost, Direction: Return, Blocks: true}
	switch c.State {
	case ConnRefused:
		h.Action, h.Code, h.Detail = "reset", PortClosed, fmt.Sprintf("connection to %s refused (RST)", c.Addr)
	case ConnUnreachable:
		h.Action, h.Code = "unreachable", ICMPHostUnreachable
		if c.ICMP != nil {
			h.Component = c.ICMP.Sender.String()
			h.Code = ICMPCode(c.ICMP.Type, c.ICMP.Code)
			h.Detail = fmt.Sprintf("ICMP type %d code %d from %s", c.ICMP.Type, c.ICMP.Code, c.ICMP.Sender)
		}
	default:
		h.Action, h.Code, h.Detail = "timeout", TCPTimeout, fmt.Sprintf("no answer from %s", c.Addr)
	}
	return h
}

func httpFailureHop(dst netip.AddrPort, hr *HTTPResponse) Hop {
	h := Hop{Component: dst.Addr().String(), Kind: KindHTTPServer, Direction: Return, Action: ActRespond, Blocks: true}
	if hr.Status == 0 {
		h.Code, h.Detail = HTTPError, "no HTTP response"
	} else {
		h.Code, h.Status, h.Detail = HTTPStatus, hr.Status, fmt.Sprintf("%d %s", hr.Status, hr.StatusText)
	}
	return h
}

// ICMPCode maps an ICMPv4 destination-unreachable type and code to a Code.
func ICMPCode(typ, code int) Code {
	if typ != 3 {
		return ICMPHostUnreachable
	}
	switch code {
	case 0:
		return ICMPNetUnreachable
	case 1:
		return ICMPHostUnreachable
	case 3:
		return ICMPPortUnreachable
	case 4:
		return MTUBlackhole
	case 9, 10, 13:
		return ICMPAdminProhibited
	}
	return ICMPHostUnreachable
}
