package app

import (
	"errors"
	"fmt"

	"github.com/wardkey/wardkey/vault"
)

// errNoPassphraseSlot: re-authentication was asked of a vault that has no
// passphrase to ask (the code screen skips it for such a vault).
var errNoPassphraseSlot = errors.New("this vault has no passphrase slot: there is no passphrase to type again")

// reauth checks a passphrase typed again while vault vaultID is open (the
// code screen's export, restore, delete and settings): against the
// passphrase slot of the vault file as it is now on disk (so a passphrase
// changed elsewhere is the one asked), as one attempt of the unlock's
// counting: under the profile's lock, after the wait earlier failures ask
// (the longest when they cannot be counted), a failure counted in
// local.json and logged as unlock_failed, a success clearing the count.
// It never writes the vault and clears nothing: the caller wipes pass.
func (e *env) reauth(vaultID string, pass []byte) error {
	f, err := vault.Load(e.dir())
	if err != nil {
		return err
	}
	info := f.Info()
	if info.ID != vaultID {
		return fmt.Errorf("the vault file of profile %q is no longer the vault open here (restored or replaced meanwhile): lock and open it again", e.profile)
	}
	if !info.Has(vault.SlotPassphrase) {
		return errNoPassphraseSlot
	}
	att, err := e.beginAttempt()
	if err != nil {
		return err
	}
	defer att.Release()
	v, err := f.Open(vault.Unlock{Options: e.options(), Passphrase: func() ([]byte, error) { return pass, nil }})
	e.recordUnlock(att, err)
	if err != nil {
		return err
	}
	v.Close()
	return nil
}
