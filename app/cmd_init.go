//go:build !wardkey_lean

package app

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardkey/wardkey/app/strength"
	"github.com/wardkey/wardkey/vault"
)

func cmdInit(e *env, args []string) error {
	fs := e.flags("init")
	noKeyring := fs.Bool("no-keyring", false, "passphrase only (the default; kept for scripts)")
	withKeyring := fs.Bool("keyring", false, "also a keyring slot: anyone at this OS login opens the vault without a passphrase (a computer that is yours alone)")
	recoveryOut := fs.String("recovery-out", "", "write the recovery code to this new file (0600)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("init takes no arguments")
	}
	if *noKeyring && *withKeyring {
		return usagef("--keyring and --no-keyring exclude each other")
	}
	dir := e.dir()
	if vault.Exists(dir) {
		return withHint(fmt.Errorf("profile %q already has a vault (%s); nothing was changed", e.profile, filepath.Join(dir, vault.VaultFile)),
			"use another --profile, or '"+e.cmdline("passwd")+"' to change its passphrase")
	}
	if *recoveryOut != "" {
		if _, err := os.Lstat(*recoveryOut); err == nil {
			return fmt.Errorf("%s already exists: the recovery code goes only into a new file", *recoveryOut)
		}
	}

	o, err := e.newVaultOptions(*withKeyring)
	if err != nil {
		return err
	}
	v, err := e.createVault(o, *recoveryOut)
	if err != nil {
		return err
	}
	v.Close()
	return nil
}

// newVaultOptions decides the slots of this profile's new vault (init, and
// restore where there is no vault yet): a passphrase, read from the vault
// passphrase file or asked twice; a keyring slot only when asked for
// (--keyring), never silently, and never where the policy forbids it.
func (e *env) newVaultOptions(withKeyring bool) (vault.CreateOptions, error) {
	o := vault.CreateOptions{Options: e.options()}
	if withKeyring {
		if err := e.checkKeyringAllowed(); err != nil {
			return o, err
		}
		if err := vault.Probe(e.keyring()); err != nil {
			return o, withHint(fmt.Errorf("--keyring was asked for, but %w", err), "start the OS keyring, or leave out --keyring to use a passphrase")
		}
		o.Keyring = e.keyring()
	}
	if !withKeyring || e.passFile != "" {
		p, err := e.vaultPassphrase("New vault passphrase ("+e.profile+")", true)
		if err != nil {
			return o, fmt.Errorf("a passphrase for the new vault: %w", err)
		}
		if err := e.checkVaultPassphrase(p); err != nil {
			return o, err
		}
		o.Passphrase = p
	}
	return o, nil
}

// warnWeak warns, without refusing, about a vault passphrase that is easy
// to guess: whoever copies the vault file can try passphrases offline.
// (Backups, which leave the machine, refuse weak ones outright.)
func (e *env) warnWeak(p []byte) {
	if err := strength.CheckMin(p, strength.MinVault, e.profile); err != nil {
		fmt.Fprintf(e.err, "wardkey: warning: %v; anyone who copies the vault file can try passphrases offline\n", err)
		fmt.Fprintf(e.err, "wardkey: hint: four or more unrelated words make a strong passphrase ('%s' changes it)\n", e.cmdline("passwd"))
	}
}

// createVault creates this profile's vault with o, plus a recovery code
// shown on the terminal or written to recoveryOut (with neither, none is
// made), and says what it made.
func (e *env) createVault(o vault.CreateOptions, recoveryOut string) (*vault.Vault, error) {
	dir := e.dir()
	code := vault.NewRecoveryCode()
	switch {
	case recoveryOut != "":
		o.RecoveryCode = code
	case e.interactive():
		o.RecoveryCode = code
	}
	v, err := vault.Create(dir, o)
	if err != nil {
		return nil, fmt.Errorf("create vault: %w", err)
	}
	var slots []string
	slots = append(slots, v.SlotKinds()...)
	fmt.Fprintf(e.err, "wardkey: created the vault of profile %q in %s (opens with: %v)\n", e.profile, dir, slots)
	if o.RecoveryCode != "" {
		if err := e.giveRecoveryCode(code, recoveryOut); err != nil {
			v.Close()
			return nil, err
		}
	} else {
		fmt.Fprintln(e.err, "wardkey: no recovery code was made (no terminal to show it on)")
		fmt.Fprintf(e.err, "wardkey: hint: make one with 'wardkey --profile %s recovery --recovery-out FILE' and keep it on paper\n", e.profile)
	}
	return v, nil
}

// giveRecoveryCode writes the code to a new 0600 file, or shows it once on
// the terminal. It is the one secret wardkey ever prints besides codes.
func (e *env) giveRecoveryCode(code, out string) error {
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("write recovery code: %w", err)
		}
		_, err = fmt.Fprintf(f, "wardkey recovery code for profile %q\n%s\n", e.profile, code)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write recovery code: %w", err)
		}
		fmt.Fprintf(e.err, "wardkey: the recovery code is in %s: print it, keep it safe, then delete the file\n", out)
		return nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return errNoTerminal
	}
	defer tty.Close()
	fmt.Fprintf(tty, "\n  Recovery code for profile %q (shown once; write it down or print it):\n\n      %s\n\n", e.profile, code)
	fmt.Fprintf(tty, "  It opens the vault if the passphrase is forgotten: 'wardkey --profile %s passwd --recovery'.\n\n", e.profile)
	return nil
}

// checkVaultPassphrase refuses a new vault passphrase scoring below
// min_passphrase_score (default 2), and warns about one that a backup
// would refuse.
func (e *env) checkVaultPassphrase(p []byte) error {
	if err := e.policy().CheckPassphraseScore(strength.Estimate(p, e.profile).Score); err != nil {
		return e.refused(withHint(err, "four or more unrelated words make a strong passphrase; nothing was changed"))
	}
	e.warnWeak(p)
	return nil
}
