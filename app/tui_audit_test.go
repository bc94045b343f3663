package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The code screen's audit log through the real glue: real vault files, the
// real unlock, vault/audit's real appends, and 'wardkey log --verify'.

// auditLines is the log of e's profile as "event account reason" lines.
func auditLines(t testing.TB, e *env) []string {
	t.Helper()
	rep, err := audit.Read(e.dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("the audit log is damaged: %v", rep.Problems)
	}
	var out []string
	for _, en := range rep.Entries {
		s := en.Event
		if en.Account != "" {
			s += " " + en.Account
		}
		var d map[string]any
		if en.Detail != nil && json.Unmarshal(en.Detail, &d) == nil {
			if why, ok := d["reason"].(string); ok {
				s += " " + why
			}
		}
		out = append(out, s)
	}
	return out
}

// logVerify runs 'wardkey log --verify' on e's profile with passphrase pass.
func logVerify(t testing.TB, e *env, pass string) (int, string) {
	t.Helper()
	pf := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pf, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	code := run([]string{"--home", e.home, "--profile", e.profile, "--vault-passphrase-file", pf, "log", "--verify"},
		stdio{in: strings.NewReader(""), out: &out, err: &out, raw: &out},
		Hooks{KDF: &testKDF, NoSleep: true, Keyring: failingKeyring{}, Policy: &policy.Finder{Root: "/nonexistent-wardkey-test-root"}, Now: e.hooks.Now})
	return code, out.String()
}

// newTUIDriverCfg is newTUIDriver with the config changed by fn first
// (what runTUI sets besides tuiConfig, e.g. EndOnLock).
func newTUIDriverCfg(t testing.TB, e *env, now *time.Time, w, h int, fn func(*tui.Config)) *tuiDriver {
	t.Helper()
	cfg, err := e.tuiConfig()
	if err != nil {
		t.Fatal(err)
	}
	fn(&cfg)
	d := &tuiDriver{t: t, e: e, now: *now, w: w, h: h}
	cfg.Now = func() time.Time { return d.now }
	e.hooks.Now = cfg.Now
	cfg.After = func(dur time.Duration, msg tea.Msg) tea.Cmd {
		at := d.now.Add(dur)
		return func() tea.Msg { return tuiTimer{at, msg} }
	}
	d.m = tui.New(cfg)
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// unlockWith types the passphrase at the unlock screen.
func (d *tuiDriver) unlockWith(pass string) {
	d.t.Helper()
	d.typeText(pass)
	d.key("enter")
	if d.m.Locked() {
		d.t.Fatalf("%q did not unlock:\n%s", pass, d.screen())
	}
}

// Every lock of an open vault (L, the idle lock, a signal, quitting)
// writes a lock line with its reason, and the code screen's actions write
// the CLI's events, at once; the failed attempts show after the unlock;
// and 'wardkey log --verify' passes after the session.
func TestTUIAuditThroughRealGlue(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	d.typeText("wrong horse")
	d.key("enter")
	d.unlockWith("right horse")
	if !d.has("! 1 failed unlock attempt since your last unlock, the last at 00:00") {
		t.Fatalf("no failed-attempts banner after the unlock:\n%s", d.screen())
	}
	// The list's first row is Billing Portal, ID 3.
	d.key("enter")                  // copy
	d.key("ctrl+f")                 // favourite: an edit
	d.key("ctrl+d", "tab", "enter") // delete, after choosing the button
	d.key("L")                      // manual
	d.unlockWith("right horse")
	if d.has("failed unlock") {
		t.Fatalf("the banner stays after an unlock with no failure before it:\n%s", d.screen())
	}
	d.advance(121 * time.Second) // idle
	if !d.m.Locked() {
		t.Fatal("the idle lock did not come")
	}
	d.unlockWith("right horse")
	d.send(tui.StopMsg{Signal: "terminated"})
	if !d.quit {
		t.Fatal("the signal did not quit")
	}
	d = newTUIDriver(t, e, now, 80, 24)
	d.unlockWith("right horse")
	d.key("q")

	want := []string{
		"unlock_failed", "unlock",
		"code_copied 0000000000000003", "edit 0000000000000003", "delete 0000000000000003", "lock manual",
		"unlock", "lock idle",
		"unlock", "lock signal",
		"unlock", "lock quit",
	}
	if got := auditLines(t, e); !reflect.DeepEqual(got, want) {
		t.Fatalf("audit.log holds\n%q\nwant\n%q", got, want)
	}
	raw, err := os.ReadFile(filepath.Join(e.dir(), audit.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range demoAccounts(t) {
		for _, s := range []string{a.Issuer, a.Name} {
			if s != "" && bytes.Contains(raw, []byte(s)) {
				t.Errorf("audit.log names %q", s)
			}
		}
	}
	if code, out := logVerify(t, e, "right horse"); code != 0 || !strings.Contains(out, "the audit log verifies") {
		t.Fatalf("wardkey log --verify after a TUI session: exit %d\n%s", code, out)
	}
}

// A lock in a program that re-executes itself (Config.EndOnLock) writes its
// line before the program ends.
func TestTUILockLineBeforeRelaunch(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	d2 := newTUIDriverCfg(t, e, now, 80, 24, func(c *tui.Config) { c.EndOnLock = true })
	d2.unlockWith("right horse")
	d2.key("L")
	if why, ok := d2.m.Relaunch(); !ok || !d2.quit {
		t.Fatalf("L did not end the program for a relaunch (%q, %v)", why, d2.quit)
	}
	if got := auditLines(t, e); !reflect.DeepEqual(got, []string{"unlock", "lock manual"}) {
		t.Fatalf("audit.log holds %q, want the lock line written before the end", got)
	}
}

// The log view through the real glue: the whole log checked under the
// vault's audit key, names resolved from the open vault, a deleted
// account said so; a line altered on disk shows at the next look.
func TestTUILogView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 24}} {
		e, now := tuiEnv(t, "default", nil)
		seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
		d := newTUIDriver(t, e, now, size[0], size[1])
		d.typeText("wrong horse")
		d.key("enter")
		d.unlockWith("right horse")
		d.key("enter")
		d.key("down", "enter")
		d.key("ctrl+d", "tab", "enter")
		d.key("ctrl+g")
		if !d.has("✓ log intact") || !d.has("Billing Portal") || !d.has("(deleted account)") || !d.has("while locked") {
			t.Fatalf("the log view at %v:\n%s", size, d.screen())
		}
		d.golden(map[int]string{80: "app_log_view", 40: "app_log_view_40"}[size[0]])
		d.key("esc")

		path := filepath.Join(e.dir(), audit.FileName)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.Replace(raw, []byte(`"event":"delete"`), []byte(`"event":"add"`), 1)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		d.key("ctrl+g")
		if !d.has("! Does not verify: audit.log line 5 (seq 5)") || d.has("log intact") {
			t.Fatalf("an altered line does not show:\n%s", d.screen())
		}
	}
}

// A profile folder removed while the vault is open (rm -rf of the folder,
// or of the whole WARDKEY_HOME): a save, a copy, a sync and the log view
// each say so in one sentence; nothing panics and nothing is recreated.
func TestTUIProfileFolderVanished(t *testing.T) {
	for _, what := range []string{"profile", "home"} {
		t.Run(what, func(t *testing.T) {
			e, now := tuiEnv(t, "default", nil)
			seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
			if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) { l.SyncRemote = t.TempDir() }); err != nil {
				t.Fatal(err)
			}
			d := newTUIDriver(t, e, now, 80, 24)
			d.unlockWith("right horse")
			gone := e.dir()
			if what == "home" {
				gone = e.home
			}
			if err := os.RemoveAll(gone); err != nil {
				t.Fatal(err)
			}
			const sentence = "This person's vault folder is gone"
			for _, step := range []struct {
				name string
				keys []string
			}{
				{"copy", []string{"enter"}},
				{"favourite (a save)", []string{"ctrl+f"}},
				{"delete (a save)", []string{"ctrl+d", "tab", "enter"}},
				{"sync", []string{"ctrl+y"}},
				{"log view", []string{"ctrl+g"}},
			} {
				d.key(step.keys...)
				flat := strings.Join(strings.Fields(d.screen()), " ")
				if !strings.Contains(strings.ToLower(flat), strings.ToLower(sentence)+": ctrl+x keeps a backup") {
					t.Errorf("%s: no sentence saying the folder is gone:\n%s", step.name, d.screen())
				}
				if _, err := os.Stat(e.dir()); !os.IsNotExist(err) {
					t.Fatalf("%s recreated %s (%v)", step.name, e.dir(), err)
				}
				if step.name == "log view" {
					d.key("esc")
				}
			}
			// The way out the sentence gives: a backup of the vault still open.
			d.key("ctrl+x", "enter")
			d.typeText(strongPass)
			d.key("enter")
			d.typeText(strongPass)
			d.key("enter")
			backups, _ := filepath.Glob(filepath.Join(os.Getenv("HOME"), "*.age"))
			if len(backups) != 1 {
				t.Fatalf("ctrl+x made %d backups with the folder gone:\n%s", len(backups), d.screen())
			}
			if _, err := os.Stat(e.dir()); !os.IsNotExist(err) {
				t.Fatalf("the backup recreated %s (%v)", e.dir(), err)
			}
			d.key("esc")
			d.key("L")
			if !d.m.Locked() {
				t.Fatalf("L did not lock:\n%s", d.screen())
			}
			if _, err := os.Stat(e.dir()); !os.IsNotExist(err) {
				t.Fatalf("the lock recreated %s (%v)", e.dir(), err)
			}
		})
	}
}

// A log whose end is garbage still takes the code screen's events: a
// fresh chain starts, the screen says so in one sentence, and the log
// view names the damage.
func TestTUIDamagedLogRestarts(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	d.unlockWith("right horse")
	f, err := os.OpenFile(filepath.Join(e.dir(), audit.FileName), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":2,"time":"2026-01-01T00:0`) // a line cut by a full disk
	f.Close()
	d.key("enter")
	if !d.has("The audit log was damaged: a fresh chain starts here; ctrl+g shows where.") {
		t.Fatalf("no sentence about the damaged log:\n%s", d.screen())
	}
	got := auditLinesLenient(t, e)
	if n := len(got); n < 2 || got[n-2] != "log_restarted" || got[n-1] != "code_copied 0000000000000003" {
		t.Fatalf("audit.log ends with %q, want log_restarted then the copy", got)
	}
	d.key("ctrl+g")
	if !d.has("! Does not verify: audit.log line 2") {
		t.Fatalf("the log view does not name the damage:\n%s", d.screen())
	}
}

// auditLinesLenient is auditLines for a damaged log.
func auditLinesLenient(t testing.TB, e *env) []string {
	t.Helper()
	rep, err := audit.Read(e.dir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, en := range rep.Entries {
		s := en.Event
		if en.Account != "" {
			s += " " + en.Account
		}
		out = append(out, s)
	}
	return out
}
