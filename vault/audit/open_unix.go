//go:build unix

package audit

import "golang.org/x/sys/unix"

// oNoBlockNoFollow opens what is at a path only if it is not a symlink,
// and without waiting: a FIFO swapped in after the Lstat opens at once
// (and then fails the regular-file check) instead of blocking under the
// log's lock.
const oNoBlockNoFollow = unix.O_NONBLOCK | unix.O_NOFOLLOW
