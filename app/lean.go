//go:build wardkey_lean

// The lean build: `go build -tags wardkey_lean` is the `wardkey` that
// packages install, with the commands a person runs many times a day (code,
// list, log, config, clock, doctor, policy, delete, version, help) and
// nothing of the code screen, QR decoding, backups or sync. Every package a
// Go program links runs its initialisation before main, so leaving those
// out is what makes `wardkey code` start fast (docs/performance.md, "Two
// binaries"). Everything else is wardkey-full, the default build of the
// same source, installed next to it: the lean build hands the whole
// command line to it (forward) before it has done anything, or, for the
// one case found only after the vault is open (a shared machine's keyring
// vault that must get a passphrase), before it has changed anything.

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/wardkey/wardkey/vault"
)

// errNeedsFull is what a command left out of the lean build returns: run
// hands the command line to wardkey-full instead of printing it.
var errNeedsFull = errors.New("this command is in wardkey-full")

func runTUI(*env) error                  { return errNeedsFull }
func cmdInit(*env, []string) error       { return errNeedsFull }
func cmdAdd(*env, []string) error        { return errNeedsFull }
func cmdImport(*env, []string) error     { return errNeedsFull }
func cmdExport(*env, []string) error     { return errNeedsFull }
func cmdRestore(*env, []string) error    { return errNeedsFull }
func cmdQR(*env, []string) error         { return errNeedsFull }
func cmdSync(*env, []string) error       { return errNeedsFull }
func cmdPasswd(*env, []string) error     { return errNeedsFull }
func cmdRecovery(*env, []string) error   { return errNeedsFull }
func cmdRekey(*env, []string) error      { return errNeedsFull }
func cmdCompletion(*env, []string) error { return errNeedsFull }
func cmdMan(*env, []string) error        { return errNeedsFull }
func (*env) setPassphraseForSharedKeyring(*vault.Vault, string) error {
	return errNeedsFull
}

// fullName is wardkey-full's file name.
var fullName = "wardkey-full" + map[bool]string{true: ".exe"}[runtime.GOOS == "windows"]

// forwarded runs the command line args in wardkey-full when err says the
// lean build does not have the command, and reports whether it did; the
// status is wardkey-full's. Nothing of this process's (its audit events
// included) is kept: wardkey-full does the whole command again.
func forwarded(err error, args []string, io stdio) (int, bool) {
	if !errors.Is(err, errNeedsFull) {
		return 0, false
	}
	full, ferr := findFull()
	if ferr != nil {
		fmt.Fprintf(io.err, "wardkey: error: %s\n", show(ferr.Error()))
		fmt.Fprintf(io.err, "wardkey: hint: reinstall wardkey (its package and its archive hold both programs), or build both with 'make build'\n")
		return 1, true
	}
	code, xerr := execFull(full, args)
	if xerr != nil {
		fmt.Fprintf(io.err, "wardkey: error: %s\n", show(fmt.Sprintf("could not start %s: %v", full, xerr)))
		return 1, true
	}
	return code, true
}

// findFull is wardkey-full beside this executable (archives, `make
// build`, /usr/bin in the packages), or in ../libexec/wardkey. The path
// is the executable's own, links resolved: never a search of PATH, which
// would run whatever a colleague put first in it.
func findFull() (string, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("this command is in %s, and where wardkey itself is could not be read: %w", fullName, err)
	}
	dir := filepath.Dir(exe)
	tried := []string{
		filepath.Join(dir, fullName),
		filepath.Join(dir, "..", "libexec", "wardkey", fullName),
	}
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("this command is in %s, which is not installed next to %s", fullName, exe)
}
