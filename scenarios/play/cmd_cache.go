package play

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// The resolvers' caches (simnet/rescache.go) live as long as the session:
// a fix recompiles the world, but the resolvers keep what they learnt, so
// a corrected record shows once the old answer's TTL has run out. The
// session's clock (the world's clock plus the simulated time the commands
// took) moves with sleep and wait:
//
//	sleep DURATION...      as coreutils sleep: 30, 90s, 5m, 1h (summed)
//	wait                   until every answer this host's resolver keeps has expired
//	wait NAME [TYPE]       until the answer it keeps for NAME (type A unless named) expires
//	wait DURATION          as sleep
//
// resolvectl flush-caches flushes a host's own systemd-resolved cache; the
// worlds model none, and the VPC resolver (the Route 53 Resolver) cannot
// be flushed by a customer, so the command says so.

var cacheCommands = []*command{
	{name: "sleep", kind: "other", usage: "sleep SECONDS[s|m|h|d]...", summary: "let time pass (the world's clock moves on: cached DNS answers age and expire)", run: (*Shell).sleepCmd},
	{name: "wait", kind: "other", usage: "wait [NAME [TYPE] | DURATION]", summary: "let time pass until the cached DNS answer for NAME (without one: every answer this host's resolver keeps) expires", run: (*Shell).waitCmd},
	{name: "resolvectl", kind: "other", usage: "resolvectl flush-caches", summary: "flush this host's local DNS cache (the VPC resolver's cache cannot be flushed)", run: (*Shell).resolvectl},
}

// parseSleep reads coreutils sleep's arguments: numbers with an optional
// unit (s, m, h, d), summed.
func parseSleep(args []string) (time.Duration, error) {
	if len(args) == 0 {
		return 0, fmt.Errorf("missing operand\nTry 'sleep --help' for more information.")
	}
	var total time.Duration
	for _, a := range args {
		unit := time.Second
		num := a
		switch {
		case strings.HasSuffix(a, "s"):
			num = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			num, unit = strings.TrimSuffix(a, "m"), time.Minute
		case strings.HasSuffix(a, "h"):
			num, unit = strings.TrimSuffix(a, "h"), time.Hour
		case strings.HasSuffix(a, "d"):
			num, unit = strings.TrimSuffix(a, "d"), 24*time.Hour
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || !(f >= 0 && f*unit.Seconds() <= 1e7) { // at most about 115 days; not NaN
			return 0, fmt.Errorf("invalid time interval '%s'\nTry 'sleep --help' for more information.", a)
		}
		total += time.Duration(f * float64(unit))
		if total.Seconds() > 1e7 {
			return 0, fmt.Errorf("invalid time interval '%s': the intervals add up to more than 10000000 seconds\nTry 'sleep --help' for more information.", a)
		}
	}
	return total, nil
}

func (s *Shell) sleepCmd(_ context.Context, args []string) error {
	d, err := parseSleep(args)
	if err != nil {
		return err
	}
	s.elapsed += d
	return nil
}

// hostResolver is the recursive resolver the current host asks.
func (s *Shell) hostResolver() string {
	if s.world == nil {
		return ""
	}
	n, err := s.world.From(s.Host())
	if err != nil {
		return ""
	}
	return n.ResolverName()
}

func (s *Shell) waitCmd(_ context.Context, args []string) error {
	if s.live != nil {
		return fmt.Errorf("a live shell runs on the real clock; the caches are the real ones")
	}
	if len(args) == 1 {
		if d, err := parseSleep(args); err == nil {
			s.elapsed += d
			s.printf("waited %s; the clock is now %s\n", d, s.now().UTC().Format(time.RFC3339))
			return nil
		}
	}
	if len(args) > 2 {
		return badUsage("wait [NAME [TYPE] | DURATION]")
	}
	resolver := s.hostResolver()
	now := s.now()
	var until time.Time
	var what []string
	if len(args) == 0 {
		for _, e := range s.cache.Entries(now) {
			if e.Resolver != resolver {
				continue
			}
			if end := now.Add(e.Left); end.After(until) {
				until = end
			}
			what = append(what, fmt.Sprintf("%s %s (%s)", strings.TrimSuffix(e.Name, "."), e.Type, e.Answer))
		}
		if len(what) == 0 {
			s.printf("%s keeps no answers now: nothing to wait for\n", resolver)
			return nil
		}
	} else {
		qtype := dns.TypeA
		if len(args) == 2 {
			t, ok := digTypes[strings.ToUpper(args[1])]
			if !ok {
				return fmt.Errorf("%q is not a record type (A, AAAA, CNAME, MX, TXT, ...)", args[1])
			}
			qtype = t
		}
		end, ok := s.cache.Expiry(resolver, args[0], qtype, now)
		if !ok {
			s.printf("%s keeps no answer for %s %s now: the next query asks the zone\n", resolver, strings.TrimSuffix(dns.Fqdn(args[0]), "."), dns.TypeToString[qtype])
			return nil
		}
		until = end
		what = append(what, strings.TrimSuffix(dns.Fqdn(args[0]), ".")+" "+dns.TypeToString[qtype])
	}
	d := until.Sub(now).Round(time.Second)
	if until.After(now.Add(d)) {
		d += time.Second
	}
	s.elapsed += d
	s.printf("waited %s: %s no longer keeps %s; the next query asks the zone again\n", d, resolver, strings.Join(what, ", "))
	return nil
}

func (s *Shell) resolvectl(_ context.Context, args []string) error {
	if len(args) != 1 || args[0] != "flush-caches" {
		return badUsage("resolvectl flush-caches (the other verbs are not modelled)")
	}
	if s.live != nil {
		return fmt.Errorf("run it in the lab host (exec HOST resolvectl flush-caches)")
	}
	// resolvectl prints nothing when it succeeds; the note is the
	// trainer's, in parentheses.
	resolver := s.hostResolver()
	if strings.HasSuffix(resolver, "-resolver") {
		s.printf("(%s keeps no local DNS cache in this world, so there is nothing to flush here. Its resolver, %s, is the Route 53 Resolver of the VPC: it caches answers for their TTL, and AWS offers no way for a customer to flush it. A corrected record shows once the old answer expires: wait %s)\n",
			s.Host(), resolver, "NAME")
		return nil
	}
	s.printf("(%s keeps no local DNS cache in this world, so there is nothing to flush here. Its resolver, %s, keeps its own cache, which you cannot flush from this host; answers expire with their TTL: wait NAME)\n", s.Host(), resolver)
	return nil
}

// staleCache reports, after a fix the judge passes, whether the headline
// request still fails for the clients because a resolver keeps the old
// answer: then the words to say and how long is left.
func (s *Shell) staleCache(ctx context.Context) (string, time.Duration) {
	if s.live != nil || s.cache.Len() == 0 || s.setup == nil {
		return "", 0
	}
	if cold, err := s.world.Trace(ctx, s.setup.From, s.setup.Target); err != nil || !cold.Delivered() {
		return "", 0 // the world itself still fails: the cache hides nothing
	}
	now := s.now()
	r, err := s.world.TraceCached(ctx, s.setup.From, s.setup.Target, s.cache.Clone(), now)
	if err != nil || r.Delivered() {
		return "", 0
	}
	resolver := ""
	n, err := s.world.From(s.setup.From)
	if err == nil {
		resolver = n.ResolverName()
	}
	host := s.setup.Target.Host
	end, ok := s.cache.Expiry(resolver, host, dns.TypeA, now)
	if !ok {
		return "", 0
	}
	left := end.Sub(now).Round(time.Second)
	return fmt.Sprintf("the fix is right (the world answers %s correctly now), but %s still gives %s the answer it cached before the fix for %s more: until it expires the request fails as before (%s). Wait it out (wait %s) and check again.",
		host, resolver, s.setup.From, left, brokenWords(r.BrokenAt), host), left
}

func brokenWords(b *tracer.Break) string {
	if b == nil {
		return "not delivered"
	}
	return fmt.Sprintf("broken at %s: %s", b.Component, b.Code)
}

// seedCache starts the session's cache with what the ticket's request
// taught its resolver: the client asked before the session began, so its
// resolver keeps that answer (a stale one, where the record is wrong) for
// its TTL.
func seedCache(st *scenarios.Setup, w *simnet.World) *simnet.ResolverCache {
	c := simnet.NewResolverCache()
	if st == nil || w == nil || st.Target.Host == "" {
		return c
	}
	if _, err := netip.ParseAddr(st.Target.Host); err == nil {
		return c
	}
	n, err := w.From(st.From)
	if err != nil {
		return c
	}
	n.Cache, n.Now = c, w.Clock
	_, _ = n.Resolve(context.Background(), st.Target.Host, dns.TypeA)
	return c
}
