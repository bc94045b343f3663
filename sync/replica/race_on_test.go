//go:build race

package replica

// raceEnabled: the race detector slows the property test about tenfold;
// CI runs its 200 seeds without it (make test) and 20 with it.
const raceEnabled = true
