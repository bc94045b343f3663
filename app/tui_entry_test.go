package app

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/assets"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/keyring"
	"github.com/wardkey/wardkey/vault/vaulttest"
)

// The code screen driven through the real glue: e.tuiConfig() and its
// tuiBackend, over real files, the real unlock (with its attempt
// counting), the real backup code, the real clipboard helper (a fake tool
// on PATH), a real NTP exchange on loopback and the real Secret Service.
// app/tui's own tests cover the screens over a fake backend.

var updateTUI = flag.Bool("update-tui", false, "rewrite app/tui/testdata golden files made by app's TUI tests")

// tuiT0 is the fixed clock of these tests, the same as app/tui's:
// 2026-01-01 00:00:10 UTC.
var tuiT0 = time.Unix(1767225610, 0)

// tuiTimer is a timer the model asked for (Config.After), held by the
// driver until its time comes.
type tuiTimer struct {
	at  time.Time
	msg tea.Msg
}

// tuiDriver drives tui.Model through Update as a tea.Program would, but
// synchronously, with a fixed clock and timers held back. It sees only
// what a person sees: the view, and whether the vault is open.
type tuiDriver struct {
	t      testing.TB
	m      tui.Model
	e      *env
	now    time.Time
	timers []tuiTimer
	osc52  []string
	quit   bool
	w, h   int
	// hold keeps the commands of the next messages instead of running them
	// (to see a screen while its work is under way); release runs them.
	hold bool
	held []tea.Cmd
}

// tuiEnv is an environment over a temporary home with a cheap KDF, a
// keyring in memory (nil: none) and the driver's clock.
func tuiEnv(t testing.TB, profile string, kr vault.Keyring) (*env, *time.Time) {
	now := new(time.Time)
	*now = tuiT0
	home := t.TempDir()
	e := &env{
		stdio:   stdio{in: strings.NewReader(""), out: discard{}, err: discard{}},
		home:    filepath.Join(home, "wardkey"),
		profile: profile,
		hooks:   Hooks{KDF: &testKDF, NoSleep: true, Now: func() time.Time { return *now }, Keyring: kr},
	}
	if kr == nil {
		e.hooks.Keyring = failingKeyring{}
	}
	if tt, ok := t.(*testing.T); ok {
		tt.Setenv("HOME", home) // ~ in typed paths
		tt.Setenv("DISPLAY", "")
		tt.Setenv("WAYLAND_DISPLAY", "") // no system clipboard unless a test sets one
		tt.Setenv("WARDKEY_NTP_SERVER", "127.0.0.1:9")
	}
	return e, now
}

// failingKeyring is a machine without a keyring.
type failingKeyring struct{}

func (failingKeyring) Get(string, string) (string, error) { return "", vault.ErrKeyringUnavailable }
func (failingKeyring) Set(string, string, string) error   { return vault.ErrKeyringUnavailable }
func (failingKeyring) Delete(string, string) error        { return vault.ErrKeyringUnavailable }

// seedVault makes e's vault holding as: with passphrase pass (if not
// empty) and a keyring slot (if kr is not nil), its stamps an hour before
// the test clock.
func seedVault(t testing.TB, e *env, as []vault.Account, pass string, kr vault.Keyring) *vault.Vault {
	t.Helper()
	o := vault.CreateOptions{Options: vault.Options{KDF: &testKDF, Now: func() time.Time { return tuiT0.Add(-time.Hour) }}, Keyring: kr}
	if pass != "" {
		o.Passphrase = []byte(pass)
	}
	if err := os.MkdirAll(e.home, 0o700); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Create(e.dir(), o)
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
	return v
}

// demoAccounts are the embedded demo's accounts, in the file's order.
func demoAccounts(t testing.TB) []vault.Account {
	var as []vault.Account
	for _, l := range strings.Split(assets.DemoURIs, "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		a, err := otpauth.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	return as
}

// newTUIDriver starts the code screen of e as 'wardkey' would: through
// e.tuiConfig(), with only the clock and the timers replaced.
func newTUIDriver(t testing.TB, e *env, now *time.Time, w, h int) *tuiDriver {
	t.Helper()
	cfg, err := e.tuiConfig()
	if err != nil {
		t.Fatal(err)
	}
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

func (d *tuiDriver) send(msg tea.Msg) {
	d.t.Helper()
	m, cmd := d.m.Update(msg)
	d.m = m.(tui.Model)
	if d.hold {
		if cmd != nil {
			d.held = append(d.held, cmd)
		}
		return
	}
	d.run(cmd)
}

// release runs the held commands, as the program would have.
func (d *tuiDriver) release() {
	d.t.Helper()
	d.hold = false
	cmds := d.held
	d.held = nil
	for _, c := range cmds {
		d.run(c)
	}
}

// run executes a command and feeds its messages back, as the program does.
func (d *tuiDriver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case tuiTimer:
		d.timers = append(d.timers, msg)
	case tea.QuitMsg:
		d.quit = true
	default:
		v := reflect.ValueOf(msg)
		typ := fmt.Sprintf("%T", msg)
		switch {
		case v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)):
			for i := range v.Len() { // tea.Sequence
				d.run(v.Index(i).Interface().(tea.Cmd))
			}
		case typ == "tea.setClipboardMsg":
			d.osc52 = append(d.osc52, v.String())
		case strings.HasPrefix(typ, "tea."):
			// terminal queries (background colour): no terminal here
		default:
			d.send(msg)
		}
	}
}

// advance moves the clock by, delivering every timer that falls due in
// order (ticks, spinner frames, unlock waits).
func (d *tuiDriver) advance(by time.Duration) {
	d.t.Helper()
	end := d.now.Add(by)
	for {
		sort.SliceStable(d.timers, func(i, j int) bool { return d.timers[i].at.Before(d.timers[j].at) })
		if len(d.timers) == 0 || d.timers[0].at.After(end) {
			d.now = end
			d.send(tea.WindowSizeMsg{Width: d.w, Height: d.h}) // redraw at the end
			return
		}
		next := d.timers[0]
		d.timers = d.timers[1:]
		if next.at.After(d.now) {
			d.now = next.at
		}
		d.send(next.msg)
	}
}

// key sends named keys ("enter", "esc", "tab", "shift+tab", "ctrl+u",
// "backspace", "up", "down") or single characters.
func (d *tuiDriver) key(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		case "left":
			msg = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		default:
			if c, ok := strings.CutPrefix(k, "ctrl+"); ok && len(c) == 1 {
				msg = tea.KeyPressMsg{Code: rune(c[0]), Mod: tea.ModCtrl}
				break
			}
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		d.send(msg)
	}
}

func (d *tuiDriver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen is the view with colour off.
func (d *tuiDriver) screen() string { return xansi.Strip(d.m.View().Content) }

// has reports whether the screen shows s, with the view's line breaks
// read as spaces (a wrapped sentence still matches).
func (d *tuiDriver) has(s string) bool {
	flat := strings.Join(strings.Fields(d.screen()), " ")
	return strings.Contains(flat, strings.Join(strings.Fields(s), " "))
}

// golden compares the view with app/tui/testdata/NAME.golden
// (-update-tui rewrites it) and checks that it fits the terminal.
func (d *tuiDriver) golden(name string) {
	d.t.Helper()
	got := d.screen()
	lines := strings.Split(got, "\n")
	if len(lines) > d.h {
		d.t.Errorf("%s: %d lines on a %d-line terminal", name, len(lines), d.h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > d.w {
			d.t.Errorf("%s: line %d is %d cells wide on a %d-column terminal", name, i+1, lw, d.w)
		}
	}
	path := filepath.Join("tui", "testdata", name+".golden")
	if *updateTUI {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatalf("%v (go test ./app -run TestTUI -update-tui creates it)", err)
	}
	if got != string(want) {
		d.t.Errorf("%s differs from %s (go test ./app -run TestTUI -update-tui rewrites it)\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func loadLocal(t testing.TB, e *env) vault.Local {
	t.Helper()
	l, err := vault.LoadLocal(e.dir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The unlock screen goes through the CLI's unlock: the words of a wrong
// passphrase are the CLI's, and the attempt is counted in local.json (and
// the count cleared by the right one).
func TestTUIUnlockThroughRealGlue(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.m.Locked() || !d.has("Passphrase:") {
		t.Fatalf("a passphrase vault should start locked with the field:\n%s", d.screen())
	}
	d.typeText("wrong horse")
	d.key("enter")
	cliMsg, _ := describe(vault.ErrWrongPassphrase, "")
	if !d.m.Locked() || !d.has(wording.Sentence(cliMsg)) {
		t.Fatalf("the wrong passphrase is not worded as the CLI words it (%q):\n%s", cliMsg, d.screen())
	}
	if n := loadLocal(t, e).FailedUnlocks; n != 1 {
		t.Fatalf("local.json counts %d failed attempts, want 1", n)
	}
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() || !d.has("6 accounts") {
		t.Fatalf("the right passphrase did not unlock:\n%s", d.screen())
	}
	if n := loadLocal(t, e).FailedUnlocks; n != 0 {
		t.Fatalf("local.json still counts %d failed attempts after the unlock", n)
	}
	// Both are in the audit log at once (the code screen does not wait
	// for its exit to write them).
	rep, err := audit.Read(e.dir())
	if err != nil || len(rep.Entries) != 2 || rep.Entries[0].Event != audit.UnlockFailed || rep.Entries[1].Event != audit.Unlock {
		t.Fatalf("the audit log holds %+v (%v), want unlock_failed then unlock", rep.Entries, err)
	}
}

// After four failures (counted across processes in local.json) the TUI
// shows the wait instead of sleeping, then tries.
func TestTUIUnlockWaitsAfterFailures(t *testing.T) {
	e, now := tuiEnv(t, "default", nil)
	seedVault(t, e, demoAccounts(t), "right horse", nil).Close()
	e.hooks.NoSleep = false
	if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) {
		l.FailedUnlocks, l.LastFailedUnlock = 4, tuiT0.Add(-time.Second)
	}); err != nil {
		t.Fatal(err)
	}
	d := newTUIDriver(t, e, now, 80, 24)
	d.typeText("right horse")
	d.key("enter")
	if !d.m.Locked() || !d.has("4 failed attempts: waiting 1 s") {
		t.Fatalf("the wait is not shown:\n%s", d.screen())
	}
	d.advance(2 * time.Second)
	if d.m.Locked() {
		t.Fatalf("after the wait the attempt should go on:\n%s", d.screen())
	}
}

// The first-run screen creates the vault through the backend: a weak
// passphrase refused as 'wardkey init' refuses it, then a passphrase slot
// only, the recovery code shown and pending; "it is written down" writes
// the recovery slot, and the vault reopens with the passphrase.
func TestTUIFirstRunCreate(t *testing.T) {
	e, now := tuiEnv(t, "ward3", nil)
	d := newTUIDriver(t, e, now, 80, 24)
	if !d.has(`Profile "ward3" has no vault yet.`) {
		t.Fatalf("no first-run screen:\n%s", d.screen())
	}
	d.key("enter") // the first row: a passphrase vault
	d.typeText("pw1")
	d.key("tab")
	d.typeText("pw2")
	d.key("ctrl+s")
	if !d.has("differ") || vault.Exists(e.dir()) {
		t.Fatalf("differing passphrases were accepted:\n%s", d.screen())
	}
	d.typeText("pw")
	d.key("tab")
	d.typeText("pw")
	d.key("ctrl+s")
	if !d.has("too easy to guess") || !d.has("needs at least 2") || vault.Exists(e.dir()) {
		t.Fatalf("a weak passphrase was accepted:\n%s", d.screen())
	}
	d.typeText(strongPass)
	d.key("tab")
	d.typeText(strongPass)
	d.key("ctrl+s")
	code := regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){4,}`).FindString(d.screen())
	if !d.has("Your recovery code") || code == "" {
		t.Fatalf("no recovery code shown:\n%s", d.screen())
	}
	info, err := vault.ReadInfo(e.dir())
	if err != nil || !slices.Equal(info.Slots, []string{vault.SlotPassphrase}) || !loadLocal(t, e).RecoveryPending {
		t.Fatalf("vault slots %v, %v; want the passphrase only and the recovery code pending", info.Slots, err)
	}
	d.key("tab", "enter")
	if d.has(code) || !d.has("No accounts yet") {
		t.Fatalf("\"it is written down\" did not leave the recovery code for the list:\n%s", d.screen())
	}
	if info, _ := vault.ReadInfo(e.dir()); !info.Has(vault.SlotRecovery) || loadLocal(t, e).RecoveryPending {
		t.Fatalf("slots %v after the acknowledgement; want a recovery slot and nothing pending", info.Slots)
	}
	d.key("L")
	if !d.has("Passphrase:") {
		t.Fatalf("after creating, the unlock screen should ask the passphrase:\n%s", d.screen())
	}
	d.typeText(strongPass)
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("could not reopen:\n%s", d.screen())
	}
}

// The TUI's keyring unlock against the real Secret Service of the CI
// session (./.ci/keyring-session): a keyring vault opens without typing,
// a lock never reopens it by itself, and enter opens it again.
func TestTUIKeyringRealSecretService(t *testing.T) {
	if realBus(t) == "" {
		if os.Getenv("WARDKEY_REQUIRE_KEYRING") == "1" {
			t.Fatal("WARDKEY_REQUIRE_KEYRING=1 but no Secret Service answers: run under ./.ci/keyring-session")
		}
		t.Skip("SKIPPING: no Secret Service (run under ./.ci/keyring-session, which starts gnome-keyring)")
	}
	e, now := tuiEnv(t, "default", nil)
	e.hooks.Keyring = nil // the OS keyring: keyring.System
	kr := keyring.System{Timeout: 5 * time.Second}
	v := seedVault(t, e, demoAccounts(t), "", kr)
	id := v.ID()
	v.Close()
	t.Cleanup(func() { _ = kr.Delete(vault.KeyringService, "vault:"+id) })

	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() || !d.has("6 accounts") {
		t.Fatalf("a keyring vault should open at start through the Secret Service:\n%s", d.screen())
	}
	d.key("L")
	if !d.m.Locked() || !d.has("Locked") || !d.has("opens with the OS keyring") {
		t.Fatalf("L did not lock, or the keyring vault reopened by itself:\n%s", d.screen())
	}
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("enter did not reopen through the Secret Service:\n%s", d.screen())
	}
}

// fakeClipboardTool puts an xclip on PATH that records what it is given
// (in $FAKE_CLIP) and prints it back for -out, and makes it the one
// systemClipboard finds. It returns the recording's path.
func fakeClipboardTool(t *testing.T) string {
	t.Helper()
	bin, store := t.TempDir(), filepath.Join(t.TempDir(), "clip")
	script := `#!/bin/sh
case "$*" in
*-in*) cat > "$FAKE_CLIP.tmp" && mv "$FAKE_CLIP.tmp" "$FAKE_CLIP"; echo write >> "$FAKE_CLIP.log" ;;
*-out*) cat "$FAKE_CLIP" 2>/dev/null ;;
*) exit 2 ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_CLIP", store)
	t.Setenv("DISPLAY", ":99")
	t.Setenv("WAYLAND_DISPLAY", "")
	return store
}

func readClip(t *testing.T, store string) string {
	t.Helper()
	b, err := os.ReadFile(store)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// The exec clipboard: systemClipboard finds the helper on PATH, writes
// through its stdin, reads back, and clears.
func TestSystemClipboardTool(t *testing.T) {
	store := fakeClipboardTool(t)
	cb := systemClipboard()
	if cb == nil {
		t.Fatal("systemClipboard found no helper with DISPLAY set and xclip on PATH")
	}
	if err := cb.Write("123456"); err != nil {
		t.Fatal(err)
	}
	if got := readClip(t, store); got != "123456" {
		t.Fatalf("xclip got %q, want 123456", got)
	}
	if got, ok := cb.Read(); !ok || got != "123456" {
		t.Fatalf("Read = %q, %v", got, ok)
	}
	if err := cb.Write(""); err != nil || readClip(t, store) != "" {
		t.Fatalf("clearing: %v, clipboard %q", err, readClip(t, store))
	}
	t.Setenv("DISPLAY", "")
	if cb := systemClipboard(); cb != nil {
		t.Fatal("a clipboard without a display")
	}
}

// enter on the code screen copies the code through the system clipboard
// helper (and OSC 52), and the copier clears it after clipboard_clear,
// but only while it still holds our code.
func TestTUICopyThroughClipboardTool(t *testing.T) {
	store := fakeClipboardTool(t)
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	t.Setenv("DISPLAY", ":99") // tuiEnv cleared it
	seedVault(t, e, demoAccounts(t), "", e.hooks.Keyring).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	if d.m.Locked() {
		t.Fatalf("not open:\n%s", d.screen())
	}
	first := demoAccounts(t)
	sort.Slice(first, func(i, j int) bool { return first[i].Issuer < first[j].Issuer })
	want, err := vault.TOTPCode(first[0], tuiT0)
	if err != nil {
		t.Fatal(err)
	}
	d.key("enter")
	if got := readClip(t, store); got != want {
		t.Fatalf("the clipboard tool got %q, want %s's code %s", got, first[0].Label(), want)
	}
	if len(d.osc52) == 0 || !strings.Contains(d.osc52[len(d.osc52)-1], want) {
		t.Errorf("no OSC 52 copy of the code: %q", d.osc52)
	}
	d.advance(21 * time.Second)
	if got := readClip(t, store); got != "" {
		t.Fatalf("after 20 s the clipboard still holds %q", got)
	}

	// Someone copies something else: it is left alone.
	d.key("enter")
	if err := os.WriteFile(store, []byte("a note"), 0o600); err != nil {
		t.Fatal(err)
	}
	d.advance(21 * time.Second)
	if got := readClip(t, store); got != "a note" {
		t.Fatalf("the copier cleared what was not its own: %q", got)
	}
}

// ntpServer answers NTP queries on loopback as a server whose clock is
// ahead of this one by ahead.
func fakeNTPServer(t *testing.T, ahead time.Duration) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	stamp := func(b []byte, tm time.Time) {
		secs := uint64(tm.Unix() + 2208988800)
		frac := uint64(tm.Nanosecond()) << 32 / 1e9
		binary.BigEndian.PutUint32(b, uint32(secs))
		binary.BigEndian.PutUint32(b[4:], uint32(frac))
	}
	go func() {
		buf := make([]byte, 48)
		for {
			n, addr, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 48 {
				continue
			}
			now := time.Now().Add(ahead)
			r := make([]byte, 48)
			r[0] = 0<<6 | 4<<3 | 4 // no leap warning, NTPv4, server
			r[1], r[2], r[3] = 2, 6, 0xEC
			copy(r[12:16], "LOCL")
			stamp(r[16:], now.Add(-time.Minute)) // reference time
			copy(r[24:32], buf[40:48])           // origin: the client's transmit time
			stamp(r[32:], now)                   // receive
			stamp(r[40:], now)                   // transmit
			_, _ = c.WriteTo(r, addr)
		}
	}()
	return c.LocalAddr().String()
}

// After an unlock the TUI asks NTP in the background, here a server on
// loopback 90 s ahead (the default server, WARDKEY_NTP_SERVER): the
// banner says so in sync/clock's words; the clock command's remembered
// server wins over the default.
func TestTUINTPBannerLoopback(t *testing.T) {
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	t.Setenv("WARDKEY_NTP_SERVER", fakeNTPServer(t, 90*time.Second))
	seedVault(t, e, demoAccounts(t), "", e.hooks.Keyring).Close()
	d := newTUIDriver(t, e, now, 100, 24)
	if !d.has("! Clock 90") || !d.has("s behind: codes may be refused; fix: wardkey clock --apply") {
		t.Fatalf("no NTP banner for a server 90 s ahead:\n%s", d.screen())
	}

	// local.json names a server that does not answer: no banner.
	if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) { l.ClockServer = "127.0.0.1:9" }); err != nil {
		t.Fatal(err)
	}
	d = newTUIDriver(t, e, now, 100, 24)
	if d.m.Locked() || d.has("Clock 90") {
		t.Fatalf("the remembered (silent) server should win over the default:\n%s", d.screen())
	}
}

// ctrl+y is hidden until 'wardkey sync --remote' ran; then it syncs with the
// remembered folder remote through the CLI's sync, without prompting.
func TestTUISyncThroughRealGlue(t *testing.T) {
	e, now := tuiEnv(t, "default", vaulttest.MemoryKeyring{})
	seedVault(t, e, demoAccounts(t), "", e.hooks.Keyring).Close()
	d := newTUIDriver(t, e, now, 80, 24)
	d.key("ctrl+y")
	if d.has("Sync") || d.has("synced") {
		t.Fatalf("ctrl+y did something without a remote:\n%s", d.screen())
	}
	remote := t.TempDir()
	if _, err := vault.UpdateLocal(e.dir(), func(l *vault.Local) { l.SyncRemote = remote }); err != nil {
		t.Fatal(err)
	}
	d = newTUIDriver(t, e, now, 80, 24)
	d.key("ctrl+y")
	if !d.has("synced") || d.has("Sync failed") {
		t.Fatalf("ctrl+y did not sync with the folder remote:\n%s", d.screen())
	}
	if ents, _ := filepath.Glob(filepath.Join(remote, "*", "replicas", "*.wkr")); len(ents) != 1 {
		t.Fatalf("the remote holds %d replicas, want this device's", len(ents))
	}
}
