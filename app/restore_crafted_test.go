package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// runHere runs the command line in the environment's home and returns the
// exit status, stdout, stderr.
func runHere(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, stdio{in: strings.NewReader(""), out: &out, err: &errb}, Hooks{KDF: &testKDF, NoSleep: true})
	return code, out.String(), errb.String()
}

// The red team's crafted backup deleted one account, replaced another's
// secret and set lock_after to 2147483647, with no question, and its
// year-2100 stamps then stamped every later change in 2100. Now: without
// --yes it is refused (plan printed, vault byte-identical); with --yes the
// settings out of range and everything stamped far ahead are set aside,
// and later changes carry today's stamps.
func TestRestoreCraftedBackup(t *testing.T) {
	year2100 := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		stamp time.Time
		// with --yes: is the delete and the new secret taken?
		taken bool
	}{
		{"stamped an hour ahead", time.Now().Add(time.Hour), true},
		{"stamped in 2100", year2100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := testHome(t)
			dir := filepath.Join(home, "default")
			as := accountsOf(t, dir)
			victim, target := as[0], as[1]
			// The crafted state: the vault's own, with a delete, a new
			// secret and a setting out of range, all stamped tt.stamp.
			st := stateOf(t, dir)
			s := vault.Stamp{Wall: tt.stamp.UnixMilli(), Device: "evil"}
			st.Tombstones = append(st.Tombstones, vault.Tombstone{ID: victim.ID, Stamp: s})
			for i, a := range st.Accounts {
				if a.ID == target.ID {
					a.Secret = vault.NewSecret([]byte("attacker's secret!!!"))
					a.Stamp = s
					st.Accounts[i] = a
				}
			}
			st.Settings = vault.Settings{LockAfter: 60, Stamp: s}
			var buf bytes.Buffer
			if err := backup.Write(&buf, st, []byte("orbit tulip gravel lantern"), backup.Options{WorkFactor: 10}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(home, "crafted.age")
			bpass := filepath.Join(home, "bpass")
			must(t, os.WriteFile(file, buf.Bytes(), 0o600))
			must(t, os.WriteFile(bpass, []byte("orbit tulip gravel lantern\n"), 0o600))

			before, _ := os.ReadFile(filepath.Join(dir, vault.VaultFile))
			code, out, errs := runHere("restore", "--passphrase-file", bpass, file)
			if code != 1 || !strings.Contains(errs, "nothing was written") || !strings.Contains(errs, "hint: check the plan above, then add --yes") {
				t.Fatalf("without --yes: exit %d\n%s%s", code, out, errs)
			}
			if tt.taken != !strings.Contains(out, "set aside: 2 entries stamped more than 24 h ahead of this clock") {
				t.Errorf("the plan does not say what is set aside:\n%s", out)
			}
			after, _ := os.ReadFile(filepath.Join(dir, vault.VaultFile))
			if !bytes.Equal(before, after) {
				t.Fatal("the refused restore changed the vault file")
			}

			code, out, errs = runHere("restore", "--yes", "--passphrase-file", bpass, file)
			if code != 0 {
				t.Fatalf("with --yes: exit %d\n%s%s", code, out, errs)
			}
			got := stateOf(t, dir)
			if want := map[bool]int{true: 60, false: 0}[tt.taken]; got.Settings.LockAfter != want {
				t.Errorf("lock_after is %d after the restore, want %d", got.Settings.LockAfter, want)
			}
			// The delete is taken when near, set aside when far.
			if _, deleted := find(got, victim.ID); deleted != tt.taken {
				t.Errorf("delete taken = %v, want %v", deleted, tt.taken)
			}
			// A later change is stamped now, not in 2100.
			wardkey(t, "add", "--issuer", "Later", "--account", "x", "--secret", "GEZDGNBVGY3TQOJQ")
			limit := time.Now().Add(vault.MaxAhead + time.Minute).UnixMilli()
			for _, a := range stateOf(t, dir).Accounts {
				if a.Stamp.Wall > limit {
					t.Errorf("%s is stamped %s", a.Label(), a.Stamp)
				}
			}
		})
	}
}

// A setting out of range refuses the whole backup (it does not decode),
// with --yes too: exit 1, the vault byte-identical.
func TestRestoreSettingOutOfRange(t *testing.T) {
	home := testHome(t)
	dir := filepath.Join(home, "default")
	st := stateOf(t, dir)
	st.Settings = vault.Settings{LockAfter: 2147483647, Stamp: vault.Stamp{Wall: time.Now().UnixMilli(), Device: "evil"}}
	var buf bytes.Buffer
	if err := backup.Write(&buf, st, []byte("orbit tulip gravel lantern"), backup.Options{WorkFactor: 10}); err != nil {
		t.Skipf("the backup writer refuses the setting itself: %v", err)
	}
	file, bpass := filepath.Join(home, "crafted.age"), filepath.Join(home, "bpass")
	must(t, os.WriteFile(file, buf.Bytes(), 0o600))
	must(t, os.WriteFile(bpass, []byte("orbit tulip gravel lantern\n"), 0o600))
	before, _ := os.ReadFile(filepath.Join(dir, vault.VaultFile))
	code, _, errs := runHere("restore", "--yes", "--passphrase-file", bpass, file)
	if code != 1 || !strings.Contains(errs, "lock_after 2147483647") || !strings.Contains(errs, "nothing was changed") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, vault.VaultFile)); !bytes.Equal(before, after) {
		t.Fatal("the refused restore changed the vault file")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// stateOf opens the profile's vault (the passphrase from
// WARDKEY_PASSPHRASE_FILE) and returns its whole state.
func stateOf(t *testing.T, dir string) vault.State {
	t.Helper()
	v, err := vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) {
		return readPassphraseFile(os.Getenv("WARDKEY_PASSPHRASE_FILE"))
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	return v.State()
}

func accountsOf(t *testing.T, dir string) []vault.Account {
	t.Helper()
	st := stateOf(t, dir)
	return st.Live()
}

// find reports whether id is live and whether it is deleted.
func find(st vault.State, id string) (live, deleted bool) {
	_, live = st.Account(id)
	return live, st.Deleted(id)
}
