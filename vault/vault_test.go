package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func newTestVault(t testing.TB, pass string) (string, *Vault) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "default")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte(pass)})
	if err != nil {
		t.Fatal(err)
	}
	return dir, v
}

func passphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

func testAccount(issuer, name string) Account {
	return Account{Issuer: issuer, Name: name, Secret: NewSecret([]byte("12345678901234567890")), Type: TOTP}
}

func addAccount(t testing.TB, v *Vault, a Account) Account {
	t.Helper()
	var out Account
	if err := v.Update(func(tx *Tx) (err error) { out, err = tx.Add(a); return }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreateOpenRoundTrip(t *testing.T) {
	dir, v := newTestVault(t, "correct horse")
	a := addAccount(t, v, Account{Issuer: "EHR", Name: "dr.jones", Secret: NewSecret([]byte("abcdefghij")), Type: HOTP, Counter: 7, Tags: []string{"ward 3"}, Note: "n", Favorite: true})
	w, err := Open(dir, Unlock{Passphrase: passphrase("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := w.State().Account(a.ID)
	if !ok {
		t.Fatal("account missing after reopen")
	}
	if !got.Secret.Equal(a.Secret) || got.Counter != 7 || got.Issuer != "EHR" || !got.Favorite || got.Note != "n" || len(got.Tags) != 1 || got.Stamp != a.Stamp {
		t.Errorf("reopened account differs: %+v vs %+v", got, a)
	}
	for _, f := range []string{VaultFile, LocalFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o, want 600", f, st.Mode().Perm())
		}
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %o, want 700", st.Mode().Perm())
	}
}

func TestOpenRefusals(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, testAccount("A", "a"))
	path := filepath.Join(dir, VaultFile)
	orig, _ := os.ReadFile(path)

	// Format 2: one line of JSON (header, slots), then the raw payload.
	nl := bytes.IndexByte(orig, '\n')
	line, body := orig[:nl], orig[nl+1:]
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return append(append(b, '\n'), body...)
	}
	// flip changes one payload byte, so the file still parses and only the
	// AEAD can notice.
	flip := func(i int) []byte {
		b := bytes.Clone(orig)
		b[nl+1+i] ^= 1
		return b
	}
	tests := []struct {
		name string
		file []byte
		pass string
		want error
	}{
		{"wrong passphrase", orig, "nope", ErrWrongPassphrase},
		{"payload bit flipped", flip(0), "pw", ErrTampered},
		{"payload last bit flipped", flip(len(body) - 1), "pw", ErrTampered},
		{"header vault id changed", mutate(func(m map[string]any) {
			h := m["header"].(map[string]any)
			h["vault_id"] = "ffffffffffffffffffffffffffffffff"
		}), "pw", ErrWrongPassphrase}, // the slot is bound to the vault ID
		{"header key id changed", mutate(func(m map[string]any) {
			m["header"].(map[string]any)["key_id"] = "ffffffffffffffffffffffffffffffff"
		}), "pw", ErrTampered}, // the slot names another key
		{"slot key id changed too", mutate(func(m map[string]any) {
			m["header"].(map[string]any)["key_id"] = "ffffffffffffffffffffffffffffffff"
			m["slots"].([]any)[0].(map[string]any)["key_id"] = "ffffffffffffffffffffffffffffffff"
		}), "pw", ErrWrongPassphrase}, // the slot's AD binds its key ID
		{"key generation changed", mutate(func(m map[string]any) {
			m["header"].(map[string]any)["key_gen"] = 7
		}), "pw", ErrTampered},
		{"newer version", mutate(func(m map[string]any) { m["header"].(map[string]any)["version"] = 99 }), "pw", ErrUnsupportedVersion},
		{"format 1 label on a format-2 file", mutate(func(m map[string]any) { m["header"].(map[string]any)["version"] = 1 }), "pw", ErrTampered},
		{"payload missing", append(bytes.Clone(line), '\n'), "pw", ErrTampered},
		{"not a vault", []byte("hello"), "pw", ErrNotVault},
		{"empty", nil, "pw", ErrNotVault},
		{"truncated header", orig[:nl/2], "pw", ErrNotVault},
		{"truncated payload", orig[:nl+1+len(body)/2], "pw", ErrTampered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(path, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, Unlock{Passphrase: passphrase(tc.pass)})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			now, _ := os.ReadFile(path)
			if !bytes.Equal(now, tc.file) {
				t.Error("a refused open changed the vault file")
			}
			// A save through an open handle must refuse too and write nothing.
			if err := v.Update(func(tx *Tx) error { tx.Delete("x"); return nil }); err == nil && tc.want != ErrWrongPassphrase {
				t.Error("Update over a bad vault file succeeded")
			}
			now, _ = os.ReadFile(path)
			if tc.want != ErrWrongPassphrase && !bytes.Equal(now, tc.file) {
				t.Error("a refused save changed the vault file")
			}
		})
	}
}

func TestRecoveryAndPasswd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	code := NewRecoveryCode()
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("old"), RecoveryCode: code})
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, testAccount("A", "a"))
	// The code opens the vault, typed carelessly.
	sloppy := bytes.ToLower([]byte(code))
	w, err := Open(dir, Unlock{RecoveryCode: string(bytes.ReplaceAll(sloppy, []byte("-"), []byte(" ")))})
	if err != nil {
		t.Fatalf("open with recovery code: %v", err)
	}
	if err := w.SetPassphrase([]byte("new"), cheap); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Unlock{Passphrase: passphrase("new")}); err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	for _, f := range []string{VaultFile, BackupFile} {
		d := t.TempDir()
		b, _ := os.ReadFile(filepath.Join(dir, f))
		os.WriteFile(filepath.Join(d, VaultFile), b, 0o600)
		if _, err := Open(d, Unlock{Passphrase: passphrase("old")}); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("old passphrase on %s: %v, want ErrWrongPassphrase", f, err)
		}
	}
	newCode := NewRecoveryCode()
	if _, err := w.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("new"), RecoveryCode: newCode}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: code}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old recovery code: %v, want ErrWrongPassphrase", err)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: newCode}); err != nil {
		t.Errorf("new recovery code: %v", err)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	dir, _ := newTestVault(t, "pw")
	before, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	if _, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("x")}); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a vault: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	if !bytes.Equal(before, after) {
		t.Error("vault changed")
	}
	if _, err := Create(t.TempDir(), CreateOptions{Options: cheap}); err == nil {
		t.Error("a vault with no slot was created")
	}
}

// Two handles on one vault (two TUIs on one workstation) never lose each
// other's writes or HOTP counters.
func TestConcurrentHandles(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	h := addAccount(t, v, Account{Issuer: "Door", Name: "front", Secret: NewSecret([]byte("abcdefghij")), Type: HOTP})
	const n = 8
	handles := make([]*Vault, 4)
	for i := range handles {
		w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
		if err != nil {
			t.Fatal(err)
		}
		handles[i] = w
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint64]bool{}
	for i, w := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range n {
				addAccount(t, w, testAccount("H", string(rune('a'+i))+string(rune('a'+j))))
				var c uint64
				if err := w.Update(func(tx *Tx) (err error) { c, err = tx.NextHOTP(h.ID); return }); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[c] {
					t.Errorf("counter %d handed out twice", c)
				}
				seen[c] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	final, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(final.Accounts()); got != 1+len(handles)*n {
		t.Errorf("%d accounts, want %d", got, 1+len(handles)*n)
	}
	a, _ := final.State().Account(h.ID)
	if a.Counter != uint64(len(handles)*n) {
		t.Errorf("counter %d, want %d", a.Counter, len(handles)*n)
	}
}

func TestDeleteAndDuplicates(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	a := addAccount(t, v, testAccount("A", "a"))
	b := addAccount(t, v, testAccount("A", "a")) // duplicate: same issuer, name, secret
	if got := len(v.Accounts()); got != 1 {
		t.Fatalf("%d accounts after adding a duplicate, want 1", got)
	}
	keep := min(a.ID, b.ID)
	if v.Accounts()[0].ID != keep {
		t.Errorf("kept %s, want the smaller ID %s", v.Accounts()[0].ID, keep)
	}
	if err := v.Update(func(tx *Tx) error { tx.Delete(keep); return nil }); err != nil {
		t.Fatal(err)
	}
	w, _ := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if got := len(w.Accounts()); got != 0 {
		t.Errorf("%d accounts after deleting the kept one, want 0 (the duplicate must not come back)", got)
	}
}

func TestFindStages(t *testing.T) {
	as := []Account{
		{ID: "1111", Issuer: "RFC", Name: "sha1"},
		{ID: "2222", Issuer: "RFC Two", Name: "sha1b"},
		{ID: "3333", Issuer: "Mail", Name: "rfc"},
	}
	tests := []struct {
		q, want string
		err     error
	}{
		{"2222", "2222", nil},
		{"rfc", "", ErrAmbiguous}, // exact issuer "RFC" and exact name "rfc"
		{"rfc two", "2222", nil},
		{"RFC:SHA1", "1111", nil},
		{"sha1b", "2222", nil},
		{"sha", "", ErrAmbiguous},
		{"mail:r", "3333", nil},
		{"zzz", "", ErrNotFound},
	}
	for _, tc := range tests {
		got, err := Find(as, tc.q)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("Find(%q): %v, want %v", tc.q, err, tc.err)
			}
			continue
		}
		if err != nil || got.ID != tc.want {
			t.Errorf("Find(%q) = %s, %v; want %s", tc.q, got.ID, err, tc.want)
		}
	}
}

func TestRecoveryCodeShape(t *testing.T) {
	c := NewRecoveryCode()
	if len(c) != 34 {
		t.Errorf("code %d characters, want 28 + 6 dashes", len(c))
	}
	n, err := NormalizeRecoveryCode(c)
	if err != nil || n != c {
		t.Errorf("normalize own code: %q %v", n, err)
	}
	if NewRecoveryCode() == c {
		t.Error("two codes are equal")
	}
	if _, err := NormalizeRecoveryCode("ABCD-EFGH"); err == nil {
		t.Error("short code accepted")
	}
}

func TestUnlockDelay(t *testing.T) {
	want := map[int]int{0: 0, 2: 0, 3: 1, 4: 2, 5: 4, 7: 16, 8: 30, 50: 30}
	for n, s := range want {
		if got := UnlockDelay(n).Seconds(); int(got) != s {
			t.Errorf("UnlockDelay(%d) = %v s, want %d", n, got, s)
		}
	}
}

// TestCount: Count is the number of accounts Accounts lists, hidden
// duplicates and deleted accounts left out.
func TestCount(t *testing.T) {
	c := NewClock("d", nil)
	mk := func(id, issuer, secret string) Account {
		a := Account{ID: id, Issuer: issuer, Name: "n", Secret: NewSecret([]byte(secret)), Type: TOTP, Stamp: c.Now()}
		a.Normalize()
		return a
	}
	tests := []struct {
		name string
		st   State
		want int
	}{
		{"empty", State{}, 0},
		{"two", State{Accounts: []Account{mk("1", "A", "s1"), mk("2", "B", "s2")}}, 2},
		{"a hidden duplicate", State{Accounts: []Account{mk("1", "A", "s1"), mk("2", "A", "s1"), mk("3", "A", "s3")}}, 2},
		{"a deleted account", State{Accounts: []Account{mk("1", "A", "s1"), mk("2", "B", "s2")}, Tombstones: []Tombstone{{ID: "2", Stamp: c.Now()}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewMemory(tt.st)
			defer v.Close()
			if got, listed := v.Count(), len(v.Accounts()); got != tt.want || listed != tt.want {
				t.Fatalf("Count %d, Accounts %d, want %d", got, listed, tt.want)
			}
		})
	}
}
