package tui

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// typedWords are words and passphrases a person types at the wrong screen:
// the letters of every action the list had once (d, y, e, f, n, x, s, u,
// R), a passphrase with spaces, and the one that once deleted an account.
var typedWords = []string{"daisy", "ready", "Judy", "enter", "fixed", "annex", "right horse",
	"Riverside EHR", "yes", "y", "x", "u", "sync", "Restore", "favourite", "qwerty", "   ", "dy",
	"pw"} // the typing vault's own passphrase: at a re-authentication prompt it opens the guarded screen, which still changes nothing

// fingerprint is what typing must not change, read from the vault file:
// every account with its counter left out (HOTP counters advance by
// design), the tombstones and the settings.
func fingerprint(t testing.TB, dir string) string {
	t.Helper()
	v, err := openTyping(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	st := v.State()
	for i := range st.Accounts {
		st.Accounts[i].Counter = 0
	}
	b, err := json.Marshal(struct {
		Accounts   []vault.Account
		Tombstones []vault.Tombstone
		Settings   vault.Settings
	}{st.Accounts, st.Tombstones, st.Settings})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// openTyping opens the typing test's vault file.
func openTyping(dir string) (*vault.Vault, error) {
	return vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("pw"), nil }})
}

// typingScreens opens every screen of an unlocked vault: the keys that
// reach it from the list, and the screen the driver must then be on.
var typingScreens = []struct {
	name  string
	keys  []string
	front string
	stage string // what the screen shows there, when the front alone does not tell
}{
	{"codes", nil, "codes", ""},
	{"find", []string{"/"}, "codes", ""},
	{"big", []string{"space"}, "big", ""},
	{"big_hotp", []string{"G", "k", "k", "space"}, "big", ""}, // Pharmacy, counter-based
	{"help", []string{"?"}, "help", ""},
	{"add", []string{"a"}, "add", ""},
	{"edit", []string{"ctrl+e"}, "edit", ""},
	{"delete", []string{"ctrl+d"}, "confirm", ""},
	{"export_file", []string{"ctrl+x"}, "export", ""},
	{"export_passphrase", []string{"ctrl+x", "enter"}, "export", ""},
	{"restore_file", []string{"ctrl+r"}, "restore", ""},
	{"restore_passphrase", []string{"ctrl+r", "~/b.age", "enter"}, "restore", ""},
	{"restore_plan", []string{"ctrl+r", "~/b.age", "enter", "pw", "enter"}, "restore", ""},
	{"settings", []string{"ctrl+o"}, "settings", ""},
	{"settings_field", []string{"ctrl+o", "tab"}, "settings", ""},
	{"settings_name", []string{"ctrl+o", "shift+tab"}, "settings", ""},
	// Once reauth_after (60 s) has passed, the guarded actions ask first.
	{"reauth_export", []string{"wait", "ctrl+x"}, "reauth", ""},
	{"reauth_restore", []string{"wait", "ctrl+r"}, "reauth", ""},
	{"reauth_delete", []string{"wait", "ctrl+d"}, "reauth", ""},
	{"reauth_settings", []string{"wait", "ctrl+o"}, "reauth", ""},
	{"add_menu_row", []string{"a", "tab"}, "add", "▸ Scan the screen"},
	{"add_screen_found", []string{"a", "tab", "enter"}, "add", "Found 2 accounts on the screen"},
	{"add_clipboard_found", []string{"a", "tab", "tab", "enter"}, "add", "Found 1 account on the clipboard"},
	{"add_form", []string{"a", "up", "enter"}, "add", "Issuer:"},
	{"add_file_passphrase", []string{"a", "tab", "tab", "tab", "enter", "/tmp/export.json", "enter"}, "add", "export.json is encrypted"},
	{"add_file_found", []string{"a", "tab", "tab", "tab", "enter", "/tmp/export.json", "enter", "pw", "enter"}, "add", "Found 2 accounts in export.json"},
	{"add_delete_offer", []string{"a", "tab", "tab", "tab", "enter", "/tmp/shot.png", "enter", "ctrl+s"}, "confirm", "Delete the image?"},
	{"log", []string{"ctrl+g"}, "log", ""},
}

// typingVault is a vault file holding the demo accounts.
func typingVault(t testing.TB) string {
	dir := t.TempDir()
	v, err := vault.Create(dir, vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.Update(func(tx *vault.Tx) error {
		for _, a := range demoAccounts(t) {
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// typingDriver is the vault in dir, unlocked (each unlock opens the file
// again, as the real backend does), whose sync and restore, were typing
// ever to reach them, would change it.
func typingDriver(t testing.TB, dir string) *driver {
	cfg := testConfig{HasVault: true, Slots: []string{vault.SlotPassphrase}, Export: true}
	cfg.Open = func(pass []byte) (*vault.Vault, error) {
		if string(pass) != "pw" {
			return nil, vault.ErrWrongPassphrase
		}
		return openTyping(dir)
	}
	cfg.Reauth = func(pass []byte) error {
		if string(pass) != "pw" {
			return vault.ErrWrongPassphrase
		}
		return nil
	}
	cfg.Sync = func(v *vault.Vault) (string, error) {
		s, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQ")
		return "synced", v.Update(func(tx *vault.Tx) error {
			_, err := tx.Add(vault.Account{Issuer: "From sync", Name: "x", Secret: s})
			return err
		})
	}
	cfg.ReadBackup = func(string, []byte) (backup.Backup, error) {
		as := demoAccounts(t)
		for i := range as {
			as[i].Issuer = "Restored " + as[i].Issuer
		}
		return backup.Backup{State: vault.State{Accounts: as}}, nil
	}
	// The add screen's sources find accounts that are not in the vault;
	// an export asks for a passphrase ("pw"); an image offers to be
	// deleted, which typing must not do either.
	cfg.FindOnScreen = onScreen(t, nil, "Screen:one", "Screen:two#3")
	cfg.FindOnClipboard = onScreen(t, []string{"The clipboard was cleared."}, "Clipboard:one")
	cfg.ImportFile = func(path string, pass []byte) (Found, error) {
		if strings.HasSuffix(path, ".png") {
			return anImage(t)(path, pass)
		}
		var got [][]byte
		return encrypted(t, &got)(path, pass)
	}
	cfg.DeleteFile = func(p string) error {
		t.Errorf("typing deleted %s", p)
		return nil
	}
	d := newDriver(t, cfg)
	d.typeText("pw")
	d.key("enter")
	if d.front() != "codes" {
		t.Fatalf("the typing vault did not open:\n%s", d.screen())
	}
	return d
}

// open brings the driver to a screen of typingScreens.
func (d *driver) open(keys []string) {
	d.t.Helper()
	for _, k := range keys {
		if k == "wait" { // past reauth_after: the passphrase is asked again
			d.now = d.now.Add(61 * time.Second) // no tick due: the idle lock is 120 s
			continue
		}
		if len([]rune(k)) > 1 && !strings.Contains(k, "+") && !slices.Contains([]string{"enter", "space", "tab", "esc", "up", "down"}, k) {
			d.typeText(k)
			continue
		}
		d.key(k)
	}
}

// randomTyping is a run of printable keys: ASCII letters, digits,
// punctuation and space, and now and then a non-ASCII letter.
func randomTyping(r *rand.Rand) string {
	const ascii = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	var b strings.Builder
	for range 1 + r.IntN(24) {
		if r.IntN(20) == 0 {
			b.WriteRune([]rune("éßøñ€ü")[r.IntN(6)])
			continue
		}
		b.WriteByte(ascii[r.IntN(len(ascii))])
	}
	return b.String()
}

// TestTypingCannotDoDamage is DESIGN's testable property, in process: no
// run of printable keys, optionally followed by one enter, typed at any
// screen of an unlocked vault, changes an account or a setting (HOTP
// counters aside; copying is not a change). Every screen gets the words in
// typedWords and random runs (WARDKEY_TYPING_RUNS more with -run).
func TestTypingCannotDoDamage(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	runs := 40
	if testing.Short() {
		runs = 8
	}
	for _, sc := range typingScreens {
		t.Run(sc.name, func(t *testing.T) {
			texts := append([]string{}, typedWords...)
			for range runs {
				texts = append(texts, randomTyping(r))
			}
			dir := typingVault(t)
			for _, text := range texts {
				for _, enter := range []bool{false, true} {
					d := typingDriver(t, dir)
					d.open(sc.keys)
					if d.front() != sc.front {
						t.Fatalf("%v opened %s, want %s:\n%s", sc.keys, d.front(), sc.front, d.screen())
					}
					if sc.stage != "" && !d.has(sc.stage) {
						t.Fatalf("%v did not reach %q:\n%s", sc.keys, sc.stage, d.screen())
					}
					before := fingerprint(t, dir)
					d.typeText(text)
					if enter {
						d.key("enter")
					}
					if after := fingerprint(t, dir); after != before {
						t.Fatalf("typing %q (enter: %v) at %s changed the vault:\nbefore %s\nafter  %s", text, enter, sc.name, before, after)
					}
				}
			}
		})
	}
}
