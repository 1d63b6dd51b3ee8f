package probe

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strings"

	"github.com/miekg/dns"
)

// filesFirst reads the hosts line of nsswitch.conf: true when "files"
// comes before "dns", as in glibc's default ("files dns") when the file
// or the line is missing.
func filesFirst(conf []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(conf))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		key, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) != "hosts" {
			continue
		}
		for _, f := range strings.Fields(rest) {
			switch {
			case f == "files":
				return true
			case f == "dns" || f == "resolve":
				return false
			}
		}
		return false
	}
	return true
}

// ParseHosts returns the addresses a hosts file gives name (case
// insensitive), IPv4 for A and IPv6 for AAAA. It never panics.
func ParseHosts(data []byte, name string, qtype uint16) []netip.Addr {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	var out []netip.Addr
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		if (qtype == dns.TypeA && !a.Unmap().Is4()) || (qtype == dns.TypeAAAA && a.Unmap().Is4()) || (qtype != dns.TypeA && qtype != dns.TypeAAAA) {
			continue
		}
		for _, h := range f[1:] {
			if strings.ToLower(h) == name {
				out = append(out, a.Unmap())
				break
			}
		}
	}
	return out
}

// lookupFiles answers name from the hosts file when the system resolver
// would (nsswitch order), and "localhost" names as RFC 6761 says
// resolvers must. It returns the source it used.
func (n *Network) lookupFiles(name string, qtype uint16) ([]netip.Addr, string, bool) {
	if qtype != dns.TypeA && qtype != dns.TypeAAAA {
		return nil, "", false
	}
	path := n.HostsFile
	if path == "-" {
		return nil, "", false
	}
	if path == "" {
		path = "/etc/hosts"
	}
	conf, _ := os.ReadFile("/etc/nsswitch.conf")
	if filesFirst(conf) {
		if data, err := os.ReadFile(path); err == nil {
			if as := ParseHosts(data, name, qtype); len(as) > 0 {
				return as, "files " + path, true
			}
		}
	}
	l := strings.ToLower(strings.TrimSuffix(name, "."))
	if l == "localhost" || strings.HasSuffix(l, ".localhost") {
		if qtype == dns.TypeA {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, "localhost (RFC 6761)", true
		}
		return []netip.Addr{netip.IPv6Loopback()}, "localhost (RFC 6761)", true
	}
	return nil, "", false
}
