package play

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// capLine is a tcpdump -nn line with its time and its varying numbers
// (ports, IDs) masked: what one packet of a capture is.
var capLineMask = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{6} `), ""},
	{regexp.MustCompile(`(\d+\.\d+\.\d+\.\d+)\.\d{4,5}\b`), "$1.P"}, // an ephemeral port after an address
	{regexp.MustCompile(`port \d{4,5} unreachable`), "port P unreachable"},
	{regexp.MustCompile(`: \d+(\+?) `), ": ID$1 "},
	{regexp.MustCompile(`, ack \d+`), ", ack N"},
	{regexp.MustCompile(`, seq \d+`), ", seq N"},
}

func maskCapLine(l string) string {
	for _, m := range capLineMask {
		l = m.re.ReplaceAllString(l, m.with)
	}
	return l
}

// dnsCapturedLines are the packet lines of the last tcpdump in a transcript,
// masked.
func dnsCapturedLines(out string) []string {
	i := strings.LastIndex(out, "# the packets of: ")
	if i < 0 {
		return nil
	}
	var got []string
	for _, l := range strings.Split(out[i:], "\n")[1:] {
		if strings.HasPrefix(l, "# ") {
			continue
		}
		if strings.Contains(l, " packets captured") {
			break
		}
		got = append(got, maskCapLine(l))
	}
	return got
}

// TestDNSFailureCapture: tcpdump after a dig (host, nslookup) shows what
// crossed the capture point, also when the query timed out or was
// refused (issue 10, Build 4). dns-source.yaml: ns-1 answers from its
// primary address 10.0.10.21 whatever it was asked at (10.0.10.31),
// client is 10.0.10.40 and runs no DNS server. The packets' shapes are
// those the real dig and tcpdump put on a Linux wire
// (TestLiveDigFailureCapture).
func TestDNSFailureCapture(t *testing.T) {
	const world = "../../testdata/worlds/linux/dns-source.yaml"
	query := func(src, dst string) string {
		return "IP " + src + ".P > " + dst + ".53: ID+ A? app.corp.internal. (35)"
	}
	answer := "IP 10.0.10.21.53 > 10.0.10.40.P: ID 1/0/0 A 10.0.10.50 (68)"
	kernelICMP := "IP 10.0.10.40 > 10.0.10.21: ICMP 10.0.10.40 udp port P unreachable, length 104"
	times := func(n int, lines ...string) []string {
		var out []string
		for range n {
			out = append(out, lines...)
		}
		return out
	}
	revoke := "aws ec2 revoke-security-group-ingress --group-id sg-dns --protocol udp --port 53 --cidr 10.0.0.0/16"
	tests := []struct {
		name  string
		from  string
		lines []string
		want  []string // the last tcpdump's packets, masked, in order
		note  string   // a note the last tcpdump prints, if any
	}{
		{"answered", "client", []string{"dig @10.0.10.21 app.corp.internal", "tcpdump -nn"},
			[]string{query("10.0.10.40", "10.0.10.21"), answer}, ""},
		{"unexpected-source", "client", []string{"dig @10.0.10.31 app.corp.internal", "tcpdump -nn"},
			times(3, query("10.0.10.40", "10.0.10.31"), answer, kernelICMP), ""},
		{"unexpected-source-at-server", "client", []string{"dig @10.0.10.31 app.corp.internal", "tcpdump at ns-1"},
			times(3, query("10.0.10.40", "10.0.10.31"), answer, kernelICMP), ""},
		{"unexpected-source-icmp-filter", "client", []string{"dig @10.0.10.31 app.corp.internal", "tcpdump -nn icmp"},
			times(3, kernelICMP), ""},
		{"unexpected-source-host", "client", []string{"host app.corp.internal 10.0.10.31", "tcpdump -nn"},
			times(2, query("10.0.10.40", "10.0.10.31"), answer, kernelICMP), ""},
		{"unexpected-source-nslookup", "client", []string{"nslookup app.corp.internal 10.0.10.31", "tcpdump -nn"},
			times(3, query("10.0.10.40", "10.0.10.31"), answer, kernelICMP), ""},
		{"sg-drop", "client", []string{revoke, "dig @10.0.10.21 app.corp.internal", "tcpdump -nn"},
			times(3, query("10.0.10.40", "10.0.10.21")), ""},
		{"sg-drop-at-server", "client", []string{revoke, "dig @10.0.10.21 app.corp.internal", "tcpdump at ns-1"},
			nil, "no packet of this query passes ns-1"},
		{"refused-port", "client", []string{"dig @10.0.10.21 -p 54 app.corp.internal", "tcpdump -nn"},
			times(3, "IP 10.0.10.40.P > 10.0.10.21.54: UDP, length 35", "IP 10.0.10.21 > 10.0.10.40: ICMP 10.0.10.21 udp port 54 unreachable, length 71"), ""},
		{"refused-no-server", "ns-1", []string{"dig @10.0.10.40 app.corp.internal", "tcpdump -nn"},
			times(3, query("10.0.10.21", "10.0.10.40"), "IP 10.0.10.40 > 10.0.10.21: ICMP 10.0.10.40 udp port 53 unreachable, length 71"), ""},
		// dig +trace where the root is out of reach (dns-egress.yaml:
		// app-1's security group lets out tcp 5432 and 443 only): the
		// queries to the root, without recursion, each lost.
		{"trace-blocked", "egress:app-1", []string{"dig +trace shop.example.com", "tcpdump -nn"},
			times(3, "IP 10.0.10.21.P > 198.41.0.4.53: ID A? shop.example.com. (34)"), ""},
		// tracepath, mtr and traceroute without a port capture through
		// the walk's packet views (renderCapture): one line a flow, no
		// longer none.
		{"tracepath", "egress:app-1", []string{"tracepath 10.0.20.10", "tcpdump -nn"},
			[]string{"IP 10.0.10.21.P > 10.0.20.10.P: UDP, length 32"}, ""},
		{"refused-tcp", "ns-1", []string{"dig +tcp @10.0.10.40 app.corp.internal", "tcpdump -nn"},
			times(3, "IP 10.0.10.21.P > 10.0.10.40.53: Flags [S], seq N, win 64240, length 0", "IP 10.0.10.40.53 > 10.0.10.21.P: Flags [R.], seq N, ack N, win 0, length 0"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, from, req := world, tc.from, "udp://10.0.10.21:53"
			if h, ok := strings.CutPrefix(from, "egress:"); ok {
				w, from, req = "../../testdata/worlds/linux/dns-egress.yaml", h, "tcp://10.0.20.10:5432"
			}
			spec, err := simnet.LoadSpec(w)
			if err != nil {
				t.Fatal(err)
			}
			st, err := scenarios.AdHoc(context.Background(), w, spec, from, req)
			if err != nil {
				t.Fatal(err)
			}
			_, out := session(t, st, tc.lines, Options{})
			got := dnsCapturedLines(out)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("captured:\n%s\nwant:\n%s\ntranscript:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), out)
			}
			if tc.note != "" && !strings.Contains(out, "# "+tc.note+"\n") {
				t.Errorf("no note %q:\n%s", tc.note, out)
			}
			if strings.Contains(out, "no packet of this request") {
				t.Errorf("the capture says nothing crossed the wire:\n%s", out)
			}
			golden(t, "linux-dns-capture-"+tc.name, out)
		})
	}
}

// TestDNSFailureTcpdumpMatchesRealTool hands the shell's captures of
// failed queries (as a pcap) to the real tcpdump -r with -nn and -nn -v,
// and holds the shell's lines to its, byte for byte: the ICMP errors and
// the packet each quotes included.
func TestDNSFailureTcpdumpMatchesRealTool(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump is not installed (Debian package tcpdump)")
	}
	const world = "../../testdata/worlds/linux/dns-source.yaml"
	cases := []struct {
		name, from string
		lines      []string
	}{
		{"unexpected source", "client", []string{"dig @10.0.10.31 app.corp.internal"}},
		{"refused", "ns-1", []string{"dig @10.0.10.40 app.corp.internal"}},
		{"refused tcp", "ns-1", []string{"dig +tcp @10.0.10.40 app.corp.internal"}},
		{"sg drop", "client", []string{"aws ec2 revoke-security-group-ingress --group-id sg-dns --protocol udp --port 53 --cidr 10.0.0.0/16", "dig @10.0.10.21 app.corp.internal"}},
	}
	for _, tc := range cases {
		for _, flags := range []string{"-nn", "-nn -v"} {
			t.Run(tc.name+" "+flags, func(t *testing.T) {
				spec, err := simnet.LoadSpec(world)
				if err != nil {
					t.Fatal(err)
				}
				st, err := scenarios.AdHoc(context.Background(), world, spec, tc.from, "udp://10.0.10.21:53")
				if err != nil {
					t.Fatal(err)
				}
				if d, real, ours := tcpdumpBeside(t, st, tc.lines, flags); d != "" {
					t.Errorf("tcpdump %s after %v: the shell differs from the real tcpdump at %s\nreal:\n%s\nours:\n%s", flags, tc.lines, d, real, ours)
				}
			})
		}
	}
}
