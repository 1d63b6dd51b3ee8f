package play

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestFormatLabHelper is not a test: re-executed inside a namespace with
// PATHLAB_FMT_LISTEN=ADDR:PORT,..., it listens there until stdin closes.
func TestFormatLabHelper(t *testing.T) {
	list := os.Getenv("PATHLAB_FMT_LISTEN")
	if list == "" {
		return
	}
	for _, a := range strings.Split(list, ",") {
		ln, err := net.Listen("tcp4", a)
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		defer ln.Close()
	}
	fmt.Println("READY")
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// fmtLab is a namespace shaped as a host of the shop world: eth0 holds
// 10.0.10.21/24, the router 10.0.10.1 is in a second namespace.
type fmtLab struct{ host, router string }

func newFmtLab(t *testing.T) *fmtLab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the format lab needs root (network namespaces)")
	}
	for _, c := range []string{"ip", "iptables", "ss", "netstat"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("the format lab needs %s (Debian packages iproute2, iptables, net-tools)", c)
		}
	}
	var b [3]byte
	rand.Read(b[:])
	base := fmt.Sprintf("plfmt%dx%s", os.Getpid(), hex.EncodeToString(b[:]))
	l := &fmtLab{host: base + "-h", router: base + "-r"}
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", l.host).Run()
		exec.Command("ip", "netns", "del", l.router).Run()
	})
	must := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	must("ip", "netns", "add", l.host)
	must("ip", "netns", "add", l.router)
	must("ip", "link", "add", "eth0", "netns", l.host, "type", "veth", "peer", "name", "r0", "netns", l.router)
	must("ip", "netns", "exec", l.host, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1")
	must("ip", "-n", l.host, "link", "set", "lo", "up")
	must("ip", "-n", l.host, "addr", "add", "10.0.10.21/24", "dev", "eth0")
	must("ip", "-n", l.router, "addr", "add", "10.0.10.1/24", "dev", "r0")
	must("ip", "-n", l.host, "link", "set", "eth0", "up")
	must("ip", "-n", l.router, "link", "set", "r0", "up")
	must("ip", "-n", l.host, "route", "add", "default", "via", "10.0.10.1")
	return l
}

// run runs a tool in the host namespace.
func (l *fmtLab) run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.host, name}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// listen starts listeners in the host namespace until the test ends.
func (l *fmtLab) listen(t *testing.T, addrs ...string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.host, self, "-test.run=^TestFormatLabHelper$")
	cmd.Env = append(os.Environ(), "PATHLAB_FMT_LISTEN="+strings.Join(addrs, ","))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "READY" {
		t.Fatalf("listeners did not start: %q", line)
	}
}

var (
	maskIfIndex = regexp.MustCompile(`@if\d+`)
	maskLLAddr  = regexp.MustCompile(`lladdr \S+ \S+`)
	maskEther   = regexp.MustCompile(`link/ether \S+`)
	maskNetns   = regexp.MustCompile(` link-netns(id)? \S+`)
	maskTCPLine = regexp.MustCompile(`(?m)^TCP:   .*$`)
	maskTotal   = regexp.MustCompile(`(?m)^Total: \d+$`)
)

// sortedBody sorts a table's rows after its header lines: the kernel
// lists sockets in its hash's order.
func sortedBody(s string, header int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > header {
		sort.Strings(lines[header:])
	}
	return strings.Join(lines, "\n") + "\n"
}

// maskLink masks what differs between the lab's veth and an instance's
// interface in ip addr and ip link: the veth's peer index (eth0@if5) and
// namespace, its MTU and queueing (an instance's ENA interface has 9001
// and mq), and the MAC.
func maskLink(s string) string {
	s = maskIfIndex.ReplaceAllString(s, "")
	s = maskNetns.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "mtu 1500 qdisc noqueue state UP", "mtu 9001 qdisc mq state UP")
	return maskEther.ReplaceAllString(s, "link/ether MAC")
}

// TestHostFormatsMatchRealTools sets up a namespace as app-1 of the
// shop_app_loopback scenario (its listeners, its address and router) and
// db-1's firewall, runs ss, netstat, ip, hostname and iptables there and
// in the shell, and compares their output line by line.
func TestHostFormatsMatchRealTools(t *testing.T) {
	l := newFmtLab(t)
	// app-1's services, each in a process named as the service is.
	l.listenAs(t, "shop-api", "127.0.0.1:8080")
	l.listenAs(t, "sshd", "0.0.0.0:22")
	l.listenAs(t, "metrics", "127.0.0.1:9100")
	l.run(t, "ping", "-c", "1", "-W", "1", "10.0.10.1") // fills the neighbour table
	st, err := libraryScenario(t, "shop-app-loopback").Build()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cmd    string
		header int // lines before the rows, which are sorted
		mask   func(string) string
	}{
		{"ss -tln", 1, nil},
		{"ss -tan", 1, nil},
		{"ss -s", 0, func(s string) string {
			// The totals count every socket of the host, unix ones too.
			return maskTotal.ReplaceAllString(maskTCPLine.ReplaceAllString(s, "TCP: N"), "Total: N")
		}},
		{"ss -tlnp", 1, maskProc},
		{"ss -tanp", 1, maskProc},
		{"netstat -tln", 2, nil},
		{"netstat -tlnp", 2, maskProc},
		{"netstat -tan", 2, nil},
		{"ip -br a", 0, func(s string) string {
			// A veth is eth0@ifN; an instance's interface is eth0.
			return maskIfIndex.ReplaceAllStringFunc(s, func(m string) string { return strings.Repeat(" ", len(m)) })
		}},
		{"ip addr", 0, maskLink},
		{"ip link", 0, maskLink},
		{"ip route get 10.0.20.10", 0, nil},
		{"ip route get 10.0.10.5", 0, nil},
		{"ip route get 10.0.10.21", 0, nil},
		{"ip neigh", 0, func(s string) string { return maskLLAddr.ReplaceAllString(s, "lladdr MAC STATE") }},
		{"hostname -I", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.cmd, func(t *testing.T) {
			f := strings.Fields(tc.cmd)
			real := l.run(t, f[0], f[1:]...)
			_, out := session(t, st, []string{"ssh app-1", tc.cmd}, Options{})
			ours := commandText(out, "[app-1]$ "+tc.cmd)
			if strings.HasSuffix(f[1], "p") && (!strings.Contains(real, "shop-api") || !strings.Contains(ours, "shop-api")) {
				t.Errorf("%s: a process name is missing; real:\n%s\nours:\n%s", tc.cmd, real, ours)
			}
			real, ours = sortedBody(real, tc.header), sortedBody(ours, tc.header)
			if tc.mask != nil {
				real, ours = tc.mask(real), tc.mask(ours)
			}
			if d := lineDiff(real, ours); d != "" {
				t.Errorf("%s: the shell differs from the real tool at %s\nreal:\n%s\nours:\n%s", tc.cmd, d, real, ours)
			}
		})
	}

	// db-1's firewall in shop-db-firewall-drop, as iptables rules, after
	// the conntrack rule the lab writes first in both chains (the engine
	// lets replies through by connection tracking).
	for _, r := range [][]string{
		{"-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		{"-A", "OUTPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		{"-A", "INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"},
		{"-A", "INPUT", "-s", "10.0.10.0/23", "-p", "tcp", "--dport", "5432", "-j", "ACCEPT"},
		{"-A", "INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"},
	} {
		l.run(t, "iptables", r...)
	}
	fw, err := libraryScenario(t, "shop-db-firewall-drop").Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"iptables -L -n", "iptables -L -v -n", "iptables -L -n --line-numbers", "iptables -L INPUT", "iptables -S"} {
		t.Run(cmd, func(t *testing.T) {
			f := strings.Fields(cmd)
			real := l.run(t, f[0], f[1:]...)
			_, out := session(t, fw, []string{"ssh db-1", cmd}, Options{})
			ours := commandText(out, "[db-1]$ "+cmd)
			if d := lineDiff(real, ours); d != "" {
				t.Errorf("%s: the shell differs from the real tool at %s\nreal:\n%s\nours:\n%s", cmd, d, real, ours)
			}
		})
	}
}

// commandText is what a command printed in a transcript, after its
// prompt line and up to the next prompt.
func commandText(transcript, promptLine string) string {
	i := strings.Index(transcript, promptLine+"\n")
	if i < 0 {
		return ""
	}
	rest := transcript[i+len(promptLine)+1:]
	if j := strings.Index(rest, "\n["); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}
