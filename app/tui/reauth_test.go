package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// reauthConfig is a passphrase profile ("right horse") over the demo
// accounts whose Reauth stub checks the same passphrase, keeping a copy of
// each slice it was given (to check they are wiped) and counting calls.
type reauthStub struct {
	calls  int
	passes [][]byte
	failed int
}

func reauthConfig(t testing.TB) (testConfig, *reauthStub) {
	cfg, _ := passConfig(t, demoAccounts(t))
	st := &reauthStub{}
	cfg.Reauth = func(pass []byte) error {
		st.calls++
		st.passes = append(st.passes, pass)
		if string(pass) != "right horse" {
			st.failed++
			return vault.ErrWrongPassphrase
		}
		return nil
	}
	return cfg, st
}

// unlocked is a driver past the unlock, the passphrase typed.
func unlocked(t testing.TB, cfg testConfig) *driver {
	d := newDriver(t, cfg)
	d.typeText("right horse")
	d.key("enter")
	if d.front() != "codes" {
		t.Fatalf("did not unlock:\n%s", d.screen())
	}
	return d
}

// guardedActions are the keys re-authentication guards, and the screen
// each opens once the passphrase is taken.
var guardedActions = []struct {
	name, key, front string
}{
	{"export", "ctrl+x", "export"},
	{"restore", "ctrl+r", "restore"},
	{"delete", "ctrl+d", "confirm"},
	{"settings", "ctrl+o", "settings"},
}

// Every guarded action goes through the one gate: no prompt within
// reauth_after of the unlock; after it, the prompt; a wrong passphrase is
// one sentence and keeps the prompt; the right one opens the screen and
// starts the window again; esc goes back having done nothing.
func TestReauthGate(t *testing.T) {
	for _, a := range guardedActions {
		t.Run(a.name, func(t *testing.T) {
			cfg, st := reauthConfig(t)
			cfg.Export = true
			d := unlocked(t, cfg)

			d.key(a.key)
			if d.front() != a.front || st.calls != 0 {
				t.Fatalf("within reauth_after (60 s) of the unlock, %s opened %s (%d checks):\n%s", a.key, d.front(), st.calls, d.screen())
			}
			d.key("esc")
			d.now = d.now.Add(59 * time.Second)
			d.key(a.key)
			if d.front() != a.front {
				t.Fatalf("59 s after the unlock %s asked again:\n%s", a.key, d.screen())
			}
			d.key("esc")

			d.now = d.now.Add(2 * time.Second) // 61 s: past the window
			d.key(a.key)
			if d.front() != "reauth" || !d.has("type the vault passphrase of default") {
				t.Fatalf("61 s after the unlock %s did not ask for the passphrase:\n%s", a.key, d.screen())
			}
			d.key("esc")
			if d.front() != "codes" || st.calls != 0 {
				t.Fatalf("esc at the prompt: %s, %d checks", d.front(), st.calls)
			}

			d.key(a.key)
			d.typeText("wrong horse")
			d.key("enter")
			if d.front() != "reauth" || !d.has("That is not the vault passphrase: nothing was done, and the failed attempt was counted") {
				t.Fatalf("a wrong passphrase:\n%s", d.screen())
			}
			if st.failed != 1 {
				t.Fatalf("%d failures reached the backend, want 1", st.failed)
			}
			d.typeText("right horse")
			d.key("enter")
			if d.front() != a.front {
				t.Fatalf("the right passphrase opened %s, want %s:\n%s", d.front(), a.front, d.screen())
			}
			for i, p := range st.passes {
				if strings.Trim(string(p), "\x00") != "" {
					t.Errorf("the passphrase of check %d was not wiped: %q", i+1, p)
				}
			}
			d.key("esc")
			d.now = d.now.Add(30 * time.Second)
			d.key(a.key)
			if d.front() != a.front || st.calls != 2 {
				t.Fatalf("30 s after typing it again %s asked again (%d checks):\n%s", a.key, st.calls, d.screen())
			}
		})
	}
}

// reauth_after = 0 asks every time, even right after the unlock; the
// policy's cap (reauth_after_max) caps a longer setting.
func TestReauthAfterSettingAndCap(t *testing.T) {
	t.Run("zero", func(t *testing.T) {
		cfg, st := reauthConfig(t)
		v, _ := cfg.Open([]byte("right horse"))
		if err := v.Update(func(tx *vault.Tx) error { return tx.SetSetting(vault.SettingReauthAfter, 0) }); err != nil {
			t.Fatal(err)
		}
		d := unlocked(t, cfg)
		for range 2 {
			d.key("ctrl+d")
			if d.front() != "reauth" {
				t.Fatalf("reauth_after = 0 did not ask:\n%s", d.screen())
			}
			d.typeText("right horse")
			d.key("enter")
			if d.front() != "confirm" {
				t.Fatalf("the right passphrase: %s", d.front())
			}
			d.key("esc")
		}
		if st.calls != 2 {
			t.Fatalf("%d checks, want 2", st.calls)
		}
	})
	t.Run("cap", func(t *testing.T) {
		cfg, _ := reauthConfig(t)
		cfg.Caps = map[string]int{vault.SettingReauthAfter: 10}
		d := unlocked(t, cfg) // the setting is the default, 60 s
		d.now = d.now.Add(11 * time.Second)
		d.key("ctrl+d")
		if d.front() != "reauth" {
			t.Fatalf("11 s after the unlock, under a 10 s cap, delete did not ask:\n%s", d.screen())
		}
	})
}

// A keyring-only vault has no passphrase to ask: guarded actions open at
// once, however long ago it opened. The demo likewise.
func TestReauthSkippedWithoutPassphraseSlot(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	cfg.Export = true
	cfg.Reauth = func([]byte) error { t.Fatal("a keyring-only vault was asked for a passphrase"); return nil }
	d := newDriver(t, cfg)
	d.now = d.now.Add(time.Hour)
	for _, a := range guardedActions {
		d.key(a.key)
		if d.front() != a.front {
			t.Fatalf("%s on a keyring-only vault opened %s:\n%s", a.key, d.front(), d.screen())
		}
		d.key("esc")
	}
}

// A vault opened without typing (a passphrase file, or the keyring slot
// of a vault that also has a passphrase) has had no passphrase typed at
// this keyboard: the first guarded action asks.
func TestReauthPassphraseFileAsks(t *testing.T) {
	cfg, st := reauthConfig(t)
	cfg.PassphraseFile = true
	open := cfg.Open
	cfg.Open = func(pass []byte) (*vault.Vault, error) {
		if pass == nil {
			pass = []byte("right horse") // read from the file
		}
		return open(pass)
	}
	d := newDriver(t, cfg)
	if d.front() != "codes" {
		t.Fatalf("the passphrase file did not open the vault:\n%s", d.screen())
	}
	d.key("ctrl+d")
	if d.front() != "reauth" {
		t.Fatalf("a passphrase-file session deleted without asking:\n%s", d.screen())
	}
	d.typeText("right horse")
	d.key("enter")
	if d.front() != "confirm" || st.calls != 1 {
		t.Fatalf("after the passphrase: %s, %d checks", d.front(), st.calls)
	}
}

// Keys typed ahead of the gate land in its masked field, never on the
// guarded screen; keys typed while the check runs are dropped, so the
// guarded screen opens in its safe state (the delete question on "keep
// it") and nothing is deleted.
func TestReauthTypedAhead(t *testing.T) {
	cfg, st := reauthConfig(t)
	d := unlocked(t, cfg)
	d.now = d.now.Add(time.Minute)
	for _, k := range []string{"ctrl+d", "d", "y", "tab"} {
		m, _ := d.m.Update(keyMsg(k))
		d.m = m.(Model)
	}
	if d.front() != "reauth" || st.calls != 0 {
		t.Fatalf("typed ahead: %s, %d checks:\n%s", d.front(), st.calls, d.screen())
	}
	if r := d.m.front.(reauthModel); string(r.pass.buf) != "dy" {
		t.Fatalf("the field holds %q, want the letters typed ahead", r.pass.buf)
	}
	d.key("ctrl+u")
	d.typeText("right horse")
	m, check := d.m.Update(keyMsg("enter")) // the check starts, not run yet
	d.m = m.(Model)
	for _, k := range []string{"tab", "enter"} {
		m, _ := d.m.Update(keyMsg(k))
		d.m = m.(Model)
	}
	d.run(check)
	if d.front() != "confirm" || !d.has("▸[ keep it ]") {
		t.Fatalf("keys typed during the check reached the question:\n%s", d.screen())
	}
	d.key("enter")
	if n := len(d.m.list.items); n != 6 {
		t.Fatalf("%d accounts left, want 6", n)
	}
}

// While earlier failures ask for a wait, the prompt says so and checks
// only once it is over.
func TestReauthWaits(t *testing.T) {
	cfg, st := reauthConfig(t)
	cfg.Export = true
	d := unlocked(t, cfg)
	cfg2 := d.m.c.cfg.Backend.(*fakeBackend)
	cfg2.tc.UnlockWait = func() (int, time.Duration) { return 4, 2 * time.Second }
	d.now = d.now.Add(time.Minute)
	d.key("ctrl+x")
	if d.front() != "reauth" {
		t.Fatal("export did not ask")
	}
	d.typeText("right horse")
	d.key("enter")
	if !d.has("4 failed attempts: waiting 2 s before checking") || st.calls != 0 {
		t.Fatalf("the wait is not shown, or the check did not wait (%d checks):\n%s", st.calls, d.screen())
	}
	d.typeText("x")
	var wait []scheduledMsg
	for _, s := range d.timers {
		if _, ok := s.msg.(reauthWaitMsg); ok {
			wait = append(wait, s)
		}
	}
	if len(wait) != 1 || wait[0].after != 2*time.Second {
		t.Fatalf("timers %+v, want one wait of 2 s", wait)
	}
	d.now = d.now.Add(2 * time.Second)
	cfg2.tc.UnlockWait = nil
	d.send(wait[0].msg)
	if st.calls != 1 || d.front() != "export" {
		t.Fatalf("after the wait: %d checks, %s:\n%s", st.calls, d.front(), d.screen())
	}
}

// A lock while the prompt waits wipes what was typed, and the check that
// was waiting never runs.
func TestReauthLockWipes(t *testing.T) {
	cfg, st := reauthConfig(t)
	cfg.Export = true
	d := unlocked(t, cfg)
	b := d.m.c.cfg.Backend.(*fakeBackend)
	b.tc.UnlockWait = func() (int, time.Duration) { return 4, 5 * time.Second }
	d.now = d.now.Add(time.Minute)
	d.key("ctrl+x")
	d.typeText("right")
	field := d.m.front.(reauthModel).pass.buf[:cap(d.m.front.(reauthModel).pass.buf)]
	d.typeText(" horse")
	d.key("enter")
	var waiting reauthWaitMsg
	for _, s := range d.timers {
		if w, ok := s.msg.(reauthWaitMsg); ok {
			waiting = w
		}
	}
	if string(waiting.pass) != "right horse" {
		t.Fatalf("the waiting check holds %q", waiting.pass)
	}
	if strings.Trim(string(field), "\x00") != "" {
		t.Fatalf("the field was not wiped when its passphrase was taken: %q", strings.Trim(string(field), "\x00"))
	}
	d.send(lockMsg{})
	d.send(waiting)
	if st.calls != 0 || strings.Trim(string(waiting.pass), "\x00") != "" {
		t.Fatalf("after a lock the waiting check ran (%d) or kept the passphrase (%q)", st.calls, waiting.pass)
	}
}

// settingsDriver is an unlocked passphrase profile on the settings screen.
func settingsDriver(t testing.TB, caps map[string]int) (*driver, *vault.Vault) {
	cfg, _ := reauthConfig(t)
	cfg.Caps = caps
	cfg.DisplayName = "Dr Jones"
	d := unlocked(t, cfg)
	v := d.m.c.sess.v.(*vault.Vault)
	d.key("ctrl+o")
	if d.front() != "settings" {
		t.Fatalf("ctrl+o opened %s", d.front())
	}
	return d, v
}

// setField chooses field i (tab from none) and replaces its value.
func (d *driver) setField(i int, value string) {
	d.t.Helper()
	sm := d.m.front.(settingsModel)
	for sm.focus != i {
		d.key("tab")
		sm = d.m.front.(settingsModel)
	}
	d.key("ctrl+u") // textinput: delete before the cursor (at the end)
	d.typeText(value)
}

// The settings screen opens with no field focused (typing does nothing),
// saves on ctrl+s only, and the session uses what it saved at once: the
// idle lock, the clipboard's clearing, reauth_after and the header's name.
func TestSettingsSave(t *testing.T) {
	d, v := settingsDriver(t, nil)
	d.typeText("daisy 5")
	d.key("enter") // chooses the first field, nothing else
	if sm := d.m.front.(settingsModel); sm.fields[setLockAfter].Value() != "120" {
		t.Fatalf("typing with no field chosen changed lock_after to %q", sm.fields[setLockAfter].Value())
	}
	d.setField(setLockAfter, "30")
	d.setField(setClipboardClear, "7")
	d.setField(setReauthAfter, "0")
	d.setField(setDisplayName, "Dr Ada Jones")
	if st := v.Settings(); st.IsSet(vault.SettingLockAfter) {
		t.Fatal("saved before ctrl+s")
	}
	d.key("ctrl+s")
	if d.front() != "codes" || !d.has("Settings saved: lock_after, reauth_after, clipboard_clear.") {
		t.Fatalf("after ctrl+s:\n%s", d.screen())
	}
	st := v.Settings()
	if st.LockAfterSeconds() != 30 || st.ClipboardClearSeconds() != 7 || st.ReauthAfterSeconds() != 0 {
		t.Fatalf("saved %+v", st)
	}
	if !d.has("wardkey · Dr Ada Jones") {
		t.Fatalf("the header does not show the new display name:\n%s", d.screen())
	}
	// reauth_after 0: the next guarded action asks.
	d.key("ctrl+d")
	if d.front() != "reauth" {
		t.Fatalf("reauth_after = 0 did not ask at once:\n%s", d.screen())
	}
	d.key("esc")
	// clipboard_clear 7 s: a copy is cleared after 7 s.
	d.key("enter")
	if d.clip.get() == "" {
		t.Fatal("nothing copied")
	}
	d.advance(8 * time.Second)
	if d.clip.get() != "" {
		t.Fatal("the copied code outlived clipboard_clear = 7 s")
	}
	// lock_after 30 s.
	d.advance(31 * time.Second)
	if !d.m.Locked() {
		t.Fatalf("not locked 31 s after the last key with lock_after = 30:\n%s", d.screen())
	}
}

// A value out of range, above the administrator's cap or not a number is
// one sentence naming the setting, and nothing is saved; esc leaves
// without saving.
func TestSettingsRefusals(t *testing.T) {
	caps := map[string]int{vault.SettingLockAfter: 300}
	cases := []struct {
		name  string
		field int
		value string
		want  string
	}{
		{"below range", setLockAfter, "5", "Not saved: lock_after 5: setting out of range (10 to 3600 seconds)."},
		{"above range", setClipboardClear, "121", "Not saved: clipboard_clear 121: setting out of range (5 to 120 seconds)."},
		{"above cap", setLockAfter, "600", "Not saved: lock_after = 600 is above the administrator's cap, 300; nothing was changed."},
		{"not a number", setReauthAfter, "1m", `Not saved: reauth_after: "1m" is not a whole number of seconds.`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, v := settingsDriver(t, caps)
			before, _ := vault.MarshalState(v.State())
			d.setField(setDisplayName, "Someone Else")
			d.setField(c.field, c.value)
			d.key("ctrl+s")
			if d.front() != "settings" || !d.has(c.want) {
				t.Fatalf("want %q on the settings screen:\n%s", c.want, d.screen())
			}
			after, _ := vault.MarshalState(v.State())
			if string(after) != string(before) || d.m.c.sess.profile.DisplayName != "Dr Jones" {
				t.Fatal("a refused save changed something")
			}
			d.key("esc")
			if d.front() != "codes" || !d.has("wardkey · Dr Jones") {
				t.Fatalf("esc:\n%s", d.screen())
			}
			after, _ = vault.MarshalState(v.State())
			if string(after) != string(before) {
				t.Fatal("esc saved")
			}
		})
	}
}

// The settings screen shows each range and, where the administrator set
// one, the cap.
func TestSettingsShowsCaps(t *testing.T) {
	d, _ := settingsDriver(t, map[string]int{vault.SettingLockAfter: 300, vault.SettingReauthAfter: 3600, vault.SettingClipboardClear: 120})
	for _, want := range []string{"lock_after, 10–3600 s idle; max 300 s, set by your administrator", "reauth_after, 0–3600 s", "clipboard_clear, 5–120 s"} {
		if !d.has(want) {
			t.Errorf("the screen does not show %q:\n%s", want, d.screen())
		}
	}
	if strings.Count(strings.Join(strings.Fields(d.screen()), " "), "set by your administrator") != 1 {
		t.Errorf("a cap no lower than the range is shown as a cap:\n%s", d.screen())
	}
}

// The settings key does nothing in the demo (nothing there is saved).
func TestSettingsNotInDemo(t *testing.T) {
	_, v := memConfig(t, demoAccounts(t))
	d := newDriver(t, testConfig{Demo: true, OpenDemo: func() (*vault.Vault, error) { return v, nil }})
	d.key("ctrl+o")
	if d.front() != "codes" || !d.has("The demo has no settings to change") {
		t.Fatalf("ctrl+o in the demo:\n%s", d.screen())
	}
}

// The passphrase prompt and the settings screen, at 80x24 and 40x24.
func TestReauthGolden(t *testing.T) {
	stale := func(t *testing.T) *driver {
		cfg, _ := reauthConfig(t)
		cfg.Export = true
		cfg.DisplayName = "Dr Jones"
		d := unlocked(t, cfg)
		d.now = d.now.Add(time.Minute)
		d.key("ctrl+x")
		return d
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) *driver
	}{
		{"reauth", func(t *testing.T) *driver {
			d := stale(t)
			d.typeText("right")
			return d
		}},
		{"reauth_wrong", func(t *testing.T) *driver {
			d := stale(t)
			d.typeText("wrong horse")
			d.key("enter")
			return d
		}},
		{"reauth_wait", func(t *testing.T) *driver {
			d := stale(t)
			d.m.c.cfg.Backend.(*fakeBackend).tc.UnlockWait = func() (int, time.Duration) { return 5, 4 * time.Second }
			d.typeText("right horse")
			d.key("enter")
			return d
		}},
		{"settings", func(t *testing.T) *driver {
			d, _ := settingsDriver(t, map[string]int{vault.SettingLockAfter: 300})
			return d
		}},
		{"settings_refused", func(t *testing.T) *driver {
			d, _ := settingsDriver(t, map[string]int{vault.SettingLockAfter: 300})
			d.setField(setLockAfter, "600")
			d.key("ctrl+s")
			return d
		}},
	}
	sizes := []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"40x24", 40, 24}}
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

// esc leaves the prompt even while the slowing's wait runs: the waiting
// check is dropped (its passphrase wiped) and opens nothing.
func TestReauthEscWhileWaiting(t *testing.T) {
	cfg, st := reauthConfig(t)
	cfg.Export = true
	d := unlocked(t, cfg)
	d.m.c.cfg.Backend.(*fakeBackend).tc.UnlockWait = func() (int, time.Duration) { return 6, 8 * time.Second }
	d.now = d.now.Add(time.Minute)
	d.key("ctrl+x")
	d.typeText("right horse")
	d.key("enter", "esc")
	if d.front() != "codes" {
		t.Fatalf("esc while waiting:\n%s", d.screen())
	}
	for _, s := range d.timers {
		if w, ok := s.msg.(reauthWaitMsg); ok {
			d.send(w)
			if strings.Trim(string(w.pass), "\x00") != "" {
				t.Fatalf("the dropped check kept the passphrase %q", w.pass)
			}
		}
	}
	if st.calls != 0 || d.front() != "codes" {
		t.Fatalf("the dropped check ran (%d) or opened %s", st.calls, d.front())
	}
}

// An answer to a prompt left with esc opens nothing, not even the screen
// of the prompt that replaced it (export's check answering ctrl+d's).
func TestReauthAnswerBelongsToItsPrompt(t *testing.T) {
	cfg, _ := reauthConfig(t)
	cfg.Export = true
	d := unlocked(t, cfg)
	d.now = d.now.Add(time.Minute)
	d.key("ctrl+x")
	if d.front() != "reauth" {
		t.Fatalf("ctrl+x opened %s", d.front())
	}
	d.typeText("right horse")
	m, check := d.m.Update(keyMsg("enter")) // export's check starts, not run yet
	d.m = m.(Model)
	d.key("esc", "ctrl+d")
	if d.front() != "reauth" {
		t.Fatalf("ctrl+d opened %s", d.front())
	}
	d.run(check) // export's wait, then its check, answer now
	if d.front() != "reauth" {
		t.Fatalf("the export prompt's answer opened %s under the delete prompt:\n%s", d.front(), d.screen())
	}
}
