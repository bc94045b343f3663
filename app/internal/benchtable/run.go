//go:build unix

package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// command is one whole process to time.
type command struct {
	name    string
	argv    []string
	env     []string     // added to the environment
	stdin   string       // fed on standard input
	prepare func() error // run before each start, not timed
	check   func(out []byte) error
}

// sample is one run: wall time and the CPU time (user + system) the
// operating system accounted to the finished process and its children.
type sample struct{ wall, cpu time.Duration }

func (c command) run() (sample, error) {
	if c.prepare != nil {
		if err := c.prepare(); err != nil {
			return sample{}, fmt.Errorf("%s: prepare: %w", c.name, err)
		}
	}
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdin = strings.NewReader(c.stdin)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v: %.300s", c.name, err, out.String())
	}
	if c.check != nil {
		if err := c.check([]byte(out.String())); err != nil {
			return sample{}, fmt.Errorf("%s: %w", c.name, err)
		}
	}
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()) - time.Duration(before.Utime.Nano()+before.Stime.Nano())
	return sample{wall: wall, cpu: cpu}, nil
}

// result is a paired comparison: A and B started in turn, A B A B ..., so
// a drift in the machine's speed moves both; the ratio is taken pair by
// pair and its median reported.
type result struct {
	a, b       []sample
	wallRatios []float64
	cpuRatios  []float64
}

func paired(a, b command, runs, warmup int) (result, error) {
	var r result
	for i := range warmup + runs {
		sa, err := a.run()
		if err != nil {
			return r, err
		}
		var sb sample
		if b.argv != nil {
			if sb, err = b.run(); err != nil {
				return r, err
			}
		}
		if i < warmup {
			continue
		}
		r.a = append(r.a, sa)
		if b.argv != nil {
			r.b = append(r.b, sb)
			r.wallRatios = append(r.wallRatios, float64(sa.wall)/float64(sb.wall))
			if sb.cpu > 0 {
				r.cpuRatios = append(r.cpuRatios, float64(sa.cpu)/float64(sb.cpu))
			}
		}
	}
	return r, nil
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func walls(s []sample) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, x := range s {
		out[i] = x.wall
	}
	return out
}

func cpus(s []sample) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, x := range s {
		out[i] = x.cpu
	}
	return out
}

// ms prints a duration in milliseconds with three significant digits.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

func ratio(x float64) string {
	if x == 0 || math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", x)
}
