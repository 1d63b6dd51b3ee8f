package probe

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

var src = netip.MustParseAddr("10.77.1.1")

// icmpError wraps the first n bytes of pkt in an ICMP error, as a router
// sends it (RFC 792 quotes the IP header and 8 bytes; Linux quotes more).
func icmpError(typ, code uint8, pkt []byte, n int) []byte {
	n = min(n, len(pkt))
	b := make([]byte, 8+n)
	b[0], b[1] = typ, code
	copy(b[8:], pkt[:n])
	return b
}

func TestBuildAndQuote(t *testing.T) {
	b := newBuilder()
	for _, tc := range []struct {
		name  string
		build func() ([]byte, error)
		want  Quote
	}{
		{"syn", func() ([]byte, error) { return b.SYN(src, target, 40000, 9001, 0xdeadbeef, 77, 3) },
			Quote{Proto: 6, Src: src, Dst: target, IPID: 77, TTL: 3, SrcPort: 40000, DstPort: 9001, Seq: 0xdeadbeef}},
		{"udp", func() ([]byte, error) { return b.UDP(src, target, 40000, 33440, 78, 4) },
			Quote{Proto: 17, Src: src, Dst: target, IPID: 78, TTL: 4, SrcPort: 40000, DstPort: 33440}},
		{"echo", func() ([]byte, error) { return b.Echo(src, target, 0x1234, 0x5678, 79, 5) },
			Quote{Proto: 1, Src: src, Dst: target, IPID: 79, TTL: 5, EchoID: 0x1234, EchoSeq: 0x5678}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkt, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			// The packet decodes cleanly with gopacket, checksums and all.
			p := gopacket.NewPacket(pkt, layers.LayerTypeIPv4, gopacket.Default)
			if el := p.ErrorLayer(); el != nil {
				t.Fatalf("built packet does not decode: %v", el.Error())
			}
			for _, n := range []int{28, len(pkt)} { // the minimum quote and a whole one
				m, err := ParseICMP(icmpError(11, 0, pkt, n))
				if err != nil {
					t.Fatalf("ParseICMP(quote of %d bytes): %v", n, err)
				}
				if !m.HasQuote || m.Quote != tc.want {
					t.Errorf("quote of %d bytes = %+v; want %+v", n, m.Quote, tc.want)
				}
			}
			if _, err := ParseICMP(icmpError(11, 0, pkt, 27)); err == nil {
				t.Error("ParseICMP accepted a quote shorter than the IP header and 8 bytes")
			}
		})
	}
	if _, err := b.SYN(netip.MustParseAddr("::1"), target, 1, 2, 3, 4, 5); err == nil {
		t.Error("SYN from an IPv6 address succeeded; want an error")
	}
}

func TestParseTCP(t *testing.T) {
	b := newBuilder()
	pkt, _ := b.SYN(target, src, 9001, 40000, 1000, 1, 64)
	var d tcpDecoder
	r, err := d.Parse(pkt[20:])
	if err != nil {
		t.Fatal(err)
	}
	if r.SrcPort != 9001 || r.DstPort != 40000 || r.Seq != 1000 || !r.SYN || r.ACK || r.Kind() != ReplyNone {
		t.Errorf("Parse(SYN) = %+v", r)
	}
	if allocs := testing.AllocsPerRun(100, func() { d.Parse(pkt[20:]) }); allocs != 0 {
		t.Errorf("tcpDecoder.Parse allocates %v times per run; want 0", allocs)
	}
	m := icmpError(3, 13, pkt, len(pkt))
	if allocs := testing.AllocsPerRun(100, func() { ParseICMP(m) }); allocs != 0 {
		t.Errorf("ParseICMP allocates %v times per run; want 0", allocs)
	}
}

// cmsg builds the control message recvmsg(MSG_ERRQUEUE) returns: a
// sock_extended_err and the offender's sockaddr_in.
func cmsg(origin, typ, code uint8, offender netip.Addr) []byte {
	data := make([]byte, 16+16)
	binary.NativeEndian.PutUint32(data[0:4], uint32(unix.EHOSTUNREACH))
	data[4], data[5], data[6] = origin, typ, code
	binary.NativeEndian.PutUint16(data[16:18], unix.AF_INET)
	a := offender.As4()
	copy(data[20:24], a[:])
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := unix.CmsgLen(len(data))
	if unix.SizeofCmsghdr == 16 {
		binary.NativeEndian.PutUint64(b[0:8], uint64(h))
		binary.NativeEndian.PutUint32(b[8:12], unix.SOL_IP)
		binary.NativeEndian.PutUint32(b[12:16], unix.IP_RECVERR)
	} else {
		binary.NativeEndian.PutUint32(b[0:4], uint32(h))
		binary.NativeEndian.PutUint32(b[4:8], unix.SOL_IP)
		binary.NativeEndian.PutUint32(b[8:12], unix.IP_RECVERR)
	}
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func TestParseErrQueue(t *testing.T) {
	e, ok := ParseErrQueue(cmsg(unix.SO_EE_ORIGIN_ICMP, 3, 13, router))
	if !ok || !e.ICMP() || e.Type != 3 || e.Code != 13 || e.Offender != router || e.Errno != unix.EHOSTUNREACH {
		t.Errorf("ParseErrQueue = %+v, %v; want ICMP 3/13 from %s", e, ok, router)
	}
	for _, bad := range [][]byte{nil, make([]byte, 8), make([]byte, 64)} {
		if _, ok := ParseErrQueue(bad); ok {
			t.Errorf("ParseErrQueue(%x) succeeded; want false", bad)
		}
	}
}

// FuzzParseICMP feeds the ICMP decoder arbitrary messages: it must never
// panic, and a quote it accepts must read back the bytes it came from.
func FuzzParseICMP(f *testing.F) {
	b := newBuilder()
	syn, _ := b.SYN(src, target, 40000, 9001, 7, 1, 3)
	f.Add(icmpError(11, 0, syn, 28))       // time exceeded, minimal quote
	f.Add(icmpError(3, 13, syn, len(syn))) // admin prohibited, whole quote
	udp, _ := b.UDP(src, target, 40000, 33434, 1, 1)
	f.Add(icmpError(3, 3, udp, len(udp)))              // port unreachable
	f.Add([]byte{0, 0, 0, 0, 0x12, 0x34, 0, 1})        // echo reply
	f.Add(append(icmpError(11, 0, syn, 28)[:8], 0x4f)) // IHL of 60 with nothing after
	f.Fuzz(func(t *testing.T, m []byte) {
		msg, err := ParseICMP(m)
		if err != nil || !msg.HasQuote {
			return
		}
		q := m[8:]
		if int(q[0]&0x0f)*4+8 > len(q) {
			t.Fatalf("accepted a quote shorter than its header: %x", m)
		}
		if msg.Quote.Dst != netip.AddrFrom4([4]byte(q[16:20])) {
			t.Fatalf("quote destination %s does not match the bytes", msg.Quote.Dst)
		}
	})
}

// FuzzParseTCP feeds the TCP decoder arbitrary segments.
func FuzzParseTCP(f *testing.F) {
	b := newBuilder()
	syn, _ := b.SYN(target, src, 9001, 40000, 1000, 1, 64)
	f.Add(syn[20:])
	f.Add(syn[20:30])
	bad := append([]byte{}, syn[20:]...)
	bad[12] = 0xf0 // a data offset past the end
	f.Add(bad)
	var d tcpDecoder
	f.Fuzz(func(t *testing.T, seg []byte) {
		r, err := d.Parse(seg)
		if err == nil && r.SrcPort != binary.BigEndian.Uint16(seg[0:2]) {
			t.Fatalf("source port %d does not match the bytes", r.SrcPort)
		}
	})
}

// FuzzParseErrQueue feeds the IP_RECVERR control-message decoder.
func FuzzParseErrQueue(f *testing.F) {
	f.Add(cmsg(unix.SO_EE_ORIGIN_ICMP, 11, 0, router))
	f.Add(cmsg(unix.SO_EE_ORIGIN_LOCAL, 0, 0, netip.IPv4Unspecified()))
	f.Add(make([]byte, unix.SizeofCmsghdr))
	f.Fuzz(func(t *testing.T, oob []byte) { ParseErrQueue(oob) })
}

// FuzzParseReply feeds the DNS reply check arbitrary messages: only a
// response to the query's ID and question may pass.
func FuzzParseReply(f *testing.F) {
	q := NewQuery("www.lab.test", dns.TypeA, true)
	good := new(dns.Msg)
	good.SetReply(q)
	rr, _ := dns.NewRR("www.lab.test. 300 IN A 10.77.3.2")
	good.Answer = append(good.Answer, rr)
	wire, _ := good.Pack()
	f.Add(wire)
	good.Id++
	wrong, _ := good.Pack()
	f.Add(wrong)
	f.Add(wire[:12])
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseReply(q, b)
		if err != nil {
			return
		}
		if r.Id != q.Id || !r.Response {
			t.Fatalf("ParseReply believed a reply with ID %d (query %d), response %v", r.Id, q.Id, r.Response)
		}
	})
}

func BenchmarkBuildSYN(b *testing.B) {
	bl := newBuilder()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := bl.SYN(src, target, 40000, 9001, uint32(i), uint16(i), 3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAndMatchICMP(b *testing.B) {
	p, _ := PlanTrace("tcp", target, 9001, 30, 2, 40000, 12345)
	bl := newBuilder()
	pr := p.Probes[17]
	syn, _ := bl.SYN(src, target, pr.SrcPort, pr.DstPort, pr.Seq, pr.IPID, uint8(pr.TTL))
	m := icmpError(11, 0, syn, len(syn))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := ParseICMP(m)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := p.MatchQuote(msg.Quote); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkParseTCP(b *testing.B) {
	bl := newBuilder()
	syn, _ := bl.SYN(target, src, 9001, 40000, 1000, 1, 64)
	var d tcpDecoder
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Parse(syn[20:]); err != nil {
			b.Fatal(err)
		}
	}
}
