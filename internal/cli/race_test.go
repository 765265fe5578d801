//go:build race

package cli

// raceEnabled skips time and memory bounds, which the race detector
// multiplies.
const raceEnabled = true
