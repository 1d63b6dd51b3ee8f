package probe

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// DNSReply is one server's reply to one query.
type DNSReply struct {
	Server netip.AddrPort
	Msg    *dns.Msg // nil when no believable reply came
	RTT    time.Duration
	TCP    bool // the answer came over TCP after a truncated UDP reply
	// Tries is how many times the query was sent over UDP.
	Tries int
	// Ignored counts replies that failed CheckReply (wrong ID, question
	// or sender) and were not believed; Mismatch says how each differed,
	// as dig's "ID mismatch" warnings do.
	Ignored  int
	Mismatch []string
	// TCPErr is set when the UDP answer was truncated and the retry over
	// TCP failed: Msg is then the partial UDP answer.
	TCPErr      error
	Interrupted bool  // the context ended before an answer came
	Err         error // timeout, refused, ...
}

// Verdict returns the code for what the reply shows ("" for a plain
// NOERROR answer) and a sentence on it.
func (r *DNSReply) Verdict() (tracer.Code, string) {
	switch {
	case r.Msg == nil && r.Interrupted:
		return tracer.Interrupted, fmt.Sprintf("interrupted after %d tries, before %s answered", r.Tries, r.Server)
	case r.Msg == nil && len(r.Mismatch) > 0:
		return tracer.DNSMismatch, fmt.Sprintf("%s sent %d replies that did not match the query (%s); none was believed", r.Server, r.Ignored, strings.Join(r.Mismatch, "; "))
	case r.Msg == nil:
		return tracer.DNSTimeout, fmt.Sprintf("no reply from %s after %d tries: %s", r.Server, r.Tries, errText(r.Err))
	case r.TCPErr != nil:
		return tracer.DNSTruncated, fmt.Sprintf("the UDP answer from %s is truncated and the TCP retry failed (%s): the answer is partial", r.Server, errText(r.TCPErr))
	}
	return RcodeCode(r.Msg.Rcode), RcodeName(r.Msg.Rcode)
}

// RcodeCode is the code of an error rcode; "" for NOERROR.
func RcodeCode(rc int) tracer.Code {
	switch rc {
	case dns.RcodeSuccess:
		return ""
	case dns.RcodeNameError:
		return tracer.DNSNXDomain
	case dns.RcodeServerFailure:
		return tracer.DNSServFail
	case dns.RcodeRefused:
		return tracer.DNSRefused
	case dns.RcodeFormatError:
		return tracer.DNSFormErr
	case dns.RcodeNotImplemented:
		return tracer.DNSNotImp
	}
	return tracer.DNSRcode
}

var (
	errNotResponse = errors.New("not a response")
	errWrongID     = errors.New("reply ID does not match the query")
	errWrongQ      = errors.New("reply question does not match the query")
)

// CheckReply says whether r may be believed as the answer to q: a
// response with q's ID and exactly q's question.
func CheckReply(q, r *dns.Msg) error {
	if !r.Response {
		return errNotResponse
	}
	if r.Id != q.Id {
		return fmt.Errorf("%w: expected ID %d, got %d", errWrongID, q.Id, r.Id)
	}
	if len(r.Question) != 1 || len(q.Question) != 1 {
		// A FORMERR may come back without a question; accept it then.
		if len(r.Question) == 0 && r.Rcode == dns.RcodeFormatError {
			return nil
		}
		return fmt.Errorf("%w: %d questions", errWrongQ, len(r.Question))
	}
	a, b := r.Question[0], q.Question[0]
	if a.Qtype != b.Qtype || a.Qclass != b.Qclass || !strings.EqualFold(a.Name, b.Name) {
		return fmt.Errorf("%w: asked %s %s, the reply is for %s %s", errWrongQ, b.Name, dns.TypeToString[b.Qtype], a.Name, dns.TypeToString[a.Qtype])
	}
	return nil
}

// ParseReply unpacks b and checks it answers q. It never panics.
func ParseReply(q *dns.Msg, b []byte) (*dns.Msg, error) {
	r := new(dns.Msg)
	if err := r.Unpack(b); err != nil {
		return nil, err
	}
	if err := CheckReply(q, r); err != nil {
		return nil, err
	}
	return r, nil
}

// NewQuery makes a query for name and qtype with a random ID, asking for
// recursion when rd is set, with EDNS0 (a 1232-byte buffer).
func NewQuery(name string, qtype uint16, rd bool) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	var b [2]byte
	rand.Read(b[:])
	q.Id = binary.BigEndian.Uint16(b[:])
	q.RecursionDesired = rd
	q.SetEdns0(1232, false)
	return q
}

// DefaultTries is how many times a query is sent over UDP, as dig.
const DefaultTries = 3

// Exchange sends q to server over UDP from a random port, once and then
// again (up to tries times, each wait twice the last, starting at
// timeout), taking the first reply that passes CheckReply and comes from
// server; replies that fail are counted and described in Mismatch. A
// truncated reply is asked again over TCP; if that fails, the partial UDP
// answer is kept and TCPErr says why.
func Exchange(ctx context.Context, server netip.AddrPort, q *dns.Msg, timeout time.Duration) *DNSReply {
	return ExchangeTries(ctx, server, q, timeout, 1)
}

// ExchangeTries is Exchange with tries UDP sends (at least 1).
func ExchangeTries(ctx context.Context, server netip.AddrPort, q *dns.Msg, timeout time.Duration, tries int) *DNSReply {
	tries = max(tries, 1)
	rep := &DNSReply{Server: server}
	wire, err := q.Pack()
	if err != nil {
		rep.Err = err
		return rep
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", server.String())
	if err != nil {
		rep.Err = err
		return rep
	}
	uc := c.(*net.UDPConn)
	defer uc.Close()
	stop := context.AfterFunc(ctx, func() { uc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 65535)
	wait := timeout
	for try := 0; try < tries; try++ {
		if ctx.Err() != nil {
			break
		}
		if _, err := uc.Write(wire); err != nil {
			rep.Err = err
			return rep
		}
		rep.Tries++
		sentAt := time.Now()
		uc.SetReadDeadline(sentAt.Add(wait))
		if ctx.Err() != nil {
			break
		}
		for {
			n, from, err := uc.ReadFromUDPAddrPort(buf)
			if err != nil {
				rep.Err = err
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					rep.Err = errTimeout
				}
				break
			}
			if from.Addr().Unmap() != server.Addr().Unmap() || from.Port() != server.Port() {
				rep.ignore(fmt.Sprintf("a reply from %s, not from the server asked", from))
				continue
			}
			r, err := ParseReply(q, buf[:n])
			if err != nil {
				rep.ignore(err.Error())
				continue
			}
			rep.RTT = time.Since(sentAt)
			rep.Msg = r
			rep.Err = nil
			if r.Truncated {
				return exchangeTCP(ctx, server, q, wire, rep, timeout)
			}
			return rep
		}
		if rep.Err != errTimeout {
			break // refused (ICMP port unreachable) or another error: retrying will not help
		}
		wait *= 2
	}
	if ctx.Err() != nil {
		rep.Interrupted = true
		rep.Err = ctx.Err()
	}
	return rep
}

func (r *DNSReply) ignore(why string) {
	r.Ignored++
	for _, m := range r.Mismatch {
		if m == why {
			return
		}
	}
	if len(r.Mismatch) < 5 {
		r.Mismatch = append(r.Mismatch, why)
	}
}

var errTimeout = errors.New("timeout")

func exchangeTCP(ctx context.Context, server netip.AddrPort, q *dns.Msg, wire []byte, rep *DNSReply, timeout time.Duration) *DNSReply {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", server.String())
	if err != nil {
		rep.TCPErr = err
		if ctx.Err() != nil {
			rep.TCPErr = errTimeout
		}
		return rep // keep the truncated UDP answer
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	dc := &dns.Conn{Conn: c}
	if _, err := dc.Write(wire); err != nil {
		rep.TCPErr = err
		return rep
	}
	r, err := dc.ReadMsg()
	if err != nil {
		rep.TCPErr = err
		if ctx.Err() != nil {
			rep.TCPErr = errTimeout
		}
		return rep
	}
	if err := CheckReply(q, r); err != nil {
		rep.TCPErr = err
		return rep
	}
	rep.Msg, rep.TCP, rep.RTT = r, true, time.Since(start)
	return rep
}

// RcodeName returns the name of a DNS rcode (NOERROR, NXDOMAIN, ...).
func RcodeName(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// Flags returns a reply's header flags as dig prints them.
func Flags(m *dns.Msg) []string {
	f := []string{}
	for _, x := range []struct {
		on   bool
		name string
	}{{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"}, {m.RecursionDesired, "rd"},
		{m.RecursionAvailable, "ra"}, {m.AuthenticatedData, "ad"}, {m.CheckingDisabled, "cd"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return f
}

// RRStrings returns records in zone-file form, tabs made single spaces.
func RRStrings(rrs []dns.RR) []string {
	s := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		s = append(s, strings.Join(strings.Fields(rr.String()), " "))
	}
	return s
}

// DefaultRoots are the root servers' IPv4 addresses, for a trace with no
// --root.
var DefaultRoots = []string{
	"198.41.0.4", "170.247.170.2", "192.33.4.12", "199.7.91.13", "192.203.230.10", "192.5.5.241",
	"192.112.36.4", "198.97.190.53", "192.36.148.17", "192.58.128.30", "193.0.14.129", "199.7.83.42", "202.12.27.33",
}

// DNSServerResult is one server's part in one level of a trace.
type DNSServerResult struct {
	Name     string   `json:"name,omitempty"` // the NS name, when known
	Addr     string   `json:"addr"`
	Rcode    string   `json:"rcode,omitempty"`
	Flags    []string `json:"flags,omitempty"`
	RTTms    float64  `json:"rtt_ms"`
	Error    string   `json:"error,omitempty"` // timeout, refused, ...
	Lame     bool     `json:"lame,omitempty"`
	Referral string   `json:"referral,omitempty"` // the zone it delegated to
	Answers  []string `json:"answers,omitempty"`
	Ignored  int      `json:"ignored,omitempty"` // replies that failed the checks
	msg      *dns.Msg
}

// DNSLevel is one level of a trace: the servers of one zone, asked at once.
type DNSLevel struct {
	Zone    string            `json:"zone"`
	Servers []DNSServerResult `json:"servers"`
	Used    string            `json:"used,omitempty"` // the server whose reply was taken
	Issues  []DNSIssue        `json:"issues,omitempty"`
}

// DNSIssue is something wrong that a trace found.
type DNSIssue struct {
	Code   tracer.Code `json:"code"`
	Server string      `json:"server,omitempty"`
	Detail string      `json:"detail"`
	// Blocks is set when the issue stops resolution.
	Blocks bool `json:"blocks,omitempty"`
}

// DNSTraceResult is a trace from the root down to the answer.
type DNSTraceResult struct {
	Name    string     `json:"name"`
	Type    string     `json:"type"`
	Levels  []DNSLevel `json:"levels"`
	Rcode   string     `json:"rcode"`
	Answers []string   `json:"answers"`
	Issues  []DNSIssue `json:"issues"`
	Final   *dns.Msg   `json:"-"`
	TimeMs  float64    `json:"time_ms"`
}

// TraceDNSOptions tune a trace.
type TraceDNSOptions struct {
	Roots   []netip.AddrPort // default DefaultRoots on port 53
	Timeout time.Duration    // per query (default 2s)
}

type nsAddr struct {
	name string
	addr netip.AddrPort
}

// TraceDNS walks from the root down each delegation, as dig +trace does,
// but asks all servers of a level at once and goes on with the first good
// reply. It waits for the rest (each bounded by the timeout) so the result
// can name servers that time out, are lame (REFUSED, or not authoritative
// for a zone delegated to them), lack glue, or disagree with each other.
func TraceDNS(ctx context.Context, name string, qtype uint16, o TraceDNSOptions) (*DNSTraceResult, error) {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	roots := o.Roots
	if len(roots) == 0 {
		for _, r := range DefaultRoots {
			roots = append(roots, netip.AddrPortFrom(netip.MustParseAddr(r), 53))
		}
	}
	t := &dnsTracer{o: o, roots: roots}
	start := time.Now()
	res := &DNSTraceResult{Name: dns.Fqdn(name), Type: dns.TypeToString[qtype], Answers: []string{}, Issues: []DNSIssue{}}
	target := dns.Fqdn(name)
	var err error
	for hop := 0; hop <= 8; hop++ {
		var final *dns.Msg
		final, err = t.walk(ctx, res, target, qtype, 0)
		if err != nil || final == nil {
			break
		}
		res.Final = final
		res.Rcode = RcodeName(final.Rcode)
		res.Answers = append(res.Answers, RRStrings(final.Answer)...)
		next := cnameTarget(final, target, qtype)
		if next == "" {
			break
		}
		if hop == 8 {
			res.Issues = append(res.Issues, DNSIssue{Code: tracer.DNSCNAMELoop, Detail: "CNAME chain longer than 8", Blocks: true})
			res.Rcode = "SERVFAIL"
		}
		target = next
	}
	t.wg.Wait()
	t.mu.Lock()
	defer t.mu.Unlock()
	res.Levels = t.levelsCopy()
	for _, l := range res.Levels {
		res.Issues = append(res.Issues, l.Issues...)
	}
	res.TimeMs = ms(time.Since(start))
	if err != nil && ctx.Err() == nil {
		return res, err
	}
	if res.Rcode == "" {
		res.Rcode = "SERVFAIL"
		if ctx.Err() != nil {
			res.Rcode = "INTERRUPTED"
		}
	}
	return res, nil
}

// cnameTarget returns where a CNAME chain in r leaves name without an
// answer of qtype, or "".
func cnameTarget(r *dns.Msg, name string, qtype uint16) string {
	cur := name
	for range 9 {
		found := ""
		for _, rr := range r.Answer {
			if !strings.EqualFold(rr.Header().Name, cur) {
				continue
			}
			if rr.Header().Rrtype == qtype {
				return ""
			}
			if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				found = c.Target
			}
		}
		if found == "" {
			if cur == name {
				return ""
			}
			return cur
		}
		cur = found
	}
	return ""
}

type dnsTracer struct {
	o      TraceDNSOptions
	roots  []netip.AddrPort
	mu     sync.Mutex
	levels []*DNSLevel
	wg     sync.WaitGroup
}

func (t *dnsTracer) levelsCopy() []DNSLevel {
	out := make([]DNSLevel, len(t.levels))
	for i, l := range t.levels {
		out[i] = *l
		out[i].Servers = append([]DNSServerResult(nil), l.Servers...)
		out[i].Issues = append([]DNSIssue(nil), l.Issues...)
		if out[i].Servers == nil {
			out[i].Servers = []DNSServerResult{}
		}
	}
	return out
}

// walk resolves name from the root; depth counts nested walks for NS
// names without glue.
func (t *dnsTracer) walk(ctx context.Context, res *DNSTraceResult, name string, qtype uint16, depth int) (*dns.Msg, error) {
	zone := "."
	servers := make([]nsAddr, len(t.roots))
	for i, r := range t.roots {
		servers[i] = nsAddr{addr: r}
	}
	for range 16 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lvl := t.addLevel(zone, servers)
		good, kind := t.askLevel(ctx, lvl, zone, name, qtype)
		if good == nil {
			t.mu.Lock()
			issue := DNSIssue{Code: tracer.DNSTimeout, Detail: fmt.Sprintf("no server for %s answered", zone), Blocks: true}
			if ctx.Err() != nil {
				issue = DNSIssue{Code: tracer.Interrupted, Detail: fmt.Sprintf("interrupted while asking the servers for %s", zone), Blocks: true}
			}
			if kind == "lame" {
				issue = DNSIssue{Code: tracer.DNSLameDelegation, Detail: fmt.Sprintf("every server for %s is lame: none answers authoritatively or refers further", zone), Blocks: true}
			}
			lvl.Issues = append(lvl.Issues, issue)
			t.mu.Unlock()
			return nil, nil
		}
		if kind == "answer" {
			return good, nil
		}
		// A referral: the next zone and its servers.
		child := ""
		var nsNames []string
		for _, rr := range good.Ns {
			if ns, ok := rr.(*dns.NS); ok {
				child = dns.CanonicalName(ns.Hdr.Name)
				nsNames = append(nsNames, dns.CanonicalName(ns.Ns))
			}
		}
		glue := map[string][]netip.Addr{}
		for _, rr := range good.Extra {
			var a netip.Addr
			switch r := rr.(type) {
			case *dns.A:
				a, _ = netip.AddrFromSlice(r.A.To4())
			case *dns.AAAA:
				a, _ = netip.AddrFromSlice(r.AAAA)
			default:
				continue
			}
			n := dns.CanonicalName(rr.Header().Name)
			glue[n] = append(glue[n], a)
		}
		var next []nsAddr
		var missing []string
		for _, n := range nsNames {
			as := glue[n]
			if len(as) == 0 {
				missing = append(missing, n)
			}
			for _, a := range as {
				next = append(next, nsAddr{name: n, addr: netip.AddrPortFrom(a, 53)})
			}
		}
		for _, n := range missing {
			if dns.IsSubDomain(child, n) {
				t.mu.Lock()
				lvl.Issues = append(lvl.Issues, DNSIssue{Code: tracer.DNSMissingGlue, Server: n,
					Detail: fmt.Sprintf("%s delegates %s to %s, inside the zone, without glue: it cannot be reached", zone, child, n),
					Blocks: len(next) == 0})
				t.mu.Unlock()
				continue
			}
			if len(next) > 0 || depth >= 2 {
				continue // glue elsewhere is enough; do not chase more
			}
			r, err := t.walk(ctx, res, n, dns.TypeA, depth+1)
			if err != nil {
				return nil, err
			}
			if r != nil {
				for _, rr := range r.Answer {
					if a, ok := rr.(*dns.A); ok {
						ap, _ := netip.AddrFromSlice(a.A.To4())
						next = append(next, nsAddr{name: n, addr: netip.AddrPortFrom(ap, 53)})
					}
				}
			}
		}
		if len(next) == 0 {
			if len(missing) == 0 || !anyIn(child, missing) {
				t.mu.Lock()
				lvl.Issues = append(lvl.Issues, DNSIssue{Code: tracer.DNSLameDelegation,
					Detail: fmt.Sprintf("%s delegates %s to %s, whose addresses cannot be found", zone, child, strings.Join(nsNames, ", ")), Blocks: true})
				t.mu.Unlock()
			}
			return nil, nil
		}
		zone, servers = child, next
	}
	return nil, fmt.Errorf("probe: more than 16 delegations for %s", name)
}

func anyIn(zone string, names []string) bool {
	for _, n := range names {
		if dns.IsSubDomain(zone, n) {
			return true
		}
	}
	return false
}

func (t *dnsTracer) addLevel(zone string, servers []nsAddr) *DNSLevel {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := &DNSLevel{Zone: zone, Servers: make([]DNSServerResult, len(servers))}
	for i, s := range servers {
		l.Servers[i] = DNSServerResult{Name: s.name, Addr: s.addr.String()}
	}
	t.levels = append(t.levels, l)
	return l
}

// classify says what a server's reply is worth at this level: "answer"
// (authoritative, final), "referral" (to a zone below this one, on the way
// to name), or "lame" (anything else: REFUSED, SERVFAIL, not
// authoritative, a referral up or sideways).
func classify(r *dns.Msg, zone, name string) (kind, referral string) {
	switch r.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return "lame", ""
	}
	if r.Authoritative {
		return "answer", ""
	}
	if len(r.Answer) == 0 && r.Rcode == dns.RcodeSuccess {
		for _, rr := range r.Ns {
			if ns, ok := rr.(*dns.NS); ok {
				child := dns.CanonicalName(ns.Hdr.Name)
				if child != dns.CanonicalName(zone) && dns.IsSubDomain(zone, child) && dns.IsSubDomain(child, name) {
					return "referral", child
				}
			}
		}
	}
	return "lame", ""
}

// askLevel asks every server of a level at once and returns the first
// good reply ("answer" or "referral"); the others go on in the background
// and are recorded when they end. With no good reply it returns kind
// "lame" if any server answered, "timeout" if none did.
func (t *dnsTracer) askLevel(ctx context.Context, lvl *DNSLevel, zone, name string, qtype uint16) (*dns.Msg, string) {
	type result struct {
		msg  *dns.Msg
		kind string
	}
	n := len(lvl.Servers)
	ch := make(chan result, n)
	servers := make([]netip.AddrPort, n)
	for i := range lvl.Servers {
		servers[i] = netip.MustParseAddrPort(lvl.Servers[i].Addr)
	}
	for i := range servers {
		t.wg.Add(1)
		go func(i int) {
			defer t.wg.Done()
			q := NewQuery(name, qtype, false)
			rep := Exchange(ctx, servers[i], q, t.o.Timeout)
			t.mu.Lock()
			s := &lvl.Servers[i]
			s.RTTms = ms(rep.RTT)
			s.Ignored = rep.Ignored
			kind := "timeout"
			if rep.Msg == nil {
				s.Error = errText(rep.Err)
				if !errors.Is(rep.Err, errTimeout) {
					kind = "lame"
				}
			} else {
				s.msg = rep.Msg
				s.Rcode = RcodeName(rep.Msg.Rcode)
				s.Flags = Flags(rep.Msg)
				s.Answers = RRStrings(rep.Msg.Answer)
				kind, s.Referral = classify(rep.Msg, zone, name)
				s.Lame = kind == "lame"
				if s.Lame {
					why := "answers without authority and refers nowhere below " + zone
					if rep.Msg.Rcode != dns.RcodeSuccess && rep.Msg.Rcode != dns.RcodeNameError {
						why = "answers " + s.Rcode
					}
					lvl.Issues = append(lvl.Issues, DNSIssue{Code: tracer.DNSLameDelegation, Server: s.Addr,
						Detail: fmt.Sprintf("%s is lame for %s: it %s", s.Addr, zone, why)})
				}
			}
			if kind == "timeout" && ctx.Err() == nil {
				lvl.Issues = append(lvl.Issues, DNSIssue{Code: tracer.DNSTimeout, Server: s.Addr,
					Detail: fmt.Sprintf("%s (a server for %s) did not answer: %s", s.Addr, zone, s.Error)})
			}
			t.mu.Unlock()
			ch <- result{rep.Msg, kind}
			if kind == "answer" {
				t.compareFinal(lvl)
			}
		}(i)
	}
	worst := "timeout"
	for range n {
		r := <-ch
		switch r.kind {
		case "answer", "referral":
			t.mu.Lock()
			for i := range lvl.Servers {
				if lvl.Servers[i].msg == r.msg {
					lvl.Used = lvl.Servers[i].Addr
				}
			}
			t.mu.Unlock()
			return r.msg, r.kind
		case "lame":
			worst = "lame"
		}
	}
	return nil, worst
}

// compareFinal notes authoritative servers of one zone that disagree, once
// every server of the level has answered.
func (t *dnsTracer) compareFinal(lvl *DNSLevel) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var first *DNSServerResult
	for i := range lvl.Servers {
		s := &lvl.Servers[i]
		if s.msg == nil && s.Error == "" {
			return // not everyone has answered yet; the last one compares
		}
	}
	for _, is := range lvl.Issues {
		if is.Code == tracer.DNSServersDisagree {
			return
		}
	}
	for i := range lvl.Servers {
		s := &lvl.Servers[i]
		if s.msg == nil || !s.msg.Authoritative {
			continue
		}
		if first == nil {
			first = s
			continue
		}
		if s.Rcode != first.Rcode || !sameRRs(s.Answers, first.Answers) {
			lvl.Issues = append(lvl.Issues, DNSIssue{Code: tracer.DNSServersDisagree, Server: s.Addr,
				Detail: fmt.Sprintf("authoritative servers for %s disagree: %s says %s %v, %s says %s %v",
					lvl.Zone, first.Addr, first.Rcode, first.Answers, s.Addr, s.Rcode, s.Answers)})
			return
		}
	}
}

// sameRRs compares two answer sections ignoring order and TTLs.
func sameRRs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	strip := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			f := strings.Fields(s)
			if len(f) > 1 {
				f = append(f[:1], f[2:]...) // drop the TTL
			}
			out[i] = strings.ToLower(strings.Join(f, " "))
		}
		sort.Strings(out)
		return out
	}
	x, y := strip(a), strip(b)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errTimeout):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (ICMP port unreachable, or RST over TCP)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	}
	return err.Error()
}
