package play

import (
	"context"
	"fmt"
	"strings"

	"github.com/pathlab/pathlab/tracer"
)

// dig +tcp (and +vc) sends its query over TCP only. In a scenario the
// world answers the same either way; in a live shell the query really
// goes over TCP, through the live Network's ResolveTCP.

// tcpResolver is a live Network that can ask its server over TCP only
// (tracer/probe's Network is one).
type tcpResolver interface {
	ResolveTCP(ctx context.Context, name string, qtype uint16) (*tracer.Answer, error)
}

// liveRefused is the Failure of a live Answer whose server refused the
// query (tracer/probe.FailureRefused): ICMP port unreachable, or a RST.
const liveRefused = "connection refused"

// liveResolve asks n for name, over TCP when tcp is set. A Network that
// cannot ask over TCP says so, rather than sending UDP in its place.
func liveResolve(ctx context.Context, n tracer.Network, name string, qtype uint16, tcp bool) (*tracer.Answer, error) {
	if !tcp {
		return n.Resolve(ctx, name, qtype)
	}
	tr, ok := n.(tcpResolver)
	if !ok {
		return nil, fmt.Errorf("+tcp is not available over this network: it asks over UDP only")
	}
	return tr.ResolveTCP(ctx, name, qtype)
}

// digTCPRefused is what dig +tcp prints when the server refuses the
// connection: BIND 9.18 tries each of its three attempts and says so
// after each, with no header.
func digTCPRefused(serverAddr, serverName, qname string) string {
	var b strings.Builder
	for range 3 {
		fmt.Fprintf(&b, ";; Connection to %s(%s) for %s failed: connection refused.\n;; no servers could be reached\n", serverAddr, serverName, qname)
	}
	return b.String()
}
