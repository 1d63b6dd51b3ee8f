// Package cstart runs before the Go runtime in a cgo build of pathlab: a C
// constructor, which the C library calls before main and so before the
// runtime starts its threads or touches its heap.
//
// Where a C compiler is present, go build links pathlab against the C
// library (the net package asks for it), and two costs of a short command
// come with that:
//
//   - Each thread the runtime starts (four in a short command) made its own
//     malloc arena on its first free: a 64 MiB reservation, an mprotect and
//     page faults, for the few bytes cgo's thread start allocates.
//     mallopt(M_ARENA_MAX, 1) keeps every thread on the main arena.
//   - The runtime's own start faults in pages of the code and data one by
//     one before any Go package's init can map them (package prefault, in
//     a build without cgo, runs third). Here the constructor maps them
//     first, as prefault would: the code with MADV_POPULATE_READ, the
//     initialized data with MADV_POPULATE_WRITE.
//
// With them the cgo build's short commands went from 21-22 ms of CPU to
// 14.5-17.7 ms, as fast as the static build (README, "Scale figures"). PATHLAB_PREFAULT=0 turns the mapping off, as it does
// prefault's; the arena limit stays. A non-standard package using cgo makes
// go build link with the system's linker. Without cgo (CGO_ENABLED=0, or
// no C compiler) or off Linux the package is empty, and package prefault
// maps the code and data itself.
package cstart
