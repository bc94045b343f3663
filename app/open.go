package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/keyring"
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
	v, err := e.openAsIs(recovery)
	if err != nil {
		return nil, err
	}
	if err := e.leaveKeyringOnSharedMachine(v); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// openAsIs opens the vault as openWith does but changes nothing: a shared
// machine's keyring-only vault is not given a passphrase (doctor, which
// only looks, reports it in its keyring check instead).
func (e *env) openAsIs(recovery string) (*vault.Vault, error) {
	var pass func() ([]byte, error)
	if e.canAskPassphrase() {
		pass = func() ([]byte, error) {
			return e.vaultPassphrase("Vault passphrase ("+e.profile+")", false)
		}
	}
	v, err := e.unlock(pass, recovery)
	if err != nil {
		return nil, e.explainOpen(err)
	}
	return v, nil
}

// leaveKeyringOnSharedMachine gives a vault that opened with its keyring
// slot alone a passphrase on a shared machine (policy shared = true),
// before any command uses it: anyone at this OS login can use the
// keyring, so there the vault must need its person's passphrase. On a
// terminal the passphrase is asked twice, the vault gets a new key with a
// passphrase slot and no keyring slot, and the keyring item is deleted
// (the TUI does the same on its "Set a passphrase" screen); without one
// the command is refused, saying how.
func (e *env) leaveKeyringOnSharedMachine(v *vault.Vault) error {
	if !e.policy().Shared || !hasSlot(v, vault.SlotKeyring) || hasSlot(v, vault.SlotPassphrase) {
		return nil
	}
	why := fmt.Sprintf("this computer is shared (%s, shared = true), and profile %q opens with this login's keyring, which anyone here can use", e.policy().File, e.profile)
	if !e.interactive() {
		return withHint(errors.New(why+": it needs a passphrase first; nothing was done"),
			"run '"+e.cmdline("passwd")+"' on a terminal to set one (the keyring slot is then dropped)")
	}
	return e.setPassphraseForSharedKeyring(v, why)
}

// attemptQueue is how long an attempt waits for the ones before it (other
// processes trying the same profile) before it is refused.
const attemptQueue = 2 * time.Minute

// unlock opens the vault from one read of its file: the keyring slot when
// it has one, then the recovery code, or pass (when not nil) for the
// passphrase slot. Passphrase and recovery attempts are counted across
// processes, each made under the profile's lock after the wait the count
// asks (vault.Attempt). The CLI and the TUI both open vaults through it.
func (e *env) unlock(pass func() ([]byte, error), recovery string) (*vault.Vault, error) {
	e.prefetchKey()
	kr := e.early
	e.early = nil
	f, err := vault.Load(e.dir())
	if err != nil {
		return nil, err
	}
	info := f.Info()
	u := vault.Unlock{Options: e.options(), RecoveryCode: recovery, OneAccount: e.oneAccount}
	if e.opensWithKeyring(info) {
		u.Keyring = kr
	}
	var att *vault.Attempt
	if recovery != "" {
		if att, err = e.beginAttempt(); err != nil {
			return nil, err
		}
	}
	if pass != nil && info.Has(vault.SlotPassphrase) {
		u.Passphrase = func() ([]byte, error) {
			// Read it first: no lock is held while a person types.
			p, err := pass()
			if err != nil {
				return nil, err
			}
			if att, err = e.beginAttempt(); err != nil {
				clear(p)
				return nil, err
			}
			return p, nil
		}
	}
	v, err := f.Open(u)
	if att != nil {
		e.recordUnlock(att, err)
		att.Release()
	}
	if err == nil {
		e.auditUnlocked(v)
	}
	return v, err
}

// prefetchKey starts reading the vault key from the OS keyring, when the
// vault will be opened through it, for the next unlock. The keyring's
// answer takes the Secret Service's round trips, most of a code's time:
// unlock reads the vault file meanwhile, and a command that has other
// work before it opens (code's clock offset) calls this first, once its
// arguments are known to be good. Nothing is asked of a vault without a
// keyring slot, or one the policy keeps from the keyring.
func (e *env) prefetchKey() {
	if e.early != nil || e.demo {
		return
	}
	e.early = e.keyring()
	if service, user, info, ok := vault.PeekKeyringSlot(e.dir()); ok && e.opensWithKeyring(info) {
		e.early = keyring.Prefetch(e.early, service, user)
	}
}

// opensWithKeyring reports whether a vault with info's slots is opened
// through the OS keyring: where the policy forbids keyrings, a vault that
// also has a passphrase opens only with it.
func (e *env) opensWithKeyring(info vault.Info) bool {
	return info.Has(vault.SlotKeyring) && (e.policy().KeyringAllowed() || !info.Has(vault.SlotPassphrase))
}

// beginAttempt takes the profile's lock for one attempt and waits as long
// as the failures before it ask: the longest wait when they cannot be
// counted. Another process's attempt holding the lock for longer than
// attemptQueue refuses this one.
func (e *env) beginAttempt() (*vault.Attempt, error) {
	dir := e.dir()
	_, _ = vault.DeviceID(dir) // local.json exists before the lock is held: Open reads it
	att, err := vault.BeginAttempt(dir, attemptQueue)
	if errors.Is(err, vault.ErrLockBusy) {
		e.auditLocked(audit.Event{Event: audit.UnlockThrottled, Detail: map[string]any{"queue": "busy"}})
		return nil, withHint(fmt.Errorf("other attempts to open profile %q are waiting their turn; this one was refused", e.profile),
			"wait a minute and try again; if no other wardkey is running, run 'wardkey doctor'")
	}
	if err != nil {
		return nil, err
	}
	w := att.Wait(e.now())
	switch {
	case att.Broken() != nil:
		fmt.Fprintf(e.err, "wardkey: warning: failed attempts cannot be counted (%v): waiting %s, the longest wait\n", att.Broken(), w.Round(time.Second))
		fmt.Fprintf(e.err, "wardkey: hint: run '%s' to repair it\n", e.cmdline("doctor"))
	case w > 0:
		e.auditLocked(audit.Event{Event: audit.UnlockThrottled, Detail: map[string]any{"wait_seconds": int(w.Round(time.Second).Seconds())}})
		fmt.Fprintf(e.err, "wardkey: %d failed attempts: waiting %s before trying again\n", att.Failures(), w.Round(time.Second))
	}
	if w > 0 && !e.hooks.NoSleep {
		time.Sleep(w)
	}
	return att, nil
}

// unlockWait says how many passphrase attempts failed in a row and how long
// the next one must wait (the TUI shows the wait instead of sleeping blind):
// the longest wait when local.json cannot be read.
func (e *env) unlockWait() (int, time.Duration, error) {
	l, err := vault.LoadLocal(e.dir())
	if err != nil {
		return 0, vault.MaxUnlockDelay, err
	}
	return l.FailedUnlocks, l.UnlockWait(e.now()), nil
}

// countFailure counts a wrong passphrase found outside unlock (a rekey
// asking for it again), under the profile's lock.
func (e *env) countFailure() {
	e.auditLocked(audit.Event{Event: audit.UnlockFailed})
	if att, err := vault.BeginAttempt(e.dir(), attemptQueue); err == nil {
		_ = att.Record(true, e.now())
		att.Release()
	}
}

// recordUnlock counts a failed passphrase attempt, or resets the count
// after a success, under the attempt's lock.
func (e *env) recordUnlock(att *vault.Attempt, err error) {
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		e.auditLocked(audit.Event{Event: audit.UnlockFailed})
		_ = att.Record(true, e.now())
	case err == nil:
		_ = att.Record(false, e.now())
	}
}

// explainOpen adds the profile and the way out to an open error.
func (e *env) explainOpen(err error) error {
	switch {
	case errors.Is(err, vault.ErrNoVault):
		return withHint(fmt.Errorf("profile %q has no vault yet (%s)", e.profile, e.dir()),
			"run '"+e.cmdline("init")+"' to create one, or 'wardkey --demo' to try the demo")
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
// the rest. Every command the sentence or hint names ('wardkey passwd …')
// names profile when it is not the default: following a hint must never
// act on another person's vault.
func describe(err error, profile string) (string, string) {
	msg, hint := worded(err)
	return withProfile(msg, profile), withProfile(hint, profile)
}

// worded is describe before the profile is put into the commands named.
func worded(err error) (string, string) {
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

// withProfile makes the commands a hint names ('wardkey passwd …') name
// profile when it is not the default one.
// A command that already names a profile is left as it is.
func withProfile(hint, profile string) string {
	cmd := wording.Command(profile, "")
	if cmd == "wardkey " {
		return hint
	}
	var b strings.Builder
	for {
		i := strings.Index(hint, "wardkey ")
		if i < 0 {
			b.WriteString(hint)
			return b.String()
		}
		quoted := i > 0 && hint[i-1] == '\'' || i > 1 && hint[i-2:i] == ": "
		rest := hint[i+len("wardkey "):]
		b.WriteString(hint[:i])
		if quoted && !strings.HasPrefix(rest, "--profile ") {
			b.WriteString(cmd)
		} else {
			b.WriteString("wardkey ")
		}
		hint = rest
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func hasSlot(v *vault.Vault, kind string) bool { return slices.Contains(v.SlotKinds(), kind) }
