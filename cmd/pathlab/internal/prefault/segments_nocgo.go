//go:build !cgo

package prefault

// segmentsMapped: without cgo nothing runs before the Go runtime, and this
// package maps the code and data itself.
const segmentsMapped = false
