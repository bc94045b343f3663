package app

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

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
	var v *vault.Vault
	if *recovery || *codeFile != "" {
		code, err := e.recoveryCode(*codeFile)
		if err != nil {
			return err
		}
		v, err = e.openWith(code)
		if err != nil {
			return err
		}
	} else if v, err = e.openVault(); err != nil {
		return err
	}
	defer v.Close()
	var p []byte
	if *newFile != "" {
		p, err = readPassphraseFile(*newFile)
	} else if e.interactive() {
		p, err = e.promptSecret("New vault passphrase (" + e.profile + ")")
		if err == nil && len(p) == 0 {
			err = errors.New("the passphrase is empty")
		}
		if err == nil {
			var q []byte
			if q, err = e.promptSecret("Repeat it"); err == nil && string(p) != string(q) {
				err = errors.New("the two passphrases differ")
			}
		}
	} else {
		err = withHint(errors.New("a new passphrase is needed and there is no terminal to ask on"), "give it with --new-passphrase-file F")
	}
	if err != nil {
		return err
	}
	e.warnWeak(p)
	if err := v.SetPassphrase(p, e.options()); err != nil {
		return fmt.Errorf("set the new passphrase: %w", err)
	}
	fmt.Fprintf(e.err, "wardkey: the vault of profile %q now opens with the new passphrase (the old one opens nothing, vault.json.bak included)\n", e.profile)
	return nil
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
	if *out == "" && !e.interactive() {
		return withHint(errors.New("there is no terminal to show the new recovery code on"), "write it to a file with --recovery-out FILE")
	}
	if *out != "" {
		if _, err := os.Lstat(*out); err == nil {
			return fmt.Errorf("%s already exists: the recovery code goes only into a new file", *out)
		}
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	code := vault.NewRecoveryCode()
	if err := v.SetRecoveryCode(code, e.options()); err != nil {
		return fmt.Errorf("make a recovery code: %w", err)
	}
	if err := e.giveRecoveryCode(code, *out); err != nil {
		return err
	}
	fmt.Fprintln(e.err, "wardkey: the new recovery code works from now on; the old one opens nothing")
	return nil
}
