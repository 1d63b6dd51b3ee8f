//go:build cgo && linux

package cstart

import (
	"reflect"
	"runtime"
	"sync"
	"testing"
	"unsafe"
)

// TestOneArena starts OS threads (each goroutine locked to its own) and
// checks they share the C library's one malloc arena: without the
// constructor's mallopt each new thread makes its own on cgo's thread start.
func TestOneArena(t *testing.T) {
	const threads = 8
	var started, release sync.WaitGroup
	started.Add(threads)
	release.Add(1)
	for range threads {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			started.Done()
			release.Wait()
		}()
	}
	started.Wait()
	n := Arenas()
	release.Done()
	if n == -1 {
		t.Skip("the C library is not glibc: no arenas to count")
	}
	if n != 1 {
		t.Errorf("the C library has %d malloc arenas with %d threads locked; want 1", n, threads)
	}
}

// marker is initialized data: it lies in the writable segment's file part.
var marker = 7

// TestRanges: the constructor maps the code for reading and the initialized
// data for writing, and every madvise call succeeds (the writable
// segment's RELRO part, read-only by then, is left out, or the call on the
// whole segment fails).
func TestRanges(t *testing.T) {
	code := reflect.ValueOf(Arenas).Pointer()
	data := uintptr(unsafe.Pointer(&marker))
	const populateRead, populateWrite = 22, 23
	var read, write bool
	for _, s := range ranges() {
		switch {
		case s.start >= s.end || s.start%4096 != 0 || s.end%4096 != 0:
			t.Errorf("range %#x-%#x: want whole pages", s.start, s.end)
		case s.advice == populateRead && s.start <= code && code < s.end:
			read = true
		case s.advice == populateWrite && s.start <= data && data < s.end:
			write = true
		}
	}
	if !read || !write {
		t.Errorf("ranges() = %+v: want the code (holding %#x) to read and the data (holding %#x) to write", ranges(), code, data)
	}
	if failed := mapSegments(); failed != 0 {
		t.Errorf("%d of the constructor's madvise calls failed (a kernel older than 5.14 has no MADV_POPULATE_*)", failed)
	}
}
