package prefault

import (
	"syscall"
	"unsafe"
)

// Program header and auxiliary vector values of the ELF specification.
const (
	ptLoad = 1
	ptPhdr = 6
	pfX    = 1
	pfW    = 2

	atPhdr  = 3
	atPhent = 4
	atPhnum = 5

	madvPopulateRead  = 22 // MADV_POPULATE_READ, Linux 5.14
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE
)

// prog64 is an ELF64 program header (Elf64_Phdr).
type prog64 struct {
	Type, Flags                                 uint32
	Off, Vaddr, Paddr, Filesz, Memsz, Alignment uint64
}

// heapAhead is how much of the heap past its current end is mapped at start:
// about what a short command allocates (BenchmarkShortCommand).
const heapAhead = 1 << 20

// sink keeps the allocation that locates the heap alive until it is used.
var sink *[16]byte

func init() {
	if v, _ := syscall.Getenv("PATHLAB_PREFAULT"); v == "0" {
		return
	}
	mapSegments()
	// The heap grows upwards from where a new object lands now.
	sink = new([16]byte)
	start := uintptr(unsafe.Pointer(sink))
	madvise(start, start+heapAhead, madvPopulateWrite)
	sink = nil
	growStack()
}

// mapSegments maps the code and the initialized data.
func mapSegments() {
	for _, r := range ranges() {
		madvise(r.start, r.end, r.advice)
	}
}

// stackIndex is 0; the compiler cannot know it, so growStack's frame stays.
var stackIndex int

// growStack grows the main goroutine's stack (8 KiB at start) to 64 KiB in
// one copy while it is shallow, instead of doubling it three times in the
// middle of deep calls: each copy walks every frame on it, with the line
// tables read from pages not yet touched.
//
//go:noinline
func growStack() byte {
	var frame [32 << 10]byte
	frame[stackIndex] = 1
	return frame[stackIndex+1]
}

type span struct {
	start, end uintptr
	advice     int
}

// ranges returns the executable segment, to be read, and the initialized
// part of the writable one, to be written (each of its pages is the
// process's own copy once written): from the program headers the kernel
// passed in the auxiliary vector. This package imports only syscall so
// that it runs before nearly every other package's init.
func ranges() []span {
	var phdr, phent, phnum uintptr
	for kv := range auxv() {
		switch kv[0] {
		case atPhdr:
			phdr = uintptr(kv[1])
		case atPhent:
			phent = uintptr(kv[1])
		case atPhnum:
			phnum = uintptr(kv[1])
		}
	}
	if phdr == 0 || phent != unsafe.Sizeof(prog64{}) || phnum == 0 || phnum > 64 {
		return nil
	}
	progs := unsafe.Slice((*prog64)(unsafe.Add(unsafe.Pointer(nil), phdr)), phnum)
	bias := uintptr(0) // the load address of a position-independent binary
	for _, p := range progs {
		if p.Type == ptPhdr {
			bias = phdr - uintptr(p.Vaddr)
		}
	}
	var out []span
	for _, p := range progs {
		if p.Type != ptLoad || p.Filesz == 0 {
			continue
		}
		s := span{start: bias + uintptr(p.Vaddr), end: bias + uintptr(p.Vaddr+p.Filesz)}
		switch {
		case p.Flags&pfX != 0:
			s.advice = madvPopulateRead
		case p.Flags&pfW != 0:
			s.advice = madvPopulateWrite
		default:
			continue
		}
		out = append(out, s)
	}
	return out
}

// madvise applies advice to the whole pages of [start, end). Errors (an
// older kernel, a range the kernel will not populate) are ignored: the
// pages then fault in as they would have.
func madvise(start, end uintptr, advice int) {
	page := uintptr(syscall.Getpagesize())
	start &^= page - 1
	end = (end + page - 1) &^ (page - 1)
	if end > start {
		// Raw: the runtime does not hand the processor to another thread
		// (a new one, at start) while the call maps the pages.
		syscallMadvise(start, end-start, advice)
	}
}

// auxv yields the (type, value) pairs of /proc/self/auxv.
func auxv() func(func([2]uint64) bool) {
	return func(yield func([2]uint64) bool) {
		fd, err := syscall.Open("/proc/self/auxv", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return
		}
		var words [128]uint64 // about 20 pairs, in the machine's byte order
		n, _ := syscall.Read(fd, unsafe.Slice((*byte)(unsafe.Pointer(&words)), len(words)*8))
		syscall.Close(fd)
		for i := 0; i+1 < n/8; i += 2 {
			kv := [2]uint64{words[i], words[i+1]}
			if kv[0] == 0 || !yield(kv) {
				return
			}
		}
	}
}

func syscallMadvise(start, length uintptr, advice int) (uintptr, uintptr, syscall.Errno) {
	return syscall.RawSyscall(syscall.SYS_MADVISE, start, length, uintptr(advice))
}
