package probe

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// HTTPTimings are cumulative times from the start of one request, as
// curl -w reports them: time_namelookup, time_connect, time_appconnect,
// time_starttransfer and time_total.
type HTTPTimings struct {
	DNS         time.Duration `json:"-"`
	Connect     time.Duration `json:"-"`
	TLS         time.Duration `json:"-"`
	FirstByte   time.Duration `json:"-"`
	Total       time.Duration `json:"-"`
	DNSms       float64       `json:"dns_ms"`
	Connectms   float64       `json:"connect_ms"`
	TLSms       float64       `json:"tls_ms,omitempty"`
	FirstByteMs float64       `json:"first_byte_ms"`
	TotalMs     float64       `json:"total_ms"`
}

func (t *HTTPTimings) fill() {
	t.DNSms, t.Connectms, t.TLSms, t.FirstByteMs, t.TotalMs = ms(t.DNS), ms(t.Connect), ms(t.TLS), ms(t.FirstByte), ms(t.Total)
}

// HTTPStep is one request of a fetch (one per redirect).
type HTTPStep struct {
	URL         string              `json:"url"`
	Addr        string              `json:"addr,omitempty"`
	Status      int                 `json:"status,omitempty"`
	StatusText  string              `json:"status_text,omitempty"`
	Proto       string              `json:"proto,omitempty"`
	Location    string              `json:"location,omitempty"`
	TLSVersion  string              `json:"tls_version,omitempty"`
	Certificate *tracer.Certificate `json:"certificate,omitempty"`
	Timings     HTTPTimings         `json:"timings"`
	// BodyStalled is set when the headers came but the body stalled or
	// was cut short (Code is then HTTP_BODY_STALLED or MTU_BLACKHOLE).
	BodyStalled bool `json:"body_stalled,omitempty"`
	// Code and Detail say why this step failed, if it did.
	Code   tracer.Code `json:"code,omitempty"`
	Detail string      `json:"detail,omitempty"`
}

// FetchResult is a fetch with its redirects.
type FetchResult struct {
	Steps []HTTPStep `json:"steps"`
	OK    bool       `json:"ok"`
}

// Fetch requests rawURL over n, following up to maxRedirects redirects,
// and times each step's DNS, connect, TLS and first byte.
func Fetch(ctx context.Context, n *Network, rawURL string, maxRedirects int) (*FetchResult, error) {
	res := &FetchResult{Steps: []HTTPStep{}}
	cur := rawURL
	for range maxRedirects + 1 {
		t, err := tracer.ParseTarget(cur)
		if err != nil {
			return res, err
		}
		if t.Scheme != "http" && t.Scheme != "https" {
			return res, fmt.Errorf("probe: %s is not an http or https URL", cur)
		}
		step, err := fetchOne(ctx, n, t)
		res.Steps = append(res.Steps, step)
		if err != nil || step.Code != "" {
			return res, err
		}
		if step.Status < 300 || step.Status >= 400 || step.Location == "" {
			res.OK = step.Status > 0 && step.Status < 400
			return res, nil
		}
		base, err := url.Parse(cur)
		if err != nil {
			return res, err
		}
		next, err := base.Parse(step.Location)
		if err != nil {
			return res, fmt.Errorf("probe: bad redirect %q: %w", step.Location, err)
		}
		cur = next.String()
	}
	last := &res.Steps[len(res.Steps)-1]
	last.Code, last.Detail = tracer.HTTPStatus, fmt.Sprintf("more than %d redirects", maxRedirects)
	return res, nil
}

func fetchOne(ctx context.Context, n *Network, t tracer.Target) (step HTTPStep, err error) {
	step.URL = t.String()
	start := time.Now()
	defer func() {
		step.Timings.Total = time.Since(start)
		step.Timings.fill()
	}()
	fail := func(hops []tracer.Hop) {
		for _, h := range hops {
			if h.Blocks {
				step.Code, step.Detail = h.Code, h.Detail
				return
			}
		}
	}
	addr, isAddr := t.HostAddr()
	if !isAddr {
		a, err := n.Resolve(ctx, t.Host, dns.TypeA)
		if err != nil {
			return step, err
		}
		step.Timings.DNS = time.Since(start)
		if len(a.Addrs) == 0 {
			fail(a.Hops)
			if step.Code == "" {
				step.Code, step.Detail = tracer.DNSNoData, fmt.Sprintf("%s has no address", t.Host)
			}
			return step, nil
		}
		addr = a.Addrs[0]
	}
	dst := netip.AddrPortFrom(addr, t.Port)
	step.Addr = dst.String()
	c, err := n.Dial(ctx, tracer.TCP, dst)
	if err != nil {
		return step, err
	}
	step.Timings.Connect = time.Since(start)
	if c.State != tracer.ConnOpen {
		fail(c.Hops)
		return step, nil
	}
	if t.Scheme == "https" {
		tr, err := n.Handshake(ctx, c, t.Host)
		if err != nil {
			return step, err
		}
		step.Timings.TLS = time.Since(start)
		step.TLSVersion, step.Certificate = tr.Version, tr.Certificate
		if !tr.OK {
			fail(tr.Hops)
			return step, nil
		}
	}
	reqStart := time.Now()
	resp, err := n.Request(ctx, c, &tracer.HTTPRequest{Method: "GET", Scheme: t.Scheme, Host: t.Host, Path: t.Path})
	if err != nil {
		return step, err
	}
	if resp.TTFB > 0 {
		step.Timings.FirstByte = reqStart.Sub(start) + resp.TTFB
	}
	step.Status, step.StatusText, step.Proto, step.Location = resp.Status, resp.StatusText, resp.Proto, resp.Location()
	fail(resp.Hops)
	for _, h := range resp.Hops {
		if h.Code == tracer.HTTPBodyStalled {
			step.BodyStalled = true
			if step.Code != h.Code {
				step.Detail += "; " + h.Detail
			}
		}
	}
	return step, nil
}
