package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// TestPtyHelperProcess is not a test: re-executed on a pseudo-terminal by
// TestTerminalKeys, it runs pathlab with the arguments after --.
func TestPtyHelperProcess(t *testing.T) {
	if os.Getenv("PATHLAB_PTY_HELPER") != "1" {
		return
	}
	os.Exit(run(flag.Args(), &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		isTerminal: func(f any) bool {
			ff, ok := f.(*os.File)
			return ok && term.IsTerminal(int(ff.Fd()))
		}}))
}

// screen collects what a pty shows.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// TestTerminalKeys plays a session on a real pseudo-terminal, as a
// learner types: Ctrl-C abandons a half-typed line (bash's ^C and a new
// prompt; the session goes on), Ctrl-D inside ssh returns to the host
// before, a 10,000-character line is answered with an error, and Ctrl-D
// at the top prompt ends the session.
func TestTerminalKeys(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^TestPtyHelperProcess$", "--", "play", "shop-sg-app-ingress")
	cmd.Env = append(os.Environ(), "PATHLAB_PTY_HELPER=1", "XDG_STATE_HOME="+t.TempDir(), "NO_COLOR=1", "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer f.Close()
	var scr screen
	go func() { _, _ = bytesCopy(&scr, f) }()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()

	// waitFor waits until the screen shows want n times.
	waitFor := func(want string, n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for strings.Count(scr.String(), want) < n {
			if time.Now().After(deadline) {
				t.Fatalf("the terminal never showed %q %d times; it shows:\n%s", want, n, scr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	typeKeys := func(s string) {
		t.Helper()
		if _, err := f.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor("[browser]$ ", 1)
	typeKeys("show sg sg-a\x03") // half a command, then Ctrl-C
	waitFor("show sg sg-a^C", 1)
	waitFor("[browser]$ ", 2)
	typeKeys("hostname\r")
	waitFor("browser\r\n", 1)
	if strings.Contains(scr.String(), "Inbound rules") {
		t.Errorf("the abandoned line ran:\n%s", scr.String())
	}
	typeKeys("ssh app-1\r")
	waitFor("[app-1]$ ", 1)
	typeKeys("\x04") // Ctrl-D inside ssh
	waitFor("Connection to app-1 closed.", 1)
	waitFor("[browser]$ ", 4)
	typeKeys(strings.Repeat("x", 10000) + "\r")
	waitFor("a line is longer than 4096 bytes: not a command", 1)
	waitFor("[browser]$ ", 5)
	typeKeys("hostname\r")
	waitFor("browser\r\n", 2)
	typeKeys("\x04") // Ctrl-D at the top: the end
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("Ctrl-D at the top prompt did not end the session:\n%s", scr.String())
	}
	waitFor("session: not solved", 1)
}

// bytesCopy copies until the pty closes (EIO on Linux once the child is
// gone).
func bytesCopy(w *screen, f *os.File) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		k, err := f.Read(buf)
		if k > 0 {
			w.Write(buf[:k])
			n += int64(k)
		}
		if err != nil {
			return n, err
		}
	}
}
