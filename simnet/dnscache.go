package simnet

import (
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// A World is immutable, so a recursive lookup from a resolver gives the
// same walk every time: the World resolves each question once per
// resolver and keeps the result, as it keeps its health checks. Only the
// hops that name who asked are made per query, and their words are
// rendered when a view asks (sayDNSQuery, sayDNSAnswer).

// maxCachedLookups bounds the lookups a World keeps (a shell session may
// ask for any number of names).
const maxCachedLookups = 4096

type lookupKey struct {
	v      *vpc
	server string
	name   string
	qtype  uint16
}

// lookupResult is one resolver's walk for a question.
type lookupResult struct {
	q          string // the question's name, fully qualified
	qtype      uint16
	server     string
	serverAddr string
	rcode      int
	hops       []tracer.Hop // the walk, without the query and answer hops
	answer     []dns.RR
	authNS     []dns.RR
	summary    string // the answer hop's words after the colon
	cnames     []string
	addrs      []netip.Addr
}

type lookupCache struct {
	mu sync.Mutex
	m  map[lookupKey]*lookupResult
}

func (c *lookupCache) get(k lookupKey) *lookupResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *lookupCache) put(k lookupKey, r *lookupResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[lookupKey]*lookupResult{}
	}
	if len(c.m) < maxCachedLookups {
		c.m[k] = r
	}
}

// dnsAsk is who asked a question and the walk that answered it: the Ref
// of a lookup's query and answer hops.
type dnsAsk struct {
	from string
	res  *lookupResult
}

type sayDNSQuery struct{}

func (sayDNSQuery) Say(h *tracer.Hop) string {
	a := h.Ref.(*dnsAsk)
	return a.from + " asks " + a.res.server + " (" + a.res.serverAddr + ") for " + a.res.q + " " + dns.TypeToString[a.res.qtype]
}

type sayDNSAnswer struct{}

func (sayDNSAnswer) Say(h *tracer.Hop) string {
	a := h.Ref.(*dnsAsk)
	return a.res.server + " answers " + a.from + ": " + a.res.summary
}

// summarize is the answer hop's words for a finished lookup.
func (r *resolution) summarize() string {
	summary := dns.RcodeToString[r.rcode]
	if r.rcode == dns.RcodeSuccess {
		if len(r.answer) == 0 {
			summary = "NOERROR, no records (NODATA)"
		} else {
			var parts []string
			for _, rr := range r.answer {
				parts = append(parts, rrShort(rr))
			}
			summary = strings.Join(parts, "; ")
		}
	}
	return summary
}
