//go:build !race

package vault

// raceEnabled: see race_on_test.go.
const raceEnabled = false
