package play

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/simnet"
)

// rootNameLines are the shell lines of issue 16 that printed "internal
// error": the root name "." as a host or a record value. They are FuzzExec
// seeds too.
var rootNameLines = []string{
	"dig .",
	"dig +trace .",
	"nc -zv . 80",
	"ping .",
	"traceroute .",
	"dns example.com set shop CNAME .",
}

func TestRootNameLines(t *testing.T) {
	want := map[string]string{
		"dig .":                            "status: NOERROR",
		"dig +trace .":                     "a.root-servers.net.",
		"nc -zv . 80":                      "Name or service not known",
		"ping .":                           "Name or service not known",
		"traceroute .":                     "Name or service not known",
		"dns example.com set shop CNAME .": `refused: the world would not be valid`,
	}
	for _, line := range rootNameLines {
		t.Run(line, func(t *testing.T) {
			_, out := session(t, adHoc(t), []string{line, "check"}, Options{})
			if strings.Contains(out, "internal error") {
				t.Fatalf("%q crashed:\n%s", line, out)
			}
			if !strings.Contains(out, want[line]) {
				t.Errorf("%q: the transcript lacks %q:\n%s", line, want[line], out)
			}
		})
	}
}

// TestLongLineKeepsSession: a line over 4096 bytes is an error line, and
// the lines after it still run (issue 16: it ended the session).
func TestLongLineKeepsSession(t *testing.T) {
	long := "dig " + strings.Repeat("a", 10_000)
	_, out := session(t, adHoc(t), []string{"ticket", long, "hint", long + long, "show sg sg-app"}, Options{})
	if n := strings.Count(out, "pathlab: a line is longer than 4096 bytes: not a command"); n != 2 {
		t.Errorf("%d error lines for two long lines; want 2:\n%s", n, out)
	}
	for _, w := range []string{"hint 1/", "sg-app"} {
		if !strings.Contains(out, w) {
			t.Errorf("the session stopped at a long line: no %q in\n%s", w, out)
		}
	}
	if strings.Contains(out, strings.Repeat("a", 100)) {
		t.Error("the long line was echoed")
	}
}

// TestControlCharactersRefused: escape sequences in a line are refused,
// never echoed to the terminal.
func TestControlCharactersRefused(t *testing.T) {
	for _, line := range []string{"dig \x1b[2J", "echo \x1b]0;pwned\x07", "ping a\x00b", "show sg \x9b31m", "curl \xff\xfe"} {
		_, out := session(t, adHoc(t), []string{line}, Options{})
		if !strings.Contains(out, "pathlab: the line holds a control character") {
			t.Errorf("%q: not refused:\n%s", line, out)
		}
		for _, b := range []string{"\x1b", "\x07", "\x00", "\x9b", "\xff"} {
			if strings.Contains(out, b) {
				t.Errorf("%q: the output holds %q:\n%q", line, b, out)
			}
		}
	}
}

// TestFixKeepsReason: a fix command written wrongly says why, under its
// usage (issue 16: only the usage was printed).
func TestFixKeepsReason(t *testing.T) {
	tests := map[string]string{
		"sg sg-app add ingress tcp -1 from sg-lb":                  "sg: port -1 is not a port",
		"sg sg-app add ingress tcp 80 from 10.0.0.1/8":             "sg: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
		"nacl acl-open add ingress rule x allow tcp 80 0.0.0.0/0":  `nacl: rule number "x" is not a number from 1 to 32766`,
		"sg sg-app add ingress smtp 25 from sg-lb":                 `sg: protocol "smtp" is not tcp, udp, icmp or all`,
		"nacl acl-open add ingress rule 5 permit tcp 80 0.0.0.0/0": `nacl: action "permit" is not allow or deny`,
	}
	for line, want := range tests {
		_, out := session(t, adHoc(t), []string{line}, Options{})
		if !strings.Contains(out, "usage: ") || !strings.Contains(out, want) {
			t.Errorf("%q: want the usage and %q:\n%s", line, want, out)
		}
	}
}

// BenchmarkFuzzExecInput is what one FuzzExec input costs: a fresh shell
// over the shared world, and one line (the seeds in turn).
func BenchmarkFuzzExecInput(b *testing.B) {
	st := adHoc(&testing.T{})
	w, err := simnet.Compile(st.Broken)
	if err != nil {
		b.Fatal(err)
	}
	broken, err := w.Trace(context.Background(), st.From, st.Target)
	if err != nil {
		b.Fatal(err)
	}
	lines := append([]string{"dig @ns1.example.com shop.example.com +trace", "curl -v -m 3 https://shop.example.com/",
		"nc -zv -w 2 10.0.10.21 8080", "show target-health web-lb", "sg sg-app add ingress tcp 1-65535 from 0.0.0.0/0", "xyzzy"}, rootNameLines...)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var out bytes.Buffer
		sh := newShell(st, &out, Options{Now: newClock().Now, Editor: func(context.Context, string) error { return nil }}, w, broken)
		sh.Exec(context.Background(), lines[i%len(lines)])
		i++
	}
}
