package spec

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/pathlab/pathlab/tracer/tracertest"
)

// TestHugeHeap: after hugeHeap, a large allocation lands in memory marked
// for transparent huge pages (smaps' VmFlags "hg", which only MADV_HUGEPAGE
// sets), where without it it does not.
func TestHugeHeap(t *testing.T) {
	const n = 64 << 20
	before := make([]byte, n/2)
	if hugeFlag(t, uintptr(unsafe.Pointer(&before[len(before)/2]))) {
		t.Skip("the heap is marked for huge pages already (another test prepared it)")
	}
	hugeHeap(n)
	after := make([]byte, n/2)
	// the middle: the range marked starts at the first 2 MiB boundary
	if !hugeFlag(t, uintptr(unsafe.Pointer(&after[len(after)/2]))) {
		t.Errorf("an allocation of %d MiB after hugeHeap(%d MiB) is not in a MADV_HUGEPAGE mapping", n/2>>20, n>>20)
	}
	runtime.KeepAlive(before) // live, so that after cannot take its pages
}

// hugeFlag reports whether the mapping holding addr has VmFlags hg.
func hugeFlag(t *testing.T, addr uintptr) bool {
	return strings.Contains(tracertest.Mapping(t, addr)["VmFlags"]+" ", " hg ")
}
