//go:build cgo

package prefault

// segmentsMapped: in a cgo build, package cstart's C constructor has mapped
// the code and data already, before the Go runtime started.
const segmentsMapped = true
