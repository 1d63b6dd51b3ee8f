//go:build race

package main

// raceEnabled: the race detector slows the re-executed probes and the
// lab's delay bridge past what a timing test can judge.
const raceEnabled = true
