//go:build !wardkey_lean

package app

import (
	"fmt"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// cmdRekey gives the vault a new key without changing the passphrase or
// the recovery code: after a workstation, a copy of the vault file or a
// backup of key.json may have leaked, everything saved from now on opens
// only under the new key.
func cmdRekey(e *env, args []string) error {
	fs := e.flags("rekey")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("rekey takes no arguments")
	}
	if e.demo {
		return usagef("the demo vault has no key to change: leave out --demo")
	}
	v, typed, err := e.openKeepingPassphrase("")
	if err != nil {
		return err
	}
	defer v.Close()
	p, err := e.currentPassphrase(v, typed)
	if err != nil {
		clear(typed)
		return err
	}
	res, err := e.rekey(v, vault.RekeyOptions{Passphrase: p})
	if err != nil {
		return fmt.Errorf("give the vault a new key: %w", err)
	}
	e.audit(v, audit.Event{Event: audit.Rekey})
	fmt.Fprintf(e.err, "wardkey: the vault of profile %q has a new key (same passphrase and recovery code); old copies of the vault file and of its slots open nothing saved from now on\n", e.profile)
	e.afterRekey(res)
	return nil
}
