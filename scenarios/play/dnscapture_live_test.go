package play

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// liveCapMask turns a tcpdump -nn line into its shape: the roles of its
// addresses, with times, ephemeral ports, IDs, names, answers and lengths
// masked, and dig's EDNS record ([1au], which the shell's dig does not
// send) dropped.
func liveCapMask(l string, roles map[string]string) string {
	for _, m := range []struct{ re, with string }{
		{`^\d\d:\d\d:\d\d\.\d{6} `, ""},
		{` \[1au\]`, ""},
		{`(\d+\.\d+\.\d+\.\d+)\.\d{4,5}\b`, "$1.P"},
		{`port \d{4,5} unreachable`, "port P unreachable"},
		{`: \d+(\+?) `, ": ID$1 "},
		{`[a-z.]+\.internal\.|[a-z.]+\.test\.`, "NAME."},
		{`A \d+\.\d+\.\d+\.\d+ \(`, "A ADDR ("},
		{`\(\d+\)$`, "(N)"},
		{`length \d+`, "length N"},
		{`id \d+`, "id N"},
		{`^\s*IP \(`, "IP ("},
	} {
		l = regexp.MustCompile(m.re).ReplaceAllString(l, m.with)
	}
	for a, r := range roles {
		l = regexp.MustCompile(regexp.QuoteMeta(a)+`\b`).ReplaceAllString(l, r)
	}
	return l
}

// TestLiveDigFailureCapture runs the real dig against a server that
// answers from its other address, and against a port nothing listens on,
// with the real tcpdump -nn (and -nn -v) -i eth0 in the client's namespace, and holds
// the shell's capture of the same situations in dns-source.yaml to it,
// packet for packet: each try's query, the stray answer and the client
// kernel's ICMP port unreachable; the query and the server's ICMP port
// unreachable.
func TestLiveDigFailureCapture(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the server runs in a network namespace: root")
	}
	for _, tool := range []string{"dig", "tcpdump"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages bind9-dnsutils, tcpdump)", tool)
		}
	}
	_, cli, _ := strayServer(t, "dcap")
	const world = "../../testdata/worlds/linux/dns-source.yaml"
	for _, tc := range []struct {
		name      string
		dig       []string // the real dig's arguments
		line      string   // the shell's dig, from client
		real, sim map[string]string
	}{
		{"unexpected source", []string{"+time=1", "@10.53.0.2", "www.lab.test"}, "dig @10.0.10.31 app.corp.internal",
			map[string]string{"10.53.0.10": "CLIENT", "10.53.0.2": "ASKED", "10.53.0.1": "PRIMARY"},
			map[string]string{"10.0.10.40": "CLIENT", "10.0.10.31": "ASKED", "10.0.10.21": "PRIMARY"}},
		{"refused", []string{"+time=1", "-p", "54", "@10.53.0.1", "www.lab.test"}, "dig @10.0.10.21 -p 54 app.corp.internal",
			map[string]string{"10.53.0.10": "CLIENT", "10.53.0.1": "ASKED"},
			map[string]string{"10.0.10.40": "CLIENT", "10.0.10.21": "ASKED"}},
	} {
		for _, flags := range []string{"-nn", "-nn -v"} {
			t.Run(tc.name+" "+flags, func(t *testing.T) {
				real := liveCapture(t, cli, flags, tc.dig)
				if len(real) == 0 {
					t.Fatal("the real tcpdump captured nothing")
				}
				t.Logf("real:\n%s", strings.Join(real, "\n"))
				spec, err := simnet.LoadSpec(world)
				if err != nil {
					t.Fatal(err)
				}
				st, err := scenarios.AdHoc(context.Background(), world, spec, "client", "udp://10.0.10.21:53")
				if err != nil {
					t.Fatal(err)
				}
				sh, tr := session(t, st, []string{tc.line, "tcpdump " + flags}, Options{})
				ours := strings.Split(strings.TrimRight(capturedLines(commandText(tr, "["+sh.Host()+"]$ tcpdump "+flags)), "\n"), "\n")
				var r, o []string
				for _, l := range real {
					r = append(r, liveCapMask(l, tc.real))
				}
				for _, l := range ours {
					o = append(o, liveCapMask(l, tc.sim))
				}
				if d := lineDiff(strings.Join(r, "\n"), strings.Join(o, "\n")); d != "" {
					t.Errorf("the shell's capture differs from the real one at %s\nreal:\n%s\nours:\n%s", d, strings.Join(real, "\n"), strings.Join(ours, "\n"))
				}
			})
		}
	}
}

// liveCapture runs the real dig with args in namespace ns while the real
// tcpdump -nn -i eth0 listens there, and returns tcpdump's IPv4 UDP and
// ICMP lines (with -v, their continuation lines too).
func liveCapture(t *testing.T, ns, flags string, args []string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	td := exec.CommandContext(ctx, "ip", append(append([]string{"netns", "exec", ns, "tcpdump"}, strings.Fields(flags)...), "-l", "-i", "eth0", "ip and (udp or icmp)")...)
	out, _ := td.StdoutPipe()
	errp, _ := td.StderrPipe()
	if err := td.Start(); err != nil {
		t.Fatal(err)
	}
	if l, _ := bufio.NewReader(errp).ReadString('\n'); !strings.Contains(l, "listening on") && !strings.Contains(l, "verbose output suppressed") {
		t.Fatalf("tcpdump did not start: %q", l)
	}
	lines := make(chan []string)
	go func() {
		var got []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	time.Sleep(200 * time.Millisecond) // tcpdump says it listens before its socket is bound
	dig := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, "dig"}, args...)...)
	dig.Run()
	time.Sleep(200 * time.Millisecond)
	td.Process.Signal(syscall.SIGINT)
	got := <-lines
	td.Wait()
	return got
}
