package keyring

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// systemKeyring returns the real OS keyring, or skips (fails in CI) when
// this test does not run inside `make test`'s D-Bus session. Without a
// session, godbus would launch a stray dbus-daemon: never let it.
func systemKeyring(t *testing.T) System {
	t.Helper()
	k := System{Timeout: 5 * time.Second}
	var err error
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		err = errors.New("no D-Bus session")
	} else {
		err = vault.Probe(k)
	}
	if err != nil {
		if os.Getenv("WARDKEY_REQUIRE_KEYRING") == "1" {
			t.Fatalf("WARDKEY_REQUIRE_KEYRING=1 but the Secret Service is not usable: %v", err)
		}
		t.Skipf("SKIPPED: no Secret Service (%v): run 'make test', which starts gnome-keyring", err)
	}
	return k
}

func TestRealKeyringSlot(t *testing.T) {
	k := systemKeyring(t)
	dir := filepath.Join(t.TempDir(), "default")
	v, err := vault.Create(dir, vault.CreateOptions{Options: cheap, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(vault.KeyringService, "vault:"+v.ID()) })
	a := addAccount(t, v, testAccount("EHR", "dr.jones"))

	// Opens with no passphrase at all.
	w, err := vault.Open(dir, vault.Unlock{Keyring: k})
	if err != nil {
		t.Fatalf("open through the keyring: %v", err)
	}
	if _, ok := w.State().Account(a.ID); !ok {
		t.Error("account missing")
	}
	// Only the 32-byte key is in the keyring, base64: 44 characters.
	if s, err := k.Get(vault.KeyringService, "vault:"+v.ID()); err != nil || len(s) != 44 {
		t.Errorf("keyring item: %d characters, %v; want 44", len(s), err)
	}
	// Without the keyring the vault stays locked, and says why.
	if _, err := vault.Open(dir, vault.Unlock{}); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("open without keyring: %v, want vault.ErrLocked", err)
	}
	// The item gone: vault.ErrLocked wrapping vault.ErrKeyringMissing.
	if err := k.Delete(vault.KeyringService, "vault:"+v.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.Open(dir, vault.Unlock{Keyring: k}); !errors.Is(err, vault.ErrLocked) || !errors.Is(err, vault.ErrKeyringMissing) {
		t.Errorf("open with the item deleted: %v, want vault.ErrLocked and vault.ErrKeyringMissing", err)
	}
}

func TestRealKeyringWithPassphraseFallback(t *testing.T) {
	k := systemKeyring(t)
	dir := filepath.Join(t.TempDir(), "default")
	v, err := vault.Create(dir, vault.CreateOptions{Options: cheap, Keyring: k, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Delete(vault.KeyringService, "vault:"+v.ID())
	if _, err := vault.Open(dir, vault.Unlock{Keyring: k, Passphrase: passphrase("pw")}); err != nil {
		t.Errorf("passphrase after a missing keyring item: %v", err)
	}
}

// A dead D-Bus socket (SSH, headless) is vault.ErrKeyringUnavailable, at once.
// godbus keeps one session connection per process, so this runs in a
// child process of its own.
func TestKeyringUnreachable(t *testing.T) {
	if os.Getenv("WARDKEY_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringUnreachable$", "-test.v")
		cmd.Env = append(os.Environ(), "WARDKEY_CHILD=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyringUnreachable") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	start := time.Now()
	err := vault.Probe(System{Timeout: 3 * time.Second})
	if !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("Probe on a dead bus: %v, want vault.ErrKeyringUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Probe took %v", d)
	}
	dir := filepath.Join(t.TempDir(), "default")
	if _, err := vault.Create(dir, vault.CreateOptions{Options: cheap, Keyring: System{}}); !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Errorf("Create with a dead keyring: %v", err)
	}
	if vault.Exists(dir) {
		t.Error("a vault was written although its only slot failed")
	}
}

// A keyring call that never answers (a locked collection waiting for an
// unlock prompt) ends at the timeout.
func TestKeyringTimeout(t *testing.T) {
	k := System{Timeout: 50 * time.Millisecond}
	block := make(chan struct{})
	defer close(block)
	_, err := k.do("read", func(context.Context) (string, error) { <-block; return "", nil })
	if !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("a hung call: %v, want vault.ErrKeyringUnavailable", err)
	}
}

// With no session bus known, wardkey must not let godbus launch daemons.
func TestKeyringNoSessionBusStartsNothing(t *testing.T) {
	if os.Getenv("WARDKEY_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringNoSessionBusStartsNothing$", "-test.v")
		env := []string{"WARDKEY_CHILD=1"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "XDG_RUNTIME_DIR=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "XDG_RUNTIME_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyringNoSessionBusStartsNothing") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	start := time.Now()
	err := vault.Probe(System{})
	if !errors.Is(err, vault.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no D-Bus session") {
		t.Fatalf("Probe with no session bus: %v", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("took %v: something was tried", d)
	}
}

// cheap keeps the vault's KDF fast in tests; the product uses vault.DefaultKDF.
var cheap = vault.Options{KDF: &vault.KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}}

func passphrase(p string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(p), nil }
}

func addAccount(t testing.TB, v *vault.Vault, a vault.Account) vault.Account {
	t.Helper()
	var out vault.Account
	if err := v.Update(func(tx *vault.Tx) (err error) { out, err = tx.Add(a); return }); err != nil {
		t.Fatal(err)
	}
	return out
}

func testAccount(issuer, name string) vault.Account {
	return vault.Account{Issuer: issuer, Name: name, Secret: vault.NewSecret([]byte("12345678901234567890")), Type: vault.TOTP}
}

// A keyring-only vault given a passphrase on a shared machine
// (RekeyOptions.DropKeyring) against the real Secret Service: the item is
// deleted, and a copy of the old key put back into the keyring opens
// nothing written after the rotation.
func TestRealKeyringDropped(t *testing.T) {
	k := systemKeyring(t)
	dir := filepath.Join(t.TempDir(), "ward")
	v, err := vault.Create(dir, vault.CreateOptions{Options: cheap, Keyring: k})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	user := "vault:" + v.ID()
	t.Cleanup(func() { _ = k.Delete(vault.KeyringService, user) })
	old, err := k.Get(vault.KeyringService, user)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Rekey(context.Background(), vault.RekeyOptions{Options: cheap, Passphrase: []byte("a passphrase"), NewPassphrase: true, Keyring: k, DropKeyring: true})
	if err != nil || res.KeyringLeft != nil {
		t.Fatalf("rekey: %v, item left: %v", err, res.KeyringLeft)
	}
	if _, err := k.Get(vault.KeyringService, user); !errors.Is(err, vault.ErrKeyringMissing) {
		t.Errorf("the keyring item is still there: %v", err)
	}
	if info, err := vault.ReadInfo(dir); err != nil || len(info.Slots) != 1 || info.Slots[0] != vault.SlotPassphrase {
		t.Errorf("slots %v, %v; want the passphrase slot only", info.Slots, err)
	}
	if err := k.Set(vault.KeyringService, user, old); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.Open(dir, vault.Unlock{Keyring: k}); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("the old item: %v, want vault.ErrLocked", err)
	}
	if _, err := vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("a passphrase"), nil }}); err != nil {
		t.Errorf("the passphrase: %v", err)
	}
}
