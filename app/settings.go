package app

import (
	"fmt"

	"github.com/wardkey/wardkey/vault"
)

// The vault's settings as `wardkey config` sees them. vault.Settings holds
// only lock_after on this base; reauth_after and clipboard_clear arrive
// with vault format 2, whose keys, ranges and defaults (DESIGN) are already
// listed here so the command and its tests stand.

// settingRange is one setting key: its bounds, default and policy cap.
type settingRange struct {
	key      string
	min, max int
	def      int
	cap      string // the policy key capping it
}

var settingRanges = []settingRange{
	{"lock_after", 10, 3600, vault.DefaultLockAfter, "lock_after_max"},
	{"reauth_after", 0, 3600, 60, "reauth_after_max"},
	{"clipboard_clear", 5, 120, 20, "clipboard_clear_max"},
}

func lookupSetting(key string) (settingRange, bool) {
	for _, r := range settingRanges {
		if r.key == key {
			return r, true
		}
	}
	return settingRange{}, false
}

// settingValue is a setting's stored value (its default when never set).
func settingValue(s vault.Settings, key string) int {
	switch key {
	case "lock_after":
		return s.LockAfterSeconds()
	}
	r, _ := lookupSetting(key)
	return r.def
}

// setSetting stores one setting in the vault.
func setSetting(tx *vault.Tx, s vault.Settings, key string, value int) error {
	switch key {
	case "lock_after":
		s.LockAfter = value
		tx.SetSettings(s)
		return nil
	}
	return fmt.Errorf("this vault cannot store %s yet (it comes with vault format 2)", key)
}
