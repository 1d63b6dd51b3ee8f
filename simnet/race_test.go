//go:build race

package simnet

// raceEnabled: the race detector changes allocation counts.
const raceEnabled = true
