package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/simtest"
	"github.com/pathlab/pathlab/simnet/spec"
)

// seen is a capture read back from its pcap bytes with gopacket.
type seen struct {
	times []time.Time
	pkts  []gopacket.Packet
}

func readPcap(t *testing.T, c *Capture) (seen, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WritePcap(&buf); err != nil {
		t.Fatal(err)
	}
	raw := bytes.Clone(buf.Bytes())
	r, err := pcapgo.NewReader(&buf)
	if err != nil {
		t.Fatalf("pcapgo cannot read the capture: %v", err)
	}
	if r.LinkType() != layers.LinkTypeRaw {
		t.Errorf("link type %v; want RAW", r.LinkType())
	}
	var s seen
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, layers.LinkTypeRaw, gopacket.Default)
		if el := p.ErrorLayer(); el != nil {
			t.Errorf("packet %d does not decode: %v", len(s.pkts), el.Error())
		}
		s.times = append(s.times, ci.Timestamp)
		s.pkts = append(s.pkts, p)
	}
	for i := 1; i < len(s.times); i++ {
		if s.times[i].Before(s.times[i-1]) {
			t.Errorf("packet %d at %v comes before packet %d at %v", i, s.times[i], i-1, s.times[i-1])
		}
	}
	return s, raw
}

// tcpWhere lists the TCP segments that match.
func (s seen) tcpWhere(match func(ip *layers.IPv4, tcp *layers.TCP) bool) []int {
	var out []int
	for i, p := range s.pkts {
		ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip != nil && tcp != nil && match(ip, tcp) {
			out = append(out, i)
		}
	}
	return out
}

func isSYN(_ *layers.IPv4, t *layers.TCP) bool    { return t.SYN && !t.ACK }
func isSYNACK(_ *layers.IPv4, t *layers.TCP) bool { return t.SYN && t.ACK }

func captureOf(t *testing.T, w *simnet.World, from, target, at string) *Capture {
	t.Helper()
	c, err := Take(context.Background(), w, from, simtest.Target(t, target), at)
	if err != nil {
		t.Fatalf("Capture(%s, %s, at %q): %v", from, target, at, err)
	}
	return c
}

// TestCaptureURL is the first "done when": the capture of the
// reference world's URL trace shows the DNS query for shop.example.com, the
// SYN, the SYN-ACK and data segments both ways, then the close.
func TestCaptureURL(t *testing.T) {
	worlds := map[string]func(t *testing.T) *simnet.World{
		"builtin": func(t *testing.T) *simnet.World {
			w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
			if err != nil {
				t.Fatal(err)
			}
			return w
		},
		"reference": func(t *testing.T) *simnet.World {
			w, err := simnet.Load(simtest.SharedExample(t))
			if err != nil {
				t.Fatal(err)
			}
			return w
		},
	}
	for name, load := range worlds {
		t.Run(name, func(t *testing.T) {
			w := load(t)
			c := captureOf(t, w, "browser", "https://shop.example.com/", "")
			s, raw := readPcap(t, c)
			client, lb := simtest.Addr("198.51.100.10"), simtest.Addr("203.0.113.10")

			var query, answer bool
			for _, p := range s.pkts {
				if d, ok := p.Layer(layers.LayerTypeDNS).(*layers.DNS); ok {
					if !d.QR && len(d.Questions) == 1 && string(d.Questions[0].Name) == "shop.example.com" && d.Questions[0].Type == layers.DNSTypeA {
						query = true
					}
					if d.QR && len(d.Answers) == 3 {
						answer = true
					}
				}
			}
			if !query || !answer {
				t.Errorf("DNS query for shop.example.com seen: %v, its answer: %v; want both", query, answer)
			}
			syns := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
				return isSYN(ip, tc) && ip.SrcIP.Equal(client.AsSlice()) && ip.DstIP.Equal(lb.AsSlice()) && tc.DstPort == 443
			})
			synAcks := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool { return isSYNACK(ip, tc) && ip.SrcIP.Equal(lb.AsSlice()) })
			if len(syns) != 1 || len(synAcks) != 1 || synAcks[0] < syns[0] {
				t.Fatalf("SYNs at %v, SYN-ACKs at %v; want one of each, in that order", syns, synAcks)
			}
			out := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
				return len(tc.Payload) > 0 && ip.SrcIP.Equal(client.AsSlice())
			})
			in := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool { return len(tc.Payload) > 0 && ip.SrcIP.Equal(lb.AsSlice()) })
			if len(out) < 2 || len(in) < 2 {
				t.Errorf("%d data segments out, %d in; want the TLS handshake and the HTTP exchange both ways", len(out), len(in))
			}
			if p := s.pkts[out[0]].Layer(layers.LayerTypeTCP).(*layers.TCP).Payload; p[0] != 0x16 || !bytes.Contains(p, []byte("shop.example.com")) {
				t.Errorf("the first data segment is not a TLS ClientHello naming shop.example.com (SNI)")
			}
			fins := s.tcpWhere(func(_ *layers.IPv4, tc *layers.TCP) bool { return tc.FIN })
			if len(fins) != 2 {
				t.Errorf("%d FINs; want the close from both sides", len(fins))
			}
			// Time follows the model: the SYN-ACK comes back after tens of
			// milliseconds across the internet.
			if rtt := s.times[synAcks[0]].Sub(s.times[syns[0]]); rtt < 10*time.Millisecond || rtt > 100*time.Millisecond {
				t.Errorf("SYN to SYN-ACK took %v; want tens of milliseconds", rtt)
			}
			tcpdumpAgrees(t, raw, c.Lines())
		})
	}
}

// tcpdumpAgrees reads the pcap with tcpdump, when installed, and wants its
// lines to be the capture's Lines.
func tcpdumpAgrees(t *testing.T, pcap []byte, lines []string) {
	t.Helper()
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Log("tcpdump is not installed: the pcap is checked with gopacket only")
		return
	}
	f := filepath.Join(t.TempDir(), "c.pcap")
	if err := os.WriteFile(f, pcap, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-nn", "-r", f)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump -nn -r: %v\n%s", err, stderr.String())
	}
	var got []string
	if len(out) > 0 {
		got = strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	}
	if len(got) != len(lines) {
		t.Fatalf("tcpdump prints %d lines, Lines %d:\n%s", len(got), len(lines), out)
	}
	for i := range got {
		if got[i] != lines[i] {
			t.Errorf("line %d:\ntcpdump: %s\nLines:   %s", i, got[i], lines[i])
		}
	}
	// tcpdump -vv checks every checksum.
	cmd = exec.Command(bin, "-nn", "-vv", "-r", f)
	if out, err := cmd.Output(); err != nil || bytes.Contains(out, []byte("incorrect")) || bytes.Contains(out, []byte("bad cksum")) {
		t.Errorf("tcpdump -vv finds bad checksums (%v):\n%s", err, out)
	}
}

func TestCaptureBlockedSYN(t *testing.T) {
	w := simtest.World(t, "issue3-sg-drops-syn.yaml")
	c := captureOf(t, w, "browser", "https://shop.example.com/", "")
	s, raw := readPcap(t, c)
	syns := s.tcpWhere(isSYN)
	if n := len(s.tcpWhere(isSYNACK)); n != 0 {
		t.Errorf("%d SYN-ACKs; a security group that drops the SYN leaves none", n)
	}
	if len(syns) != 4 {
		t.Fatalf("%d SYNs; want the SYN and three retransmissions", len(syns))
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if gap := s.times[syns[i+1]].Sub(s.times[syns[i]]); gap != want {
			t.Errorf("retransmission %d after %v; want %v", i+1, gap, want)
		}
	}
	if n := len(s.tcpWhere(func(_ *layers.IPv4, tc *layers.TCP) bool { return len(tc.Payload) > 0 })); n != 0 {
		t.Errorf("%d data segments; nothing can be sent without a connection", n)
	}
	tcpdumpAgrees(t, raw, c.Lines())
}

// TestCaptureAtTarget: where only the reply is blocked (an ACL without the
// ephemeral ports), tcpdump on the server sees the SYN arrive and its
// SYN-ACKs leave; the client sees only its own SYNs.
func TestCaptureAtTarget(t *testing.T) {
	w := simtest.World(t, "issue3-acl-no-ephemeral.yaml")
	app, db := simtest.Addr("10.0.10.21"), simtest.Addr("10.0.20.10")
	tests := []struct {
		at               string
		wantSYN, wantAck int
	}{
		{"db-1", 4, 4},
		{"app-1", 4, 0},
		{"", 4, 0}, // the client is app-1
		{"nat-a", 0, 0},
	}
	for _, tt := range tests {
		t.Run("at "+tt.at, func(t *testing.T) {
			c := captureOf(t, w, "app-1", "tcp://db.internal.shop:5432", tt.at)
			s, raw := readPcap(t, c)
			syns := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
				return isSYN(ip, tc) && ip.SrcIP.Equal(app.AsSlice()) && ip.DstIP.Equal(db.AsSlice()) && tc.DstPort == 5432
			})
			acks := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool { return isSYNACK(ip, tc) && ip.SrcIP.Equal(db.AsSlice()) })
			if len(syns) != tt.wantSYN || len(acks) != tt.wantAck {
				t.Errorf("%d SYNs and %d SYN-ACKs; want %d and %d\n%s", len(syns), len(acks), tt.wantSYN, tt.wantAck, strings.Join(c.Lines(), "\n"))
			}
			if n := len(s.tcpWhere(func(_ *layers.IPv4, tc *layers.TCP) bool { return tc.ACK && !tc.SYN })); n != 0 {
				t.Errorf("%d ACKs: the handshake never completes", n)
			}
			if tt.at == "nat-a" && (len(s.pkts) != 0 || len(c.Notes) == 0) {
				t.Errorf("nat-a is not on the path: %d packets, notes %q", len(s.pkts), c.Notes)
			}
			tcpdumpAgrees(t, raw, c.Lines())
		})
	}
}

// variant compiles the built-in world with an edit.
func variant(t *testing.T, edit func(s *spec.WorldSpec)) *simnet.World {
	t.Helper()
	w, err := simnet.LoadBuiltin(simnet.DefaultWorld)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Spec()
	edit(s)
	w2, err := simnet.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

func instanceSpec(s *spec.WorldSpec, name string) *spec.InstanceSpec {
	for i := range s.VPCs {
		for j := range s.VPCs[i].Instances {
			if s.VPCs[i].Instances[j].Name == name {
				return &s.VPCs[i].Instances[j]
			}
		}
	}
	return nil
}

// TestCaptureErrors: resets and ICMP errors appear where the world makes
// them.
func TestCaptureErrors(t *testing.T) {
	t.Run("reset", func(t *testing.T) {
		w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
		c := captureOf(t, w, "browser", "tcp://api.partner.example.net:22", "")
		s, raw := readPcap(t, c)
		rst := s.tcpWhere(func(_ *layers.IPv4, tc *layers.TCP) bool { return tc.RST })
		if len(s.tcpWhere(isSYN)) != 1 || len(rst) != 1 {
			t.Errorf("want one SYN answered by one RST:\n%s", strings.Join(c.Lines(), "\n"))
		}
		tcpdumpAgrees(t, raw, c.Lines())
	})
	t.Run("ICMP port unreachable", func(t *testing.T) {
		w := variant(t, func(s *spec.WorldSpec) {
			db := instanceSpec(s, "db-1")
			for i := range db.Firewall {
				db.Firewall[i].Action = "reject"
			}
		})
		c := captureOf(t, w, "app-1", "tcp://db.internal.shop:5432", "")
		s, raw := readPcap(t, c)
		var icmp *layers.ICMPv4
		for _, p := range s.pkts {
			if l, ok := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4); ok {
				icmp = l
			}
		}
		if icmp == nil || icmp.TypeCode != layers.CreateICMPv4TypeCode(3, 3) {
			t.Fatalf("no ICMP port unreachable:\n%s", strings.Join(c.Lines(), "\n"))
		}
		quoted := gopacket.NewPacket(icmp.Payload, layers.LayerTypeIPv4, gopacket.Default)
		if ip, ok := quoted.Layer(layers.LayerTypeIPv4).(*layers.IPv4); !ok || !ip.DstIP.Equal(simtest.Addr("10.0.20.10").AsSlice()) {
			t.Errorf("the ICMP error does not quote the SYN to db-1")
		}
		tcpdumpAgrees(t, raw, c.Lines())
	})
}

// TestCaptureAtGateways: a NAT gateway sees both sides of its translation;
// a balancer sees the client's connection and its own to the target, with
// the request in the clear there.
func TestCaptureAtGateways(t *testing.T) {
	w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
	t.Run("nat-a", func(t *testing.T) {
		c := captureOf(t, w, "app-1", "https://api.partner.example.net/", "nat-a")
		s, raw := readPcap(t, c)
		inside := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
			return isSYN(ip, tc) && ip.SrcIP.Equal(simtest.Addr("10.0.10.21").AsSlice())
		})
		outside := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
			return isSYN(ip, tc) && ip.SrcIP.Equal(simtest.Addr("10.0.1.5").AsSlice())
		})
		if len(inside) != 1 || len(outside) != 1 || outside[0] < inside[0] {
			t.Errorf("SYN from app-1 at %v, from nat-a's address at %v; want one of each, app-1's first", inside, outside)
		}
		tcpdumpAgrees(t, raw, c.Lines())
	})
	t.Run("web-lb", func(t *testing.T) {
		c := captureOf(t, w, "browser", "https://shop.example.com/", "web-lb")
		s, raw := readPcap(t, c)
		front := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
			return isSYN(ip, tc) && ip.DstIP.Equal(simtest.Addr("10.0.1.10").AsSlice())
		})
		back := s.tcpWhere(func(ip *layers.IPv4, tc *layers.TCP) bool {
			return isSYN(ip, tc) && ip.SrcIP.Equal(simtest.Addr("10.0.1.10").AsSlice())
		})
		if len(front) != 1 || len(back) != 1 || back[0] < front[0] {
			t.Fatalf("client SYN at %v, balancer SYN at %v; want the client's first, then the balancer's own", front, back)
		}
		var get []byte
		for _, i := range s.tcpWhere(func(_ *layers.IPv4, tc *layers.TCP) bool { return tc.DstPort == 8080 && len(tc.Payload) > 0 }) {
			get = append(get, s.pkts[i].Layer(layers.LayerTypeTCP).(*layers.TCP).Payload...)
		}
		if !bytes.HasPrefix(get, []byte("GET / HTTP/1.1\r\n")) || !bytes.Contains(get, []byte("X-Forwarded-For: 198.51.100.10\r\n")) {
			t.Errorf("the balancer's request to the target is %q; want GET / with X-Forwarded-For: 198.51.100.10", get)
		}
		if len(c.Notes) == 0 {
			t.Error("no note that a managed balancer cannot really be captured on")
		}
		tcpdumpAgrees(t, raw, c.Lines())
	})
}

func TestCaptureBadPoint(t *testing.T) {
	w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
	if _, err := Take(context.Background(), w, "", simtest.Target(t, w.Headline()), "sg-lb"); !errors.Is(err, simnet.ErrUnknownName) || !strings.Contains(err.Error(), "web-lb") {
		t.Errorf("capture at a security group: %v; want ErrUnknownName listing the points", err)
	}
	if _, err := Take(context.Background(), w, "nobody", simtest.Target(t, w.Headline()), ""); !errors.Is(err, simnet.ErrUnknownName) {
		t.Errorf("capture from nobody: %v; want ErrUnknownName", err)
	}
}

// TestCaptureLinesDNS: the resolver's own capture shows its walk.
func TestCaptureAtResolver(t *testing.T) {
	w, _ := simnet.LoadBuiltin(simnet.DefaultWorld)
	c := captureOf(t, w, "browser", "https://shop.example.com/", "public-resolver")
	s, raw := readPcap(t, c)
	var asked []string
	for _, p := range s.pkts {
		u, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		if !ok {
			continue
		}
		m := new(dns.Msg)
		if m.Unpack(u.Payload) == nil && !m.Response {
			ip := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
			asked = append(asked, ip.DstIP.String())
		}
	}
	want := []string{"198.51.100.53", "198.41.0.4", "192.5.6.30", "192.0.2.53", "192.0.2.53"}
	if strings.Join(asked, " ") != strings.Join(want, " ") {
		t.Errorf("queries to %v; want the client's, then the root, com. and ns1.example.com (twice: the alias, then its target)", asked)
	}
	tcpdumpAgrees(t, raw, c.Lines())
}

// BenchmarkCapture is a whole URL capture: DNS, TLS by crypto/tls, HTTP.
func BenchmarkCapture(b *testing.B) {
	w, t := simtest.BenchWorld(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Take(ctx, w, "", t, ""); err != nil {
			b.Fatal(err)
		}
	}
}
