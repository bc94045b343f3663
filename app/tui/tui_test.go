package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"40x24", 40, 24}}

// TestGolden renders every screen and state at 80×24 and 40×24, at a
// fixed clock, with colour off.
func TestGolden(t *testing.T) {
	same30 := func(t testing.TB) []vault.Account {
		var out []vault.Account
		for _, a := range demoAccounts(t) {
			if a.Type == vault.TOTP && a.Period == 30 {
				out = append(out, a)
			}
		}
		return out
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) *driver
	}{
		{"firstrun", func(t *testing.T) *driver {
			return newDriver(t, testConfig{DefaultKeyring: true, ProbeKeyring: func() error { return nil }})
		}},
		{"firstrun_named", func(t *testing.T) *driver {
			return newDriver(t, testConfig{Profile: "ward3"})
		}},
		{"firstrun_nokeyring", func(t *testing.T) *driver {
			return newDriver(t, testConfig{DefaultKeyring: true, ProbeKeyring: func() error {
				return errors.Join(vault.ErrKeyringUnavailable, errors.New("no D-Bus session"))
			}})
		}},
		{"firstrun_passphrase", func(t *testing.T) *driver {
			d := newDriver(t, testConfig{Profile: "ward3"})
			d.key("enter")
			d.typeText("abc")
			return d
		}},
		{"unlock", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			return newDriver(t, cfg)
		}},
		{"unlock_wrong", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.typeText("wrong horse")
			d.key("enter")
			return d
		}},
		{"codes", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			return newDriver(t, cfg)
		}},
		{"codes_expiring", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.advance(17 * time.Second)
			return d
		}},
		{"codes_onebar", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, same30(t))
			return newDriver(t, cfg)
		}},
		{"codes_onebar_expiring", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, same30(t))
			d := newDriver(t, cfg)
			d.advance(16*time.Second + 500*time.Millisecond)
			return d
		}},
		{"codes_hotp_shown", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("j", "j", "j", "n")
			return d
		}},
		{"codes_find", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("/")
			d.typeText("EHR")
			return d
		}},
		{"codes_find_none", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("/")
			d.typeText("zzz")
			return d
		}},
		{"codes_copied", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("enter")
			d.advance(3 * time.Second)
			return d
		}},
		{"codes_favourite_recent", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("G", "ctrl+f", "g", "j", "enter", "o")
			return d
		}},
		{"codes_banners", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.BackupBanner = true
			cfg.Local = func() vault.Local {
				return vault.Local{ClockOffset: 90, LastBackup: t0.Add(-40 * 24 * time.Hour)}
			}
			return newDriver(t, cfg)
		}},
		{"codes_empty", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, nil)
			return newDriver(t, cfg)
		}},
		{"big", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("j", "space")
			return d
		}},
		{"big_expiring", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("b")
			d.advance(17 * time.Second)
			return d
		}},
		{"add", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("a")
			return d
		}},
		{"add_uri", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.addVia(rowURI)
			d.typeText("otpauth://totp/Ward%203%20Rota:sister.kay?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ward%203%20Rota")
			return d
		}},
		{"add_typed_bad", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.addVia(rowTyped)
			d.typeText("Pathology")
			d.key("tab")
			d.typeText("dr.ng")
			d.key("tab")
			d.typeText("GEZD 1NBV")
			return d
		}},
		{"add_image_unbuilt", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.addVia(rowFile)
			d.typeText("'/home/nurse/Desktop/ehr qr.png'")
			d.key("enter")
			return d
		}},
		{"edit", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("ctrl+e")
			return d
		}},
		{"delete", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("ctrl+d")
			return d
		}},
		{"help", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("?")
			return d
		}},
		{"locked", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.typeText("right horse")
			d.key("enter", "L")
			return d
		}},
		{"locked_keyring", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("L")
			return d
		}},
		{"newprofile", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.People = testPeople
			d := newDriver(t, cfg)
			d.key("ctrl+n")
			return d
		}},
		{"newprofile_refused", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.People = testPeople
			cfg.CreateProfile = func(NewProfileRequest) (*vault.Vault, Profile, error) {
				return nil, Profile{}, errors.New("the passphrase is too easy to guess (score 1 of 4; a vault passphrase needs at least 2): four or more unrelated words make a strong passphrase")
			}
			d := newDriver(t, cfg)
			d.key("ctrl+n")
			d.fillNewProfile("carol", "Dr Carol", "carol1", "carol1")
			d.key("ctrl+s")
			return d
		}},
		{"shared_firstrun", func(t *testing.T) *driver {
			return newDriver(t, testConfig{Shared: true})
		}},
		{"picker", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.People = testPeople
			return newDriver(t, cfg)
		}},
		{"picker_after_lock", func(t *testing.T) *driver {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.People = testPeople
			d := newDriver(t, cfg)
			d.typeText("lee")
			d.key("enter")
			d.typeText("right horse")
			d.key("enter")
			d.advance(121 * time.Second)
			return d
		}},
		{"countdown", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.DisplayName = "Dr Jones"
			d := newDriver(t, cfg)
			d.advance(108 * time.Second) // 12 s left of 120
			return d
		}},
		{"countdown_form", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.Profile = "jones"
			d := newDriver(t, cfg)
			d.key("a")
			d.advance(111 * time.Second)
			return d
		}},
		{"locked_idle", func(t *testing.T) *driver {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.advance(121 * time.Second)
			return d
		}},
		{"recovery", func(t *testing.T) *driver {
			dir := t.TempDir()
			d := newDriver(t, testConfig{Profile: "ward3", Create: func(r CreateRequest) (*vault.Vault, error) {
				return vault.Create(dir, vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: r.Passphrase, RecoveryCode: r.RecoveryCode})
			}})
			d.key("enter")
			d.typeText("pw")
			d.key("tab")
			d.typeText("pw")
			d.key("ctrl+s")
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

// TestNoCodesWhenLocked checks that a lock takes every code off the screen.
func TestNoCodesWhenLocked(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	a := d.m.list.items[0].acct
	code, _ := vault.TOTPCode(a, t0)
	if !strings.Contains(d.screen(), group(code)) {
		t.Fatalf("the list does not show %s's code:\n%s", a.Label(), d.screen())
	}
	d.key("L")
	if strings.Contains(d.screen(), group(code)) || !d.m.Locked() {
		t.Fatalf("after L the code is still on screen or the vault open:\n%s", d.screen())
	}
	if len(d.m.list.items) != 0 || d.m.c.sess.v != nil {
		t.Fatal("after L the model still holds accounts or the vault")
	}
}
