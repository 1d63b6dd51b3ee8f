package simnet

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// Resolver caches (issue 11, Route 53): a recursive resolver keeps each
// answer for its TTL (RFC 1035 section 3.2.1, "the time interval that the
// resource record may be cached before the source of the information
// should again be consulted"; RFC 2181 section 5.2: an RRset's TTL is the
// least of its records'), and a negative answer (NXDOMAIN, NODATA) for the
// lesser of the SOA record's TTL and its MINIMUM field (RFC 2308 section
// 5; Route 53 Developer Guide, "NS and SOA records that Amazon Route 53
// creates for a public hosted zone": the minimum "TTL for negative
// responses"). A SERVFAIL or a timeout is not kept: resolvers may keep
// server failures for up to five minutes (RFC 2308 section 7.1) but are
// not required to, and the trainer does not.
//
// A World is immutable and its own lookup cache (dnscache.go) only saves
// the work of walking the zones again; a ResolverCache is what the
// resolvers learnt during a session, on the session's clock. It is kept
// across fixes: a fix recompiles the world, but the resolvers keep what
// they learnt, so a corrected record shows only once the old answer's TTL
// has run out. The Route 53 Resolver (the VPC resolver) cannot be flushed
// by a customer; a host's own stub cache (systemd-resolved) could, but
// worlds model none.

// ResolverCache holds the answers the world's recursive resolvers (the
// VPC resolvers and the internet resolvers) have cached, by resolver.
// The zero value is not usable: use NewResolverCache. It is safe for
// concurrent use.
type ResolverCache struct {
	mu sync.Mutex
	m  map[cacheKey]*cacheEntry
}

type cacheKey struct {
	server string
	name   string
	qtype  uint16
}

type cacheEntry struct {
	res *lookupResult
	at  time.Time // when the resolver learnt it, on the session's clock
	ttl uint32
}

// maxCacheEntries bounds a session's cache (a shell may ask any number of
// names).
const maxCacheEntries = 4096

// NewResolverCache returns an empty cache: every resolver starts cold.
func NewResolverCache() *ResolverCache {
	return &ResolverCache{m: map[cacheKey]*cacheEntry{}}
}

// CachedRecord is one answer a resolver holds, for views (show cache).
type CachedRecord struct {
	Resolver string
	Name     string
	Type     string
	Answer   string        // the answer's words
	Left     time.Duration // how long the resolver keeps it still
}

// Entries lists what the cache holds at now, live entries only, sorted
// by resolver and name.
func (c *ResolverCache) Entries(now time.Time) []CachedRecord {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []CachedRecord
	for k, e := range c.m {
		left := e.at.Add(time.Duration(e.ttl) * time.Second).Sub(now)
		if left <= 0 {
			continue
		}
		out = append(out, CachedRecord{Resolver: k.server, Name: k.name, Type: dns.TypeToString[k.qtype], Answer: e.res.summary, Left: left})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Resolver != out[j].Resolver {
			return out[i].Resolver < out[j].Resolver
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// Len is the number of entries held, expired ones included.
func (c *ResolverCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *ResolverCache) get(k cacheKey, now time.Time) (*cacheEntry, uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e == nil {
		return nil, 0
	}
	age := now.Sub(e.at)
	if age < 0 {
		age = 0
	}
	if age >= time.Duration(e.ttl)*time.Second {
		delete(c.m, k) // expired: the resolver asks again
		return nil, 0
	}
	return e, uint32(age / time.Second)
}

func (c *ResolverCache) put(k cacheKey, res *lookupResult, now time.Time) {
	ttl, ok := cacheTTL(res)
	if !ok || ttl == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCacheEntries {
		return
	}
	c.m[k] = &cacheEntry{res: res, at: now, ttl: ttl}
}

// cacheTTL is how long a resolver keeps an answer: the least TTL of the
// answer's records (the CNAMEs of a chain included), or for a negative
// answer the lesser of the SOA's TTL and MINIMUM. Failures are not kept.
func cacheTTL(res *lookupResult) (uint32, bool) {
	switch {
	case res.rcode == dns.RcodeSuccess && len(res.answer) > 0:
		ttl := res.answer[0].Header().Ttl
		for _, rr := range res.answer[1:] {
			ttl = min(ttl, rr.Header().Ttl)
		}
		return ttl, true
	case res.rcode == dns.RcodeSuccess || res.rcode == dns.RcodeNameError:
		for _, rr := range res.authNS {
			if soa, ok := rr.(*dns.SOA); ok {
				return min(soa.Hdr.Ttl, soa.Minttl), true
			}
		}
	}
	return 0, false
}

// negative reports a cached answer without addresses for the question.
func (r *lookupResult) negative() bool {
	return r.rcode != dns.RcodeSuccess || len(r.answer) == 0
}

// sayDNSCached words a resolver's answer from its cache.
type sayDNSCached struct{}

func (sayDNSCached) Say(h *tracer.Hop) string {
	c := h.Ref.(*cachedAsk)
	left := c.ttl - c.age
	what := "answer"
	if c.res.negative() {
		what = "negative answer (" + strings.TrimSuffix(negWord(c.res), " ") + ", kept for the SOA's negative TTL, RFC 2308)"
	}
	return fmt.Sprintf("%s answers from its cache, without asking the zone: the %s it learnt %d s ago, kept %d s more (TTL %d): %s",
		c.res.server, what, c.age, left, c.ttl, c.res.summary)
}

func negWord(r *lookupResult) string {
	if r.rcode == dns.RcodeNameError {
		return "NXDOMAIN"
	}
	return "NODATA"
}

type cachedAsk struct {
	res      *lookupResult
	age, ttl uint32
}

// fromCache answers a question from the session's cache: the query hop,
// one hop that says the answer is cached (blocking, with the original
// code, when the cached answer is negative), and the answer hop, with the
// records' TTLs counted down by the answer's age, as a caching resolver
// gives them.
func (n *Net) fromCache(e *cacheEntry, age uint32, kind tracer.Kind, serverAddr netip.Addr, q string, qtype uint16) *tracer.Answer {
	res := e.res
	ask := &dnsAsk{from: n.from.name, res: res}
	cached := &cachedAsk{res: res, age: age, ttl: e.ttl}
	ch := tracer.Hop{Component: res.server, Kind: kind, Direction: tracer.Forward, Action: tracer.ActAnswer, Code: tracer.DNSCached,
		Say: sayDNSCached{}, Ref: cached}
	if res.negative() {
		// The failure the resolver learnt, from its cache: the same code,
		// and the same advice (the fix shows once the negative TTL ends).
		for _, h := range res.hops {
			if h.Blocks {
				ch.Code, ch.Blocks, ch.Advice = h.Code, true, h.Advice
				ch.DNS = h.DNS
			}
		}
	}
	hops := []tracer.Hop{
		{Component: res.server, Kind: kind, Direction: tracer.Forward, Action: tracer.ActQuery, Code: tracer.DNSQuery, Say: sayDNSQuery{}, Ref: ask},
		ch,
		{Component: res.server, Kind: kind, Direction: tracer.Return, Action: tracer.ActAnswer, Code: tracer.DNSAnswer, Say: sayDNSAnswer{}, Ref: ask},
	}
	ans := &tracer.Answer{Name: q, Type: qtype, Rcode: res.rcode, Server: res.server, RTT: n.rtt(serverAddr) / 8,
		CNAMEs: slices.Clip(res.cnames), Addrs: slices.Clip(res.addrs), Hops: hops}
	m := newQuery(q, qtype, queryID(q, qtype))
	m.Response, m.RecursionAvailable, m.Rcode = true, true, res.rcode
	m.Answer = countDown(res.answer, age)
	m.Ns = countDown(res.authNS, age)
	ans.Msg = m
	return ans
}

// countDown copies records with their TTLs lowered by age seconds.
func countDown(rrs []dns.RR, age uint32) []dns.RR {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		c := dns.Copy(rr)
		h := c.Header()
		if h.Ttl > age {
			h.Ttl -= age
		} else {
			h.Ttl = 0
		}
		out[i] = c
	}
	return out
}

// Clone returns a copy of the cache: a look that must not teach the
// resolvers anything (the judge's) asks the copy.
func (c *ResolverCache) Clone() *ResolverCache {
	out := NewResolverCache()
	if c == nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		out.m[k] = e
	}
	return out
}

// Expiry is when the answer the named resolver keeps for name and qtype
// runs out, and whether it keeps one at now.
func (c *ResolverCache) Expiry(resolver, name string, qtype uint16, now time.Time) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[cacheKey{server: resolver, name: fqdn(name), qtype: qtype}]
	if e == nil {
		return time.Time{}, false
	}
	end := e.at.Add(time.Duration(e.ttl) * time.Second)
	return end, now.Before(end)
}

// TraceCached is Trace with the resolvers' session cache at now: a name
// whose answer a resolver keeps is answered from it.
func (w *World) TraceCached(ctx context.Context, from string, target tracer.Target, c *ResolverCache, now time.Time) (*tracer.Report, error) {
	if from == "" {
		from = w.DefaultFrom()
	}
	n, err := w.From(from)
	if err != nil {
		return nil, err
	}
	n.Cache, n.Now = c, now
	r, err := tracer.Diagnose(ctx, n, target, from)
	if err != nil {
		return nil, err
	}
	r.World = w.Name
	return r, nil
}

// ResolverName is the recursive resolver the vantage point asks: its
// VPC's resolver (VPC-resolver), or an internet resolver's name.
func (n *Net) ResolverName() string {
	_, server, _ := n.resolverOf()
	return server
}
