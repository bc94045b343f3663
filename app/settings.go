package app

import "github.com/wardkey/wardkey/vault"

// The vault's settings as `wardkey config` sees them: vault.SettingRanges
// gives the keys, ranges and defaults; each has a policy cap.

// settingRange is one setting key: its bounds, default and policy cap.
type settingRange struct {
	key      string
	min, max int
	def      int
	cap      string // the policy key capping it
}

func lookupSetting(key string) (settingRange, bool) {
	r, err := vault.LookupSetting(key)
	if err != nil {
		return settingRange{}, false
	}
	return settingRange{key: r.Key, min: r.Min, max: r.Max, def: r.Default, cap: r.Key + "_max"}, true
}

// settingValue is a setting's stored value (its default when never set).
func settingValue(s vault.Settings, key string) int {
	v, _ := s.Value(key)
	return v
}

// setSetting stores one setting in the vault, stamped for merging.
func setSetting(tx *vault.Tx, _ vault.Settings, key string, value int) error {
	return tx.SetSetting(key, value)
}
