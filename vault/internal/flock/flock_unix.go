//go:build unix

package flock

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Lock takes an exclusive lock on path, creating the file (0600), waiting
// at most d for it (d < 0, Forever: as long as it takes); it fails with
// ErrBusy when d passes. The file is opened without following a symlink
// and must be a regular file of this user: a planted one (a directory, a
// symlink, another user's file) is refused with ErrPlanted, never used or
// written through. The returned function releases the lock.
func Lock(path string, d time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.EISDIR) || errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("%s: %w", path, ErrPlanted)
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
		return nil, fmt.Errorf("%s (not a regular file of this user): %w", path, ErrPlanted)
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
			return nil, ErrBusy
		}
		return nil, err
	}
	return func() {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
