package vault

import (
	"errors"

	"github.com/wardkey/wardkey/vault/internal/flock"
)

// Sentinel errors that callers branch on. The app turns each into one
// sentence for the person; the wrapped cause says more.
var (
	// ErrLocked: no slot could open the vault with what was offered.
	ErrLocked = errors.New("vault is locked")
	// ErrWrongPassphrase: the passphrase or recovery code did not open its slot.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrTampered: the vault file failed authentication (altered or corrupt).
	ErrTampered = errors.New("vault file is corrupt or was altered")
	// ErrUnsupportedVersion: the vault was written by a newer wardkey.
	ErrUnsupportedVersion = errors.New("vault format version is not supported")
	// ErrNotVault: the file is not a wardkey vault at all.
	ErrNotVault = errors.New("not a wardkey vault file")
	// ErrNoVault: there is no vault in the profile yet.
	ErrNoVault = errors.New("no vault here yet")
	// ErrExists: a vault already exists where one would be created.
	ErrExists = errors.New("a vault already exists")
	// ErrKeyringUnavailable: the OS keyring could not be reached in time.
	ErrKeyringUnavailable = errors.New("OS keyring is not reachable")
	// ErrKeyringMissing: the keyring works but holds no key for this vault.
	ErrKeyringMissing = errors.New("OS keyring holds no key for this vault")
	// ErrNotFound: no account matched a query.
	ErrNotFound = errors.New("no account matches")
	// ErrKeyRotated: another process gave the vault a new key; this open
	// vault locked itself and must be opened again.
	ErrKeyRotated = errors.New("the vault was given a new key by another process")
	// ErrUnknownKey: data sealed under a key this vault never had.
	ErrUnknownKey = errors.New("sealed under a key this vault does not have")
	// ErrAmbiguous: several accounts matched a query.
	ErrAmbiguous = errors.New("several accounts match")
	// ErrLockBusy: a profile's lock was held longer than the wait allowed.
	ErrLockBusy = flock.ErrBusy
	// ErrPlantedLock: a lock file is not a regular file of this user (a
	// directory, a symlink or another user's file was put there).
	ErrPlantedLock = flock.ErrPlanted
)
