package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/importer/migration"
	"github.com/wardkey/wardkey/vault"
)

// found makes accounts as a capture returns them: no IDs, each valid.
// A spec is "issuer:name" (totp), with a trailing "#N" for an HOTP
// account whose next counter is N.
func found(t testing.TB, specs ...string) []vault.Account {
	t.Helper()
	var out []vault.Account
	for i, sp := range specs {
		a := vault.Account{Type: vault.TOTP}
		if s, n, ok := strings.Cut(sp, "#"); ok {
			sp = s
			a.Type = vault.HOTP
			fmt.Sscan(n, &a.Counter)
		}
		a.Issuer, a.Name, _ = strings.Cut(sp, ":")
		sec, err := vault.ParseSecret(fmt.Sprintf("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ%c", 'A'+i))
		if err != nil {
			t.Fatal(err)
		}
		a.Secret = sec
		a.Normalize()
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// onScreen is a FindOnScreen stub that finds fresh copies of these
// accounts each time, with these warnings.
func onScreen(t testing.TB, warnings []string, specs ...string) func(context.Context) (Found, error) {
	return func(context.Context) (Found, error) {
		return Found{Accounts: found(t, specs...), Warnings: warnings}, nil
	}
}

// encrypted is an ImportFile stub for an encrypted export whose
// passphrase is "pw"; each passphrase it is given is kept in got.
func encrypted(t testing.TB, got *[][]byte) func(string, []byte) (Found, error) {
	return func(path string, pass []byte) (Found, error) {
		*got = append(*got, pass)
		switch {
		case pass == nil:
			return Found{}, said{"The file is encrypted and no passphrase was given.", importer.ErrPassphraseNeeded}
		case string(pass) != "pw":
			return Found{}, said{"The passphrase does not open this file. Check the export's passphrase (not the vault's).", importer.ErrWrongPassphrase}
		}
		return Found{Accounts: found(t, "Aegis:one", "Aegis:two")}, nil
	}
}

// said is an error in a person's words that still matches a sentinel, as
// package app's backend returns them.
type said struct {
	msg string
	err error
}

func (e said) Error() string { return e.msg }
func (e said) Unwrap() error { return e.err }

// anImage is an ImportFile stub for a screenshot holding one code.
func anImage(t testing.TB) func(string, []byte) (Found, error) {
	return func(path string, _ []byte) (Found, error) {
		return Found{Accounts: found(t, "EHR:dr.jones"), HoldsSecret: path + " still holds the secret of every account it shows"}, nil
	}
}

func TestAddGolden(t *testing.T) {
	missing := []string{"QR code 2 of 2 of a Google Authenticator export is missing: show the next code and choose \"Scan the screen\" again."}
	cases := []struct {
		name  string
		setup func(t *testing.T) *driver
	}{
		{"add_menu_chosen", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("a", "tab")
			return d
		}},
		{"add_screen_one", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.FindOnScreen = onScreen(t, nil, "Riverside EHR:dr.jones")
			d := newDriver(t, cfg)
			d.addVia(rowScreen)
			return d
		}},
		{"add_screen_several", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.FindOnScreen = onScreen(t, nil, "Riverside EHR:dr.jones", "Billing:manager#5", "Pharmacy:\x1b]52;c;evil\x07dispensary")
			d := newDriver(t, cfg)
			d.addVia(rowScreen)
			d.key("space", "down")
			return d
		}},
		{"add_clipboard_hotp", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.FindOnClipboard = func(context.Context) (Found, error) {
				return Found{Accounts: found(t, "VPN:night.shift#7"), Warnings: []string{"The clipboard was cleared."}}, nil
			}
			d := newDriver(t, cfg)
			d.addVia(rowClipboard)
			return d
		}},
		{"add_screen_missing", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.FindOnScreen = onScreen(t, missing, "Google:ward3@example.org")
			d := newDriver(t, cfg)
			d.addVia(rowScreen)
			return d
		}},
		{"add_screen_known", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, found(t, "Riverside EHR:dr.jones"))
			cfg.FindOnScreen = onScreen(t, nil, "Riverside EHR:dr.jones")
			d := newDriver(t, cfg)
			d.addVia(rowScreen)
			return d
		}},
		{"add_not_otp", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.FindOnClipboard = func(context.Context) (Found, error) {
				return Found{}, errors.New("no QR code or otpauth URI on the clipboard: copy the service's QR image or set-up URI and try again")
			}
			d := newDriver(t, cfg)
			d.addVia(rowClipboard)
			return d
		}},
		{"add_passphrase", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			var got [][]byte
			cfg.ImportFile = encrypted(t, &got)
			d := newDriver(t, cfg)
			d.addVia(rowFile)
			d.typeText("~/Downloads/aegis-export.json")
			d.key("enter")
			return d
		}},
		{"add_passphrase_wrong", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			var got [][]byte
			cfg.ImportFile = encrypted(t, &got)
			d := newDriver(t, cfg)
			d.addVia(rowFile)
			d.typeText("~/Downloads/aegis-export.json")
			d.key("enter")
			d.typeText("guess")
			d.key("enter")
			return d
		}},
		{"add_delete_offer", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.ImportFile = anImage(t)
			d := newDriver(t, cfg)
			d.addVia(rowFile)
			d.typeText("/home/nurse/Desktop/Screenshot.png")
			d.key("enter", "ctrl+s")
			return d
		}},
	}
	for _, c := range cases {
		for _, s := range sizes {
			t.Run(c.name+"_"+s.name, func(t *testing.T) {
				startSize = [2]int{s.w, s.h}
				defer func() { startSize = [2]int{80, 24} }()
				d := c.setup(t)
				d.size(s.w, s.h)
				d.golden(c.name + "_" + s.name)
			})
		}
	}
}

// The menu is rows, not letters: typing at it opens nothing; tab and
// enter open the chosen row; esc goes back to the list.
func TestAddMenu(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	scans := 0
	cfg.FindOnScreen = func(context.Context) (Found, error) { scans++; return Found{}, errors.New("nothing") }
	d := newDriver(t, cfg)
	d.key("a")
	d.typeText("screen clipboard s c f u t 1 2")
	d.key("enter")
	if scans != 0 || d.front() != "add" || !d.has("No row is chosen") {
		t.Fatalf("typing at the menu started something (%d scans):\n%s", scans, d.screen())
	}
	d.key("tab", "enter")
	if scans != 1 || !d.has("Nothing.") {
		t.Fatalf("the screen row did not scan (%d):\n%s", scans, d.screen())
	}
	d.key("shift+tab", "enter") // from the first row, up wraps to the last
	if !d.has("Issuer:") || d.m.front.(addModel).focus != fieldIssuer {
		t.Fatalf("the last row is not the typed fields:\n%s", d.screen())
	}
	d.key("esc")
	if d.front() != "add" || d.m.front.(addModel).stage != stageMenu {
		t.Fatal("esc on the form did not go back to the menu")
	}
	d.key("esc")
	if d.front() != "codes" {
		t.Fatal("esc on the menu did not go back to the list")
	}
}

// What the screen shows is saved only on ctrl+s, as one batch; ticks
// choose; duplicates are reported as duplicates, never as added.
func TestAddFromScreen(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	cfg.FindOnScreen = onScreen(t, nil, "Ward 3 EHR:dr.jones", "Billing:manager#5", "Pharmacy:night")
	d := newDriver(t, cfg)
	d.addVia(rowScreen)
	if !d.has("Found 3 accounts on the screen") || !d.has("Ward 3 EHR · dr.jones") || !d.has("[x] HOTP #5 Billing · manager") {
		t.Fatalf("no choice of three:\n%s", d.screen())
	}
	d.key("enter")
	d.typeText("yes x")
	if len(v.Accounts()) != 6 {
		t.Fatal("typing saved")
	}
	// The space and the x typed above ticked the first twice: it is still
	// ticked. Untick the second.
	d.key("down", "space", "ctrl+s")
	labels := d.labels()
	if len(v.Accounts()) != 8 || !slices.Contains(labels, "Ward 3 EHR:dr.jones") || slices.Contains(labels, "Billing:manager") {
		t.Fatalf("the ticked accounts were not saved: %v", labels)
	}
	if d.front() != "codes" || !d.has("Added 2 accounts.") {
		t.Fatalf("no note of what was added:\n%s", d.screen())
	}
	for _, a := range v.Accounts() { // the screen wiped what it found: the vault keeps its own copy
		if strings.Trim(string(a.Secret.Bytes()), "\x00") == "" {
			t.Fatalf("%s was saved with a wiped secret", a.Label())
		}
	}
	if a, _ := d.m.list.current(); a.Label() != "Ward 3 EHR:dr.jones" && a.Label() != "Pharmacy:night" {
		t.Fatalf("the new account is not selected: %s", a.Label())
	}

	// The same page again: the two saved are marked and not ticked.
	d.addVia(rowScreen)
	if !d.has("Ward 3 EHR · dr.jones (already in the vault)") || !d.has("[ ] ") || !d.has("[x] HOTP #5 Billing · manager") {
		t.Fatalf("the accounts already saved are not marked:\n%s", d.screen())
	}
	d.key("ctrl+s")
	if len(v.Accounts()) != 9 || !d.has("Added Billing:manager.") {
		t.Fatalf("the new one was not saved (%d accounts):\n%s", len(v.Accounts()), d.screen())
	}

	// Ticked anyway, duplicates are reported by the merge, never as added.
	d.addVia(rowScreen)
	d.key("space", "down", "space", "down", "space", "ctrl+s")
	if len(v.Accounts()) != 9 || !d.has("Nothing added; 3 were already in the vault.") {
		t.Fatalf("duplicates reported as added (%d accounts):\n%s", len(v.Accounts()), d.screen())
	}

	// Nothing ticked: one sentence, nothing saved.
	d.addVia(rowScreen)
	d.key("ctrl+s")
	if len(v.Accounts()) != 9 || !d.has("Nothing is ticked") {
		t.Fatalf("an empty choice:\n%s", d.screen())
	}
}

// An encrypted export asks for its passphrase on the screen; a wrong one
// asks again; the bytes handed over are wiped once used.
func TestAddEncryptedExport(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	var got [][]byte
	cfg.ImportFile = encrypted(t, &got)
	d := newDriver(t, cfg)
	d.addVia(rowFile)
	d.typeText("/tmp/aegis.json")
	d.key("enter")
	if !d.has("aegis.json is encrypted") || d.m.front.(addModel).stage != stagePass {
		t.Fatalf("no passphrase prompt:\n%s", d.screen())
	}
	d.typeText("guess")
	d.key("enter")
	if !d.has("The passphrase does not open this file") || d.m.front.(addModel).stage != stagePass {
		t.Fatalf("a wrong passphrase did not ask again:\n%s", d.screen())
	}
	d.typeText("pw")
	field := d.m.front.(addModel).pass.buf[:1024] // the field's own bytes
	if string(field[:2]) != "pw" {
		t.Fatalf("the field does not keep the passphrase in its bytes: %q", field[:2])
	}
	d.key("enter")
	if strings.Trim(string(field), "\x00") != "" {
		t.Fatal("the field's bytes were not wiped once the passphrase was handed over")
	}
	if !d.has("Found 2 accounts in aegis.json") {
		t.Fatalf("the right passphrase did not open the file:\n%s", d.screen())
	}
	if len(got) != 3 || got[0] != nil {
		t.Fatalf("passphrases handed over: %d", len(got))
	}
	for _, p := range got[1:] {
		if strings.Trim(string(p), "\x00") != "" {
			t.Fatalf("a passphrase was not wiped after use: %q", p)
		}
	}
	if !d.m.front.(addModel).pass.empty() {
		t.Fatal("the passphrase field still holds the passphrase")
	}
	d.key("ctrl+s")
	if len(v.Accounts()) != 8 {
		t.Fatalf("the export's accounts were not saved: %d", len(v.Accounts()))
	}
}

// After an image file's accounts are saved, the screen offers to delete
// it: "keep it" is chosen first; the other button deletes it.
func TestAddOffersToDeleteTheImage(t *testing.T) {
	for _, c := range []struct {
		keys    []string
		deleted bool
	}{
		{[]string{"enter"}, false},
		{[]string{"esc"}, false},
		{[]string{"d", "y", "enter"}, false},
		{[]string{"tab", "enter"}, true},
	} {
		cfg, v := memConfig(t, demoAccounts(t))
		cfg.ImportFile = anImage(t)
		var deleted []string
		cfg.DeleteFile = func(p string) error { deleted = append(deleted, p); return nil }
		d := newDriver(t, cfg)
		d.addVia(rowFile)
		d.typeText("'/tmp/set up.png'")
		d.key("enter", "ctrl+s")
		if len(v.Accounts()) != 7 || d.front() != "confirm" || !d.has("/tmp/set up.png still holds the secret") {
			t.Fatalf("no offer to delete the image:\n%s", d.screen())
		}
		d.key(c.keys...)
		if got := len(deleted) == 1 && deleted[0] == "/tmp/set up.png"; got != c.deleted {
			t.Fatalf("%v: deleted %v", c.keys, deleted)
		}
		if c.deleted && !d.has("Deleted /tmp/set up.png.") {
			t.Fatalf("the deletion is not said:\n%s", d.screen())
		}
		if d.front() != "codes" {
			t.Fatalf("%v left %s open", c.keys, d.front())
		}
	}
	// A screen capture holds no file: no offer.
	cfg, _ := memConfig(t, demoAccounts(t))
	cfg.FindOnScreen = onScreen(t, nil, "EHR:x")
	d := newDriver(t, cfg)
	d.addVia(rowScreen)
	d.key("ctrl+s")
	if d.front() != "codes" {
		t.Fatalf("a capture offered to delete something:\n%s", d.screen())
	}
}

// A capture runs under the session's context: esc cancels it and goes
// back to the menu, and so does a lock, whose session's context ends; what
// comes back afterwards is dropped and wiped.
func TestAddCaptureIsCancelled(t *testing.T) {
	for _, how := range []string{"esc", "lock"} {
		t.Run(how, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			late := found(t, "Late:one")
			cfg.FindOnScreen = func(ctx context.Context) (Found, error) {
				select {
				case <-ctx.Done():
					return Found{Accounts: late}, ctx.Err()
				case <-time.After(5 * time.Second):
					return Found{}, errors.New("the capture was not cancelled")
				}
			}
			d := newDriver(t, cfg)
			d.key("a", "tab")
			m, cmd := d.m.Update(keyMsg("enter")) // the command is held, as if running
			d.m = m.(Model)
			if !d.has("Looking for QR codes on the screen") {
				t.Fatalf("no sign of the capture:\n%s", d.screen())
			}
			if how == "esc" {
				d.key("esc")
			} else {
				d.send(lockMsg{})
			}
			start := time.Now()
			d.run(cmd)
			if time.Since(start) > 2*time.Second {
				t.Fatal("the capture was not cancelled")
			}
			if strings.Trim(string(late[0].Secret.Bytes()), "\x00") != "" {
				t.Fatal("the late result was not wiped")
			}
			if how == "esc" && (d.front() != "add" || d.m.front.(addModel).stage != stageMenu) {
				t.Fatalf("esc did not go back to the menu:\n%s", d.screen())
			}
			if how == "lock" && !d.m.Locked() {
				t.Fatal("not locked")
			}
		})
	}
}

// What the add screen carries never prints a secret: its messages and
// what was found, with %v, %+v and %#v.
func TestAddMessagesDoNotLeak(t *testing.T) {
	as := found(t, "EHR:dr.jones", "Door:c#4")
	secret := as[0].Secret.Base32()
	f := Found{Accounts: as, Warnings: []string{"w"}, HoldsSecret: "/tmp/x.png still holds the secret"}
	for _, v := range []any{f, foundMsg{found: f}, addedMsg{added: as, dups: as}, as[0]} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			s := fmt.Sprintf(verb, v)
			if strings.Contains(s, secret) || strings.Contains(strings.ToLower(s), strings.ToLower(secret[:12])) {
				t.Fatalf("%s of %T shows the secret: %s", verb, v, s)
			}
		}
	}
}

// A pasted Google Authenticator export link is a choice like a file of
// several accounts: ctrl+s shows its accounts ticked (those already in the
// vault not), says which codes of the export are missing, and only a
// second ctrl+s saves; esc goes back to the link, nothing saved.
func TestAddPastedExportLinkIsAChoice(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	old := v.Accounts()[0]
	as := append(found(t, "Ward 3 EHR:dr.jones", "Pharmacy:night"), old)
	links, err := migration.Encode([]vault.Account{as[0], old, as[1]}, 2)
	if err != nil || len(links) != 2 {
		t.Fatalf("Encode: %v, %d links", err, len(links))
	}
	d := newDriver(t, cfg)
	d.addVia(rowURI)
	d.typeText(links[0])
	d.key("ctrl+s")
	if len(v.Accounts()) != 6 || !d.has("Found 2 accounts in the pasted link") {
		t.Fatalf("ctrl+s on a pasted export did not show its accounts (%d in the vault):\n%s", len(v.Accounts()), d.screen())
	}
	if !d.has("(already in the vault)") || !d.has("[x] ") || !d.has("[ ] ") || !d.has("paste the next code's link too") {
		t.Fatalf("the choice does not mark the account already saved or the missing code:\n%s", d.screen())
	}
	d.key("esc")
	if len(v.Accounts()) != 6 {
		t.Fatal("esc saved")
	}
	d.addVia(rowURI)
	d.typeText(links[0])
	d.key("ctrl+s", "ctrl+s")
	labels := d.labels()
	if len(v.Accounts()) != 7 || !slices.Contains(labels, "Ward 3 EHR:dr.jones") || !d.has("Added Ward 3 EHR:dr.jones.") {
		t.Fatalf("the ticked account was not saved alone (%d accounts):\n%s", len(v.Accounts()), d.screen())
	}
}
