package play

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

// nsSet is a few network namespaces a test builds and removes.
type nsSet struct {
	t    *testing.T
	base string
}

func newNSSet(t *testing.T) *nsSet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the namespaces need root")
	}
	for _, c := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("needs %s (Debian packages iproute2, iptables)", c)
		}
	}
	var b [3]byte
	rand.Read(b[:])
	return &nsSet{t: t, base: fmt.Sprintf("pltp%dx%s", os.Getpid(), hex.EncodeToString(b[:]))}
}

// ns adds namespace name (lo up, no IPv6) and returns its full name.
func (n *nsSet) ns(name string) string {
	full := n.base + "-" + name
	n.must("ip", "netns", "add", full)
	n.t.Cleanup(func() { exec.Command("ip", "netns", "del", full).Run() })
	n.must("ip", "-n", full, "link", "set", "lo", "up")
	n.must("ip", "netns", "exec", full, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv4.icmp_ratelimit=0")
	return full
}

// link joins a's device ad (address aa, MTU am) and b's bd (bb, bm).
func (n *nsSet) link(a, ad, aa string, am int, b, bd, bb string, bm int) {
	n.must("ip", "link", "add", ad, "netns", a, "type", "veth", "peer", "name", bd, "netns", b)
	for _, x := range []struct {
		ns, dev, addr string
		mtu           int
	}{{a, ad, aa, am}, {b, bd, bb, bm}} {
		n.must("ip", "-n", x.ns, "addr", "add", x.addr, "dev", x.dev)
		n.must("ip", "-n", x.ns, "link", "set", x.dev, "mtu", fmt.Sprint(x.mtu), "up")
	}
}

func (n *nsSet) in(ns string, args ...string) {
	n.must(append([]string{"ip", "netns", "exec", ns}, args...)...)
}

func (n *nsSet) must(args ...string) {
	n.t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		n.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

var maskTPTime = regexp.MustCompile(` *\d+\.\d{3}ms`)

// TestTracepathMatchesRealTool builds, for each situation of the
// tracepath world (testdata/worlds/paths/tracepath.yaml), namespaces
// that behave as AWS does there (eth0 at MTU 9001, the VPC router
// invisible to TTLs, a 1500-byte link past the internet gateway or the
// NAT gateway), runs the real tracepath in them and the shell's in the
// world, and compares them line by line with the times masked.
func TestTracepathMatchesRealTool(t *testing.T) {
	if _, err := exec.LookPath("tracepath"); err != nil {
		t.Skip("tracepath is not installed (Debian package iputils-tracepath)")
	}
	spec, err := simnet.LoadSpec("../../testdata/worlds/paths/tracepath.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, cmd string
		build           func(n *nsSet) string // returns the namespace tracepath runs in
		want            string                // a line ours must hold
	}{
		{"in the VPC", "app", "tracepath -n 10.0.20.10", func(n *nsSet) string {
			h, d := n.ns("h"), n.ns("d")
			n.link(h, "eth0", "10.0.10.21/16", 9001, d, "eth0", "10.0.20.10/16", 9001)
			return h
		}, " 1?: [LOCALHOST]                      pmtu 9001"},
		{"out the internet gateway", "web", "tracepath -n 192.0.2.80", func(n *nsSet) string {
			h, r, x := n.ns("h"), n.ns("r"), n.ns("x")
			n.link(h, "eth0", "10.0.1.10/24", 9001, r, "r0", "10.0.1.1/24", 9001)
			n.link(r, "r1", "192.0.2.1/24", 1500, x, "eth0", "192.0.2.80/24", 1500)
			n.must("ip", "-n", h, "route", "add", "default", "via", "10.0.1.1")
			n.must("ip", "-n", x, "route", "add", "default", "via", "192.0.2.1")
			n.in(r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
			// The VPC router lowers no TTL: it never shows as a hop.
			for _, dev := range []string{"r0", "r1"} {
				n.in(r, "iptables", "-t", "mangle", "-A", "PREROUTING", "-i", dev, "-j", "TTL", "--ttl-inc", "1")
			}
			return h
		}, " 1:  10.0.1.1 N pmtu 1500"},
		{"through the NAT gateway", "app", "tracepath -n 192.0.2.80", func(n *nsSet) string {
			h, g, x := n.ns("h"), n.ns("g"), n.ns("x")
			n.link(h, "eth0", "10.0.10.21/16", 9001, g, "n0", "10.0.1.5/16", 9001)
			n.link(g, "n1", "192.0.2.1/24", 1500, x, "eth0", "192.0.2.80/24", 1500)
			n.must("ip", "-n", h, "route", "add", "default", "via", "10.0.1.5")
			n.must("ip", "-n", x, "route", "add", "default", "via", "192.0.2.1")
			n.in(g, "sysctl", "-qw", "net.ipv4.ip_forward=1")
			return h
		}, " 2:  10.0.1.5 N pmtu 1500"},
		{"dropped", "app", "tracepath -n -m 3 10.0.30.10", func(n *nsSet) string {
			h, v := n.ns("h"), n.ns("v")
			n.link(h, "eth0", "10.0.10.21/16", 9001, v, "eth0", "10.0.30.10/16", 9001)
			n.in(v, "iptables", "-A", "INPUT", "-p", "udp", "-j", "DROP")
			return h
		}, "     Too many hops: pmtu 9001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := newNSSet(t)
			h := tc.build(n)
			f := strings.Fields(tc.cmd)
			ctx := context.Background()
			out, _ := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h}, f...)...).CombinedOutput()
			real := string(out)
			st, err := scenarios.AdHoc(ctx, "tracepath.yaml", spec, tc.from, "udp://"+f[len(f)-1]+":44444")
			if err != nil {
				t.Fatal(err)
			}
			_, tr := session(t, st, []string{tc.cmd}, Options{})
			ours := commandText(tr, "["+tc.from+"]$ "+tc.cmd)
			r, o := maskTPTime.ReplaceAllString(real, " N"), maskTPTime.ReplaceAllString(ours, " N")
			if !strings.Contains(o, tc.want+"\n") {
				t.Errorf("%s: ours lacks %q:\n%s", tc.cmd, tc.want, ours)
			}
			if d := lineDiff(r, o); d != "" {
				t.Errorf("%s from %s: the shell differs from the real tracepath at %s\nreal:\n%s\nours:\n%s", tc.cmd, tc.from, d, real, ours)
			}
		})
	}
}

// TestTracepathNames: tracepath prints a hop's name by default, its
// address with -n, and both with -b (iputils 20221126), and honours -m.
func TestTracepathNames(t *testing.T) {
	spec, err := simnet.LoadSpec("../../testdata/worlds/paths/tracepath.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "tracepath.yaml", spec, "app", "udp://192.0.2.80:44444")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cmd, want, not string }{
		{"tracepath 192.0.2.80", " 1:  nat-a ", "(10.0.1.5)"},
		{"tracepath -n 192.0.2.80", " 1:  10.0.1.5 ", "nat-a"},
		{"tracepath -b 192.0.2.80", " 1:  nat-a (10.0.1.5) ", "\n 1:  nat-a  "},
		{"tracepath -n -m 1 10.0.30.10", " 1:  no reply\n     Too many hops: pmtu 9001\n", " 2:  no reply"},
		{"tracepath -m x 10.0.30.10", "tracepath: invalid argument: 'x'\n", "no reply"},
	} {
		_, tr := session(t, st, []string{tc.cmd}, Options{})
		got := commandText(tr, "[app]$ "+tc.cmd)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%s: want %q and no %q in:\n%s", tc.cmd, tc.want, tc.not, got)
		}
	}
}

// TestTracepathOwnAddress: the host's own address is reached over lo,
// whose MTU (65536) takes tracepath's first probe: no [LOCALHOST] line,
// as on Linux (TestPathFormatsMatchRealTools runs the real one there).
func TestTracepathOwnAddress(t *testing.T) {
	spec, err := simnet.LoadSpec("../../testdata/worlds/paths/tracepath.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "tracepath.yaml", spec, "app", "udp://10.0.10.21:44444")
	if err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{"10.0.10.21", "127.0.0.1"} {
		cmd := "tracepath -n " + dst
		_, tr := session(t, st, []string{cmd}, Options{})
		got := maskTPTime.ReplaceAllString(commandText(tr, "[app]$ "+cmd), " N")
		want := " 1:  " + dst + " N reached\n     Resume: pmtu 65535 hops 1 back 1 \n"
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", cmd, got, want)
		}
	}
}

// TestLiveTracepathInNamespaces runs tracepath from a namespace, really
// and in a live shell there, across a router to a host behind it: the
// live shell reads [LOCALHOST]'s MTU from the interface its route uses.
func TestLiveTracepathInNamespaces(t *testing.T) {
	if _, err := exec.LookPath("tracepath"); err != nil {
		t.Skip("tracepath is not installed (Debian package iputils-tracepath)")
	}
	n := newNSSet(t)
	h, r, x := n.ns("h"), n.ns("r"), n.ns("x")
	n.link(h, "eth0", "10.0.10.21/24", 1500, r, "r0", "10.0.10.1/24", 1500)
	n.link(r, "r1", "10.0.20.1/24", 1500, x, "eth0", "10.0.20.10/24", 1500)
	n.must("ip", "-n", h, "route", "add", "default", "via", "10.0.10.1")
	n.must("ip", "-n", x, "route", "add", "default", "via", "10.0.20.1")
	n.in(r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := "tracepath -n 10.0.20.10"
	real := inNS(t, h, nil, "tracepath", "-n", "10.0.20.10")
	ours := inNS(t, h, []string{"PATHLAB_DIGTCP=shell", "PATHLAB_DIGTCP_LINE=" + cmd}, self, "-test.run=^TestDigTCPHelper$")
	if !strings.Contains(ours, " 1?: [LOCALHOST]                      pmtu 1500\n") || !strings.Contains(ours, "hops 2 back 2") {
		t.Errorf("%s: ours lacks the [LOCALHOST] line or the two hops:\n%s", cmd, ours)
	}
	r2, o := maskTPTime.ReplaceAllString(real, " N"), maskTPTime.ReplaceAllString(ours, " N")
	if d := lineDiff(r2, o); d != "" {
		t.Errorf("%s: the live shell differs from the real tracepath at %s\nreal:\n%s\nours:\n%s", cmd, d, real, ours)
	}
}
