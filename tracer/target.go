package tracer

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ErrBadTarget is wrapped by every error ParseTarget returns.
var ErrBadTarget = errors.New("bad target")

// Target is what a trace goes to: a URL, or a transport endpoint.
type Target struct {
	Scheme string // http, https, tcp, udp
	Host   string // a name or an address, without brackets
	Port   uint16
	Path   string // for http and https; "/" when empty
	raw    string
}

// String returns the target as the user wrote it, normalised.
func (t Target) String() string {
	if t.raw != "" {
		return t.raw
	}
	if t.Scheme == "icmp" {
		if strings.Contains(t.Host, ":") {
			return "icmp://[" + t.Host + "]"
		}
		return "icmp://" + t.Host
	}
	hp := net.JoinHostPort(t.Host, strconv.Itoa(int(t.Port)))
	switch t.Scheme {
	case "http", "https":
		if (t.Scheme == "http" && t.Port == 80) || (t.Scheme == "https" && t.Port == 443) {
			hp = t.Host
		}
		return t.Scheme + "://" + hp + t.Path
	}
	return t.Scheme + "://" + hp
}

// Proto is the transport the target needs.
func (t Target) Proto() Proto {
	switch t.Scheme {
	case "udp":
		return UDP
	case "icmp":
		return ICMP
	}
	return TCP
}

// HostAddr returns the host as an address, if it is one.
func (t Target) HostAddr() (netip.Addr, bool) {
	a, err := netip.ParseAddr(t.Host)
	return a, err == nil
}

// ParseTarget reads a target: https://host[:port]/path, http://...,
// tcp://host:port, udp://host:port, icmp://host (a ping), or a bare
// host:port (tcp).
func ParseTarget(s string) (Target, error) {
	bad := func(format string, args ...any) (Target, error) {
		return Target{}, fmt.Errorf("%w %q: %s", ErrBadTarget, s, fmt.Sprintf(format, args...))
	}
	if s == "" {
		return bad("empty; give a URL such as https://shop.example.com/ or tcp://HOST:PORT")
	}
	if !strings.Contains(s, "://") {
		if scheme, _, ok := strings.Cut(s, ":/"); ok && scheme != "" && !strings.ContainsAny(scheme, "./") {
			return bad("a URL has two slashes after its scheme: %s://HOST/, such as https://shop.example.com/", scheme)
		}
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return bad("give a URL (https://NAME/) or HOST:PORT")
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return bad("port %q is not a number from 1 to 65535", port)
		}
		s2 := "tcp://" + net.JoinHostPort(host, port)
		t, err := ParseTarget(s2)
		if err != nil {
			// The inner error names s2; say the same of s.
			return bad("%s", strings.TrimPrefix(err.Error(), fmt.Sprintf("%v %q: ", ErrBadTarget, s2)))
		}
		return t, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return bad("not a URL: %s", strings.TrimPrefix(err.Error(), "net/url: "))
	}
	t := Target{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname())}
	if t.Host == "" {
		return bad("no host")
	}
	if strings.HasSuffix(t.Host, ".") && len(t.Host) > 1 {
		t.Host = strings.TrimSuffix(t.Host, ".")
	}
	if !validHost(t.Host) {
		return bad("host %q is neither a DNS name nor an IP address", t.Host)
	}
	if looksNumeric(t.Host) {
		if _, err := netip.ParseAddr(t.Host); err != nil {
			return bad("host %q is not an IP address: an IPv4 address is four numbers from 0 to 255, such as 10.0.1.10", t.Host)
		}
	}
	switch t.Scheme {
	case "http":
		t.Port = 80
	case "https":
		t.Port = 443
	case "icmp":
		if u.Port() != "" {
			return bad("icmp targets have no port: icmp://HOST")
		}
		if u.Path != "" && u.Path != "/" {
			return bad("icmp targets have no path")
		}
	case "tcp", "udp":
		if u.Port() == "" {
			return bad("%s targets need a port: %s://HOST:PORT", t.Scheme, t.Scheme)
		}
		if u.Path != "" && u.Path != "/" {
			return bad("%s targets have no path", t.Scheme)
		}
	default:
		return bad("unknown scheme %q; use http, https, tcp, udp or icmp", u.Scheme)
	}
	if p := u.Port(); p != "" && t.Scheme != "icmp" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return bad("port %q is not a number from 1 to 65535", p)
		}
		t.Port = uint16(n)
	}
	if t.Scheme == "http" || t.Scheme == "https" {
		t.Path = u.EscapedPath()
		if t.Path == "" {
			t.Path = "/"
		}
		if u.RawQuery != "" {
			t.Path += "?" + u.RawQuery
		}
	}
	t.raw = t.String()
	return t, nil
}

// looksNumeric reports a host whose last label is all digits: no
// top-level domain is (RFC 1123, 2.1), so it was meant as an address, and
// one that does not parse is a bad address, not a name to look up.
func looksNumeric(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
