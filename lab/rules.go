package lab

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// An application balancer's listener rules, as ELB evaluates them (ELB
// User Guide, "Listener rules for your Application Load Balancer"): in
// priority order, lowest first; the first rule whose conditions all match
// acts; else the listener's default action. Within a condition the values
// are alternatives. Host and path patterns take * (any run of characters)
// and ? (one character); hosts compare case-insensitively, paths exactly,
// HTTP header values case-insensitively, methods exactly; a source-IP
// condition matches the client's address (the balancer sees it: the
// internet gateway rewrites only the destination).

// albAction is what a listener does with one request.
type albAction struct {
	forward  string // a target group
	redirect *spec.RedirectSpec
	short    string // the listener's short redirect ("https")
	fixed    *spec.FixedResponseSpec
	rule     int // the rule's priority; 0 for the default action
}

// action picks the action for r.
func listenerAction(li spec.ListenerSpec, r *http.Request) albAction {
	rules := append([]spec.ListenerRuleSpec(nil), li.Rules...)
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].Priority < rules[j].Priority })
	for _, ru := range rules {
		if !ruleMatches(ru.Conditions, r) {
			continue
		}
		return albAction{forward: ru.Forward, redirect: ru.Redirect, fixed: ru.FixedResponse, rule: ru.Priority}
	}
	switch {
	case li.Redirect != "":
		return albAction{short: li.Redirect}
	case li.DefaultRedirect != nil:
		return albAction{redirect: li.DefaultRedirect}
	case li.FixedResponse != nil:
		return albAction{fixed: li.FixedResponse}
	}
	return albAction{forward: li.TargetGroup}
}

func ruleMatches(c spec.RuleConditionSpec, r *http.Request) bool {
	if len(c.Host) > 0 {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !anyMatch(c.Host, strings.ToLower(host), true) {
			return false
		}
	}
	if len(c.Path) > 0 && !anyMatch(c.Path, r.URL.Path, false) {
		return false
	}
	if h := c.HTTPHeader; h != nil {
		ok := false
		for _, v := range r.Header.Values(h.Name) {
			if anyMatch(h.Values, strings.ToLower(v), true) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.Method) > 0 {
		ok := false
		for _, m := range c.Method {
			if m == r.Method {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.SourceIP) > 0 {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil {
			return false
		}
		ok := false
		for _, s := range c.SourceIP {
			if p, err := netip.ParsePrefix(s); err == nil && p.Contains(ap.Addr().Unmap()) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p = strings.ToLower(p)
		}
		if wildMatch(p, s) {
			return true
		}
	}
	return false
}

// wildMatch matches s against a pattern of * (any run, also empty) and ?
// (exactly one character).
func wildMatch(p, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// redirectURL is a redirect action's Location: each part the action
// leaves empty keeps the request's (ELB's #{protocol}, #{host}, #{port},
// #{path}, #{query}, which the parts may also use), as
// protocol://host:port/path?query.
func redirectURL(rd *spec.RedirectSpec, r *http.Request, listenerPort int, tlsOn bool) string {
	proto := "http"
	if tlsOn {
		proto = "https"
	}
	host := r.Host
	port := strconv.Itoa(listenerPort)
	if h, p, err := net.SplitHostPort(host); err == nil {
		host, port = h, p
	}
	path := r.URL.Path
	query := r.URL.RawQuery
	sub := func(v, def string) string {
		if v == "" {
			return def
		}
		for k, x := range map[string]string{"#{protocol}": proto, "#{host}": host, "#{port}": port, "#{path}": strings.TrimPrefix(path, "/"), "#{query}": query} {
			v = strings.ReplaceAll(v, k, x)
		}
		return v
	}
	np := strings.ToLower(sub(rd.Protocol, proto))
	nh := sub(rd.Host, host)
	nport := sub(rd.Port, port)
	if rd.Protocol != "" && rd.Port == "" && !strings.EqualFold(rd.Protocol, proto) {
		// A new protocol without a port goes to that protocol's port.
		nport = map[string]string{"http": "80", "https": "443"}[np]
	}
	npath := sub(rd.Path, path)
	if !strings.HasPrefix(npath, "/") {
		npath = "/" + npath
	}
	nq := sub(rd.Query, query)
	u := fmt.Sprintf("%s://%s:%s%s", np, nh, nport, npath)
	if nq != "" {
		u += "?" + nq
	}
	return u
}

// writeRedirect answers with a redirect action.
func writeRedirect(w http.ResponseWriter, r *http.Request, rd *spec.RedirectSpec, listenerPort int) {
	code := http.StatusMovedPermanently
	if rd.StatusCode == "HTTP_302" {
		code = http.StatusFound
	}
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Location", redirectURL(rd, r, listenerPort, r.TLS != nil))
	w.WriteHeader(code)
}

// writeFixed answers with a fixed-response action.
func writeFixed(w http.ResponseWriter, fr *spec.FixedResponseSpec) {
	ct := fr.ContentType
	if ct == "" {
		ct = "text/plain"
	}
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(fr.StatusCode)
	fmt.Fprint(w, fr.MessageBody)
}

// listenerCerts picks a listener's certificate by the client's SNI name
// (ELB: the certificate list, the default certificate when none covers
// the name or the client sends none): an exact name before a wildcard.
func listenerCerts(dir string, s *spec.WorldSpec, li spec.ListenerSpec) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	def := loadCert(dir, li.Certificate)
	type cand struct {
		domains []string
		cert    *tls.Certificate
	}
	var cands []cand
	for _, name := range li.Certificates {
		for _, c := range s.Certificates {
			if c.Name == name {
				if cert := loadCert(dir, name); cert != nil {
					cands = append(cands, cand{c.Domains, cert})
				}
			}
		}
	}
	return func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		sni := strings.ToLower(hello.ServerName)
		if sni != "" {
			for _, exact := range []bool{true, false} {
				for _, c := range cands {
					for _, d := range c.domains {
						d = strings.ToLower(d)
						if exact && d == sni {
							return c.cert, nil
						}
						if !exact && strings.HasPrefix(d, "*.") {
							if i := strings.IndexByte(sni, '.'); i > 0 && sni[i:] == d[1:] {
								return c.cert, nil
							}
						}
					}
				}
			}
		}
		if def == nil {
			return nil, errors.New("no certificate")
		}
		return def, nil
	}
}
