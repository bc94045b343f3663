package tui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

// Config is what the TUI gets from package app when it starts: values that
// hold for the whole process, and the [Backend] that does every piece of
// I/O. The TUI never changes it: what belongs to the open profile lives in
// the session (session.go), so switching people is closing one session
// and opening another.
type Config struct {
	// Profile is the profile the TUI starts on.
	Profile Profile

	// Backend does the I/O: opening, saving, files, the clock, the
	// clipboard. The TUI calls it only from tea.Cmd functions
	// (commands.go), never from Update or View.
	Backend Backend

	// EndOnLock makes a lock end the program once it has wiped what the
	// TUI holds and cleared a copied code: Model.Relaunch then says so, and
	// package app starts the binary again in the same process (a fresh
	// address space), because Go cannot wipe what its runtime and libraries
	// copied. False keeps the locked screen in this process (tests, and
	// systems without exec).
	EndOnLock bool
	// Locked starts the TUI as after a lock, with LockedWhy as the reason
	// ("" for L): the relaunched process shows the lock that ended its
	// predecessor.
	Locked    bool
	LockedWhy string

	// Export turns on export (x): the backend can write backups.
	Export bool
	// BackupBanner turns on the "no backup" banner (backups exist).
	BackupBanner bool
	// Home is the person's home directory: the default backup path, and a
	// leading ~ in typed paths. Empty: the working directory.
	Home string

	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// After schedules msg after d; nil means tea.Tick. Tests replace it.
	After func(d time.Duration, msg tea.Msg) tea.Cmd
	// Log, when set, gets the type of every message the root handles (never
	// its contents, which may hold codes or secrets), at debug level.
	Log *slog.Logger

	// Picker starts on "Who are you?" and makes every lock return there:
	// a home with several profiles and no --profile, or a shared machine.
	// Profile is then unused.
	Picker bool

	// OSLock makes the TUI lock when the OS session locks: it waits on
	// Backend.OSLocks from its start to its end. Off in tests that run
	// commands one by one (the wait never ends there).
	OSLock bool

	// NewRecoveryCode makes the recovery code of a new vault; nil means
	// vault.NewRecoveryCode. Tests fix it.
	NewRecoveryCode func() string

	// Caps are the administrator's caps on the settings, by setting key
	// (vault.SettingLockAfter: the policy's lock_after_max, and so on). A
	// key left out, or a cap at or above the setting's range, is no cap:
	// the range alone applies. The session uses the smaller of a setting
	// and its cap; the settings screen shows the cap.
	Caps map[string]int
	// Shared is the policy's shared = true: the picker always (Picker is
	// set too), no keyring slot anywhere in the TUI, the first run creates
	// a person's profile, and a vault that opened with its keyring slot
	// alone gets a passphrase before its codes show.
	Shared bool
}

// Profile is what is known of a profile before it is opened: enough to
// show the right unlock or first-run screen.
type Profile struct {
	// Name is the profile's name.
	Name string
	// DisplayName is the person's name from profile.json ("Dr Jones"), or
	// "": the header and the lock countdown name the person by it.
	DisplayName string
	// Demo says the vault is the embedded demo (in memory; nothing saved).
	Demo bool
	// HasVault says the profile has a vault; false shows the first-run screen.
	HasVault bool
	// Slots are the kinds of the vault's key slots (vault.SlotKeyring, ...).
	Slots []string
	// PassphraseFile says the vault passphrase comes from a file
	// (--vault-passphrase-file): Open with a nil passphrase uses it.
	PassphraseFile bool
	// DefaultKeyring says a new vault of this profile gets a keyring slot
	// when the keyring works (the default profile, or --keyring).
	DefaultKeyring bool
}

// person is who the profile is, as the screen names them: the display
// name, else the profile's name.
func (p Profile) person() string {
	if p.DisplayName != "" {
		return text(p.DisplayName) // sanitised again: profile.json is plaintext anyone here can edit
	}
	return p.Name
}

// has reports whether the profile's vault has a slot of this kind.
func (p Profile) has(kind string) bool {
	for _, s := range p.Slots {
		if s == kind {
			return true
		}
	}
	return false
}

// Backend is everything the TUI asks of the world outside its memory.
// Package app implements it over the same functions the commands use, so
// the two faces cannot drift apart; tests implement it over memory.
// Every method may block: the TUI calls them only from tea.Cmd functions.
type Backend interface {
	// UnlockWait says how many passphrase attempts on profile failed in a
	// row and how long to wait before the next one.
	UnlockWait(profile string) (failed int, wait time.Duration)
	// Open unlocks profile's vault. A nil passphrase tries the keyring slot
	// (or the passphrase file) only. Failed attempts are counted.
	Open(profile string, passphrase []byte) (Vault, error)
	// OpenDemo opens the embedded demo vault.
	OpenDemo() (Vault, error)
	// ProbeKeyring reports whether the OS keyring works.
	ProbeKeyring() error
	// Create makes profile's vault.
	Create(profile string, r CreateRequest) (Vault, error)

	// Local reads this machine's state for an open vault (clock offset,
	// last backup, last sync).
	Local(v Vault) vault.Local
	// CanSync says whether v has a remembered sync remote ("s").
	CanSync(v Vault) bool
	// Sync syncs v with its remembered remote and sums up the result.
	Sync(ctx context.Context, v Vault) (string, error)
	// Recent loads and SaveRecent stores when each account of v was last
	// copied (Unix seconds by account ID), for "sort by recent use".
	Recent(v Vault) map[string]int64
	SaveRecent(v Vault, recent map[string]int64) error
	// MeasureClock asks NTP (server, or the default) how far this clock is
	// off: server minus local, before any applied correction.
	MeasureClock(ctx context.Context, server string) (time.Duration, error)

	// ImportFile reads accounts from a file (a QR image, an export), with
	// pass as the passphrase of an encrypted export (nil: none yet, and an
	// encrypted file fails with importer.ErrPassphraseNeeded). It keeps no
	// copy of pass.
	ImportFile(path string, pass []byte) (Found, error)
	// CheckBackupTarget refuses a backup path before any passphrase is
	// asked (typed is the path as the person typed it, for the wording).
	CheckBackupTarget(path, typed string) error
	// CheckBackupPassphrase refuses a backup passphrase that is easy to
	// guess (the file may be attacked offline).
	CheckBackupPassphrase(pass []byte, profile string) error
	// Export writes v's encrypted backup to path, a new file, and notes
	// its time. It clears nothing: the caller wipes pass.
	Export(v Vault, path string, pass []byte) (ExportResult, error)
	// ReadBackup decrypts and checks a whole backup file, wording its
	// failures as 'wardkey restore' does (typed names the file).
	ReadBackup(path, typed string, pass []byte) (backup.Backup, error)

	// Clipboard is the system clipboard, or nil where there is none. OSC 52
	// is always used besides it.
	Clipboard() Clipboard
	// Profiles lists the home's profiles, for "Who are you?": names,
	// display names and slot kinds only (profile.json and the vault
	// headers; nothing is decrypted).
	Profiles() ([]Profile, error)
	// OSLocks delivers, for each lock of the OS session, what reported it
	// (logind, a screen saver): the same channel on every call, the watcher
	// started by the first; nil where nothing can be watched.
	OSLocks() <-chan string

	// Reauth checks pass against the passphrase slot of profile's vault
	// (v, open) again, as an unlock does: after the wait earlier failures
	// ask (UnlockWait), counted with them, a failure logged as
	// unlock_failed. It clears nothing: the caller wipes pass.
	Reauth(profile string, v Vault, pass []byte) error
	// SaveSettings checks every value of ch as 'wardkey config set' does
	// (ranges, the policy's caps, the display name's rules), then, only
	// if all pass, writes those that differ: the vault settings through
	// v.Update, the display name to profile.json, one audit event config
	// each. A refusal changes nothing.
	SaveSettings(profile string, v Vault, ch SettingsChange) (SettingsChange, error)
	// CreateProfile makes a new person's profile (ctrl+n on "Who are
	// you?", the first run of a shared machine): the name checked as
	// --profile's, the display name cleaned and unique in the home, the
	// passphrase as strong as the policy asks, a passphrase slot only
	// (never a keyring slot), and the recovery code pending
	// (vault.Local.RecoveryPending) until AddRecovery. It wipes
	// r.Passphrase.
	CreateProfile(r NewProfileRequest) (Vault, Profile, error)
	// AddRecovery writes v's recovery slot for code, once the person said
	// the code is written down, and clears the pending mark.
	AddRecovery(v Vault, code string) error
	// DropKeyring gives v, a vault that opened with its keyring slot on a
	// shared machine, a new key with a passphrase slot under pass and no
	// keyring slot, and deletes the keyring item. It wipes pass.
	DropKeyring(v Vault, pass []byte) error

	// FindOnScreen captures the screen and reads its QR codes, as 'wardkey
	// add --screen' does, the pixels wiped; ctx (the session's) cancels it.
	FindOnScreen(ctx context.Context) (Found, error)
	// FindOnClipboard reads the clipboard's QR image or otpauth URIs, as
	// 'wardkey add --clipboard' does, and clears the clipboard if it still
	// holds what was read.
	FindOnClipboard(ctx context.Context) (Found, error)
	// AddAccounts adds, in one merge, the accounts of as that v does not
	// hold yet (the same issuer, name and secret is a duplicate), as
	// 'wardkey import' does: what was added (with IDs) and the duplicates.
	AddAccounts(v Vault, as []vault.Account) (added, dups []vault.Account, err error)
	// DeleteFile deletes the image whose accounts were added (it holds
	// their secrets): a regular file only, never through a symlink.
	DeleteFile(path string) error
	// Audit writes events of the open vault v to its profile's audit log
	// at once (one append, one fsync), authenticated under v's audit key;
	// the demo keeps no log. An error is one sentence for the person: the
	// events were not written, and what the person did stands.
	Audit(v Vault, evs ...audit.Event) error
	// UnlockNotice says, before profile's vault is opened, how many
	// passphrase attempts failed since its last unlock and when ("2 failed
	// unlock attempts since your last unlock, the last at 14:02"), or "".
	UnlockNotice(profile string) string
	// AuditLog reads v's audit log, checks its chain under v's audit key,
	// and gives at most the last n lines.
	AuditLog(v Vault, n int) (AuditLog, error)
	// FolderGone says, in one sentence with the way out, that v's profile
	// folder vanished while v was open (nil while it is there): a failed
	// save is then worded by it.
	FolderGone(v Vault) error
}

// SettingsChange is what the settings screen saves: every value, as the
// person left them (SaveSettings writes only what differs).
type SettingsChange struct {
	LockAfter, ReauthAfter, ClipboardClear int // seconds
	DisplayName                            string
	// Changed names the keys written, in 'wardkey config' order (set by
	// SaveSettings in what it returns).
	Changed []string
}

// NewProfileRequest is a new person's profile, as typed on the form. It
// formats without its passphrase (%v, %+v, %#v, %s).
type NewProfileRequest struct {
	Name        string // the profile name, as --profile takes it
	DisplayName string // the person's name ("Dr Jones")
	Passphrase  []byte // typed twice; the backend wipes it
}

// Format prints the request with its passphrase redacted.
func (r NewProfileRequest) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "tui.NewProfileRequest{Name: %q, DisplayName: %q, Passphrase: redacted}", r.Name, r.DisplayName)
}

// Found is what the screen, the clipboard or a file held, as the add
// screen shows it. Package app fills it in the words the command line
// uses.
type Found struct {
	// Accounts are the accounts found, without IDs, each valid.
	Accounts []vault.Account
	// Warnings are sentences to show beside them: entries skipped, codes of
	// a Google Authenticator export that are missing, what was done to the
	// clipboard or to the screenshot portal's file.
	Warnings []string
	// HoldsSecret, when not empty, says that the file read (a screenshot, a
	// photo of a QR code) still holds the secrets: the add screen offers to
	// delete it once the accounts are saved.
	HoldsSecret string
}

// AuditLog is what Backend.AuditLog read: the last lines of the log and
// whether the whole log verifies.
type AuditLog struct {
	// Entries are the last lines read, oldest first.
	Entries []audit.Entry
	// Total is how many lines the log holds (both files).
	Total int
	// Problem is the first line altered, removed, reordered or cut, in
	// vault/audit's words; "" when the log is intact.
	Problem string
}

// Vault is an open vault as the TUI uses it. *vault.Vault implements it;
// the backend hands it out and takes it back.
type Vault interface {
	// ID is the vault's ID (backups say whether they are of this vault).
	ID() string
	// Dir is the profile's folder; "" for the demo, which has none.
	Dir() string
	// SlotKinds are the kinds of the vault's key slots.
	SlotKinds() []string
	// Accounts is a copy of the live accounts.
	Accounts() []vault.Account
	// State is a copy of the accounts, tombstones and settings.
	State() vault.State
	// LastChange is the newest change's stamp, tombstones included.
	LastChange() vault.Stamp
	// Settings are the vault's settings (lock_after).
	Settings() vault.Settings
	// Update applies fn and saves, merging with what is on disk.
	Update(fn func(*vault.Tx) error) error
	// Close drops the key and the accounts from memory.
	Close()
}

var _ Vault = (*vault.Vault)(nil)

// ExportResult is what Backend.Export did.
type ExportResult struct {
	Accounts int         // live accounts written
	Local    vault.Local // this machine's state after noting the backup
	Noted    bool        // the backup's time was noted (not for the demo)
	NoteErr  error       // why it could not be noted; the backup is written
}

// Clipboard is a system clipboard. OSC 52 (tea.SetClipboard) is used
// besides it, so copying also works over SSH.
type Clipboard interface {
	// Write replaces the clipboard's text; "" clears it.
	Write(s string) error
	// Read returns the clipboard's text; ok is false where it cannot be read.
	Read() (s string, ok bool)
}

// CreateRequest says how to make a new vault on the first-run screen.
// The TUI makes no recovery slot here: the backend marks the recovery code
// pending (vault.Local.RecoveryPending), and AddRecovery writes the slot
// once the person has written the code down.
type CreateRequest struct {
	Keyring      bool   // add a keyring slot
	Passphrase   []byte // non-empty: add a passphrase slot (strength checked)
	RecoveryCode string // non-empty: add a recovery slot (the TUI leaves it empty)
	// Restore, when set, is a backup's content the new vault starts with
	// (the first-run screen's "restore a backup").
	Restore *vault.State
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
