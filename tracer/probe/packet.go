package probe

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// builder makes probe packets (IPv4 header included) into one reused
// gopacket.SerializeBuffer, filling in lengths and checksums. The bytes it
// returns are valid until the next call. Not safe for concurrent use.
type builder struct {
	buf      gopacket.SerializeBuffer
	opts     gopacket.SerializeOptions
	ip       layers.IPv4
	tcp      layers.TCP
	udp      layers.UDP
	icmp     layers.ICMPv4
	src, dst [4]byte
	mss      [2]byte
	tcpOpts  [1]layers.TCPOption
	payload  gopacket.Payload
}

func newBuilder() *builder {
	b := &builder{
		buf:  gopacket.NewSerializeBufferExpectedSize(64, 0),
		opts: gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
	}
	binary.BigEndian.PutUint16(b.mss[:], 1460)
	b.tcpOpts[0] = layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: b.mss[:]}
	b.payload = make(gopacket.Payload, 12)
	return b
}

var errNotIPv4 = errors.New("probe: raw probes need IPv4 addresses")

func (b *builder) ipHeader(src, dst netip.Addr, proto layers.IPProtocol, id uint16, ttl uint8) error {
	if !src.Is4() || !dst.Is4() {
		return errNotIPv4
	}
	b.src, b.dst = src.As4(), dst.As4()
	b.ip = layers.IPv4{Version: 4, IHL: 5, TTL: ttl, Id: id, Protocol: proto,
		Flags: layers.IPv4DontFragment, SrcIP: b.src[:], DstIP: b.dst[:]}
	return nil
}

// SYN returns a TCP SYN from src:sport to dst:dport.
func (b *builder) SYN(src, dst netip.Addr, sport, dport uint16, seq uint32, id uint16, ttl uint8) ([]byte, error) {
	if err := b.ipHeader(src, dst, layers.IPProtocolTCP, id, ttl); err != nil {
		return nil, err
	}
	b.tcp = layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq,
		SYN: true, Window: 1024, Options: b.tcpOpts[:]}
	if err := b.tcp.SetNetworkLayerForChecksum(&b.ip); err != nil {
		return nil, err
	}
	if err := gopacket.SerializeLayers(b.buf, b.opts, &b.ip, &b.tcp); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// UDP returns a UDP datagram with a small zero payload.
func (b *builder) UDP(src, dst netip.Addr, sport, dport uint16, id uint16, ttl uint8) ([]byte, error) {
	if err := b.ipHeader(src, dst, layers.IPProtocolUDP, id, ttl); err != nil {
		return nil, err
	}
	b.udp = layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := b.udp.SetNetworkLayerForChecksum(&b.ip); err != nil {
		return nil, err
	}
	if err := gopacket.SerializeLayers(b.buf, b.opts, &b.ip, &b.udp, b.payload); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// Echo returns an ICMP echo request.
func (b *builder) Echo(src, dst netip.Addr, echoID, echoSeq uint16, id uint16, ttl uint8) ([]byte, error) {
	if err := b.ipHeader(src, dst, layers.IPProtocolICMPv4, id, ttl); err != nil {
		return nil, err
	}
	b.icmp = layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: echoID, Seq: echoSeq}
	if err := gopacket.SerializeLayers(b.buf, b.opts, &b.ip, &b.icmp, b.payload); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// Quote is the part of a probe that an ICMP error quotes back: the IPv4
// header and the first eight bytes of the transport header, which carry
// the probe's identity (ports, TCP sequence, echo id and sequence).
type Quote struct {
	Proto    uint8 // 1 ICMP, 6 TCP, 17 UDP
	Src, Dst netip.Addr
	IPID     uint16
	TTL      uint8
	SrcPort  uint16 // TCP and UDP
	DstPort  uint16
	Seq      uint32 // TCP
	EchoID   uint16 // ICMP echo
	EchoSeq  uint16
}

// ICMPMessage is a received ICMPv4 message decoded as far as probes need.
type ICMPMessage struct {
	Type, Code int
	// EchoID and EchoSeq are set for an echo reply.
	EchoID, EchoSeq uint16
	// Quote is set for an error (time exceeded, unreachable, ...).
	Quote    Quote
	HasQuote bool
}

var (
	errShort     = errors.New("probe: packet too short")
	errBadQuote  = errors.New("probe: quoted packet is not IPv4 with a transport header")
	errNotICMPv4 = errors.New("probe: not an ICMPv4 message we read")
)

// ParseICMP decodes an ICMPv4 message (without its IP header): echo
// replies, and errors with the packet they quote. It never panics and does
// not allocate.
func ParseICMP(b []byte) (ICMPMessage, error) {
	var m ICMPMessage
	if len(b) < 8 {
		return m, errShort
	}
	m.Type, m.Code = int(b[0]), int(b[1])
	switch m.Type {
	case 0: // echo reply
		m.EchoID = binary.BigEndian.Uint16(b[4:6])
		m.EchoSeq = binary.BigEndian.Uint16(b[6:8])
		return m, nil
	case 3, 11, 12: // destination unreachable, time exceeded, parameter problem
		q, err := ParseQuote(b[8:])
		if err != nil {
			return m, err
		}
		m.Quote, m.HasQuote = q, true
		return m, nil
	}
	return m, errNotICMPv4
}

// ParseQuote decodes the IPv4 header and first transport bytes quoted in
// an ICMP error. RFC 792 guarantees eight transport bytes; more may follow.
func ParseQuote(b []byte) (Quote, error) {
	var q Quote
	if len(b) < 20 {
		return q, errShort
	}
	if b[0]>>4 != 4 {
		return q, errBadQuote
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl+8 {
		return q, errBadQuote
	}
	q.IPID = binary.BigEndian.Uint16(b[4:6])
	q.TTL = b[8]
	q.Proto = b[9]
	q.Src = netip.AddrFrom4([4]byte(b[12:16]))
	q.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	t := b[ihl:]
	switch q.Proto {
	case 6, 17:
		q.SrcPort = binary.BigEndian.Uint16(t[0:2])
		q.DstPort = binary.BigEndian.Uint16(t[2:4])
		if q.Proto == 6 {
			q.Seq = binary.BigEndian.Uint32(t[4:8])
		}
	case 1:
		if t[0] != 8 { // only an echo request is ours
			return q, errBadQuote
		}
		q.EchoID = binary.BigEndian.Uint16(t[4:6])
		q.EchoSeq = binary.BigEndian.Uint16(t[6:8])
	default:
		return q, errBadQuote
	}
	return q, nil
}

// TCPReply is a received TCP segment decoded as far as probes need.
type TCPReply struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	SYN, ACK, RST    bool
}

// Kind says whether the segment answers a SYN: SYN-ACK, RST, or neither.
func (r TCPReply) Kind() ReplyKind {
	switch {
	case r.RST:
		return ReplyRST
	case r.SYN && r.ACK:
		return ReplySYNACK
	}
	return ReplyNone
}

// tcpDecoder decodes TCP segments with one reused gopacket layer.
type tcpDecoder struct{ tcp layers.TCP }

// Parse decodes a TCP segment (without its IP header). It never panics.
func (d *tcpDecoder) Parse(b []byte) (TCPReply, error) {
	if len(b) < 20 {
		return TCPReply{}, errShort
	}
	if err := d.tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return TCPReply{}, err
	}
	t := &d.tcp
	return TCPReply{SrcPort: uint16(t.SrcPort), DstPort: uint16(t.DstPort), Seq: t.Seq, Ack: t.Ack,
		SYN: t.SYN, ACK: t.ACK, RST: t.RST}, nil
}
