package probe

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/pathlab/pathlab/tracer"
)

// TestDialICMPLoopback: an icmp:// target is pinged, never dialled with
// TCP (which once sent a SYN to port 0 and called the RST a refusal).
func TestDialICMPLoopback(t *testing.T) {
	n := &Network{Timeout: time.Second}
	c, err := n.Dial(context.Background(), tracer.ICMP, netip.MustParseAddrPort("127.0.0.1:0"))
	if err != nil {
		t.Skipf("no raw or ping socket here: %v", err)
	}
	if c.State != tracer.ConnOpen || c.Proto != tracer.ICMP || len(c.Hops) != 1 || c.Hops[0].Code != tracer.Received {
		t.Errorf("ping 127.0.0.1 = %v %+v; want an echo reply", c.State, c.Hops)
	}
}
