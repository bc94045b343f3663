//go:build !wardkey_lean

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// passwd, recovery and rekey each give the vault a new key
// (docs/vault-format.md, "Key rotation"): every slot is rewrapped, the
// payload re-sealed, vault.json.bak rewritten; other workstations take the
// new key at their next sync.

func cmdPasswd(e *env, args []string) error {
	fs := e.flags("passwd")
	recovery := fs.Bool("recovery", false, "open the vault with the recovery code (forgotten passphrase)")
	codeFile := fs.String("recovery-code-file", "", "with --recovery: read the recovery code from this file")
	newFile := fs.String("new-passphrase-file", "", "read the new passphrase from this file (scripts)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("passwd takes no arguments")
	}
	if e.demo {
		return usagef("the demo vault has no passphrase: leave out --demo")
	}
	var v *vault.Vault
	var code string
	var typed []byte
	if *recovery || *codeFile != "" {
		if code, err = e.recoveryCode(*codeFile); err != nil {
			return err
		}
		v, typed, err = e.openKeeping(code)
	} else {
		v, typed, err = e.openKeeping("")
	}
	if err != nil {
		return err
	}
	clear(typed) // passwd sets a new passphrase: the one typed is not needed
	defer v.Close()
	p, err := e.newVaultPassphrase(*newFile)
	if err != nil {
		return err
	}
	// A vault opened with the recovery code gets its recovery slot made
	// again for that code (asymmetric, so later rotations keep it).
	res, err := e.rekey(v, vault.RekeyOptions{Passphrase: p, NewPassphrase: true, RecoveryCode: code})
	if err != nil {
		return fmt.Errorf("set the new passphrase: %w", err)
	}
	e.audit(v, audit.Event{Event: audit.Passwd, Detail: map[string]any{"recovery": *recovery || *codeFile != ""}})
	fmt.Fprintf(e.err, "wardkey: the vault of profile %q has a new key and opens with the new passphrase; the old passphrase opens nothing saved from now on (vault.json.bak included)\n", e.profile)
	e.afterRekey(res)
	return nil
}

// newVaultPassphrase is a new vault passphrase: from file when given,
// else typed twice on the terminal; checked as strong as the policy asks
// (min_passphrase_score). The caller wipes it.
func (e *env) newVaultPassphrase(file string) ([]byte, error) {
	var p []byte
	var err error
	if file != "" {
		p, err = readPassphraseFile(file)
	} else if e.interactive() {
		p, err = e.promptSecret("New vault passphrase (" + e.profile + ")")
		if err == nil && len(p) == 0 {
			err = errors.New("the passphrase is empty")
		}
		if err == nil {
			var q []byte
			if q, err = e.promptSecret("Repeat it"); err == nil && !bytes.Equal(p, q) {
				err = errors.New("the two passphrases differ")
			}
			clear(q)
		}
	} else {
		err = withHint(errors.New("a new passphrase is needed and there is no terminal to ask on"), "give it with --new-passphrase-file F")
	}
	if err != nil {
		clear(p)
		return nil, err
	}
	if err := e.checkVaultPassphrase(p); err != nil {
		clear(p)
		return nil, err
	}
	return p, nil
}

// openKeepingPassphrase opens the vault as openWith does (a shared
// machine's keyring-only vault given a passphrase first), and returns a
// copy of the passphrase if one was typed (or read from a file), for the
// rewrapped passphrase slot. The caller wipes it.
func (e *env) openKeepingPassphrase(recovery string) (*vault.Vault, []byte, error) {
	v, typed, err := e.openKeeping(recovery)
	if err != nil {
		return nil, nil, err
	}
	if err := e.leaveKeyringOnSharedMachine(v); err != nil {
		clear(typed)
		v.Close()
		return nil, nil, err
	}
	return v, typed, nil
}

// openKeeping is openKeepingPassphrase without the shared machine's
// conversion: for passwd, which sets the passphrase and drops the keyring
// slot itself (e.rekey).
func (e *env) openKeeping(recovery string) (*vault.Vault, []byte, error) {
	var typed []byte
	var pass func() ([]byte, error)
	if e.canAskPassphrase() {
		pass = func() ([]byte, error) {
			// unlock waits out earlier failures, under the profile's lock.
			p, err := e.vaultPassphrase("Vault passphrase ("+e.profile+")", false)
			if err == nil {
				typed = bytes.Clone(p)
			}
			return p, err
		}
	}
	v, err := e.unlock(pass, recovery)
	if err != nil {
		clear(typed)
		return nil, nil, e.explainOpen(err)
	}
	return v, typed, nil
}

// currentPassphrase is the passphrase the rewrapped passphrase slot gets
// when the passphrase does not change (recovery, rekey): the one typed to
// open the vault, or, when it opened otherwise (the keyring), asked now.
// A vault without a passphrase slot needs none.
func (e *env) currentPassphrase(v *vault.Vault, typed []byte) ([]byte, error) {
	if typed != nil || !hasSlot(v, vault.SlotPassphrase) {
		return typed, nil
	}
	p, err := e.vaultPassphrase("Vault passphrase ("+e.profile+", to rewrap it under the new key)", false)
	if errors.Is(err, errNoTerminal) {
		return nil, withHint(fmt.Errorf("%w, and there is no terminal to ask on", vault.ErrPassphraseNeeded),
			"give it with --vault-passphrase-file F or WARDKEY_PASSPHRASE_FILE")
	}
	return p, err
}

// rekey rotates the vault key; Ctrl-C before the file is written cancels.
func (e *env) rekey(v *vault.Vault, o vault.RekeyOptions) (vault.RekeyResult, error) {
	o.Options = e.options()
	if hasSlot(v, vault.SlotKeyring) {
		o.Keyring = e.keyring()
		// A shared machine has no keyring slots: a rotation that leaves a
		// passphrase slot drops the keyring's and deletes its item.
		o.DropKeyring = e.policy().Shared && (o.NewPassphrase || hasSlot(v, vault.SlotPassphrase))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := v.Rekey(ctx, o)
	if errors.Is(err, vault.ErrWrongPassphrase) {
		e.countFailure()
	}
	return res, err
}

// afterRekey says what a rotation means for the recovery code and the
// other workstations.
func (e *env) afterRekey(res vault.RekeyResult) {
	if res.RecoveryDropped {
		fmt.Fprintf(e.err, "wardkey: warning: the recovery code made before this version of wardkey cannot follow a new key and no longer opens the vault\n")
		fmt.Fprintf(e.err, "wardkey: hint: make a new one with 'wardkey --profile %s recovery --recovery-out FILE'\n", e.profile)
	}
	if l, err := vault.LoadLocal(e.dir()); err == nil && l.SyncRemote != "" {
		fmt.Fprintf(e.err, "wardkey: the next '%s' puts the new key on the remote; each other workstation takes it at its next sync, asking for this vault passphrase\n", e.cmdline("sync"))
	}
}

// recoveryCode reads a recovery code from a file or the terminal.
func (e *env) recoveryCode(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read recovery code file: %w", err)
		}
		// The file wardkey writes has a title line; take the last non-empty line.
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		return strings.TrimSpace(lines[len(lines)-1]), nil
	}
	if !e.interactive() {
		return "", withHint(errNoTerminal, "give the code with --recovery-code-file F")
	}
	b, err := e.promptSecret("Recovery code")
	return string(b), err
}

func cmdRecovery(e *env, args []string) error {
	fs := e.flags("recovery")
	out := fs.String("recovery-out", "", "write the new recovery code to this new file (0600)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("recovery takes no arguments")
	}
	if e.demo {
		return usagef("the demo vault has no recovery code: leave out --demo")
	}
	if *out == "" && !e.interactive() {
		return withHint(errors.New("there is no terminal to show the new recovery code on"), "write it to a file with --recovery-out FILE")
	}
	if *out != "" {
		if _, err := os.Lstat(*out); err == nil {
			return fmt.Errorf("%s already exists: the recovery code goes only into a new file", *out)
		}
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
	code := vault.NewRecoveryCode()
	res, err := e.rekey(v, vault.RekeyOptions{Passphrase: p, RecoveryCode: code})
	if err != nil {
		return fmt.Errorf("make a recovery code: %w", err)
	}
	if err := e.giveRecoveryCode(code, *out); err != nil {
		return err
	}
	e.audit(v, audit.Event{Event: audit.Recovery})
	fmt.Fprintln(e.err, "wardkey: the vault has a new key and a new recovery code; the old code opens nothing saved from now on")
	res.RecoveryDropped = false
	e.afterRekey(res)
	return nil
}

// setPassphraseForSharedKeyring asks the person at the terminal for a new
// passphrase and gives v a new key with a passphrase slot and no keyring
// slot (leaveKeyringOnSharedMachine, where why comes from).
func (e *env) setPassphraseForSharedKeyring(v *vault.Vault, why string) error {
	fmt.Fprintf(e.err, "wardkey: %s: set a passphrase for it now (the keyring slot is then dropped)\n", why)
	p, err := e.newVaultPassphrase("")
	if err != nil {
		return err
	}
	res, err := e.rekey(v, vault.RekeyOptions{Passphrase: p, NewPassphrase: true})
	clear(p)
	if err != nil {
		return fmt.Errorf("set the passphrase: %w", err)
	}
	e.audit(v, audit.Event{Event: audit.Passwd, Detail: map[string]any{"keyring_dropped": true}})
	fmt.Fprintf(e.err, "wardkey: profile %q now opens with its passphrase only; the keyring slot is gone\n", e.profile)
	if res.KeyringLeft != nil {
		fmt.Fprintf(e.err, "wardkey: warning: its old keyring item could not be deleted (%v); it opens nothing saved from now on\n", res.KeyringLeft)
	}
	e.afterRekey(res)
	return nil
}
