package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/tracer/probe/probelab"
)

// TestReadmeOutputs builds each hard condition of issue 12 in the lab and
// runs the real tool and pathlab on it, one after the other, and writes
// what they print to testdata/probe/conditions.md, which the README
// quotes. It runs only with -update (it takes a minute or two, and the
// tools' timings differ from run to run):
//
//	go test ./cmd/pathlab -run TestReadmeOutputs -update
//
// It asserts that each of our outputs says what its condition's evidence
// supports, so a page written from a wrong run cannot be kept.
func TestReadmeOutputs(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/probe/conditions.md (the README's tool outputs)")
	}
	probelab.Skip(t)
	l := probelab.New(t, "TestProbeHelperProcess")
	self, nobodyBin, nobody := nobodyCopy(t)

	var page strings.Builder
	page.WriteString("<!-- written by: go test ./cmd/pathlab -run TestReadmeOutputs -update -->\n")
	section := func(title string) { fmt.Fprintf(&page, "\n### %s\n", title) }
	// show records one command and what it printed (at most max lines;
	// the lab's temporary CA file is shown as ca.pem).
	show := func(prompt string, args []string, out string, max int) {
		lines := strings.Split(strings.TrimRight(strings.ReplaceAll(out, l.CAFile, "ca.pem"), "\n"), "\n")
		if max > 0 && len(lines) > max {
			lines = append(lines[:max], "...")
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strings.ReplaceAll(a, l.CAFile, "ca.pem")
			if strings.ContainsAny(a, " %\\'\"") {
				quoted[i] = "'" + quoted[i] + "'"
			}
		}
		cmd := strings.Join(quoted, " ")
		fmt.Fprintf(&page, "\n```\n%s %s\n%s\n```\n", prompt, cmd, strings.Join(lines, "\n"))
	}
	tool := func(prefix []string, max int, name string, args ...string) string {
		if _, err := exec.LookPath(name); err != nil {
			t.Fatalf("%s is not installed (see .ci/run for its Debian package)", name)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		full := append(append(append([]string{}, prefix...), name), args...)
		out, _ := l.Command(ctx, l.ClientNS, full[0], full[1:]...).CombinedOutput()
		prompt := "$"
		if prefix != nil {
			prompt = "$ setpriv --reuid=65534 --regid=65534 --clear-groups"
		}
		show(prompt, append([]string{name}, args...), string(out), max)
		return string(out)
	}
	ours := func(prefix []string, want string, args ...string) string {
		bin := self
		prompt := "$"
		if prefix != nil {
			bin, prompt = nobodyBin, "$ setpriv --reuid=65534 --regid=65534 --clear-groups"
		}
		out, stderr, _ := labRun(t, l, bin, prefix, args...)
		out += stderr
		show(prompt, append([]string{"pathlab"}, args...), out, 0)
		if !strings.Contains(out, want) {
			t.Errorf("pathlab %s does not say %q:\n%s", strings.Join(args, " "), want, out)
		}
		return out
	}
	silent := fmt.Sprintf("%s:%d", probelab.SilentHost, probelab.PortHostDrop)
	dropped := fmt.Sprint(probelab.PortDropped)

	section("A silent router before a host that drops the port")
	tool(nil, 0, "traceroute", "-T", "-n", "-m", "5", "-p", fmt.Sprint(probelab.PortHostDrop), probelab.SilentHost)
	ours(nil, "TCP_LOST", "diagnose", "--timeout", "1s", silent)

	section("A blackholed return path")
	tool(nil, 0, "traceroute", "-T", "-n", "-m", "5", "-p", "80", probelab.ReturnHole)
	ours(nil, "going or coming back", "diagnose", "--timeout", "1s", probelab.ReturnHole+":80")

	section("An asymmetric return path")
	tool(nil, 0, "tracepath", "-n", "-m", "5", probelab.Asymmetric)
	ours(nil, "return path may differ", "probe", "trace", "--proto", "icmp", probelab.Asymmetric)

	section("An MTU black hole with a large download")
	tool(nil, 0, "curl", "-sS", "-o", "/dev/null", "--max-time", "5", "http://"+probelab.MTUHost+probelab.BigPath)
	ours(nil, "MTU_BLACKHOLE", "diagnose", "--timeout", "1s", "http://"+probelab.MTUHost+probelab.BigPath)

	section("A browser-sized ClientHello behind the MTU black hole (--large-hello)")
	resolve := "www.lab.test:443:" + probelab.MTUHost
	tool(nil, 0, "curl", "-sS", "-o", "/dev/null", "-w", `%{http_code} in %{time_total}s\n`, "--max-time", "5", "--cacert", l.CAFile, "--resolve", resolve, "https://www.lab.test/")
	ours(nil, "MTU_BLACKHOLE", "diagnose", "--large-hello", "--timeout", "1s", "--cacert", l.CAFile, "--resolve", resolve, "https://www.lab.test/")

	section("Rate-limited routers (Linux's default ICMP rate limits), back to back")
	l.SetRateLimit(t, true)
	tool(nil, 0, "traceroute", "-n", "-m", "6", probelab.Server)
	ours(nil, "reached", "probe", "trace", "--max-hops", "6", probelab.Server)
	tool(nil, 0, "traceroute", "-n", "-m", "6", probelab.Server)
	l.SetRateLimit(t, false)

	section("A DNS server that drops 2 of every 5 queries")
	tool(nil, 0, "dig", "+tries=1", "+time=1", "+short", "@"+probelab.LossyDNS, "n1.lab.test")
	tool(nil, 0, "dig", "+tries=3", "+time=1", "+short", "@"+probelab.LossyDNS, "n2.lab.test")
	ours(nil, "NOERROR", "probe", "dns", "--timeout", "500ms", "--server", probelab.LossyDNS, "n3.lab.test")

	section("DNS replies with the wrong ID, and with the wrong question")
	tool(nil, 0, "dig", "+tries=1", "+time=1", "@"+probelab.WrongID, "www.lab.test")
	ours(nil, "DNS_MISMATCH", "probe", "dns", "--tries", "1", "--timeout", "300ms", "--server", probelab.WrongID, "www.lab.test")
	tool(nil, 0, "dig", "+tries=1", "+time=1", "@"+probelab.WrongQ, "www.lab.test")
	ours(nil, "DNS_MISMATCH", "probe", "dns", "--tries", "1", "--timeout", "300ms", "--server", probelab.WrongQ, "www.lab.test")

	section("A truncated answer whose TCP retry is refused")
	tool(nil, 0, "dig", "+time=1", "@"+probelab.TruncDNS, "www.lab.test")
	ours(nil, "DNS_TRUNCATED", "probe", "dns", "--server", probelab.TruncDNS, "www.lab.test")

	section("The emptied 1 kbit/s link")
	l.EmptySlowLink(t)
	tool(nil, 0, "nmap", "-sS", "-Pn", "-n", "-p", "80-89", probelab.SlowHost)
	l.EmptySlowLink(t)
	if out := ours(nobody, "closed", "probe", "tcp", probelab.SlowHost+":80-89"); strings.Contains(out, "filtered") {
		t.Errorf("a port behind the emptied 1 kbit/s link is called filtered:\n%s", out)
	}
	l.EmptySlowLink(t)
	l.QueueOnSlowLink(t, 300)
	tool(nil, 0, "curl", "-sS", "--connect-timeout", "1", "http://"+probelab.SlowHost+":81/")
	l.EmptySlowLink(t)
	l.QueueOnSlowLink(t, 300)
	ours(nil, "PORT_CLOSED", "diagnose", "--timeout", "1s", probelab.SlowHost+":81")

	section("Unprivileged: a TCP traceroute and a diagnosis without raw sockets")
	tool(nobody, 0, "traceroute", "-T", "-n", "-p", dropped, probelab.Server)
	ours(nobody, "tcp port "+dropped, "probe", "trace", "--proto", "tcp", "--port", dropped, probelab.Server)
	ours(nobody, "TCP_LOST", "diagnose", "--timeout", "1s", probelab.Server+":"+dropped)

	out := filepath.Join("..", "..", "testdata", "probe", "conditions.md")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(page.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
