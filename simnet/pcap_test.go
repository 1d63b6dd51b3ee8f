package simnet

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestTLSTranscript runs crypto/tls against the world's certificates: what
// the simulation rejects, the real handshake rejects too.
func TestTLSTranscript(t *testing.T) {
	clock := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	valid := &cert{name: "shop-cert", domains: []string{"shop.example.com", "*.shop.example.com"},
		notBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), notAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	expired := *valid
	expired.notAfter = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		plan     tlsPlan
		wantData bool   // the request and response went through
		wantLast string // "client" or "server": who wrote last
	}{
		{"valid", tlsPlan{serverName: "shop.example.com", cert: valid}, true, "client"},
		{"wildcard", tlsPlan{serverName: "www.shop.example.com", cert: valid}, true, "client"},
		{"name mismatch", tlsPlan{serverName: "shop.example.org", cert: valid}, false, "client"},
		{"two labels under the wildcard", tlsPlan{serverName: "a.b.shop.example.com", cert: valid}, false, "client"},
		{"expired", tlsPlan{serverName: "shop.example.com", cert: &expired}, false, "client"},
		{"plain http listener", tlsPlan{serverName: "shop.example.com", plainHTTP: true}, false, "server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan
			p.clock = clock
			p.request, p.response = []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			msgs, err := tlsTranscript(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) < 2 || !msgs[0].fromClient || msgs[0].data[0] != 0x16 {
				t.Fatalf("the conversation does not start with the client's handshake record: %d messages", len(msgs))
			}
			kinds := map[string]bool{}
			for _, m := range msgs {
				kinds[m.kind] = true
			}
			if got := kinds["request"] && kinds["response"]; got != tt.wantData {
				t.Errorf("request and response exchanged: %v; want %v", got, tt.wantData)
			}
			last := "server"
			if msgs[len(msgs)-1].fromClient {
				last = "client"
			}
			if last != tt.wantLast {
				t.Errorf("the %s wrote last; want the %s (an alert or close_notify)", last, tt.wantLast)
			}
			if tt.plan.plainHTTP && !bytes.HasPrefix(msgs[len(msgs)-1].data, []byte("HTTP/1.1 400")) {
				t.Errorf("a plain listener answers %q; want HTTP/1.1 400", msgs[len(msgs)-1].data)
			}
		})
	}
}

// TestCaptureEverywhere captures every flow of the built-in world at every
// point: no error, packets that decode, time that never runs backwards,
// and tcpdump-style lines for all of them.
func TestCaptureEverywhere(t *testing.T) {
	w, _ := LoadBuiltin(DefaultWorld)
	flows, err := w.Flows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	points := w.CapturePoints()
	if testing.Short() {
		flows, points = flows[:min(len(flows), 8)], points[:min(len(points), 4)]
	}
	d := newDecoder()
	for _, f := range flows {
		for _, at := range points {
			pkts, _, err := w.CapturePackets(context.Background(), f[0], mustTarget(t, f[1]), at, Pings)
			if err != nil {
				t.Fatalf("CapturePackets(%s → %s at %s): %v", f[0], f[1], at, err)
			}
			for i, p := range pkts {
				if err := d.decode(p.Data); err != nil {
					t.Errorf("%s → %s at %s: packet %d: %v", f[0], f[1], at, i, err)
				}
				if i > 0 && p.Time.Before(pkts[i-1].Time) {
					t.Errorf("%s → %s at %s: packet %d goes back in time", f[0], f[1], at, i)
				}
			}
			if n := len(TcpdumpLines(pkts)); n != len(pkts) {
				t.Errorf("%s → %s at %s: %d lines for %d packets", f[0], f[1], at, n, len(pkts))
			}
		}
	}
}
