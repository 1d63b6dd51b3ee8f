package play

import (
	"encoding/binary"
	"fmt"
	"github.com/pathlab/pathlab/simnet"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
)

// tcpdump -v adds, to what tcpdump -nn prints of a packet: the IP
// header's fields (verboseLine), a TCP segment's checksum and whether it
// is correct, and the owner name of each DNS answer record (tcpdump
// 4.99's print-domain.c prints names once vflag is set). The lines are
// held byte for byte to the real tcpdump reading the same packets from a
// pcap (TestTcpdumpMatchesRealTool).

// captured, when a test sets it, receives each capture tcpdump prints:
// its lines (as tcpdump -nn) and its packets' bytes.
var captured func(lines []string, raw [][]byte)

// verboseDetail rewrites rest (the part after "IP ") for -v.
func verboseDetail(rest string, pk gopacket.Packet, ip *layers.IPv4) string {
	if tcp, ok := pk.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
		i := strings.Index(rest, "Flags [")
		if i < 0 {
			return rest
		}
		j := strings.Index(rest[i:], "], ")
		if j < 0 {
			return rest
		}
		at := i + j + 3
		sum := tcpChecksum(ip, ip.Payload)
		state := "correct"
		if sum != 0 {
			want := tcp.Checksum ^ ^sum // the value that would have summed to zero
			state = fmt.Sprintf("incorrect -> 0x%04x", want)
		}
		rest = rest[:at] + fmt.Sprintf("cksum 0x%04x (%s), ", tcp.Checksum, state) + rest[at:]
		if k := strings.Index(rest, ": HTTP: "); k >= 0 && len(tcp.Payload) > 0 {
			// -v prints an HTTP payload's length, then its lines.
			var b strings.Builder
			fmt.Fprintf(&b, ": HTTP, length: %d", len(tcp.Payload))
			lines := strings.Split(strings.ReplaceAll(string(tcp.Payload), "\r\n", "\n"), "\n")
			if lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			for _, l := range lines {
				b.WriteString("\n\t" + l)
			}
			rest = rest[:k] + b.String()
		}
		return rest
	}
	if udp, ok := pk.Layer(layers.LayerTypeUDP).(*layers.UDP); ok && (udp.SrcPort == 53 || udp.DstPort == 53) {
		m := new(dns.Msg)
		if m.Unpack(udp.Payload) != nil || !m.Response || len(m.Answer) == 0 {
			return rest
		}
		head := fmt.Sprintf(" %d/%d/%d ", len(m.Answer), len(m.Ns), len(m.Extra))
		i := strings.Index(rest, head)
		k := strings.LastIndex(rest, " (")
		if i < 0 || k < i+len(head) {
			return rest
		}
		parts := make([]string, len(m.Answer))
		for n, rr := range m.Answer {
			parts[n] = rr.Header().Name + " " + simnet.TcpdumpRR(rr)
		}
		return rest[:i+len(head)] + strings.Join(parts, ", ") + rest[k:]
	}
	return rest
}

// tcpChecksum sums a TCP segment with its pseudo-header: 0 when the
// segment's checksum is correct.
func tcpChecksum(ip *layers.IPv4, seg []byte) uint16 {
	var sum uint32
	add := func(b []byte) {
		for len(b) >= 2 {
			sum += uint32(binary.BigEndian.Uint16(b))
			b = b[2:]
		}
		if len(b) == 1 {
			sum += uint32(b[0]) << 8
		}
	}
	add(ip.SrcIP.To4())
	add(ip.DstIP.To4())
	sum += uint32(ip.Protocol) + uint32(len(seg))
	add(seg)
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// tcpDNSLine adds to a TCP segment's line on port 53 the DNS message it
// carries, as tcpdump decodes DNS over TCP (after the segment's length,
// the message without its two-byte length prefix).
func tcpDNSLine(line string, data []byte, verbose bool) string {
	pk := gopacket.NewPacket(data, layers.LayerTypeIPv4, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	tcp, ok := pk.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if !ok || (tcp.SrcPort != 53 && tcp.DstPort != 53) || len(tcp.Payload) < 2+12 {
		return line
	}
	n := int(binary.BigEndian.Uint16(tcp.Payload))
	if len(tcp.Payload) < 2+n {
		return line
	}
	m := new(dns.Msg)
	if m.Unpack(tcp.Payload[2:2+n]) != nil {
		return line
	}
	return line + " " + simnet.TcpdumpDNS(m, n, verbose)
}
