//go:build wardkey_lean && unix

package app

import (
	"os"
	"syscall"
)

// execFull replaces this process with wardkey-full (same process ID,
// terminal, signals and environment): it returns only when the exec
// failed.
func execFull(full string, args []string) (int, error) {
	argv := append([]string{os.Args[0]}, args...)
	return 0, syscall.Exec(full, argv, os.Environ())
}
