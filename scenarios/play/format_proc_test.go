package play

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// listenAs starts a listener on addr in the host namespace, in a process
// whose name (comm) is name, as a service of the world would be: the
// test binary, run through a link named after the service.
func (l *fmtLab) listenAs(t *testing.T, name, addr string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.host, link, "-test.run=^TestFormatLabHelper$")
	cmd.Env = append(os.Environ(), "PATHLAB_FMT_LISTEN="+addr)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "READY" {
		t.Fatalf("%s did not start listening on %s: %q", name, addr, line)
	}
}

var (
	maskPidFd    = regexp.MustCompile(`pid=\d+,fd=\d+`)
	maskPidSlash = regexp.MustCompile(`(?m) \d+/(\S+)`)
	trailing     = regexp.MustCompile(`(?m)[ \t]+$`)
)

// maskProc masks the process IDs and descriptors of ss -p and netstat -p
// (the names stay), and the padding after the last column, whose width
// follows the IDs' digits.
func maskProc(s string) string {
	s = maskPidFd.ReplaceAllString(s, "pid=N,fd=N")
	s = maskPidSlash.ReplaceAllString(s, " N/$1")
	return trailing.ReplaceAllString(s, "")
}
