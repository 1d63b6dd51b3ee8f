package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNoRaw is wrapped when raw sockets are refused (no CAP_NET_RAW).
var ErrNoRaw = errors.New("raw sockets refused (needs root or CAP_NET_RAW)")

// RawAllowed reports whether this process may open raw sockets.
func RawAllowed() bool {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// rawSender sends whole IPv4 packets (header included) on an IPPROTO_RAW
// socket.
type rawSender struct{ fd int }

func newRawSender() (*rawSender, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("%w: %v", ErrNoRaw, err)
		}
		return nil, fmt.Errorf("probe: raw socket: %w", err)
	}
	return &rawSender{fd: fd}, nil
}

func (s *rawSender) send(pkt []byte, dst netip.Addr) error {
	return unix.Sendto(s.fd, pkt, 0, &unix.SockaddrInet4{Addr: dst.As4()})
}

func (s *rawSender) Close() error { return unix.Close(s.fd) }

// sourceFor returns the local address the kernel would use to reach dst.
// Connecting a UDP socket sends nothing.
func sourceFor(dst netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("probe: no route to %s: %w", dst, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// rawPacket is a packet read from a raw listener, decoded in the reader.
type rawPacket struct {
	from  netip.Addr
	at    time.Time // the kernel's receive time where it gave one
	ttl   int       // the IP TTL the packet arrived with; 0 if unknown
	tcp   TCPReply
	icmp  ICMPMessage
	isTCP bool
}

// listeners read TCP segments and ICMP messages addressed to this host
// from raw sockets and hand the decoded ones that pass keep to out.
type listeners struct {
	tcp, icmp net.PacketConn
	out       chan rawPacket
	ready     chan struct{} // one token per reader once it runs
	wg        sync.WaitGroup
	done      chan struct{}
}

// listen opens the raw listeners: TCP when wantTCP, ICMP always.
func listen(wantTCP bool, keep func(*rawPacket) bool) (*listeners, error) {
	n := 1
	if wantTCP {
		n = 2
	}
	l := &listeners{out: make(chan rawPacket, 256), done: make(chan struct{}), ready: make(chan struct{}, n)}
	var err error
	l.icmp, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
	if err != nil {
		return nil, rawErr(err)
	}
	if wantTCP {
		l.tcp, err = net.ListenPacket("ip4:tcp", "0.0.0.0")
		if err != nil {
			l.icmp.Close()
			return nil, rawErr(err)
		}
		l.wg.Add(1)
		go l.read(l.tcp, true, keep)
	}
	l.wg.Add(1)
	go l.read(l.icmp, false, keep)
	// Let the readers reach their first read before any probe leaves:
	// replies that come while they are still starting are stamped late
	// (seen on gVisor: round trips of milliseconds, not tens of µs).
	for range cap(l.ready) {
		<-l.ready
	}
	time.Sleep(2 * time.Millisecond)
	return l, nil
}

func rawErr(err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%w: %v", ErrNoRaw, err)
	}
	return fmt.Errorf("probe: raw listener: %w", err)
}

func (l *listeners) read(c net.PacketConn, isTCP bool, keep func(*rawPacket) bool) {
	defer l.wg.Done()
	buf := make([]byte, 1500)
	oob := make([]byte, 128)
	var dec tcpDecoder
	ic, _ := c.(*net.IPConn)
	if ic != nil {
		if rc, err := ic.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { enableRecvInfo(int(fd), false) })
		}
	}
	l.ready <- struct{}{}
	for {
		var n, oobn int
		var addr net.Addr
		var err error
		if ic != nil {
			var ia *net.IPAddr
			n, oobn, _, ia, err = ic.ReadMsgIP(buf, oob)
			addr = ia
		} else {
			n, addr, err = c.ReadFrom(buf)
		}
		if err != nil {
			return // closed
		}
		ip, ok := addr.(*net.IPAddr)
		if !ok || ip == nil {
			continue
		}
		from, ok := netip.AddrFromSlice(ip.IP)
		if !ok {
			continue
		}
		at, ttl := recvInfo(oob[:oobn])
		if at.IsZero() {
			at = time.Now()
		}
		pkt := buf[:n]
		if ic != nil {
			// ReadMsgIP, unlike ReadFrom, leaves the IPv4 header on.
			if len(pkt) < 20 || pkt[0]>>4 != 4 || int(pkt[0]&0x0f)*4 > len(pkt) {
				continue
			}
			ttl = int(pkt[8])
			pkt = pkt[int(pkt[0]&0x0f)*4:]
		}
		p := rawPacket{from: from.Unmap(), at: at, ttl: ttl, isTCP: isTCP}
		if isTCP {
			p.tcp, err = dec.Parse(pkt)
		} else {
			p.icmp, err = ParseICMP(pkt)
		}
		if err != nil || !keep(&p) {
			continue
		}
		select {
		case l.out <- p:
		case <-l.done:
			return
		}
	}
}

// Close stops the readers and waits for them.
func (l *listeners) Close() {
	close(l.done)
	if l.tcp != nil {
		l.tcp.Close()
	}
	l.icmp.Close()
	l.wg.Wait()
}

// pacer bounds a probe's send rate: burst packets at once, then one every
// interval.
type pacer struct {
	interval time.Duration
	tokens   float64
	burst    float64
	last     time.Time
	now      func() time.Time
}

func newPacer(perSecond, burst int) *pacer {
	if perSecond <= 0 {
		perSecond = DefaultRate
	}
	burst = max(burst, 1)
	return &pacer{interval: time.Second / time.Duration(perSecond), tokens: float64(burst), burst: float64(burst), now: time.Now}
}

// DefaultRate is the default bound on probes per second.
const DefaultRate = 500

// delay takes one token and returns how long to wait before sending.
func (p *pacer) delay() time.Duration {
	now := p.now()
	if !p.last.IsZero() {
		p.tokens = min(p.burst, p.tokens+float64(now.Sub(p.last))/float64(p.interval))
	}
	p.last = now
	p.tokens--
	if p.tokens >= 0 {
		return 0
	}
	return time.Duration(-p.tokens * float64(p.interval))
}

// ready returns how long until a token is there, without taking it.
func (p *pacer) ready() time.Duration {
	now := p.now()
	t := p.tokens
	if !p.last.IsZero() {
		t = min(p.burst, t+float64(now.Sub(p.last))/float64(p.interval))
	}
	if t >= 1 {
		return 0
	}
	return time.Duration((1 - t) * float64(p.interval))
}

// refund gives back a token when an answer has come: the rate bounds
// probes that have not been answered, and answers clock out new probes
// (as TCP's ACKs do), so a host that answers is probed at its own pace.
func (p *pacer) refund() { p.tokens = min(p.burst, p.tokens+1) }

// wait blocks until the next packet may go, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	d := p.delay()
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
