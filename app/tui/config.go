package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// Config is what the TUI gets from package app: values, and functions that
// do the I/O. The TUI calls every function from a tea.Cmd, never from
// Update or View.
type Config struct {
	// Profile names the profile in the title line.
	Profile string
	// Demo says the vault is the embedded demo (in memory; nothing saved).
	Demo bool
	// HasVault says the profile has a vault; false shows the first-run screen.
	HasVault bool
	// Slots are the kinds of the vault's key slots (vault.SlotKeyring, ...).
	Slots []string
	// PassphraseFile says the vault passphrase comes from a file
	// (--vault-passphrase-file): Open(nil) uses it, so no field is needed.
	PassphraseFile bool
	// DefaultKeyring says a new vault of this profile gets a keyring slot
	// when the keyring works (the default profile, or --keyring).
	DefaultKeyring bool

	// Now is the wall clock; nil means time.Now.
	Now func() time.Time

	// Open unlocks the vault. A nil passphrase tries the keyring slot only.
	// It counts failed passphrase attempts across processes.
	Open func(passphrase []byte) (*vault.Vault, error)
	// UnlockWait says how many passphrase attempts failed in a row and how
	// long to wait before the next one. Nil means no waiting.
	UnlockWait func() (failed int, wait time.Duration)
	// OpenDemo opens the embedded demo vault (first-run screen).
	OpenDemo func() (*vault.Vault, error)
	// ProbeKeyring reports whether the OS keyring works (nil: it does).
	ProbeKeyring func() error
	// Create makes the profile's vault.
	Create func(CreateRequest) (*vault.Vault, error)
	// Local reads this machine's state (clock offset, last backup) for the
	// open vault. Nil means none.
	Local func() vault.Local
	// ImportFile reads accounts from a file (a QR image, an export). Nil
	// means QR import is not built yet.
	ImportFile func(path string) ([]vault.Account, error)
	// Sync syncs the vault with its remote ("s"). Nil hides the key.
	Sync func(v *vault.Vault) (string, error)
	// WriteNewFile writes a new backup file: 0600, atomically, never over
	// an existing file. Nil hides export (x).
	WriteNewFile func(path string, data []byte) error
	// RefuseExisting fails when path exists: export asks it before the
	// passphrase. Nil: a plain existence check.
	RefuseExisting func(path string) error
	// ExplainBackup words a backup.Read error for the person, as
	// 'wardkey restore' does (file names the backup). Nil: the error itself.
	ExplainBackup func(file string, err error) error
	// App names this program in the backups it writes ("wardkey 1.2").
	App string
	// Home is the person's home directory: the default backup path, and a
	// leading ~ in typed paths. Empty: the working directory.
	Home string
	// MeasureClock asks NTP how far this clock is off (server minus local,
	// before any applied correction), within a few seconds. Nil, or an
	// error (offline), shows no NTP banner.
	MeasureClock func() (time.Duration, error)
	// BackupBanner turns on the "no backup" banner (backups exist).
	BackupBanner bool
	// Recent loads and SaveRecent stores when each account was last used
	// (Unix seconds by account ID), for "sort by recent use". Nil: kept in
	// memory only.
	Recent     func() map[string]int64
	SaveRecent func(map[string]int64) error

	// Clipboard is the system clipboard, or nil where there is none. OSC 52
	// is always used besides it.
	Clipboard Clipboard

	// NewRecoveryCode makes the recovery code of a new vault; nil means
	// vault.NewRecoveryCode. Tests fix it.
	NewRecoveryCode func() string

	// After schedules msg after d; nil means tea.Tick. Tests replace it.
	After func(d time.Duration, msg tea.Msg) tea.Cmd
}

// CreateRequest says how to make a new vault on the first-run screen.
type CreateRequest struct {
	Keyring      bool   // add a keyring slot
	Passphrase   []byte // non-empty: add a passphrase slot
	RecoveryCode string // non-empty: add a recovery slot
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) after(d time.Duration, msg tea.Msg) tea.Cmd {
	if c.After != nil {
		return c.After(d, msg)
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

func (c Config) has(kind string) bool {
	for _, s := range c.Slots {
		if s == kind {
			return true
		}
	}
	return false
}
