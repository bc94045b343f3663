package tui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// peopleHome is a shared workstation's profiles made by the new-profile
// form: CreateProfile makes a real vault file (passphrase only) in a
// temporary home, AddRecovery writes its recovery slot; made and added
// record the calls.
type peopleHome struct {
	dir   string
	made  []NewProfileRequest
	added []string
	v     *vault.Vault
}

func (h *peopleHome) config(t *testing.T, cfg testConfig) testConfig {
	h.dir = t.TempDir()
	cfg.CreateProfile = func(r NewProfileRequest) (*vault.Vault, Profile, error) {
		rec := r
		rec.Passphrase = slices.Clone(r.Passphrase)
		h.made = append(h.made, rec)
		v, err := vault.Create(filepath.Join(h.dir, r.Name), vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: r.Passphrase})
		h.v = v
		return v, Profile{Name: r.Name, DisplayName: r.DisplayName, HasVault: true, Slots: []string{vault.SlotPassphrase}}, err
	}
	cfg.AddRecovery = func(v Vault, code string) error {
		h.added = append(h.added, code)
		return v.(*vault.Vault).AddRecoverySlot(code, vault.Options{KDF: &cheapKDF})
	}
	return cfg
}

// fillNewProfile fills the new-profile form, which opens with no field
// chosen: tab chooses the first, enter moves on.
func (d *driver) fillNewProfile(name, display, pass, repeat string) {
	d.t.Helper()
	d.key("tab")
	d.typeText(name)
	d.key("enter")
	d.typeText(display)
	d.key("enter")
	d.typeText(pass)
	d.key("enter")
	d.typeText(repeat)
}

// ctrl+n on "Who are you?" makes a profile: typing at the form before a
// field is chosen changes nothing, a bad name and differing passphrases
// are one sentence each and keep the names, ctrl+s creates and opens the
// new person (one vault at a time), and the recovery code's slot is
// written only when "it is written down" is pressed.
func TestNewProfileFromPicker(t *testing.T) {
	var h peopleHome
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.People = testPeople
	cfg = h.config(t, cfg)
	d := newDriver(t, cfg)
	d.key("ctrl+n")
	if d.front() != "newprofile" || !d.has("New profile") {
		t.Fatalf("ctrl+n did not open the new-profile form:\n%s", d.screen())
	}
	d.typeText("daisy")
	d.key("enter")
	if d.m.front.(newProfileModel).fields[npName].Value() != "" || len(h.made) != 0 {
		t.Fatal("typing reached a field before one was chosen")
	}
	d.fillNewProfile("Bad Name", "Dr Carol", "a long passphrase", "a long passphrase")
	d.key("ctrl+s")
	if !d.has("is not valid") || len(h.made) != 0 || d.m.front.(newProfileModel).fields[npDisplay].Value() != "Dr Carol" {
		t.Fatalf("a bad profile name was not refused in one sentence, keeping the rest:\n%s", d.screen())
	}
	d.key("ctrl+u") // textinput: clear the name field, which has the focus
	d.typeText("carol")
	d.key("tab", "tab")
	d.typeText("a long passphrase")
	d.key("tab")
	d.typeText("another one")
	d.key("ctrl+s")
	if !d.has("differ") || len(h.made) != 0 {
		t.Fatalf("differing passphrases were accepted:\n%s", d.screen())
	}
	d.typeText("a long passphrase")
	d.key("tab")
	d.typeText("a long passphrase")
	d.key("ctrl+s")
	if len(h.made) != 1 || h.made[0].Name != "carol" || h.made[0].DisplayName != "Dr Carol" || string(h.made[0].Passphrase) != "a long passphrase" {
		t.Fatalf("CreateProfile got %+v", h.made)
	}
	if d.front() != "recovery" || !strings.HasPrefix(d.screen(), "wardkey · Dr Carol") || !d.has("wardkey --profile carol passwd --recovery") {
		t.Fatalf("the new person's recovery code is not shown:\n%s", d.screen())
	}
	d.typeText("written")
	d.key("enter")
	if len(h.added) != 0 || d.front() != "recovery" {
		t.Fatal("typing and enter acknowledged the recovery code")
	}
	d.key("tab", "enter")
	if len(h.added) != 1 || h.added[0] != "ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567" || d.front() != "codes" {
		t.Fatalf("pressing \"it is written down\" did not write the slot (%v):\n%s", h.added, d.screen())
	}
	if got := h.v.SlotKinds(); !slices.Equal(got, []string{vault.SlotPassphrase, vault.SlotRecovery}) {
		t.Errorf("slots %v", got)
	}
	d.key("L")
	if !d.has("Who are you?") {
		t.Fatalf("L did not return to the picker:\n%s", d.screen())
	}
}

// A lock on the recovery screen drops the code: no slot is written, and
// the next unlock of a vault whose code is pending shows a fresh one.
func TestRecoveryPendingAfterLock(t *testing.T) {
	var h peopleHome
	cfg := h.config(t, testConfig{People: testPeople})
	d := newDriver(t, cfg)
	d.key("ctrl+n")
	d.fillNewProfile("carol", "Dr Carol", "a long passphrase", "a long passphrase")
	d.key("ctrl+s")
	if d.front() != "recovery" {
		t.Fatalf("no recovery screen:\n%s", d.screen())
	}
	d.advance(121 * time.Second)
	if !d.has("Who are you?") || d.has("ABCD-EFGH") || len(h.added) != 0 {
		t.Fatalf("the idle lock did not drop the recovery code:\n%s", d.screen())
	}
	if got := h.v.SlotKinds(); !slices.Equal(got, []string{vault.SlotPassphrase}) {
		t.Errorf("slots after the lock %v, want the passphrase only", got)
	}

	// The next unlock: Local says the code is pending.
	cfg.People = append(slices.Clone(testPeople), Profile{Name: "carol", DisplayName: "Dr Carol", HasVault: true, Slots: []string{vault.SlotPassphrase}})
	cfg.Open = func([]byte) (*vault.Vault, error) {
		return vault.Open(filepath.Join(h.dir, "carol"), vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("a long passphrase"), nil }})
	}
	cfg.Local = func() vault.Local { return vault.Local{RecoveryPending: true} }
	cfg.Reauth = func(pass []byte) error {
		if string(pass) != "a long passphrase" {
			return vault.ErrWrongPassphrase
		}
		return nil
	}
	d = newDriver(t, cfg)
	d.typeText("carol")
	d.key("enter")
	d.typeText("a long passphrase")
	d.key("enter")
	if d.front() != "recovery" || !d.has("never confirmed") {
		t.Fatalf("the next unlock did not show a fresh code:\n%s", d.screen())
	}
	d.goldens("recovery_again")
	// Left on screen past reauth_after (someone else may be at the
	// keyboard now): saving the code asks for the passphrase again.
	d.now = d.now.Add(time.Duration(vault.DefaultReauthAfter+1) * time.Second)
	d.key("right", "enter")
	if d.front() != "reauth" || len(h.added) != 0 {
		t.Fatalf("the recovery code was saved without the passphrase again (%v):\n%s", h.added, d.screen())
	}
	d.typeText("a long passphrase")
	d.key("enter")
	if len(h.added) != 1 || d.front() != "codes" {
		t.Fatalf("the fresh code was not written: %v\n%s", h.added, d.screen())
	}
}

// On a shared machine with nobody yet, the first run is the new-profile
// form: no keyring, no default profile, esc goes nowhere.
func TestSharedFirstRun(t *testing.T) {
	var h peopleHome
	cfg := h.config(t, testConfig{Shared: true, DefaultKeyring: true})
	d := newDriver(t, cfg)
	if d.front() != "newprofile" || !d.has("This computer is shared") || d.has("keyring") {
		t.Fatalf("no shared first run:\n%s", d.screen())
	}
	d.key("esc")
	if d.front() != "newprofile" {
		t.Fatal("esc left the shared first run")
	}
	d.fillNewProfile("jones", "Dr Jones", "a long passphrase", "a long passphrase")
	d.key("ctrl+s")
	if len(h.made) != 1 || h.made[0].Name != "jones" || d.front() != "recovery" {
		t.Fatalf("the shared first run did not make jones's profile: %+v\n%s", h.made, d.screen())
	}
}

// A named profile with no vault on a shared machine: the first-run menu
// has no keyring row.
func TestSharedFirstRunNamed(t *testing.T) {
	d := newDriver(t, testConfig{Profile: "ward3", Shared: true, DefaultKeyring: true})
	d.m.c.cfg.Picker = false
	d = newDriverNoPicker(t, testConfig{Profile: "ward3", Shared: true, DefaultKeyring: true})
	if d.front() != "firstrun" || d.has("keyring") {
		t.Fatalf("a keyring choice on a shared machine:\n%s", d.screen())
	}
}

// newDriverNoPicker is newDriver for a profile named on the command line
// (--profile): no picker, even on a shared machine.
func newDriverNoPicker(t *testing.T, tc testConfig) *driver {
	d := newDriver(t, tc)
	cfg := d.m.c.cfg
	cfg.Picker = false
	d.m = New(cfg)
	d.run(d.m.Init())
	d.size(startSize[0], startSize[1])
	return d
}

// The first-run screen restores a backup into a new vault: the file, its
// passphrase, then the new vault's passphrase; the vault is made from
// the backup's accounts with a passphrase slot and no keyring slot.
func TestFirstRunRestore(t *testing.T) {
	var got CreateRequest
	cfg := testConfig{Profile: "ward3"}
	cfg.ReadBackup = func(path string, pass []byte) (backup.Backup, error) {
		if string(pass) != "backup pass" {
			return backup.Backup{}, backup.ErrWrongPassphrase
		}
		as := demoAccounts(t)
		for i := range as {
			as[i].ID = fmt.Sprintf("%016x", i+1)
		}
		return backup.Backup{State: vault.State{Accounts: as}}, nil
	}
	dir := t.TempDir()
	cfg.Create = func(r CreateRequest) (*vault.Vault, error) {
		got = r
		o := vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: slices.Clone(r.Passphrase)}
		if r.Restore != nil {
			o.State = *r.Restore
		}
		return vault.Create(dir, o)
	}
	d := newDriver(t, cfg)
	d.key("down", "down", "enter")
	d.typeText("~/old.age")
	d.key("enter")
	d.typeText("wrong")
	d.key("enter")
	if !d.has("Wrong passphrase") {
		t.Fatalf("a wrong backup passphrase was not said:\n%s", d.screen())
	}
	d.typeText("backup pass")
	d.key("enter")
	if !d.has("Choose the vault passphrase") {
		t.Fatalf("no new vault passphrase after the backup opened:\n%s", d.screen())
	}
	d.goldens("firstrun_restore")
	d.typeText("a long passphrase")
	d.key("enter")
	d.typeText("a long passphrase")
	d.key("enter")
	if got.Restore != nil {
		t.Fatal("enter created the vault: only ctrl+s does")
	}
	d.key("ctrl+s")
	if got.Restore == nil || got.Keyring || len(got.Restore.Accounts) != len(demoAccounts(t)) {
		t.Fatalf("Create got keyring %v, restore %v", got.Keyring, got.Restore != nil)
	}
	if d.front() != "recovery" || !d.has("6 accounts") {
		t.Fatalf("no recovery code after the restore, or not every account:\n%s", d.screen())
	}
	d.key("tab", "enter") // AddRecovery is not stubbed: the error is one sentence
	if d.front() != "recovery" || !d.has("No recovery here") {
		t.Fatalf("a failed recovery write was not said:\n%s", d.screen())
	}
}

// On a shared machine a vault that opened with its keyring slot alone asks
// for a passphrase before its codes show; ctrl+s sets it (DropKeyring),
// esc locks.
func TestSharedKeyringOnlyGetsPassphrase(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	cfg.Shared = true
	cfg.People = []Profile{{Name: "ward", HasVault: true, Slots: []string{vault.SlotKeyring}}}
	var dropped []string
	cfg.DropKeyring = func(v Vault, pass []byte) error {
		dropped = append(dropped, string(pass))
		return nil
	}
	d := newDriver(t, cfg)
	d.key("enter") // ward's unlock screen
	if d.front() == "unlock" {
		d.key("enter") // a keyring vault opens with enter
	}
	if d.front() != "setpass" || d.has("Riverside") {
		t.Fatalf("a keyring-only vault on a shared machine showed its codes:\n%s", d.screen())
	}
	d.goldens("setpass_shared")
	d.typeText("daisy")
	d.key("enter")
	if len(dropped) != 0 {
		t.Fatal("typing set a passphrase")
	}
	d.key("esc")
	if !d.m.Locked() || !d.has("Who are you?") {
		t.Fatalf("esc did not lock:\n%s", d.screen())
	}
	d.key("enter")
	if d.front() == "unlock" {
		d.key("enter")
	}
	d.key("tab")
	d.typeText("a long passphrase")
	d.key("tab")
	d.typeText("a long passphrase")
	d.key("ctrl+s")
	if !slices.Equal(dropped, []string{"a long passphrase"}) || d.front() != "codes" {
		t.Fatalf("ctrl+s did not set the passphrase (%v):\n%s", dropped, d.screen())
	}
	// From now on the vault has a passphrase, and re-authentication asks
	// for it once reauth_after has passed (it had stayed off until the
	// next lock, the vault having opened with its keyring).
	d.now = d.now.Add(time.Duration(vault.DefaultReauthAfter+1) * time.Second)
	d.key("ctrl+o")
	if d.front() != "reauth" {
		t.Fatalf("ctrl+o after the passphrase was set and reauth_after passed opened %s:\n%s", d.front(), d.screen())
	}
}

// Typing cannot create a profile, acknowledge a recovery code or set a
// passphrase: words, with and without enter, at the new-profile form (from
// the picker and as a shared first run), the recovery screen and the
// set-passphrase screen.
func TestTypingCreatesNothing(t *testing.T) {
	for _, text := range typedWords {
		for _, enter := range []bool{false, true} {
			var h peopleHome
			cfg := h.config(t, testConfig{People: testPeople})
			var dropped int
			cfg.DropKeyring = func(Vault, []byte) error { dropped++; return nil }
			type at struct {
				name  string
				reach func(d *driver)
				front string
			}
			for _, sc := range []at{
				{"picker form", func(d *driver) { d.key("ctrl+n") }, "newprofile"},
				{"shared first run", nil, "newprofile"},
				{"recovery", func(d *driver) {
					d.key("ctrl+n")
					d.fillNewProfile("carol", "Dr Carol", "a long passphrase", "a long passphrase")
					d.key("ctrl+s")
				}, "recovery"},
				{"set passphrase", func(d *driver) { d.key("enter", "enter") }, "setpass"},
			} {
				c := cfg
				switch sc.name {
				case "shared first run":
					c.People, c.Shared = nil, true
				case "set passphrase":
					mc, _ := memConfig(t, demoAccounts(t))
					c.Open, c.Shared = mc.Open, true
					c.People = []Profile{{Name: "ward", HasVault: true, Slots: []string{vault.SlotKeyring}}}
				}
				d := newDriver(t, c)
				if sc.reach != nil {
					sc.reach(d)
				}
				if d.front() != sc.front {
					t.Fatalf("%s: at %s, want %s:\n%s", sc.name, d.front(), sc.front, d.screen())
				}
				made := len(h.made)
				d.typeText(text)
				if enter {
					d.key("enter")
				}
				if len(h.made) != made || len(h.added) != 0 || dropped != 0 {
					t.Fatalf("typing %q (enter: %v) at %s made %d profiles, %d recovery slots, %d passphrases", text, enter, sc.name, len(h.made)-made, len(h.added), dropped)
				}
			}
		}
	}
}

// goldens checks the view at 40x24 and 80x24, then leaves it at 80x24.
func (d *driver) goldens(name string) {
	d.t.Helper()
	for _, w := range []int{40, 80} {
		d.size(w, 24)
		d.golden(fmt.Sprintf("%s_%dx24", name, w))
	}
}

// On a shared machine a vault with both a keyring and a passphrase slot
// does not try the keyring: the passphrase is asked at once.
func TestSharedUnlockAsksPassphrase(t *testing.T) {
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.Shared = true
	var tried [][]byte
	open := cfg.Open
	cfg.Open = func(pass []byte) (*vault.Vault, error) {
		tried = append(tried, pass)
		return open(pass)
	}
	cfg.People = []Profile{{Name: "ward", HasVault: true, Slots: []string{vault.SlotKeyring, vault.SlotPassphrase}}}
	d := newDriver(t, cfg)
	d.key("enter")
	if len(tried) != 0 || !d.has("Passphrase") || d.has("keyring") {
		t.Fatalf("the keyring was tried (%d) on a shared machine:\n%s", len(tried), d.screen())
	}
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("the passphrase did not open it:\n%s", d.screen())
	}
}

// A new profile's request never prints its passphrase.
func TestNewProfileRequestRedacted(t *testing.T) {
	r := NewProfileRequest{Name: "carol", DisplayName: "Dr Carol", Passphrase: []byte("secret words here")}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(verb, r)
		if strings.Contains(got, "secret") || strings.Contains(got, "115") || !strings.Contains(got, "carol") {
			t.Errorf("%s: %s", verb, got)
		}
	}
}
