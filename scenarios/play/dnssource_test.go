package play

import (
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// TestDNSSourceInTheShell: a DNS server that answers from its primary
// address (reply_from: primary) is silent at its secondary one, and dig
// prints what dig 9.18 prints there (TestLiveDigReplyFromUnexpectedSource
// checks it against the real dig): three timeouts, then no servers. Asked
// at the primary address it answers; a server that answers from the
// address asked answers at both. The host's commands list the secondary
// addresses (testdata/worlds/linux/dns-source.yaml).
func TestDNSSourceInTheShell(t *testing.T) {
	const world = "../../testdata/worlds/linux/dns-source.yaml"
	tests := []struct {
		name, from string
		lines      []string
		want       []string // in order
		not        []string
	}{
		{"client", "client",
			[]string{"dig @10.0.10.31 app.corp.internal", "dig @10.0.10.21 app.corp.internal", "dig @10.0.10.32 app.corp.internal +short", "dig @10.0.10.22 app.corp.internal +short", "host app.corp.internal 10.0.10.31"},
			[]string{
				";; communications error to 10.0.10.31#53: timed out\n;; communications error to 10.0.10.31#53: timed out\n;; communications error to 10.0.10.31#53: timed out\n\n;; no servers could be reached\n",
				"app.corp.internal.\t60\tIN\tA\t10.0.10.50",
				";; SERVER: 10.0.10.21#53(10.0.10.21) (UDP)",
				"10.0.10.50\n", "10.0.10.50\n",
			},
			[]string{"unexpected source"}},
		{"ns-1", "ns-1",
			[]string{"ip -br a", "hostname -I", "ip route get 10.0.10.31", "dig @10.0.10.31 app.corp.internal +short", "dig @127.0.0.1 app.corp.internal +short", "cat /etc/unbound/unbound.conf",
				"aws ec2 describe-instances --filters Name=network-interface.addresses.private-ip-address,Values=10.0.10.31 --query Reservations[].Instances[].NetworkInterfaces[].PrivateIpAddresses[]"},
			[]string{
				"eth0             UP             10.0.10.21/24 10.0.10.31/24 \n",
				"10.0.10.21 10.0.10.31 \n",
				"local 10.0.10.31 dev lo src 10.0.10.21 uid 0",
				";; communications error to 10.0.10.31#53: timed out",
				"10.0.10.50\n",
				"listen = 0.0.0.0:53\nprotocol = udp\nforward-zone = . (the host's resolver, /etc/resolv.conf)\ninterface-automatic = no\n",
				`"PrivateIpAddress": "10.0.10.21",`, `"Primary": true`, `"PrivateIpAddress": "10.0.10.31",`, `"Primary": false`,
			},
			nil},
		{"fix", "client",
			[]string{"service ns-1 unbound reply-from asked", "dig @10.0.10.31 app.corp.internal +short", "undo", "dig @10.0.10.31 app.corp.internal +short", "service ns-1 unbound reply-from sideways"},
			[]string{
				"ns-1: service unbound now answers from the address asked",
				"10.0.10.50\n",
				";; communications error to 10.0.10.31#53: timed out",
				`reply-from "sideways": give asked (answers leave from the address asked) or primary (from the primary address)`,
			},
			nil},
		{"ns-2", "ns-2",
			[]string{"ip addr", "show instance ns-2", "dig @10.0.10.32 app.corp.internal +short", "dig @10.0.10.31 app.corp.internal +short", "dig @10.0.10.32 example.com"},
			[]string{
				"    inet 10.0.10.32/24 scope global secondary eth0\n",
				"Secondary private IPs  10.0.10.32\n",
				"10.0.10.50\n",
				";; communications error to 10.0.10.31#53: timed out",
				"status: REFUSED",
			},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := simnet.LoadSpec(world)
			if err != nil {
				t.Fatal(err)
			}
			st, err := scenarios.AdHoc(context.Background(), world, spec, tc.from, "udp://10.0.10.21:53")
			if err != nil {
				t.Fatal(err)
			}
			_, out := session(t, st, tc.lines, Options{})
			rest := out
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("the transcript lacks %q (in order):\n%s", w, out)
					break
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("the transcript holds %q:\n%s", n, out)
				}
			}
			golden(t, "linux-dns-source-"+tc.name, out)
		})
	}
}
