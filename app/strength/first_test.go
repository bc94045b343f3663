package strength

import (
	"testing"
	"time"
)

// TestFirstEstimateCost reports what the first estimate costs (the lists
// are parsed and ranked then, not at init); run it alone (-run) to see it.
func TestFirstEstimateCost(t *testing.T) {
	start := time.Now()
	Estimate([]byte("Elizabeth1962"))
	first := time.Since(start)
	start = time.Now()
	Estimate([]byte("Jessica1985!"))
	t.Logf("first estimate %v (builds the dictionaries), next %v", first, time.Since(start))
}
