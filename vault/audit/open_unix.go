//go:build unix

package audit

import "golang.org/x/sys/unix"

// oNoBlockNoFollow: openRegular's open follows no symlink and does not wait
// on a FIFO swapped in after its Lstat (it then fails the check once open)
// instead of blocking under the log's lock.
const oNoBlockNoFollow = unix.O_NONBLOCK | unix.O_NOFOLLOW
