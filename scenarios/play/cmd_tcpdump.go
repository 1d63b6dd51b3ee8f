package play

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/capture"
)

// What a capture holds: tcpdump in the shell shows the packets of the
// last observing command (curl, nc, telnet, openssl, ping, traceroute,
// mtr, tracepath, dig, host, nslookup) as the capture point saw them:
// the host you are on, or "at NAME". For a request to a URL or a port
// that is its DNS lookup, the TCP handshake, the data and the close (or
// the resets, ICMP errors and retransmissions the world produced); for
// dig, host and nslookup the query and the answer between the host and
// the server it asked, or, when no answer was taken, each try and what
// came back (capture_dnsfail.go). Nothing else runs in a world, so
// nothing else is captured. The filter expression and -c choose among those packets.

type tcpdumpOpts struct {
	at      string
	iface   string
	count   int
	verbose bool
	hex     bool
	filter  []string
}

func parseTcpdump(args []string) (tcpdumpOpts, error) {
	o := tcpdumpOpts{iface: "eth0"}
	if len(args) >= 2 && args[0] == "at" {
		o.at, args = args[1], args[2:]
	} else if len(args) == 1 && !strings.HasPrefix(args[0], "-") && isCaptureName(args[0]) {
		o.at, args = args[0], nil // the shell's short form: tcpdump NAME
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || len(a) < 2 {
			// Options may follow the expression: tcpdump's getopt
			// permutes its arguments.
			o.filter = append(o.filter, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; c {
			case 'n', 'q', 't', 'l', 'e', 'S':
			case 'v':
				o.verbose = true
			case 'X', 'x', 'A':
				o.hex = true
			case 'c', 'i':
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return o, errFilter(fmt.Sprintf("tcpdump: option requires an argument -- '%c'", c))
					}
					i++
					val = args[i]
				}
				if c == 'c' {
					n, err := strconv.Atoi(val)
					if err != nil || n < 1 {
						return o, errFilter(fmt.Sprintf("tcpdump: invalid packet count %s", val))
					}
					o.count = n
				} else {
					o.iface = val
				}
				j = len(a)
			default:
				return o, errFilter(fmt.Sprintf("tcpdump: invalid option -- '%c'", c))
			}
		}
	}
	return o, nil
}

// isCaptureName is a guess at the short form "tcpdump NAME": a word that
// is no filter keyword.
func isCaptureName(w string) bool {
	switch strings.ToLower(w) {
	case "ip", "tcp", "udp", "icmp", "host", "net", "port", "portrange", "src", "dst", "not", "and", "or":
		return false
	}
	return true
}

func (s *Shell) tcpdump(ctx context.Context, args []string) error {
	o, err := parseTcpdump(args)
	var ef errFilter
	if errors.As(err, &ef) {
		s.printf("%s\n", ef)
		return nil
	}
	if err != nil {
		return err
	}
	at := s.Host()
	if o.at != "" {
		at = o.at
	}
	switch o.iface {
	case "eth0", "any", "lo", "ens5":
	default:
		s.printf("tcpdump: %s: No such device exists\n(SIOCGIFHWADDR: No such device)\n", o.iface)
		return nil
	}
	resolve := func(name string) (netip.Addr, bool) {
		n, err := s.net()
		if err != nil {
			return netip.Addr{}, false
		}
		addrs, _, err := s.lookup(ctx, n, name)
		if err != nil || len(addrs) == 0 {
			return netip.Addr{}, false
		}
		return addrs[0], true
	}
	filter, err := parseCapFilter(o.filter, resolve)
	if errors.As(err, &ef) {
		s.printf("%s\n", ef)
		return nil
	}
	if err != nil {
		return err
	}
	if s.last == nil {
		s.printf("tcpdump: nothing captured yet: run curl, nc, ping, traceroute or dig first, then look at its packets\n")
		return nil
	}
	lines, notes, pkts, raw, err := s.capture(ctx, at)
	if err != nil {
		return err
	}
	if captured != nil {
		captured(lines, raw)
	}
	var b strings.Builder
	if !o.verbose {
		b.WriteString("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n")
	}
	link := "EN10MB (Ethernet)"
	if o.iface == "any" {
		link = "LINUX_SLL2 (Linux cooked v2)"
	}
	fmt.Fprintf(&b, "listening on %s, link-type %s, snapshot length 262144 bytes\n", o.iface, link)
	fmt.Fprintf(&b, "# the packets of: %s (from %s), as %s saw them\n", s.last.what, s.last.from, at)
	for _, n := range notes {
		fmt.Fprintf(&b, "# %s\n", n)
	}
	shown := 0
	for i, l := range lines {
		p := pkts[i]
		if o.iface == "lo" && !(p.src.IsLoopback() || p.dst.IsLoopback()) {
			continue
		}
		if !filter.match(p) {
			continue
		}
		if o.count > 0 && shown == o.count {
			break
		}
		shown++
		if raw != nil {
			l = tcpDNSLine(l, raw[i], o.verbose)
		}
		if o.verbose && raw != nil {
			l = verboseLine(l, raw[i])
		}
		b.WriteString(l + "\n")
		if o.hex && raw != nil {
			b.WriteString(hexDump(raw[i]))
		}
	}
	fmt.Fprintf(&b, "%d packets captured\n%d packets received by filter\n0 packets dropped by kernel\n", shown, len(lines))
	s.print(b.String())
	return nil
}

// capture returns the last command's packets as at saw them: one text
// line and one filter view per packet, and the packets' bytes where the
// world built them.
func (s *Shell) capture(ctx context.Context, at string) (lines, notes []string, pkts []capPacket, raw [][]byte, err error) {
	last := s.last
	var c *capture.Capture
	switch {
	case last.dns != nil:
		c = s.dnsCapture(ctx, at)
	case last.target.Scheme != "" && last.world != nil:
		if last.icmp && last.count > 0 {
			c, err = capture.TakePing(ctx, last.world, last.from, last.target, at, last.count)
		} else {
			c, err = capture.Take(ctx, last.world, last.from, last.target, at)
		}
		if err != nil {
			return nil, nil, nil, nil, err
		}
	}
	if c != nil {
		for _, p := range c.Packets {
			cp, _ := decodeCap(p.Data)
			pkts = append(pkts, cp)
			raw = append(raw, p.Data)
		}
		return c.Lines(), c.Notes, pkts, raw, nil
	}
	if s.spec == nil {
		return nil, []string{"no capture in a live shell"}, nil, nil, nil
	}
	addrs := captureAddrs(s.spec, at)
	if len(addrs) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("nothing to capture at is named %q; capture at a client, server, instance, balancer or NAT gateway", at)
	}
	lines, notes, pkts = renderCapture(last.hops, at, addrs, s.world.Clock.Add(s.elapsed))
	return lines, notes, pkts, nil, nil
}

// dnsCapture is a dig's (host's, nslookup's) query and answer, seen at
// the host that asked or at the server asked.
func (s *Shell) dnsCapture(ctx context.Context, at string) *capture.Capture {
	d := s.last.dns
	c := &capture.Capture{From: s.last.from, At: at}
	var me netip.Addr
	if s.spec != nil {
		for _, a := range captureAddrs(s.spec, s.last.from) {
			me = a
			break
		}
	}
	srvText, portText, _ := strings.Cut(d.server, "#")
	srv, err := netip.ParseAddr(srvText)
	port, _ := strconv.Atoi(portText)
	if !me.IsValid() || err != nil || (d.msg == nil && !d.failed) {
		c.Notes = append(c.Notes, "no packet of this query was built")
		return c
	}
	sees := at == s.last.from
	if s.spec != nil {
		for _, a := range captureAddrs(s.spec, at) {
			sees = sees || a == srv
		}
	}
	if sees && d.failed {
		s.dnsFailCapture(ctx, c, s.last, me, srv, uint16(port), at == s.last.from)
		if len(c.Packets) == 0 && len(c.Notes) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("no packet of this query passes %s", at))
		}
		return c
	}
	if !sees {
		c.Notes = append(c.Notes, fmt.Sprintf("no packet of this query passes %s", at))
		return c
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(d.name), d.qtype)
	q.Id = d.msg.Id
	t := s.now()
	sport := uint16(40000 + int(d.msg.Id)%20000)
	add := func(src, dst netip.Addr, sp, dp uint16, m *dns.Msg, after time.Duration) {
		wire, err := m.Pack()
		if err != nil {
			return
		}
		data, err := udpPacket(src, dst, sp, dp, wire)
		if !m.Response {
			data, err = digQueryPacket(src, dst, sp, dp, wire)
		}
		if err != nil {
			return
		}
		c.Packets = append(c.Packets, simnet.Packet{Time: t.Add(after), Data: data})
	}
	if !d.tcp {
		add(me, srv, sport, uint16(port), q, 0)
		add(srv, me, uint16(port), sport, d.msg, 24*time.Millisecond)
		return c
	}
	// dig +tcp: a connection, the query and the answer each behind its
	// two-byte length (RFC 7766), and the close.
	qw, err1 := q.Pack()
	aw, err2 := d.msg.Pack()
	if err1 != nil || err2 != nil {
		return c
	}
	framed := func(b []byte) []byte { return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...) }
	const cISN, sISN = 1828167567, 2197521843
	dp := uint16(port)
	qf, af := framed(qw), framed(aw)
	segs := []struct {
		fromMe   bool
		seq, ack uint32
		flags    string
		data     []byte
		after    time.Duration
	}{
		{true, cISN, 0, "S", nil, 0},
		{false, sISN, cISN + 1, "SA", nil, 12 * time.Millisecond},
		{true, cISN + 1, sISN + 1, "A", nil, 12 * time.Millisecond},
		{true, cISN + 1, sISN + 1, "PA", qf, 12 * time.Millisecond},
		{false, sISN + 1, cISN + 1 + uint32(len(qf)), "PA", af, 36 * time.Millisecond},
		{true, cISN + 1 + uint32(len(qf)), sISN + 1 + uint32(len(af)), "FA", nil, 37 * time.Millisecond},
		{false, sISN + 1 + uint32(len(af)), cISN + 2 + uint32(len(qf)), "FA", nil, 49 * time.Millisecond},
		{true, cISN + 2 + uint32(len(qf)), sISN + 2 + uint32(len(af)), "A", nil, 49 * time.Millisecond},
	}
	for _, g := range segs {
		src, dst, sp, dpp := me, srv, sport, dp
		if !g.fromMe {
			src, dst, sp, dpp = srv, me, dp, sport
		}
		data, err := tcpPacket(src, dst, sp, dpp, g.seq, g.ack, g.flags, g.data)
		if err != nil {
			return c
		}
		c.Packets = append(c.Packets, simnet.Packet{Time: t.Add(g.after), Data: data})
	}
	return c
}

// tcpPacket builds an IPv4 TCP segment; flags holds S, A, P, F.
func tcpPacket(src, dst netip.Addr, sport, dport uint16, seq, ack uint32, flags string, payload []byte) ([]byte, error) {
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice(), Flags: layers.IPv4DontFragment}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, Window: 502,
		SYN: strings.Contains(flags, "S"), ACK: strings.Contains(flags, "A"), PSH: strings.Contains(flags, "P"), FIN: strings.Contains(flags, "F"),
		RST: strings.Contains(flags, "R")}
	if tcp.SYN {
		tcp.Window = 64240
	}
	if tcp.RST {
		tcp.Window = 0 // as Linux resets
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, tcp, gopacket.Payload(payload))
	return buf.Bytes(), err
}

// udpPacket builds an IPv4 UDP packet.
func udpPacket(src, dst netip.Addr, sport, dport uint16, payload []byte) ([]byte, error) {
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice(), Flags: layers.IPv4DontFragment}
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}

// verboseLine turns "TIME IP A > B: rest" into tcpdump -v's two lines,
// the IP header's fields first.
func verboseLine(line string, data []byte) string {
	pk := gopacket.NewPacket(data, layers.LayerTypeIPv4, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	ip, ok := pk.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	ts, rest, found := strings.Cut(line, " IP ")
	if !ok || !found {
		return line
	}
	flags := "[none]"
	if ip.Flags&layers.IPv4DontFragment != 0 {
		flags = "[DF]"
	}
	proto := strings.ToUpper(ip.Protocol.String())
	if ip.Protocol == layers.IPProtocolICMPv4 {
		proto = "ICMP"
	}
	return fmt.Sprintf("%s IP (tos 0x%x, ttl %d, id %d, offset %d, flags %s, proto %s (%d), length %d)\n    %s",
		ts, ip.TOS, ip.TTL, ip.Id, ip.FragOffset, flags, proto, ip.Protocol, ip.Length, verboseDetail(rest, pk, ip)) + quotedVerbose(pk)
}

// hexDump prints a packet as tcpdump -X does: 16 bytes a line, in groups
// of two, with their ASCII.
func hexDump(data []byte) string {
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		end := min(off+16, len(data))
		fmt.Fprintf(&b, "\t0x%04x:  ", off)
		var hex strings.Builder
		for i := off; i < end; i += 2 {
			if i+1 < end {
				fmt.Fprintf(&hex, "%02x%02x ", data[i], data[i+1])
			} else {
				fmt.Fprintf(&hex, "%02x ", data[i])
			}
		}
		fmt.Fprintf(&b, "%-40s ", hex.String())
		for _, c := range data[off:end] {
			if c > 0x20 && c < 0x7f { // tcpdump shows graphic characters only: a space is a dot
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
