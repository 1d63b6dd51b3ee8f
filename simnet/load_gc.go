package simnet

import (
	"runtime/debug"
	"sync"
)

// A large load allocates hundreds of megabytes that almost all stay live
// (the spec and the compiled world), so the collector's cycles during it
// mark a growing heap again and again and free little. For its duration
// the collector's target is raised (loadGCPercent instead of the usual
// 100): the 100k world's load is collected once or twice instead of three
// or four times, at the cost of the little garbage it makes living until
// the load ends. The setting is the process's, so loads that overlap share
// one raise, and the last to end restores what was set before the first;
// a target already higher (or the collector off) is kept.
const (
	loadGCOver    = 16 << 20 // files smaller than this load as before
	loadGCPercent = 400
)

var loadGC struct {
	sync.Mutex
	n   int // loads under way with the raised target
	old int // the percentage before the first of them
}

// relaxGC raises the collector's target for a load of size bytes, if it
// is large; the function it returns puts it back.
func relaxGC(size int) (restore func()) {
	if size < loadGCOver {
		return func() {}
	}
	loadGC.Lock()
	if loadGC.n == 0 {
		loadGC.old = debug.SetGCPercent(loadGCPercent)
		if loadGC.old < 0 || loadGC.old > loadGCPercent {
			debug.SetGCPercent(loadGC.old) // off (GOGC=off) or already higher: keep it
		}
	}
	loadGC.n++
	loadGC.Unlock()
	return func() {
		loadGC.Lock()
		loadGC.n--
		if loadGC.n == 0 {
			debug.SetGCPercent(loadGC.old)
		}
		loadGC.Unlock()
	}
}
