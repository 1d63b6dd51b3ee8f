package lab_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/lab"
	"github.com/pathlab/pathlab/simnet"
)

// dnsSourceWorld has DNS servers on instances with secondary addresses:
// one answers from its primary address whatever was asked, one from the
// address asked (see its header).
const dnsSourceWorld = "../testdata/worlds/linux/dns-source.yaml"

// TestVerifyDNSSource holds the lab against the simulation for secondary
// addresses and the source of UDP answers: asked at a secondary address,
// a server on a plain 0.0.0.0 socket answers from the primary one and the
// asking socket never sees it (from another host, and from the host
// itself over lo); a server that answers from the address asked answers
// at both.
func TestVerifyDNSSource(t *testing.T) {
	skip(t)
	if raceEnabled {
		t.Skip("the race detector slows the lab's probes past their timeouts; run without -race")
	}
	var extra [][2]string
	for _, f := range [][2]string{
		{"client", "udp://10.0.10.31:53"}, {"client", "udp://10.0.10.21:53"},
		{"client", "udp://10.0.10.32:53"}, {"client", "udp://10.0.10.22:53"},
		{"ns-1", "udp://10.0.10.31:53"}, {"ns-2", "udp://10.0.10.32:53"}, {"ns-2", "udp://10.0.10.31:53"},
		{"client", "tcp://10.0.10.31:22"},
	} {
		extra = append(extra, f)
	}
	n, a := verifySource(t, dnsSourceWorld, extra...)
	if n < len(extra) {
		t.Errorf("%d flows compared; want at least the %d given", n, len(extra))
	}
	t.Logf("FIGURE dns-source: %d flows compared, %d agree", n, a)
}

// TestLabDNSSourceDig asks the lab's DNS servers with the real dig, from
// the client's namespace: what the shell's dig prints for the world
// (TestDNSSourceInTheShell), the real one prints in the lab.
func TestLabDNSSourceDig(t *testing.T) {
	skip(t)
	if _, err := exec.LookPath("dig"); err != nil {
		t.Skip("dig is not installed (Debian package bind9-dnsutils)")
	}
	spec, err := simnet.LoadSpec(dnsSourceWorld)
	if err != nil {
		t.Fatal(err)
	}
	name := testLab("dnssrc")
	lab.Down(name)
	st, err := lab.Up(context.Background(), spec, name, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Down(name)
	tests := []struct {
		from, server, want string
	}{
		{"client", "10.0.10.21", "10.0.10.50\n"},
		{"client", "10.0.10.31", ";; communications error to 10.0.10.31#53: timed out\n"},
		{"client", "10.0.10.32", "10.0.10.50\n"},
		{"client", "10.0.10.22", "10.0.10.50\n"},
		{"ns-1", "10.0.10.31", ";; communications error to 10.0.10.31#53: timed out\n"},
		{"ns-1", "127.0.0.1", "10.0.10.50\n"},
	}
	for _, tc := range tests {
		t.Run(tc.from+"@"+tc.server, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			out, _ := exec.CommandContext(ctx, "ip", "netns", "exec", st.Prefix+tc.from, "dig", "+time=1", "+tries=1", "@"+tc.server, "app.corp.internal", "+short").CombinedOutput()
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("dig @%s from %s printed\n%s\nwant %q", tc.server, tc.from, out, tc.want)
			}
		})
	}
}
