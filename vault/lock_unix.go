//go:build unix

package vault

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock on path, waiting for it. The
// lock dies with the process, so a stale lock cannot outlive its holder.
func lockFile(path string) (func(), error) { return lockFileWait(path, -1) }

// lockFileWait is lockFile waiting at most d (d < 0: for as long as it
// takes); it fails with ErrLockBusy when d passes. The lock file is opened
// without following a symlink and must be a regular file of this user: a
// planted one (a directory, a symlink, another user's file) is refused
// with ErrPlantedLock, never used.
func lockFileWait(path string, d time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s: %w", path, ErrPlantedLock)
		}
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || int(st.Uid) != os.Geteuid() {
		f.Close()
		return nil, fmt.Errorf("%s (not a regular file of this user): %w", path, ErrPlantedLock)
	}
	how := unix.LOCK_EX
	if d >= 0 {
		how |= unix.LOCK_NB
	}
	deadline := time.Now().Add(d)
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err == unix.EWOULDBLOCK && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		if err == unix.EWOULDBLOCK {
			return nil, ErrLockBusy
		}
		return nil, err
	}
	return func() {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
