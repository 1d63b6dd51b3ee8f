package simnet

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// The engine moves flows (pkt); real packets are built from them only when
// someone asks to see them: the packet view of `trace --packets` and the
// captures of pcap.go. A plain trace never comes here.

// TCP flags, as bits of a segment to build.
const (
	flagFIN uint8 = 1 << iota
	flagSYN
	flagRST
	flagPSH
	flagACK
)

const (
	initialTTL   = 64    // Linux's default TTL
	synWindow    = 64240 // Linux's window on a SYN with MSS 1460
	synAckWindow = 65160 // and on its SYN-ACK
	dataWindow   = 502   // a scaled window after the handshake (×128)
	mss          = 1460
)

// synOptions are a SYN's options: MSS, window scale, SACK permitted.
var synOptions = []layers.TCPOption{
	{OptionType: layers.TCPOptionKindMSS, OptionData: []byte{mss >> 8, mss & 0xff}},
	{OptionType: layers.TCPOptionKindNop},
	{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{7}},
	{OptionType: layers.TCPOptionKindNop},
	{OptionType: layers.TCPOptionKindNop},
	{OptionType: layers.TCPOptionKindSACKPermitted},
}

// segment is one packet to build: an IP header and one transport.
type segment struct {
	src, dst     netip.Addr
	ttl          uint8
	id           uint16
	proto        proto
	sport, dport uint16
	flags        uint8
	seq, ack     uint32
	win          uint16
	synOpts      bool
	// ICMP: type and code; id and seq for echoes.
	icmpType, icmpCode uint8
	icmpID, icmpSeq    uint16
	payload            []byte
}

var serializeOptions = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// serializeBuffers are reused across builds (and goroutines).
var serializeBuffers = sync.Pool{New: func() any { return gopacket.NewSerializeBuffer() }}

// build serializes the segment with gopacket layers, lengths and checksums
// filled in, and returns a copy of the bytes (IP header onward).
func (s *segment) build() ([]byte, error) {
	buf := serializeBuffers.Get().(gopacket.SerializeBuffer)
	defer serializeBuffers.Put(buf)
	var ls [4]gopacket.SerializableLayer
	n := 0
	var nl gopacket.NetworkLayer
	ipProto := layers.IPProtocolTCP
	switch s.proto {
	case protoUDP:
		ipProto = layers.IPProtocolUDP
	case protoICMP:
		ipProto = layers.IPProtocolICMPv4
	}
	ttl := s.ttl
	if ttl == 0 {
		ttl = initialTTL
	}
	if s.src.Is4() && s.dst.Is4() {
		ip := &layers.IPv4{Version: 4, TTL: ttl, Id: s.id, Protocol: ipProto,
			SrcIP: net.IP(s.src.AsSlice()), DstIP: net.IP(s.dst.AsSlice())}
		if s.proto != protoICMP {
			ip.Flags = layers.IPv4DontFragment
		}
		nl = ip
		ls[n] = ip
	} else {
		if s.proto == protoICMP {
			return nil, fmt.Errorf("simnet: ICMP over IPv6 is not modelled")
		}
		ip := &layers.IPv6{Version: 6, HopLimit: ttl, NextHeader: ipProto,
			SrcIP: net.IP(s.src.AsSlice()), DstIP: net.IP(s.dst.AsSlice())}
		nl = ip
		ls[n] = ip
	}
	n++
	switch s.proto {
	case protoTCP:
		t := &layers.TCP{SrcPort: layers.TCPPort(s.sport), DstPort: layers.TCPPort(s.dport), Seq: s.seq, Ack: s.ack, Window: s.win,
			FIN: s.flags&flagFIN != 0, SYN: s.flags&flagSYN != 0, RST: s.flags&flagRST != 0, PSH: s.flags&flagPSH != 0, ACK: s.flags&flagACK != 0}
		if s.synOpts {
			t.Options = synOptions
		}
		if err := t.SetNetworkLayerForChecksum(nl); err != nil {
			return nil, err
		}
		ls[n] = t
	case protoUDP:
		u := &layers.UDP{SrcPort: layers.UDPPort(s.sport), DstPort: layers.UDPPort(s.dport)}
		if err := u.SetNetworkLayerForChecksum(nl); err != nil {
			return nil, err
		}
		ls[n] = u
	case protoICMP:
		ls[n] = &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(s.icmpType, s.icmpCode), Id: s.icmpID, Seq: s.icmpSeq}
	default:
		return nil, fmt.Errorf("simnet: cannot build a packet of protocol %s", s.proto)
	}
	n++
	if len(s.payload) > 0 {
		ls[n] = gopacket.Payload(s.payload)
		n++
	}
	if err := gopacket.SerializeLayers(buf, serializeOptions, ls[:n]...); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// isn is the initial sequence number of one side of a connection. It is
// keyed by the service port, which no gateway on the path rewrites, so the
// packet view and the capture of the same connection agree.
func isn(servicePort uint16, server bool) uint32 {
	h := fnv.New32a()
	var b [3]byte
	b[0], b[1] = byte(servicePort>>8), byte(servicePort)
	if server {
		b[2] = 1
	}
	h.Write(b[:])
	return h.Sum32()
}

// packetView builds the packet in flight at a hop and describes it. It runs
// only when the walk captures.
func (t *walk) packetView(h *tracer.Hop) *tracer.PacketView {
	p := t.cur
	s := t.segmentOf(p, h)
	data, err := s.build()
	if err != nil {
		return &tracer.PacketView{Summary: p.String()}
	}
	v := describePacket(data)
	if after, what := t.rewrite(h, p, s); what != "" {
		ad, err := after.build()
		if err == nil {
			d := newDecoder()
			if d.decode(ad) == nil {
				v.Layers = append(v.Layers, "→ "+what+": "+d.rewriteLine())
			}
		}
	}
	return v
}

// segmentOf is the packet of flow p as it is at hop h: a SYN on the way
// there, a SYN-ACK on the way back, an echo for ICMP.
func (t *walk) segmentOf(p *pkt, h *tracer.Hop) segment {
	s := segment{src: p.src, dst: p.dst, ttl: p.ttl(), proto: p.proto, sport: p.sport, dport: p.dport}
	switch p.proto {
	case protoTCP:
		s.synOpts = true
		if p.reply {
			s.flags, s.seq, s.ack, s.win = flagSYN|flagACK, isn(p.sport, true), isn(p.sport, false)+1, synAckWindow
		} else {
			s.flags, s.seq, s.win = flagSYN, isn(p.dport, false), synWindow
		}
	case protoICMP:
		s.icmpType, s.icmpID, s.icmpSeq = layers.ICMPv4TypeEchoRequest, 1, 1
		if p.reply {
			s.icmpType = layers.ICMPv4TypeEchoReply
		}
	}
	return s
}

// rewrite returns the packet as a translating hop passes it on, and what
// changed; "" when the hop rewrites nothing.
func (t *walk) rewrite(h *tracer.Hop, p *pkt, s segment) (segment, string) {
	after := s
	switch h.Code {
	case tracer.IGWTranslate:
		if i := t.w.privateIface(p.src); i != nil && i.public.IsValid() {
			after.src = i.public
			return after, "source rewritten"
		}
		if m := t.w.public[p.dst]; m != nil {
			after.dst = m.private
			return after, "destination rewritten"
		}
	case tracer.NATTranslate:
		if t.nat == nil {
			break
		}
		if h.Direction == tracer.Forward {
			after.src, after.sport = t.nat.private, t.natPort
			return after, "source rewritten"
		}
		after.dst, after.dport = t.natOrig, t.natOrigPort
		return after, "destination rewritten"
	}
	return s, ""
}

// privateIface finds the interface with private address a in any VPC.
func (w *World) privateIface(a netip.Addr) *iface {
	for _, v := range w.vpcs {
		if i := v.ifaces[a]; i != nil {
			return i
		}
	}
	return nil
}

// TracePackets is Trace with the packet at every hop attached
// (tracer.Hop.Packet): built with gopacket, so it costs allocations a plain
// Trace does not make.
func (w *World) TracePackets(ctx context.Context, from string, target tracer.Target) (*tracer.Report, error) {
	if from == "" {
		from = w.DefaultFrom()
	}
	n, err := w.From(from)
	if err != nil {
		return nil, err
	}
	n.Capture = true
	r, err := tracer.Diagnose(ctx, n, target, from)
	if err != nil {
		return nil, err
	}
	r.World = w.Name
	return r, nil
}

// describePacket decodes a built packet and describes it layer by layer.
func describePacket(data []byte) *tracer.PacketView {
	d := newDecoder()
	if err := d.decode(data); err != nil {
		return &tracer.PacketView{Summary: "undecodable packet: " + err.Error(), Data: data}
	}
	return &tracer.PacketView{Summary: d.tcpdump(nil), Layers: d.layerLines(), Data: data}
}

// Root and top-level-domain servers are implied by the public zones; their
// packets use these addresses (the real a.root-servers.net and
// a.gtld-servers.net where the TLD is com or net).
var (
	rootServerAddr = netip.MustParseAddr("198.41.0.4")
	tldServerAddrs = map[string]netip.Addr{
		"com.": netip.MustParseAddr("192.5.6.30"),
		"net.": netip.MustParseAddr("192.5.6.30"),
		"org.": netip.MustParseAddr("199.19.56.1"),
	}
)

func tldServerAddr(tld string) netip.Addr {
	if a, ok := tldServerAddrs[tld]; ok {
		return a
	}
	h := fnv.New32a()
	h.Write([]byte(tld))
	x := h.Sum32()
	return netip.AddrFrom4([4]byte{198, 18, byte(x >> 8), byte(x)}) // 198.18.0.0/15: never routed
}

func tldServerName(tld string) string {
	switch tld {
	case "com.", "net.":
		return "a.gtld-servers.net."
	}
	return "a.nic." + tld
}

// dnsPackets attaches to each hop of a lookup the DNS packet of that step:
// the client's query, the resolver's queries and the referrals and answers
// it gets, the answer to the client. The messages are real miekg/dns
// messages, packed into UDP datagrams. Steps that put nothing on the wire (a
// private zone's answer inside the VPC resolver) get none. Who talks to
// whom comes from the resolver's own facts (Hop.DNS.Server, recorded as
// it walked the zones), not from the hop's component name.
func (n *Net) dnsPackets(a *tracer.Answer, resolverAddr netip.Addr) {
	if a.Msg == nil || len(a.Hops) == 0 {
		return
	}
	client := n.from.addr()
	cport := ephemeral(n.from, netip.AddrPortFrom(resolverAddr, 53))
	rport := uint16(32768 + uint32(a.Msg.Id)*7%28232) // the resolver's port towards the servers
	query := newQuery(a.Name, a.Type, a.Msg.Id)
	// view records at hop h the datagram that carries m.
	view := func(h *tracer.Hop, src netip.Addr, sport uint16, dst netip.Addr, dport uint16, m *dns.Msg) {
		b, err := m.Pack()
		if err != nil {
			return
		}
		s := segment{src: src, dst: dst, ttl: initialTTL, proto: protoUDP, sport: sport, dport: dport, payload: b}
		data, err := s.build()
		if err != nil {
			return
		}
		h.Packet = describePacket(data)
		h.Flow = tracer.Flow{Proto: tracer.UDP, Src: netip.AddrPortFrom(src, sport), Dst: netip.AddrPortFrom(dst, dport), TTL: initialTTL, Reply: m.Response}
	}
	upQuery := func(name string, id uint16) *dns.Msg {
		m := newQuery(name, a.Type, id)
		m.RecursionDesired = false
		return m
	}
	upReply := func(q *dns.Msg, rcode int, aa bool) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative, m.Rcode = aa, rcode
		return m
	}
	cur := a.Name // the name the resolver is after
	k := 0        // answers given out so far
	id := a.Msg.Id
	for i := range a.Hops {
		h := &a.Hops[i]
		id = id*31 + 7
		switch {
		case i == 0 && h.Code == tracer.DNSQuery:
			view(h, client, cport, resolverAddr, 53, query)
		case i == len(a.Hops)-1 && h.Direction == tracer.Return:
			view(h, resolverAddr, 53, client, cport, a.Msg)
		case h.Kind == tracer.KindRootServer:
			tld := tldOf(cur)
			q := upQuery(cur, id)
			if h.Blocks {
				r := upReply(q, dns.RcodeNameError, true)
				r.Ns = []dns.RR{rootSOA()}
				view(h, rootServerAddr, 53, resolverAddr, rport, r)
				break
			}
			r := upReply(q, dns.RcodeSuccess, false)
			if z := n.w.publicZone(cur); z != nil && z.name == tld {
				r.Ns, r.Extra = delegation(z)
			} else {
				ns := tldServerName(tld)
				r.Ns = []dns.RR{&dns.NS{Hdr: dns.RR_Header{Name: tld, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 172800}, Ns: ns}}
				r.Extra = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: ns, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 172800}, A: net.IP(tldServerAddr(tld).AsSlice())}}
			}
			view(h, rootServerAddr, 53, resolverAddr, rport, r)
		case h.Kind == tracer.KindTLDServer:
			tld := tldOf(cur)
			q := upQuery(cur, id)
			r := upReply(q, dns.RcodeSuccess, false)
			if h.Blocks {
				r.Rcode = dns.RcodeNameError
				r.Authoritative = true
				r.Ns = []dns.RR{tldSOA(tld)}
			} else if z := n.w.publicZone(cur); z != nil {
				r.Ns, r.Extra = delegation(z)
			}
			view(h, tldServerAddr(tld), 53, resolverAddr, rport, r)
		case h.Kind == tracer.KindNameserver:
			addr := h.DNS.Server
			if !addr.IsValid() {
				break
			}
			q := upQuery(cur, id)
			if h.Action == tracer.ActRefuse {
				view(h, addr, 53, resolverAddr, rport, upReply(q, dns.RcodeRefused, false))
				break
			}
			view(h, resolverAddr, rport, addr, 53, q) // a query; a timeout is one that no answer follows
		case h.Kind == tracer.KindDNSZone:
			addr := h.DNS.Server
			if !addr.IsValid() {
				break
			}
			q := upQuery(cur, id)
			switch h.Code {
			case tracer.DNSCNAME:
				r := upReply(q, dns.RcodeSuccess, true)
				if rr, next := nextCNAME(a.Msg.Answer, &k); rr != nil {
					r.Answer = []dns.RR{rr}
					cur = next
				}
				view(h, addr, 53, resolverAddr, rport, r)
			case tracer.DNSAnswer:
				r := upReply(q, dns.RcodeSuccess, true)
				for _, rr := range a.Msg.Answer {
					if rr.Header().Name == cur && rr.Header().Rrtype != dns.TypeCNAME {
						r.Answer = append(r.Answer, rr)
					}
				}
				view(h, addr, 53, resolverAddr, rport, r)
			case tracer.DNSNXDomain, tracer.DNSNoData:
				rcode := dns.RcodeNameError
				if h.Code == tracer.DNSNoData {
					rcode = dns.RcodeSuccess
				}
				r := upReply(q, rcode, true)
				r.Ns = a.Msg.Ns
				view(h, addr, 53, resolverAddr, rport, r)
			}
		case h.Kind == tracer.KindPrivateZone && h.Code == tracer.DNSCNAME:
			// answered inside the VPC resolver: nothing on the wire, but the
			// resolver follows the alias
			if _, next := nextCNAME(a.Msg.Answer, &k); next != "" {
				cur = next
			}
		}
	}
}

// nextCNAME returns the next CNAME of an answer section after position *k.
func nextCNAME(answer []dns.RR, k *int) (dns.RR, string) {
	for ; *k < len(answer); *k++ {
		if c, ok := answer[*k].(*dns.CNAME); ok {
			*k++
			return c, c.Target
		}
	}
	return nil, ""
}

func rootSOA() dns.RR {
	return &dns.SOA{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 86400},
		Ns: "a.root-servers.net.", Mbox: "nstld.verisign-grs.com.", Serial: 2026112100, Refresh: 1800, Retry: 900, Expire: 604800, Minttl: 86400}
}

func tldSOA(tld string) dns.RR {
	return &dns.SOA{Hdr: dns.RR_Header{Name: tld, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 900},
		Ns: tldServerName(tld), Mbox: "nstld.verisign-grs.com.", Serial: 1763726400, Refresh: 1800, Retry: 900, Expire: 604800, Minttl: 86400}
}

// delegation is the NS set and glue a parent hands out for zone z.
func delegation(z *zone) (ns, glue []dns.RR) {
	for _, d := range z.delegation {
		ns = append(ns, &dns.NS{Hdr: dns.RR_Header{Name: z.name, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 172800}, Ns: d.name})
		if dns.IsSubDomain(z.name, d.name) && d.addr.IsValid() {
			glue = append(glue, &dns.A{Hdr: dns.RR_Header{Name: d.name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 172800}, A: net.IP(d.addr.AsSlice())})
		}
	}
	return ns, glue
}

// publicZone is the public zone that holds name (the longest), or nil.
func (w *World) publicZone(name string) *zone {
	for _, z := range w.zones {
		if !z.private && dns.IsSubDomain(z.name, name) {
			return z
		}
	}
	return nil
}

// servingAddr is the address of the first delegated server that serves z.
func (w *World) servingAddr(z *zone) (netip.Addr, bool) {
	for _, ns := range z.delegation {
		if srv := w.nameservers[ns.addr]; srv != nil && srv.zones[z.name] {
			return ns.addr, true
		}
	}
	return netip.Addr{}, false
}

// decoder decodes the packets this package builds: IPv4 or IPv6, then TCP,
// UDP or ICMPv4, then the payload.
type decoder struct {
	ip4  layers.IPv4
	ip6  layers.IPv6
	tcp  layers.TCP
	udp  layers.UDP
	icmp layers.ICMPv4
	pay  gopacket.Payload
	p4   *gopacket.DecodingLayerParser
	p6   *gopacket.DecodingLayerParser
	got  []gopacket.LayerType
	// which layers the last decode found
	is6, hasTCP, hasUDP, hasICMP bool
}

func newDecoder() *decoder {
	d := &decoder{}
	d.p4 = gopacket.NewDecodingLayerParser(layers.LayerTypeIPv4, &d.ip4, &d.tcp, &d.udp, &d.icmp, &d.pay)
	d.p6 = gopacket.NewDecodingLayerParser(layers.LayerTypeIPv6, &d.ip6, &d.tcp, &d.udp, &d.pay)
	d.p4.IgnoreUnsupported, d.p6.IgnoreUnsupported = true, true
	return d
}

func (d *decoder) decode(data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("empty packet")
	}
	d.is6 = data[0]>>4 == 6
	p := d.p4
	if d.is6 {
		p = d.p6
	}
	if err := p.DecodeLayers(data, &d.got); err != nil {
		return err
	}
	d.hasTCP, d.hasUDP, d.hasICMP = false, false, false
	for _, t := range d.got {
		switch t {
		case layers.LayerTypeTCP:
			d.hasTCP = true
		case layers.LayerTypeUDP:
			d.hasUDP = true
		case layers.LayerTypeICMPv4:
			d.hasICMP = true
		}
	}
	if len(d.got) == 0 {
		return fmt.Errorf("no IP header")
	}
	return nil
}

func (d *decoder) src() netip.Addr {
	if d.is6 {
		a, _ := netip.AddrFromSlice(d.ip6.SrcIP)
		return a
	}
	a, _ := netip.AddrFromSlice(d.ip4.SrcIP)
	return a.Unmap()
}

func (d *decoder) dst() netip.Addr {
	if d.is6 {
		a, _ := netip.AddrFromSlice(d.ip6.DstIP)
		return a
	}
	a, _ := netip.AddrFromSlice(d.ip4.DstIP)
	return a.Unmap()
}

// payload is the transport's payload.
func (d *decoder) payload() []byte {
	switch {
	case d.hasTCP:
		return d.tcp.Payload
	case d.hasUDP:
		return d.udp.Payload
	case d.hasICMP:
		return d.icmp.Payload
	}
	return nil
}

// ports returns the transport ports (zero for ICMP).
func (d *decoder) ports() (uint16, uint16) {
	switch {
	case d.hasTCP:
		return uint16(d.tcp.SrcPort), uint16(d.tcp.DstPort)
	case d.hasUDP:
		return uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
	}
	return 0, 0
}

// layerLines describes the packet one protocol layer a line, for a person.
func (d *decoder) layerLines() []string {
	var out []string
	if d.is6 {
		out = append(out, fmt.Sprintf("IPv6 %s > %s, hop limit %d, payload length %d", d.src(), d.dst(), d.ip6.HopLimit, d.ip6.Length))
	} else {
		l := fmt.Sprintf("IPv4 %s > %s, ttl %d, id %d, length %d", d.src(), d.dst(), d.ip4.TTL, d.ip4.Id, d.ip4.Length)
		if d.ip4.Flags&layers.IPv4DontFragment != 0 {
			l += ", DF"
		}
		out = append(out, l)
	}
	switch {
	case d.hasTCP:
		t := &d.tcp
		l := fmt.Sprintf("TCP %d > %d [%s] seq %d", t.SrcPort, t.DstPort, tcpFlagNames(t), t.Seq)
		if t.ACK {
			l += fmt.Sprintf(" ack %d", t.Ack)
		}
		l += fmt.Sprintf(" win %d", t.Window)
		for _, o := range t.Options {
			if o.OptionType == layers.TCPOptionKindMSS && len(o.OptionData) == 2 {
				l += fmt.Sprintf(" mss %d", int(o.OptionData[0])<<8|int(o.OptionData[1]))
			}
		}
		if n := len(t.Payload); n > 0 {
			l += fmt.Sprintf(", %d bytes of data", n)
		}
		out = append(out, l)
	case d.hasUDP:
		out = append(out, fmt.Sprintf("UDP %d > %d, length %d", d.udp.SrcPort, d.udp.DstPort, d.udp.Length))
		if d.udp.SrcPort == 53 || d.udp.DstPort == 53 {
			m := new(dns.Msg)
			if err := m.Unpack(d.udp.Payload); err == nil {
				out = append(out, dnsLine(m))
			}
		}
	case d.hasICMP:
		out = append(out, "ICMP "+icmpText(d))
	}
	return out
}

// rewriteLine is the short form of a rewritten packet's addresses.
func (d *decoder) rewriteLine() string {
	sp, dp := d.ports()
	if d.hasTCP || d.hasUDP {
		return fmt.Sprintf("%s:%d > %s:%d", d.src(), sp, d.dst(), dp)
	}
	return fmt.Sprintf("%s > %s", d.src(), d.dst())
}

func tcpFlagNames(t *layers.TCP) string {
	var names []string
	for _, f := range []struct {
		on   bool
		name string
	}{{t.SYN, "SYN"}, {t.FIN, "FIN"}, {t.RST, "RST"}, {t.PSH, "PSH"}, {t.ACK, "ACK"}} {
		if f.on {
			names = append(names, f.name)
		}
	}
	return strings.Join(names, ", ")
}

// dnsLine describes a DNS message in one line.
func dnsLine(m *dns.Msg) string {
	var b strings.Builder
	if m.Response {
		fmt.Fprintf(&b, "DNS response id %d", m.Id)
	} else {
		fmt.Fprintf(&b, "DNS query id %d", m.Id)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{m.Authoritative, "aa"}, {m.RecursionDesired, "rd"}, {m.RecursionAvailable, "ra"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if m.Response {
		b.WriteString(" " + dns.RcodeToString[m.Rcode])
	}
	b.WriteString(":")
	for _, q := range m.Question {
		fmt.Fprintf(&b, " %s %s?", q.Name, dns.TypeToString[q.Qtype])
	}
	for i, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		if len(sec) == 0 {
			continue
		}
		b.WriteString([]string{" answer", " authority", " additional"}[i])
		for j, rr := range sec {
			if j > 0 {
				b.WriteString(";")
			}
			b.WriteString(" " + rrText(rr))
		}
	}
	return b.String()
}

// rrText is a record as zone text on one line, spaces for tabs.
func rrText(rr dns.RR) string {
	h := rr.Header()
	switch rr := rr.(type) {
	case *dns.SOA:
		return fmt.Sprintf("%s %d SOA %s %s", h.Name, h.Ttl, rr.Ns, rr.Mbox)
	}
	return strings.Join(strings.Fields(rr.String()), " ")
}

// icmpText describes an ICMP message as tcpdump does.
func icmpText(d *decoder) string {
	tc := d.icmp.TypeCode
	switch tc.Type() {
	case layers.ICMPv4TypeEchoRequest:
		return fmt.Sprintf("echo request, id %d, seq %d, length %d", d.icmp.Id, d.icmp.Seq, 8+len(d.icmp.Payload))
	case layers.ICMPv4TypeEchoReply:
		return fmt.Sprintf("echo reply, id %d, seq %d, length %d", d.icmp.Id, d.icmp.Seq, 8+len(d.icmp.Payload))
	case layers.ICMPv4TypeDestinationUnreachable:
		// The quoted packet says what was unreachable.
		var q layers.IPv4
		if err := q.DecodeFromBytes(d.icmp.Payload, gopacket.NilDecodeFeedback); err == nil {
			var dport uint16
			proto := "ip"
			// only the first 8 bytes of the transport are quoted
			if inner := q.Payload; len(inner) >= 4 {
				dport = uint16(inner[2])<<8 | uint16(inner[3])
			}
			qdst, _ := netip.AddrFromSlice(q.DstIP)
			switch q.Protocol {
			case layers.IPProtocolTCP:
				proto = "tcp"
			case layers.IPProtocolUDP:
				proto = "udp"
			}
			switch tc.Code() {
			case layers.ICMPv4CodePort:
				return fmt.Sprintf("%s %s port %d unreachable, length %d", qdst.Unmap(), proto, dport, 8+len(d.icmp.Payload))
			case layers.ICMPv4CodeHost:
				return fmt.Sprintf("host %s unreachable, length %d", qdst.Unmap(), 8+len(d.icmp.Payload))
			case layers.ICMPv4CodeNet:
				return fmt.Sprintf("net %s unreachable, length %d", qdst.Unmap(), 8+len(d.icmp.Payload))
			}
			return fmt.Sprintf("%s unreachable (code %d), length %d", qdst.Unmap(), tc.Code(), 8+len(d.icmp.Payload))
		}
	}
	return fmt.Sprintf("type %d, code %d, length %d", tc.Type(), tc.Code(), 8+len(d.icmp.Payload))
}

// seqBase makes TCP sequence numbers relative, as tcpdump does: a
// connection's numbers are recorded from its first packet with ACK set and
// shown relative to them after that.
type seqBase map[[2]netip.AddrPort][2]uint32

// tcpdump formats the packet as `tcpdump -nn` prints it, without the
// timestamp. rel, when not nil, makes sequence numbers relative.
func (d *decoder) tcpdump(rel seqBase) string {
	var b strings.Builder
	ipv := "IP"
	if d.is6 {
		ipv = "IP6"
	}
	sp, dp := d.ports()
	switch {
	case d.hasTCP:
		t := &d.tcp
		fmt.Fprintf(&b, "%s %s.%d > %s.%d: Flags [%s]", ipv, d.src(), sp, d.dst(), dp, tcpdumpFlags(t))
		seq, ack := t.Seq, t.Ack
		if rel != nil && t.ACK {
			a, z := netip.AddrPortFrom(d.src(), sp), netip.AddrPortFrom(d.dst(), dp)
			key, rev := [2]netip.AddrPort{a, z}, false
			if z.Compare(a) < 0 {
				key, rev = [2]netip.AddrPort{z, a}, true
			}
			base, ok := rel[key]
			if !ok || t.SYN {
				if rev {
					rel[key] = [2]uint32{ack - 1, seq}
				} else {
					rel[key] = [2]uint32{seq, ack - 1}
				}
			} else if rev {
				seq, ack = seq-base[1], ack-base[0]
			} else {
				seq, ack = seq-base[0], ack-base[1]
			}
		}
		n := len(t.Payload)
		if n > 0 || t.SYN || t.FIN || t.RST {
			fmt.Fprintf(&b, ", seq %d", seq)
			if n > 0 {
				fmt.Fprintf(&b, ":%d", seq+uint32(n))
			}
		}
		if t.ACK {
			fmt.Fprintf(&b, ", ack %d", ack)
		}
		fmt.Fprintf(&b, ", win %d", t.Window)
		if len(t.Options) > 0 {
			b.WriteString(", options [" + tcpdumpOptions(t.Options) + "]")
		}
		fmt.Fprintf(&b, ", length %d", n)
		if n > 0 && (sp == 80 || dp == 80 || sp == 8080 || dp == 8080) {
			if line := httpFirstLine(t.Payload); line != "" {
				b.WriteString(": HTTP: " + line)
			}
		}
	case d.hasUDP:
		fmt.Fprintf(&b, "%s %s.%d > %s.%d: ", ipv, d.src(), sp, d.dst(), dp)
		if sp == 53 || dp == 53 {
			m := new(dns.Msg)
			if err := m.Unpack(d.udp.Payload); err == nil {
				b.WriteString(TcpdumpDNS(m, len(d.udp.Payload), false))
				break
			}
		}
		fmt.Fprintf(&b, "UDP, length %d", len(d.udp.Payload))
	case d.hasICMP:
		fmt.Fprintf(&b, "%s %s > %s: ICMP %s", ipv, d.src(), d.dst(), icmpText(d))
	default:
		fmt.Fprintf(&b, "%s %s > %s", ipv, d.src(), d.dst())
	}
	return b.String()
}

func tcpdumpFlags(t *layers.TCP) string {
	var b strings.Builder
	for _, f := range []struct {
		on bool
		c  byte
	}{{t.FIN, 'F'}, {t.SYN, 'S'}, {t.RST, 'R'}, {t.PSH, 'P'}, {t.URG, 'U'}, {t.ECE, 'E'}, {t.CWR, 'W'}} {
		if f.on {
			b.WriteByte(f.c)
		}
	}
	if t.ACK {
		b.WriteByte('.')
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

func tcpdumpOptions(opts []layers.TCPOption) string {
	var parts []string
	for _, o := range opts {
		switch o.OptionType {
		case layers.TCPOptionKindMSS:
			if len(o.OptionData) == 2 {
				parts = append(parts, "mss "+strconv.Itoa(int(o.OptionData[0])<<8|int(o.OptionData[1])))
			}
		case layers.TCPOptionKindNop:
			parts = append(parts, "nop")
		case layers.TCPOptionKindWindowScale:
			if len(o.OptionData) == 1 {
				parts = append(parts, "wscale "+strconv.Itoa(int(o.OptionData[0])))
			}
		case layers.TCPOptionKindSACKPermitted:
			parts = append(parts, "sackOK")
		case layers.TCPOptionKindEndList:
			parts = append(parts, "eol")
		default:
			parts = append(parts, fmt.Sprintf("opt-%d", o.OptionType))
		}
	}
	return strings.Join(parts, ",")
}

// TcpdumpDNS formats a DNS message as tcpdump does; verbose (-v) names
// each answer's owner before its type. The shell's tcpdump uses it for
// DNS over TCP too.
func TcpdumpDNS(m *dns.Msg, length int, verbose bool) string {
	var b strings.Builder
	if !m.Response {
		b.WriteString(strconv.Itoa(int(m.Id)))
		if m.RecursionDesired {
			b.WriteString("+")
		}
		for _, q := range m.Question {
			fmt.Fprintf(&b, " %s? %s", dns.TypeToString[q.Qtype], q.Name)
		}
		fmt.Fprintf(&b, " (%d)", length)
		return b.String()
	}
	b.WriteString(strconv.Itoa(int(m.Id)))
	switch m.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		b.WriteString(" NXDomain")
	case dns.RcodeServerFailure:
		b.WriteString(" ServFail")
	case dns.RcodeRefused:
		b.WriteString(" Refused")
	default:
		b.WriteString(" " + dns.RcodeToString[m.Rcode])
	}
	if m.Authoritative {
		b.WriteString("*")
	}
	if !m.RecursionAvailable {
		b.WriteString("-")
	}
	fmt.Fprintf(&b, " %d/%d/%d", len(m.Answer), len(m.Ns), len(m.Extra))
	for i, rr := range m.Answer {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" ")
		if verbose {
			b.WriteString(rr.Header().Name + " ")
		}
		b.WriteString(TcpdumpRR(rr))
	}
	fmt.Fprintf(&b, " (%d)", length)
	return b.String()
}

// TcpdumpRR is a record's type and data as tcpdump prints them.
func TcpdumpRR(rr dns.RR) string {
	switch rr := rr.(type) {
	case *dns.A:
		return "A " + rr.A.String()
	case *dns.AAAA:
		return "AAAA " + rr.AAAA.String()
	case *dns.CNAME:
		return "CNAME " + rr.Target
	case *dns.NS:
		return "NS " + rr.Ns
	case *dns.MX:
		return fmt.Sprintf("MX %s %d", rr.Mx, rr.Preference)
	case *dns.TXT:
		return "TXT " + strings.Join(rr.Txt, " ")
	}
	return dns.TypeToString[rr.Header().Rrtype]
}

// httpFirstLine returns the request or status line a payload starts with,
// or "".
func httpFirstLine(p []byte) string {
	i := bytes.Index(p, []byte("\r\n"))
	if i <= 0 {
		return ""
	}
	line := string(p[:i])
	if strings.HasPrefix(line, "HTTP/") {
		return line
	}
	for _, m := range []string{"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "} {
		if strings.HasPrefix(line, m) && strings.Contains(line, " HTTP/") {
			return line
		}
	}
	return ""
}

// tldOf returns the top-level domain of name, "." for the root name itself.
func tldOf(name string) string {
	labels := dns.SplitDomainName(name)
	if len(labels) == 0 {
		return "."
	}
	return labels[len(labels)-1] + "."
}
