//go:build race

package vault

// raceEnabled: the race detector's instrumentation allocates on its own
// (its shadow memory, sync.Pool dropping a quarter of its items), so
// allocation counts are checked by make test, which runs without it.
const raceEnabled = true
