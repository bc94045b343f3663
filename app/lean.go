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

// needsFull is what a command left out of the lean build returns: run
// hands the command line to wardkey-full instead of printing it. what
// names what needed it, for the sentence said when wardkey-full is missing.
type needsFull struct{ what string }

func (n needsFull) Error() string { return n.what + " is in wardkey-full" }

// errNeedsFull: the whole command is left out of the lean build.
var errNeedsFull error = needsFull{"this command"}

func runTUI(*env) error                  { return needsFull{"the code screen"} }
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
	return needsFull{"setting this vault's passphrase"}
}

// fullName is wardkey-full's file name.
func fullName() string {
	if runtime.GOOS == "windows" {
		return "wardkey-full.exe"
	}
	return "wardkey-full"
}

// handOver runs the command line args in wardkey-full when err says the
// lean build does not have what the command needs. On Unix it does not
// come back when wardkey-full starts (the process becomes it); on Windows
// it returns wardkey-full's exit status as an exitError. The events this
// process queued for the audit log are dropped first (wardkey-full does
// the whole command again and writes its own); when wardkey-full cannot
// be started they are kept, and the error says why with a next step.
func (e *env) handOver(err error, args []string) error {
	var nf needsFull
	if !errors.As(err, &nf) {
		return err
	}
	exe, full, ferr := findFull()
	if ferr != nil {
		return withHint(fmt.Errorf("%s is in %s", nf.what, ferr), reinstallHint)
	}
	if filepath.Base(exe) == fullName() || sameFile(exe, full) {
		// This lean build is itself installed as wardkey-full (a copy
		// under that name, or a link to wardkey): handing over would
		// exec it for ever.
		return withHint(fmt.Errorf("%s is in wardkey-full, and the wardkey-full installed here is not it (it handed the command back)", nf.what), reinstallHint)
	}
	queued := e.auditLog
	e.auditLog = auditState{}
	code, xerr := execFull(full, args)
	if xerr != nil {
		e.auditLog = queued
		return fmt.Errorf("%s is in wardkey-full, which could not be started (%s): %w", nf.what, full, xerr)
	}
	clear(queued.key)
	return exitError{code}
}

const reinstallHint = "reinstall wardkey (its package and its archive hold both programs), or build both with 'make build'"

// findFull is wardkey-full beside this executable (archives, `make
// build`, /usr/bin in the packages), or in ../libexec/wardkey. The path
// is the executable's own, links resolved: never a search of PATH, which
// would run whatever a colleague put first in it.
//
// It returns this executable's path too.
func findFull() (exe, full string, err error) {
	exe, err = os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", "", fmt.Errorf("%s, and where wardkey itself is could not be read: %w", fullName(), err)
	}
	dir := filepath.Dir(exe)
	tried := []string{
		filepath.Join(dir, fullName()),
		filepath.Join(dir, "..", "libexec", "wardkey", fullName()),
	}
	for _, p := range tried {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return exe, p, nil
		}
	}
	return exe, "", fmt.Errorf("%s, which is not installed next to %s", fullName(), exe)
}

// sameFile reports whether a and b name one file (a link to wardkey
// installed as wardkey-full).
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
