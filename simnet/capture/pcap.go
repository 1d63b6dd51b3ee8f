package capture

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

// Capture is the simulated conversation of one request as a capture at
// one point of the path records it: the DNS query and answer, the TCP
// handshake, data both ways (HTTP in the clear, TLS records made by
// crypto/tls), the close; resets, ICMP errors and SYN retransmissions where
// the world produces them.
type Capture struct {
	World  string
	From   string
	Target string
	// At is the capture point: a client, server, instance, resolver,
	// balancer or NAT gateway name.
	At      string
	Packets []simnet.Packet
	// Notes say how to read the capture ("web-lb is managed: ...").
	Notes []string
}

// Capture runs the request to target from the named host (the default
// vantage point when from is empty) and returns what a capture at the
// named point records: at the client when at is empty. A point the request
// never passes gives an empty capture and a note saying so.
func Take(ctx context.Context, w *simnet.World, from string, target tracer.Target, at string) (*Capture, error) {
	return capture(ctx, w, from, target, at, simnet.Pings)
}

// CapturePing is Capture for a ping (an icmp:// target) of count echo
// requests, a second apart, as ping -c COUNT sends them.
func TakePing(ctx context.Context, w *simnet.World, from string, target tracer.Target, at string, count int) (*Capture, error) {
	if target.Proto() != tracer.ICMP {
		return nil, fmt.Errorf("CapturePing: %s is not an icmp:// target", target)
	}
	if count < 1 || count > 1000 {
		return nil, fmt.Errorf("CapturePing: count %d is outside 1-1000", count)
	}
	return capture(ctx, w, from, target, at, count)
}

func capture(ctx context.Context, w *simnet.World, from string, target tracer.Target, at string, echoes int) (*Capture, error) {
	if from == "" {
		from = w.DefaultFrom()
	}
	if at == "" {
		at = from
	}
	pkts, notes, err := w.CapturePackets(ctx, from, target, at, echoes)
	if err != nil {
		return nil, err
	}
	return &Capture{World: w.Name, From: from, Target: target.String(), At: at, Packets: pkts, Notes: notes}, nil
}

// WritePcap writes the capture as a pcap file (link type RAW: IP packets)
// that tcpdump, tshark and Wireshark read.
func (c *Capture) WritePcap(w io.Writer) error {
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(65535, layers.LinkTypeRaw); err != nil {
		return err
	}
	for _, p := range c.Packets {
		ci := gopacket.CaptureInfo{Timestamp: p.Time, CaptureLength: len(p.Data), Length: len(p.Data)}
		if err := pw.WritePacket(ci, p.Data); err != nil {
			return err
		}
	}
	return nil
}

// Lines returns the packets as `tcpdump -nn` prints them, one a line, with
// the time of day in UTC:
//
//	12:00:00.084300 IP 198.51.100.10.43023 > 203.0.113.10.443: Flags [S], seq 1828167567, win 64240, options [mss 1460,nop,wscale 7,nop,nop,sackOK], length 0
func (c *Capture) Lines() []string { return simnet.TcpdumpLines(c.Packets) }

// WriteText writes the lines and the notes, as the trainer's tcpdump
// command shows them.
func (c *Capture) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, n := range c.Notes {
		b.WriteString("# " + n + "\n")
	}
	for _, l := range c.Lines() {
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
