package probe

import (
	"context"
	"errors"
	"net/netip"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
)

// FailureRefused is an Answer's Failure when the server refused the query
// outright: ICMP port unreachable over UDP, a RST over TCP. dig prints
// that differently from a timeout.
const FailureRefused = "connection refused"

// ExchangeTCP sends q to server over TCP only, as dig +tcp and +vc do:
// one connection, the query with its two-byte length, one reply read.
// A refused connection or a timeout leaves Msg nil and says why in Err.
func ExchangeTCP(ctx context.Context, server netip.AddrPort, q *dns.Msg, timeout time.Duration) *DNSReply {
	rep := &DNSReply{Server: server}
	wire, err := q.Pack()
	if err != nil {
		rep.Err = err
		return rep
	}
	rep.Tries = 1
	exchangeTCP(ctx, server, q, wire, rep, timeout)
	if rep.Msg == nil {
		rep.Err, rep.TCPErr = rep.TCPErr, nil
		if ctx.Err() != nil {
			rep.Interrupted = true
		}
	}
	return rep
}

// ResolveTCP is Resolve with every query sent over TCP (dig +tcp): no
// UDP packet leaves, so a server that answers only over TCP answers, and
// one that listens only on UDP refuses.
func (n *Network) ResolveTCP(ctx context.Context, name string, qtype uint16) (*tracer.Answer, error) {
	return n.resolve(ctx, name, qtype, true)
}

// refused reports whether a reply failed because the server refused.
func (r *DNSReply) refused() bool {
	return r.Msg == nil && errors.Is(r.Err, syscall.ECONNREFUSED)
}
