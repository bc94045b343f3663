//go:build unix && !wardkey_lean

package app

import (
	"os"
	"runtime"
	"syscall"
)

// canRelaunch says this system can replace the running program with a
// fresh copy of itself (execve), so a lock can end the address space.
const canRelaunch = true

// relaunch replaces this process with a fresh run of the same binary and
// arguments (same PID, nothing of the old address space kept), started on
// the locked screen with why as the lock's reason. It returns only on
// failure.
func relaunch(why string) error {
	exe := "/proc/self/exe" // the running binary, even if replaced on disk since
	if runtime.GOOS != "linux" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return err
		}
	}
	env := append(os.Environ(), lockedEnv+"=1", lockedWhyEnv+"="+why)
	return syscall.Exec(exe, os.Args, env)
}
