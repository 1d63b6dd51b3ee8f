package play

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"github.com/pathlab/pathlab/tracer/tracertest"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/simnet"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/scenarios/golden")

const (
	closedWorld = "../../testdata/scenarios/worlds/shop-sg-app-closed.yaml"
	goldenDir   = "../../testdata/scenarios/golden"
)

// clock is a fake wall clock: every reading is ten seconds after the last.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time {
	c.t = c.t.Add(10 * time.Second)
	return c.t
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)} }

// adHoc is the broken world as an ad-hoc scenario: the shop whose
// app security group admits nothing.
func adHoc(t *testing.T) *scenarios.Setup {
	t.Helper()
	spec, err := simnet.LoadSpec(closedWorld)
	if err != nil {
		t.Fatal(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "shop-sg-app-closed.yaml", spec, "browser", "https://shop.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// session runs lines through a shell as a script and returns the shell and
// the transcript.
func session(t *testing.T, st *scenarios.Setup, lines []string, o Options) (*Shell, string) {
	t.Helper()
	var out bytes.Buffer
	if o.Now == nil {
		o.Now = newClock().Now
	}
	sh, err := New(context.Background(), st, &out, o)
	if err != nil {
		t.Fatal(err)
	}
	sh.Intro()
	if err := sh.Run(context.Background(), NewScriptReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), &out)); err != nil {
		t.Fatal(err)
	}
	return sh, out.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	tracertest.Golden(t, filepath.Join(goldenDir, name+".txt"), []byte(got), *update)
}

// TestSessions are the scripted sessions over the ad-hoc broken
// world: what the tools show, the answer, right and wrong fixes, undo, and
// the least-privilege review.
func TestSessions(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		want   []string // substrings of the transcript, in order
		absent []string
		solved bool
	}{
		{
			name: "observe",
			lines: []string{
				"dig shop.example.com",
				"nc -zv shop.example.com 443",
				"curl -v https://shop.example.com/",
			},
			want: []string{
				";; ANSWER SECTION:",
				"shop.example.com.\t300\tIN\tCNAME\tweb-lb.example.com.",
				"web-lb.example.com.\t60\tIN\tA\t203.0.113.10",
				"Connection to shop.example.com (203.0.113.10) 443 port [tcp/https] succeeded!",
				"*   Trying 203.0.113.10:443...",
				"> GET / HTTP/1.1",
				"< HTTP/1.1 504 Gateway Time-out",
			},
		},
		{
			name:   "answer-and-fix",
			lines:  []string{"answer web-lb", "answer sg-app SG_NO_INGRESS_RULE", "sg sg-app add ingress tcp 8080 from sg-lb", "check"},
			want:   []string{"correct: web-lb is where the request breaks first (LB_NO_HEALTHY_TARGETS); behind it, sg-app", "correct: sg-app", "ok: sg-app: added ingress tcp 8080 from sg-lb", "PASS", "solved", "review: the fix opens nothing beyond"},
			absent: []string{"FAIL", "warning"},
			solved: true,
		},
		{
			name: "other-correct-fix",
			lines: []string{
				"show lb web-lb",
				"sg sg-app add ingress tcp 8080 from 10.0.1.0/24",
				"sg sg-app add ingress tcp 8080 from 10.0.2.0/24",
				"check",
			},
			want:   []string{"public-a 10.0.1.10", "ok: sg-app: added ingress tcp 8080 from 10.0.1.0/24", "ok: sg-app: added ingress tcp 8080 from 10.0.2.0/24", "solved"},
			absent: []string{"FAIL"},
			solved: true,
		},
		{
			name:  "wrong-fix-and-undo",
			lines: []string{"answer sg-lb", "sg sg-app add ingress tcp 80 from sg-lb", "check", "undo", "show sg sg-app"},
			want: []string{
				"not correct: sg-lb",
				"FAIL  " + "https://shop.example.com/ from browser is delivered",
				"the server answers 504 Gateway Time-out",
				"not solved yet",
				"undone: sg sg-app add ingress tcp 80 from sg-lb",
				"Inbound rules", "(none)",
			},
			absent: []string{"solved\n"},
		},
		{
			name:   "over-broad-fix",
			lines:  []string{"sg sg-app add ingress all all from 0.0.0.0/0", "check"},
			want:   []string{"solved", "review: warning: sg-app ingress all all from 0.0.0.0/0 allows every protocol and port from anywhere; enough would be: sg sg-app add ingress tcp 8080 from sg-lb", "review warnings"},
			solved: true,
		},
		{
			name:  "bad-input",
			lines: []string{"frobnicate", "sg sg-app add", "sg sg-nope add ingress tcp 8080 from sg-lb", "curl 'https://unterminated", "nacl acl-open add ingress rule 100 allow tcp 80 0.0.0.0/0", "route rt-public replace 0.0.0.0/0 via igw-nope", "dig", "tcpdump"},
			want: []string{
				"frobnicate: command not found",
				"usage: sg NAME add|remove ingress PROTO PORTS from SOURCE",
				"refused: no security group is named \"sg-nope\"",
				"pathlab: bad command line: a single quote (') is never closed",
				"refused: acl-open already has ingress rule 100",
				"refused: route target \"igw-nope\" does not exist",
				"usage: dig",
				"tcpdump: nothing captured yet",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, out := session(t, adHoc(t), tc.lines, Options{})
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(out[pos:], w)
				if i < 0 {
					t.Fatalf("transcript lacks %q after offset %d:\n%s", w, pos, out)
				}
				pos += i + len(w)
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("transcript holds %q:\n%s", a, out)
				}
			}
			if got := sh.Solved(context.Background()); got != tc.solved {
				t.Errorf("Solved() = %v; want %v", got, tc.solved)
			}
			if strings.Contains(out, "internal error") {
				t.Errorf("a command crashed:\n%s", out)
			}
			golden(t, "session-"+tc.name, out)
		})
	}
}

// TestHostCommands covers ssh and what runs on a host: ss, iptables, curl
// localhost, exit; and tcpdump at a capture point.
func TestHostCommands(t *testing.T) {
	st, err := libraryScenario(t, "shop-db-firewall-reject").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{
		"nc -zv db.internal.shop 5432",
		"tcpdump at db-1",
		"ssh db-1",
		"ss -ltn",
		"iptables -L -n --line-numbers",
		"curl localhost:5432",
		"exit",
		"hostname",
		"firewall db-1 remove 1",
		"check",
	}, Options{})
	for _, w := range []string{
		"[app-1]$ nc -zv db.internal.shop 5432",
		"nc: connect to db.internal.shop (10.0.20.10) port 5432 (tcp) failed: Connection refused",
		"IP 10.0.10.21.",
		"ICMP 10.0.20.10 tcp port 5432 unreachable",
		"[db-1]$ ss -ltn",
		"0.0.0.0:5432",
		"Chain INPUT (policy ACCEPT)",
		"2    REJECT",
		"reject-with icmp-port-unreachable",
		"curl: (7) Failed to connect to localhost port 5432", // the INPUT REJECT applies on lo too, as iptables does
		"Connection to db-1 closed.",
		"[app-1]$ hostname\napp-1",
		"ok: db-1: removed firewall rule -A INPUT -p tcp -m tcp --dport 5432 -j REJECT",
		"solved",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	golden(t, "host-commands", out)
}

func libraryScenario(t *testing.T, id string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEdit runs the edit command with an injected editor: a valid edit is
// loaded (and undone), an invalid one is refused with the file's line and
// column, and the world is unchanged.
func TestEdit(t *testing.T) {
	fixEditor := func(_ context.Context, path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := strings.Replace(string(b), "- name: sg-app\n        ingress: []", "- name: sg-app\n        ingress:\n          - {protocol: tcp, ports: 8080, source: sg-lb}", 1)
		if s == string(b) {
			t.Errorf("the edited file does not hold sg-app as expected:\n%s", b)
		}
		return os.WriteFile(path, []byte(s), 0o600)
	}
	breakEditor := func(_ context.Context, path string) error {
		b, _ := os.ReadFile(path)
		return os.WriteFile(path, []byte(strings.Replace(string(b), "cidr: 10.0.1.0/24", "cidr: 10.0.1.0/33", 1)), 0o600)
	}
	st := adHoc(t)
	sh, out := session(t, st, []string{"edit", "check", "undo"}, Options{Editor: fixEditor})
	for _, w := range []string{"ok: the edited world is loaded", "solved", "undone: edit"} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q:\n%s", w, out)
		}
	}
	// The outcome is the last check, which passed: undo after it does not
	// take the solve back, though the world no longer passes.
	if !sh.Solved(context.Background()) {
		t.Errorf("solved, then undo: the session is not solved; the last check passed")
	}
	if scenarios.Solved(scenarios.RunChecks(context.Background(), sh.World(), st.Checks)) {
		t.Errorf("after undo the world still passes its checks")
	}
	sh, out = session(t, st, []string{"edit"}, Options{Editor: breakEditor})
	if !regexp.MustCompile(`refused: the edited world is not valid.*\n  [^\n]+\.yaml:\d+:\d+: `).MatchString(out) {
		t.Errorf("a bad edit is not refused with file:line:col:\n%s", out)
	}
	if !sameSpec(sh.Spec(), st.Broken) {
		t.Errorf("a refused edit changed the world")
	}
}

// TestReset: reset goes back to the ticket's world; undo brings the change
// back.
func TestReset(t *testing.T) {
	sh, out := session(t, adHoc(t), []string{"sg sg-app add ingress tcp 8080 from sg-lb", "reset", "check", "undo", "check"}, Options{})
	i := strings.Index(out, "reset: the world is as the ticket found it")
	j := strings.Index(out, "not solved yet")
	k := strings.LastIndex(out, "solved\n")
	if i < 0 || j < i || k < j {
		t.Errorf("reset, check, undo, check did not go: reset, not solved, solved:\n%s", out)
	}
	if !sh.Solved(context.Background()) {
		t.Errorf("undo after reset did not restore the fix")
	}
}

// TestHintsAndGiveUp: hints come in order and count; give-up shows the
// trace and the fix, and the session is not solved.
func TestHintsAndGiveUp(t *testing.T) {
	sc := libraryScenario(t, "shop-sg-app-ingress")
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{}
	for range len(sc.Hints) + 1 {
		lines = append(lines, "hint")
	}
	lines = append(lines, "give-up", "sg sg-app add ingress tcp 8080 from sg-lb", "check")
	sh, out := session(t, st, lines, Options{})
	for i := range sc.Hints {
		if !strings.Contains(out, "hint "+strconv.Itoa(i+1)+"/") {
			t.Errorf("hint %d missing", i+1)
		}
	}
	for _, w := range []string{"No more hints", "broken at web-lb: LB_NO_HEALTHY_TARGETS", "The reference fix:", "sg sg-app add ingress tcp 8080 from sg-lb", "counts as not solved"} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	if sh.Stats().Hints != len(sc.Hints) {
		t.Errorf("Stats().Hints = %d; want %d", sh.Stats().Hints, len(sc.Hints))
	}
	if sh.Solved(context.Background()) {
		t.Errorf("a session given up counts as solved")
	}
	if s := sh.Score(context.Background()); s.Total != 0 {
		t.Errorf("score after give-up = %d; want 0", s.Total)
	}
}

// TestTwoFaults: a scenario with two faults counts the causes named.
func TestTwoFaults(t *testing.T) {
	st, err := libraryScenario(t, "mesh-two-faults").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{"answer tg-orders", "answer sg-orders", "answer orders-1"}, Options{})
	for _, w := range []string{"(1 of 2 faults named)", "(2 of 2 faults named)", "not correct: orders-1"} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q:\n%s", w, out)
		}
	}
}

// TestDecoy: naming the red herring is wrong, and says why.
func TestDecoy(t *testing.T) {
	st, err := libraryScenario(t, "shop-red-herring-ssh").Build()
	if err != nil {
		t.Fatal(err)
	}
	sh, out := session(t, st, []string{"answer app-1", "answer web-lb", "answer sg-lb"}, Options{})
	if !strings.Contains(out, "not correct: app-1 is odd") || !strings.Contains(out, "partly: web-lb") || !strings.Contains(out, "correct: sg-lb") {
		t.Errorf("decoy answers:\n%s", out)
	}
	if sh.Stats().WrongAnswers != 1 {
		t.Errorf("WrongAnswers = %d; want 1", sh.Stats().WrongAnswers)
	}
}

func TestComplete(t *testing.T) {
	sh, _ := session(t, adHoc(t), nil, Options{})
	tests := []struct {
		head string
		want []string
	}{
		{"tr", []string{"tracepath", "traceroute"}},
		{"show s", []string{"sg", "subnet"}},
		{"show sg sg-a", []string{"sg-app"}},
		{"sg sg-app ", []string{"add", "remove"}},
		{"sg sg-app add in", []string{"ingress"}},
		{"ssh ap", []string{"app-1", "app-2"}},
		{"tcpdump at we", []string{"web-lb"}},
		{"dig sh", []string{"shop.example.com"}},
		{"lb web-lb health-check p", []string{"path", "port"}},
	}
	for _, tc := range tests {
		got := sh.Complete(tc.head)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Complete(%q) = %q; want %q", tc.head, got, tc.want)
		}
	}
}

// TestProveLibrary is scenarios test: every library scenario holds.
func TestProveLibrary(t *testing.T) {
	lib, err := scenarios.Library()
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) < 40 {
		t.Errorf("the library has %d scenarios; want at least 40", len(lib))
	}
	topics := map[string]bool{}
	worlds := map[string]bool{}
	hard := 0
	for _, sc := range lib {
		for _, tp := range sc.Topics {
			topics[tp] = true
		}
		worlds[sc.World] = true
		real, decoys := 0, 0
		for _, f := range sc.Faults {
			if f.Decoy {
				decoys++
			} else {
				real++
			}
		}
		if sc.Difficulty == "hard" && (real > 1 || decoys > 0) {
			hard++
		}
		t.Run(sc.ID, func(t *testing.T) {
			p := Prove(context.Background(), sc, nil)
			for _, pr := range p.Problems {
				t.Error(pr)
			}
		})
	}
	if len(topics) < 7 {
		t.Errorf("the library covers %d topics; want at least 7", len(topics))
	}
	if len(worlds) < 3 {
		t.Errorf("the library uses %d worlds; want at least 3", len(worlds))
	}
	if hard < 2 {
		t.Errorf("%d hard scenarios have two faults or a red herring; want some", hard)
	}
}

// TestProveCatchesBadScenarios: a scenario whose fix does not mend, or
// whose expected code is wrong, fails the proof.
func TestProveCatchesBadScenarios(t *testing.T) {
	base := `id: x
title: x
difficulty: easy
topics: [security-groups]
world: shop
faults:
  - {kind: sg-missing-ingress, group: sg-app, port: 8080}
ticket: t
hints: [h]
explanation: e
`
	tests := []struct {
		name, extra, want string
	}{
		{"wrong-code", "expect: {code: DNS_NXDOMAIN}\n", "the scenario expects DNS_NXDOMAIN"},
		{"fix-does-not-mend", "expect: {code: LB_NO_HEALTHY_TARGETS}\nfix: [\"sg sg-app add ingress tcp 80 from sg-lb\"]\n", "after the reference fix, the check"},
		{"fix-refused", "expect: {code: LB_NO_HEALTHY_TARGETS}\nfix: [\"sg sg-nope add ingress tcp 80 from sg-lb\"]\n", "reference fix \"sg sg-nope"},
		{"cause-unknown", "expect: {code: LB_NO_HEALTHY_TARGETS, causes: [db-1]}\n", "cause \"db-1\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := scenarios.Parse("x.yaml", []byte(base+tc.extra), nil)
			if err != nil {
				t.Fatal(err)
			}
			p := Prove(context.Background(), sc, nil)
			if p.OK() || !strings.Contains(strings.Join(p.Problems, "\n"), tc.want) {
				t.Errorf("Prove problems = %q; want one holding %q", p.Problems, tc.want)
			}
		})
	}
}

// FuzzParseCommand: no command line crashes the parser, and a line that
// parses names a command.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"dig shop.example.com +short",
		"curl -v 'https://shop.example.com/'",
		"sg sg-app add ingress tcp 8080 from sg-lb",
		`nacl acl-data add egress rule 110 allow tcp 1024-65535 "10.0.10.0/23"`,
		"  # a comment",
		"tcpdump at web-lb",
		"answer sg-app SG_NO_INGRESS_RULE",
		`echo "unterminated`,
		"\\",
		"\x00\x01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		name, args, err := ParseCommand(line)
		if err == nil && name != "" {
			if _, ok := shellCommands()[name]; !ok {
				t.Errorf("ParseCommand(%q) = %q with no error, but no such command", line, name)
			}
		}
		_ = args
	})
}

// FuzzExec runs any line through a shell: it must never crash (Exec's
// recover would print "internal error").
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"dig @ns1.example.com shop.example.com +trace",
		"curl -v -m 3 https://shop.example.com/",
		"nc -zv -w 2 10.0.10.21 8080",
		"traceroute -T -p 443 shop.example.com",
		"show target-health web-lb",
		"sg sg-app add ingress tcp 1-65535 from 0.0.0.0/0",
		"dns example.com set shop A 1.2.3.4",
		"lb web-lb listener 443 certificate nope",
		"ssh app-1",
		"service app-1 shop-api port 0",
	} {
		f.Add(s)
	}
	lines, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "bad", "shell", "*.line")) // issue 16's corpus
	for _, p := range lines {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(strings.TrimSuffix(string(b), "\n"))
		}
	}
	for _, s := range rootNameLines {
		f.Add(s)
	}
	spec, err := simnet.LoadSpec(closedWorld)
	if err != nil {
		f.Fatal(err)
	}
	st, err := scenarios.AdHoc(context.Background(), "w", spec, "browser", "https://shop.example.com/")
	if err != nil {
		f.Fatal(err)
	}
	// The world is compiled and its request traced once; every input gets
	// a fresh shell over them (they are immutable), so that an input costs
	// its command, not a world.
	w, err := simnet.Compile(st.Broken)
	if err != nil {
		f.Fatal(err)
	}
	broken, err := w.Trace(context.Background(), st.From, st.Target)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var out bytes.Buffer
		sh := newShell(st, &out, Options{Now: newClock().Now, Editor: func(context.Context, string) error { return nil }}, w, broken)
		sh.Exec(context.Background(), line)
		if strings.Contains(out.String(), "internal error") {
			t.Fatalf("Exec(%q) crashed:\n%s", line, out.String())
		}
	})
}

// TestTerminal drives the terminal's line editor with keystrokes: Tab
// completes commands and names, the up arrow recalls history, and an
// ambiguous Tab lists the candidates.
func TestTerminal(t *testing.T) {
	sh, _ := session(t, adHoc(t), nil, Options{})
	keys := "sh\tsg sg-a\t\r" + // show sg sg-app
		"\x1b[A\r" + // the same again, from history
		"show s\t\r" + // ambiguous: sg, subnet
		"\x04" // Ctrl-D: the end
	var screen bytes.Buffer
	tt := newTerminal(struct {
		io.Reader
		io.Writer
	}{strings.NewReader(keys), &screen})
	tt.SetShell(sh)
	var lines []string
	for {
		l, err := tt.ReadLine("$ ")
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
		lines = append(lines, l)
	}
	want := []string{"show sg sg-app ", "show sg sg-app ", "show s"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("lines = %q; want %q", lines, want)
	}
	if !strings.Contains(screen.String(), "sg  subnet") {
		t.Errorf("an ambiguous Tab did not list the candidates:\n%q", screen.String())
	}
}

// TestDNSTools: dig's sections, +trace and @server over a lame
// delegation, kept as a golden transcript.
func TestDNSTools(t *testing.T) {
	st, err := libraryScenario(t, "shop-lame-delegation").Build()
	if err != nil {
		t.Fatal(err)
	}
	_, out := session(t, st, []string{
		"dig shop.example.com",
		"dig +trace shop.example.com",
		"dig @ns1.example.net example.com SOA",
		"dig @ns1.example.com shop.example.com +short",
		"dig @198.51.100.53 web-lb.example.com",
		"dig @192.0.2.99 shop.example.com",
		"dns example.com delegate ns1.example.com 192.0.2.53",
		"dig +short shop.example.com",
	}, Options{})
	for _, w := range []string{
		"status: SERVFAIL",
		"example.com.\t\t172800\tIN\tNS\tns1.example.net.",
		"status: REFUSED",
		"WARNING: recursion requested but not available",
		"web-lb.example.com.\n203.0.113.10\n203.0.113.11",
		";; communications error to 192.0.2.99#53: timed out",
		";; no servers could be reached",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks %q", w)
		}
	}
	if !strings.HasSuffix(out, "web-lb.example.com.\n203.0.113.10\n203.0.113.11\n") {
		t.Errorf("after the delegation fix, dig +short does not resolve:\n%s", out[len(out)-200:])
	}
	golden(t, "dns-tools", out)
}

// BenchmarkProveLibrary is scenarios test: every library scenario proved.
func BenchmarkProveLibrary(b *testing.B) {
	lib, err := scenarios.Library()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, sc := range lib {
			if p := Prove(context.Background(), sc, nil); !p.OK() {
				b.Fatal(p.Problems)
			}
		}
	}
}
