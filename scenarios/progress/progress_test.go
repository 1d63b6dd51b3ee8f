package progress

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDefaultDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/u"}, "/x/state/pathlab"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/state/pathlab"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/state/pathlab"},
	}
	for _, tc := range tests {
		got, err := DefaultDir(func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("DefaultDir(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
}

func TestAppendAndRead(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "pathlab"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if notes, err := s.Append(Attempt{Scenario: fmt.Sprintf("s%d", i), Topics: []string{"dns"}, Mode: "play", Solved: i%2 == 0}); err != nil || len(notes) > 0 {
			t.Fatalf("Append: %v %v", notes, err)
		}
	}
	as, notes, err := s.Attempts()
	if err != nil || len(notes) > 0 {
		t.Fatalf("Attempts: %v %v", notes, err)
	}
	if len(as) != 3 || as[0].Scenario != "s0" || as[2].Scenario != "s2" || !as[2].Solved {
		t.Errorf("Attempts = %+v", as)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestConcurrentAppends: ten sessions finishing at once record ten
// attempts, from goroutines and from separate processes.
func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err == nil {
				_, err = s.Append(Attempt{Scenario: fmt.Sprintf("g%d", i), Mode: "play"})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for i := range 10 {
		c := exec.Command(exe, "-test.run=^TestHelperAppend$")
		c.Env = append(os.Environ(), "PROGRESS_HELPER_DIR="+dir, fmt.Sprintf("PROGRESS_HELPER_ID=p%d", i))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	s, _ := Open(dir)
	as, notes, err := s.Attempts()
	if err != nil || len(notes) > 0 {
		t.Fatal(notes, err)
	}
	if len(as) != 20 {
		t.Errorf("%d attempts recorded; want 20", len(as))
	}
}

// TestHelperAppend is run as a separate process by TestConcurrentAppends.
func TestHelperAppend(t *testing.T) {
	dir := os.Getenv("PROGRESS_HELPER_DIR")
	if dir == "" {
		t.Skip("a helper for TestConcurrentAppends")
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(Attempt{Scenario: os.Getenv("PROGRESS_HELPER_ID"), Mode: "drill"}); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptFile: a file that cannot be read is kept aside under a new
// name, reported, and never overwritten; recording goes on.
func TestCorruptFile(t *testing.T) {
	tests := []struct{ name, data string }{
		{"garbage", "{{{ not json"},
		{"wrong-version", `{"version": 99, "attempts": []}`},
		{"unknown-field", `{"version": 1, "attempts": [], "extra": 1}`},
		{"trailing", `{"version": 1, "attempts": []} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			s := &Store{Dir: dir, Now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }}
			notes, err := s.Append(Attempt{Scenario: "after", Mode: "play"})
			if err != nil {
				t.Fatal(err)
			}
			aside := path + ".corrupt-20261121T120000Z"
			if len(notes) != 1 || !strings.Contains(notes[0].String(), aside) {
				t.Errorf("notes = %v; want one naming %s", notes, aside)
			}
			kept, err := os.ReadFile(aside)
			if err != nil || string(kept) != tc.data {
				t.Errorf("the corrupt file was not kept as is: %q, %v", kept, err)
			}
			as, notes, err := s.Attempts()
			if err != nil || len(notes) > 0 || len(as) != 1 || as[0].Scenario != "after" {
				t.Errorf("after keeping it aside: %+v %v %v", as, notes, err)
			}
			// A second corrupt file at the same second gets another name.
			os.WriteFile(path, []byte(tc.data), 0o600)
			notes, _ = s.Append(Attempt{Scenario: "again"})
			if len(notes) != 1 || !strings.Contains(notes[0].String(), aside+".1") {
				t.Errorf("second corrupt file: notes = %v; want %s.1", notes, aside)
			}
		})
	}
}

// TestStaleTempsRemoved: temporary files a writer killed mid-write left
// behind (issue 16: 2 MB each, never removed) go on the next write; other
// files stay.
func TestStaleTempsRemoved(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "pathlab"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"attempts.json.tmp-123", "attempts.json.tmp-456"} {
		if err := os.WriteFile(filepath.Join(s.Dir, n), make([]byte, 2<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(s.Dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(Attempt{Scenario: "s", Mode: "play"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("stale temporary file left: %s", e.Name())
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("an unrelated file was removed: %v", err)
	}
}
