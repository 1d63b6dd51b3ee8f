package play

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseTcpdumpView reads a packet view's summary in the form the walk
// gives it now, tcpdump -nn's own line without the time:
// "IP A.p > B.q: Flags [S], ..." (TCP), "IP A.p > B.q: UDP, length 0" or
// a decoded DNS message (UDP), "IP A > B: ICMP ..." (ICMP).
func parseTcpdumpView(sum string) (viewPkt, bool) {
	var p viewPkt
	rest, ok := strings.CutPrefix(sum, "IP ")
	if !ok {
		return p, false
	}
	head, tail, ok := strings.Cut(rest, ": ")
	if !ok {
		return p, false
	}
	f := strings.Fields(head)
	if len(f) != 3 || f[1] != ">" {
		return p, false
	}
	if strings.HasPrefix(tail, "ICMP") {
		a, err1 := netip.ParseAddr(f[0])
		b, err2 := netip.ParseAddr(f[2])
		p.proto, p.src, p.dst = "icmp", a, b
		return p, err1 == nil && err2 == nil
	}
	p.proto = "udp"
	if strings.HasPrefix(tail, "Flags [") {
		p.proto = "tcp"
	}
	src, sport, ok1 := addrDotPort(f[0])
	dst, dport, ok2 := addrDotPort(f[2])
	if !ok1 || !ok2 {
		return p, false
	}
	p.src, p.sport, p.dst, p.dpt = src, sport, dst, dport
	p.lo, p.hi = dport, dport
	return p, true
}

// addrDotPort reads tcpdump's "10.0.0.1.443".
func addrDotPort(s string) (netip.Addr, uint16, bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return netip.Addr{}, 0, false
	}
	a, err := netip.ParseAddr(s[:i])
	if err != nil || !a.Is4() {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(s[i+1:], 10, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	return a, uint16(port), true
}
