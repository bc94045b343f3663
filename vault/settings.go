package vault

import (
	"errors"
	"fmt"
)

// Settings are the vault-wide settings, sealed in the payload and merged
// per key, last writer wins: each key has its own stamp, and a key whose
// stamp is zero was never set, so its default applies.
//
// The stamp of lock_after keeps the name it had in format 1 (Stamp), so
// backups and replicas written before format 2 read unchanged.
type Settings struct {
	// LockAfter is the idle time, in seconds, before the TUI locks
	// (10–3600); 0 means the default.
	LockAfter int   `json:"lock_after"`
	Stamp     Stamp `json:"stamp"`
	// ReauthAfter is how long, in seconds, a typed passphrase is good for
	// re-authentication (0–3600; 0: always ask). Meaningful only when
	// ReauthAfterStamp is set.
	ReauthAfter      int   `json:"reauth_after,omitempty"`
	ReauthAfterStamp Stamp `json:"reauth_after_stamp,omitzero"`
	// ClipboardClear is how long, in seconds, a copied code stays on the
	// clipboard (5–120). Meaningful only when ClipboardClearStamp is set.
	ClipboardClear      int   `json:"clipboard_clear,omitempty"`
	ClipboardClearStamp Stamp `json:"clipboard_clear_stamp,omitzero"`
}

// Setting keys, as `wardkey config` names them.
const (
	SettingLockAfter      = "lock_after"
	SettingReauthAfter    = "reauth_after"
	SettingClipboardClear = "clipboard_clear"
)

// Defaults of the settings, in seconds.
const (
	DefaultLockAfter      = 120
	DefaultReauthAfter    = 60
	DefaultClipboardClear = 20
)

// SettingRange describes one setting key: its bounds and default, in
// seconds.
type SettingRange struct {
	Key      string
	Min, Max int
	Default  int
}

// SettingRanges lists every setting key, in the order `config list` shows
// them.
var SettingRanges = []SettingRange{
	{SettingLockAfter, 10, 3600, DefaultLockAfter},
	{SettingReauthAfter, 0, 3600, DefaultReauthAfter},
	{SettingClipboardClear, 5, 120, DefaultClipboardClear},
}

// ErrUnknownSetting: no setting has that key.
var ErrUnknownSetting = errors.New("no such setting")

// ErrSettingRange: a setting's value is outside its range.
var ErrSettingRange = errors.New("setting out of range")

// LookupSetting returns the range of a setting key.
func LookupSetting(key string) (SettingRange, error) {
	for _, r := range SettingRanges {
		if r.Key == key {
			return r, nil
		}
	}
	return SettingRange{}, fmt.Errorf("%q: %w", key, ErrUnknownSetting)
}

// Check reports whether v is within the range, as one sentence naming it.
func (r SettingRange) Check(v int) error {
	if v < r.Min || v > r.Max {
		return fmt.Errorf("%s %d: %w (%d to %d seconds)", r.Key, v, ErrSettingRange, r.Min, r.Max)
	}
	return nil
}

// slot returns pointers to the value and stamp of a key.
func (s *Settings) slot(key string) (*int, *Stamp) {
	switch key {
	case SettingLockAfter:
		return &s.LockAfter, &s.Stamp
	case SettingReauthAfter:
		return &s.ReauthAfter, &s.ReauthAfterStamp
	case SettingClipboardClear:
		return &s.ClipboardClear, &s.ClipboardClearStamp
	}
	return nil, nil
}

// isSet reports whether the key holds a value of its own (not the
// default). lock_after of format 1 used 0 for the default.
func (s Settings) isSet(key string) bool {
	v, st := s.slot(key)
	if key == SettingLockAfter {
		return *v != 0
	}
	return !st.IsZero()
}

// Value returns a setting's effective value in seconds: its own, or the
// default when it was never set.
func (s Settings) Value(key string) (int, error) {
	r, err := LookupSetting(key)
	if err != nil {
		return 0, err
	}
	if !s.isSet(key) {
		return r.Default, nil
	}
	v, _ := s.slot(key)
	return *v, nil
}

// IsSet reports whether the key was set (false: the default applies).
func (s Settings) IsSet(key string) bool {
	if v, _ := s.slot(key); v == nil {
		return false
	}
	return s.isSet(key)
}

func (s Settings) value(key string) int {
	v, _ := s.Value(key)
	return v
}

// LockAfterSeconds is the effective idle lock time.
func (s Settings) LockAfterSeconds() int { return s.value(SettingLockAfter) }

// ReauthAfterSeconds is the effective re-authentication window.
func (s Settings) ReauthAfterSeconds() int { return s.value(SettingReauthAfter) }

// ClipboardClearSeconds is the effective clipboard clearing time.
func (s Settings) ClipboardClearSeconds() int { return s.value(SettingClipboardClear) }

// Validate checks every key that is set against its range. Settings that
// arrive from a payload, a backup, a replica or a person pass through it.
func (s Settings) Validate() error {
	for _, r := range SettingRanges {
		v, _ := s.slot(r.Key)
		if !s.isSet(r.Key) {
			if *v != 0 {
				return fmt.Errorf("%s has a value but no stamp: %w", r.Key, ErrSettingRange)
			}
			continue
		}
		if err := r.Check(*v); err != nil {
			return err
		}
	}
	return nil
}

// maxStamp is the newest stamp of any key.
func (s Settings) maxStamp() Stamp {
	m := s.Stamp
	for _, st := range []Stamp{s.ReauthAfterStamp, s.ClipboardClearStamp} {
		if st.Compare(m) > 0 {
			m = st
		}
	}
	return m
}

// mergeSettings joins two settings per key: the higher stamp wins, and
// equal stamps with different values (hand-made or zero-stamped data) fall
// back to the larger value, so Merge stays commutative.
func mergeSettings(a, b Settings) Settings {
	out := a
	for _, r := range SettingRanges {
		av, as := a.slot(r.Key)
		bv, bs := b.slot(r.Key)
		if c := bs.Compare(*as); c > 0 || c == 0 && *bv > *av {
			ov, os := out.slot(r.Key)
			*ov, *os = *bv, *bs
		}
	}
	return out
}

// SetSetting sets one key to value, stamped with the device clock, after
// checking its range.
func (t *Tx) SetSetting(key string, value int) error {
	r, err := LookupSetting(key)
	if err != nil {
		return err
	}
	if err := r.Check(value); err != nil {
		return err
	}
	var s Settings
	v, st := s.slot(key)
	*v, *st = value, t.v.clock.Now()
	t.set(Merge(*t.state, State{Settings: s}))
	return nil
}

// SetSettings sets every key of s that differs from the vault's (value, or
// set against default), each stamped with the device clock. Keys that do
// not differ keep their stamps, so a concurrent change of another key on
// another workstation is not overridden.
func (t *Tx) SetSettings(s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	cur := t.state.Settings
	for _, r := range SettingRanges {
		if s.isSet(r.Key) == cur.isSet(r.Key) && s.value(r.Key) == cur.value(r.Key) {
			continue
		}
		if !s.isSet(r.Key) {
			// Back to the default: the default's value, set explicitly.
			if err := t.SetSetting(r.Key, r.Default); err != nil {
				return err
			}
			continue
		}
		v, _ := s.slot(r.Key)
		if err := t.SetSetting(r.Key, *v); err != nil {
			return err
		}
	}
	return nil
}
