package play

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/capture"
)

// TestTcpdumpMatchesRealTool writes the shell's capture of a command to a
// pcap, runs the real tcpdump -r on it with -nn, -nn -v and -nn -X, and
// holds the shell's tcpdump lines for the same packets to the real ones,
// byte for byte.
func TestTcpdumpMatchesRealTool(t *testing.T) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump is not installed (Debian package tcpdump)")
	}
	st, err := libraryScenario(t, "shop-app-loopback").Build()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		lines []string // the command whose packets are captured, from browser
	}{
		{"https", []string{"curl -s -o /dev/null https://shop.example.com/"}},
		{"dig", []string{"dig shop.example.com"}},
		{"dig tcp", []string{"dig +tcp shop.example.com"}},
		{"refused", []string{"ssh app-1", "nc -zv 10.0.10.21 8080"}},
		{"timeout", []string{"nc -zv -w 2 203.0.113.10 5432"}},
		{"ping", []string{"ssh app-1", "ping -c 2 10.0.20.10"}},
		{"http", []string{"ssh app-1", "curl -s http://localhost:8080/"}},
	}
	for _, tc := range cases {
		for _, flags := range []string{"-nn", "-nn -v", "-nn -X"} {
			t.Run(tc.name+" "+flags, func(t *testing.T) {
				if d, real, ours := tcpdumpBeside(t, st, tc.lines, flags); d != "" {
					t.Errorf("tcpdump %s after %v: the shell differs from the real tcpdump at %s\nreal:\n%s\nours:\n%s", flags, tc.lines, d, real, ours)
				}
			})
		}
	}
}

// capturedLines is a tcpdump command's packet lines: without its header,
// the shell's notes and its counts.
func capturedLines(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "tcpdump: ") || strings.HasPrefix(l, "listening on ") ||
			strings.Contains(l, " packets captured") || strings.Contains(l, " packets received by filter") || strings.Contains(l, " packets dropped by kernel") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// tcpdumpBeside runs lines and then tcpdump with flags in a session of st,
// writes the packets the shell captured to a pcap, and runs the real
// tcpdump -r with the same flags on it: where the two first differ ("" if
// nowhere), and both outputs.
func tcpdumpBeside(t *testing.T, st *scenarios.Setup, lines []string, flags string) (diff, real, ours string) {
	t.Helper()
	cmd := "tcpdump " + flags
	var got []string
	var raw [][]byte
	captured = func(l []string, r [][]byte) { got, raw = l, r }
	defer func() { captured = nil }()
	sh, tr := session(t, st, append(append([]string{}, lines...), cmd), Options{})
	ours = capturedLines(commandText(tr, "["+sh.Host()+"]$ "+cmd))
	if len(raw) == 0 || len(raw) != len(got) {
		t.Fatalf("%d packets, %d with bytes:\n%s", len(got), len(raw), tr)
	}
	c := &capture.Capture{}
	day := st.World.Clock.UTC().Truncate(24 * time.Hour)
	for i, l := range got {
		tod, err := time.Parse("15:04:05.000000", l[:15])
		if err != nil {
			t.Fatalf("line %q has no time: %v", l, err)
		}
		c.Packets = append(c.Packets, simnet.Packet{Time: day.Add(tod.Sub(tod.Truncate(24 * time.Hour))), Data: raw[i]})
	}
	file := filepath.Join(t.TempDir(), "c.pcap")
	if d := os.Getenv("PATHLAB_KEEP_PCAP"); d != "" { // to look at the file afterwards
		file = filepath.Join(d, "c.pcap")
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WritePcap(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	x := exec.Command("tcpdump", append([]string{"-r", file}, strings.Fields(flags)...)...)
	x.Env = append(os.Environ(), "TZ=UTC")
	out, err := x.Output()
	if err != nil {
		t.Fatalf("tcpdump -r: %v", err)
	}
	return lineDiff(string(out), ours), string(out), ours
}
