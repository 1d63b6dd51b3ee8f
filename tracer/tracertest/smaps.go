package tracertest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Mapping returns the fields of the mapping of this process that holds
// addr, from /proc/self/smaps: "Size" and "Rss" (in kB, as written, such
// as "1024 kB"), "VmFlags" and the rest. The test is skipped where there
// is no smaps (not Linux) and fails when no mapping holds addr.
func Mapping(t testing.TB, addr uintptr) map[string]string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var fields map[string]string
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			if fields != nil {
				break // the mapping after the one wanted
			}
			if lo <= addr && addr < hi {
				fields = map[string]string{}
			}
			continue
		}
		if fields != nil {
			if k, v, ok := strings.Cut(line, ":"); ok {
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	if fields == nil {
		t.Fatalf("no mapping holds %#x in /proc/self/smaps", addr)
	}
	return fields
}

// KB reads a size field of Mapping ("1024 kB") as a number of kilobytes.
func KB(t testing.TB, field string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(field, " kB"))
	if err != nil {
		t.Fatalf("smaps size %q: %v", field, err)
	}
	return n
}

// mappingRange parses the "lo-hi perms offset ..." line that starts a
// mapping in smaps.
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	r, _, found := strings.Cut(line, " ")
	a, b, dash := strings.Cut(r, "-")
	if !found || !dash {
		return 0, 0, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(x), uintptr(y), true
}
