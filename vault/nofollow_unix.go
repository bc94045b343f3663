//go:build unix

package vault

import (
	"errors"

	"golang.org/x/sys/unix"
)

const oNoFollow = unix.O_NOFOLLOW

func isSymlinkErr(err error) bool { return errors.Is(err, unix.ELOOP) }
