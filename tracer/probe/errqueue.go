package probe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ExtError is an ICMP error the kernel queued on a socket with IP_RECVERR:
// what a connect() or a UDP datagram met on the way.
type ExtError struct {
	Errno    unix.Errno
	Origin   uint8 // unix.SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_LOCAL, ...
	Type     uint8
	Code     uint8
	Info     uint32     // ee_info: the next-hop MTU of "fragmentation needed" and EMSGSIZE
	Offender netip.Addr // the host that sent the ICMP error; zero if none
}

// ParseErrQueue decodes the control messages of a recvmsg(MSG_ERRQUEUE):
// a struct sock_extended_err followed by the offender's sockaddr. It never
// panics and does not allocate.
func ParseErrQueue(oob []byte) (ExtError, bool) {
	for len(oob) >= unix.SizeofCmsghdr {
		l, level, typ := cmsgHeader(oob)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return ExtError{}, false
		}
		data := oob[unix.CmsgLen(0):l]
		if (level == unix.SOL_IP && typ == unix.IP_RECVERR) || (level == unix.SOL_IPV6 && typ == unix.IPV6_RECVERR) {
			return parseExtErr(data)
		}
		next := unix.CmsgSpace(l - unix.CmsgLen(0))
		if next > len(oob) {
			break
		}
		oob = oob[next:]
	}
	return ExtError{}, false
}

// cmsgHeader reads a struct cmsghdr: a size_t length, then level and type.
func cmsgHeader(b []byte) (l, level, typ int) {
	if unix.SizeofCmsghdr == 16 {
		n := binary.NativeEndian.Uint64(b[0:8])
		if n > 1<<20 {
			return -1, 0, 0
		}
		return int(n), int(int32(binary.NativeEndian.Uint32(b[8:12]))), int(int32(binary.NativeEndian.Uint32(b[12:16])))
	}
	return int(binary.NativeEndian.Uint32(b[0:4])), int(int32(binary.NativeEndian.Uint32(b[4:8]))), int(int32(binary.NativeEndian.Uint32(b[8:12])))
}

func parseExtErr(d []byte) (ExtError, bool) {
	const size = 16 // sizeof(struct sock_extended_err)
	if len(d) < size {
		return ExtError{}, false
	}
	e := ExtError{
		Errno:  unix.Errno(binary.NativeEndian.Uint32(d[0:4])),
		Origin: d[4], Type: d[5], Code: d[6],
		Info: binary.NativeEndian.Uint32(d[8:12]),
	}
	sa := d[size:]
	if len(sa) >= 8 {
		switch binary.NativeEndian.Uint16(sa[0:2]) {
		case unix.AF_INET:
			e.Offender = netip.AddrFrom4([4]byte(sa[4:8]))
		case unix.AF_INET6:
			if len(sa) >= 24 {
				e.Offender = netip.AddrFrom16([16]byte(sa[8:24])).Unmap()
			}
		}
	}
	return e, true
}

// ICMP reports whether the error came from an ICMP message.
func (e ExtError) ICMP() bool {
	return e.Origin == unix.SO_EE_ORIGIN_ICMP || e.Origin == unix.SO_EE_ORIGIN_ICMP6
}

// errSocket is a non-blocking socket with IP_RECVERR, wrapped in an
// os.File so the runtime poller waits on it with deadlines.
type errSocket struct {
	f   *os.File
	fd  int
	six bool
}

func newErrSocket(dst netip.Addr, typ int) (*errSocket, error) {
	fam := unix.AF_INET
	if !dst.Unmap().Is4() {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(fam, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("probe: socket: %w", err)
	}
	s := &errSocket{fd: fd, six: fam == unix.AF_INET6}
	if s.six {
		err = unix.SetsockoptInt(fd, unix.SOL_IPV6, unix.IPV6_RECVERR, 1)
	} else {
		err = unix.SetsockoptInt(fd, unix.SOL_IP, unix.IP_RECVERR, 1)
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("probe: IP_RECVERR: %w", err)
	}
	return s, nil
}

func (s *errSocket) setTTL(ttl int) error {
	if s.six {
		return unix.SetsockoptInt(s.fd, unix.SOL_IPV6, unix.IPV6_UNICAST_HOPS, ttl)
	}
	return unix.SetsockoptInt(s.fd, unix.SOL_IP, unix.IP_TTL, ttl)
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	a := ap.Addr().Unmap()
	if a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
}

// connect starts a non-blocking connect and hands the fd to the poller.
func (s *errSocket) connect(dst netip.AddrPort) error {
	err := unix.Connect(s.fd, sockaddr(dst))
	if err != nil && !errors.Is(err, unix.EINPROGRESS) {
		unix.Close(s.fd)
		return err
	}
	s.f = os.NewFile(uintptr(s.fd), "probe")
	return nil
}

// readErr takes one error from the socket's error queue, if any.
func (s *errSocket) readErr() (ExtError, bool) {
	rc, err := s.f.SyscallConn()
	if err != nil {
		return ExtError{}, false
	}
	var e ExtError
	var ok bool
	rc.Control(func(fd uintptr) {
		var b [64]byte
		var oob [256]byte
		_, oobn, _, _, err := unix.Recvmsg(int(fd), b[:], oob[:], unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
		if err == nil {
			e, ok = ParseErrQueue(oob[:oobn])
		}
	})
	return e, ok
}

func (s *errSocket) Close() error {
	if s.f != nil {
		return s.f.Close()
	}
	return unix.Close(s.fd)
}

// connectResult is what one connect() learned.
type connectResult struct {
	State PortState
	ICMP  *ExtError // the ICMP error that ended it, if one did
	Errno error
	RTT   time.Duration
	Conn  net.Conn // set when open and keep was asked for
	Local netip.AddrPort
}

// connectProbe runs connect() to dst with IP_RECVERR set, so that an ICMP
// error that ends the attempt is read back with its sender, type and code.
// keep asks for the open connection to be returned; otherwise it is closed.
func connectProbe(ctx context.Context, dst netip.AddrPort, timeout time.Duration, keep bool) (connectResult, error) {
	return connectProbeUntil(ctx, dst, func(start time.Time) time.Time { return start.Add(timeout) }, keep)
}

// connectProbeUntil is connectProbe with a wait that may grow while it
// runs: when the deadline until(start) passes, it is asked again, and the
// attempt goes on while the answer is later (a scan whose answers show a
// slow link lengthens the wait of every port still pending).
func connectProbeUntil(ctx context.Context, dst netip.AddrPort, until func(start time.Time) time.Time, keep bool) (connectResult, error) {
	p, r, err := startConnect(dst)
	if p == nil {
		return r, err
	}
	r, err = p.wait(ctx, until, keep)
	if err != nil || !p.settled {
		p.close()
	}
	return r, err
}

func addrPortOf(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}

// classifyConnect turns a connect() error into a port state. A refusal
// with no ICMP error behind it is a RST: closed. Everything else that
// stops a connection (ICMP unreachable of any code) counts as filtered.
func classifyConnect(err error, ext *ExtError, rtt time.Duration) connectResult {
	r := connectResult{State: PortFiltered, ICMP: ext, Errno: err, RTT: rtt}
	if errors.Is(err, unix.ECONNREFUSED) && ext == nil {
		r.State = PortClosed
	}
	return r
}

// enableRecvInfo asks the kernel to stamp each received packet (and each
// queued ICMP error) with its arrival time, and to pass the IP TTL of
// received packets: round trips are then measured from the kernel's
// receive time, not from when a goroutine got to read the packet.
func enableRecvInfo(fd int, six bool) {
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	if !six {
		unix.SetsockoptInt(fd, unix.SOL_IP, unix.IP_RECVTTL, 1)
	}
}

// recvInfo reads the kernel receive time (SCM_TIMESTAMPNS) and the IP TTL
// (IP_TTL) from control messages; zero values when absent. It never
// panics.
func recvInfo(oob []byte) (at time.Time, ttl int) {
	for len(oob) >= unix.SizeofCmsghdr {
		l, level, typ := cmsgHeader(oob)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return at, ttl
		}
		data := oob[unix.CmsgLen(0):l]
		switch {
		case level == unix.SOL_SOCKET && typ == unix.SCM_TIMESTAMPNS && len(data) >= 16:
			sec := int64(binary.NativeEndian.Uint64(data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(data[8:16]))
			at = time.Unix(sec, nsec)
		case level == unix.SOL_IP && typ == unix.IP_TTL && len(data) >= 4:
			ttl = int(binary.NativeEndian.Uint32(data[0:4]))
		}
		next := unix.CmsgSpace(l - unix.CmsgLen(0))
		if next > len(oob) {
			break
		}
		oob = oob[next:]
	}
	return at, ttl
}

// BackHops estimates how many hops a reply travelled from the TTL it
// arrived with, as tracepath does: the sender started at 64, 128 or 255.
// 0 when unknown.
func BackHops(ttl int) int {
	switch {
	case ttl <= 0:
		return 0
	case ttl <= 64:
		return 65 - ttl
	case ttl <= 128:
		return 129 - ttl
	}
	return 256 - ttl
}
