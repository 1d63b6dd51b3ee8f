package play

import (
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// TestLinuxSemanticsInTheShell: the shell shows what the engine decides
// for the Linux semantics of issue 10 (each world under
// testdata/worlds/linux): the host's own address over lo, the host
// firewall on lo, a socket bound to one address, DNS queries as packets,
// dig +trace needing a path to the root, and dig @NAME for a name that
// does not resolve.
func TestLinuxSemanticsInTheShell(t *testing.T) {
	tests := []struct {
		name, world, from, request string
		lines                      []string
		want                       []string
	}{
		{"host-lo", "../../testdata/worlds/linux/host-lo.yaml", "box", "tcp://10.0.10.21:22",
			[]string{"nc -zv 10.0.10.21 22", "nc -zv 127.0.0.1 5432", "nc -zv 10.0.10.21 5432", "nc -zv 10.0.10.21 6379", "nc -zv -w 2 127.0.0.1 9000", "nc -zv 127.0.0.1 9100"},
			[]string{
				"Connection to 10.0.10.21 22 port [tcp/ssh] succeeded!",
				"nc: connect to 127.0.0.1 port 5432 (tcp) failed: Connection refused",
				"Connection to 10.0.10.21 5432 port [tcp/postgresql] succeeded!",
				"nc: connect to 10.0.10.21 port 6379 (tcp) failed: Connection refused",
				"nc: connect to 127.0.0.1 port 9000 (tcp) timed out",
				"nc: connect to 127.0.0.1 port 9100 (tcp) failed:",
			}},
		{"dns-egress-app-1", "../../testdata/worlds/linux/dns-egress.yaml", "app-1", "tcp://db.internal.shop:5432",
			[]string{"dig @198.51.100.53 shop.example.com", "dig +trace shop.example.com", "dig @ns9.nowhere.example shop.example.com", "dig @10.0.0.2 shop.example.com +short"},
			[]string{
				";; communications error to 198.51.100.53#53: timed out",
				";; Received 239 bytes from 10.0.0.2#53(10.0.0.2)",
				";; communications error to 198.41.0.4#53: timed out",
				"dig: couldn't get address for 'ns9.nowhere.example': not found",
				"203.0.113.10",
			}},
		{"dns-egress-open", "../../testdata/worlds/linux/dns-egress.yaml", "dns-client", "tcp://db.internal.shop:5432",
			[]string{"dig @198.51.100.53 shop.example.com +short", "dig +trace shop.example.com"},
			[]string{"web-lb.example.com.", "Received 1170 bytes from 198.41.0.4#53(a.root-servers.net)"}},
		{"dns-egress-isolated", "../../testdata/worlds/linux/dns-egress.yaml", "resolver-host", "tcp://db.internal.shop:5432",
			[]string{"dig +trace shop.example.com"},
			[]string{";; communications error to 198.41.0.4#53: timed out", ";; no servers could be reached"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := simnet.LoadSpec(tc.world)
			if err != nil {
				t.Fatal(err)
			}
			st, err := scenarios.AdHoc(context.Background(), tc.world, spec, tc.from, tc.request)
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
			golden(t, "linux-"+tc.name, out)
		})
	}
}
