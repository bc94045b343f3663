//go:build unix

package vault

import (
	"errors"

	"golang.org/x/sys/unix"
)

const oNoFollow = unix.O_NOFOLLOW

// oNonBlock keeps an open of a FIFO planted in a file's place from waiting
// for a writer; a regular file ignores it.
const oNonBlock = unix.O_NONBLOCK

func isSymlinkErr(err error) bool { return errors.Is(err, unix.ELOOP) }
