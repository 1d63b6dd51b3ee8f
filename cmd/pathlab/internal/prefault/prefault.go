// Package prefault maps the program's code and initialized data into its
// page tables with a few madvise calls at start, before nearly every other
// package's init function runs.
//
// pathlab is one binary of about 25 MB. A short command (--help, trace,
// check) touches a few hundred of its pages, and on a virtual machine each
// first touch is a page fault that costs microseconds: together a large
// part of the command's CPU. MADV_POPULATE_READ and MADV_POPULATE_WRITE
// (Linux 5.14) map the same pages in one system call each, for a fraction
// of the faults they replace (figures in the README's "Scale figures").
// The read-only data segment is left to fault on demand: most of it (the
// line tables of functions that never run) is never read, and populating
// it cost as much as it saved.
//
// The package imports nothing but unsafe and makes its system calls itself
// (sys_linux_amd64.s), so that it initializes third, after the runtime:
// through the syscall package it came 16th, after packages whose own
// faults it could have spared.
//
// In a cgo build (the default where a C compiler is present) package
// cstart's C constructor maps the code and data before the Go runtime
// starts, and this package only grows the stack and maps the heap ahead.
//
// It is an optimisation only: on other systems and architectures, older
// kernels or any error it maps nothing, and PATHLAB_PREFAULT=0 in the
// environment turns the mapping off (the stack still grows once).
package prefault
