package spec

import (
	"os"
	"sync"
)

// A large world is read and compiled into hundreds of megabytes of heap,
// all of it fresh memory, and a fresh process faults every 4 KiB page of it
// in: 130,000 faults for the 100k world, a third of `pathlab check`'s time
// on these virtual machines. PrepareHeap asks for transparent huge pages
// (2 MiB, one fault each) for the heap such a load will use: it allocates
// that much without touching it, marks the range MADV_HUGEPAGE, and frees
// it again (hugeheap_linux.go), so that the load's objects land in it.
// That works whether transparent huge pages are "always" or, as on these
// machines, "madvise"; where they are "never" it costs one collection of a
// small heap and gains nothing. Other systems do nothing.

// hugeHeapOver is the file size from which a load prepares its heap, and
// heapPerByte the heap a byte of world file takes, loaded (5.5 for the
// generated 100k world: 96 MB of file, 530 MB of heap).
const (
	hugeHeapOver = 16 << 20
	heapPerByte  = 6
	hugeHeapMax  = 4 << 30
)

var prepared sync.Once

// PrepareHeap readies the heap for loading worlds of total bytes of file,
// once per process: the first large load (or diff's two) decides.
// PATHLAB_HUGEPAGES=0 turns it off.
func PrepareHeap(total int64) {
	if total < hugeHeapOver || os.Getenv("PATHLAB_HUGEPAGES") == "0" {
		return
	}
	prepared.Do(func() { hugeHeap(int(min(total*heapPerByte, hugeHeapMax))) })
}
