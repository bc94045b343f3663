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
}

// Offset is the applied clock offset as a duration.
func (l Local) Offset() time.Duration {
	return time.Duration(l.ClockOffset * float64(time.Second))
}

// LoadLocal reads local.json in dir. A missing file gives a zero Local with
// a fresh device ID (not yet saved).
func LoadLocal(dir string) (Local, error) {
	var l Local
	b, err := os.ReadFile(filepath.Join(dir, LocalFile))
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
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return l, err
	}
	return l, atomicfile.Replace(filepath.Join(dir, LocalFile), append(b, '\n'), "")
}

// DeviceID returns this profile's device ID, creating local.json if needed.
func DeviceID(dir string) (string, error) {
	l, err := LoadLocal(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, LocalFile)); err == nil {
		return l.DeviceID, nil
	}
	l, err = UpdateLocal(dir, func(*Local) {})
	return l.DeviceID, err
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

// UnlockWait is how long, from now, the next attempt must wait.
func (l Local) UnlockWait(now time.Time) time.Duration {
	until := l.LastFailedUnlock.Add(UnlockDelay(l.FailedUnlocks))
	if w := until.Sub(now); w > 0 {
		return w
	}
	return 0
}
