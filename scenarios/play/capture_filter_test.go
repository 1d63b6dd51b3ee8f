package play

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/capture"
	"github.com/pathlab/pathlab/tracer"
)

func TestCapFilterMatch(t *testing.T) {
	a := netip.MustParseAddr
	syn := capPacket{proto: "tcp", src: a("10.0.10.21"), dst: a("10.0.20.10"), sport: 43023, dport: 5432, ports: true}
	ack := capPacket{proto: "tcp", src: a("10.0.20.10"), dst: a("10.0.10.21"), sport: 5432, dport: 43023, ports: true}
	query := capPacket{proto: "udp", src: a("10.0.10.21"), dst: a("10.0.0.2"), sport: 40000, dport: 53, ports: true}
	echo := capPacket{proto: "icmp", src: a("10.0.10.21"), dst: a("10.0.20.10")}
	cases := []struct {
		filter string
		want   []bool // syn, ack, query, echo
	}{
		{"", []bool{true, true, true, true}},
		{"tcp", []bool{true, true, false, false}},
		{"udp or icmp", []bool{false, false, true, true}},
		{"port 5432", []bool{true, true, false, false}},
		{"dst port 5432", []bool{true, false, false, false}},
		{"src port 5432", []bool{false, true, false, false}},
		{"host 10.0.20.10", []bool{true, true, false, true}},
		{"src host 10.0.10.21", []bool{true, false, true, true}},
		{"dst 10.0.20.10", []bool{true, false, false, true}},
		{"net 10.0.20.0/24", []bool{true, true, false, true}},
		{"src net 10.0.0.0/16 and dst net 10.0.20.0/24", []bool{true, false, false, true}},
		{"portrange 50-60", []bool{false, false, true, false}},
		{"tcp portrange 40000-50000", []bool{true, true, false, false}},
		{"udp port 53", []bool{false, false, true, false}},
		{"tcp port 53", []bool{false, false, false, false}},
		{"port 53 or 5432", []bool{true, true, true, false}},
		{"not tcp", []bool{false, false, true, true}},
		{"!icmp && !udp", []bool{true, true, false, false}},
		{"(tcp or udp) and not port 53", []bool{true, true, false, false}},
		{"host 10.0.20.10 and (icmp or dst port 5432)", []bool{true, false, false, true}},
		{"src or dst host 10.0.0.2", []bool{false, false, true, false}},
		{"src and dst net 10.0.0.0/8", []bool{true, true, true, true}},
		{"ip", []bool{true, true, true, true}},
		{"port domain", []bool{false, false, true, false}},
	}
	for _, tc := range cases {
		f, err := parseCapFilter([]string{tc.filter}, nil)
		if err != nil {
			t.Errorf("%q: %v", tc.filter, err)
			continue
		}
		for i, p := range []capPacket{syn, ack, query, echo} {
			if got := f.match(p); got != tc.want[i] {
				t.Errorf("%q on packet %d = %v; want %v", tc.filter, i, got, tc.want[i])
			}
		}
	}
	for _, bad := range []string{"port", "host", "and tcp", "(tcp", "tcp)", "port 99999", "net 10.0.20.1/24", "portrange 5", "host nosuch", "tcp[13] & 2 != 0", "port 80 80"} {
		if _, err := parseCapFilter([]string{bad}, nil); err == nil || !strings.HasPrefix(err.Error(), "tcpdump: ") {
			t.Errorf("%q: err = %v; want tcpdump's complaint", bad, err)
		}
	}
}

// FuzzCapFilter: any filter text is read or refused with tcpdump's
// complaint, never a panic, and a filter that parses matches without
// panicking.
func FuzzCapFilter(f *testing.F) {
	for _, s := range []string{"tcp port 80", "not (src net 10.0.0.0/8 or icmp)", "port 53 or 443", "portrange 1-1024 and dst host 1.2.3.4", "!(", "src and dst", "||&&"} {
		f.Add(s)
	}
	p := capPacket{proto: "tcp", src: netip.MustParseAddr("10.0.0.1"), dst: netip.MustParseAddr("10.0.0.2"), sport: 1, dport: 2, ports: true}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseCapFilter(strings.Fields(s), nil)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tcpdump: ") {
				t.Fatalf("%q: %v is not tcpdump's complaint", s, err)
			}
			return
		}
		flt.match(p)
	})
}

// TestCapFilterAgreesWithTcpdump hands a simulated capture to the real
// tcpdump as a pcap file with each filter, and holds the packets it keeps
// against the built-in filter's.
func TestCapFilterAgreesWithTcpdump(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump is not installed (Debian package tcpdump)")
	}
	st := adHoc(t)
	w, err := simnet.Compile(st.Broken)
	if err != nil {
		t.Fatal(err)
	}
	target, _ := tracer.ParseTarget("https://shop.example.com/")
	c, err := capture.Take(context.Background(), w, "browser", target, "browser")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Packets) < 5 {
		t.Fatalf("the capture holds %d packets; want the DNS lookup and a handshake", len(c.Packets))
	}
	var buf bytes.Buffer
	if err := c.WritePcap(&buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "c.pcap")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := c.Lines()
	for _, filter := range []string{"", "tcp", "udp", "port 53", "dst port 443", "src port 443", "host 203.0.113.10", "net 198.51.100.0/24",
		"src net 198.51.100.0/24 and not udp", "portrange 1-1000", "tcp and (src port 443 or dst port 53)", "not tcp", "icmp", "udp port 53 or tcp port 443"} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		args := append([]string{"-nn", "-tt", "-r", file}, strings.Fields(filter)...)
		out, err := exec.CommandContext(ctx, "tcpdump", args...).Output()
		cancel()
		if err != nil {
			t.Fatalf("tcpdump %s: %v", strings.Join(args, " "), err)
		}
		real := strings.Count(string(out), "\n")
		f, err := parseCapFilter([]string{filter}, nil)
		if err != nil {
			t.Fatalf("%q: %v", filter, err)
		}
		ours := 0
		var mine []string
		for i, p := range c.Packets {
			cp, ok := decodeCap(p.Data)
			if ok && f.match(cp) {
				ours++
				mine = append(mine, lines[i])
			}
		}
		if real != ours {
			t.Errorf("filter %q: tcpdump keeps %d packets, the built-in filter %d\ntcpdump:\n%s\nours:\n%s", filter, real, ours, out, strings.Join(mine, "\n"))
		}
	}
}
