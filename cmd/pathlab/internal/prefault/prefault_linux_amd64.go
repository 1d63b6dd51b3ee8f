package prefault

import "unsafe"

// Program header and auxiliary vector values of the ELF specification.
const (
	ptLoad = 1
	ptPhdr = 6
	pfX    = 1
	pfW    = 2

	atPhdr  = 3
	atPhent = 4
	atPhnum = 5
)

// Linux's system call numbers and flags on amd64.
const (
	sysRead    = 0
	sysClose   = 3
	sysMadvise = 28
	sysOpenat  = 257

	atFDCWD  = ^uintptr(99) // AT_FDCWD, -100
	oCloexec = 0x80000      // O_RDONLY|O_CLOEXEC
	eINVAL   = 22

	madvDontneed      = 4
	madvPopulateRead  = 22 // MADV_POPULATE_READ, Linux 5.14
	madvPopulateWrite = 23 // MADV_POPULATE_WRITE

	pageSize = 4096
)

// rawSyscall makes system call trap with three arguments, without telling
// the scheduler (none of these calls blocks for long).
//
//go:noescape
func rawSyscall(trap, a1, a2, a3 uintptr) (r1, errno uintptr)

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
	growStack() // first: off's buffer then fits in the stack grown once
	if off() {
		return
	}
	if !segmentsMapped {
		mapSegments()
	}
	// The heap grows upwards from where a new object lands now.
	sink = new([16]byte)
	start := uintptr(unsafe.Pointer(sink))
	madvise(start, start+heapAhead, madvPopulateWrite)
	sink = nil
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
	advice     uintptr
}

// ranges returns the executable segment, to be read, and the initialized
// part of the writable one, to be written (each of its pages is the
// process's own copy once written): from the program headers the kernel
// passed in the auxiliary vector.
func ranges() []span {
	var phdr, phent, phnum uintptr
	var words [64]uint64 // /proc/self/auxv: about 20 (type, value) pairs
	n := readFile("/proc/self/auxv\x00", unsafe.Slice((*byte)(unsafe.Pointer(&words)), len(words)*8))
	for i := 0; i+1 < n/8 && words[i] != 0; i += 2 {
		switch words[i] {
		case atPhdr:
			phdr = uintptr(words[i+1])
		case atPhent:
			phent = uintptr(words[i+1])
		case atPhnum:
			phnum = uintptr(words[i+1])
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

// off reports whether PATHLAB_PREFAULT=0 is in the environment (the
// first 16 KiB of it: the os package is not initialized yet).
func off() bool {
	var env [16 << 10]byte
	n := readFile("/proc/self/environ\x00", env[:])
	const key = "PATHLAB_PREFAULT=0\x00"
	for start := 0; start < n; {
		end := start
		for end < n && env[end] != 0 {
			end++
		}
		if end < n && string(env[start:end+1]) == key {
			return true
		}
		start = end + 1
	}
	return false
}

// readFile reads up to len(buf) bytes of the file at path (NUL-terminated)
// and returns how many it read: 0 on any error.
func readFile(path string, buf []byte) int {
	fd, errno := rawSyscall(sysOpenat, atFDCWD, uintptr(unsafe.Pointer(unsafe.StringData(path))), oCloexec)
	if errno != 0 {
		return 0
	}
	total := 0
	for total < len(buf) {
		r, errno := rawSyscall(sysRead, fd, uintptr(unsafe.Pointer(&buf[total])), uintptr(len(buf)-total))
		if errno != 0 || r == 0 {
			break
		}
		total += int(r)
	}
	rawSyscall(sysClose, fd, 0, 0)
	return total
}

// madvise applies advice to the whole pages of [start, end). Errors (an
// older kernel, a range the kernel will not populate) are ignored: the
// pages then fault in as they would have.
func madvise(start, end uintptr, advice uintptr) uintptr {
	start &^= pageSize - 1
	end = (end + pageSize - 1) &^ (pageSize - 1)
	if end <= start {
		return 0
	}
	_, errno := rawSyscall(sysMadvise, start, end-start, advice)
	return errno
}
