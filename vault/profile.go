package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

// File names inside a profile directory.
const (
	VaultFile   = "vault.json"
	BackupFile  = "vault.json.bak"
	LockFile    = "vault.lock"
	LocalFile   = "local.json"
	localLock   = "local.lock"
	auditLock   = "audit.lock"   // vault/audit's LockName (its tests check)
	auditAnchor = "audit.anchor" // vault/audit's AnchorName (its tests check)
)

// LockNames are the lock files a profile directory may hold: the vault's,
// the unlock attempts' and the audit log's; and the audit log's anchor,
// which is written in place under the audit log's lock. Each must be a
// regular file of this user; CheckLock finds and RepairLock removes any
// that is not (a removed anchor is made again by the next authenticated
// append).
func LockNames() []string { return []string{LockFile, localLock, auditLock, auditAnchor} }

// validProfileName is the pattern ^[a-z0-9._-]{1,64}$, checked by hand: a
// package-level regexp is compiled at start by every command, `wardkey
// code` included (about 0.4 ms and 700 allocations).
func validProfileName(name string) bool {
	if len(name) < 1 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// CheckProfile reports whether name is a valid profile name.
func CheckProfile(name string) error {
	if !validProfileName(name) || name == "." || name == ".." {
		return fmt.Errorf("profile name %q is not valid (use 1 to 64 of a-z, 0-9, '.', '_' and '-')", name)
	}
	return nil
}

// DefaultHome is $XDG_DATA_HOME/wardkey, or ~/.local/share/wardkey.
func DefaultHome() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "wardkey"), nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no home directory: set WARDKEY_HOME")
	}
	return filepath.Join(h, ".local", "share", "wardkey"), nil
}

// ProfileDir is the directory of a profile under home.
func ProfileDir(home, profile string) (string, error) {
	if err := CheckProfile(profile); err != nil {
		return "", err
	}
	return filepath.Join(home, profile), nil
}

// Exists reports whether a vault file exists in dir.
func Exists(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, VaultFile))
	return err == nil
}
