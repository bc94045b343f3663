//go:build linux

package app

import "golang.org/x/sys/unix"

// harden makes the process keep its memory to itself before anything else
// runs (DESIGN.md, Hardening: memory): no core file is ever written
// (RLIMIT_CORE 0, soft and hard, so a child cannot raise it again), and the
// process is not dumpable (PR_SET_DUMPABLE 0), which also stops other
// processes of the same user from attaching with ptrace or reading
// /proc/PID/mem, and makes the process's /proc files belong to root.
// Failures are ignored: each is a defence in depth, and wardkey must still
// start where a sandbox forbids the call.
func harden() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}

// oNoFollow makes an open fail on a symlink instead of following it.
const oNoFollow = unix.O_NOFOLLOW
