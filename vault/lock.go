package vault

import (
	"time"

	"github.com/wardkey/wardkey/vault/internal/flock"
)

// lockFile takes an exclusive advisory lock on path, waiting for it. The
// lock dies with the process, so a stale lock cannot outlive its holder.
func lockFile(path string) (func(), error) { return flock.Lock(path, flock.Forever) }

// lockFileWait is lockFile waiting at most d (d < 0: for as long as it
// takes); it fails with ErrLockBusy when d passes, and refuses a planted
// lock file (a directory, a symlink, another user's file) with
// ErrPlantedLock.
func lockFileWait(path string, d time.Duration) (func(), error) { return flock.Lock(path, d) }
