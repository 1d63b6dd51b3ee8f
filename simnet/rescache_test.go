package simnet

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer"
)

func hasCode(hops []tracer.Hop, c tracer.Code) bool {
	for _, h := range hops {
		if h.Code == c {
			return true
		}
	}
	return false
}

// fromCacheHops reports an answer given from a resolver's cache: a hop
// worded as one (DNS_CACHED, or the negative answer's own code).
func fromCacheHops(hops []tracer.Hop) bool {
	for _, h := range hops {
		if _, ok := h.Say.(sayDNSCached); ok {
			return true
		}
	}
	return false
}

func ttlOf(m *dns.Msg, owner string, t uint16) int {
	for _, rr := range append(m.Answer, m.Ns...) {
		if rr.Header().Name == owner && rr.Header().Rrtype == t {
			return int(rr.Header().Ttl)
		}
	}
	return -1
}

// TestResolverCache: a caching resolver keeps an answer for its TTL (RFC
// 1035 section 3.2.1; RFC 2181 section 5.2, an RRset's TTL is the least of
// its records', and a CNAME chain's answer goes stale with its shortest
// TTL) and hands it out with the TTL counted down, as dig shows it; a
// negative answer is kept for the lesser of the SOA's TTL and its MINIMUM
// (RFC 2308 section 5; Route 53's SOA: TTL 900, minimum 86400, so 900 s);
// a failure (SERVFAIL) is not kept here (RFC 2308 section 7.1 allows at
// most five minutes and does not require it).
func TestResolverCache(t *testing.T) {
	shop, err := LoadBuiltin("shop")
	if err != nil {
		t.Fatal(err)
	}
	lame, err := Load(filepath.Join(repoRoot, "testdata", "worlds", "codes", "DNS_LAME_DELEGATION.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t0 := shop.Clock
	type ask struct {
		after  time.Duration // since the first question
		cached bool          // answered from the cache
		owner  string        // a record whose TTL is checked
		rtype  uint16
		ttl    int
	}
	for _, tc := range []struct {
		name  string
		w     *World
		from  string
		q     string
		rcode int
		asks  []ask
	}{
		{name: "answer kept for its least TTL", w: shop, from: "browser", q: "shop.example.com", asks: []ask{
			{0, false, "web-lb.example.com.", dns.TypeA, 60},
			{10 * time.Second, true, "web-lb.example.com.", dns.TypeA, 50},
			{10 * time.Second, true, "shop.example.com.", dns.TypeCNAME, 290},
			{59 * time.Second, true, "web-lb.example.com.", dns.TypeA, 1},
			{60 * time.Second, false, "shop.example.com.", dns.TypeCNAME, 300},
		}},
		{name: "NXDOMAIN kept for the SOA's negative TTL", w: shop, from: "browser", q: "nosuch.example.com", rcode: dns.RcodeNameError, asks: []ask{
			{0, false, "example.com.", dns.TypeSOA, 900},
			{899 * time.Second, true, "example.com.", dns.TypeSOA, 1},
			{900 * time.Second, false, "example.com.", dns.TypeSOA, 900},
		}},
		{name: "the VPC resolver caches a private zone's answer", w: shop, from: "app-1", q: "db.internal.shop", asks: []ask{
			{0, false, "db.internal.shop.", dns.TypeA, 60},
			{30 * time.Second, true, "db.internal.shop.", dns.TypeA, 30},
			{61 * time.Second, false, "db.internal.shop.", dns.TypeA, 60},
		}},
		{name: "SERVFAIL is not kept", w: lame, from: "browser", q: "shop.example.com", rcode: dns.RcodeServerFailure, asks: []ask{
			{0, false, "", 0, 0},
			{time.Second, false, "", 0, 0},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewResolverCache()
			start := t0
			for i, a := range tc.asks {
				n, err := tc.w.From(tc.from)
				if err != nil {
					t.Fatal(err)
				}
				n.Cache, n.Now = c, start.Add(a.after)
				ans, err := n.Resolve(context.Background(), tc.q, dns.TypeA)
				if err != nil {
					t.Fatal(err)
				}
				if ans.Rcode != tc.rcode {
					t.Errorf("ask %d: rcode %d; want %d", i, ans.Rcode, tc.rcode)
				}
				if got := fromCacheHops(ans.Hops); got != a.cached {
					t.Errorf("ask %d at +%s: cached = %v; want %v", i, a.after, got, a.cached)
				}
				if a.cached && tc.rcode == dns.RcodeSuccess && !hasCode(ans.Hops, tracer.DNSCached) {
					t.Errorf("ask %d: a cached answer has no DNS_CACHED hop", i)
				}
				if a.owner != "" {
					if got := ttlOf(ans.Msg, a.owner, a.rtype); got != a.ttl {
						t.Errorf("ask %d at +%s: TTL of %s %s = %d; want %d", i, a.after, a.owner, dns.TypeToString[a.rtype], got, a.ttl)
					}
				}
				if a.cached && tc.rcode == dns.RcodeNameError {
					// the negative answer from the cache still blocks, with
					// the code the zone gave
					blocks := false
					for _, h := range ans.Hops {
						if h.Blocks && h.Code == tracer.DNSNXDomain && h.Kind == tracer.KindResolver {
							blocks = true
						}
					}
					if !blocks {
						t.Errorf("ask %d: a cached NXDOMAIN does not block with DNS_NXDOMAIN: %v", i, ans.Hops)
					}
				}
			}
		})
	}
}

// TestResolverCacheOutlivesFix: the world is immutable and a fix compiles
// a new one, but a resolver keeps what it learnt: the corrected record
// shows only when the old answer's TTL has run out. A one-shot trace
// starts with a cold cache and sees the fix at once.
func TestResolverCacheOutlivesFix(t *testing.T) {
	w, err := LoadBuiltin("shop")
	if err != nil {
		t.Fatal(err)
	}
	c := NewResolverCache()
	t0 := w.Clock
	target := mustTarget(t, "tcp://db.internal.shop:5432")
	r, err := w.TraceCached(context.Background(), "app-1", target, c, t0)
	if err != nil || !r.Delivered() {
		t.Fatalf("before: %v %v", err, r)
	}
	// The record is pointed at an address nothing uses.
	s := w.Spec()
	e, err := spec.ParseEdit("dns internal.shop set db A 10.0.20.99")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(s); err != nil {
		t.Fatal(err)
	}
	w2, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		w         *World
		after     time.Duration
		cache     bool
		delivered bool
	}{
		{w2, 30 * time.Second, true, true},   // the cached (old, right) answer
		{w2, 30 * time.Second, false, false}, // a cold trace sees the new record
		{w2, 60 * time.Second, true, false},  // TTL 60 over: the new record
	} {
		cc := c
		if !tc.cache {
			cc = nil
		}
		r, err := tc.w.TraceCached(context.Background(), "app-1", target, cc, t0.Add(tc.after))
		if err != nil {
			t.Fatal(err)
		}
		if r.Delivered() != tc.delivered {
			t.Errorf("+%s cache=%v: delivered = %v; want %v", tc.after, tc.cache, r.Delivered(), tc.delivered)
		}
	}
	if got := c.Entries(t0.Add(61 * time.Second)); len(got) != 1 || got[0].Answer != "db.internal.shop. A 10.0.20.99" {
		t.Errorf("entries after the TTL: %+v; want the new answer only", got)
	}
	if end, ok := c.Expiry("prod-resolver", "db.internal.shop", dns.TypeA, t0.Add(61*time.Second)); !ok || end != t0.Add(120*time.Second) {
		t.Errorf("expiry = %v %v; want %v", end, ok, t0.Add(120*time.Second))
	}
}
