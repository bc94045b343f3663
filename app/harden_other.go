//go:build unix && !linux

package app

import "golang.org/x/sys/unix"

// harden is the nearest a Unix other than Linux offers to the Linux
// version: no core files (RLIMIT_CORE 0). macOS and the BSDs have no
// PR_SET_DUMPABLE; their own protections (macOS hardened runtime, BSD
// P_SUGID rules) are outside a program's reach.
func harden() {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
}

// oNoFollow makes an open fail on a symlink instead of following it.
const oNoFollow = unix.O_NOFOLLOW
