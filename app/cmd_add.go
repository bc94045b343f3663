package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
)

func cmdAdd(e *env, args []string) error {
	fs := e.flags("add")
	uri := fs.String("uri", "", "an otpauth:// URI, or - to read it from standard input")
	issuer := fs.String("issuer", "", "the service")
	account := fs.String("account", "", "the account name at the service")
	secret := fs.String("secret", "", "the base32 secret (visible to other users: prefer --secret-file)")
	secretFile := fs.String("secret-file", "", "read the base32 secret from this file")
	typ := fs.String("type", "totp", "totp, hotp or steam")
	alg := fs.String("algorithm", "SHA1", "SHA1, SHA256 or SHA512")
	digits := fs.Int("digits", 0, "6 to 8 (default 6)")
	period := fs.Int("period", 0, "seconds, 1 to 300 (default 30)")
	counter := fs.Uint64("counter", 0, "hotp: the next counter value")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("add takes flags only (got %q)", pos[0])
	}
	var a vault.Account
	switch {
	case *uri != "":
		if *issuer != "" || *account != "" || *secret != "" || *secretFile != "" {
			return usagef("--uri excludes --issuer, --account, --secret and --secret-file")
		}
		text := *uri
		if text == "-" {
			b, err := io.ReadAll(io.LimitReader(e.in, 64<<10))
			if err != nil {
				return fmt.Errorf("read the URI from standard input: %w", err)
			}
			text = strings.TrimSpace(string(b))
		}
		a, err = otpauth.Parse(text)
		if err != nil {
			return fmt.Errorf("the URI is not a usable otpauth URI: %w", err)
		}
	default:
		if *secret != "" && *secretFile != "" {
			return usagef("give the secret once: --secret or --secret-file")
		}
		if *secret == "" && *secretFile == "" {
			return usagef("add needs --uri, or --issuer/--account with --secret or --secret-file")
		}
		if *issuer == "" && *account == "" {
			return usagef("add needs --issuer or --account (or both)")
		}
		text := *secret
		if *secretFile != "" {
			b, err := os.ReadFile(*secretFile)
			if err != nil {
				return fmt.Errorf("read secret file: %w", err)
			}
			text = string(b)
		}
		sec, err := vault.ParseSecret(text)
		if err != nil {
			return fmt.Errorf("the secret was refused: %w", err)
		}
		a = vault.Account{Issuer: *issuer, Name: *account, Type: vault.Type(strings.ToLower(*typ)), Secret: sec,
			Algorithm: vault.Algorithm(strings.ToUpper(*alg)), Digits: *digits, Period: *period, Counter: *counter}
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return fmt.Errorf("the account was refused: %w", err)
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	var added vault.Account
	if err := v.Update(func(tx *vault.Tx) error {
		added, err = tx.Add(a)
		return err
	}); err != nil {
		return err
	}
	if dup, ok := v.State().Duplicates()[added.ID]; ok || !containsID(v.Accounts(), added.ID) {
		return fmt.Errorf("%s is already in the vault (id %s): nothing was added", added.Label(), dup)
	}
	fmt.Fprintf(e.out, "added %s (id %s, %s)\n", added.Label(), added.ID, added.Type)
	if added.Type != vault.HOTP {
		if code, err := vault.TOTPCode(added, e.now().Add(e.offset())); err == nil {
			fmt.Fprintf(e.out, "type this code into %s to finish enrolling: %s\n", nameOr(added.Issuer, "the service"), vault.GroupCode(code))
		}
	} else {
		fmt.Fprintf(e.out, "to finish enrolling, run 'wardkey code %s' and type the code into %s\n", added.ID, nameOr(added.Issuer, "the service"))
	}
	return nil
}

func containsID(as []vault.Account, id string) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// offset is the applied clock correction of this profile (sync/clock).
func (e *env) offset() time.Duration {
	l, err := vault.LoadLocal(e.dir())
	if err != nil {
		return 0
	}
	return l.Offset()
}
