//go:build windows

package flock

import (
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// Lock takes an exclusive lock on path with LockFileEx, creating the file,
// waiting for it as long as it takes (d is not honoured on Windows). The
// returned function releases the lock.
func Lock(path string, d time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
		f.Close()
	}, nil
}
