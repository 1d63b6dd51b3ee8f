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
)

// HelperEnv is the environment variable that tells a re-executed test
// binary to run the lab's servers (value "servers") instead of tests.
const HelperEnv = "PROBELAB_ROLE"

// Lab is a running lab.
type Lab struct {
	// Namespace names, unique per run.
	ClientNS, R1NS, R2NS, ServerNS string
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
	for _, a := range []string{RootDNS, TLDDNS, NS1, NS2, LameDNS} {
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
	if err := writeCerts(l.Dir); err != nil {
		t.Fatalf("probelab: certificates: %v", err)
	}
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	l.startServers(t, helperTest)
	return l
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
