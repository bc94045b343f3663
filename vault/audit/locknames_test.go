package audit_test

import (
	"slices"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The audit log's lock, and its anchor (written in place under it), are
// among the profile's files that doctor checks for a planted directory,
// symlink or another user's file.
func TestLockNameIsAProfileLock(t *testing.T) {
	for _, name := range []string{audit.LockName, audit.AnchorName} {
		if !slices.Contains(vault.LockNames(), name) {
			t.Errorf("vault.LockNames() = %v lacks %q", vault.LockNames(), name)
		}
	}
}
