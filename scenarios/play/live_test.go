package play

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

// TestLiveShellCommands: a live shell runs only the commands that observe
// the network, refuses the others by name, and none of them crashes for
// want of a world.
func TestLiveShellCommands(t *testing.T) {
	runs := map[string]bool{"hostname": true, "hostname -I": true, "help": true, "help dig": true,
		"dig +trace x.test": false, "show sg": false, "check": false, "ss -tln": false, "tcpdump": false, "cat /etc/hosts": false, "systemctl status x": false}
	for line, want := range runs {
		sh, out := liveShell(netip.MustParseAddrPort("127.0.0.1:1"))
		sh.Exec(context.Background(), line)
		got := out.String()
		if strings.Contains(got, "internal error") {
			t.Errorf("%s crashed:\n%s", line, got)
		}
		if refused := strings.Contains(got, "not available in a live shell"); refused == want {
			t.Errorf("%s: refused = %v, want %v:\n%s", line, refused, !want, got)
		}
	}
}

func TestSystemctlIsAFix(t *testing.T) {
	st, err := libraryScenario(t, "shop-sg-app-ingress").Build()
	if err != nil {
		t.Fatal(err)
	}
	sh, out := session(t, st, []string{"ssh app-1", "systemctl status shop-api", "systemctl stop shop-api", "undo"}, Options{})
	kinds := []string{}
	for _, e := range sh.Stats().Timeline {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, " ") != "observe observe fix fix" || !strings.Contains(out, "undone: service app-1 shop-api stop") {
		t.Errorf("timeline kinds %v; want observe observe fix fix, and undo taking back the stop:\n%s", kinds, out)
	}
}
