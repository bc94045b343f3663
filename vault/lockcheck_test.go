//go:build unix

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every lock of a profile is checked and repaired, not only local.lock: a
// symlink or directory planted at vault.lock or audit.lock would stop
// saves or the audit log, so doctor must find it.
func TestCheckLockCoversEveryLock(t *testing.T) {
	for _, name := range LockNames() {
		for _, kind := range []string{"symlink", "directory"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				dir := t.TempDir()
				target := filepath.Join(t.TempDir(), "target")
				mustDo(t, os.WriteFile(target, []byte("keep"), 0o600))
				p := filepath.Join(dir, name)
				if kind == "symlink" {
					mustDo(t, os.Symlink(target, p))
				} else {
					mustDo(t, os.MkdirAll(filepath.Join(p, "inside"), 0o700))
				}
				err := CheckLock(dir)
				if !errors.Is(err, ErrPlantedLock) || !strings.Contains(err.Error(), name) {
					t.Fatalf("CheckLock = %v, want ErrPlantedLock naming %s", err, name)
				}
				mustDo(t, RepairLock(dir))
				if err := CheckLock(dir); err != nil {
					t.Fatalf("after repair: %v", err)
				}
				if b, err := os.ReadFile(target); err != nil || string(b) != "keep" {
					t.Fatalf("the symlink's target: %q, %v", b, err)
				}
			})
		}
	}
}
