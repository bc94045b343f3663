//go:build !unix

package vault

import "time"

// cpuTime is 0 where getrusage is missing: the benchmarks then report no
// CPU time, only wall time.
func cpuTime() time.Duration { return 0 }
