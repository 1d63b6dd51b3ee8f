// Package prefault maps the program's code and initialized data into its
// page tables with a few madvise calls at start, before the packages above
// it run their init functions.
//
// pathlab is one binary of about 25 MB. A short command (--help, trace,
// check) touches a few hundred of its pages, and on a virtual machine each
// first touch is a page fault that costs microseconds: together a large
// part of the command's CPU. MADV_POPULATE_READ and MADV_POPULATE_WRITE
// (Linux 5.14) map the same pages in one system call each, which costs a
// fraction of the faults they replace (figures in the README's "Scale
// figures"). The read-only data segment is left to fault on demand: most of
// it (the line tables of functions that never run) is never read, and
// populating it cost more than it saved.
//
// It is an optimisation only: on other systems, older kernels or any error
// it does nothing, and PATHLAB_PREFAULT=0 turns it off.
package prefault
