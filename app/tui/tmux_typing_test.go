package tui

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

// tmuxWords are typed at every screen by TestTmuxTypingCannotDoDamage:
// words holding the letters of actions the list once had (d, y, e, f, n,
// x), the one that once deleted an account, and the vault's own
// passphrase, as typed at a screen that had not locked yet.
var tmuxWords = []string{"daisy", "ready", "Judy", "enter", "fixed", "annex", "ward three"}

// listJSON is 'wardkey list --json' with the HOTP counters left out (they
// advance by design).
func listJSON(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin, "list", "--json")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("wardkey list --json: %v", err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		delete(r, "counter")
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// vaultRest is what 'list --json' does not show: tombstones and settings,
// read from the vault file.
func vaultRest(t *testing.T, dir string) string {
	t.Helper()
	v, err := vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("ward three"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	st := v.State()
	b, _ := json.Marshal(struct {
		T []vault.Tombstone
		S vault.Settings
	}{st.Tombstones, st.Settings})
	return string(b)
}

// profileList is the profiles in a home: folders and profile.json files.
func profileList(t *testing.T, home string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() == "profile.json" {
			rel, _ := filepath.Rel(home, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// TestTmuxTypingCannotDoDamage is DESIGN's "typing cannot do damage" in a
// real terminal with the real binary: every word of tmuxWords, without and
// with a final enter, typed at every screen of an unlocked vault (the code
// list, find, big digits, help, add, edit, the delete question, export's
// file and passphrase steps, restore's file and passphrase steps and its
// plan, the settings screen, and the re-authentication prompt, with sync
// enabled through a folder remote), then 'wardkey list
// --json' (counters aside), the tombstones, the settings, the profiles and
// the sync remote are unchanged, and no backup was written.
func TestTmuxTypingCannotDoDamage(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the tmux typing test in -short mode")
	}
	needTool(t, "tmux")
	tmp := t.TempDir()
	bin := buildWardkey(t, tmp)
	home, user, remote := filepath.Join(tmp, "home"), filepath.Join(tmp, "user"), filepath.Join(tmp, "remote")
	for _, d := range []string{user, remote} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(home, vault.DefaultProfile)
	v, err := vault.Create(dir, vault.CreateOptions{Passphrase: []byte("ward three")})
	if err != nil {
		t.Fatal(err)
	}
	secret := func() vault.Secret { s, _ := vault.ParseSecret(e2eSecret); return s }
	as := []vault.Account{
		{Issuer: "Test", Name: "e2e", Secret: secret()},
		{Issuer: "Pharmacy", Name: "dispensary", Secret: secret(), Type: vault.HOTP},
		{Issuer: "VPN", Name: "night.shift", Secret: secret()},
	}
	if err := v.Update(func(tx *vault.Tx) error {
		// The longest re-authentication window, so the unlock's typing
		// covers the guarded screens below; the prompt itself is typed at
		// last, once the settings screen set reauth_after to 0.
		if err := tx.SetSetting(vault.SettingReauthAfter, 3600); err != nil {
			return err
		}
		for _, a := range as {
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A backup holding one more account, so the restore plan has a change
	// to make (written with a cheap scrypt: the binary reads any).
	st := v.State()
	extra, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQ")
	st.Accounts = append(st.Accounts, vault.Account{ID: "00000000000000ee", Issuer: "Extra", Name: "x", Secret: extra,
		Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30, Tags: []string{}})
	bak := filepath.Join(tmp, "b.age")
	f, err := os.Create(bak)
	if err != nil {
		t.Fatal(err)
	}
	if err := backup.Write(f, st, []byte(strongPass), backup.Options{WorkFactor: 10, VaultID: v.ID()}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	v.Close()
	if _, err := vault.UpdateLocal(dir, func(l *vault.Local) { l.SyncRemote = remote }); err != nil {
		t.Fatal(err)
	}
	passFile := filepath.Join(tmp, "pass")
	if err := os.WriteFile(passFile, []byte("ward three\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"WARDKEY_HOME=" + home, "WARDKEY_PASSPHRASE_FILE=" + passFile, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	wantList, wantRest, wantProfiles := listJSON(t, bin, env), vaultRest(t, dir), profileList(t, home)

	s := tmuxSession{t: t, sock: fmt.Sprintf("wardkey-typing-%d", os.Getpid())}
	status := filepath.Join(tmp, "status")
	cmd := fmt.Sprintf("env HOME=%q WARDKEY_HOME=%q DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent WARDKEY_NTP_SERVER=127.0.0.1:9 NO_COLOR=1 %q; echo $? > %q; sleep 60", user, home, bin, status)
	s.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30", cmd)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	s.waitFor("the passphrase field", func(sc string) bool { return strings.Contains(sc, "Passphrase:") })
	s.typeText("ward three")
	s.keys("Enter")
	s.waitFor("the code list", func(sc string) bool { return strings.Contains(sc, "3 accounts") })

	atList := func(sc string) bool {
		return strings.Contains(sc, "enter copy code") && !strings.Contains(sc, "type to find") && !strings.Contains(sc, " of 3")
	}
	screens := []struct {
		name   string
		open   []string // tmux keys; "text:…" is typed literally
		marker string
	}{
		{"code list", nil, "enter copy code"},
		{"find", []string{"/"}, "type to find"},
		{"big digits", []string{"Space"}, "space/esc back"},
		{"help", []string{"?"}, "Keys"},
		{"add", []string{"a"}, "Add an account"},
		{"edit", []string{"C-e"}, "Favourite: ["},
		{"delete", []string{"C-d"}, "[ keep it ]"},
		{"export file", []string{"C-x"}, "Export a backup"},
		{"export passphrase", []string{"C-x", "Enter"}, "Passphrase:"},
		{"restore file", []string{"C-r"}, "Restore a backup"},
		{"restore passphrase", []string{"C-r", "text:" + bak, "Enter"}, "Passphrase"},
		{"restore plan", []string{"C-r", "text:" + bak, "Enter", "text:" + strongPass, "Enter"}, "[ restore ]"},
		{"settings", []string{"C-o"}, "Settings of"},
		{"settings field", []string{"C-o", "Tab"}, "▸Lock after"},
		// Set on purpose (ctrl+s), then typed at: the passphrase prompt.
		{"re-authentication", []string{"reauth=0", "C-d"}, "Passphrase again"},
		{"audit log", []string{"C-g"}, "Audit log"},
	}
	reauthZero := false // the settings screen set reauth_after to 0 (on purpose)
	for _, sc := range screens {
		for _, word := range tmuxWords {
			for _, enter := range []bool{false, true} {
				// esc twice, well apart: an esc read with the next key
				// is alt+that key.
				for range 2 {
					s.keys("Escape")
					time.Sleep(350 * time.Millisecond)
				}
				s.waitFor("the code list", atList)
				for _, k := range sc.open {
					if k == "reauth=0" {
						if !reauthZero {
							s.keys("C-o", "Tab", "Tab", "C-u")
							s.typeText("0")
							s.keys("C-s")
							s.waitFor("the settings saved", func(x string) bool { return strings.Contains(x, "Settings saved: reauth_after") })
							wantRest, reauthZero = vaultRest(t, dir), true
						}
						continue
					}
					if text, ok := strings.CutPrefix(k, "text:"); ok {
						s.typeText(text)
						continue
					}
					s.keys(k)
				}
				s.waitFor(sc.name, func(x string) bool { return strings.Contains(x, sc.marker) })
				s.typeText(word)
				if enter {
					s.keys("Enter")
				}
				time.Sleep(250 * time.Millisecond)
				if x := s.screen(); strings.Contains(x, "Locked") || strings.Contains(x, "ynced") {
					t.Fatalf("typing %q (enter: %v) at %s locked or synced:\n%s", word, enter, sc.name, x)
				}
			}
		}
		t.Logf("typed %d words, with and without enter, at %s", len(tmuxWords), sc.name)
	}
	s.keys("C-c")
	s.waitFor("the program to end", func(string) bool {
		b, _ := os.ReadFile(status)
		return len(b) > 0
	})
	lastLine := lastAuditLine(t, dir) // before 'wardkey list' below writes its unlock

	if got := listJSON(t, bin, env); got != wantList {
		t.Errorf("the accounts changed:\nbefore %s\nafter  %s", wantList, got)
	}
	if got := vaultRest(t, dir); got != wantRest {
		t.Errorf("the tombstones or settings changed:\nbefore %s\nafter  %s", wantRest, got)
	}
	if got := profileList(t, home); got != wantProfiles {
		t.Errorf("the profiles changed:\nbefore %s\nafter  %s", wantProfiles, got)
	}
	if ents, _ := os.ReadDir(remote); len(ents) != 0 {
		t.Errorf("the sync remote was written: %v", ents)
	}
	if ents, _ := filepath.Glob(filepath.Join(user, "*.age")); len(ents) != 0 {
		t.Errorf("a backup was written: %v", ents)
	}
	if lastLine != "lock quit" {
		t.Errorf("ctrl+c left the audit log ending with %q, want the lock line with reason quit", lastLine)
	}
}

// lastAuditLine is the last line of the profile's audit log in dir as
// "event reason".
func lastAuditLine(t *testing.T, dir string) string {
	t.Helper()
	rep, err := audit.Read(dir)
	if err != nil || len(rep.Entries) == 0 {
		t.Fatalf("the audit log: %v, %d lines", err, len(rep.Entries))
	}
	en := rep.Entries[len(rep.Entries)-1]
	var d struct{ Reason string }
	_ = json.Unmarshal(en.Detail, &d)
	return strings.TrimSpace(en.Event + " " + d.Reason)
}
