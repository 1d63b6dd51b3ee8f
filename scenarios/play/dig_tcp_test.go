package play

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestDigTCPHelper is not a test: re-executed inside a namespace with
// PATHLAB_DIGTCP=serve it serves labZone over TCP only on 127.0.0.1:53
// until stdin closes; with PATHLAB_DIGTCP=shell it runs the line in
// PATHLAB_DIGTCP_LINE in a live shell there and prints what it printed.
func TestDigTCPHelper(t *testing.T) {
	switch os.Getenv("PATHLAB_DIGTCP") {
	case "serve":
		ln, err := net.Listen("tcp4", "127.0.0.1:53")
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(labZone)}
		go srv.ActivateAndServe()
		fmt.Println("READY")
		bufio.NewReader(os.Stdin).ReadString('\n')
		srv.Shutdown()
		os.Exit(0)
	case "stray":
		// A DNS server on a host with two addresses, on a plain socket
		// bound to 0.0.0.0: it answers from the address its route to
		// the client picks (the interface's first), whichever was asked.
		pc, err := net.ListenPacket("udp4", "0.0.0.0:53")
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		go func() {
			buf := make([]byte, 4096)
			for {
				n, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				q := new(dns.Msg)
				if q.Unpack(buf[:n]) != nil || len(q.Question) != 1 {
					continue
				}
				m := new(dns.Msg)
				m.SetReply(q)
				m.RecursionAvailable = true
				rr, _ := dns.NewRR(q.Question[0].Name + " 300 IN A 10.77.3.2")
				m.Answer = append(m.Answer, rr)
				if b, err := m.Pack(); err == nil {
					pc.WriteTo(b, from)
				}
			}
		}()
		fmt.Println("READY")
		bufio.NewReader(os.Stdin).ReadString('\n')
		pc.Close()
		os.Exit(0)
	case "shell":
		sh, out := liveShell(netip.MustParseAddrPort("127.0.0.1:53"))
		sh.Exec(context.Background(), os.Getenv("PATHLAB_DIGTCP_LINE"))
		os.Stdout.WriteString(out.String())
		os.Exit(0)
	}
}

// tcpOnlyDNS makes a namespace whose 127.0.0.1:53 answers DNS over TCP
// only (nothing listens on UDP 53) and returns its name.
func tcpOnlyDNS(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the TCP-only DNS server runs in a network namespace: root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip (Debian package iproute2)")
	}
	var b [3]byte
	rand.Read(b[:])
	ns := fmt.Sprintf("pltcp%dx%s", os.Getpid(), hex.EncodeToString(b[:]))
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	if out, err := exec.Command("ip", "-n", ns, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo up: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", ns, self, "-test.run=^TestDigTCPHelper$")
	cmd.Env = append(os.Environ(), "PATHLAB_DIGTCP=serve")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "READY" {
		t.Fatalf("the TCP-only DNS server did not start: %q", line)
	}
	return ns
}

// inNS runs a command in namespace ns, with an extra environment.
func inNS(t *testing.T, ns string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func nonEmpty(l string) bool { return strings.TrimSpace(l) != "" }

// TestLiveDigTCP asks a server that answers only over TCP, from a live
// shell in its namespace: dig +tcp gets the answer over TCP, plain dig
// (UDP) is refused, and a TCP port with no server refuses the
// connection, each printed as the real dig prints it there.
func TestLiveDigTCP(t *testing.T) {
	ns := tcpOnlyDNS(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args   string
		sorted bool   // stderr and stdout interleave differently through a pipe
		want   string // a line ours must hold, so the case cannot pass on two empty outputs
	}{
		{"+tcp @127.0.0.1 www.lab.test", false, ";; SERVER: 127.0.0.1#53(127.0.0.1) (TCP)"},
		{"+vc @127.0.0.1 alias.lab.test", false, "www.lab.test.\t\t300\tIN\tA\t10.77.3.2"},
		{"+tcp @127.0.0.1 www.lab.test +short", false, "10.77.3.2"},
		{"@127.0.0.1 www.lab.test", true, ";; communications error to 127.0.0.1#53: connection refused"},
		{"+tcp -p 54 @127.0.0.1 www.lab.test", false, ";; Connection to 127.0.0.1#54(127.0.0.1) for www.lab.test failed: connection refused."},
	}
	for _, tc := range cases {
		t.Run(tc.args, func(t *testing.T) {
			if _, err := exec.LookPath("dig"); err != nil {
				t.Skip("dig is not installed (Debian package bind9-dnsutils)")
			}
			real := inNS(t, ns, nil, "dig", strings.Fields(tc.args)...)
			ours := inNS(t, ns, []string{"PATHLAB_DIGTCP=shell", "PATHLAB_DIGTCP_LINE=dig " + tc.args}, self, "-test.run=^TestDigTCPHelper$")
			if !strings.Contains(ours, tc.want+"\n") {
				t.Errorf("dig %s: the live shell printed no %q:\n%s", tc.args, tc.want, ours)
			}
			r, o := maskRun(real), maskRun(ours)
			if tc.sorted {
				r, o = sortedBody(keepLines(r, nonEmpty), 0), sortedBody(keepLines(o, nonEmpty), 0)
			}
			if d := lineDiff(r, o); d != "" {
				t.Errorf("dig %s: the live shell differs from the real dig at %s\nreal:\n%s\nours:\n%s", tc.args, d, real, ours)
			}
		})
	}
}

// TestLiveDigReplyFromUnexpectedSource asks a DNS server on a host with
// two addresses (10.53.0.1 first, 10.53.0.2 second) that answers from the
// address its route picks. Asked at 10.53.0.1 it answers; asked at
// 10.53.0.2 its answer comes from 10.53.0.1. dig 9.18 (the version the
// shell imitates, and Debian 12's) sends from a connected socket: the
// kernel drops the answer from the other address, and dig says the
// server timed out. Older digs printed ";; reply from unexpected
// source" before timing out; 9.18 has no such line (it is not in its
// binary). The live shell, which also takes replies only from the
// address asked, prints what the real dig prints there.
func TestLiveDigReplyFromUnexpectedSource(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the server runs in a network namespace: root")
	}
	if _, err := exec.LookPath("dig"); err != nil {
		t.Skip("dig is not installed (Debian package bind9-dnsutils)")
	}
	_, cli, self := strayServer(t, "plus")
	for _, tc := range []struct{ server, want string }{
		{"10.53.0.1", ";; SERVER: 10.53.0.1#53(10.53.0.1) (UDP)"},
		{"10.53.0.2", ";; communications error to 10.53.0.2#53: timed out"},
	} {
		t.Run(tc.server, func(t *testing.T) {
			// dig tries three times (the shell's dig says so in three
			// lines); a second each keeps the test short.
			real := inNS(t, cli, nil, "dig", "+time=1", "@"+tc.server, "www.lab.test")
			ours := inNS(t, cli, []string{"PATHLAB_DIGTCP=shell", "PATHLAB_DIGTCP_LINE=dig @" + tc.server + " www.lab.test"}, self, "-test.run=^TestDigTCPHelper$")
			if !strings.Contains(ours, tc.want+"\n") || !strings.Contains(real, tc.want+"\n") {
				t.Errorf("dig @%s: want %q from both\nreal:\n%s\nours:\n%s", tc.server, tc.want, real, ours)
			}
			if strings.Contains(real, "unexpected source") {
				t.Errorf("this dig prints the unexpected-source warning; the shell's dig does not:\n%s", real)
			}
			r := sortedBody(keepLines(maskRun(real), nonEmpty), 0)
			o := sortedBody(keepLines(maskRun(ours), nonEmpty), 0)
			if d := lineDiff(r, o); d != "" {
				t.Errorf("dig @%s: the live shell differs from the real dig at %s\nreal:\n%s\nours:\n%s", tc.server, d, real, ours)
			}
		})
	}
}

// strayServer builds two namespaces joined by a veth pair: the server's
// (10.53.0.1 first, 10.53.0.2 second on eth0) running TestDigTCPHelper's
// DNS server that answers from the address its route picks, and the
// client's (10.53.0.10). It returns their names and this test binary.
func strayServer(t *testing.T, prefix string) (srv, cli, self string) {
	t.Helper()
	var rb [3]byte
	rand.Read(rb[:])
	base := fmt.Sprintf(prefix+"%dx%s", os.Getpid(), hex.EncodeToString(rb[:]))
	srv, cli = base+"-s", base+"-c"
	must := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{srv, cli} {
		must("ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		must("ip", "-n", ns, "link", "set", "lo", "up")
	}
	must("ip", "link", "add", "eth0", "netns", srv, "type", "veth", "peer", "name", "eth0", "netns", cli)
	must("ip", "-n", srv, "addr", "add", "10.53.0.1/24", "dev", "eth0")
	must("ip", "-n", srv, "addr", "add", "10.53.0.2/24", "dev", "eth0")
	must("ip", "-n", cli, "addr", "add", "10.53.0.10/24", "dev", "eth0")
	must("ip", "-n", srv, "link", "set", "eth0", "up")
	must("ip", "-n", cli, "link", "set", "eth0", "up")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", srv, self, "-test.run=^TestDigTCPHelper$")
	cmd.Env = append(os.Environ(), "PATHLAB_DIGTCP=stray")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.TrimSpace(line) != "READY" {
		t.Fatalf("the server did not start: %q", line)
	}
	return srv, cli, self
}
