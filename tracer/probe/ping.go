package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"github.com/pathlab/pathlab/tracer"
)

// pingTries is how many echo requests an icmp:// target gets, as ping -c 3.
const pingTries = 3

// dialICMP pings addr: up to pingTries echo requests, a third of the step
// timeout apart, over a raw socket (or, without CAP_NET_RAW, a ping
// socket where net.ipv4.ping_group_range allows one). An echo reply from
// addr is an answer; an ICMP error quoting one of our requests names its
// sender; silence is a timeout.
func (n *Network) dialICMP(ctx context.Context, addr netip.AddrPort) (*tracer.Conn, error) {
	dst := addr.Addr().Unmap()
	c := &tracer.Conn{Proto: tracer.ICMP, Addr: addr, Via: "raw"}
	if !dst.Is4() {
		return nil, fmt.Errorf("probe: ping of %s: IPv4 only", dst)
	}
	pc, err := icmp.ListenPacket("ip4:icmp", "0.0.0.0")
	raw := err == nil
	if err != nil {
		if pc, err = icmp.ListenPacket("udp4", "0.0.0.0"); err != nil {
			return nil, fmt.Errorf("probe: ping needs a raw socket or a ping socket (net.ipv4.ping_group_range): %w", err)
		}
		c.Via = "ping socket"
	}
	defer pc.Close()
	id := int(randUint32() & 0xffff)
	var to net.Addr = &net.IPAddr{IP: dst.AsSlice()}
	if !raw {
		to = &net.UDPAddr{IP: dst.AsSlice()}
	}
	gap := n.timeout() / pingTries
	start := time.Now()
	deadline := start.Add(n.timeout())
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	stop := context.AfterFunc(ctx, func() { pc.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 1500)
	host := dst.String()
	for seq := 0; seq < pingTries && time.Now().Before(deadline); seq++ {
		msg := icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: id, Seq: seq, Data: []byte("pathlab")}}
		b, _ := msg.Marshal(nil)
		sent := time.Now()
		if _, err := pc.WriteTo(b, to); err != nil {
			if errors.Is(err, unix.EPERM) {
				// This host's own firewall dropped the request on its way
				// out (ping says "sendmsg: Operation not permitted"): to
				// the target it is silence.
				c.State, c.RTT = tracer.ConnTimeout, time.Since(start)
				c.Hops = []tracer.Hop{{Component: "this host", Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActDrop, Code: tracer.TCPTimeout, Blocks: true,
					Detail: fmt.Sprintf("the echo request to %s was dropped by this host's own firewall on its way out (sendto: operation not permitted)", host)}}
				return c, ctx.Err()
			}
			return nil, fmt.Errorf("probe: ping %s: %w", dst, err)
		}
		pc.SetReadDeadline(minTime(sent.Add(gap), deadline))
		for {
			nr, from, err := pc.ReadFrom(buf)
			if err != nil {
				break // this try's wait is over
			}
			m, err := icmp.ParseMessage(1, buf[:nr])
			if err != nil {
				continue
			}
			sender := addrOfNet(from)
			switch body := m.Body.(type) {
			case *icmp.Echo:
				// A ping socket rewrites the ID to its own port.
				if m.Type != ipv4.ICMPTypeEchoReply || sender != dst || (raw && body.ID != id) {
					continue
				}
				c.State, c.RTT = tracer.ConnOpen, time.Since(sent)
				c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Return, Action: tracer.ActReceive, Code: tracer.Received,
					Detail: fmt.Sprintf("echo reply from %s in %s (request %d)", host, c.RTT.Round(time.Microsecond), seq+1)}}
				return c, ctx.Err()
			case *icmp.DstUnreach:
				if !quotesEcho(body.Data, dst, id, raw) {
					continue
				}
				typ, code := m.Type.(ipv4.ICMPType), m.Code
				c.State, c.RTT = tracer.ConnUnreachable, time.Since(sent)
				c.ICMP = &tracer.ICMPError{Type: int(typ), Code: code, Sender: sender}
				c.Hops = []tracer.Hop{icmpHop(addr, c.ICMP)}
				return c, ctx.Err()
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	c.State, c.RTT = tracer.ConnTimeout, time.Since(start)
	c.Hops = []tracer.Hop{{Component: host, Kind: tracer.KindHost, Direction: tracer.Forward, Action: tracer.ActSend, Code: tracer.TCPTimeout, Blocks: true,
		Detail: fmt.Sprintf("%d echo requests to %s, no echo reply and no ICMP error in %s", pingTries, host, time.Since(start).Round(time.Millisecond))}}
	return c, ctx.Err()
}

// quotesEcho reports whether an ICMP error's quote holds our echo request
// to dst.
func quotesEcho(q []byte, dst netip.Addr, id int, checkID bool) bool {
	if len(q) < 20+8 || q[9] != 1 {
		return false
	}
	ihl := int(q[0]&0x0f) * 4
	if len(q) < ihl+8 {
		return false
	}
	if a, _ := netip.AddrFromSlice(q[16:20]); a != dst || q[ihl] != 8 {
		return false
	}
	return !checkID || int(q[ihl+4])<<8|int(q[ihl+5]) == id
}

func addrOfNet(a net.Addr) netip.Addr {
	var ip net.IP
	switch x := a.(type) {
	case *net.IPAddr:
		ip = x.IP
	case *net.UDPAddr:
		ip = x.IP
	}
	v, _ := netip.AddrFromSlice(ip)
	return v.Unmap()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
