package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const format1Pass = "format one passphrase"
const format1Code = "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"

// copyFormat1 puts testdata/format1/vault.json (written by the wardkey
// before format 2) into a new profile directory.
func copyFormat1(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/format1/vault.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "old")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, VaultFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fileVersion(t *testing.T, dir string) (header, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, VaultFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return p.header, b
}

// A vault of format 1 opens (passphrase and recovery code), is left alone
// by Open, and is rewritten as format 2 at the next save, with the same
// content, the same audit key, and slots that still open it.
func TestFormat1StillOpens(t *testing.T) {
	dir := copyFormat1(t)
	orig, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	for name, u := range map[string]Unlock{
		"passphrase":    {Passphrase: passphrase(format1Pass)},
		"recovery code": {RecoveryCode: format1Code},
	} {
		v, err := Open(dir, u)
		if err != nil {
			t.Fatalf("%s: open format 1: %v", name, err)
		}
		st := v.State()
		if got := labels(v.Accounts()); got != "EHR:dr.jones,Lab:counter" {
			t.Errorf("%s: accounts %s", name, got)
		}
		if !st.Deleted("00000000000000c3") || st.Settings.LockAfterSeconds() != 300 {
			t.Errorf("%s: tombstone or settings lost: %+v", name, st.Settings)
		}
		if a, _ := v.Find("counter"); a.Counter != 7 || string(a.Secret.Bytes()) != "abcdefghij" {
			t.Errorf("%s: HOTP account %d", name, a.Counter)
		}
		v.Close()
	}
	if now, _ := os.ReadFile(filepath.Join(dir, VaultFile)); !bytes.Equal(now, orig) {
		t.Fatal("Open rewrote a format-1 file")
	}
	v, err := Open(dir, Unlock{Passphrase: passphrase(format1Pass)})
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := v.AuditKey()
	keyID := v.KeyID()
	addAccount(t, v, testAccount("New", "one"))
	v.Close()
	h, b := fileVersion(t, dir)
	if h.Version != FormatVersion || h.KeyID != keyID || !bytes.Contains(b[:bytes.IndexByte(b, '\n')], []byte(`"version":3`)) {
		t.Fatalf("after a save: version %d key %q (want %d, %q)", h.Version, h.KeyID, FormatVersion, keyID)
	}
	for name, u := range map[string]Unlock{
		"passphrase":    {Passphrase: passphrase(format1Pass)},
		"recovery code": {RecoveryCode: format1Code},
	} {
		w, err := Open(dir, u)
		if err != nil {
			t.Fatalf("%s: open the rewritten file: %v", name, err)
		}
		if got := labels(w.Accounts()); got != "EHR:dr.jones,Lab:counter,New:one" {
			t.Errorf("%s: accounts %s", name, got)
		}
		if a, _ := w.AuditKey(); !bytes.Equal(a, audit) {
			t.Errorf("%s: the audit key changed when format 1 became 2", name)
		}
		w.Close()
	}
	migrated := mustRead(t, filepath.Join(dir, VaultFile))
	// The first rotation cannot re-seal format 1's symmetric recovery slot
	// without its code: it is dropped, and says so.
	w, _ := Open(dir, Unlock{Passphrase: passphrase(format1Pass)})
	res, err := w.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte(format1Pass)})
	if err != nil || !res.RecoveryDropped {
		t.Fatalf("rekey of a format-1 recovery slot: %+v %v", res, err)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: format1Code}); !errors.Is(err, ErrLocked) {
		t.Errorf("the dropped recovery code: %v", err)
	}
	// The format-1 passphrase slot of the migrated file, spliced into the
	// rotated one, opens nothing (it gives the old key).
	rotated := mustRead(t, filepath.Join(dir, VaultFile))
	spliced := spliceSlot(t, rotated, slotOf(t, migrated, SlotPassphrase))
	os.WriteFile(filepath.Join(dir, VaultFile), spliced, 0o600)
	if _, err := Open(dir, Unlock{Passphrase: passphrase(format1Pass)}); !errors.Is(err, ErrTampered) {
		t.Errorf("a format-1 slot spliced into a rotated file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, VaultFile), rotated, 0o600)
	// With the code (passwd --recovery), the slot becomes asymmetric.
	w, _ = Open(dir, Unlock{Passphrase: passphrase(format1Pass)})
	if _, err := w.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte(format1Pass), RecoveryCode: format1Code}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: format1Code}); err != nil {
		t.Errorf("the recovery code after it was re-made: %v", err)
	}
}

func labels(as []Account) string {
	var b []byte
	for i, a := range as {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, a.Label()...)
	}
	return string(b)
}

// spliceSlot replaces the slot of a kind in the vault file at path with s.
func spliceSlot(t *testing.T, file []byte, s Slot) []byte {
	t.Helper()
	nl := bytes.IndexByte(file, '\n')
	var env envelope
	if err := json.Unmarshal(file[:nl], &env); err != nil {
		t.Fatal(err)
	}
	for i := range env.Slots {
		if env.Slots[i].Kind == s.Kind {
			env.Slots[i] = s
		}
	}
	line, _ := json.Marshal(env)
	return append(append(line, '\n'), file[nl+1:]...)
}

func slotOf(t *testing.T, file []byte, kind string) Slot {
	t.Helper()
	p, err := parseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.env.Slots {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no %s slot", kind)
	return Slot{}
}

// After passwd, recovery or rekey, nothing written under the new key opens
// with an old passphrase, an old copy of a slot, or an old recovery code;
// the keyring and the current recovery code still open it; replicas sealed
// under the old key still open through the kept previous key.
func TestRotationOldSecretsOpenNothing(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "p")
	kr := memKeyring{}
	code1 := NewRecoveryCode()
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("old"), RecoveryCode: code1, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, testAccount("A", "a"))
	audit, _ := v.AuditKey()
	oldFile, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	oldKeyID := v.KeyID()
	oldReplica, err := v.Seal([]byte("written before"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}

	// passwd: a new passphrase, a new key.
	res, err := v.Rekey(ctx, RekeyOptions{Options: cheap, Passphrase: []byte("new"), NewPassphrase: true, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyID == oldKeyID || v.KeyID() != res.KeyID || v.KeyGeneration() != 1 {
		t.Fatalf("rekey kept the key: %+v", res)
	}
	addAccount(t, v, testAccount("B", "b"))
	newFile, _ := os.ReadFile(filepath.Join(dir, VaultFile))

	open := func(file []byte, u Unlock) (*Vault, error) {
		d := filepath.Join(t.TempDir(), "x")
		os.MkdirAll(d, 0o700)
		os.WriteFile(filepath.Join(d, VaultFile), file, 0o600)
		w, err := Open(d, u)
		if now, _ := os.ReadFile(filepath.Join(d, VaultFile)); !bytes.Equal(now, file) {
			t.Error("a refused open changed the file")
		}
		return w, err
	}
	oldPass := slotOf(t, oldFile, SlotPassphrase)
	relabelled := oldPass
	relabelled.KeyID, relabelled.KeyGen = res.KeyID, 1
	tests := []struct {
		name string
		file []byte
		u    Unlock
		want error
	}{
		{"old passphrase", newFile, Unlock{Passphrase: passphrase("old")}, ErrWrongPassphrase},
		{"old passphrase slot spliced in", spliceSlot(t, newFile, oldPass), Unlock{Passphrase: passphrase("old")}, ErrTampered},
		{"old slot spliced in, relabelled", spliceSlot(t, newFile, relabelled), Unlock{Passphrase: passphrase("old")}, ErrWrongPassphrase},
		{"old keyring slot spliced in", spliceSlot(t, newFile, slotOf(t, oldFile, SlotKeyring)), Unlock{Keyring: kr}, ErrTampered},
		{"old recovery slot spliced in", spliceSlot(t, newFile, slotOf(t, oldFile, SlotRecovery)), Unlock{RecoveryCode: code1}, ErrTampered},
		{"new passphrase", newFile, Unlock{Passphrase: passphrase("new")}, nil},
		{"keyring, rewritten", newFile, Unlock{Keyring: kr}, nil},
		{"recovery code, re-sealed", newFile, Unlock{RecoveryCode: code1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := open(tc.file, tc.u)
			if !errors.Is(err, tc.want) {
				t.Fatalf("open: %v, want %v", err, tc.want)
			}
			if err == nil {
				if labels(w.Accounts()) != "A:a,B:b" {
					t.Errorf("accounts %s", labels(w.Accounts()))
				}
				if a, _ := w.AuditKey(); !bytes.Equal(a, audit) {
					t.Error("the audit key changed with the key")
				}
				w.Close()
			}
		})
	}
	// The old key itself (from an old copy of the file) opens nothing
	// written under the new one.
	oldKey, err := OpenSlot(oldPass, v.ID(), []byte("old"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := parseFile(newFile)
	if _, err := p.decrypt(oldKey); !errors.Is(err, ErrTampered) {
		t.Errorf("the old key decrypted the new payload: %v", err)
	}
	if _, err := SealWithKey(oldKey, nil, nil); err != nil {
		t.Fatal(err)
	}
	newReplica, _ := v.Seal([]byte("written after"), []byte("ad"))
	if _, err := UnsealWithKey(oldKey, newReplica, []byte("ad")); !errors.Is(err, ErrTampered) {
		t.Errorf("the old key opened what the new key sealed: %v", err)
	}
	// What the old key sealed still opens (the previous keys are kept).
	if got, err := v.UnsealKey(oldKeyID, oldReplica, []byte("ad")); err != nil || string(got) != "written before" {
		t.Errorf("a replica under the previous key: %q %v", got, err)
	}
	if _, err := v.UnsealKey("ffffffffffffffffffffffffffffffff", oldReplica, []byte("ad")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("an unknown key ID: %v", err)
	}
	// The .bak was rewritten: it opens only with the new passphrase.
	bak, _ := os.ReadFile(filepath.Join(dir, BackupFile))
	if _, err := open(bak, Unlock{Passphrase: passphrase("old")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase on the .bak: %v", err)
	}

	// recovery: a new code; the old code opens nothing, the new one does.
	code2 := NewRecoveryCode()
	if _, err := v.Rekey(ctx, RekeyOptions{Options: cheap, Passphrase: []byte("new"), RecoveryCode: code2, Keyring: kr}); err != nil {
		t.Fatal(err)
	}
	file3, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	for _, f := range []struct {
		name string
		file []byte
	}{{"vault.json", file3}, {"vault.json.bak", mustRead(t, filepath.Join(dir, BackupFile))}} {
		if _, err := open(f.file, Unlock{RecoveryCode: code1}); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("%s: the old recovery code: %v", f.name, err)
		}
		if w, err := open(f.file, Unlock{RecoveryCode: code2}); err != nil {
			t.Errorf("%s: the new recovery code: %v", f.name, err)
		} else {
			w.Close()
		}
	}
	// The recovery slot of the previous file, spliced in, opens nothing.
	if _, err := open(spliceSlot(t, file3, slotOf(t, newFile, SlotRecovery)), Unlock{RecoveryCode: code1}); !errors.Is(err, ErrTampered) {
		t.Errorf("the previous recovery slot spliced in: %v", err)
	}
	if v.KeyGeneration() != 2 {
		t.Errorf("generation %d after two rotations", v.KeyGeneration())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Bad input to a rotation leaves the vault byte-identical.
func TestRekeyRefusals(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "p")
	kr := memKeyring{}
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw"), Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, filepath.Join(dir, VaultFile))
	item := kr[KeyringService+"\x00"+keyringUser(v.ID())]
	tests := []struct {
		name string
		o    RekeyOptions
		want error
	}{
		{"wrong current passphrase", RekeyOptions{Options: cheap, Passphrase: []byte("typo"), Keyring: kr}, ErrWrongPassphrase},
		{"no passphrase", RekeyOptions{Options: cheap, Keyring: kr}, ErrPassphraseNeeded},
		{"no keyring", RekeyOptions{Options: cheap, Passphrase: []byte("pw")}, ErrKeyringUnavailable},
		{"bad recovery code", RekeyOptions{Options: cheap, Passphrase: []byte("pw"), Keyring: kr, RecoveryCode: "nope"}, ErrBadRecoveryCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := v.Rekey(ctx, tc.o); !errors.Is(err, tc.want) {
				t.Fatalf("Rekey: %v, want %v", err, tc.want)
			}
			if !bytes.Equal(mustRead(t, filepath.Join(dir, VaultFile)), before) {
				t.Error("a refused rotation changed the vault file")
			}
			if kr[KeyringService+"\x00"+keyringUser(v.ID())] != item {
				t.Error("a refused rotation changed the keyring item")
			}
		})
	}
	if _, err := Open(dir, Unlock{Passphrase: passphrase("pw")}); err != nil {
		t.Fatal(err)
	}
}

// A process whose vault was given a new key by another process locks
// itself at its next save or reload, and seals nothing more.
func TestStaleKeyLocks(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("pw")}); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, filepath.Join(dir, VaultFile))
	if err := w.Update(func(tx *Tx) error { tx.Delete("x"); return nil }); !errors.Is(err, ErrKeyRotated) {
		t.Fatalf("Update by a stale process: %v, want ErrKeyRotated", err)
	}
	if !w.Locked() || len(w.Accounts()) != 0 {
		t.Error("the stale process did not lock itself")
	}
	if _, err := w.Seal([]byte("x"), nil); !errors.Is(err, ErrLocked) {
		t.Errorf("Seal after the stale lock: %v", err)
	}
	if !bytes.Equal(mustRead(t, filepath.Join(dir, VaultFile)), before) {
		t.Error("the stale process wrote")
	}
	x, _ := Open(dir, Unlock{Passphrase: passphrase("pw")})
	y, _ := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if _, err := x.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("pw")}); err != nil {
		t.Fatal(err)
	}
	if err := y.Reload(); !errors.Is(err, ErrKeyRotated) || !y.Locked() {
		t.Errorf("Reload by a stale process: %v", err)
	}
}

// After Close every entry point that needs the key returns ErrLocked (not
// "corrupt"), and nothing is written.
func TestAfterCloseErrLocked(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, testAccount("A", "a"))
	sealed, _ := v.Seal([]byte("x"), nil)
	before := mustRead(t, filepath.Join(dir, VaultFile))
	v.Close()
	v.Close() // twice is fine
	calls := map[string]func() error{
		"Update":        func() error { return v.Update(func(tx *Tx) error { tx.Delete("x"); return nil }) },
		"UpdateContext": func() error { return v.UpdateContext(context.Background(), nil) },
		"Reload":        v.Reload,
		"Seal":          func() error { _, err := v.Seal([]byte("x"), nil); return err },
		"Unseal":        func() error { _, err := v.Unseal(sealed, nil); return err },
		"UnsealKey":     func() error { _, err := v.UnsealKey("", sealed, nil); return err },
		"AuditKey":      func() error { _, err := v.AuditKey(); return err },
		"Rekey": func() error {
			_, err := v.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("pw")})
			return err
		},
		"AddKeyringSlot": func() error { return v.AddKeyringSlot(memKeyring{}) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrLocked) {
			t.Errorf("%s after Close: %v, want ErrLocked", name, err)
		}
	}
	if !bytes.Equal(mustRead(t, filepath.Join(dir, VaultFile)), before) {
		t.Error("a closed vault wrote")
	}
	if len(v.Accounts()) != 0 || len(v.State().Accounts) != 0 {
		t.Error("a closed vault still shows accounts")
	}
}

// A cancelled context stops a save before it writes.
func TestUpdateContextCancelled(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	before := mustRead(t, filepath.Join(dir, VaultFile))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := v.UpdateContext(ctx, func(tx *Tx) error { _, err := tx.Add(testAccount("A", "a")); return err }); !errors.Is(err, context.Canceled) {
		t.Fatalf("UpdateContext: %v", err)
	}
	// Cancelled while fn runs (a lock during the work): nothing written.
	ctx, cancel = context.WithCancel(context.Background())
	err := v.UpdateContext(ctx, func(tx *Tx) error { cancel(); _, err := tx.Add(testAccount("A", "a")); return err })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("UpdateContext cancelled in fn: %v", err)
	}
	if !bytes.Equal(mustRead(t, filepath.Join(dir, VaultFile)), before) || len(v.Accounts()) != 0 {
		t.Error("a cancelled save changed the vault")
	}
}

// Close races saves, seals and readers (run with -race): after Close
// returns, nothing seals or writes any more, and no reader touches a
// released buffer.
func TestCloseRacesSaves(t *testing.T) {
	dir, v := newTestVault(t, "pw")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if i >= 4 {
					// Readers copy secrets out of the buffer that each save
					// replaces and Close unmaps.
					for _, a := range v.Accounts() {
						_ = a.Secret.Bytes()[0]
					}
					_, _ = v.Find("A")
					_ = v.State()
				} else if i%2 == 0 {
					_, err := v.Seal([]byte("state"), []byte("ad"))
					if err != nil && !errors.Is(err, ErrLocked) {
						t.Errorf("Seal: %v", err)
					}
				} else {
					err := v.Update(func(tx *Tx) error { _, err := tx.Add(testAccount("A", time.Now().String())); return err })
					if err != nil && !errors.Is(err, ErrLocked) {
						t.Errorf("Update: %v", err)
					}
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	v.Close()
	after := mustRead(t, filepath.Join(dir, VaultFile))
	time.Sleep(30 * time.Millisecond)
	close(stop)
	wg.Wait()
	if !bytes.Equal(mustRead(t, filepath.Join(dir, VaultFile)), after) {
		t.Error("the vault file changed after Close returned")
	}
}

// A rotation cut short between the keyring and the file (the keyring item
// holds another key): the passphrase still opens the vault.
func TestStaleKeyringItemFallsBackToPassphrase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kr := memKeyring{}
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw"), Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	addAccount(t, v, testAccount("A", "a"))
	kr[KeyringService+"\x00"+keyringUser(v.ID())] = "p6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6c="
	if _, err := Open(dir, Unlock{Keyring: kr}); !errors.Is(err, ErrTampered) {
		t.Errorf("the keyring alone: %v", err)
	}
	w, err := Open(dir, Unlock{Keyring: kr, Passphrase: passphrase("pw")})
	if err != nil {
		t.Fatalf("keyring with another key, then the passphrase: %v", err)
	}
	if labels(w.Accounts()) != "A:a" {
		t.Error(labels(w.Accounts()))
	}
}

// A keyring-only vault given a passphrase with DropKeyring: the new key
// opens with the passphrase only, the keyring item is deleted, and the
// old item (kept aside) opens nothing written since.
func TestRekeyDropKeyring(t *testing.T) {
	k := memKeyring{}
	dir := filepath.Join(t.TempDir(), "p")
	v, err := Create(dir, CreateOptions{Options: cheap, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	old := maps.Clone(k)
	res, err := v.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("new pass"), NewPassphrase: true, Keyring: k, DropKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeyringLeft != nil || !slices.Equal(res.Slots, []string{SlotPassphrase}) {
		t.Fatalf("result %+v; want the passphrase slot only and the item deleted", res)
	}
	if len(k) != 0 {
		t.Errorf("keyring still holds %d items", len(k))
	}
	if _, err := Open(dir, Unlock{Passphrase: passphrase("new pass")}); err != nil {
		t.Errorf("the new passphrase: %v", err)
	}
	if _, err := Open(dir, Unlock{Keyring: old}); !errors.Is(err, ErrLocked) {
		t.Errorf("the old keyring item: %v, want ErrLocked", err)
	}
	// Without a passphrase a keyring-only vault cannot lose its one slot.
	w, err := Create(filepath.Join(t.TempDir(), "q"), CreateOptions{Options: cheap, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Rekey(context.Background(), RekeyOptions{Options: cheap, Keyring: k, DropKeyring: true}); err == nil {
		t.Error("dropping the only slot was allowed")
	}
}

// AddRecoverySlot writes a recovery slot once: the code opens the vault,
// a second call is refused (replacing a code is a rotation's job), and a
// malformed code changes nothing.
func TestAddRecoverySlot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.AddRecoverySlot("not a code", cheap); !errors.Is(err, ErrBadRecoveryCode) {
		t.Errorf("a malformed code: %v", err)
	}
	code := NewRecoveryCode()
	if err := v.AddRecoverySlot(strings.ToLower(code), cheap); err != nil {
		t.Fatal(err)
	}
	if got := v.SlotKinds(); !slices.Equal(got, []string{SlotPassphrase, SlotRecovery}) {
		t.Errorf("slots %v", got)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: code}); err != nil {
		t.Errorf("the code does not open the vault: %v", err)
	}
	if err := v.AddRecoverySlot(NewRecoveryCode(), cheap); !errors.Is(err, ErrRecoveryExists) {
		t.Errorf("a second code: %v, want ErrRecoveryExists", err)
	}
	if _, err := Open(dir, Unlock{RecoveryCode: code}); err != nil {
		t.Errorf("the first code no longer opens the vault: %v", err)
	}
}
