// Package capture is a request's packets as a capture at one point of
// the path records them (Take, TakePing): the packets come from the
// World (World.CapturePackets, which the engine builds as it builds its
// --packets view); a Capture writes them as pcap or as tcpdump's text.
package capture
