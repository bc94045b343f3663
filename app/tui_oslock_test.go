package app

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/godbus/dbus/v5"

	"github.com/wardkey/wardkey/app/internal/dbustest"
	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// syncBuffer is a log the program writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTUIOSLockThroughRealGlue runs the code screen as 'wardkey' does (a
// tea.Program over e.tuiConfig() with OSLock on, the real backend and
// app/oslock), opens a keyring vault, then a fake org.gnome.ScreenSaver on
// a private bus says the screen locked: the vault locks, and again after
// it is reopened (the wait is re-armed).
func TestTUIOSLockThroughRealGlue(t *testing.T) {
	addr := dbustest.SessionBus(t)
	e, _ := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	seedVault(t, e, demoAccounts(t), "", e.hooks.Keyring).Close()
	cfg, err := e.tuiConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.OSLock = true
	var log syncBuffer
	cfg.Log = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var screen syncBuffer
	p := tea.NewProgram(tui.New(cfg), tea.WithInput(nil), tea.WithOutput(&screen), tea.WithoutSignalHandler(),
		tea.WithWindowSize(80, 24))
	done := make(chan struct{})
	go func() {
		if _, err := p.Run(); err != nil {
			t.Errorf("run: %v", err)
		}
		close(done)
	}()
	count := func(typ string) int { return strings.Count(log.String(), "type="+typ) }
	waitLog := func(what, typ string, n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for count(typ) < n {
			if time.Now().After(deadline) {
				p.Kill()
				t.Fatalf("waiting for %s (%d × %s); the log:\n%s", what, n, typ, log.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitLog("the vault to open", "tui.openedMsg", 1)

	gnome, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer gnome.Close()
	if _, err := gnome.RequestName("org.gnome.ScreenSaver", 0); err != nil {
		t.Fatal(err)
	}
	emit := func() {
		t.Helper()
		if err := gnome.Emit("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", true); err != nil {
			t.Fatal(err)
		}
	}
	// The watcher starts with the program: emit until it hears.
	for i := 0; count("tui.osLockMsg") < 1 && i < 100; i++ {
		emit()
		time.Sleep(50 * time.Millisecond)
	}
	waitLog("the OS lock", "tui.osLockMsg", 1)
	waitScreen := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(screen.String(), "Locked with this computer") < n {
			if time.Now().After(deadline) {
				p.Kill()
				t.Fatalf("the screen does not say the vault locked with the session (%d)", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitScreen(1)
	shown := strings.Count(screen.String(), "6 accounts")
	p.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) // the keyring opens it again
	waitLog("the vault to reopen", "tui.openedMsg", 2)
	// The list drawn again, so the second lock's words are drawn anew.
	for deadline := time.Now().Add(10 * time.Second); strings.Count(screen.String(), "6 accounts") <= shown; {
		if time.Now().After(deadline) {
			p.Kill()
			t.Fatal("the list was not drawn after the reopening")
		}
		time.Sleep(20 * time.Millisecond)
	}
	emit()
	waitLog("the second OS lock", "tui.osLockMsg", 2)
	waitScreen(2)
	p.Quit()
	<-done
}

// The header and the lock countdown name the person by profile.json's
// display name; a name holding control characters is not drawn.
func TestTUIDisplayNameFromProfileFile(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{`{"display_name": "Dr  Jones"}`, "wardkey · Dr Jones"},
		{`{"display_name": "Dr \u001b[2J Jones"}`, "wardkey · default"},
		{`not json`, "wardkey · default"},
	} {
		e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
		seedVault(t, e, demoAccounts(t), "", e.hooks.Keyring).Close()
		if err := os.WriteFile(filepath.Join(e.dir(), "profile.json"), []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		d := newTUIDriver(t, e, now, 80, 24)
		if !strings.HasPrefix(d.screen(), tc.want) {
			t.Errorf("profile.json %s: the header is\n%s", tc.file, d.screen())
		}
	}
}

// With several profiles in the home and none named, the code screen starts
// on "Who are you?" (listProfiles: display names from profile.json, slot
// kinds from the headers); a named profile goes straight to its unlock.
func TestTUIPickerThroughRealGlue(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	jones := *e
	jones.profile = "jones"
	seedVault(t, &jones, demoAccounts(t)[:2], "jones pass", nil).Close()
	if err := os.WriteFile(filepath.Join(jones.dir(), "profile.json"), []byte(`{"display_name": "Dr Jones"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.has("Who are you?") || !d.has("Dr Jones (jones)") || !d.has("default") || d.has("Riverside") {
		t.Fatalf("no picker:\n%s", d.screen())
	}
	d.typeText("jon")
	d.key("enter")
	d.typeText("jones pass")
	d.key("enter")
	if d.m.Locked() || !strings.HasPrefix(d.screen(), "wardkey · Dr Jones") || !d.has("2 accounts") {
		t.Fatalf("Dr Jones's vault did not open:\n%s", d.screen())
	}
	d.key("L")
	if !d.has("Who are you?") {
		t.Fatalf("L did not return to the picker:\n%s", d.screen())
	}

	e.profileSet = true
	d = newTUIDriver(t, e, now, 80, 24)
	if d.has("Who are you?") || !d.has("Passphrase:") {
		t.Fatalf("--profile did not go straight to the unlock screen:\n%s", d.screen())
	}
}
