package play

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// tcpdump's filter expressions (pcap-filter(7)): the primitives host, net,
// port and portrange with the qualifiers src, dst, src or dst, src and
// dst; the protocols ip, tcp, udp and icmp; and, or, not (&&, ||, !) and
// parentheses. "port 80 or 443" repeats the last qualifiers, as
// pcap-filter does.

// capPacket is what a filter reads of a packet.
type capPacket struct {
	proto        string // tcp, udp, icmp, or "" for other IP
	src, dst     netip.Addr
	sport, dport uint16
	ports        bool
}

// decodeCap reads an IPv4 packet's addresses, protocol and ports.
func decodeCap(data []byte) (capPacket, bool) {
	var p capPacket
	pk := gopacket.NewPacket(data, layers.LayerTypeIPv4, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	ip, ok := pk.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if !ok {
		return p, false
	}
	p.src, _ = netip.AddrFromSlice(ip.SrcIP.To4())
	p.dst, _ = netip.AddrFromSlice(ip.DstIP.To4())
	switch ip.Protocol {
	case layers.IPProtocolTCP:
		p.proto = "tcp"
		if t, ok := pk.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			p.sport, p.dport, p.ports = uint16(t.SrcPort), uint16(t.DstPort), true
		}
	case layers.IPProtocolUDP:
		p.proto = "udp"
		if u, ok := pk.Layer(layers.LayerTypeUDP).(*layers.UDP); ok {
			p.sport, p.dport, p.ports = uint16(u.SrcPort), uint16(u.DstPort), true
		}
	case layers.IPProtocolICMPv4:
		p.proto = "icmp"
	}
	return p, true
}

// capFilter decides whether a packet is shown.
type capFilter interface{ match(p capPacket) bool }

type (
	capAnd   struct{ a, b capFilter }
	capOr    struct{ a, b capFilter }
	capNot   struct{ a capFilter }
	capProto struct{ proto string }
	capHost  struct {
		dir  string // "", src, dst, "src and dst"
		pref netip.Prefix
	}
	capPort struct {
		dir    string
		proto  string // "" for tcp or udp
		lo, hi uint16
	}
)

func (f capAnd) match(p capPacket) bool { return f.a.match(p) && f.b.match(p) }
func (f capOr) match(p capPacket) bool  { return f.a.match(p) || f.b.match(p) }
func (f capNot) match(p capPacket) bool { return !f.a.match(p) }
func (f capProto) match(p capPacket) bool {
	return f.proto == "ip" || p.proto == f.proto
}

func dirMatch(dir string, src, dst bool) bool {
	switch dir {
	case "src":
		return src
	case "dst":
		return dst
	case "src and dst":
		return src && dst
	}
	return src || dst
}

func (f capHost) match(p capPacket) bool {
	return dirMatch(f.dir, f.pref.Contains(p.src), f.pref.Contains(p.dst))
}

func (f capPort) match(p capPacket) bool {
	if !p.ports || (f.proto != "" && f.proto != p.proto) {
		return false
	}
	in := func(x uint16) bool { return x >= f.lo && x <= f.hi }
	return dirMatch(f.dir, in(p.sport), in(p.dport))
}

// errFilter is tcpdump's complaint about a filter it cannot read.
type errFilter string

func (e errFilter) Error() string { return string(e) }

func syntaxError() error {
	return errFilter("tcpdump: can't parse filter expression: syntax error")
}

// capParser reads a filter from its tokens.
type capParser struct {
	toks []string
	pos  int
	// the qualifiers of the last primitive, for "port 80 or 443"
	lastDir, lastType, lastProto string
	resolve                      func(string) (netip.Addr, bool)
}

// tokenize splits a filter into words, parentheses and operators.
func tokenize(words []string) []string {
	var out []string
	var fields []string
	for _, w := range words {
		fields = append(fields, strings.Fields(w)...) // a quoted filter is one word
	}
	for _, w := range fields {
		cur := ""
		flush := func() {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
		}
		for i := 0; i < len(w); i++ {
			c := w[i]
			switch {
			case c == '(' || c == ')':
				flush()
				out = append(out, string(c))
			case c == '!' && (i+1 >= len(w) || w[i+1] != '='):
				flush()
				out = append(out, "not")
			case c == '&' && i+1 < len(w) && w[i+1] == '&':
				flush()
				out = append(out, "and")
				i++
			case c == '|' && i+1 < len(w) && w[i+1] == '|':
				flush()
				out = append(out, "or")
				i++
			default:
				cur += string(c)
			}
		}
		flush()
	}
	return out
}

// parseCapFilter reads a filter; no words is the filter that takes every
// packet. resolve turns a host name into an address.
func parseCapFilter(words []string, resolve func(string) (netip.Addr, bool)) (capFilter, error) {
	toks := tokenize(words)
	if len(toks) == 0 {
		return capProto{"ip"}, nil
	}
	ps := &capParser{toks: toks, resolve: resolve}
	f, err := ps.or()
	if err != nil {
		return nil, err
	}
	if ps.pos != len(ps.toks) {
		return nil, syntaxError()
	}
	return f, nil
}

func (ps *capParser) peek() string {
	if ps.pos < len(ps.toks) {
		return strings.ToLower(ps.toks[ps.pos])
	}
	return ""
}

func (ps *capParser) next() string {
	t := ps.peek()
	if ps.pos < len(ps.toks) {
		ps.pos++
	}
	return t
}

func (ps *capParser) or() (capFilter, error) {
	a, err := ps.and()
	if err != nil {
		return nil, err
	}
	for ps.peek() == "or" {
		ps.next()
		b, err := ps.and()
		if err != nil {
			return nil, err
		}
		a = capOr{a, b}
	}
	return a, nil
}

func (ps *capParser) and() (capFilter, error) {
	a, err := ps.unary()
	if err != nil {
		return nil, err
	}
	for ps.peek() == "and" {
		ps.next()
		b, err := ps.unary()
		if err != nil {
			return nil, err
		}
		a = capAnd{a, b}
	}
	return a, nil
}

func (ps *capParser) unary() (capFilter, error) {
	switch ps.peek() {
	case "not":
		ps.next()
		a, err := ps.unary()
		if err != nil {
			return nil, err
		}
		return capNot{a}, nil
	case "(":
		ps.next()
		a, err := ps.or()
		if err != nil {
			return nil, err
		}
		if ps.next() != ")" {
			return nil, syntaxError()
		}
		return a, nil
	}
	return ps.primitive()
}

// primitive reads [proto] [dir] [type] ID, or a protocol alone.
func (ps *capParser) primitive() (capFilter, error) {
	proto, dir, typ := "", "", ""
	t := ps.peek()
	if t == "ip" || t == "tcp" || t == "udp" || t == "icmp" {
		ps.next()
		proto = t
		switch ps.peek() {
		case "src", "dst", "host", "net", "port", "portrange":
		default:
			if proto == "ip" {
				return capProto{"ip"}, nil
			}
			ps.lastProto, ps.lastDir, ps.lastType = proto, "", ""
			return capProto{proto}, nil
		}
	}
	if t := ps.peek(); t == "src" || t == "dst" {
		dir = ps.next()
		if o := ps.peek(); (o == "or" || o == "and") && ps.pos+1 < len(ps.toks) {
			if other := strings.ToLower(ps.toks[ps.pos+1]); (other == "src" || other == "dst") && other != dir {
				ps.pos += 2
				dir = "src " + o + " dst"
				if o == "or" {
					dir = ""
				}
			}
		}
	}
	switch t := ps.peek(); t {
	case "host", "net", "port", "portrange":
		typ = ps.next()
	}
	if proto == "" && dir == "" && typ == "" {
		// An ID alone repeats the last qualifiers: "port 80 or 443".
		if ps.lastType == "" {
			return nil, syntaxError()
		}
		proto, dir, typ = ps.lastProto, ps.lastDir, ps.lastType
	}
	if typ == "" {
		typ = "host"
	}
	id := ps.next()
	if id == "" || id == "and" || id == "or" || id == "not" || id == "(" || id == ")" {
		return nil, syntaxError()
	}
	ps.lastProto, ps.lastDir, ps.lastType = proto, dir, typ
	var f capFilter
	switch typ {
	case "host":
		a, err := netip.ParseAddr(id)
		if err != nil {
			var ok bool
			if ps.resolve != nil {
				a, ok = ps.resolve(id)
			}
			if !ok {
				return nil, errFilter(fmt.Sprintf("tcpdump: can't parse filter expression: unknown host '%s'", id))
			}
		}
		f = capHost{dir: dir, pref: netip.PrefixFrom(a, a.BitLen())}
	case "net":
		p, err := netip.ParsePrefix(id)
		if err != nil {
			a, aerr := netip.ParseAddr(id)
			if aerr != nil {
				return nil, errFilter(fmt.Sprintf("tcpdump: can't parse filter expression: invalid network '%s'", id))
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Masked() != p {
			return nil, errFilter(fmt.Sprintf("tcpdump: can't parse filter expression: non-network bits set in \"%s\"", id))
		}
		f = capHost{dir: dir, pref: p}
	case "port", "portrange":
		lo, hi, err := portRange(id, typ == "portrange")
		if err != nil {
			return nil, err
		}
		f = capPort{dir: dir, proto: proto, lo: lo, hi: hi}
		proto = "" // the port carries it
	}
	if proto != "" {
		f = capAnd{capProto{proto}, f}
	}
	return f, nil
}

func portRange(id string, isRange bool) (uint16, uint16, error) {
	one := func(s string) (uint16, error) {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 65535 {
			return uint16(n), nil
		}
		if p := portOfService(s); p > 0 {
			return uint16(p), nil
		}
		return 0, errFilter(fmt.Sprintf("tcpdump: can't parse filter expression: unknown port '%s'", s))
	}
	if !isRange {
		p, err := one(id)
		return p, p, err
	}
	a, b, ok := strings.Cut(id, "-")
	if !ok {
		return 0, 0, errFilter(fmt.Sprintf("tcpdump: can't parse filter expression: illegal port range '%s'", id))
	}
	lo, err := one(a)
	if err != nil {
		return 0, 0, err
	}
	hi, err := one(b)
	if err != nil {
		return 0, 0, err
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, nil
}
