package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// initBudget is the most a package of pathlab may allocate in its init,
// in bytes (GODEBUG=inittrace=1): tables, catalogs, command lists and
// regular expressions are built on first use (sync.OnceValue), so that a
// short command (--help, trace, check) does not pay for them at start.
// What is left is small package-level values (a few maps of names).
const initBudget = 12 << 10

// initTotalBudget bounds the inits of all pathlab packages together.
const initTotalBudget = 40 << 10

var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// TestStartupInitWork runs `pathlab --help` in a fresh process (this test
// binary, which links every package pathlab does) with GODEBUG=inittrace=1
// and fails when a pathlab package's init allocates more than initBudget:
// work at init that a command does not need has come back.
func TestStartupInitWork(t *testing.T) {
	if os.Getenv("PATHLAB_STARTUP_CHILD") != "" {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
		if code := run([]string{"--help"}, e); code != 0 {
			t.Fatalf("pathlab --help: exit %d", code)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStartupInitWork$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PATHLAB_STARTUP_CHILD=1", "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("the child: %v\n%s%s", err, out, stderr.String())
	}
	total, n := 0, 0
	for _, line := range strings.Split(stderr.String(), "\n") {
		// cmd/pathlab is left out: in this test binary its init holds the
		// tests' package-level values too.
		m := initLine.FindStringSubmatch(line)
		if m == nil || !strings.HasPrefix(m[1], "github.com/pathlab/pathlab/") || m[1] == "github.com/pathlab/pathlab/cmd/pathlab" {
			continue
		}
		n++
		bytes, _ := strconv.Atoi(m[2])
		total += bytes
		if bytes > initBudget {
			t.Errorf("init of %s allocates %d bytes (%s allocations); at most %d: build what it makes on first use (sync.OnceValue)", m[1], bytes, m[3], initBudget)
		}
	}
	if n < 5 {
		t.Fatalf("inittrace named %d pathlab packages; is GODEBUG=inittrace=1 honoured?\n%s", n, stderr.String())
	}
	if total > initTotalBudget {
		t.Errorf("the inits of pathlab's %d packages allocate %d bytes together; at most %d", n, total, initTotalBudget)
	}
	t.Logf("%d pathlab packages allocate %d bytes in their inits", n, total)
}

// TestCommandOf: run builds only the subcommand its first argument names;
// anything else gets the whole tree (help, suggestions, errors).
func TestCommandOf(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"trace"}, "trace"},
		{[]string{"check", "w.yaml"}, "check"},
		{[]string{"trace", "--help"}, "trace"},
		{nil, ""},
		{[]string{"--help"}, ""},
		{[]string{"help", "trace"}, ""},
		{[]string{"--max-world-size", "5", "trace"}, ""},
		{[]string{"trac"}, ""},
		{[]string{"__complete", "trace", ""}, ""},
	}
	for _, tt := range tests {
		if got := commandOf(tt.args); got != tt.want {
			t.Errorf("commandOf(%q) = %q; want %q", tt.args, got, tt.want)
		}
	}
}

// TestOneCommandSameOutput: a subcommand built alone answers as it does in
// the whole tree: its help, a flag error and its result.
func TestOneCommandSameOutput(t *testing.T) {
	for _, args := range [][]string{
		{"trace", "--help"},
		{"trace", "--nosuch"},
		{"trace"},
		{"check", "--help"},
		{"check", "../../simnet/worlds/shop.yaml"},
		{"worlds", "--help"},
	} {
		var alone, whole [2]bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &alone[0], stderr: &alone[1], getenv: func(string) string { return "" }}
		codeAlone := run(args, e)
		e = &env{stdin: strings.NewReader(""), stdout: &whole[0], stderr: &whole[1], getenv: func(string) string { return "" }}
		root := newRoot(e, "")
		root.SetArgs(args)
		codeWhole := 0
		if err := root.Execute(); err != nil {
			codeWhole = -1
		}
		if (codeAlone == 0) != (codeWhole == 0) || alone[0].String() != whole[0].String() {
			t.Errorf("%q: alone exit %d, whole tree exit %d\nalone:\n%s\nwhole:\n%s", args, codeAlone, codeWhole, alone[0].String(), whole[0].String())
		}
	}
}
