package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pathlab/pathlab/lab"
)

func TestMain(m *testing.M) {
	// A lab (play --lab) re-executes this binary as its servers and
	// probes.
	if os.Getenv(lab.ServeEnv) != "" && len(os.Args) > 2 && os.Args[1] == "lab" {
		os.Exit(lab.HelperMain(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestPlayLabSession plays a scenario with its broken world in the kernel,
// from a script: exec runs real curl and nft in the lab's hosts, the fix
// typed at the prompt rebuilds the lab, and check probes it live.
func TestPlayLabSession(t *testing.T) {
	if why := lab.Skip(); why != "" {
		t.Skip(why)
	}
	const name = "play-shop"
	if len(lab.Namespaces(name)) > 0 {
		t.Skipf("a lab %s is up already (another play --lab session?); pathlab lab down --name %s", name, name)
	}
	curl := `exec browser curl -sS -m 5 -o /dev/null -w "status=%{http_code}\n" https://shop.example.com/`
	script := strings.Join([]string{
		curl,
		"exec app-1 nft list ruleset",
		"exec nosuch true",
		"check",
		"sg sg-app add ingress tcp 8080 from sg-lb",
		"exec app-1 nft list ruleset",
		curl,
		"check",
	}, "\n") + "\n"
	var out, errb bytes.Buffer
	state := t.TempDir()
	code := run([]string{"play", "--lab", "shop-sg-app-ingress"}, &env{stdin: strings.NewReader(script), stdout: &out, stderr: &errb,
		getenv: func(k string) string {
			if k == "XDG_STATE_HOME" {
				return state
			}
			return ""
		}})
	got := out.String()
	t.Log(got)
	if code != 0 {
		t.Errorf("play --lab: exit %d; want 0 (solved)\nstderr: %s", code, errb.String())
	}
	if left := lab.Namespaces(name); len(left) > 0 {
		t.Errorf("the session left the lab's namespaces behind: %v", left)
		lab.Down(name)
	}
	// The lab is built and the ticket shown; the real curl meets the
	// ticket's 504, the fix changes the lab, and curl gets 200.
	segments := []struct{ what, re string }{
		{"the lab's announcement", `also runs in the kernel \(lab play-shop\)`},
		{"the ticket", `504 Gateway Time-out`},
		{"curl's 504 from the broken lab", `status=504`},
		{"the broken lab's security group in nft", `table ip pathlab_sg`},
		{"exec of an unknown host", `no host "nosuch"`},
		{"check failing in the simulation", `FAIL  customers get the shop's home page`},
		{"check failing in the lab", `in the lab: FAIL: browser → https://shop.example.com/: http: HTTP 504`},
		{"the lab's own health checks failing", `in the lab: FAIL: web-lb: app-1 unhealthy \(Target.Timeout\), app-2 unhealthy \(Target.Timeout\) \(the lab's health checks\)`},
		{"the fix", `ok: `},
		{"the lab rebuilt", `lab: lab play-shop rebuilt from the changed world in [0-9.]+s`},
		{"the fixed lab's sg-app with port 8080", `dport 8080`},
		{"curl's 200 from the fixed lab", `status=200`},
		{"check passing in the lab", `in the lab: pass: browser → https://shop.example.com/: delivered`},
		{"the lab's own health checks passing", `in the lab: pass: web-lb: every target healthy \([0-9]+ health checks in the lab\)`},
		{"solved", `\nsolved\n`},
	}
	rest := got
	for _, s := range segments {
		loc := regexp.MustCompile(s.re).FindStringIndex(rest)
		if loc == nil {
			t.Fatalf("after the previous steps, no %s (/%s/) in the session's output:\n%s", s.what, s.re, rest)
		}
		rest = rest[loc[1]:]
	}
	// Before the fix, sg-app admitted no 8080: the rule appears only in
	// the rebuilt lab.
	before, after, _ := strings.Cut(got, "lab: lab play-shop rebuilt")
	if strings.Contains(before, "dport 8080") || !strings.Contains(after, "dport 8080") {
		t.Errorf("nft in app-1: want no port 8080 before the fix and a rule for it after")
	}
}
