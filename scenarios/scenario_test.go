package scenarios

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/pathlab/pathlab/simnet/spec"
	"github.com/pathlab/pathlab/tracer/tracertest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/scenarios/golden")

const goldenDir = "../testdata/scenarios/golden"

func golden(t *testing.T, name, got string) {
	t.Helper()
	tracertest.Golden(t, filepath.Join(goldenDir, name), []byte(got), *update)
}

const goodScenario = `id: test-one
title: A test
difficulty: easy
topics: [security-groups]
world: shop
faults:
  - {kind: sg-missing-ingress, group: sg-app, port: 8080}
ticket: customers get 504
expect: {code: LB_NO_HEALTHY_TARGETS}
hints: [look at the balancer]
explanation: sg-app lost its rule.
`

// TestParseErrors: bad scenario files get errors naming file:line:col and
// saying what to do, as bad worlds do; the messages are kept in a golden
// file.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // a substring of the error
	}{
		{"empty", "", "bad.yaml:1:1: the file is empty"},
		{"binary", "id: x\x00\x01", "bad.yaml:1:1: the file is not text"},
		{"not-a-mapping", "- a\n- b\n", "must be a YAML mapping"},
		{"syntax", "id: [unclosed\n", "bad.yaml:1:"},
		{"unknown-field", strings.Replace(goodScenario, "ticket:", "tikcet:", 1), "unknown key \"tikcet\"; did you mean \"ticket\"?"},
		{"bad-difficulty", strings.Replace(goodScenario, "difficulty: easy", "difficulty: brutal", 1), "bad.yaml:3:13: difficulty \"brutal\" is not one of easy, medium, hard"},
		{"bad-topic", strings.Replace(goodScenario, "[security-groups]", "[security-groups, bgp]", 1), "bad.yaml:4:27: topic \"bgp\" is not one of"},
		{"bad-id", strings.Replace(goodScenario, "id: test-one", "id: Test One", 1), "bad.yaml:1:5: id \"Test One\""},
		{"unknown-kind", strings.Replace(goodScenario, "sg-missing-ingress", "sg-gone", 1), "bad.yaml:7:12: unknown fault kind \"sg-gone\""},
		{"unknown-param", strings.Replace(goodScenario, "port: 8080", "prot: 8080", 1), "fault sg-missing-ingress has no parameter \"prot\""},
		{"fault-misses", strings.Replace(goodScenario, "group: sg-app", "group: sg-nope", 1), "bad.yaml:7:5: fault: sg-missing-ingress: no security group is named \"sg-nope\""},
		{"unknown-world", strings.Replace(goodScenario, "world: shop", "world: atlantis.yaml", 1), "cannot read the world file"},
		{"bad-code", strings.Replace(goodScenario, "LB_NO_HEALTHY_TARGETS", "LB_ON_FIRE", 1), "bad.yaml:9:16: code \"LB_ON_FIRE\" is not a code"},
		{"bad-fix", goodScenario + "fix: [\"sg sg-app add\"]\n", "bad.yaml:12:7: usage: sg NAME"},
		{"bad-check", goodScenario + "checks:\n  - {want: delivered}\n", "a check needs a request"},
		{"bad-request", goodScenario + "request: ftp://shop.example.com/\n", "unknown scheme \"ftp\""},
		{"bad-from", goodScenario + "from: nobody\n", "no client, server or instance is named \"nobody\""},
		{"no-ticket", strings.Replace(goodScenario, "ticket: customers get 504\n", "", 1), "the scenario has no ticket"},
		{"alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", "aliases expand to more than"},
	}
	var all strings.Builder
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.data), nil)
			if err == nil {
				t.Fatalf("Parse accepted it")
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, spec.ErrInvalid) {
				t.Errorf("the error is neither scenarios.ErrInvalid nor simnet.ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to hold %q", err, tc.want)
			}
			fmt.Fprintf(&all, "== %s\n%v\n\n", tc.name, err)
		})
	}
	golden(t, "parse-errors.txt", all.String())
}

func TestParseGood(t *testing.T) {
	sc, err := Parse("good.yaml", []byte(goodScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	if st.From != "browser" || st.Target.String() != "https://shop.example.com/" {
		t.Errorf("defaults: from %q target %q; want the world's", st.From, st.Target)
	}
	if !slices.Equal(st.FixLines(), []string{"sg sg-app add ingress tcp 8080 from sg-lb"}) {
		t.Errorf("default reference fix = %q", st.Fix)
	}
	if !slices.Equal(st.Causes, []string{"sg-app"}) {
		t.Errorf("default causes = %q", st.Causes)
	}
}

// FuzzParse: no input crashes the scenario parser, and what it accepts
// builds.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodScenario))
	f.Add([]byte("id: x\nfaults:\n  - kind: dns-cname-loop\n    zone: example.com\n    name: shop\n"))
	f.Add([]byte("faults: [{kind: sg-missing-ingress, group: [a, b], port: {x: 1}}]"))
	f.Add([]byte("id: &a x\ntitle: *a\n"))
	f.Add([]byte("checks:\n  - {healthy: web-lb, want: blocked}\n"))
	for _, name := range []string{"shop-lame-delegation.yaml", "peered-transitive.yaml", "shop-red-herring-ssh.yaml"} {
		if b, err := libraryFS.ReadFile("library/" + name); err == nil {
			f.Add(b)
		}
	}
	corpus, _ := filepath.Glob(filepath.Join("..", "testdata", "bad", "scenarios", "*.yaml")) // issue 16's corpus
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data, DefaultWorlds)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, spec.ErrInvalid) && !errors.Is(err, simnet.ErrUnknownName) {
				t.Fatalf("Parse error is not ErrInvalid: %v", err)
			}
			return
		}
		if _, err := sc.Build(); err != nil {
			t.Fatalf("Parse accepted a scenario that does not build: %v", err)
		}
	})
}

func TestSplitLine(t *testing.T) {
	tests := []struct {
		line string
		want []string
		err  string
	}{
		{"dig shop.example.com", []string{"dig", "shop.example.com"}, ""},
		{"  curl   -v\thttps://x/  ", []string{"curl", "-v", "https://x/"}, ""},
		{`echo 'a b' "c \"d\"" e\ f`, []string{"echo", "a b", `c "d"`, "e f"}, ""},
		{"show sg # a comment", []string{"show", "sg"}, ""},
		{"a#b", []string{"a#b"}, ""},
		{"''", []string{""}, ""},
		{"'open", nil, "single quote"},
		{`"open`, nil, "double quote"},
		{`end\`, nil, "backslash"},
		{"a\x00b", nil, "control character"},
		// Found by FuzzSplitLine: an escaped control character slipped in.
		{"\\\x7f", nil, "control character"},
		{"'a\nb'", nil, "line break inside quotes"},
		{strings.Repeat("x", MaxLine+1), nil, "longer than"},
	}
	for _, tc := range tests {
		got, err := SplitLine(tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrSyntax) {
				t.Errorf("SplitLine(%q) error = %v; want one holding %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitLine(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
}

// FuzzSplitLine: no line crashes the splitter, and JoinLine's quoting
// reads back to the same words.
func FuzzSplitLine(f *testing.F) {
	for _, s := range []string{"sg sg-app add ingress tcp 8080 from sg-lb", `a 'b c' "d\"e"`, "#", `x\ y`, "'", "\t\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := SplitLine(line)
		if err != nil {
			return
		}
		again, err := SplitLine(JoinLine(words))
		if err != nil {
			t.Fatalf("SplitLine(JoinLine(%q)) failed: %v", words, err)
		}
		if len(words) == 0 && len(again) == 0 {
			return
		}
		if !reflect.DeepEqual(again, words) {
			t.Fatalf("round trip of %q gave %q", words, again)
		}
	})
}

// TestFixCommands applies fix commands to the shop world: each edits the
// spec as its words say, or is refused with a message naming the problem.
func TestFixCommands(t *testing.T) {
	tests := []struct {
		line string
		ok   string // a substring of the success message
		err  string // a substring of the error
	}{
		{line: "sg sg-app add ingress tcp 8080 from sg-lb", err: "already has the rule"},
		{line: "sg sg-app remove ingress tcp 8080 from sg-lb", ok: "removed ingress tcp 8080 from sg-lb"},
		{line: "sg sg-app add egress tcp 1024-65535 to 10.0.0.0/16", ok: "added egress tcp 1024-65535 to 10.0.0.0/16"},
		{line: "sg sg-app add ingress tcp 8080 to sg-lb", err: "ingress rule is written"},
		{line: "sg sg-app add ingress tcp 8080 from 10.0.1.5/24", err: "host bits set"},
		{line: "sg sg-app add ingress icmp 8 from 0.0.0.0/0", err: "protocol icmp has no ports"},
		{line: "sg sg-app remove ingress tcp 9999 from sg-lb", err: "its ingress rules: ingress tcp 8080 from sg-lb"},
		{line: "nacl acl-data add ingress rule 50 deny tcp 5432 0.0.0.0/0", ok: "added ingress rule 50 deny tcp 5432 0.0.0.0/0"},
		{line: "nacl acl-data remove egress rule 7", err: "no egress rule 7"},
		{line: "nacl acl-data add ingress rule 40000 allow all all 0.0.0.0/0", err: "not a number from 1 to 32766"},
		{line: "route rt-private replace 0.0.0.0/0 via blackhole", ok: "now → blackhole (was nat-a)"},
		{line: "route rt-private remove 10.9.0.0/16", err: "no route for 10.9.0.0/16"},
		{line: "route rt-private add 0.0.0.0/0 via igw-prod", err: "already has a route"},
		{line: "service app-1 shop-api stop", ok: "service shop-api stopped"},
		{line: "service app-1 shop-api start", err: "already running"},
		{line: "service app-1 shop-api bind localhost", ok: "listens on 127.0.0.1:8080"},
		{line: "service app-1 shop-api port 70000", err: "not a number from 1 to 65535"},
		{line: "service app-1 nginx stop", err: "its services: shop-api"},
		{line: "firewall db-1 remove 2", ok: "removed firewall rule -A INPUT -p tcp -m tcp --dport 5432 -j DROP"},
		{line: "firewall db-1 remove output 1", err: "OUTPUT chain has 0 rules"},
		{line: "dns example.com set web-lb A 203.0.113.99", ok: "web-lb A now 203.0.113.99"},
		{line: "dns example.com set shop A 203.0.113.10", err: "a CNAME stands alone"},
		{line: "dns example.com set web-lb A not-an-ip", err: "not an IPv4 address"},
		{line: "dns example.com remove nothing A", err: "no A record for nothing"},
		{line: "dns internal.shop associate prod", err: "already associated"},
		{line: "dns example.com delegate ns9.example.com 192.0.2.99", ok: "delegates to ns9.example.com"},
		{line: "lb web-lb health-check path /status", ok: "health check path now /status"},
		{line: "lb web-lb health-check path status", err: "starts with /"},
		{line: "lb web-lb target remove app-1", ok: "deregistered app-1"},
		{line: "lb web-lb target add db-1", ok: "registered db-1"},
		{line: "lb web-lb target-group tg-app port 8081", ok: "now sends to port 8081 (was 8080)"},
		{line: "lb web-lb listener 443 certificate partner-cert", ok: "now presents certificate partner-cert"},
		{line: "lb web-lb listener add 443 https forward tg-app certificate shop-cert", err: "already has a listener on port 443"},
		{line: "lb web-lb listener remove 8443", err: "no listener on port 8443"},
		{line: "cert shop-cert renew", ok: "reissued for shop.example.com"},
		{line: "peering pcx-1 accept", err: "no peering is named"},
		{line: "peering create pcx-1 prod prod", err: "the world would not be valid, so nothing changed:\n  $.peerings[0].vpcs: a peering joins two different VPCs"},
		{line: "teleport app-1", err: "not a fix command"},
	}
	ws, err := builtinSpec("shop")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		f, err := ParseFixLine(tc.line)
		var msg string
		if err == nil {
			var next *spec.WorldSpec
			next, msg, err = ApplyFix(ws, f)
			if err == nil && next == nil {
				t.Errorf("%q: ApplyFix gave no spec", tc.line)
			}
		}
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error = %v; want one holding %q", tc.line, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.line, err)
		case !strings.Contains(msg, tc.ok):
			t.Errorf("%q: message %q; want it to hold %q", tc.line, msg, tc.ok)
		}
	}
}

// FuzzParseFix: no word list crashes the fix parser, and applying what it
// accepts to the shop world never panics.
func FuzzParseFix(f *testing.F) {
	for _, s := range []string{"sg sg-app add ingress tcp 8080 from sg-lb", "nacl acl-data add egress rule 1 allow all all 0.0.0.0/0",
		"dns example.com set shop CNAME x", "lb web-lb listener add 80 http redirect https", "cert shop-cert renew a b", "firewall db-1 remove output 1"} {
		f.Add(s)
	}
	spec, err := builtinSpec("shop")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fx, err := ParseFixLine(line)
		if err != nil {
			return
		}
		ApplyFix(spec, fx)
	})
}

// TestGenerate: the same seed gives the same scenario; ten seeds give at
// least five different ones; every generated scenario breaks its request
// and its reference fix mends it.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 10; seed++ {
		a, err := Generate(ctx, seed, Options{})
		if err != nil {
			t.Fatalf("Generate(%d): %v", seed, err)
		}
		b, err := Generate(ctx, seed, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(scenarioKey(a), scenarioKey(b)) || a.Ticket != b.Ticket || !slices.Equal(a.Hints, b.Hints) {
			t.Errorf("seed %d gave two different scenarios:\n%v\n%v", seed, scenarioKey(a), scenarioKey(b))
		}
		seen[scenarioKey(a)] = true
		assertMends(t, a)
	}
	if len(seen) < 5 {
		t.Errorf("ten seeds gave %d different scenarios; want at least 5", len(seen))
	}
}

func scenarioKey(sc *Scenario) string {
	var parts []string
	for _, f := range sc.Faults {
		parts = append(parts, f.Kind+"("+f.Params.String()+")")
	}
	return sc.World + " " + sc.From + " " + sc.Request + " " + strings.Join(parts, " + ")
}

// assertMends checks a scenario breaks its checks and its reference fix,
// through the fix commands, makes them pass.
func assertMends(t *testing.T, sc *Scenario) {
	t.Helper()
	ctx := context.Background()
	st, err := sc.Build()
	if err != nil {
		t.Fatalf("%s: %v", scenarioKey(sc), err)
	}
	w, _ := simnet.Compile(st.Broken)
	if Solved(RunChecks(ctx, w, st.Checks)) {
		t.Errorf("%s: the faults break nothing", scenarioKey(sc))
	}
	spec := st.Broken
	for _, f := range st.Fix {
		var err error
		if spec, _, err = ApplyFix(spec, f); err != nil {
			t.Fatalf("%s: fix %q: %v", scenarioKey(sc), f, err)
		}
	}
	fw, _ := simnet.Compile(spec)
	for _, r := range RunChecks(ctx, fw, st.Checks) {
		if !r.Pass {
			t.Errorf("%s: after the fix, %q fails: %s", scenarioKey(sc), r.Check.Description, r.Detail)
		}
	}
}

func TestGenerateOptions(t *testing.T) {
	ctx := context.Background()
	for _, topic := range Topics {
		for _, diff := range Difficulties {
			t.Run(topic+"/"+diff, func(t *testing.T) {
				sc, err := Generate(ctx, 7, Options{Topic: topic, Difficulty: diff})
				if errors.Is(err, ErrNoScenario) {
					t.Skipf("no %s %s scenario for seed 7: %v", diff, topic, err)
				}
				if err != nil {
					t.Fatal(err)
				}
				if sc.Difficulty != diff {
					t.Errorf("difficulty %s; want %s", sc.Difficulty, diff)
				}
				if k := LookupKind(sc.Faults[0].Kind); k.Topic != topic {
					t.Errorf("first fault %s is about %s; want %s", k.Name, k.Topic, topic)
				}
				assertMends(t, sc)
			})
		}
	}
	if _, err := Generate(ctx, 1, Options{Topic: "bgp"}); err == nil {
		t.Errorf("an unknown topic was accepted")
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Generate(context.Background(), uint64(i), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name string
		in   ScoreInput
		want int
	}{
		{"perfect", ScoreInput{Difficulty: "easy", Duration: time.Minute, Commands: 5, Solved: true}, 1000},
		{"hints", ScoreInput{Difficulty: "easy", Duration: time.Minute, Commands: 5, Hints: 2, Solved: true}, 700},
		{"slow", ScoreInput{Difficulty: "easy", Duration: 10 * time.Minute, Commands: 5, Solved: true}, 900},
		{"very-slow-capped", ScoreInput{Difficulty: "easy", Duration: 5 * time.Hour, Commands: 5, Solved: true}, 600},
		{"chatty", ScoreInput{Difficulty: "medium", Duration: time.Minute, Commands: 35, Solved: true}, 1400},
		{"wrong-and-broad", ScoreInput{Difficulty: "hard", Duration: time.Minute, Commands: 5, WrongAnswers: 2, Warnings: 1, Solved: true}, 1750},
		{"floor", ScoreInput{Difficulty: "easy", Hints: 20, Solved: true}, 100},
		{"unsolved", ScoreInput{Difficulty: "easy", Solved: false}, 0},
		{"gave-up", ScoreInput{Difficulty: "easy", Solved: true, GaveUp: true}, 0},
	}
	for _, tc := range tests {
		if got := ComputeScore(tc.in); got.Total != tc.want {
			t.Errorf("%s: ComputeScore = %d (%v); want %d", tc.name, got.Total, got, tc.want)
		}
	}
}

// TestReview: the least-privilege review names over-broad rules and what
// would suffice; the reachability diff names requests a fix opened beyond
// the path.
func TestReview(t *testing.T) {
	ctx := context.Background()
	sc, err := Parse("good.yaml", []byte(goodScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"right", []string{"sg sg-app add ingress tcp 8080 from sg-lb"}, nil},
		{"all-ports", []string{"sg sg-app add ingress tcp all from sg-lb"}, []string{"least-privilege: sg-app ingress tcp 0-65535 from sg-lb allows 65536 ports"}},
		{"anywhere", []string{"sg sg-app add ingress tcp 8080 from 0.0.0.0/0"}, []string{"least-privilege: sg-app ingress tcp 8080 from 0.0.0.0/0 admits the whole internet"}},
		{"public-listener-is-fine", []string{"sg sg-app add ingress tcp 8080 from sg-lb", "sg sg-app add ingress tcp 443 from 0.0.0.0/0"}, nil},
		{"opens-more", []string{"sg sg-app add ingress tcp 8080 from 10.0.0.0/16", "sg sg-app add egress tcp 8080 to 10.0.0.0/16"},
			[]string{"reachability: the fix also opened requests the ticket does not need: app-1 → http://app-2.internal.shop:8080/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := st.Broken
			for _, line := range tc.lines {
				f, err := ParseFixLine(line)
				if err != nil {
					t.Fatal(err)
				}
				if spec, _, err = ApplyFix(spec, f); err != nil {
					t.Fatalf("%q: %v", line, err)
				}
			}
			ws := Review(ctx, st, spec)
			var got []string
			for _, w := range ws {
				got = append(got, w.Kind+": "+w.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Review = %q; want %d warnings like %q", got, len(tc.want), tc.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("warning %q; want it to hold %q", got[i], tc.want[i])
				}
			}
		})
	}
	// A least-privilege warning says what would suffice.
	f, _ := ParseFixLine("sg sg-app add ingress all all from 0.0.0.0/0")
	spec, _, _ := ApplyFix(st.Broken, f)
	ws := leastPrivilege(st, spec)
	if len(ws) != 1 || !slices.Equal(ws[0].Suffice, []string{"sg sg-app add ingress tcp 8080 from sg-lb"}) {
		t.Errorf("leastPrivilege = %+v; want one warning whose suffice is the reference fix", ws)
	}
}

// TestJudgeAnswer: a cause is correct, a balancer relaying it only
// partly, a decoy or anything else wrong; a code must match.
func TestJudgeAnswer(t *testing.T) {
	ctx := context.Background()
	data := strings.Replace(goodScenario, "faults:\n", "faults:\n  - {kind: firewall-reject, host: app-1, port: 22, decoy: true}\n", 1)
	sc, err := Parse("d.yaml", []byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sc.Build()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := simnet.Compile(st.Broken)
	r, err := w.Trace(ctx, st.From, st.Target)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		comp, code string
		want       Verdict
	}{
		{"sg-app", "", AnswerCorrect},
		{"SG-APP", "sg_no_ingress_rule", AnswerCorrect},
		{"sg-app", "NACL_INGRESS_DENIED", AnswerWrong},
		{"web-lb", "", AnswerSymptom},
		{"app-1", "", AnswerWrong},
		{"sg-lb", "", AnswerWrong},
	}
	for _, tc := range tests {
		if got := st.JudgeAnswer(r, tc.comp, tc.code); got.Verdict != tc.want {
			t.Errorf("answer %s %s = %v (%s); want %v", tc.comp, tc.code, got.Verdict, got.Message, tc.want)
		}
	}
	if !strings.Contains(st.JudgeAnswer(r, "app-1", "").Message, "never meets it") {
		t.Errorf("naming the decoy does not say it is a red herring")
	}
}

// TestAdHoc: any broken world makes a scenario whose key is the trace.
func TestAdHoc(t *testing.T) {
	spec, err := simnet.LoadSpec("../testdata/scenarios/worlds/shop-sg-app-closed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st, err := AdHoc(context.Background(), "closed", spec, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Causes, []string{"sg-app"}) {
		t.Errorf("causes = %q; want the non-balancer blocker sg-app", st.Causes)
	}
	if !slices.Contains(st.FixLines(), "sg sg-app add ingress tcp 8080 from sg-lb") {
		t.Errorf("the fix suggestions %q lack the trace's own", st.Fix)
	}
	if !strings.Contains(st.Scenario.Ticket, "504 Gateway Time-out") {
		t.Errorf("ticket %q does not say what the client sees", st.Scenario.Ticket)
	}
	if len(st.Checks) != 1 || st.Checks[0].Target.String() != "https://shop.example.com/" {
		t.Errorf("checks = %+v; want the request delivered", st.Checks)
	}
	if _, err := AdHoc(context.Background(), "closed", spec, "nobody", ""); !errors.Is(err, simnet.ErrUnknownName) {
		t.Errorf("an unknown vantage point: %v; want ErrUnknownName", err)
	}
	var _ tracer.Code
}

// BenchmarkFuzzParseInput is what one FuzzParse input costs when it is a
// whole valid scenario: parse, check, build (twice, as the fuzz body does).
func BenchmarkFuzzParseInput(b *testing.B) {
	data, err := libraryFS.ReadFile("library/shop-lame-delegation.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		sc, err := Parse("fuzz.yaml", data, DefaultWorlds)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sc.Build(); err != nil {
			b.Fatal(err)
		}
	}
}
