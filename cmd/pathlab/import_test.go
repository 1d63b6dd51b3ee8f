package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func importFixture(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "import"}, parts...)...)
}

func TestImportCommand(t *testing.T) {
	state := importFixture("terraform", "three-tier.state.json")
	out := filepath.Join(t.TempDir(), "world.yaml")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // in standard output
		wantErr  string // in standard error
	}{
		{"state to stdout", []string{"import", "terraform", state}, 0, "# aws_security_group.app\n      - name: sg-app", "import of " + state},
		{"report as JSON", []string{"import", "terraform", state, "--json"}, 0, "name: three-tier-state", `"unsupported": [`},
		{"tfstate to a file", []string{"import", "terraform", importFixture("terraform", "three-tier.tfstate"), "-o", out}, 0, "", "50 resources imported"},
		{"plan", []string{"import", "terraform", importFixture("terraform", "create-only.plan.json")}, 0, "- name: web", "unresolved (known only after apply)"},
		{"aws directory", []string{"import", "aws", importFixture("aws", "three-tier")}, 0, "# sg-0app (app)", "(AWS CLI output)"},
		{"aws files", []string{"import", "aws", importFixture("aws", "three-tier", "describe-vpcs.json"), importFixture("aws", "three-tier", "describe-subnets.json")}, 0, "- name: vpc-prod", ""},
		{"no kind", []string{"import"}, 2, "", "import needs a kind"},
		{"unknown kind", []string{"import", "pulumi", "x"}, 2, "", `unknown kind "pulumi"`},
		{"two files to terraform", []string{"import", "terraform", state, state}, 2, "", "needs one FILE"},
		{"missing file", []string{"import", "terraform", "nope.json"}, 2, "", "nope.json: cannot read it"},
		{"a world file", []string{"import", "terraform", filepath.Join("..", "..", "simnet", "worlds", "shop.yaml")}, 2, "", "shop.yaml:1:1: not valid JSON"},
		{"terraform to aws", []string{"import", "aws", state}, 2, "", "use 'pathlab import terraform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runPathlab(t, false, nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.wantOut) || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("exit %d, want %d\nstdout (want %q):\n%.600s\nstderr (want %q):\n%.600s", code, tt.wantCode, tt.wantOut, stdout, tt.wantErr, stderr)
			}
			if strings.Contains(stdout+stderr, "SENSITIVE-SHOULD-NEVER-APPEAR") {
				t.Error("a sensitive value is shown")
			}
		})
	}
	if _, _, code := runPathlab(t, false, nil, "check", out); code != 0 {
		t.Errorf("pathlab check %s: exit %d", out, code)
	}
}

// TestWorldFromImport: --world takes a state or an AWS directory, and the
// trace names each part's address.
func TestWorldFromImport(t *testing.T) {
	tests := []struct {
		name, world string
		args        []string
		wantCode    int
		wantOut     []string
	}{
		{"state, headline", importFixture("terraform", "three-tier.state.json"), nil, 0, []string{"delivered", "where each part comes from:", "  sg-app (aws_security_group.app)", "  lb-web (aws_lb.web)", "  app-0 (aws_instance.app[0])"}},
		{"balancer's own name", importFixture("terraform", "three-tier.tfstate"), []string{"https://shop-web-1234567890.us-east-1.elb.amazonaws.com/"}, 1, []string{"TLS_NAME_MISMATCH", "lb-web (aws_lb.web)"}},
		{"AWS directory", importFixture("aws", "three-tier"), []string{"--from", "app-1", "tcp://db.internal.shop:5432"}, 0, []string{"delivered", "sg-db (sg-0db (db))"}},
		{"plan: the world after it", importFixture("terraform", "replace-sg.plan.json"), nil, 1, []string{"LB_NO_HEALTHY_TARGETS", "sg-app (aws_security_group.app)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runPathlab(t, false, nil, append([]string{"trace", "--world", tt.world}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d; want %d\n%s%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, "pathlab: imported "+tt.world) {
				t.Errorf("stderr does not report the import:\n%s", stderr)
			}
		})
	}
	// A world file is still a world file; a bad import is bad input.
	if _, _, code := runPathlab(t, false, nil, "trace", "--world", filepath.Join("..", "..", "simnet", "worlds", "shop.yaml")); code != 0 {
		t.Errorf("trace of shop.yaml: exit %d", code)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"version": 3, "resources": [], "lineage": "x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runPathlab(t, false, nil, "trace", "--world", bad); code != 2 || !strings.Contains(stderr, "version 3") {
		t.Errorf("bad tfstate: exit %d, %s", code, stderr)
	}
}

func TestDiffPlan(t *testing.T) {
	replace := importFixture("terraform", "replace-sg.plan.json")
	t.Run("text", func(t *testing.T) {
		stdout, stderr, code := runPathlab(t, false, nil, "diff", "--plan", replace)
		if code != 1 {
			t.Errorf("exit %d; want 1 (a flow breaks)\n%s", code, stderr)
		}
		for _, w := range []string{
			"  replace  aws_security_group.app (sg-app)",
			"  delete   aws_security_group_rule.app_from_lb (sg-app)",
			"internet-client → https://shop.example.com/\n      broken at lb-web (aws_lb.web) LB_NO_HEALTHY_TARGETS",
			"blocker sg-app (aws_security_group.app) SG_NO_INGRESS_RULE",
			"the plan's changes there: replace aws_security_group.app, delete aws_security_group_rule.app_from_lb",
			"opens: none",
		} {
			if !strings.Contains(stdout, w) {
				t.Errorf("output lacks %q:\n%s", w, stdout)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		stdout, _, code := runPathlab(t, false, nil, "diff", "--plan", replace, "--json")
		var rep struct {
			Changes []struct{ Address, Name string } `json:"changes"`
			Broken  []struct {
				From, Target string
				Address      string `json:"address"`
				Blockers     []struct {
					Component string `json:"component"`
					Address   string `json:"address"`
					Changes   []struct {
						Address string   `json:"address"`
						Actions []string `json:"actions"`
					} `json:"changes"`
				} `json:"blockers"`
			} `json:"broken"`
			Opened []any `json:"opened"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if code != 1 || len(rep.Changes) != 6 || len(rep.Broken) == 0 || rep.Opened == nil || len(rep.Opened) != 0 {
			t.Fatalf("exit %d, %d changes, %d broken, opened %v", code, len(rep.Changes), len(rep.Broken), rep.Opened)
		}
		b := rep.Broken[0]
		if b.Address != "aws_lb.web" || len(b.Blockers) != 2 || b.Blockers[1].Address != "aws_security_group.app" || len(b.Blockers[1].Changes) != 2 {
			t.Errorf("first broken flow %+v; want it at aws_lb.web with sg-app's two changes among its blockers", b)
		}
	})
	t.Run("create only: nothing breaks", func(t *testing.T) {
		stdout, stderr, code := runPathlab(t, false, nil, "diff", "--plan", importFixture("terraform", "create-only.plan.json"))
		if code != 0 || !strings.Contains(stdout, "breaks: none") || !strings.Contains(stdout, "opens:\n  internet-client → tcp://198.18.0.10:80") {
			t.Errorf("exit %d\n%s%s", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "warning: aws_security_group_rule.ssh: security_group_id is known only after apply") {
			t.Errorf("the unresolved reference is not named:\n%s", stderr)
		}
	})
	for _, tt := range []struct {
		name, want string
		args       []string
	}{
		{"a state is no plan", "not a plan", []string{"diff", "--plan", importFixture("terraform", "three-tier.state.json")}},
		{"plan and worlds", "give no other worlds", []string{"diff", "--plan", replace, "a.yaml"}},
		{"missing plan", "cannot read it", []string{"diff", "--plan", "nope.json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runPathlab(t, false, nil, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d; want 2 and %q\n%s", code, tt.want, stderr)
			}
		})
	}
}
