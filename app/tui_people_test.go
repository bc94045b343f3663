package app

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/keyring"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// recoveryCodeRE finds a recovery code on the screen.
var recoveryCodeRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){6}`)

// withPolicy makes e read the policy file holding body (through
// WARDKEY_POLICY: the tests' root has no system file).
func withPolicy(t *testing.T, e *env, body string) {
	t.Helper()
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.toml")
	if err := os.WriteFile(pol, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e.pol = nil
	e.hooks.Policy = &policy.Finder{Root: filepath.Join(dir, "root"), Getenv: func(string) string { return pol }}
}

// seedPerson makes profile's vault in e's home (passphrase strongPass,
// and a keyring slot when kr is set) with a display name.
func seedPerson(t *testing.T, e *env, profile, display string, kr vault.Keyring) {
	t.Helper()
	p := *e
	p.profile = profile
	seedVault(t, &p, demoAccounts(t), strongPass, kr).Close()
	if display != "" {
		if _, err := vault.SetDisplayName(e.home, profile, display); err != nil {
			t.Fatal(err)
		}
	}
}

// passwdRecovery is 'wardkey --profile P passwd --recovery' with code
// from a file and a new passphrase from another: its exit status and
// stderr.
func passwdRecovery(t *testing.T, e *env, profile, code string) (int, string) {
	t.Helper()
	dir := t.TempDir()
	cf, nf := filepath.Join(dir, "code"), filepath.Join(dir, "new")
	if err := os.WriteFile(cf, []byte(code+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(nf, []byte("another strong passphrase here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	h := Hooks{KDF: &testKDF, NoSleep: true, Keyring: failingKeyring{}, Policy: &policy.Finder{Root: "/nonexistent-wardkey-test-root"}}
	n := run([]string{"--home", e.home, "--profile", profile, "passwd", "--recovery-code-file", cf, "--new-passphrase-file", nf}, stdio{in: strings.NewReader(""), out: &out, err: &errb}, h)
	return n, errb.String()
}

// ctrl+n through the real glue: the profile folder with its vault
// (passphrase slot only, though a keyring works here) and profile.json's
// display name (unique in the home); a lock before the recovery code is
// acknowledged writes no recovery slot, the next unlock shows a fresh
// code, and acknowledging it writes the slot that 'wardkey passwd
// --recovery' then accepts (and the first code is refused).
func TestTUINewProfileRealGlue(t *testing.T) {
	kr := vaulttest.MemoryKeyring{}
	e, now := tuiEnv(t, "default", kr)
	seedPerson(t, e, "alice", "Dr Alice", nil)
	seedPerson(t, e, "bob", "Nurse Bob", nil)
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.has("Who are you?") || !d.has("Dr Alice (alice)") {
		t.Fatalf("no picker:\n%s", d.screen())
	}
	d.key("ctrl+n", "tab")
	d.typeText("carol")
	d.key("enter")
	d.typeText("dr alice")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("ctrl+s")
	carol := filepath.Join(e.home, "carol")
	if !d.has("has that display name") || vault.Exists(carol) {
		t.Fatalf("a display name already taken was accepted:\n%s", d.screen())
	}
	d.key("ctrl+u")
	d.typeText("Dr  Carol ")
	d.key("enter")
	d.typeText("carol")
	d.key("enter")
	d.typeText("carol")
	d.key("ctrl+s")
	if !d.has("too easy to guess") || vault.Exists(carol) {
		t.Fatalf("a weak passphrase was accepted:\n%s", d.screen())
	}
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("ctrl+s")
	first := recoveryCodeRE.FindString(d.screen())
	if first == "" || !strings.HasPrefix(d.screen(), "wardkey · Dr Carol") || !d.has("wardkey --profile carol passwd --recovery") {
		t.Fatalf("no recovery code for Dr Carol:\n%s", d.screen())
	}
	info, err := vault.ReadInfo(carol)
	if err != nil || !slices.Equal(info.Slots, []string{vault.SlotPassphrase}) {
		t.Fatalf("carol's slots %v, %v; want the passphrase slot only", info.Slots, err)
	}
	if len(kr) != 0 {
		t.Errorf("ctrl+n wrote %d keyring items", len(kr))
	}
	if p, err := vault.LoadProfileInfo(carol); err != nil || p.DisplayName != "Dr Carol" {
		t.Errorf("profile.json: %+v, %v; want display name \"Dr Carol\"", p, err)
	}
	l, _ := vault.LoadLocal(carol)
	if !l.RecoveryPending {
		t.Error("the recovery code is not noted as pending")
	}

	// The idle lock before the acknowledgement: no recovery slot.
	d.advance(121 * time.Second)
	if !d.has("Who are you?") || d.has(first) {
		t.Fatalf("the idle lock did not return to the picker:\n%s", d.screen())
	}
	if info, _ := vault.ReadInfo(carol); info.Has(vault.SlotRecovery) {
		t.Fatal("a recovery slot was written without the acknowledgement")
	}
	if n, _ := passwdRecovery(t, e, "carol", first); n == 0 {
		t.Fatal("the code shown before the lock opens the vault")
	}

	// The next unlock shows a fresh code; acknowledging it writes it.
	d.typeText("carol")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	second := recoveryCodeRE.FindString(d.screen())
	if second == "" || second == first || !d.has("never confirmed") {
		t.Fatalf("the next unlock did not show a fresh code:\n%s", d.screen())
	}
	d.key("tab", "enter")
	if !d.has("Recovery code saved") {
		t.Fatalf("no note after the acknowledgement:\n%s", d.screen())
	}
	if info, _ := vault.ReadInfo(carol); !info.Has(vault.SlotRecovery) {
		t.Fatal("no recovery slot after the acknowledgement")
	}
	if l, _ := vault.LoadLocal(carol); l.RecoveryPending {
		t.Error("still pending after the acknowledgement")
	}
	d.key("L")
	if n, msg := passwdRecovery(t, e, "carol", first); n == 0 {
		t.Errorf("passwd --recovery took the discarded code: %s", msg)
	}
	if n, msg := passwdRecovery(t, e, "carol", second); n != 0 {
		t.Errorf("passwd --recovery refused the acknowledged code: %s", msg)
	}
}

// shared = true through a policy file: the picker even with one profile,
// the first run with none makes a person's profile (never the default
// one, never a keyring slot), and no keyring row on a named first run.
func TestTUISharedPolicy(t *testing.T) {
	kr := vaulttest.MemoryKeyring{}
	e, now := tuiEnv(t, "default", kr)
	withPolicy(t, e, "shared = true\n")
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.has("This computer is shared") || d.has("keyring") {
		t.Fatalf("no shared first run:\n%s", d.screen())
	}
	d.typeText("default")
	d.key("enter")
	if vault.Exists(filepath.Join(e.home, "default")) {
		t.Fatal("typing made the default profile")
	}
	d.key("tab")
	d.typeText("jones")
	d.key("enter")
	d.typeText("Dr Jones")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("ctrl+s")
	if !d.has("Your recovery code") {
		t.Fatalf("no recovery code:\n%s", d.screen())
	}
	if vault.Exists(filepath.Join(e.home, "default")) || len(kr) != 0 {
		t.Fatalf("the shared first run made the default profile or a keyring item (%d)", len(kr))
	}
	if info, err := vault.ReadInfo(filepath.Join(e.home, "jones")); err != nil || !slices.Equal(info.Slots, []string{vault.SlotPassphrase}) {
		t.Fatalf("jones's slots %v, %v", info.Slots, err)
	}

	// One profile now: still the picker.
	e2, _ := tuiEnv(t, "default", kr)
	e2.home = e.home
	withPolicy(t, e2, "shared = true\n")
	d = newTUIDriver(t, e2, now, 80, 24)
	if !d.has("Who are you?") || !d.has("Dr Jones (jones)") {
		t.Fatalf("one profile on a shared machine: no picker:\n%s", d.screen())
	}
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("jones did not open:\n%s", d.screen())
	}
	if b, err := os.ReadFile(filepath.Join(e.home, "jones", "audit.log")); err != nil || !strings.Contains(string(b), `"event":"unlock"`) {
		t.Errorf("the unlock of a profile chosen on a shared machine is not in its audit log: %v\n%s", err, b)
	}

	// A profile named on the command line with no vault: no keyring row.
	e3, _ := tuiEnv(t, "ward3", kr)
	e3.profileSet = true
	withPolicy(t, e3, "shared = true\n")
	d = newTUIDriver(t, e3, now, 80, 24)
	if !d.has(`Profile "ward3" has no vault yet.`) || d.has("keyring") {
		t.Fatalf("a named first run on a shared machine offers a keyring:\n%s", d.screen())
	}
}

// A keyring-only vault opened on a shared machine, with the real Secret
// Service: it asks for a passphrase before its codes show, then the vault
// opens with the passphrase only, its keyring item is gone, and the old
// key put back in the keyring opens nothing.
func TestTUISharedDropsKeyringRealSecretService(t *testing.T) {
	if realBus(t) == "" {
		if os.Getenv("WARDKEY_REQUIRE_KEYRING") == "1" {
			t.Fatal("WARDKEY_REQUIRE_KEYRING=1 but no Secret Service answers: run under ./.ci/keyring-session")
		}
		t.Skip("SKIPPING: no Secret Service (run under ./.ci/keyring-session, which starts gnome-keyring)")
	}
	e, now := tuiEnv(t, "ward", nil)
	e.hooks.Keyring = nil // the OS keyring: keyring.System
	e.profileSet = true
	kr := keyring.System{Timeout: 5 * time.Second}
	v := seedVault(t, e, demoAccounts(t), "", kr)
	user := "vault:" + v.ID()
	v.Close()
	t.Cleanup(func() { _ = kr.Delete(vault.KeyringService, user) })
	old, err := kr.Get(vault.KeyringService, user)
	if err != nil {
		t.Fatal(err)
	}
	withPolicy(t, e, "shared = true\n")

	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() {
		d.key("enter")
	}
	if !d.has("Set a passphrase") || d.has("Riverside EHR") {
		t.Fatalf("a keyring-only vault on a shared machine showed its codes:\n%s", d.screen())
	}
	d.key("tab")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("ctrl+s")
	if !d.has("Riverside EHR") || !d.has("passphrase only") {
		t.Fatalf("the codes did not show after the passphrase was set:\n%s", d.screen())
	}
	if info, err := vault.ReadInfo(e.dir()); err != nil || !slices.Equal(info.Slots, []string{vault.SlotPassphrase}) {
		t.Fatalf("slots %v, %v; want the passphrase only", info.Slots, err)
	}
	if _, err := kr.Get(vault.KeyringService, user); err == nil {
		t.Fatal("the keyring item is still there")
	}
	if err := kr.Set(vault.KeyringService, user, old); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.Open(e.dir(), vault.Unlock{Keyring: kr}); err == nil {
		t.Fatal("the old keyring item still opens the vault")
	}
	if _, err := vault.Open(e.dir(), vault.Unlock{Passphrase: func() ([]byte, error) { return []byte(strongPass), nil }}); err != nil {
		t.Fatalf("the new passphrase: %v", err)
	}
}
