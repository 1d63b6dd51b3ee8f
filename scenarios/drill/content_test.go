package drill

import (
	"bytes"
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/scenarios"
	"github.com/pathlab/pathlab/scenarios/debrief"
	"github.com/pathlab/pathlab/scenarios/play"
)

// beingAdded are the commands a model answer may recommend that the play
// shell does not have yet, naming who adds them. Empty: every recommended
// command runs in the shell, and one that does not fails the test.
var beingAdded = map[string]string{}

// flagsBeingAdded are options a recommended line may use before the shell
// has them. Empty, as beingAdded.
var flagsBeingAdded = map[string][]string{}

// placeholders stand for the words model answers use in place of a real
// name, so that a recommended line can be typed into the shop world.
var placeholders = strings.NewReplacer(
	"@each-authoritative", "@ns1.example.com", "@authoritative", "@ns1.example.com", "@that-server", "@ns1.example.com",
	"@server", "@198.51.100.53", "@ns", "@ns1.example.com",
	"host:443", "shop.example.com:443", "name:443:address", "shop.example.com:443:203.0.113.10",
	"https://host/", "https://shop.example.com/", "http://host:443/", "http://shop.example.com:443/",
	"http://address/path", "http://203.0.113.10/", "'Host: name'", "'Host: shop.example.com'",
	"https://name/", "https://shop.example.com/",
)

var wordPlaceholders = map[string]string{"SERVICE": "shop-api", "TG_ARN": "tg-app", "host": "shop.example.com", "name": "shop.example.com", "alias": "shop.example.com", "port": "443"}

// TestModelAnswersRecommendShellCommands: every command a drill's model
// answer recommends (a `backticked` command line) is one the play shell
// runs, or one this round adds; the test lists, as it goes, the lines the
// shell cannot run today and what it says to them.
func TestModelAnswersRecommendShellCommands(t *testing.T) {
	tick := regexp.MustCompile("`([^`]+)`")
	command := regexp.MustCompile(`^[a-z][a-z0-9_-]*( |$)`)
	st, err := mustSetup("shop-checkout-504")
	if err != nil {
		t.Fatal(err)
	}
	lacking := map[string]string{}
	n := 0
	for _, f := range debrief.AllFollowUps() {
		for _, m := range tick.FindAllStringSubmatch(f.ModelAnswer, -1) {
			line := m[1]
			if !command.MatchString(line) || strings.HasPrefix(line, "/") {
				continue
			}
			n++
			name, _, err := play.ParseCommand(line)
			if err != nil {
				if by, ok := beingAdded[name]; ok {
					lacking[line] = "no such command yet (" + by + " adds " + name + ")"
					continue
				}
				t.Errorf("%s: the model answer recommends %q; the shell has no %s and nobody adds it", f.Concept, line, name)
				continue
			}
			// Type it, with its placeholders filled in, on the host a
			// learner would use.
			words := strings.Fields(placeholders.Replace(line))
			for i, w := range words {
				if r, ok := wordPlaceholders[w]; ok && i > 0 {
					words[i] = r
				}
			}
			var out bytes.Buffer
			sh, err := play.New(context.Background(), st, &out, play.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sh.Exec(context.Background(), "ssh app-1")
			out.Reset()
			sh.Exec(context.Background(), strings.Join(words, " "))
			got := out.String()
			complaint := strings.TrimSpace(lastLine(got))
			if !strings.Contains(got, "usage:") && !strings.Contains(got, "not supported") && !strings.Contains(got, "invalid option") {
				continue
			}
			if strings.Contains(complaint, ": which ") {
				continue // a mention of the tool ("dig +trace"), not a line to type
			}
			lacking[line] = complaint
			added := false
			for _, w := range strings.Fields(line)[1:] {
				for _, f := range flagsBeingAdded[name] {
					added = added || w == f
				}
			}
			if !added {
				t.Errorf("%s: the model answer recommends %q; the shell says %q and nobody adds what it lacks", f.Concept, line, complaint)
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d recommended commands in the model answers; the bank holds more: is the pattern wrong?", n)
	}
	var lines []string
	for l, why := range lacking {
		lines = append(lines, l+"  →  "+why)
	}
	sort.Strings(lines)
	t.Logf("%d recommended command lines; the shell cannot run these today (each is being added):\n  %s", n, strings.Join(lines, "\n  "))
}

func mustSetup(id string) (*scenarios.Setup, error) {
	sc, err := scenarios.Lookup(id)
	if err != nil {
		return nil, err
	}
	return sc.Build()
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}
