package prefault

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"unsafe"

	"github.com/pathlab/pathlab/tracer/tracertest"
)

// marker is initialized data: it lies in the writable segment's file part.
var marker = 7

func TestRanges(t *testing.T) {
	text := reflect.ValueOf(growStack).Pointer()
	data := uintptr(unsafe.Pointer(&marker))
	var exec, write bool
	for _, s := range ranges() {
		if s.start >= s.end {
			t.Errorf("empty range %#x-%#x", s.start, s.end)
		}
		switch {
		case s.advice == madvPopulateRead && s.start <= text && text < s.end:
			exec = true
		case s.advice == madvPopulateWrite && s.start <= data && data < s.end:
			write = true
		}
	}
	if !exec || !write {
		t.Errorf("ranges() = %+v: want the code (holding %#x) to read and the data (holding %#x) to write", ranges(), text, data)
	}
}

// TestCodeIsMapped: mapSegments puts every page of the code in the page
// tables (smaps' Rss of the mapping equals its Size). The test first drops
// the code's page table entries (MADV_DONTNEED: the code is read-only and
// refaults from the file), to see that they are missing without it.
func TestCodeIsMapped(t *testing.T) {
	if _, errno := rawSyscall(sysMadvise, 0, 0, madvPopulateRead); errno == eINVAL {
		t.Skip("the kernel has no MADV_POPULATE_READ (Linux 5.14)")
	}
	text := reflect.ValueOf(growStack).Pointer()
	var code span
	for _, s := range ranges() {
		if s.advice == madvPopulateRead {
			code = s
		}
	}
	if errno := madvise(code.start, code.end, madvDontneed); errno != 0 {
		t.Fatalf("madvise(MADV_DONTNEED) on the code: errno %d", errno)
	}
	if rss, size := residentKB(t, text); rss >= size {
		t.Fatalf("after MADV_DONTNEED: Rss %d kB of Size %d kB; the test cannot see a difference", rss, size)
	}
	mapSegments()
	if rss, size := residentKB(t, text); rss < size {
		t.Errorf("after mapSegments: Rss %d kB of Size %d kB; want all of the code mapped", rss, size)
	}
}

// residentKB returns the Rss and Size of the mapping that holds addr.
func residentKB(t *testing.T, addr uintptr) (rss, size int) {
	m := tracertest.Mapping(t, addr)
	return tracertest.KB(t, m["Rss"]), tracertest.KB(t, m["Size"])
}

// TestOff runs the test binary again with PATHLAB_PREFAULT set: off reads
// the environment the process started with, which t.Setenv does not change.
func TestOff(t *testing.T) {
	if _, ok := os.LookupEnv("PREFAULT_REPORT_OFF"); ok {
		fmt.Print(off())
		os.Exit(0)
	}
	for _, tt := range []struct {
		env  string
		want string
	}{
		{"PATHLAB_PREFAULT=0", "true"},
		{"PATHLAB_PREFAULT=1", "false"},
		{"PATHLAB_PREFAULT_X=0", "false"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOff$")
		cmd.Env = append(os.Environ(), "PREFAULT_REPORT_OFF=1", tt.env)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", tt.env, err)
		}
		if string(out) != tt.want {
			t.Errorf("with %s: off() = %s, want %s", tt.env, out, tt.want)
		}
	}
}
