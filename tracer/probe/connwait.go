package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pendingConnect is a connect() in progress. Its socket can be waited on
// more than once: a SYN whose answer comes after one wait has run out is
// still answered on this socket (the kernel resends the SYN meanwhile), so
// a caller that learns the link is slow can wait again instead of calling
// the port filtered.
type pendingConnect struct {
	s     *errSocket
	rc    syscall.RawConn
	dst   netip.AddrPort
	start time.Time
	// settled is set once the attempt ended: answered, refused, or
	// stopped by an ICMP error. Its socket then holds no pending SYN.
	settled bool
}

// startConnect starts a non-blocking connect() to dst with IP_RECVERR. A
// connect() that fails at once returns no pendingConnect and its result.
func startConnect(dst netip.AddrPort) (*pendingConnect, connectResult, error) {
	s, err := newErrSocket(dst.Addr(), unix.SOCK_STREAM)
	if err != nil {
		return nil, connectResult{}, err
	}
	start := time.Now()
	if err := s.connect(dst); err != nil {
		return nil, classifyConnect(err, nil, time.Since(start)), nil
	}
	rc, err := s.f.SyscallConn()
	if err != nil {
		s.Close()
		return nil, connectResult{}, err
	}
	return &pendingConnect{s: s, rc: rc, dst: dst, start: start}, connectResult{}, nil
}

// check reads the attempt's state without waiting: done is false while the
// SYN is still unanswered.
func (p *pendingConnect) check() (done bool, cerr error) {
	p.rc.Control(func(fd uintptr) { done, cerr = connectDone(int(fd)) })
	return done, cerr
}

func connectDone(fd int) (bool, error) {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return true, err
	}
	if v != 0 {
		return true, unix.Errno(v)
	}
	if _, err := unix.Getpeername(fd); err != nil {
		return false, nil // still connecting
	}
	return true, nil
}

// wait waits for the attempt to end until until(start), asked again each
// time it passes. A wait that runs out leaves the attempt pending (State
// filtered, Errno ETIMEDOUT): the caller may wait again, and must close.
// The error is ctx's when ctx ended first.
func (p *pendingConnect) wait(ctx context.Context, until func(start time.Time) time.Time, keep bool) (connectResult, error) {
	if p.s == nil {
		return connectResult{}, fmt.Errorf("probe: the connection attempt to %s is closed", p.dst)
	}
	f := p.s.f
	stop := context.AfterFunc(ctx, func() { f.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	done, cerr := p.check()
	for !done {
		deadline := until(p.start)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		if !time.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		p.s.f.SetDeadline(deadline)
		// An end of ctx that set its deadline before this one did is
		// seen here; one after it sets its own, which wins.
		if ctx.Err() != nil {
			break
		}
		werr := p.rc.Write(func(fd uintptr) bool {
			done, cerr = connectDone(int(fd))
			return done
		})
		if ctx.Err() != nil {
			return connectResult{}, ctx.Err()
		}
		if werr != nil && !done {
			// The deadline: the answer may have come with it.
			done, cerr = p.check()
		}
	}
	if !done && ctx.Err() != nil {
		return connectResult{}, ctx.Err()
	}
	rtt := time.Since(p.start)
	if !done {
		// Silence so far. An ICMP error may still have been queued.
		r := connectResult{State: PortFiltered, RTT: rtt, Errno: unix.ETIMEDOUT}
		if e, ok := p.s.readErr(); ok && e.ICMP() {
			r.ICMP = &e
		}
		return r, nil
	}
	p.settled = true
	if cerr != nil {
		var ext *ExtError
		if e, ok := p.s.readErr(); ok && e.ICMP() {
			ext = &e
		}
		p.close()
		return classifyConnect(cerr, ext, rtt), nil
	}
	r := connectResult{State: PortOpen, RTT: rtt}
	if sa, err := unix.Getsockname(p.s.fd); err == nil {
		r.Local = addrPortOf(sa)
	}
	if keep {
		c, err := net.FileConn(p.s.f)
		p.close()
		if err != nil {
			return connectResult{}, fmt.Errorf("probe: %w", err)
		}
		r.Conn = c
		return r, nil
	}
	p.close()
	return r, nil
}

// close releases the socket (net.FileConn holds its own copy of it); an
// attempt still pending is abandoned.
func (p *pendingConnect) close() {
	if p.s != nil {
		p.s.Close()
		p.s = nil
	}
}
