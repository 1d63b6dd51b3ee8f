package play

import (
	"context"
	"hash/fnv"
	"net/netip"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/capture"
	"github.com/pathlab/pathlab/tracer"
)

// A dig (host, nslookup) that timed out or was refused still put packets
// on the wire, and tcpdump shows them. What crossed the capture point is
// decided from the query's hops, as on Linux (checked against dig 9.18
// and tcpdump in namespaces, see TestLiveDigFailureCapture):
//   - each try is a new query from a new source port, with the same ID;
//     a timed-out try is followed by the next dnsTimeout later, a refused
//     one at once;
//   - refused (nothing listens, or the server's iptables rejects): the
//     query, then the server's ICMP port unreachable quoting it;
//   - answered from an unexpected source (a server without IP_PKTINFO
//     answering from its primary address): the query, the answer from the
//     other address, and the client kernel's ICMP port unreachable back
//     to that address (its socket is connected to the address asked);
//   - lost on the way out (a security group, network ACL, route or the
//     server's iptables DROP): the query left the client and no answer
//     came; the server saw it only if it reached its interface;
//   - lost on the way back: the server saw the query and sent its answer,
//     which never reached the client.

// recordDNSFailure keeps a failed query for tcpdump: what ran, the
// question, the server asked, the hops of its walk and how many tries the
// command made (the lines of "communications error" it printed).
func (s *Shell) recordDNSFailure(what, name string, qtype uint16, tcp bool, r dnsReply, tries int) {
	if r.serverAddr == "" {
		return
	}
	s.last = &lastRequest{what: what, from: s.Host(), hops: r.hops, world: s.world,
		dns: &lastDNS{name: name, qtype: qtype, tcp: tcp, server: r.serverAddr, failed: true, refused: r.refused, tries: tries, when: s.now()}}
}

// queryID is a failed query's DNS ID: fixed by its question and time, so that a
// transcript is the same on every run.
func queryID(name, server string, when time.Time) uint16 {
	h := fnv.New32a()
	h.Write([]byte(name + " " + server + " " + when.Format(time.RFC3339Nano)))
	return uint16(h.Sum32())
}

// dnsFailCapture fills c with the packets of a query that got no usable
// answer, as seen at the asking host (atClient) or at the server.
func (s *Shell) dnsFailCapture(ctx context.Context, c *capture.Capture, last *lastRequest, me, srv netip.Addr, port uint16, atClient bool) {
	d := last.dns
	var blk *tracer.Hop
	for i := range last.hops {
		if last.hops[i].Blocks {
			blk = &last.hops[i]
			break
		}
	}
	const (
		lost     = iota // no answer known: only the queries
		refused         // ICMP port unreachable (UDP) or RST (TCP) from the server
		stray           // answered from another address, refused by the client's kernel
		lostOut         // dropped before the server
		lostBack        // the server answered; the answer was lost
	)
	what, serverSees := lost, false
	// The answer, where one was sent: tcpdump sees a packet arrive before
	// the host's iptables INPUT drops it, and leave only after OUTPUT.
	clientSeesAnswer, serverSendsAnswer := true, true
	switch {
	case blk == nil && d.refused:
		what, serverSees = refused, true
	case blk == nil:
	case blk.Code == tracer.ReplyFromUnexpectedSource:
		what, serverSees = stray, true
	case blk.Code == tracer.PortClosed || blk.Code == tracer.ServiceDown || blk.Code == tracer.BoundToLoopback || blk.Code == tracer.HostFirewallReject:
		what, serverSees = refused, true
	case blk.Direction == tracer.Return:
		what, serverSees = lostBack, true
		clientSeesAnswer = blk.Kind == tracer.KindHostFirewall && blk.Component == last.from
		serverSendsAnswer = !(blk.Kind == tracer.KindHostFirewall && blk.Component != last.from)
	default:
		what = lostOut
		// tcpdump on the server sees a packet its own iptables drops
		// later; one a security group, ACL or route drops never arrives.
		serverSees = blk.Kind == tracer.KindHostFirewall && blk.Component != last.from
		if blk.Kind == tracer.KindHostFirewall && blk.Component == last.from {
			// The client's own OUTPUT chain dropped it: tcpdump
			// sees egress after iptables, so nothing left.
			atClient = false
		}
	}
	if !atClient && !serverSees {
		c.Notes = append(c.Notes, "no packet of this query passes "+c.At)
		return
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(d.name), d.qtype)
	q.Id = queryID(d.name, d.server, d.when)
	q.RecursionDesired = !d.norec
	var answer *dns.Msg
	strayFrom := srv
	if what == stray && blk.Flow.Src.Addr().IsValid() {
		strayFrom = blk.Flow.Src.Addr().Unmap()
	}
	if (what == stray || what == lostBack) && last.world != nil && port == 53 {
		answer, _ = last.world.HostDNS(ctx, srv, q)
	}
	t := d.when
	if t.IsZero() {
		t = s.now()
	}
	tries := max(d.tries, 1)
	add := func(at time.Time, data []byte, err error, client, server bool) {
		if err != nil || (atClient && !client) || (!atClient && !server) {
			return
		}
		c.Packets = append(c.Packets, simnet.Packet{Time: at, Data: data})
	}
	for i := range tries {
		sport := uint16(40000 + (int(q.Id)+i*7919)%20000)
		if d.tcp {
			s.tcpTry(t, add, me, srv, sport, port, what == refused, serverSees)
		} else {
			wire, err := q.Pack()
			if err != nil {
				return
			}
			query, err := digQueryPacket(me, srv, sport, port, wire)
			add(t, query, err, true, serverSees)
			switch {
			case what == refused:
				icmp, err := icmpPortUnreachable(srv, me, query)
				add(t.Add(20*time.Microsecond), icmp, err, true, true)
			case answer != nil:
				aw, err := answer.Pack()
				if err != nil {
					break
				}
				ans, err := udpPacket(strayFrom, me, port, sport, aw)
				add(t.Add(time.Millisecond), ans, err, what == stray || clientSeesAnswer, serverSendsAnswer)
				if what == stray {
					icmp, err := icmpPortUnreachable(me, strayFrom, ans)
					add(t.Add(time.Millisecond+20*time.Microsecond), icmp, err, true, true)
				}
			}
		}
		if what == refused {
			t = t.Add(300 * time.Microsecond)
		} else {
			t = t.Add(dnsTimeout)
		}
	}
}

// tcpTry is one try of dig +tcp that got no answer: a SYN answered by a
// RST when refused, else the SYN and the kernel's retransmissions of it
// (Linux: initial RTO 1 s, doubling) within dig's wait.
func (s *Shell) tcpTry(t time.Time, add func(time.Time, []byte, error, bool, bool), me, srv netip.Addr, sport, port uint16, refused, serverSees bool) {
	const cISN = 1828167567
	syn, err := tcpPacket(me, srv, sport, port, cISN, 0, "S", nil)
	add(t, syn, err, true, serverSees)
	if refused {
		rst, err := tcpPacket(srv, me, port, sport, 0, cISN+1, "RA", nil)
		add(t.Add(20*time.Microsecond), rst, err, true, true)
		return
	}
	for _, after := range []time.Duration{time.Second, 3 * time.Second} {
		add(t.Add(after), syn, err, true, serverSees)
	}
}

// icmpPortUnreachable is the ICMP error a Linux host sends for a UDP
// datagram to a port no socket takes: precedence 0xc0 (internetwork
// control), quoting as much of the datagram as fits in 576 bytes.
func icmpPortUnreachable(src, dst netip.Addr, quoted []byte) ([]byte, error) {
	if len(quoted) > 576-28 {
		quoted = quoted[:576-28]
	}
	ip := &layers.IPv4{Version: 4, TTL: 64, TOS: 0xc0, Protocol: layers.IPProtocolICMPv4, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeDestinationUnreachable, layers.ICMPv4CodePort)}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, icmp, gopacket.Payload(quoted))
	return buf.Bytes(), err
}

// quotedVerbose is what tcpdump -v prints under an ICMP error: the
// packet it quotes, its IP header on a line after a tab, then the packet
// as tcpdump reads it.
func quotedVerbose(pk gopacket.Packet) string {
	icmp, ok := pk.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
	if !ok || icmp.TypeCode.Type() != layers.ICMPv4TypeDestinationUnreachable {
		return ""
	}
	quoted := icmp.Payload
	lines := simnet.TcpdumpLines([]simnet.Packet{{Data: quoted}})
	if len(lines) != 1 {
		return ""
	}
	v := verboseLine(lines[0], quoted)
	_, v, ok = strings.Cut(v, " IP ")
	if !ok || !strings.HasPrefix(v, "(") {
		return ""
	}
	return "\n\tIP " + v
}

// digQueryPacket is a UDP query as dig 9.18 sends it: without DF (BIND
// turns path MTU discovery off on its UDP sockets; tcpdump -v shows
// "flags [none]" on dig's queries), so Linux gives the datagram an IP ID
// (here a fixed one from the port, to keep transcripts the same).
func digQueryPacket(src, dst netip.Addr, sport, dport uint16, payload []byte) ([]byte, error) {
	ip := &layers.IPv4{Version: 4, TTL: 64, Id: sport ^ 0x5a5a, Protocol: layers.IPProtocolUDP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload))
	return buf.Bytes(), err
}
