package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// Re-authentication and the settings screen through the real glue: the
// passphrase slot of the vault file, the attempt counting in local.json,
// the audit log, the policy's caps, profile.json.

// reauthSeed is a passphrase vault ("right horse") of the demo accounts,
// its reauth_after set to reauth (-1: left at the default, 60 s).
func reauthSeed(t *testing.T, reauth int) (*env, *time.Time) {
	t.Helper()
	e, now := tuiEnv(t, "default", nil)
	e.hooks.Policy = &policy.Finder{Root: "/nonexistent-wardkey-test-root", Getenv: func(string) string { return "" }}
	v := seedVault(t, e, demoAccounts(t), "right horse", nil)
	if reauth >= 0 {
		if err := v.Update(func(tx *vault.Tx) error { return tx.SetSetting(vault.SettingReauthAfter, reauth) }); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	return e, now
}

// unlockTUI types the passphrase at the unlock screen.
func unlockTUI(t *testing.T, d *tuiDriver) {
	t.Helper()
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("did not unlock:\n%s", d.screen())
	}
}

// auditEvents are the events of the profile's audit log, in order.
func auditEvents(t *testing.T, e *env) []string {
	t.Helper()
	rep, err := audit.Read(e.dir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range rep.Entries {
		out = append(out, en.Event)
	}
	return out
}

// Within reauth_after of the unlock no prompt; after it, the prompt. A
// wrong passphrase there is counted in local.json like a failed unlock and
// logged as unlock_failed; the slowing applies to the next try (the wait
// shown, then checked); the right one opens the screen and clears the
// count.
func TestTUIReauthThroughRealGlue(t *testing.T) {
	e, now := reauthSeed(t, -1)
	d := newTUIDriver(t, e, now, 80, 24)
	unlockTUI(t, d)
	d.key("ctrl+d")
	if !d.has("Delete ") || d.has("Passphrase again") {
		t.Fatalf("right after the unlock delete asked for the passphrase:\n%s", d.screen())
	}
	d.key("esc")
	d.advance(61 * time.Second)
	d.key("ctrl+x")
	if !d.has("Passphrase again") || !d.has("To export a backup") {
		t.Fatalf("61 s after the unlock export did not ask:\n%s", d.screen())
	}
	d.typeText("wrong horse")
	d.key("enter")
	if !d.has("That is not the vault passphrase") {
		t.Fatalf("a wrong passphrase:\n%s", d.screen())
	}
	if n := loadLocal(t, e).FailedUnlocks; n != 1 {
		t.Fatalf("local.json counts %d failed attempts, want 1", n)
	}
	if ev := auditEvents(t, e); ev[len(ev)-1] != audit.UnlockFailed {
		t.Fatalf("the audit log ends %v, want unlock_failed", ev)
	}
	// Three more failures elsewhere (the CLI): the next try waits.
	e.hooks.NoSleep = false
	if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) {
		l.FailedUnlocks, l.LastFailedUnlock = 4, d.now.Add(-time.Second)
	}); err != nil {
		t.Fatal(err)
	}
	d.typeText("right horse")
	d.key("enter")
	if !d.has("4 failed attempts: waiting 1 s before checking") {
		t.Fatalf("the slowing is not applied to re-authentication:\n%s", d.screen())
	}
	d.advance(2 * time.Second)
	if !d.has("Export a backup") && !d.has("Backup file") {
		t.Fatalf("after the wait the right passphrase did not open export:\n%s", d.screen())
	}
	if n := loadLocal(t, e).FailedUnlocks; n != 0 {
		t.Fatalf("local.json still counts %d failed attempts after the right passphrase", n)
	}
}

// reauth_after = 0: every guarded action asks, right after the unlock too.
func TestTUIReauthAfterZeroAlwaysAsks(t *testing.T) {
	e, now := reauthSeed(t, 0)
	d := newTUIDriver(t, e, now, 80, 24)
	unlockTUI(t, d)
	for range 2 {
		d.key("ctrl+d")
		if !d.has("Passphrase again") {
			t.Fatalf("reauth_after = 0 did not ask:\n%s", d.screen())
		}
		d.typeText("right horse")
		d.key("enter")
		if !d.has("▸[ keep it ]") {
			t.Fatalf("the right passphrase did not open the question:\n%s", d.screen())
		}
		d.key("esc")
	}
}

// A keyring-only vault has no passphrase to ask: the guarded actions open
// at once even with reauth_after = 0.
func TestTUIReauthKeyringOnlySkips(t *testing.T) {
	kr := vaulttest.MemoryKeyring{}
	e, now := tuiEnv(t, "default", kr)
	v := seedVault(t, e, demoAccounts(t), "", kr)
	if err := v.Update(func(tx *vault.Tx) error { return tx.SetSetting(vault.SettingReauthAfter, 0) }); err != nil {
		t.Fatal(err)
	}
	v.Close()
	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() {
		t.Fatalf("the keyring vault did not open:\n%s", d.screen())
	}
	d.key("ctrl+d")
	if d.has("Passphrase again") || !d.has("▸[ keep it ]") {
		t.Fatalf("a keyring-only vault asked for a passphrase:\n%s", d.screen())
	}
	d.key("esc", "ctrl+o")
	if !d.has("Settings of default") {
		t.Fatalf("settings on a keyring-only vault:\n%s", d.screen())
	}
}

// A session opened from --vault-passphrase-file had no passphrase typed at
// this keyboard: the first guarded action asks for it.
func TestTUIReauthPassphraseFileAsks(t *testing.T) {
	e, now := reauthSeed(t, -1)
	e.passFile = filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(e.passFile, []byte("right horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() {
		t.Fatalf("the passphrase file did not open the vault:\n%s", d.screen())
	}
	d.key("ctrl+d")
	if !d.has("Passphrase again") {
		t.Fatalf("a passphrase-file session deleted without asking:\n%s", d.screen())
	}
	d.typeText("right horse")
	d.key("enter")
	if !d.has("▸[ keep it ]") {
		t.Fatalf("the right passphrase did not open the question:\n%s", d.screen())
	}
}

// vaultFiles are the bytes of what the settings change: the vault file and
// profile.json.
func vaultFiles(t *testing.T, e *env) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range []string{vault.VaultFile, vault.ProfileFile} {
		data, err := os.ReadFile(filepath.Join(e.dir(), f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteString("\x00")
	}
	return b.String()
}

// setSettingField chooses field (0: lock_after … 3: display_name) of a
// settings screen just opened, and replaces its value.
func setSettingField(d *tuiDriver, field int, value string) {
	for range field + 1 {
		d.key("tab")
	}
	d.key("ctrl+u")
	d.typeText(value)
}

// The settings screen over the real vault, policy and profile.json: a
// value out of range, above the policy's cap or a display name another
// profile has is one sentence and leaves the files byte-identical (a cap
// refusal logged as policy_refused); a good save writes the vault and
// profile.json, logs one config event per key, and the header shows the
// new name.
func TestTUISettingsThroughRealGlue(t *testing.T) {
	e, now := reauthSeed(t, -1)
	pol := filepath.Join(t.TempDir(), "policy.toml")
	if err := os.WriteFile(pol, []byte("lock_after_max = 300\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.hooks.Policy = &policy.Finder{Root: "/nonexistent-wardkey-test-root", Getenv: func(string) string { return pol }}
	if _, err := vault.SetDisplayName(e.home, "bob", "Dr Who"); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.SetDisplayName(e.home, e.profile, "Dr Jones"); err != nil {
		t.Fatal(err)
	}
	e.profileSet = true // no picker: this person only
	d := newTUIDriver(t, e, now, 80, 24)
	unlockTUI(t, d)
	d.key("ctrl+o")
	if !d.has("lock_after, 10–3600 s idle; max 300 s, set by your administrator") {
		t.Fatalf("the settings screen does not show the policy's cap:\n%s", d.screen())
	}
	refusals := []struct {
		field      int
		value      string
		want       string
		logRefusal bool
	}{
		{0, "600", "does not allow lock_after above 300 (asked: 600); choose 300 seconds or fewer; nothing was changed.", true},
		{0, "5", "Not saved: lock_after = 5 is out of range: use 10 to 3600 seconds; nothing was changed.", false},
		{2, "121", "Not saved: clipboard_clear = 121 is out of range: use 5 to 120 seconds; nothing was changed.", false},
		{3, "dr who", `another profile has that display name: profile "bob" is "Dr Who"; nothing was changed.`, false},
	}
	for _, r := range refusals {
		before, events := vaultFiles(t, e), len(auditEvents(t, e))
		d.key("esc", "ctrl+o")
		setSettingField(d, r.field, r.value)
		d.key("ctrl+s")
		if !d.has(r.want) {
			t.Fatalf("%q: want %q on the screen:\n%s", r.value, r.want, d.screen())
		}
		if vaultFiles(t, e) != before {
			t.Fatalf("a refused %q changed the vault or profile.json", r.value)
		}
		ev := auditEvents(t, e)
		if r.logRefusal != (len(ev) == events+1 && ev[len(ev)-1] == audit.PolicyRefused) {
			t.Fatalf("%q: audit log %v (policy_refused wanted: %v)", r.value, ev[events:], r.logRefusal)
		}
	}
	d.key("esc", "ctrl+o")
	setSettingField(d, 0, "200")
	d.key("tab", "ctrl+u")
	d.typeText("0")
	d.key("tab", "ctrl+u")
	d.typeText("30")
	d.key("tab", "ctrl+u")
	d.typeText("  Dr   Ada Jones ")
	events := len(auditEvents(t, e))
	d.key("ctrl+s")
	if !d.has("Settings saved: lock_after, reauth_after, clipboard_clear, display_name.") || !d.has("wardkey · Dr Ada Jones") {
		t.Fatalf("after saving:\n%s", d.screen())
	}
	v, err := vault.Open(e.dir(), vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("right horse"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	st := v.Settings()
	v.Close()
	if st.LockAfterSeconds() != 200 || st.ReauthAfterSeconds() != 0 || st.ClipboardClearSeconds() != 30 {
		t.Fatalf("the vault holds %+v", st)
	}
	if p, _ := vault.LoadProfileInfo(e.dir()); p.DisplayName != "Dr Ada Jones" {
		t.Fatalf("profile.json holds %q", p.DisplayName)
	}
	if ev := auditEvents(t, e)[events:]; strings.Join(ev, ",") != "config,config,config,config" {
		t.Fatalf("the save logged %v, want four config events", ev)
	}
	// reauth_after is 0 now: the settings ask at once.
	d.key("ctrl+o")
	if !d.has("Passphrase again") {
		t.Fatalf("reauth_after = 0, saved just now, is not in force:\n%s", d.screen())
	}
}

// Fail-closed, as for an unlock: a local.json that does not read means the
// longest wait before the passphrase is checked again.
func TestTUIReauthFailClosed(t *testing.T) {
	e, now := reauthSeed(t, 0)
	d := newTUIDriver(t, e, now, 80, 24)
	unlockTUI(t, d)
	e.hooks.NoSleep = false
	if err := os.WriteFile(filepath.Join(e.dir(), "local.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.key("ctrl+d")
	d.typeText("right horse")
	d.key("enter")
	if !d.has("Failed attempts cannot be counted: waiting 30 s, the longest wait") {
		t.Fatalf("an unreadable local.json did not give the longest wait:\n%s", d.screen())
	}
	d.advance(29 * time.Second)
	if d.has("▸[ keep it ]") {
		t.Fatalf("checked before the longest wait was over:\n%s", d.screen())
	}
}
