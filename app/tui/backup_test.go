package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// TestGoldenSync renders the header and status line of "sync now" at
// 80×24 and 40×24. (Export and restore, which need the real backend's
// files and words, are app's TestTUIGoldenBackup.)
func TestGoldenSync(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) *driver
	}{
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
			d.key("ctrl+y")
			return d
		}},
		{"codes_sync_failed", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.Local = func() vault.Local { return vault.Local{LastSync: t0.Add(-26 * time.Hour)} }
			cfg.Sync = func(*vault.Vault) (string, error) {
				return "", errors.New("https://dav.example/wardkey: 503 Service Unavailable\n<html>busy</html>")
			}
			d := newDriver(t, cfg)
			d.key("ctrl+y")
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

func TestExportHiddenWithoutWriter(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("ctrl+x")
	if d.front() != "codes" {
		t.Fatalf("ctrl+x opened %s with no way to write files", d.front())
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
	d.key("ctrl+y")
	if !strings.Contains(d.screen(), "synced just now") || !strings.Contains(d.screen(), "nothing new") {
		t.Fatalf("after ctrl+y:\n%s", d.screen())
	}
	d.key("ctrl+y")
	if !strings.Contains(d.screen(), "Sync failed: dial tcp 127.0.0.1:9: connect: connection refused") {
		t.Fatalf("the failure is not shown:\n%s", d.screen())
	}
	d.key("ctrl+y")
	if !strings.Contains(d.screen(), "Sync failed: the sync stopped on an internal error") || d.m.Locked() {
		t.Fatalf("a panic in the sync was not turned into a line:\n%s", d.screen())
	}
}

// A lock while the restore plan is up wipes the decrypted backup's
// secrets and returns to the unlock screen, not to the plan.
func TestLockForgetsBackup(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	inBackup := demoAccounts(t)
	cfg.ReadBackup = func(string, []byte) (backup.Backup, error) {
		return backup.Backup{VaultID: v.ID(), State: vault.State{Accounts: inBackup}}, nil
	}
	d := newDriver(t, cfg)
	d.key("ctrl+r")
	d.typeText("~/ward3.age")
	d.key("enter")
	d.typeText("orbit tulip gravel lantern")
	d.key("enter")
	if r, ok := d.m.front.(restoreModel); !ok || r.backup == nil || !d.has("Duplicates: 6") {
		t.Fatalf("no plan:\n%s", d.screen())
	}
	d.advance(121 * time.Second) // idle lock
	if !d.m.Locked() || d.front() != "unlock" {
		t.Fatalf("the idle lock kept the screen:\n%s", d.screen())
	}
	for _, a := range inBackup {
		for _, b := range a.Secret.Bytes() {
			if b != 0 {
				t.Fatalf("%s's secret from the backup was not wiped on lock", a.Label())
			}
		}
	}
	d.key("enter")
	if d.front() != "codes" {
		t.Fatalf("after the unlock the list should show, not the plan:\n%s", d.screen())
	}
}
