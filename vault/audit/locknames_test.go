package audit_test

import (
	"slices"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The audit log's lock is one of the profile's locks that doctor checks.
func TestLockNameIsAProfileLock(t *testing.T) {
	if !slices.Contains(vault.LockNames(), audit.LockName) {
		t.Fatalf("vault.LockNames() = %v lacks %q", vault.LockNames(), audit.LockName)
	}
}
