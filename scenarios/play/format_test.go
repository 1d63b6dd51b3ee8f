package play

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/pathlab/pathlab/tracer"
	"github.com/pathlab/pathlab/tracer/probe"
)

// The format tests run the real tool and the shell's command in the same
// situation, on loopback, and compare them line by line once what differs
// between two runs (IDs, times, the version) is masked. They copy the
// tools' format, never their content.

// labZone answers as a recursive resolver would for a small zone.
func labZone(w dns.ResponseWriter, q *dns.Msg) {
	rrs := map[string][]string{
		"www.lab.test.":           {"www.lab.test. 300 IN A 10.77.3.2"},
		"alias.lab.test.":         {"alias.lab.test. 300 IN CNAME www.lab.test.", "www.lab.test. 300 IN A 10.77.3.2"},
		"2.3.77.10.in-addr.arpa.": {"2.3.77.10.in-addr.arpa. 300 IN PTR www.lab.test."},
		"lab.test.":               {"lab.test. 300 IN MX 10 www.lab.test."},
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.RecursionAvailable = true
	name := strings.ToLower(q.Question[0].Name)
	got, ok := rrs[name]
	if !ok {
		m.Rcode = dns.RcodeNameError
	}
	for _, s := range got {
		rr, _ := dns.NewRR(s)
		if t := rr.Header().Rrtype; t == q.Question[0].Qtype || t == dns.TypeCNAME {
			m.Answer = append(m.Answer, rr)
		}
	}
	if len(m.Answer) == 0 {
		soa, _ := dns.NewRR("lab.test. 60 IN SOA ns1.lab.test. admin.lab.test. 1 3600 600 86400 60")
		m.Ns = append(m.Ns, soa)
	}
	w.WriteMsg(m)
}

// dnsServer serves labZone on a loopback port over UDP and TCP.
func dnsServer(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback UDP here: %v", err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	ln, err := net.Listen("tcp4", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Skipf("no loopback TCP on port %d: %v", port, err)
	}
	us := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(labZone)}
	ts := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(labZone)}
	go us.ActivateAndServe()
	go ts.ActivateAndServe()
	t.Cleanup(func() { us.Shutdown(); ts.Shutdown() })
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
}

// liveShell is a live shell whose resolver is server.
func liveShell(server netip.AddrPort) (*Shell, *bytes.Buffer) {
	var out bytes.Buffer
	pn := &probe.Network{Server: server.String(), Timeout: 2 * time.Second, HostsFile: "-", Tries: 1}
	sh := NewLive(Live{Net: pn, Host: "lab", Via: func(a netip.AddrPort) tracer.Network {
		return &probe.Network{Server: a.String(), Timeout: 2 * time.Second, HostsFile: "-", Tries: 1}
	}}, &out, Options{})
	return sh, &out
}

var (
	maskID      = regexp.MustCompile(`id: \d+`)
	maskTime    = regexp.MustCompile(`(Query time: )\d+( msec)`)
	maskWhen    = regexp.MustCompile(`(;; WHEN: ).*`)
	maskVersion = regexp.MustCompile(`(; <<>> DiG ).*`)
	maskSize    = regexp.MustCompile(`(MSG SIZE  rcvd: )\d+`)
)

func maskRun(s string) string {
	s = maskID.ReplaceAllString(s, "id: ID")
	s = maskTime.ReplaceAllString(s, "${1}N${2}")
	s = maskWhen.ReplaceAllString(s, "${1}WHEN")
	s = maskVersion.ReplaceAllString(s, "${1}VERSION")
	s = maskSize.ReplaceAllString(s, "${1}N")
	return s
}

// realTool runs a real tool; the test skips when it is not installed.
func realTool(t *testing.T, pkg, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (Debian package %s)", name, pkg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out)
}

// lineDiff says where two outputs first differ, line by line.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  real: " + strings.ReplaceAll(a, "\t", "\\t") + "\n  ours: " + strings.ReplaceAll(b, "\t", "\\t")
		}
	}
	return ""
}

// TestDNSFormatsMatchRealTools asks a loopback server the same questions
// with dig, host and nslookup and with the shell's commands of the same
// names (in a live shell, which asks that server too).
func TestDNSFormatsMatchRealTools(t *testing.T) {
	srv := dnsServer(t)
	port := strconv.Itoa(int(srv.Port()))
	cases := []struct {
		pkg, tool string
		args      string // both get these, with the server added as each tool takes it
	}{
		{"bind9-dnsutils", "dig", "www.lab.test"},
		{"bind9-dnsutils", "dig", "alias.lab.test"},
		{"bind9-dnsutils", "dig", "nope.lab.test"},
		{"bind9-dnsutils", "dig", "-x 10.77.3.2"},
		{"bind9-dnsutils", "dig", "-t MX lab.test"},
		{"bind9-dnsutils", "dig", "alias.lab.test +short"},
		{"bind9-dnsutils", "dig", "alias.lab.test +noall +answer"},
		{"bind9-dnsutils", "dig", "nope.lab.test +noall +answer +authority"},
		{"bind9-dnsutils", "dig", "www.lab.test +tcp"},
		{"bind9-dnsutils", "dig", "www.lab.test +norecurse"},
		{"bind9-dnsutils", "dig", "+bogus www.lab.test"},
		{"bind9-host", "host", "www.lab.test"},
		{"bind9-host", "host", "alias.lab.test"},
		{"bind9-host", "host", "nope.lab.test"},
		{"bind9-host", "host", "-t MX lab.test"},
		{"bind9-host", "host", "-t AAAA www.lab.test"},
		{"bind9-host", "host", "10.77.3.2"},
		{"bind9-dnsutils", "nslookup", "www.lab.test"},
		{"bind9-dnsutils", "nslookup", "alias.lab.test"},
		{"bind9-dnsutils", "nslookup", "nope.lab.test"},
		{"bind9-dnsutils", "nslookup", "-type=MX lab.test"},
		{"bind9-dnsutils", "nslookup", "10.77.3.2"},
	}
	for _, tc := range cases {
		t.Run(tc.tool+" "+tc.args, func(t *testing.T) {
			var line []string
			switch tc.tool {
			case "dig":
				line = append([]string{"-p", port, "@127.0.0.1"}, strings.Fields(tc.args)...)
			case "host":
				line = append(append([]string{"-p", port}, strings.Fields(tc.args)...), "127.0.0.1")
			case "nslookup":
				line = append(append([]string{"-port=" + port}, strings.Fields(tc.args)...), "127.0.0.1")
			}
			real := realTool(t, tc.pkg, tc.tool, line...)
			sh, out := liveShell(srv)
			sh.Exec(context.Background(), tc.tool+" "+strings.Join(line, " "))
			if d := lineDiff(maskRun(real), maskRun(out.String())); d != "" {
				t.Errorf("%s %s: the shell's output differs from the real tool's at %s\nreal:\n%s\nours:\n%s", tc.tool, strings.Join(line, " "), d, real, out.String())
			}
		})
	}
}
