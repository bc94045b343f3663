package vault

import (
	"errors"
	"testing"
)

func TestSettingsValidate(t *testing.T) {
	st := Stamp{Wall: 1, Device: "d"}
	tests := []struct {
		name string
		s    Settings
		want error
	}{
		{"defaults", Settings{}, nil},
		{"format 1 default lock (0 with a stamp)", Settings{Stamp: st}, nil},
		{"lock_after min", Settings{LockAfter: 10, Stamp: st}, nil},
		{"lock_after max", Settings{LockAfter: 3600, Stamp: st}, nil},
		{"lock_after too small", Settings{LockAfter: 9, Stamp: st}, ErrSettingRange},
		{"lock_after too large", Settings{LockAfter: 3601, Stamp: st}, ErrSettingRange},
		{"lock_after negative", Settings{LockAfter: -5, Stamp: st}, ErrSettingRange},
		{"reauth_after 0 (always ask)", Settings{ReauthAfterStamp: st}, nil},
		{"reauth_after max", Settings{ReauthAfter: 3600, ReauthAfterStamp: st}, nil},
		{"reauth_after too large", Settings{ReauthAfter: 3601, ReauthAfterStamp: st}, ErrSettingRange},
		{"reauth_after without a stamp", Settings{ReauthAfter: 30}, ErrSettingRange},
		{"clipboard_clear min", Settings{ClipboardClear: 5, ClipboardClearStamp: st}, nil},
		{"clipboard_clear too small", Settings{ClipboardClear: 4, ClipboardClearStamp: st}, ErrSettingRange},
		{"clipboard_clear too large", Settings{ClipboardClear: 121, ClipboardClearStamp: st}, ErrSettingRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.s.Validate(); !errors.Is(err, tc.want) {
				t.Fatalf("Validate: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSettingsDefaultsAndKeys(t *testing.T) {
	var s Settings
	for _, r := range SettingRanges {
		if v, err := s.Value(r.Key); err != nil || v != r.Default {
			t.Errorf("%s default: %d %v", r.Key, v, err)
		}
	}
	if _, err := s.Value("colour"); !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("unknown key: %v", err)
	}
	if s.LockAfterSeconds() != 120 || s.ReauthAfterSeconds() != 60 || s.ClipboardClearSeconds() != 20 {
		t.Error("defaults")
	}
}

// Settings merge per key, last writer wins: a change of one key on one
// workstation and of another key on another both survive.
func TestSettingsMergePerKey(t *testing.T) {
	_, v := newTestVault(t, "pw")
	if err := v.Update(func(tx *Tx) error { return tx.SetSetting(SettingLockAfter, 300) }); err != nil {
		t.Fatal(err)
	}
	a := v.State()
	if err := v.Update(func(tx *Tx) error { return tx.SetSetting(SettingReauthAfter, 0) }); err != nil {
		t.Fatal(err)
	}
	b := v.State()
	c := State{Settings: Settings{ClipboardClear: 90, ClipboardClearStamp: Stamp{Wall: 1, Device: "other"}}}
	for _, m := range []State{Merge(Merge(a, b), c), Merge(c, Merge(b, a)), Merge(Merge(c, a), b)} {
		s := m.Settings
		if s.LockAfterSeconds() != 300 || s.ReauthAfterSeconds() != 0 || !s.IsSet(SettingReauthAfter) || s.ClipboardClearSeconds() != 90 {
			t.Errorf("merged settings %+v", s)
		}
	}
	for _, tc := range []struct {
		key string
		v   int
		err error
	}{{SettingLockAfter, 5, ErrSettingRange}, {SettingClipboardClear, 500, ErrSettingRange}, {"nope", 1, ErrUnknownSetting}} {
		if err := v.Update(func(tx *Tx) error { return tx.SetSetting(tc.key, tc.v) }); !errors.Is(err, tc.err) {
			t.Errorf("SetSetting(%s, %d): %v", tc.key, tc.v, err)
		}
	}
	// SetSettings stamps only what changed.
	before := v.Settings()
	want := before
	want.ClipboardClear, want.ClipboardClearStamp = 30, Stamp{Wall: 1}
	if err := v.Update(func(tx *Tx) error { return tx.SetSettings(want) }); err != nil {
		t.Fatal(err)
	}
	after := v.Settings()
	if after.Stamp != before.Stamp || after.ReauthAfterStamp != before.ReauthAfterStamp || after.ClipboardClearSeconds() != 30 {
		t.Errorf("SetSettings restamped unchanged keys: %+v -> %+v", before, after)
	}
	// Out of range settings in a backup or replica are refused.
	bad := State{Settings: Settings{LockAfter: 1, Stamp: Stamp{Wall: 1}}}
	js, _ := MarshalState(bad)
	if _, err := UnmarshalState(js); !errors.Is(err, ErrSettingRange) {
		t.Errorf("JSON state with a bad setting: %v", err)
	}
	if _, err := UnmarshalStateAny(MarshalStateBinary(bad)); !errors.Is(err, ErrSettingRange) {
		t.Errorf("binary state with a bad setting: %v", err)
	}
}
