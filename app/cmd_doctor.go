package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// checkLevel is the outcome of one doctor check.
type checkLevel int

const (
	checkOK checkLevel = iota
	checkWarn
	checkFail
	checkSkip
)

func (l checkLevel) String() string {
	return [...]string{"ok", "warn", "FAIL", "skip"}[l]
}

// checkResult is one line of `wardkey doctor`.
type checkResult struct {
	name  string
	level checkLevel
	msg   string
}

// doctorChecks run in order; each may look at what earlier ones found.
var doctorChecks = []func(e *env, d *doctorState) checkResult{
	checkPolicy,
	checkVaultFile,
	checkPermissions,
	checkAttempts,
	checkKeyring,
	checkOpens,
	checkClock,
}

type doctorState struct {
	info    vault.Info
	hasFile bool
}

func cmdDoctor(e *env, args []string) error {
	fs := e.flags("doctor")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("doctor takes no arguments")
	}
	var d doctorState
	failed := 0
	for _, c := range doctorChecks {
		r := c(e, &d)
		fmt.Fprintf(e.out, "%-4s  %-12s %s\n", r.level, r.name, show(r.msg))
		if r.level == checkFail {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(e.err, "wardkey: error: %d check(s) failed\n", failed)
		return exitError{1}
	}
	return nil
}

func checkVaultFile(e *env, d *doctorState) checkResult {
	if !e.profileSet && e.policy().Shared {
		return checkResult{"vault", checkSkip, "no profile named (a shared machine has no default): 'wardkey --profile NAME doctor' checks one"}
	}
	info, err := vault.ReadInfo(e.dir())
	if errors.Is(err, vault.ErrNoVault) {
		return checkResult{"vault", checkFail, fmt.Sprintf("profile %q has no vault in %s: run '%s'", e.profile, e.dir(), e.cmdline("init"))}
	}
	if err != nil {
		msg, _ := describe(err, e.profile)
		return checkResult{"vault", checkFail, msg}
	}
	d.info, d.hasFile = info, true
	if f, err := vault.Load(e.dir()); err == nil {
		if err := f.CheckSlots(); err != nil {
			return checkResult{"vault", checkFail, fmt.Sprintf("a slot is damaged, so it will not open the vault: %v; make it anew ('wardkey recovery' for the recovery code, 'wardkey passwd' for the passphrase)", strings.ReplaceAll(err.Error(), "\n", "; "))}
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir(), vault.BackupFile)); err != nil {
		return checkResult{"vault", checkOK, fmt.Sprintf("%s (slots: %v; no vault.json.bak yet)", filepath.Join(e.dir(), vault.VaultFile), info.Slots)}
	}
	return checkResult{"vault", checkOK, fmt.Sprintf("%s (slots: %v)", filepath.Join(e.dir(), vault.VaultFile), info.Slots)}
}

func checkPermissions(e *env, d *doctorState) checkResult {
	if !d.hasFile {
		return checkResult{"permissions", checkSkip, "no vault"}
	}
	var bad []string
	if st, err := os.Stat(e.dir()); err == nil && st.Mode().Perm()&0o077 != 0 {
		bad = append(bad, fmt.Sprintf("%s is %o (want 700)", e.dir(), st.Mode().Perm()))
	}
	for _, f := range []string{vault.VaultFile, vault.BackupFile, vault.LocalFile, audit.FileName, audit.RotatedName, audit.AnchorName} {
		st, err := os.Stat(filepath.Join(e.dir(), f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil && st.Mode().Perm()&0o077 != 0 {
			bad = append(bad, fmt.Sprintf("%s is %o (want 600)", f, st.Mode().Perm()))
		}
	}
	if len(bad) > 0 {
		return checkResult{"permissions", checkFail, fmt.Sprintf("readable by others: %v: run chmod 700 %s && chmod 600 %s/*", bad, e.dir(), e.dir())}
	}
	return checkResult{"permissions", checkOK, "the profile directory is 0700 and its files 0600"}
}

func checkKeyring(e *env, d *doctorState) checkResult {
	needed := d.info.Has(vault.SlotKeyring)
	if p := e.policy(); needed && !p.KeyringAllowed() {
		key := `keyring = "forbid"`
		if p.Keyring == "allow" {
			key = "shared = true"
		}
		if d.info.Has(vault.SlotPassphrase) {
			return checkResult{"keyring", checkWarn, fmt.Sprintf("this vault has a keyring slot, which the administrator's policy (%s, %s) does not allow: it opens only with its passphrase here", p.File, key)}
		}
		return checkResult{"keyring", checkFail, fmt.Sprintf("this vault opens only through the keyring, which the administrator's policy (%s, %s) does not allow: give it a passphrase with '%s'", p.File, key, e.cmdline("passwd"))}
	}
	err := vault.Probe(e.keyring())
	switch {
	case err == nil:
		return checkResult{"keyring", checkOK, "the OS keyring answers"}
	case needed && !d.info.Has(vault.SlotPassphrase) && !d.info.Has(vault.SlotRecovery):
		return checkResult{"keyring", checkFail, fmt.Sprintf("%v: this vault opens only through the keyring", err)}
	case needed:
		return checkResult{"keyring", checkWarn, fmt.Sprintf("%v: the vault still opens with its passphrase", err)}
	}
	return checkResult{"keyring", checkOK, fmt.Sprintf("not used by this vault (%v)", errors.Unwrap(err))}
}

func checkOpens(e *env, d *doctorState) checkResult {
	if !d.hasFile {
		return checkResult{"unlock", checkSkip, "no vault"}
	}
	if !d.info.Has(vault.SlotKeyring) && !e.canAskPassphrase() {
		return checkResult{"unlock", checkSkip, "no keyring slot and no passphrase given (--vault-passphrase-file)"}
	}
	// As is: doctor looks and changes nothing (a shared machine's
	// keyring-only vault is checkKeyring's failure, not a passphrase to
	// set in the middle of the checks).
	open := func() (*vault.Vault, error) { return e.openAsIs("") }
	if e.demo {
		open = e.openVault
	}
	v, err := open()
	if err != nil {
		msg, _ := describe(err, e.profile)
		return checkResult{"unlock", checkFail, msg}
	}
	defer v.Close()
	n := len(v.Accounts())
	return checkResult{"unlock", checkOK, fmt.Sprintf("the vault opens and all %d accounts decode", n)}
}

// checkClock compares the clock with NTP: see clockCheck in cmd_clock.go.
func checkClock(e *env, d *doctorState) checkResult { return clockCheck(e) }

// checkAttempts finds what stops failed unlock attempts being counted, the
// vault being saved or the audit log being written: a lock planted at
// local.lock, vault.lock or audit.lock, or something planted at
// audit.anchor (a directory, a symlink, another user's file), which it
// removes, and a local.json that does not read.
func checkAttempts(e *env, d *doctorState) checkResult {
	dir := e.dir()
	if _, err := os.Lstat(dir); err != nil {
		return checkResult{"attempts", checkSkip, "no profile directory"}
	}
	if err := vault.CheckLock(dir); err != nil {
		if !errors.Is(err, vault.ErrPlantedLock) {
			return checkResult{"attempts", checkFail, fmt.Sprintf("%v: failed unlock attempts may not be counted (every attempt waits the longest) and saves may fail", err)}
		}
		if rerr := vault.RepairLock(dir); rerr != nil {
			return checkResult{"attempts", checkFail, fmt.Sprintf("%v, and it could not be removed (%v): remove %s by hand", err, rerr, filepath.Join(dir, "local.lock"))}
		}
		return checkResult{"attempts", checkWarn, fmt.Sprintf("repaired: %v was put there (by someone else, or by mistake) and is removed, so failed unlock attempts are counted and saves and the audit log work again", err)}
	}
	if _, err := vault.LoadLocal(dir); err != nil {
		return checkResult{"attempts", checkFail, fmt.Sprintf("%s does not read (%v): every unlock attempt waits the longest; move it aside (a new device ID is made)", vault.LocalFile, err)}
	}
	return checkResult{"attempts", checkOK, "failed unlock attempts are counted (local.json and the profile's locks are sound)"}
}
