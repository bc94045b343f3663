package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// Local is what belongs to this machine only, kept in local.json beside the
// vault: never synced, never backed up.
type Local struct {
	DeviceID         string    `json:"device_id"`
	ClockOffset      float64   `json:"clock_offset_seconds,omitempty"` // applied offset, server minus local
	ClockForced      bool      `json:"clock_offset_forced,omitempty"`  // applied with clock --apply --force
	ClockServer      string    `json:"clock_server,omitempty"`
	ClockCheckedAt   time.Time `json:"clock_checked_at,omitzero"`
	SyncRemote       string    `json:"sync_remote,omitempty"`
	SyncUser         string    `json:"sync_user,omitempty"`
	LastSync         time.Time `json:"last_sync,omitzero"`
	LastBackup       time.Time `json:"last_backup,omitzero"`
	FailedUnlocks    int       `json:"failed_unlocks,omitempty"`
	LastFailedUnlock time.Time `json:"last_failed_unlock,omitzero"`

	// SyncPasswordFile is the file the WebDAV password was read from (the
	// path, never the password), so the TUI can sync without a prompt.
	SyncPasswordFile string `json:"sync_password_file,omitempty"`
	// SyncKeySlot fingerprints the passphrase slot this device last put on
	// (or took from) the remote as key.json: sync replaces the remote's
	// copy only when this device's passphrase changed since.
	SyncKeySlot string `json:"sync_key_slot,omitempty"`

	// AuditAnchor is where a wardkey before audit.anchor kept the audit
	// log's anchor (vault/audit.Anchor, MACed): read while audit.anchor
	// is absent, and cleared once the next append has moved it there.
	AuditAnchor json.RawMessage `json:"audit_anchor,omitempty"`

	// RecoveryPending says the TUI made this vault and showed a recovery
	// code that was not yet acknowledged, so no recovery slot was written:
	// the next unlock of a vault still without one shows a fresh code.
	RecoveryPending bool `json:"recovery_pending,omitempty"`
}

// Bounds on the applied clock offset. local.json can be edited by anyone
// at this OS login, and the offset moves codes and what counts as "the
// future" for stamps (Vet), so it is used only within them.
const (
	// MaxClockOffset is the largest offset `clock --apply` stores without
	// --force (sync/clock.MaxApply).
	MaxClockOffset = 15 * time.Minute
	// MaxForcedClockOffset is the largest offset used at all, even one
	// applied with --force.
	MaxForcedClockOffset = 24 * time.Hour
)

// Offset is the applied clock offset as a duration: 0 (the system clock)
// when it is beyond MaxClockOffset without ClockForced, or beyond
// MaxForcedClockOffset at all (see OffsetIgnored).
func (l Local) Offset() time.Duration {
	if l.OffsetIgnored() {
		return 0
	}
	return time.Duration(l.ClockOffset * float64(time.Second))
}

// OffsetIgnored reports whether a stored offset is out of bounds and so
// not used.
func (l Local) OffsetIgnored() bool {
	limit := MaxClockOffset
	if l.ClockForced {
		limit = MaxForcedClockOffset
	}
	o := l.ClockOffset
	return !(o >= -limit.Seconds() && o <= limit.Seconds()) // NaN too
}

// LoadLocal reads local.json in dir. A missing file gives a zero Local with
// a fresh device ID (not yet saved).
func LoadLocal(dir string) (Local, error) {
	var l Local
	if err := checkDir(dir); err != nil {
		return l, err
	}
	b, err := readNoFollow(filepath.Join(dir, LocalFile), 1<<20)
	if errors.Is(err, os.ErrNotExist) {
		l.DeviceID = NewID()
		return l, nil
	}
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("read %s: %w", LocalFile, err)
	}
	if l.DeviceID == "" {
		l.DeviceID = NewID()
	}
	return l, nil
}

// UpdateLocal changes local.json under its own lock and returns the result.
func UpdateLocal(dir string, fn func(*Local)) (Local, error) {
	if err := checkDir(dir); err != nil {
		return Local{}, err
	}
	if err := atomicfile.MkdirPrivate(dir); err != nil {
		return Local{}, err
	}
	unlock, err := lockFile(filepath.Join(dir, localLock))
	if err != nil {
		return Local{}, err
	}
	defer unlock()
	l, err := LoadLocal(dir)
	if err != nil {
		return l, err
	}
	fn(&l)
	return l, saveLocal(dir, l)
}

// saveLocal writes local.json; the caller holds local.lock.
func saveLocal(dir string, l Local) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Replace(filepath.Join(dir, LocalFile), append(b, '\n'), "")
}

// DeviceID returns this profile's device ID, creating local.json if needed.
func DeviceID(dir string) (string, error) {
	id, err := storedDeviceID(dir)
	if id != "" || err != nil {
		return id, err
	}
	l, err := UpdateLocal(dir, func(*Local) {})
	return l.DeviceID, err
}

// storedDeviceID is the device ID local.json holds, without writing
// anything: "" and no error when there is no local.json.
func storedDeviceID(dir string) (string, error) {
	l, err := LoadLocal(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, LocalFile)); err != nil {
		return "", nil
	}
	return l.DeviceID, nil
}

// UnlockDelay is how long to wait before the next passphrase attempt after
// n failed ones: none for the first three, then 1, 2, 4 … up to 30 s.
func UnlockDelay(n int) time.Duration {
	if n < 3 {
		return 0
	}
	d := time.Second << min(n-3, 5)
	return min(d, 30*time.Second)
}

// MaxUnlockDelay is the longest wait between passphrase attempts: also the
// wait when failed attempts cannot be counted (fail-closed).
const MaxUnlockDelay = 30 * time.Second

// Attempt is one passphrase (or recovery code) attempt on a profile, made
// under the profile's lock (local.lock), so that processes trying in
// parallel queue and each sees the failures of the ones before it: the
// wait it asks is from the count as it stands, and its outcome is recorded
// before the next attempt may start. Begin it after reading the passphrase
// (so no lock is held while a person types), Wait, try the slot, Record,
// Release.
type Attempt struct {
	dir     string
	release func()
	local   Local
	broken  error // the count cannot be read or kept: the longest wait
}

// BeginAttempt takes the profile's lock, waiting at most queue for another
// process's attempt to finish (ErrLockBusy after that: the attempt is
// refused). A lock that cannot be taken for any other reason (a directory
// or another user's file planted at local.lock) and a local.json that
// cannot be read do not stop the attempt but make it wait the longest
// (see Broken): failed attempts are never free.
func BeginAttempt(dir string, queue time.Duration) (*Attempt, error) {
	a := &Attempt{dir: dir, release: func() {}}
	unlock, err := lockFileWait(filepath.Join(dir, localLock), queue)
	switch {
	case errors.Is(err, ErrLockBusy):
		return nil, err
	case err != nil:
		a.broken = fmt.Errorf("lock %s: %w", localLock, err)
		return a, nil
	}
	a.release = unlock
	if a.local, err = LoadLocal(dir); err != nil {
		a.broken = err
	}
	return a, nil
}

// Broken is why failed attempts cannot be counted, or nil.
func (a *Attempt) Broken() error { return a.broken }

// Failures is the number of failed attempts in a row before this one.
func (a *Attempt) Failures() int { return a.local.FailedUnlocks }

// Wait is how long, from now, this attempt must wait before trying:
// MaxUnlockDelay when the count is broken.
func (a *Attempt) Wait(now time.Time) time.Duration {
	if a.broken != nil {
		return MaxUnlockDelay
	}
	return a.local.UnlockWait(now)
}

// Record counts the attempt's outcome (a failure, or a success that resets
// the count) in local.json, still under the lock. With a broken count it
// records nothing and returns the reason.
func (a *Attempt) Record(failed bool, now time.Time) error {
	if a.broken != nil {
		return a.broken
	}
	l := a.local
	switch {
	case failed:
		l.FailedUnlocks++
		l.LastFailedUnlock = now
	case l.FailedUnlocks == 0:
		return nil
	default:
		l.FailedUnlocks, l.LastFailedUnlock = 0, time.Time{}
	}
	if err := saveLocal(a.dir, l); err != nil {
		return err
	}
	a.local = l
	return nil
}

// Release lets the next attempt in.
func (a *Attempt) Release() { a.release() }

// CheckLock reports a planted profile lock: ErrPlantedLock, naming the
// file, when one of LockNames is there and is not a regular file of this
// user (nil when each is one, or is missing).
func CheckLock(dir string) error {
	for _, name := range LockNames() {
		st, err := os.Lstat(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() || !ownedByMe(st) {
			return fmt.Errorf("%s is a %s: %w", name, describeMode(st), ErrPlantedLock)
		}
	}
	return nil
}

// RepairLock removes every planted lock of the profile (a directory with
// what is in it, a symlink, another user's file); the next use makes a new
// one.
func RepairLock(dir string) error {
	for _, name := range LockNames() {
		st, err := os.Lstat(filepath.Join(dir, name))
		if err != nil || (st.Mode().IsRegular() && ownedByMe(st)) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return CheckLock(dir)
}

func describeMode(st os.FileInfo) string {
	switch {
	case st.IsDir():
		return "directory"
	case st.Mode()&os.ModeSymlink != 0:
		return "symlink"
	case !ownedByMe(st):
		return "file of another user"
	}
	return "special file"
}

// UnlockWait is how long, from now, the next attempt must wait.
func (l Local) UnlockWait(now time.Time) time.Duration {
	until := l.LastFailedUnlock.Add(UnlockDelay(l.FailedUnlocks))
	if w := until.Sub(now); w > 0 {
		return w
	}
	return 0
}
