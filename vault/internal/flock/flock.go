// Package flock is the one advisory file lock of the vault and its audit
// log: exclusive, dying with the process (so a stale lock cannot outlive
// its holder), and refusing a lock file someone planted.
package flock

import "errors"

var (
	// ErrBusy: the lock was held longer than the wait allowed.
	ErrBusy = errors.New("another wardkey process holds the profile's lock")
	// ErrPlanted: the lock file is not a regular file of this user (a
	// directory, a symlink or another user's file was put there).
	ErrPlanted = errors.New("the lock file is not a regular file of this user")
)

// Forever is the wait of a lock taken for as long as it takes.
const Forever = -1
