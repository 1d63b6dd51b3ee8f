//go:build race

package lab_test

// raceEnabled: the race detector slows the re-executed probes and servers.
const raceEnabled = true
