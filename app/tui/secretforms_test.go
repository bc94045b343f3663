package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// formPass is typed into the passphrase fields below: strong enough for
// the backup's strength check, and held by no test configuration.
const formPass = "quilted harbour zebra 7194 lantern"

// secretForm is a screen with passphrase fields: how to reach it, what
// fills its fields with formPass, and the keys that submit it; handed
// says what the backend was handed (nil: nothing yet).
type secretForm struct {
	name   string
	config func(t *testing.T, handed *[]byte) testConfig
	open   func(d *driver)
	fill   func(d *driver)
	submit []string
	front  string // the screen's name (driver.front)
}

var secretForms = []secretForm{
	{
		name: "export",
		config: func(t *testing.T, _ *[]byte) testConfig {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.Export = true
			return cfg
		},
		open: func(d *driver) { unlockFor(d); d.key("ctrl+x", "enter") },
		fill: func(d *driver) {
			d.typeText(formPass)
			d.key("enter") // the strength check takes it
			d.typeText(formPass)
		},
		submit: []string{"enter"}, // the fake Export refuses: back to the file
		front:  "export",
	},
	{
		name: "restore",
		config: func(t *testing.T, handed *[]byte) testConfig {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.Export = true
			cfg.ReadBackup = func(_ string, pass []byte) (backup.Backup, error) {
				*handed = pass
				return backup.Backup{}, backup.ErrWrongPassphrase
			}
			return cfg
		},
		open:   func(d *driver) { unlockFor(d); d.key("ctrl+r"); d.typeText("~/b.age"); d.key("enter") },
		fill:   func(d *driver) { d.typeText(formPass) },
		submit: []string{"enter"},
		front:  "restore",
	},
	{
		name: "first run: a new vault",
		config: func(_ *testing.T, handed *[]byte) testConfig {
			return testConfig{Profile: "ward3", Create: func(r CreateRequest) (*vault.Vault, error) {
				*handed = r.Passphrase
				return nil, errors.New("no vaults here")
			}}
		},
		open: func(d *driver) { d.key("enter") },
		fill: func(d *driver) {
			d.typeText(formPass)
			d.key("tab")
			d.typeText(formPass)
		},
		submit: []string{"ctrl+s"},
		front:  "firstrun",
	},
	{
		name: "first run: a backup",
		config: func(_ *testing.T, handed *[]byte) testConfig {
			return testConfig{Profile: "ward3", ReadBackup: func(_ string, pass []byte) (backup.Backup, error) {
				*handed = pass
				return backup.Backup{}, backup.ErrWrongPassphrase
			}}
		},
		open:   func(d *driver) { d.key("down", "down", "enter"); d.typeText("~/old.age"); d.key("enter") },
		fill:   func(d *driver) { d.typeText(formPass) },
		submit: []string{"enter"},
		front:  "firstrun",
	},
	{
		name: "new profile",
		config: func(t *testing.T, handed *[]byte) testConfig {
			cfg, _ := passConfig(t, demoAccounts(t))
			cfg.People = testPeople
			cfg.CreateProfile = func(r NewProfileRequest) (*vault.Vault, Profile, error) {
				*handed = r.Passphrase
				return nil, Profile{}, errors.New("no profiles here")
			}
			return cfg
		},
		open:   func(d *driver) { d.key("ctrl+n") },
		fill:   func(d *driver) { d.fillNewProfile("carol", "Dr Carol", formPass, formPass) },
		submit: []string{"ctrl+s"},
		front:  "newprofile",
	},
	{
		name: "set a passphrase",
		config: func(t *testing.T, handed *[]byte) testConfig {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.Shared = true
			cfg.People = []Profile{{Name: "ward", HasVault: true, Slots: []string{vault.SlotKeyring}}}
			cfg.DropKeyring = func(_ Vault, pass []byte) error {
				*handed = pass
				return errors.New("no keyring here")
			}
			return cfg
		},
		open: func(d *driver) {
			d.key("enter")
			if d.front() == "unlock" {
				d.key("enter")
			}
		},
		fill: func(d *driver) {
			d.key("tab")
			d.typeText(formPass)
			d.key("tab")
			d.typeText(formPass)
		},
		submit: []string{"ctrl+s"},
		front:  "setpass",
	},
}

// unlockFor unlocks a passConfig driver.
func unlockFor(d *driver) {
	d.t.Helper()
	d.typeText("right horse")
	d.key("enter")
	if d.front() != "codes" {
		d.t.Fatalf("did not unlock:\n%s", d.screen())
	}
}

// secretBuffers are the whole buffers (up to their capacity) of the
// passphrase fields of s.
func secretBuffers(s screen) [][]byte {
	var fs []secretField
	switch m := s.(type) {
	case exportModel:
		fs = m.pass[:]
	case restoreModel:
		fs = []secretField{m.pass}
	case firstRunModel:
		fs = append(m.fields[:], m.pass)
	case newProfileModel:
		fs = m.pass[:]
	case setPassphraseModel:
		fs = m.fields[:]
	}
	var out [][]byte
	for _, f := range fs {
		out = append(out, f.buf[:cap(f.buf)])
	}
	return out
}

// holding walks v (through pointers, interfaces, structs, arrays, slices
// and maps, unexported fields included) and returns where a string or a
// rune slice (with bytes, a byte slice too) contains s.
func holding(v any, s string, bytes bool) []string {
	var hits []string
	seen := map[[2]uintptr]bool{}
	var walk func(v reflect.Value, path string, depth int)
	walk = func(v reflect.Value, path string, depth int) {
		if !v.IsValid() || depth > 200 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			if strings.Contains(v.String(), s) {
				hits = append(hits, path)
			}
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			k := [2]uintptr{v.Pointer(), uintptr(v.Type().Elem().Size())}
			if seen[k] {
				return
			}
			seen[k] = true
			walk(v.Elem(), path, depth+1)
		case reflect.Interface:
			walk(v.Elem(), path, depth+1)
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name, depth+1)
			}
		case reflect.Slice, reflect.Array:
			if v.Kind() == reflect.Slice && v.IsNil() {
				return
			}
			switch v.Type().Elem().Kind() {
			case reflect.Uint8:
				if bytes && v.Kind() == reflect.Slice && strings.Contains(string(v.Bytes()), s) {
					hits = append(hits, path+" (bytes)")
				}
				return
			case reflect.Int32:
				rs := make([]rune, v.Len())
				for i := range rs {
					rs[i] = rune(v.Index(i).Int())
				}
				if strings.Contains(string(rs), s) {
					hits = append(hits, path+" (runes)")
				}
				return
			}
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				walk(it.Key(), path+"{key}", depth+1)
				walk(it.Value(), path+"{value}", depth+1)
			}
		}
	}
	walk(reflect.ValueOf(v), "Model", 0)
	return hits
}

// Every masked field keeps bytes (DESIGN "Hardening (v3)": Memory): while
// a passphrase is typed into a form, no string or rune slice the model
// holds contains it (nor does the model printed with %#v), only the
// field's own buffer; once the form is submitted, left with esc or
// locked, that buffer is zero, nothing the model holds contains it in any
// form, and what the backend was handed has been wiped.
func TestFormsKeepPassphrasesInBytes(t *testing.T) {
	for _, f := range secretForms {
		for _, leave := range []string{"submit", "esc", "lock"} {
			t.Run(f.name+"/"+leave, func(t *testing.T) {
				var handed []byte
				d := newDriver(t, f.config(t, &handed))
				f.open(d)
				f.fill(d)
				if d.front() != f.front {
					t.Fatalf("on %s, not %s:\n%s", d.front(), f.front, d.screen())
				}
				bufs := secretBuffers(d.m.front)
				typed := false
				for _, b := range bufs {
					typed = typed || strings.Contains(string(b), formPass)
				}
				if !typed {
					t.Fatalf("no passphrase field holds what was typed:\n%s", d.screen())
				}
				if hit := holding(d.m, formPass, false); len(hit) > 0 {
					t.Fatalf("while typed, the passphrase is held as text in %s", strings.Join(hit, ", "))
				}
				if strings.Contains(fmt.Sprintf("%#v", d.m), formPass) {
					t.Fatal("while typed, the model prints the passphrase")
				}
				switch leave {
				case "submit":
					d.key(f.submit...)
					if f.name != "export" && handed == nil {
						t.Fatalf("nothing was handed to the backend:\n%s", d.screen())
					}
				case "esc":
					d.key("esc")
				case "lock":
					d.send(lockMsg{})
				}
				for i, b := range bufs {
					if strings.Trim(string(b), "\x00") != "" {
						t.Errorf("after %s, field %d still holds %q", leave, i, strings.Trim(string(b), "\x00"))
					}
				}
				if handed != nil && strings.Trim(string(handed), "\x00") != "" {
					t.Errorf("the passphrase handed to the backend was not wiped: %q", handed)
				}
				if hit := holding(d.m, formPass, true); len(hit) > 0 {
					t.Errorf("after %s, the model still holds the passphrase in %s", leave, strings.Join(hit, ", "))
				}
				if strings.Contains(fmt.Sprintf("%#v", d.m), formPass) {
					t.Errorf("after %s, the model prints the passphrase", leave)
				}
			})
		}
	}
}

// No textinput is masked: a passphrase field is a secretField (newField
// has no masked path, and nothing sets a textinput's echo mode).
func TestNoMaskedTextinput(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "EchoPassword") || strings.Contains(l, "EchoMode") || strings.Contains(l, "EchoCharacter") {
				t.Errorf("%s:%d masks a textinput (use a secretField): %s", f, i+1, strings.TrimSpace(l))
			}
		}
	}
}
