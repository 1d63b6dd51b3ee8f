package lab_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is one process of the machine: its PID and start time (together
// they name it, as PIDs are reused), program and network namespace.
type proc struct {
	pid   int
	start string
	exe   string
	netns uint64
	self  bool // this test process or a descendant
}

func (p proc) String() string { return fmt.Sprintf("%d %s (netns %d)", p.pid, p.exe, p.netns) }

// procs lists every live process of the machine, zombies aside (a zombie
// holds nothing: no namespace, no socket, no file).
func procs() map[string]proc {
	out := map[string]proc{}
	entries, _ := os.ReadDir("/proc")
	me := os.Getpid()
	parent := map[int]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 20 || f[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		parent[pid] = ppid
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		var ino uint64
		if st, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid)); err == nil {
			ino = st.Sys().(*syscall.Stat_t).Ino
		}
		p := proc{pid: pid, start: f[19], exe: filepath.Base(exe), netns: ino}
		out[fmt.Sprintf("%d/%s", pid, f[19])] = p
	}
	for k, p := range out {
		for q, n := p.pid, 0; q > 1 && n < 64; q, n = parent[q], n+1 {
			if q == me {
				p.self = true
				out[k] = p
				break
			}
		}
	}
	return out
}

// namedNetns is the set of namespaces that have a name (ip netns) or are
// the root's: a process in any other one is in a namespace nobody can
// reach any more, which is what a lab's leftover server would be.
func namedNetns() map[uint64]bool {
	m := map[uint64]bool{}
	if st, err := os.Stat("/proc/1/ns/net"); err == nil {
		m[st.Sys().(*syscall.Stat_t).Ino] = true
	}
	if st, err := os.Stat("/proc/self/ns/net"); err == nil {
		m[st.Sys().(*syscall.Stat_t).Ino] = true
	}
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if st, err := os.Stat(filepath.Join("/run/netns", e.Name())); err == nil {
			m[st.Sys().(*syscall.Stat_t).Ino] = true
		}
	}
	return m
}

// procDiff compares the whole process list before and after: it returns
// the processes that appeared and are this test's (descendants of this
// process) or sit in a namespace that no longer has a name (a lab server
// is this binary re-executed inside the lab's namespaces). Other processes of the machine come and go meanwhile
// (other tests, other users): those that appeared are listed in seen, so
// that a failure shows the whole difference.
func procDiff(before, after map[string]proc) (left []string, seen []string) {
	named := namedNetns()
	for k, p := range after {
		if _, ok := before[k]; ok {
			continue
		}
		if p.netns == 0 {
			continue // gone while listed (its namespace could not be read)
		}
		// This test's own descendants, or a process in a namespace that
		// lost its name (a lab's server outliving its namespace). Another
		// run of this test binary (another worktree) is not ours.
		ours := p.self || !named[p.netns]
		if ours {
			left = append(left, p.String())
		} else {
			seen = append(seen, p.String())
		}
	}
	if len(left) > 0 {
		// A process of another test's lab sits in an unnamed namespace
		// for the moment its down takes: what is ours stays.
		time.Sleep(time.Second)
		now, named := procs(), namedNetns()
		var still []string
		for k, p := range after {
			if _, ok := before[k]; ok || p.netns == 0 {
				continue
			}
			if q, ok := now[k]; ok && (q.self || !named[q.netns]) {
				still = append(still, q.String())
			}
		}
		left = still
	}
	sort.Strings(left)
	sort.Strings(seen)
	return left, seen
}

// TestProcDiff checks that the process comparison sees a process this
// test started and left running, and not one that ended.
func TestProcDiff(t *testing.T) {
	before := procs()
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Skip("no true command")
	}
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Skip("no sleep command")
	}
	defer sleeper.Wait()
	defer sleeper.Process.Kill()
	left, _ := procDiff(before, procs())
	found := false
	for _, l := range left {
		if strings.HasPrefix(l, strconv.Itoa(sleeper.Process.Pid)+" ") {
			found = true
		}
	}
	if !found {
		t.Errorf("a process left running (%d) is not seen: %v", sleeper.Process.Pid, left)
	}
	sleeper.Process.Kill()
	sleeper.Wait()
	if left, _ := procDiff(before, procs()); len(left) > 0 {
		t.Errorf("processes seen after they ended: %v", left)
	}
}

var pidRE = regexp.MustCompile(`[0-9]{3,}`)

// othersNetns reports whether a namespace's name holds the PID of another
// live process than this test (pltp16357x..., pl-t16357-...): another
// test's, which comes and goes while this one runs.
func othersNetns(name string) bool {
	for _, m := range pidRE.FindAllString(name, -1) {
		pid, err := strconv.Atoi(m)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			return true
		}
	}
	return false
}
