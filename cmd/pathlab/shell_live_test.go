package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pathlab/pathlab/tracer/probe/probelab"
)

// liveLabWorld is the probe lab drawn as a simulated world, with public
// addresses in place of the lab's: the client, the web server (port 80
// serves, 81 is closed, 9001 is dropped on the way) and lab.test's
// server. The live shell in the lab and the play shell in this world
// meet the same situations.
const liveLabWorld = "../../testdata/shell/livelab.yaml"

// labShell runs pathlab shell --live in the lab's client namespace with
// stdin as its commands.
func labShell(t *testing.T, l *probelab.Lab, stdin string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	args := []string{self, "-test.run=^TestProbeHelperProcess$", "--", "shell", "--live", "--host", "client", "--server", probelab.NS1, "--timeout", "2s"}
	cmd := l.Command(ctx, l.ClientNS, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), probelab.HelperEnv+"=cmd")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("pathlab shell --live: %v\n%s", err, errb.String())
		}
		t.Fatalf("pathlab shell --live: %v\n%s\n%s", err, out.String(), errb.String())
	}
	return out.String()
}

var (
	ipv4Re  = regexp.MustCompile(`\b\d+\.\d+\.\d+\.\d+\b`)
	digitRe = regexp.MustCompile(`\d+(\.\d+)?`)
	fromRe  = regexp.MustCompile(` from ADDR port N`)
)

// shapeOf keeps a transcript's lines that say what the tools observed and
// masks what differs between two networks: addresses, numbers (times,
// ports, IDs), the source curl names when it knows it.
func shapeOf(transcript string, keep func(string) bool) []string {
	var out []string
	for _, l := range strings.Split(transcript, "\n") {
		if !keep(l) {
			continue
		}
		l = ipv4Re.ReplaceAllString(l, "ADDR")
		l = digitRe.ReplaceAllString(l, "N")
		l = fromRe.ReplaceAllString(l, "")
		out = append(out, l)
	}
	return out
}

// TestShellLiveMatchesSimulation runs the same commands in the live shell
// against the namespace lab and in the play shell against the lab drawn
// as a world: dig, curl -v, nc -zv and traceroute print the same lines
// for the same situations (an open port, a closed one, a dropped one).
func TestShellLiveMatchesSimulation(t *testing.T) {
	probelab.Skip(t)
	l := probelab.New(t, "TestProbeHelperProcess")
	// The world's public addresses, in the lab's.
	simAddr := strings.NewReplacer(probelab.Server, "203.0.113.2", probelab.NS1, "192.0.2.12")
	cases := []struct {
		name string
		cmd  string
		keep func(string) bool
	}{
		{"dig", "dig www.lab.test", func(l string) bool {
			// The lab's server is authoritative only: its flags (no ra)
			// and the warning differ from a recursive resolver's.
			return strings.HasPrefix(l, ";; ->>HEADER") || strings.HasPrefix(l, ";; QUESTION") || strings.HasPrefix(l, ";; ANSWER") ||
				strings.HasPrefix(l, "www.lab.test.") || strings.HasPrefix(l, ";www") || strings.HasPrefix(l, ";; SERVER") || strings.HasPrefix(l, "; <<>> DiG")
		}},
		{"curl open", "curl -v http://" + probelab.Server + "/", func(l string) bool {
			return strings.HasPrefix(l, "*") || strings.HasPrefix(l, ">") || strings.HasPrefix(l, "< HTTP/")
		}},
		{"curl closed", "curl -v http://" + probelab.Server + ":81/", anyLine},
		{"curl dropped", "curl -v -m 2 http://" + probelab.Server + ":9001/", anyLine},
		{"nc open", "nc -zv " + probelab.Server + " 80", anyLine},
		{"nc closed", "nc -zv " + probelab.Server + " 81", anyLine},
		{"nc dropped", "nc -zv -w 2 " + probelab.Server + " 9001", anyLine},
		{"ping", "ping -c 2 " + probelab.Server, anyLine},
		{"traceroute", "traceroute -n " + probelab.Server, func(l string) bool { return strings.HasPrefix(l, "traceroute to") }},
		{"traceroute tcp", "traceroute -n -T -p 80 " + probelab.Server, func(l string) bool { return strings.HasPrefix(l, "traceroute to") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live := labShell(t, l, tc.cmd+"\n")
			out, stderr, code := runPlayCmd(t, t.TempDir(), simAddr.Replace(tc.cmd)+"\n", "play", "--world", liveLabWorld, "--from", "client", "--request", "http://www.lab.test/")
			if code != 0 {
				t.Fatalf("play exit %d: %s", code, stderr)
			}
			got := shapeOf(commandOutput(live, tc.cmd), tc.keep)
			want := shapeOf(commandOutput(out, simAddr.Replace(tc.cmd)), tc.keep)
			if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: the live shell's lines differ from the simulation's\nlive:\n%s\nsimulated:\n%s\n(live transcript:\n%s)",
					tc.cmd, strings.Join(got, "\n"), strings.Join(want, "\n"), live)
			}
		})
	}
	t.Run("traceroute hops", func(t *testing.T) {
		live := labShell(t, l, "traceroute -n "+probelab.Server+"\n")
		for _, want := range []string{" 1  " + probelab.R1 + "  ", " 2  " + probelab.R2 + "  ", " 3  " + probelab.Server + "  "} {
			if !strings.Contains(live, want) {
				t.Errorf("live traceroute lacks %q:\n%s", want, live)
			}
		}
	})
	t.Run("simulated only", func(t *testing.T) {
		live := labShell(t, l, "show sg\ncheck\n")
		if strings.Count(live, "not available in a live shell") != 2 {
			t.Errorf("show and check must be refused in a live shell:\n%s", live)
		}
	})
}

func anyLine(l string) bool { return strings.TrimSpace(l) != "" }

// commandOutput is what cmd printed in a transcript: the lines after its
// prompt, up to the next prompt or the session's end.
func commandOutput(transcript, cmd string) string {
	i := strings.Index(transcript, "]$ "+cmd+"\n")
	if i < 0 {
		return ""
	}
	rest := transcript[i+len("]$ "+cmd+"\n"):]
	if j := strings.Index(rest, "\n["); j >= 0 {
		rest = rest[:j+1]
	}
	if j := strings.Index(rest, "\nsession: "); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}
