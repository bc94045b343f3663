package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"

	"github.com/wardkey/wardkey/importer/otpauth"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// Export (x) and restore (R) on the code screen through the real glue:
// the backup is written and read by backups.go, the code 'wardkey export'
// and 'wardkey restore' run, in their words.

// strongPass passes the strength check; weakPass does not.
const (
	strongPass = "orbit tulip gravel lantern"
	weakPass   = "password1"
)

var tuiSizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"40x24", 40, 24}}

// backupEnv is a keyring profile on disk holding the demo accounts, and
// the home (~) backups go to.
func backupEnv(t *testing.T, profile string) (*env, *time.Time, string, vault.Keyring) {
	kr := vaulttest.MemoryKeyring{}
	e, now := tuiEnv(t, profile, kr)
	seedVault(t, e, demoAccounts(t), "", kr).Close()
	return e, now, os.Getenv("HOME"), kr
}

// openSeeded opens the profile's vault as another process would.
func openSeeded(t *testing.T, e *env, kr vault.Keyring) *vault.Vault {
	t.Helper()
	v, err := vault.Open(e.dir(), vault.Unlock{Options: vault.Options{KDF: &testKDF, Now: func() time.Time { return tuiT0.Add(-time.Hour) }}, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// writeTestBackup encrypts st to path as 'wardkey export' would, at tuiT0.
func writeTestBackup(t *testing.T, path string, st vault.State, vaultID string) {
	t.Helper()
	var buf bytes.Buffer
	if err := backup.Write(&buf, st, []byte(strongPass), backup.Options{WorkFactor: 10, VaultID: vaultID, Created: tuiT0}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// restoreEnv is the demo vault minus its first account (deleted here),
// and in ~/ward3.age a backup of this vault holding every demo account
// plus two new ones.
func restoreEnv(t *testing.T) (*env, *time.Time, string, vault.Keyring) {
	e, now, home, kr := backupEnv(t, "default")
	v := openSeeded(t, e, kr)
	defer v.Close()
	w := vault.NewMemory(v.State())
	if err := w.Update(func(tx *vault.Tx) error {
		for _, u := range []string{
			"otpauth://totp/Pharmacy:night.shift?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Pharmacy",
			"otpauth://totp/Radiology%20PACS:dr.okafor?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Radiology%20PACS",
		} {
			a, err := otpauth.Parse(u)
			if err != nil {
				return err
			}
			a.ID = "ff" + a.Issuer[:2]
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The memory vault stamps with the real clock; the backup's additions
	// are of tuiT0's day (restore sets aside what is stamped over 24 h ahead
	// of the clock), after the last backup (so the banner shows).
	st := w.State()
	for i := range st.Accounts {
		if st.Accounts[i].Stamp.Wall > tuiT0.Add(time.Hour).UnixMilli() {
			st.Accounts[i].Stamp.Wall = tuiT0.Add(30 * time.Minute).UnixMilli()
		}
	}
	writeTestBackup(t, filepath.Join(home, "ward3.age"), st, v.ID())
	if err := v.Update(func(tx *vault.Tx) error { tx.Delete(fmt.Sprintf("%016x", 1)); return nil }); err != nil {
		t.Fatal(err)
	}
	// The backup was made at tuiT0, after every change here: no banner.
	if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) { l.LastBackup = tuiT0 }); err != nil {
		t.Fatal(err)
	}
	return e, now, home, kr
}

// TestTUIGoldenBackup renders the export and restore screens at 80×24 and
// 40×24, at a fixed clock, with colour off, over the real backend.
func TestTUIGoldenBackup(t *testing.T) {
	exportTo := func(t *testing.T, w, h int, pass ...string) *tuiDriver {
		e, now, _, _ := backupEnv(t, "default")
		d := newTUIDriver(t, e, now, w, h)
		d.key("ctrl+x", "enter")
		for i, p := range pass {
			d.typeText(p)
			if i < len(pass)-1 {
				d.key("enter")
			}
		}
		return d
	}
	restoreWith := func(t *testing.T, w, h int, pass string) *tuiDriver {
		e, now, _, _ := restoreEnv(t)
		d := newTUIDriver(t, e, now, w, h)
		d.key("ctrl+r")
		d.typeText("~/ward3.age")
		d.key("enter")
		d.typeText(pass)
		return d
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, w, h int) *tuiDriver
	}{
		{"export_banner", func(t *testing.T, w, h int) *tuiDriver {
			e, now, _, _ := backupEnv(t, "default")
			return newTUIDriver(t, e, now, w, h)
		}},
		{"export", func(t *testing.T, w, h int) *tuiDriver {
			e, now, _, _ := backupEnv(t, "default")
			d := newTUIDriver(t, e, now, w, h)
			d.key("ctrl+x")
			return d
		}},
		{"export_pass", func(t *testing.T, w, h int) *tuiDriver { return exportTo(t, w, h) }},
		{"export_weak", func(t *testing.T, w, h int) *tuiDriver {
			d := exportTo(t, w, h, weakPass)
			d.key("enter")
			return d
		}},
		{"export_repeat", func(t *testing.T, w, h int) *tuiDriver { return exportTo(t, w, h, strongPass, "orbit") }},
		{"export_differ", func(t *testing.T, w, h int) *tuiDriver {
			d := exportTo(t, w, h, strongPass, "orbit tulip")
			d.key("enter")
			return d
		}},
		{"export_busy", func(t *testing.T, w, h int) *tuiDriver {
			d := exportTo(t, w, h, strongPass, strongPass)
			d.hold = true
			d.key("enter")
			return d
		}},
		{"export_exists", func(t *testing.T, w, h int) *tuiDriver {
			e, now, home, _ := backupEnv(t, "default")
			if err := os.WriteFile(filepath.Join(home, "wardkey-backup-2026-01-01.age"), []byte("keep me"), 0o600); err != nil {
				t.Fatal(err)
			}
			d := newTUIDriver(t, e, now, w, h)
			d.key("ctrl+x", "enter")
			return d
		}},
		{"export_done", func(t *testing.T, w, h int) *tuiDriver {
			d := exportTo(t, w, h, strongPass, strongPass)
			d.key("enter")
			return d
		}},
		{"restore", func(t *testing.T, w, h int) *tuiDriver {
			e, now, _, _ := restoreEnv(t)
			d := newTUIDriver(t, e, now, w, h)
			d.key("ctrl+r")
			return d
		}},
		{"restore_pass", func(t *testing.T, w, h int) *tuiDriver { return restoreWith(t, w, h, "orbit") }},
		{"restore_busy", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, strongPass)
			d.hold = true
			d.key("enter")
			return d
		}},
		{"restore_wrong", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, "orbit tulip")
			d.key("enter")
			return d
		}},
		{"restore_missing", func(t *testing.T, w, h int) *tuiDriver {
			e, now, _, _ := restoreEnv(t)
			d := newTUIDriver(t, e, now, w, h)
			d.key("ctrl+r")
			d.typeText("~/nowhere.age")
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			return d
		}},
		{"restore_plan", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, strongPass)
			d.key("enter")
			return d
		}},
		{"restore_plan_undelete", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, strongPass)
			d.key("enter", "ctrl+u")
			return d
		}},
		{"restore_done", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, strongPass)
			d.key("enter", "tab", "enter")
			return d
		}},
		{"restore_nothing", func(t *testing.T, w, h int) *tuiDriver {
			d := restoreWith(t, w, h, strongPass)
			d.key("enter", "tab", "enter", "ctrl+r")
			d.typeText("~/ward3.age")
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			return d
		}},
	}
	for _, c := range cases {
		for _, s := range tuiSizes {
			t.Run(c.name+"_"+s.name, func(t *testing.T) {
				d := c.setup(t, s.w, s.h)
				d.golden(c.name + "_" + s.name)
			})
		}
	}
}

func TestTUIExportWritesReadableBackup(t *testing.T) {
	e, now, home, _ := backupEnv(t, "default")
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.has("No backup yet") {
		t.Fatalf("no banner before the first backup:\n%s", d.screen())
	}
	d.key("ctrl+x")
	d.key("backspace", "backspace", "backspace", "backspace") // edit the default name
	d.typeText("-ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if d.has("Export a backup") {
		t.Fatalf("after the export the code list should be back:\n%s", d.screen())
	}
	path := filepath.Join(home, "wardkey-backup-2026-01-01-ward3.age")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no backup at the edited path: %v\n%s", err, d.screen())
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the backup is %v, want 0600", fi.Mode().Perm())
	}
	f, _ := os.Open(path)
	defer f.Close()
	b, err := backup.Read(f, []byte(strongPass))
	if err != nil {
		t.Fatalf("backup.Read with the same passphrase: %v", err)
	}
	if n := len(b.State.Live()); n != 6 || !b.Created.Equal(tuiT0) || b.App != "wardkey "+Version {
		t.Errorf("the backup holds %d accounts, made %v by %q", n, b.Created, b.App)
	}
	if l := loadLocal(t, e); !l.LastBackup.Equal(tuiT0) {
		t.Errorf("LastBackup is %v, want %v", l.LastBackup, tuiT0)
	}
	if d.has("backup yet") || !d.has("Backup of 6 accounts written to ~/wardkey-backup-2026-01-01-ward3.age") {
		t.Errorf("the banner should be gone and the toast say where the backup went:\n%s", d.screen())
	}
	if d.has(strongPass) {
		t.Error("the passphrase is on screen")
	}
}

func TestTUIExportRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keys      func(d *tuiDriver)
		atPass    bool // still on the passphrase step (else the file)
		errHas    string
		cliErrHas string // the same failure in the CLI's words, "" none
	}{
		{"weak passphrase", func(d *tuiDriver) {
			d.key("enter")
			d.typeText(weakPass)
			d.key("enter")
		}, true, "too easy to guess", ""},
		{"profile name as passphrase", func(d *tuiDriver) {
			d.key("enter")
			d.typeText("ward3ward3")
			d.key("enter")
		}, true, "too easy to guess", ""},
		{"empty passphrase", func(d *tuiDriver) { d.key("enter", "enter") }, true, "Type a passphrase", ""},
		{"passphrases differ", func(d *tuiDriver) {
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			d.typeText(strongPass + "!")
			d.key("enter")
		}, true, "differ", ""},
		{"folder missing", func(d *tuiDriver) {
			d.key("ctrl+u")
			d.typeText("~/no/such/dir/b.age")
			d.key("enter")
		}, false, "does not exist", ""},
		{"existing file", func(d *tuiDriver) {
			d.key("ctrl+u")
			d.typeText("~/keep.age")
			d.key("enter")
		}, false, "already exists", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, now, home, _ := backupEnv(t, "ward3")
			keep := filepath.Join(home, "keep.age")
			if err := os.WriteFile(keep, []byte("keep me"), 0o600); err != nil {
				t.Fatal(err)
			}
			d := newTUIDriver(t, e, now, 80, 24)
			d.key("ctrl+x")
			tc.keys(d)
			if !d.has("Export a backup") || d.has("gets its own passphrase") != tc.atPass || !d.has(tc.errHas) {
				t.Fatalf("want the export screen at the %s step saying %q:\n%s", map[bool]string{true: "passphrase", false: "file"}[tc.atPass], tc.errHas, d.screen())
			}
			if strings.Contains(d.screen(), "•") {
				t.Error("a refused passphrase stays in its field")
			}
			ents, _ := os.ReadDir(home)
			for _, ent := range ents {
				if ent.Name() != "keep.age" && ent.Name() != "wardkey" {
					t.Errorf("the home holds %s", ent.Name())
				}
			}
			if b, _ := os.ReadFile(keep); string(b) != "keep me" {
				t.Error("an existing file was changed")
			}
			d.key("esc")
			if d.has("Export a backup") {
				t.Error("esc does not go back to the list")
			}
		})
	}
}

func TestTUIExportDemo(t *testing.T) {
	// The CLI exports the demo (wardkey --demo export): the TUI does too,
	// and records no backup time (the demo has no folder).
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	e.demo = true
	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() || !d.has("demo") {
		t.Fatalf("the demo did not open:\n%s", d.screen())
	}
	d.key("ctrl+x", "enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), "wardkey-backup-2026-01-01.age")); err != nil {
		t.Fatalf("the demo export wrote nothing: %v\n%s", err, d.screen())
	}
	if vault.Exists(e.dir()) {
		t.Error("the demo export made a vault")
	}
}

func TestTUIRestoreShowsPlanThenAdds(t *testing.T) {
	e, now, _, kr := restoreEnv(t)
	d := newTUIDriver(t, e, now, 80, 24)
	count := func() int {
		v := openSeeded(t, e, kr)
		defer v.Close()
		return len(v.Accounts())
	}
	before := count()
	d.key("ctrl+r")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	for _, want := range []string{"Added: 2", "Pharmacy:night.shift", "Radiology PACS:dr.okafor", "Unchanged: 5", "kept deleted: 1", "of this vault"} {
		if !d.has(want) {
			t.Errorf("the plan lacks %q:\n%s", want, d.screen())
		}
	}
	if count() != before {
		t.Fatal("the vault changed before the plan was confirmed")
	}
	d.key("enter")
	if d.has("Restore a backup") || count() != before {
		t.Fatalf("enter on cancel restored, or kept the plan:\n%s", d.screen())
	}
	d.key("ctrl+r")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter", "right", "enter")
	if d.has("Restore a backup") || count() != before+2 || !d.has(fmt.Sprintf("%d accounts", before+2)) {
		t.Fatalf("after enter: %d accounts in the vault, want %d\n%s", count(), before+2, d.screen())
	}
	if !d.has("Restored: 2 added, 0 updated.") {
		t.Errorf("no summary:\n%s", d.screen())
	}
}

func TestTUIRestoreUndelete(t *testing.T) {
	e, now, _, kr := restoreEnv(t)
	d := newTUIDriver(t, e, now, 80, 24)
	d.key("ctrl+r")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter", "ctrl+u")
	if !d.has("brought back: 1") {
		t.Fatalf("ctrl+u does not plan the undelete:\n%s", d.screen())
	}
	d.key("tab", "enter")
	v := openSeeded(t, e, kr)
	defer v.Close()
	if got := len(v.Accounts()); got != 5+3 {
		t.Fatalf("%d accounts after restoring with undelete, want 8", got)
	}
}

func TestTUIRestoreRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, path, pass string
		content          []byte // written to path first, if set
		atPass           bool   // asked for the passphrase again (else the file)
		errHas           string
	}{
		{"wrong passphrase", "~/ward3.age", "orbit tulip", nil, true, "The passphrase does not open ~/ward3.age; nothing was changed."},
		{"no such file", "~/none.age", strongPass, nil, false, "There is no file ~/none.age; nothing was changed."},
		{"not a backup", "~/notes.txt", strongPass, []byte("shopping list\n"), false, "is not a wardkey backup"},
		{"cut short", "~/cut.age", strongPass, []byte("age-encryption.org/"), false, "damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, now, home, kr := restoreEnv(t)
			if tc.content != nil {
				if err := os.WriteFile(filepath.Join(home, strings.TrimPrefix(tc.path, "~/")), tc.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			v := openSeeded(t, e, kr)
			before, _ := vault.MarshalState(v.State())
			v.Close()
			d := newTUIDriver(t, e, now, 200, 24) // wide: the error on one line
			d.key("ctrl+r")
			d.typeText(tc.path)
			d.key("enter")
			d.typeText(tc.pass)
			d.key("enter")
			hint := "enter next"
			if tc.atPass {
				hint = "enter decrypt"
			}
			if !d.has("Restore a backup") || !d.has(hint) || !strings.Contains(d.screen(), tc.errHas) {
				t.Fatalf("want the restore screen (%q) saying %q on one line:\n%s", hint, tc.errHas, d.screen())
			}
			v = openSeeded(t, e, kr)
			after, _ := vault.MarshalState(v.State())
			v.Close()
			if !bytes.Equal(before, after) {
				t.Error("a refused restore changed the vault")
			}
			if strings.Contains(d.screen(), "•") {
				t.Error("the refused passphrase is still in its field")
			}
		})
	}
}

func TestTUISpinnerWhileEncrypting(t *testing.T) {
	e, now, home, _ := backupEnv(t, "default")
	d := newTUIDriver(t, e, now, 80, 24)
	d.key("ctrl+x", "enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.hold = true
	d.key("enter")
	if !d.has("Encrypting") {
		t.Fatalf("no progress shown while encrypting:\n%s", d.screen())
	}
	d.key("esc", "q") // ignored while the work runs
	if !d.has("Export a backup") || d.quit {
		t.Fatal("a key left the screen while the backup was being written")
	}
	d.release()
	var spins int
	for _, s := range d.timers {
		if _, ok := s.msg.(spinner.TickMsg); ok {
			spins++
			d.send(s.msg) // a late frame after the work ended: dropped
		}
	}
	if spins == 0 {
		t.Error("the spinner was never scheduled")
	}
	if _, err := os.Stat(filepath.Join(home, "wardkey-backup-2026-01-01.age")); err != nil || d.has("Export a backup") {
		t.Fatalf("after the work: %v\n%s", err, d.screen())
	}
}
