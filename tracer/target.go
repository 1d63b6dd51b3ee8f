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
		host, port, err := net.SplitHostPort(s)
		if err != nil {
			return bad("give a URL (https://NAME/) or HOST:PORT")
		}
		s2 := "tcp://" + net.JoinHostPort(host, port)
		t, err := ParseTarget(s2)
		if err != nil {
			return bad("%v", errors.Unwrap(err))
		}
		return t, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("not a URL: %v", err)
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
