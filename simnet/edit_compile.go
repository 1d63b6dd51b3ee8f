package simnet

import "sync/atomic"

// compilations counts the specs compiled since the program started, so
// that tests can hold callers to compiling a world once per change.
var compilations atomic.Uint64

// Compilations returns how many times a spec has been compiled (by
// Compile, ParseSpec or LoadSpec) in this process. It is for tests.
func Compilations() uint64 { return compilations.Load() }
