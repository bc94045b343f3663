package app

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// configKeys are every key of `wardkey config`, in the order list shows.
var configKeys = []string{"lock_after", "reauth_after", "clipboard_clear", "display_name"}

// cmdConfig lists, reads and sets this profile's settings: lock_after,
// reauth_after and clipboard_clear are sealed in the vault (last writer
// wins per key, across devices); display_name lives in profile.json so
// the profile picker shows it before any unlock. Every form opens the
// vault: a colleague cannot rename or loosen another person's profile.
func cmdConfig(e *env, args []string) error {
	// config has no flags: a value such as -1 is a value, not a flag.
	pos := args
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		_, err := parse(e.flags("config"), args)
		return err
	}
	var err error
	verb := "list"
	if len(pos) > 0 {
		verb, pos = pos[0], pos[1:]
	}
	switch {
	case verb == "list" && len(pos) == 0:
	case verb == "get" && len(pos) == 1, verb == "set" && len(pos) == 2:
		if !knownConfigKey(pos[0]) {
			return usagef("config: no setting %q (the settings: lock_after, reauth_after, clipboard_clear, display_name)", pos[0])
		}
	case verb == "list", verb == "get", verb == "set":
		return usagef("config: use 'config list', 'config get KEY' or 'config set KEY VALUE'")
	default:
		return usagef("config: unknown action %q: use list, get KEY or set KEY VALUE", verb)
	}
	var value int
	if verb == "set" && pos[0] != "display_name" {
		value, err = strconv.Atoi(pos[1])
		if err != nil {
			return usagef("config set %s: %q is not a whole number of seconds", pos[0], pos[1])
		}
		// Range and cap first: nothing is opened or changed for a bad value.
		r, _ := lookupSetting(pos[0])
		if err := e.checkSetting(r, value); err != nil {
			return err
		}
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	switch verb {
	case "list":
		for _, k := range configKeys {
			fmt.Fprintf(e.out, "%s=%s\n", k, e.configValue(v, k))
		}
		return nil
	case "get":
		fmt.Fprintln(e.out, e.configValue(v, pos[0]))
		return nil
	}
	key := pos[0]
	if key == "display_name" {
		clean, err := vault.SetDisplayName(e.home, e.profile, pos[1])
		if errors.Is(err, vault.ErrDisplayNameTaken) {
			return withHint(fmt.Errorf("%w; nothing was changed", err), "display names tell people apart in the profile picker: choose another")
		}
		if err != nil {
			return fmt.Errorf("set the display name: %w; nothing was changed", err)
		}
		e.audit(v, audit.Event{Event: audit.Config, Detail: map[string]any{"key": key}})
		if clean == "" {
			fmt.Fprintf(e.err, "wardkey: profile %q has no display name now\n", e.profile)
		} else {
			fmt.Fprintf(e.err, "wardkey: profile %q is shown as %q\n", e.profile, clean)
		}
		return nil
	}
	cur := v.Settings() // not inside Update, which holds the vault's mutex
	if err := v.Update(func(tx *vault.Tx) error { return setSetting(tx, cur, key, value) }); err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	e.audit(v, audit.Event{Event: audit.Config, Detail: map[string]any{"key": key, "value": value}})
	fmt.Fprintf(e.err, "wardkey: %s = %d for profile %q\n", key, value, e.profile)
	return nil
}

// checkSetting refuses a value out of the setting's range or above the
// policy's cap (a refusal is logged as policy_refused), in one sentence
// naming the setting: 'config set' and the code screen's settings check
// every value through it before anything is written.
func (e *env) checkSetting(r settingRange, value int) error {
	if value < r.min || value > r.max {
		return withHint(fmt.Errorf("%s = %d is out of range: use %d to %d seconds; nothing was changed", r.key, value, r.min, r.max),
			fmt.Sprintf("'%s' shows the current value", e.cmdline("config get "+r.key)))
	}
	if err := e.policy().CheckCap(r.cap, r.key, value); err != nil {
		return e.refused(withHint(err, fmt.Sprintf("choose %d seconds or fewer; nothing was changed", e.policyCap(r.cap))))
	}
	return nil
}

func knownConfigKey(k string) bool {
	for _, c := range configKeys {
		if c == k {
			return true
		}
	}
	return false
}

// configValue is a key's value in force: the vault's, at most the
// policy's cap; display_name from profile.json.
func (e *env) configValue(v *vault.Vault, key string) string {
	if key == "display_name" {
		p, _ := vault.LoadProfileInfo(e.dir())
		return p.DisplayName
	}
	r, _ := lookupSetting(key)
	return strconv.Itoa(min(settingValue(v.Settings(), key), e.policyCap(r.cap)))
}

// policyCap is a cap's value in force.
func (e *env) policyCap(key string) int {
	switch p := e.policy(); key {
	case "lock_after_max":
		return p.LockAfterMax
	case "reauth_after_max":
		return p.ReauthAfterMax
	}
	return e.policy().ClipboardClearMax
}
