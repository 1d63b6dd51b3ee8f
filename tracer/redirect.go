package tracer

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// FollowRedirects follows the redirects a report's request was answered
// with, as curl -L does: each Location is a new request (DNS, TCP, TLS,
// HTTP) whose stages join the report numbered by Stage.Redirect. It stops
// at the first answer that is not a redirect, at a request that breaks,
// at a Location that comes back to a URL already requested (a loop, which
// a client would follow until its limit), and after max redirects (curl's
// --max-redirs, 50 by default: MaxRedirects); the last two add a
// REDIRECT_LOOP hop.
func FollowRedirects(ctx context.Context, n Network, r *Report, from string, max int) error {
	cur := r.Request
	seen := map[string]bool{targetKey(cur): true}
	for k := 0; ; k++ {
		last := &r.Stages[len(r.Stages)-1]
		if last.Name != StageHTTP || last.Location == "" || last.Verdict != StageOK {
			return nil
		}
		next, err := resolveLocation(cur, last.Location)
		if err != nil {
			last.Hops = append(last.Hops, Hop{Component: cur.Host, Kind: KindHTTPServer, Direction: Return, Action: ActRedirect, Code: HTTPError, Blocks: true,
				Detail: fmt.Sprintf("the redirect's Location %q is not a URL a client can follow: %v", last.Location, err)})
			last.Verdict = StageBroken
			r.Finish()
			return nil
		}
		stop := ""
		switch {
		case seen[targetKey(next)]:
			stop = fmt.Sprintf("the redirect to %s comes back to a URL already requested: a redirect loop, which a client follows until its limit (curl -L: 'Maximum (%d) redirects followed')", last.Location, MaxRedirects)
		case k >= max:
			stop = fmt.Sprintf("%d redirects followed and the answer is another one, to %s: the client gives up (curl -L: 'Maximum (%d) redirects followed')", k, last.Location, max)
		}
		if stop != "" {
			comp := cur.Host
			if len(last.Hops) > 0 {
				comp = last.Hops[len(last.Hops)-1].Component
			}
			last.Hops = append(last.Hops, Hop{Component: comp, Kind: KindLoadBalancer, Direction: Return, Action: ActRedirect, Code: RedirectLoop, Blocks: true,
				Detail: stop, Advice: "make one of the redirects answer instead of sending the client on: a redirect must change protocol, host, port or path towards a URL that is served"})
			last.Verdict = StageBroken
			r.Finish()
			return nil
		}
		seen[targetKey(next)] = true
		sub, err := Diagnose(ctx, n, next, from)
		if err != nil {
			return err
		}
		for i := range sub.Stages {
			sub.Stages[i].Redirect, sub.Stages[i].URL = k+1, next.String()
		}
		r.Stages = append(r.Stages, sub.Stages...)
		r.Finish()
		cur = next
	}
}

// resolveLocation reads a Location header against the request it answers
// (RFC 9110, section 10.2.2: a relative reference resolves against the
// target URI).
func resolveLocation(base Target, loc string) (Target, error) {
	bu := &url.URL{Scheme: base.Scheme, Host: base.Host + ":" + strconv.Itoa(int(base.Port)), Path: base.Path}
	u, err := url.Parse(loc)
	if err != nil {
		return Target{}, err
	}
	u = bu.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		return Target{}, fmt.Errorf("scheme %q", u.Scheme)
	}
	if u.Host == "" || u.Opaque != "" {
		return Target{}, fmt.Errorf("no host")
	}
	t, err := ParseTarget(u.String())
	if err == nil && t.Scheme != u.Scheme {
		err = fmt.Errorf("not an %s URL", u.Scheme)
	}
	return t, err
}

// targetKey is a request's URL with its default port spelled out, so that
// https://a/ and https://a:443/ are the same.
func targetKey(t Target) string {
	return t.Scheme + "://" + strings.ToLower(t.Host) + ":" + strconv.Itoa(int(t.Port)) + t.Path
}
