package tui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// strongPass passes strength.Check; weakPass does not.
const (
	strongPass = "orbit tulip gravel lantern"
	weakPass   = "password1"
)

// writeNew is the test's WriteNewFile: 0600, never over an existing file
// (the product's is app.writeNewFile, atomic through a hard link).
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// testExplain words ReadBackup's errors the way app.explainBackup does.
func testExplain(file string, err error) error {
	switch {
	case errors.Is(err, backup.ErrWrongPassphrase):
		return fmt.Errorf("the passphrase does not open %s; nothing was changed", file)
	case errors.Is(err, backup.ErrNotBackup):
		return fmt.Errorf("%s is not a wardkey backup; nothing was changed", file)
	}
	return err
}

// withBackups adds what export and restore need to cfg, with home as ~.
func withBackups(cfg Config, home string) Config {
	cfg.WriteNewFile = writeNew
	cfg.RefuseExisting = func(path string) error {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists; nothing was written", path)
		}
		return nil
	}
	cfg.ExplainBackup = testExplain
	cfg.App = "wardkey test"
	cfg.Home = home
	return cfg
}

// stampsAt makes vault stamps fall at a fixed time before the test clock,
// so "changed since the last backup" does not depend on the real date.
var stampsAt = vault.Options{KDF: &cheapKDF, Now: func() time.Time { return t0.Add(-time.Hour) }}

// diskBackupConfig is a keyring vault on disk holding as, with backups on
// and ~ at a temporary home.
func diskBackupConfig(t testing.TB, as []vault.Account) (Config, string, string) {
	dir, home := t.TempDir(), t.TempDir()
	kr := vaulttest.MemoryKeyring{}
	v, err := vault.Create(dir, vault.CreateOptions{Options: stampsAt, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Update(func(tx *vault.Tx) error {
		for i, a := range as {
			a.ID = fmt.Sprintf("%016x", i+1)
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	cfg := Config{
		HasVault:     true,
		Slots:        []string{vault.SlotKeyring},
		BackupBanner: true,
		Open: func([]byte) (*vault.Vault, error) {
			return vault.Open(dir, vault.Unlock{Options: stampsAt, Keyring: kr})
		},
		Local: func() vault.Local { l, _ := vault.LoadLocal(dir); return l },
	}
	return withBackups(cfg, home), dir, home
}

// writeBackup encrypts st to path as wardkey export would, at t0.
func writeBackup(t testing.TB, path string, st vault.State, vaultID string) {
	t.Helper()
	var buf bytes.Buffer
	if err := backup.Write(&buf, st, []byte(strongPass), backup.Options{WorkFactor: 10, VaultID: vaultID, Created: t0}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// restoreFixture is a memory vault of the demo accounts, minus its first
// account (deleted here), and in home/ward3.age a backup holding every
// demo account plus two new ones.
func restoreFixture(t testing.TB) (Config, *vault.Vault, string) {
	cfg, v := memConfig(t, demoAccounts(t))
	home := t.TempDir()
	w := vault.NewMemory(v.State())
	if err := w.Update(func(tx *vault.Tx) error {
		for _, u := range []string{
			"otpauth://totp/Pharmacy:night.shift?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Pharmacy",
			"otpauth://totp/Radiology%20PACS:dr.okafor?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Radiology%20PACS",
		} {
			a := parseURI(t, u)
			a.ID = "ff" + a.Issuer[:2]
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	writeBackup(t, filepath.Join(home, "ward3.age"), w.State(), v.ID())
	if err := v.Update(func(tx *vault.Tx) error { tx.Delete(fmt.Sprintf("%016x", 1)); return nil }); err != nil {
		t.Fatal(err)
	}
	return withBackups(cfg, home), v, home
}

// TestGoldenBackup renders the export, restore and sync states at 80×24
// and 40×24, at a fixed clock, with colour off.
func TestGoldenBackup(t *testing.T) {
	exportTo := func(t *testing.T, pass ...string) *driver {
		cfg, _, _ := diskBackupConfig(t, demoAccounts(t))
		d := newDriver(t, cfg)
		d.key("x", "enter")
		for i, p := range pass {
			d.typeText(p)
			if i < len(pass)-1 {
				d.key("enter")
			}
		}
		return d
	}
	restoreWith := func(t *testing.T, pass string) *driver {
		cfg, _, _ := restoreFixture(t)
		d := newDriver(t, cfg)
		d.key("R")
		d.typeText("~/ward3.age")
		d.key("enter")
		d.typeText(pass)
		return d
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) *driver
	}{
		{"export_banner", func(t *testing.T) *driver {
			cfg, _, _ := diskBackupConfig(t, demoAccounts(t))
			return newDriver(t, cfg)
		}},
		{"export", func(t *testing.T) *driver {
			cfg, _, _ := diskBackupConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("x")
			return d
		}},
		{"export_pass", func(t *testing.T) *driver { return exportTo(t) }},
		{"export_weak", func(t *testing.T) *driver {
			d := exportTo(t, weakPass)
			d.key("enter")
			return d
		}},
		{"export_repeat", func(t *testing.T) *driver { return exportTo(t, strongPass, "orbit") }},
		{"export_differ", func(t *testing.T) *driver {
			d := exportTo(t, strongPass, "orbit tulip")
			d.key("enter")
			return d
		}},
		{"export_busy", func(t *testing.T) *driver {
			d := exportTo(t, strongPass, strongPass)
			d.hold = true
			d.key("enter")
			return d
		}},
		{"export_exists", func(t *testing.T) *driver {
			cfg, _, home := diskBackupConfig(t, demoAccounts(t))
			if err := os.WriteFile(filepath.Join(home, defaultBackupName(t0)), []byte("keep me"), 0o600); err != nil {
				t.Fatal(err)
			}
			d := newDriver(t, cfg)
			d.key("x", "enter")
			return d
		}},
		{"export_done", func(t *testing.T) *driver {
			d := exportTo(t, strongPass, strongPass)
			d.key("enter")
			return d
		}},
		{"restore", func(t *testing.T) *driver {
			cfg, _, _ := restoreFixture(t)
			d := newDriver(t, cfg)
			d.key("R")
			return d
		}},
		{"restore_pass", func(t *testing.T) *driver { return restoreWith(t, "orbit") }},
		{"restore_busy", func(t *testing.T) *driver {
			d := restoreWith(t, strongPass)
			d.hold = true
			d.key("enter")
			return d
		}},
		{"restore_wrong", func(t *testing.T) *driver {
			d := restoreWith(t, "orbit tulip")
			d.key("enter")
			return d
		}},
		{"restore_missing", func(t *testing.T) *driver {
			cfg, _, _ := restoreFixture(t)
			d := newDriver(t, cfg)
			d.key("R")
			d.typeText("~/nowhere.age")
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			return d
		}},
		{"restore_plan", func(t *testing.T) *driver {
			d := restoreWith(t, strongPass)
			d.key("enter")
			return d
		}},
		{"restore_plan_undelete", func(t *testing.T) *driver {
			d := restoreWith(t, strongPass)
			d.key("enter", "u")
			return d
		}},
		{"restore_done", func(t *testing.T) *driver {
			d := restoreWith(t, strongPass)
			d.key("enter", "enter")
			return d
		}},
		{"restore_nothing", func(t *testing.T) *driver {
			d := restoreWith(t, strongPass)
			d.key("enter", "enter", "R")
			d.typeText("~/ward3.age")
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			return d
		}},
		{"codes_synced", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			last := t0.Add(-5 * time.Minute)
			cfg.Local = func() vault.Local { return vault.Local{LastSync: last} }
			cfg.Sync = func(*vault.Vault) (string, error) {
				last = t0
				return "synced 00:00: 1 pulled, 0 pushed", nil
			}
			d := newDriver(t, cfg)
			if !strings.Contains(d.screen(), "synced 5 min ago") {
				t.Errorf("the header does not say when the last sync was:\n%s", d.screen())
			}
			d.key("s")
			return d
		}},
		{"codes_sync_failed", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.Local = func() vault.Local { return vault.Local{LastSync: t0.Add(-26 * time.Hour)} }
			cfg.Sync = func(*vault.Vault) (string, error) {
				return "", errors.New("https://dav.example/wardkey: 503 Service Unavailable\n<html>busy</html>")
			}
			d := newDriver(t, cfg)
			d.key("s")
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

func TestExportWritesReadableBackup(t *testing.T) {
	cfg, dir, home := diskBackupConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	if !strings.Contains(d.screen(), "No backup yet") {
		t.Fatalf("no banner before the first backup:\n%s", d.screen())
	}
	d.key("x")
	d.key("backspace", "backspace", "backspace", "backspace") // edit the default name
	d.typeText("-ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if d.m.screen != scrCodes {
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
	if n := len(b.State.Live()); n != len(demoAccounts(t)) || !b.Created.Equal(t0) || b.App != "wardkey test" {
		t.Errorf("the backup holds %d accounts, made %v by %q", n, b.Created, b.App)
	}
	l, _ := vault.LoadLocal(dir)
	if !l.LastBackup.Equal(t0) {
		t.Errorf("LastBackup is %v, want %v", l.LastBackup, t0)
	}
	sc := d.screen()
	if strings.Contains(sc, "backup yet") || !strings.Contains(sc, "Backup of 6 accounts written to ~/wardkey-backup-2026-01-01-ward3.age") {
		t.Errorf("the banner should be gone and the toast say where the backup went:\n%s", sc)
	}
	if strings.Contains(sc, strongPass) {
		t.Error("the passphrase is on screen")
	}
}

func TestExportRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		keys   func(d *driver)
		step   exportStep
		errHas string
	}{
		{"weak passphrase", func(d *driver) {
			d.key("enter")
			d.typeText(weakPass)
			d.key("enter")
		}, expPass, "too easy to guess"},
		{"profile name as passphrase", func(d *driver) {
			d.key("enter")
			d.typeText("ward3ward3")
			d.key("enter")
		}, expPass, "too easy to guess"},
		{"empty passphrase", func(d *driver) { d.key("enter", "enter") }, expPass, "Type a passphrase"},
		{"passphrases differ", func(d *driver) {
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			d.typeText(strongPass + "!")
			d.key("enter")
		}, expPass, "differ"},
		{"folder missing", func(d *driver) {
			d.key("ctrl+u")
			d.typeText("~/no/such/dir/b.age")
			d.key("enter")
		}, expPath, "does not exist"},
		{"existing file", func(d *driver) {
			d.key("ctrl+u")
			d.typeText("~/keep.age")
			d.key("enter")
		}, expPath, "already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, home := diskBackupConfig(t, demoAccounts(t))
			cfg.Profile = "ward3"
			keep := filepath.Join(home, "keep.age")
			if err := os.WriteFile(keep, []byte("keep me"), 0o600); err != nil {
				t.Fatal(err)
			}
			d := newDriver(t, cfg)
			d.key("x")
			tc.keys(d)
			if d.m.screen != scrExport || d.m.export.step != tc.step || !strings.Contains(d.m.export.err, tc.errHas) {
				t.Fatalf("screen %v step %v err %q, want step %v and %q:\n%s", d.m.screen, d.m.export.step, d.m.export.err, tc.step, tc.errHas, d.screen())
			}
			if d.m.export.pass[0].Value() != "" || d.m.export.pass[1].Value() != "" {
				t.Error("a refused passphrase stays in its field")
			}
			ents, _ := os.ReadDir(home)
			if len(ents) != 1 {
				t.Errorf("the home holds %d files, want only keep.age", len(ents))
			}
			if b, _ := os.ReadFile(keep); string(b) != "keep me" {
				t.Error("an existing file was changed")
			}
			d.key("esc")
			if d.m.screen != scrCodes {
				t.Error("esc does not go back to the list")
			}
		})
	}
}

func TestExportDemo(t *testing.T) {
	// The CLI exports the demo (wardkey --demo export): the TUI does too,
	// and records no backup time (the demo has no folder).
	cfg, v := memConfig(t, demoAccounts(t))
	cfg.Demo = true
	cfg.OpenDemo = func() (*vault.Vault, error) { return v, nil }
	home := t.TempDir()
	d := newDriver(t, withBackups(cfg, home))
	d.key("x", "enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if _, err := os.Stat(filepath.Join(home, defaultBackupName(t0))); err != nil {
		t.Fatalf("the demo export wrote nothing: %v\n%s", err, d.screen())
	}
}

func TestExportHiddenWithoutWriter(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("x")
	if d.m.screen != scrCodes {
		t.Fatal("x opened the export screen with no way to write files")
	}
}

func TestRestoreShowsPlanThenAdds(t *testing.T) {
	cfg, v, _ := restoreFixture(t)
	d := newDriver(t, cfg)
	before := len(v.Accounts())
	d.key("R")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	sc := d.screen()
	for _, want := range []string{"Added: 2", "Pharmacy:night.shift", "Radiology PACS:dr.okafor", "Unchanged: 5", "kept deleted: 1", "of this vault"} {
		if !strings.Contains(sc, want) {
			t.Errorf("the plan lacks %q:\n%s", want, sc)
		}
	}
	if len(v.Accounts()) != before {
		t.Fatal("the vault changed before the plan was confirmed")
	}
	d.key("enter")
	if d.m.screen != scrCodes || len(v.Accounts()) != before+2 || len(d.m.codes.items) != before+2 {
		t.Fatalf("after enter: screen %v, %d accounts in the vault, %d listed; want %d\n%s", d.m.screen, len(v.Accounts()), len(d.m.codes.items), before+2, d.screen())
	}
	if !strings.Contains(d.screen(), "Restored: 2 added, 0 updated.") {
		t.Errorf("no summary:\n%s", d.screen())
	}
	if d.m.restore.backup != nil {
		t.Error("the decrypted backup is still held after the restore")
	}
}

func TestRestoreUndelete(t *testing.T) {
	cfg, v, _ := restoreFixture(t)
	d := newDriver(t, cfg)
	before := len(v.Accounts())
	d.key("R")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter", "u")
	if !strings.Contains(d.screen(), "brought back: 1") {
		t.Fatalf("u does not plan the undelete:\n%s", d.screen())
	}
	d.key("enter")
	if got := len(v.Accounts()); got != before+3 {
		t.Fatalf("%d accounts after restoring with undelete, want %d", got, before+3)
	}
}

func TestRestoreRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, path, pass string
		content          []byte // written to path first, if set
		step             restoreStep
		errHas           string
	}{
		{"wrong passphrase", "~/ward3.age", "orbit tulip", nil, resPass, "The passphrase does not open ~/ward3.age; nothing was changed."},
		{"no such file", "~/none.age", strongPass, nil, resPath, "There is no file ~/none.age"},
		{"not a backup", "~/notes.txt", strongPass, []byte("shopping list\n"), resPath, "is not a wardkey backup"},
		{"cut short", "~/cut.age", strongPass, []byte("age-encryption.org/"), resPath, "damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, v, home := restoreFixture(t)
			if tc.content != nil {
				if err := os.WriteFile(filepath.Join(home, strings.TrimPrefix(tc.path, "~/")), tc.content, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			before, _ := vault.MarshalState(v.State())
			d := newDriver(t, cfg)
			d.key("R")
			d.typeText(tc.path)
			d.key("enter")
			d.typeText(tc.pass)
			d.key("enter")
			if d.m.screen != scrRestore || d.m.restore.step != tc.step || !strings.Contains(d.m.restore.err, tc.errHas) {
				t.Fatalf("step %v err %q, want step %v and %q:\n%s", d.m.restore.step, d.m.restore.err, tc.step, tc.errHas, d.screen())
			}
			if strings.Count(d.m.restore.err, "\n") > 0 {
				t.Errorf("the error is not one line: %q", d.m.restore.err)
			}
			after, _ := vault.MarshalState(v.State())
			if !bytes.Equal(before, after) {
				t.Error("a refused restore changed the vault")
			}
			if d.m.restore.pass.Value() != "" || d.m.restore.typed != nil {
				t.Error("the refused passphrase is still held")
			}
		})
	}
}

func TestLockForgetsBackup(t *testing.T) {
	cfg, _, _ := restoreFixture(t)
	d := newDriver(t, cfg)
	d.key("R")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText(strongPass)
	d.key("enter")
	if d.m.restore.backup == nil {
		t.Fatal("no plan")
	}
	d.advance(121 * time.Second) // idle lock
	if !d.m.Locked() || d.m.restore.backup != nil || d.m.screen != scrUnlock {
		t.Fatalf("the idle lock kept the decrypted backup or the screen:\n%s", d.screen())
	}
}

func TestSyncNow(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	var calls int
	var last time.Time
	cfg.Local = func() vault.Local { return vault.Local{LastSync: last} }
	cfg.Sync = func(*vault.Vault) (string, error) {
		calls++
		switch calls {
		case 1:
			last = t0
			return "synced 00:00: nothing new", nil
		case 2:
			return "", errors.New("dial tcp 127.0.0.1:9: connect: connection refused")
		}
		panic("a bug in the sync code")
	}
	d := newDriver(t, cfg)
	if strings.Contains(d.screen(), "synced") {
		t.Fatal("the header speaks of a sync that never happened")
	}
	d.key("s")
	if !strings.Contains(d.screen(), "synced just now") || !strings.Contains(d.screen(), "nothing new") {
		t.Fatalf("after s:\n%s", d.screen())
	}
	d.key("s")
	if !strings.Contains(d.screen(), "Sync failed: dial tcp 127.0.0.1:9: connect: connection refused") {
		t.Fatalf("the failure is not shown:\n%s", d.screen())
	}
	d.key("s")
	if !strings.Contains(d.screen(), "Sync failed: the sync stopped on an internal error") || d.m.v == nil {
		t.Fatalf("a panic in the sync was not turned into a line:\n%s", d.screen())
	}
}

func TestSpinnerWhileEncrypting(t *testing.T) {
	cfg, _, home := diskBackupConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("x", "enter")
	d.typeText(strongPass)
	d.key("enter")
	d.typeText(strongPass)
	d.hold = true
	d.key("enter")
	if !strings.Contains(d.screen(), "Encrypting") || d.m.export.step != expBusy {
		t.Fatalf("no progress shown while encrypting:\n%s", d.screen())
	}
	d.key("esc", "q") // ignored while the work runs
	if d.m.screen != scrExport {
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
	if _, err := os.Stat(filepath.Join(home, defaultBackupName(t0))); err != nil || d.m.screen != scrCodes {
		t.Fatalf("after the work: %v\n%s", err, d.screen())
	}
}
