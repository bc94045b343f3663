package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
)

// openVault opens this profile's vault: the keyring slot first, then the
// vault passphrase (file or prompt), slowed after failed attempts.
func (e *env) openVault() (*vault.Vault, error) {
	if e.demo {
		return demoVault()
	}
	return e.openWith("")
}

// openWith opens the vault for a command; a non-empty recovery code is
// tried instead of the passphrase, which comes from the file or a prompt.
func (e *env) openWith(recovery string) (*vault.Vault, error) {
	var pass func() ([]byte, error)
	if e.canAskPassphrase() {
		pass = func() ([]byte, error) {
			if err := e.waitOutFailures(); err != nil {
				return nil, err
			}
			return e.vaultPassphrase("Vault passphrase ("+e.profile+")", false)
		}
	}
	if recovery != "" {
		if err := e.waitOutFailures(); err != nil {
			return nil, err
		}
	}
	v, err := e.unlock(pass, recovery)
	if err != nil {
		return nil, e.explainOpen(err)
	}
	return v, nil
}

// unlock opens the vault from one read of its file: the keyring slot when
// it has one, then the recovery code, or pass (when not nil) for the
// passphrase slot. Passphrase and recovery attempts are counted across
// processes. The CLI and the TUI both open vaults through it.
func (e *env) unlock(pass func() ([]byte, error), recovery string) (*vault.Vault, error) {
	f, err := vault.Load(e.dir())
	if err != nil {
		return nil, err
	}
	info := f.Info()
	u := vault.Unlock{Options: e.options(), RecoveryCode: recovery}
	if info.Has(vault.SlotKeyring) {
		u.Keyring = e.keyring()
	}
	asked := recovery != ""
	if pass != nil && info.Has(vault.SlotPassphrase) {
		u.Passphrase = func() ([]byte, error) {
			asked = true
			return pass()
		}
	}
	v, err := f.Open(u)
	if asked {
		e.recordUnlock(err)
	}
	return v, err
}

// waitOutFailures waits as long as earlier failed attempts ask.
func (e *env) waitOutFailures() error {
	n, w, err := e.unlockWait()
	if err != nil {
		return err
	}
	if w > 0 {
		fmt.Fprintf(e.err, "wardkey: %d failed attempts: waiting %s before trying again\n", n, w.Round(time.Second))
		if !e.hooks.NoSleep {
			time.Sleep(w)
		}
	}
	return nil
}

// unlockWait says how many passphrase attempts failed in a row and how long
// the next one must wait (the TUI shows the wait instead of sleeping blind).
func (e *env) unlockWait() (int, time.Duration, error) {
	l, err := vault.LoadLocal(e.dir())
	if err != nil {
		return 0, 0, err
	}
	return l.FailedUnlocks, l.UnlockWait(e.now()), nil
}

// recordUnlock counts failed passphrase attempts across processes.
func (e *env) recordUnlock(err error) {
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		_, _ = vault.UpdateLocal(e.dir(), func(l *vault.Local) {
			l.FailedUnlocks++
			l.LastFailedUnlock = e.now()
		})
	case err == nil:
		l, _ := vault.LoadLocal(e.dir())
		if l.FailedUnlocks > 0 {
			_, _ = vault.UpdateLocal(e.dir(), func(l *vault.Local) {
				l.FailedUnlocks = 0
				l.LastFailedUnlock = time.Time{}
			})
		}
	}
}

// explainOpen adds the profile and the way out to an open error.
func (e *env) explainOpen(err error) error {
	switch {
	case errors.Is(err, vault.ErrNoVault):
		return withHint(fmt.Errorf("profile %q has no vault yet (%s)", e.profile, e.dir()),
			"run 'wardkey init' to create one, or 'wardkey --demo' to try the demo")
	case errors.Is(err, vault.ErrLocked) && errors.Is(err, vault.ErrKeyringUnavailable):
		return withHint(fmt.Errorf("the vault of profile %q is locked: %w", e.profile, err),
			"unlock or start the OS keyring, or give the vault passphrase with --vault-passphrase-file or WARDKEY_PASSPHRASE_FILE")
	case errors.Is(err, vault.ErrLocked) && errors.Is(err, vault.ErrKeyringMissing):
		return withHint(fmt.Errorf("the vault of profile %q is locked: %w", e.profile, err),
			"give the vault passphrase, or open it with the recovery code ('wardkey --profile "+e.profile+" passwd --recovery')")
	case errors.Is(err, vault.ErrLocked):
		return withHint(fmt.Errorf("the vault of profile %q is locked: no passphrase was given", e.profile),
			"give the vault passphrase with --vault-passphrase-file F or WARDKEY_PASSPHRASE_FILE, or run wardkey on a terminal")
	}
	return err
}

// describe turns an error into one sentence and a hint for the person:
// the wording table the TUI shares (app/wording) for what it knows, and
// the error's own words (already worded here, e.g. by explainOpen) for
// the rest.
func describe(err error) (string, string) {
	var he hintError
	hint := ""
	if errors.As(err, &he) {
		hint = he.hint
	}
	switch {
	case errors.Is(err, errNoTerminal):
		return "a passphrase is needed and there is no terminal to ask on",
			firstNonEmpty(hint, "give it with --vault-passphrase-file F or WARDKEY_PASSPHRASE_FILE")
	case errors.Is(err, vault.ErrLocked):
		return err.Error(), hint // explainOpen names the profile and the way in
	}
	if msg, h, ok := wording.Open(err); ok {
		return msg, firstNonEmpty(hint, h)
	}
	return err.Error(), hint
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
