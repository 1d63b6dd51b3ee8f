package capture

import (
	"context"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/simtest"
	"strings"
	"testing"
)

func TestCapturePing(t *testing.T) {
	w := simtest.Builtin(t)
	c, err := Take(context.Background(), w, "browser", simtest.Target(t, "icmp://192.0.2.80"), "")
	if err != nil {
		t.Fatal(err)
	}
	var requests, replies int
	for _, l := range c.Lines() {
		switch {
		case strings.Contains(l, "ICMP echo request"):
			requests++
		case strings.Contains(l, "ICMP echo reply"):
			replies++
		}
	}
	if requests != simnet.Pings || replies != simnet.Pings {
		t.Errorf("capture has %d requests and %d replies; want %d each:\n%s", requests, replies, simnet.Pings, strings.Join(c.Lines(), "\n"))
	}
	c, err = Take(context.Background(), w, "bastion", simtest.Target(t, "icmp://10.0.10.21"), "bastion")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range c.Lines() {
		if strings.Contains(l, "echo reply") {
			t.Errorf("a blocked ping has a reply: %s", l)
		}
	}
}

// TestCaptureRepeats checks that the same request gives the same capture,
// as tcpdump shows it: the simulated certificates are Ed25519 keys derived
// from their names, whose signatures are deterministic and of one length.
func TestCaptureRepeats(t *testing.T) {
	w := simtest.Builtin(t)
	var first []string
	for i := range 3 {
		c, err := Take(context.Background(), w, "browser", simtest.Target(t, "https://shop.example.com/"), "")
		if err != nil {
			t.Fatal(err)
		}
		lines := c.Lines()
		if i == 0 {
			first = lines
			continue
		}
		if strings.Join(lines, "\n") != strings.Join(first, "\n") {
			t.Fatalf("capture %d differs from the first:\n%s\n--- first\n%s", i, strings.Join(lines, "\n"), strings.Join(first, "\n"))
		}
	}
}

func TestCapturePingCount(t *testing.T) {
	w := simtest.Builtin(t)
	ctx := context.Background()
	for _, n := range []int{1, 2, 7} {
		c, err := TakePing(ctx, w, "browser", simtest.Target(t, "icmp://192.0.2.80"), "", n)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(strings.Join(c.Lines(), "\n"), "ICMP echo request"); got != n {
			t.Errorf("CapturePing(count %d) has %d echo requests", n, got)
		}
	}
	if _, err := TakePing(ctx, w, "browser", simtest.Target(t, "tcp://192.0.2.80:443"), "", 2); err == nil {
		t.Error("CapturePing of a tcp target: no error")
	}
	if _, err := TakePing(ctx, w, "browser", simtest.Target(t, "icmp://192.0.2.80"), "", 0); err == nil {
		t.Error("CapturePing of 0 echoes: no error")
	}
}
