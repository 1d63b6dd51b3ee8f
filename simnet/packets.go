package simnet

import (
	"github.com/pathlab/pathlab/tracer"
)

// packetView describes the packet in flight at a hop. It runs only when a
// trace captures packets.
func packetView(p *pkt, h *tracer.Hop) *tracer.PacketView {
	return &tracer.PacketView{Summary: p.String()}
}
