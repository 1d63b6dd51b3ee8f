package probelab

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// AddDelay puts a delay of oneWay in each direction between the client and
// r1, so every hop's round trip is at least 2×oneWay and means something
// against a tool's own overhead. The kernels this runs on may lack netem
// (sch_netem), so the delay is a namespace that bridges the link in user
// space: the test binary, re-executed there with HelperEnv=delay, holds
// each frame for oneWay before passing it on (ServeDelay). It is
// transparent: no TTL is lowered, no address added. helperTest names the
// test that calls ServeDelay when HelperEnv says so.
func (l *Lab) AddDelay(t testing.TB, oneWay time.Duration, helperTest string) {
	t.Helper()
	l.DelayNS = strings.TrimSuffix(l.ClientNS, "-c") + "-d"
	l.must(t, "ip", "netns", "add", l.DelayNS)
	l.must(t, "ip", "-n", l.DelayNS, "link", "set", "lo", "up")
	l.must(t, "ip", "netns", "exec", l.DelayNS, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	// Replace the client's link to r1 by two links through the bridge.
	l.must(t, "ip", "-n", l.ClientNS, "link", "del", "c0")
	l.must(t, "ip", "link", "add", "c0", "netns", l.ClientNS, "type", "veth", "peer", "name", "da", "netns", l.DelayNS)
	l.must(t, "ip", "link", "add", "r1a", "netns", l.R1NS, "type", "veth", "peer", "name", "db", "netns", l.DelayNS)
	l.must(t, "ip", "-n", l.ClientNS, "addr", "add", Client+"/24", "dev", "c0")
	l.must(t, "ip", "-n", l.R1NS, "addr", "add", R1+"/24", "dev", "r1a")
	for _, x := range []struct{ ns, dev string }{{l.ClientNS, "c0"}, {l.R1NS, "r1a"}, {l.DelayNS, "da"}, {l.DelayNS, "db"}} {
		l.must(t, "ip", "-n", x.ns, "link", "set", x.dev, "up")
	}
	for _, dev := range []string{"da", "db"} {
		l.must(t, "ip", "-n", l.DelayNS, "link", "set", dev, "promisc", "on")
	}
	l.must(t, "ip", "-n", l.ClientNS, "route", "add", "default", "via", R1)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.DelayNS, self, "-test.run=^"+helperTest+"$")
	cmd.Env = append(os.Environ(), HelperEnv+"=delay", "PROBELAB_DELAY="+oneWay.String())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("probelab: start the delay bridge: %v", err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		exec.Command("ip", "netns", "del", l.DelayNS).Run()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "READY" {
		t.Fatalf("probelab: the delay bridge did not start: %q %v", line, err)
	}
}

// ServeDelay bridges the interfaces da and db of this namespace, holding
// each frame for $PROBELAB_DELAY; it prints READY once both sockets are
// open and exits when stdin closes.
func ServeDelay() {
	d, err := time.ParseDuration(os.Getenv("PROBELAB_DELAY"))
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "probelab delay: %v\n", err)
		os.Exit(3)
	}
	if err != nil {
		fail(err)
	}
	open := func(name string) (int, int) {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			fail(err)
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			fail(err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
			fail(err)
		}
		return fd, ifi.Index
	}
	a, ai := open("da")
	b, bi := open("db")
	// Each direction is a queue in arrival order with one sender, so the
	// bridge delays frames without reordering them.
	type held struct {
		due   time.Time
		frame []byte
	}
	pass := func(from, to, toIndex int) {
		q := make(chan held, 4096)
		go func() {
			for h := range q {
				time.Sleep(time.Until(h.due))
				unix.Sendto(to, h.frame, 0, &unix.SockaddrLinklayer{Ifindex: toIndex})
			}
		}()
		buf := make([]byte, 65536)
		for {
			n, sa, err := unix.Recvfrom(from, buf, 0)
			if err != nil {
				return
			}
			if ll, ok := sa.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
				continue // our own write
			}
			frame := append([]byte(nil), buf[:n]...)
			// A veth leaves a local socket's TCP and UDP checksums to
			// "hardware" (CHECKSUM_PARTIAL): the frame read here lacks
			// them, and must carry them once it is sent again.
			fixChecksum(frame)
			select {
			case q <- held{time.Now().Add(d), frame}:
			default: // a full queue drops, as a full link would
			}
		}
	}
	go pass(a, b, bi)
	go pass(b, a, ai)
	fmt.Println("READY")
	bufio.NewReader(os.Stdin).ReadString('\n') // until stdin closes
	os.Exit(0)
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// fixChecksum writes the TCP or UDP checksum of an Ethernet frame holding
// an IPv4 packet that is not a fragment.
func fixChecksum(f []byte) {
	if len(f) < 14+20 || f[12] != 0x08 || f[13] != 0x00 {
		return
	}
	ip := f[14:]
	ihl := int(ip[0]&0x0f) * 4
	total := int(ip[2])<<8 | int(ip[3])
	if ihl < 20 || total > len(ip) || total < ihl || (ip[6]&0x3f) != 0 || ip[7] != 0 {
		return
	}
	l4 := ip[ihl:total]
	var off int
	switch ip[9] {
	case 6:
		off = 16
	case 17:
		off = 6
	default:
		return
	}
	if len(l4) < off+2 {
		return
	}
	l4[off], l4[off+1] = 0, 0
	sum := uint32(0)
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(b[i])<<8 | uint32(b[i+1])
		}
		if len(b)%2 == 1 {
			sum += uint32(b[len(b)-1]) << 8
		}
	}
	add(ip[12:20]) // source and destination
	sum += uint32(ip[9]) + uint32(len(l4))
	add(l4)
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	c := ^uint16(sum)
	if c == 0 && ip[9] == 17 {
		c = 0xffff
	}
	l4[off], l4[off+1] = byte(c>>8), byte(c)
}
