// Package probelab builds a small network of Linux network namespaces for
// the live probes' tests: client — r1 — r2 — server, joined by veth pairs,
// with filters on r2 and the project's own DNS, HTTP and HTTPS servers in
// the server namespace. Traffic stays inside the namespaces.
//
// A test package that uses it has a test function that calls Serve when
// the environment says so (see HelperEnv), because the servers run as a
// re-executed test binary under "ip netns exec".
package probelab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Addresses in the lab. They exist only inside its namespaces.
const (
	Client    = "10.77.1.1"
	R1        = "10.77.1.2" // r1 facing the client
	R1b       = "10.77.2.1" // r1 facing r2
	R2        = "10.77.2.2" // r2 facing r1: the box that filters
	R2b       = "10.77.3.1" // r2 facing the server
	Server    = "10.77.3.2" // the web server
	RootDNS   = "10.77.3.10"
	TLDDNS    = "10.77.3.11" // serves test.
	NS1       = "10.77.3.12" // serves lab.test.
	NS2       = "10.77.3.13" // serves lab.test. (one record differs)
	LameDNS   = "10.77.3.14" // delegated lame.test., refuses everything
	Zone      = "lab.test."
	WebName   = "www.lab.test"
	PortHTTP  = 80
	PortHTTPS = 443
	// PortExpired serves HTTPS with an expired certificate.
	PortExpired = 8443
	// PortClosed has no listener: RST.
	PortClosed = 81
	// PortDropped has a listener, but r2 drops SYNs to it silently.
	PortDropped = 9001
	// PortProhibited has a listener, but r2 rejects SYNs to it with ICMP
	// administratively prohibited.
	PortProhibited = 9002

	// Conditions of issue 12, each at its own address so that one lab
	// holds them all.

	// SilentHost is behind r2, which sends no time-exceeded for packets
	// to it; the host itself drops PortHostDrop.
	SilentHost   = "10.77.3.20"
	PortHostDrop = 9003
	// ReturnHole serves HTTP on port 80, but r2 blackholes its replies
	// to the client: SYNs arrive, SYN-ACKs die.
	ReturnHole = "10.77.3.21"
	// Asymmetric serves HTTP on port 80; its replies reach the client 3
	// hops "longer" than the forward path (r1 lowers their TTL by 3).
	Asymmetric = "10.77.3.22"
	// ClosedHost answers every port with RST.
	ClosedHost = "10.77.3.30"
	// NoHost is on the server's link, but no one owns it: r2's ARP fails
	// and it answers ICMP host unreachable after 3 s.
	NoHost = "10.77.3.50"
	// MTUHost serves a large body at /big; the path through r2 takes
	// only 1280-byte packets and r2 drops the "fragmentation needed" it
	// would send: an MTU black hole both ways.
	MTUHost = "10.77.3.60"
	MTUSize = 1280
	// PortBigTLS on MTUHost serves HTTPS with a padded chain: the
	// handshake itself needs full-size segments.
	PortBigTLS = 8444
	// SlowHost is behind a 1 kbit/s link (tc tbf) from r2; it drops
	// PortSlowDrop.
	SlowHost     = "10.77.4.2"
	PortSlowDrop = 9004
	// DNS servers that misbehave: drop 40% of queries (2 of every 5 per
	// question), reply with the wrong ID, reply with another question,
	// truncate every UDP answer with no TCP listener.
	LossyDNS = "10.77.3.15"
	WrongID  = "10.77.3.16"
	WrongQ   = "10.77.3.17"
	TruncDNS = "10.77.3.18"
	// BigPath is the path of MTUHost's large body; BigSize its length.
	BigPath = "/big"
	BigSize = 1 << 20
)

// HelperEnv is the environment variable that tells a re-executed test
// binary to run the lab's servers (value "servers") instead of tests.
const HelperEnv = "PROBELAB_ROLE"

// Lab is a running lab.
type Lab struct {
	// Namespace names, unique per run.
	ClientNS, R1NS, R2NS, ServerNS string
	// DelayNS bridges the client's link with a delay (AddDelay).
	DelayNS string
	// Dir holds the lab's CA (CAFile) and server certificates.
	Dir    string
	CAFile string
	srv    *exec.Cmd
	stdin  io.WriteCloser
}

const prefix = "plab"

// Skip skips t unless the lab can be built here: root, with ip and iptables.
func Skip(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the netns lab needs root (network namespaces, veths, iptables)")
	}
	for _, c := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("the netns lab needs %s: install iproute2 and iptables", c)
		}
	}
}

// New builds the lab and starts its servers by re-executing the test
// binary with -test.run=helperTest and HelperEnv=servers; that test must
// call Serve. Everything is torn down by t.Cleanup, even on failure.
func New(t testing.TB, helperTest string) *Lab {
	t.Helper()
	Skip(t)
	removeStale()
	var b [3]byte
	rand.Read(b[:])
	base := fmt.Sprintf("%s%dx%s", prefix, os.Getpid(), hex.EncodeToString(b[:]))
	l := &Lab{ClientNS: base + "-c", R1NS: base + "-r1", R2NS: base + "-r2", ServerNS: base + "-s"}
	l.Dir = t.TempDir()
	t.Cleanup(l.teardown)
	all := []string{l.ClientNS, l.R1NS, l.R2NS, l.ServerNS}
	for _, ns := range all {
		l.must(t, "ip", "netns", "add", ns)
		l.must(t, "ip", "-n", ns, "link", "set", "lo", "up")
		// Answer every probe: no ICMP rate limits inside the lab.
		l.must(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
		exec.Command("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.icmp_msgs_burst=10000", "net.ipv4.icmp_msgs_per_sec=100000").Run()
	}
	links := []struct{ a, an, aAddr, b, bn, bAddr string }{
		{l.ClientNS, "c0", Client, l.R1NS, "r1a", R1},
		{l.R1NS, "r1b", R1b, l.R2NS, "r2a", R2},
		{l.R2NS, "r2b", R2b, l.ServerNS, "s0", Server},
	}
	for _, k := range links {
		l.must(t, "ip", "link", "add", k.an, "netns", k.a, "type", "veth", "peer", "name", k.bn, "netns", k.b)
		l.must(t, "ip", "-n", k.a, "addr", "add", k.aAddr+"/24", "dev", k.an)
		l.must(t, "ip", "-n", k.b, "addr", "add", k.bAddr+"/24", "dev", k.bn)
		l.must(t, "ip", "-n", k.a, "link", "set", k.an, "up")
		l.must(t, "ip", "-n", k.b, "link", "set", k.bn, "up")
	}
	for _, a := range []string{RootDNS, TLDDNS, NS1, NS2, LameDNS, LossyDNS, WrongID, WrongQ, TruncDNS, SilentHost, ReturnHole, Asymmetric, ClosedHost, MTUHost} {
		l.must(t, "ip", "-n", l.ServerNS, "addr", "add", a+"/24", "dev", "s0")
	}
	for _, r := range []string{l.R1NS, l.R2NS} {
		l.must(t, "ip", "netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	}
	l.must(t, "ip", "-n", l.ClientNS, "route", "add", "default", "via", R1)
	l.must(t, "ip", "-n", l.R1NS, "route", "add", "10.77.3.0/24", "via", R2)
	l.must(t, "ip", "-n", l.R2NS, "route", "add", "10.77.1.0/24", "via", R1b)
	l.must(t, "ip", "-n", l.ServerNS, "route", "add", "default", "via", R2b)
	l.must(t, "ip", "netns", "exec", l.R2NS, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", strconv.Itoa(PortDropped), "-j", "DROP")
	l.must(t, "ip", "netns", "exec", l.R2NS, "iptables", "-A", "FORWARD", "-p", "tcp", "--dport", strconv.Itoa(PortProhibited),
		"-j", "REJECT", "--reject-with", "icmp-admin-prohibited")
	l.conditions(t)
	if err := writeCerts(l.Dir); err != nil {
		t.Fatalf("probelab: certificates: %v", err)
	}
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	l.startServers(t, helperTest)
	return l
}

// conditions builds issue 12's conditions, each scoped to its own address.
func (l *Lab) conditions(t testing.TB) {
	r1 := func(args ...string) { l.must(t, "ip", append([]string{"netns", "exec", l.R1NS}, args...)...) }
	r2 := func(args ...string) { l.must(t, "ip", append([]string{"netns", "exec", l.R2NS}, args...)...) }
	srv := func(args ...string) { l.must(t, "ip", append([]string{"netns", "exec", l.ServerNS}, args...)...) }
	// A silent router: r2 sends no time-exceeded for packets to
	// SilentHost (u32 reads the quoted destination at offset 44), and the
	// host drops PortHostDrop.
	r2("iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-m", "u32", "--u32", "44="+hexAddr(SilentHost), "-j", "DROP")
	srv("iptables", "-A", "INPUT", "-d", SilentHost, "-p", "tcp", "--dport", strconv.Itoa(PortHostDrop), "-j", "DROP")
	// A blackholed return path: r2 drops what ReturnHole sends the client.
	r2("ip", "rule", "add", "from", ReturnHole, "lookup", "21", "priority", "100")
	r2("ip", "route", "add", "blackhole", "10.77.1.0/24", "table", "21")
	// An asymmetric return path, as the client sees it: 3 hops longer.
	r1("iptables", "-t", "mangle", "-A", "FORWARD", "-s", Asymmetric, "-j", "TTL", "--ttl-dec", "3")
	// An MTU black hole: 1280 bytes through r2 for MTUHost, both ways,
	// and r2 says nothing about it.
	mtu := strconv.Itoa(MTUSize)
	r2("ip", "route", "add", MTUHost+"/32", "dev", "r2b", "mtu", "lock", mtu)
	r2("ip", "rule", "add", "from", MTUHost, "lookup", "60", "priority", "101")
	r2("ip", "route", "add", "10.77.1.0/24", "via", R1b, "dev", "r2a", "mtu", "lock", mtu, "table", "60")
	r2("iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP")
	// A 1 kbit/s link from r2 to SlowHost, in the server namespace. Its
	// neighbours are static: ARP queued behind data at 1 kbit/s would
	// fail after 3 s and turn a slow link into a host unreachable.
	l.must(t, "ip", "link", "add", "r2c", "netns", l.R2NS, "address", slowR2MAC, "type", "veth", "peer", "name", "s1", "netns", l.ServerNS, "address", slowHostMAC)
	l.must(t, "ip", "-n", l.R2NS, "neigh", "replace", SlowHost, "lladdr", slowHostMAC, "dev", "r2c", "nud", "permanent")
	l.must(t, "ip", "-n", l.ServerNS, "neigh", "replace", "10.77.4.1", "lladdr", slowR2MAC, "dev", "s1", "nud", "permanent")
	l.must(t, "ip", "-n", l.R2NS, "addr", "add", "10.77.4.1/24", "dev", "r2c")
	l.must(t, "ip", "-n", l.ServerNS, "addr", "add", SlowHost+"/24", "dev", "s1")
	l.must(t, "ip", "-n", l.R2NS, "link", "set", "r2c", "up")
	l.must(t, "ip", "-n", l.ServerNS, "link", "set", "s1", "up")
	l.must(t, "ip", "-n", l.R1NS, "route", "add", "10.77.4.0/24", "via", R2)
	srv("ip", "rule", "add", "from", SlowHost, "lookup", "42", "priority", "100")
	srv("ip", "route", "add", "default", "via", "10.77.4.1", "dev", "s1", "table", "42")
	srv("iptables", "-A", "INPUT", "-d", SlowHost, "-p", "tcp", "--dport", strconv.Itoa(PortSlowDrop), "-j", "DROP")
	l.slowQdiscs(t, "add")
}

const (
	slowR2MAC   = "02:77:04:00:00:01"
	slowHostMAC = "02:77:04:00:00:02"
)

// slowQdiscs adds (or replaces, after a delete) the token buckets of the
// 1 kbit/s link, both ways: 1600 bytes of burst, then 125 bytes a second.
func (l *Lab) slowQdiscs(t testing.TB, op string) {
	for _, x := range []struct{ ns, dev string }{{l.R2NS, "r2c"}, {l.ServerNS, "s1"}} {
		l.must(t, "ip", "netns", "exec", x.ns, "tc", "qdisc", op, "dev", x.dev, "root", "tbf", "rate", "1kbit", "burst", "1600", "latency", "30s")
	}
}

// EmptySlowLink puts the 1 kbit/s link in a known state: its queues are
// dropped (the token buckets made anew, full), then a 1.6 kB ping drains
// both buckets. From then on every packet waits for its own tokens (a SYN
// about 0.6 s, a RST 0.4 s), as on a busy slow link, and what earlier
// probes left queued does not count.
func (l *Lab) EmptySlowLink(t testing.TB) {
	t.Helper()
	for _, x := range []struct{ ns, dev string }{{l.R2NS, "r2c"}, {l.ServerNS, "s1"}} {
		l.must(t, "ip", "netns", "exec", x.ns, "tc", "qdisc", "del", "dev", x.dev, "root")
	}
	l.slowQdiscs(t, "add")
	l.must(t, "ip", "netns", "exec", l.ClientNS, "ping", "-n", "-c", "1", "-W", "15", "-s", "1600", SlowHost)
}

// QueueOnSlowLink starts a ping of size bytes to SlowHost and returns at
// once: its request holds the link towards SlowHost for size/125 s, and
// its reply the link back as long, so what is sent next waits behind it.
// It returns once the request has reached r2's queue (waiting there, or
// sent on). The ping ends on its own (at most 15 s).
func (l *Lab) QueueOnSlowLink(t testing.TB, size int) {
	t.Helper()
	stats := func() (queued bool, sent int) {
		out, _ := exec.Command("ip", "netns", "exec", l.R2NS, "tc", "-s", "qdisc", "show", "dev", "r2c").Output()
		if _, after, ok := strings.Cut(string(out), "Sent "); ok {
			fmt.Sscanf(after, "%d bytes %d pkt", new(int), &sent)
		}
		return !strings.Contains(string(out), "backlog 0b"), sent
	}
	_, before := stats()
	cmd := exec.Command("ip", "netns", "exec", l.ClientNS, "ping", "-n", "-c", "1", "-W", "15", "-s", strconv.Itoa(size), SlowHost)
	if err := cmd.Start(); err != nil {
		t.Fatalf("probelab: ping: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if queued, sent := stats(); queued || sent > before {
			return
		}
		select {
		case <-done:
			t.Fatalf("probelab: the ping to %s ended before it was queued", SlowHost)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("probelab: the ping to %s never waited in r2's queue", SlowHost)
}

// SetRateLimit turns the routers' and the server's ICMP rate limits to
// Linux's defaults (icmp_ratelimit 1000 ms: a burst of 6, then one a
// second, per destination) or off.
func (l *Lab) SetRateLimit(t testing.TB, on bool) {
	t.Helper()
	v := []string{"net.ipv4.icmp_ratelimit=0", "net.ipv4.icmp_msgs_burst=10000", "net.ipv4.icmp_msgs_per_sec=100000"}
	if on {
		v = []string{"net.ipv4.icmp_ratelimit=1000", "net.ipv4.icmp_msgs_burst=50", "net.ipv4.icmp_msgs_per_sec=1000"}
	}
	for _, ns := range []string{l.R1NS, l.R2NS, l.ServerNS} {
		l.must(t, "ip", append([]string{"netns", "exec", ns, "sysctl", "-qw"}, v...)...)
	}
}

func hexAddr(a string) string {
	var b [4]int
	fmt.Sscanf(a, "%d.%d.%d.%d", &b[0], &b[1], &b[2], &b[3])
	return fmt.Sprintf("0x%02x%02x%02x%02x", b[0], b[1], b[2], b[3])
}

func (l *Lab) must(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("probelab: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// Command returns a command that runs inside namespace ns.
func (l *Lab) Command(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

func (l *Lab) startServers(t testing.TB, helperTest string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.ServerNS, self, "-test.run=^"+helperTest+"$")
	cmd.Env = append(os.Environ(), HelperEnv+"=servers", "PROBELAB_DIR="+l.Dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	l.stdin, err = cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("probelab: start servers: %v", err)
	}
	l.srv = cmd
	// Serve prints READY once every listener is bound and every DNS server
	// has started; it exits when its stdin closes.
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "READY" {
			err = fmt.Errorf("unexpected %q", line)
		}
		ready <- err
		io.Copy(io.Discard, out)
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("probelab: servers did not start: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("probelab: servers not ready after 20s\n%s", stderr.String())
	}
}

func (l *Lab) teardown() {
	if l.srv != nil {
		l.stdin.Close()
		done := make(chan struct{})
		go func() { l.srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			l.srv.Process.Kill()
			<-done
		}
	}
	for _, ns := range []string{l.ClientNS, l.R1NS, l.R2NS, l.ServerNS} {
		if ns != "" {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	}
}

// removeStale deletes namespaces left by earlier runs whose process is gone.
func removeStale() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], prefix) {
			continue
		}
		pidText, _, ok := strings.Cut(strings.TrimPrefix(f[0], prefix), "x")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			continue // its run is still going
		}
		exec.Command("ip", "netns", "del", f[0]).Run()
	}
}
