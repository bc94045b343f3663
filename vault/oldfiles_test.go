package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpensFilesWrittenBefore: format-1 vaults written at cf9145e, with the
// binary payload and with the older JSON payload, a format-2 vault written
// at 511d86b (before the payload index) and a format-3 vault written at
// its introduction (the same state) still open, find, show codes and
// save, opened whole and opened for one account. Formats 2 and 3 open
// through the index (format 3 opened for one account, through its
// directory), format 1 decodes.
func TestOpensFilesWrittenBefore(t *testing.T) {
	for _, c := range []struct {
		name string
		one  bool
	}{{"vault-v1-binary.json", false}, {"vault-v1-json.json", false}, {"vault-v2.json", false}, {"vault-v3.json", false},
		{"vault-v1-binary.json", true}, {"vault-v2.json", true}, {"vault-v3.json", true}} {
		name := c.name
		t.Run(fmt.Sprintf("%s/one=%v", name, c.one), func(t *testing.T) {
			dir := t.TempDir()
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, VaultFile), b, 0o600); err != nil {
				t.Fatal(err)
			}
			v, err := Open(dir, Unlock{Passphrase: passphrase("pw"), OneAccount: c.one})
			if err != nil {
				t.Fatal(err)
			}
			if indexed := v.lazy != nil; indexed != (name == "vault-v2.json" || name == "vault-v3.json") {
				t.Errorf("opened through the payload index: %v", indexed)
			}
			if partly := v.lazy != nil && v.lazy.part != nil; partly != (c.one && name == "vault-v3.json") {
				t.Errorf("opened through the directory: %v", partly)
			}
			a, err := v.Find("riverside")
			if err != nil {
				t.Fatal(err)
			}
			// The RFC 6238 key at T=59: 94287082, six digits 287082.
			if code, err := TOTPCode(a, time.Unix(59, 0)); err != nil || code != "287082" || a.Tags[0] != "ward 3" || a.Note != "n" {
				t.Errorf("found %s (tags %q, note %q), code %s, %v", a.Label(), a.Tags, a.Note, code, err)
			}
			st := v.State()
			if len(st.Accounts) != 3 || len(st.Tombstones) != 1 || st.Settings.LockAfter != 300 {
				t.Errorf("state: %d accounts, %d tombstones, lock_after %d", len(st.Accounts), len(st.Tombstones), st.Settings.LockAfter)
			}
			if h, _ := st.Account("00000000000000b2"); h.Counter != 7 || h.Algorithm != SHA256 || h.Digits != 8 || !h.Favorite {
				t.Errorf("hotp account: %+v", h)
			}
			if err := v.Update(func(tx *Tx) error { _, err := tx.NextHOTP("00000000000000b2"); return err }); err != nil {
				t.Fatal(err)
			}
			w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
			if err != nil {
				t.Fatal(err)
			}
			if h, _ := w.State().Account("00000000000000b2"); h.Counter != 8 {
				t.Errorf("counter after a save: %d, want 8", h.Counter)
			}
		})
	}
}
