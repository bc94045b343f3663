package tui

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wardkey/wardkey/app/strength"
	"github.com/wardkey/wardkey/assets"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// t0 is the fixed clock of the tests: 2026-01-01 00:00:10 UTC, 20 s before
// a 30 s period ends.
var t0 = time.Unix(1767225610, 0)

var cheapKDF = vault.KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}

// scheduledMsg stands for a timer the model asked for; the driver keeps it
// instead of waiting.
type scheduledMsg struct {
	after time.Duration
	msg   tea.Msg
}

// fakeClipboard is a system clipboard in memory.
type fakeClipboard struct {
	mu       sync.Mutex
	text     string
	writes   int
	readable bool
}

func (c *fakeClipboard) Write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.text = s
	c.writes++
	return nil
}

func (c *fakeClipboard) Read() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text, c.readable
}

func (c *fakeClipboard) get() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text
}

// driver drives a Model through Update the way a tea.Program would, but
// synchronously, with a fixed clock and timers held back.
type driver struct {
	t      testing.TB
	m      Model
	now    time.Time
	timers []scheduledMsg
	osc52  []string // what tea.SetClipboard sent, in order
	quit   bool
	clip   *fakeClipboard
}

func newDriver(t testing.TB, tc testConfig) *driver {
	d := &driver{t: t, now: t0, clip: &fakeClipboard{readable: true}}
	if tc.Clipboard == nil {
		tc.Clipboard = d.clip
	}
	if tc.Profile == "" {
		tc.Profile = "default"
	}
	cfg := Config{
		Profile: Profile{Name: tc.Profile, DisplayName: tc.DisplayName, Demo: tc.Demo, HasVault: tc.HasVault, Slots: tc.Slots,
			PassphraseFile: tc.PassphraseFile, DefaultKeyring: tc.DefaultKeyring},
		Backend:         &fakeBackend{tc: tc},
		BackupBanner:    tc.BackupBanner,
		OSLock:          tc.OSLocks != nil,
		Picker:          tc.People != nil || tc.Shared,
		Shared:          tc.Shared,
		Export:          tc.Export,
		Home:            tc.Home,
		Now:             func() time.Time { return d.now },
		NewRecoveryCode: func() string { return "ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567" },
		Log:             tc.Log,
		Caps:            tc.Caps,
		After: func(dur time.Duration, msg tea.Msg) tea.Cmd {
			return func() tea.Msg { return scheduledMsg{dur, msg} }
		},
	}
	d.m = New(cfg)
	d.run(d.m.Init())
	d.size(startSize[0], startSize[1])
	return d
}

// startSize is the terminal size a driver starts with.
var startSize = [2]int{80, 24}

func (d *driver) size(w, h int) { d.send(tea.WindowSizeMsg{Width: w, Height: h}) }

func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	m, cmd := d.m.Update(msg)
	d.m = m.(Model)
	d.run(cmd)
}

// run executes a command and feeds its messages back, as the program does.
func (d *driver) run(cmd tea.Cmd) {
	d.t.Helper()
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
	case scheduledMsg:
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

// key sends key presses: "enter", "ctrl+c", "space", or text typed rune by
// rune when it is longer than one key name.
func (d *driver) key(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

func (d *driver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	}
	if c, ok := strings.CutPrefix(k, "ctrl+"); ok && len(c) == 1 {
		return tea.KeyPressMsg{Code: rune(c[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// advance moves the clock and delivers the ticks that fell due.
func (d *driver) advance(by time.Duration) {
	d.t.Helper()
	end := d.now.Add(by)
	for {
		// the earliest pending tick of the live chain
		idx := -1
		for i, s := range d.timers {
			if _, ok := s.msg.(tickMsg); ok {
				idx = i
				break
			}
		}
		if idx < 0 {
			d.now = end
			return
		}
		s := d.timers[idx]
		d.timers = append(d.timers[:idx], d.timers[idx+1:]...)
		at := d.now.Add(s.after)
		if at.After(end) {
			d.now = end
			d.timers = append(d.timers, s)
			d.send(s.msg) // redraw at the end as the program would
			return
		}
		d.now = at
		d.send(s.msg)
	}
}

// screen is the View content with colour off.
func (d *driver) screen() string { return ansi.Strip(d.m.View().Content) }

// has reports whether the screen shows s, line breaks read as spaces.
func (d *driver) has(s string) bool {
	flat := strings.Join(strings.Fields(d.screen()), " ")
	return strings.Contains(flat, strings.Join(strings.Fields(s), " "))
}

// golden compares the view with testdata/NAME.golden (-update rewrites it)
// and checks it fits the terminal.
func (d *driver) golden(name string) {
	d.t.Helper()
	got := d.screen()
	w, h := d.m.c.width, d.m.c.height
	lines := strings.Split(got, "\n")
	if len(lines) > h {
		d.t.Errorf("%s: %d lines on a %d-line terminal", name, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			d.t.Errorf("%s: line %d is %d cells wide on a %d-column terminal: %q", name, i+1, lw, w, l)
		}
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		d.t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		d.t.Errorf("%s differs from %s (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// demoAccounts parses the embedded demo vault.
func demoAccounts(t testing.TB) []vault.Account {
	var as []vault.Account
	sc := bufio.NewScanner(strings.NewReader(assets.DemoURIs))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
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

// testConfig is what a test says about the world: the profile, and stubs
// of the backend's answers (nil: a harmless default). newDriver turns it
// into a Config with a fakeBackend. The production backend, package app's,
// is driven by app's tests (tui_entry_test.go).
type testConfig struct {
	Profile        string
	Demo           bool
	HasVault       bool
	Slots          []string
	PassphraseFile bool
	DefaultKeyring bool
	Export         bool
	DisplayName    string
	OSLocks        chan string
	People         []Profile // the home's profiles; set: start on the picker
	BackupBanner   bool
	Home           string

	Open         func(pass []byte) (*vault.Vault, error)
	UnlockWait   func() (int, time.Duration)
	OpenDemo     func() (*vault.Vault, error)
	ProbeKeyring func() error
	Create       func(CreateRequest) (*vault.Vault, error)
	Local        func() vault.Local
	Sync         func(*vault.Vault) (string, error)
	Recent       func() map[string]int64
	SaveRecent   func(map[string]int64) error
	MeasureClock func() (time.Duration, error)
	ImportFile   func(path string, pass []byte) (Found, error)
	ReadBackup   func(path string, pass []byte) (backup.Backup, error)
	Clipboard    Clipboard
	Log          *slog.Logger

	Caps          map[string]int
	Reauth        func(pass []byte) error
	SaveSettings  func(v *vault.Vault, ch SettingsChange) (SettingsChange, error)
	Shared        bool
	CreateProfile func(NewProfileRequest) (*vault.Vault, Profile, error)
	AddRecovery   func(v Vault, code string) error
	DropKeyring   func(v Vault, pass []byte) error

	FindOnScreen    func(ctx context.Context) (Found, error)
	FindOnClipboard func(ctx context.Context) (Found, error)
	DeleteFile      func(path string) error
	Audit           func(v Vault, evs []audit.Event) error // nil: every event is taken
	UnlockNotice    string
	AuditLog        func() (AuditLog, error)
}

// fakeBackend answers from a testConfig's stubs.
type fakeBackend struct{ tc testConfig }

// asVault keeps a nil *vault.Vault from becoming a non-nil Vault.
func asVault(v *vault.Vault, err error) (Vault, error) {
	if err != nil || v == nil {
		if err == nil {
			err = errors.New("no vault")
		}
		return nil, err
	}
	return v, nil
}

func (b *fakeBackend) UnlockWait(string) (int, time.Duration) {
	if b.tc.UnlockWait == nil {
		return 0, 0
	}
	return b.tc.UnlockWait()
}

func (b *fakeBackend) Open(_ string, pass []byte) (Vault, error) {
	if b.tc.Open == nil {
		return nil, errors.New("no way to open the vault in this test")
	}
	return asVault(b.tc.Open(pass))
}

func (b *fakeBackend) OpenDemo() (Vault, error) {
	if b.tc.OpenDemo == nil {
		return nil, errors.New("the demo is not available")
	}
	return asVault(b.tc.OpenDemo())
}

func (b *fakeBackend) ProbeKeyring() error {
	if b.tc.ProbeKeyring == nil {
		return nil
	}
	return b.tc.ProbeKeyring()
}

func (b *fakeBackend) Create(_ string, r CreateRequest) (Vault, error) {
	if b.tc.Create == nil {
		return nil, errors.New("creating a vault is not available here")
	}
	return asVault(b.tc.Create(r))
}

func (b *fakeBackend) Local(Vault) vault.Local {
	if b.tc.Local == nil {
		return vault.Local{}
	}
	return b.tc.Local()
}

func (b *fakeBackend) CanSync(Vault) bool { return b.tc.Sync != nil }

func (b *fakeBackend) Sync(_ context.Context, v Vault) (string, error) {
	return b.tc.Sync(v.(*vault.Vault))
}

func (b *fakeBackend) Recent(Vault) map[string]int64 {
	if b.tc.Recent == nil {
		return nil
	}
	return b.tc.Recent()
}

func (b *fakeBackend) SaveRecent(_ Vault, m map[string]int64) error {
	if b.tc.SaveRecent == nil {
		return nil
	}
	return b.tc.SaveRecent(m)
}

func (b *fakeBackend) MeasureClock(context.Context, string) (time.Duration, error) {
	if b.tc.MeasureClock == nil {
		return 0, errors.New("offline")
	}
	return b.tc.MeasureClock()
}

func (b *fakeBackend) ImportFile(path string, pass []byte) (Found, error) {
	if b.tc.ImportFile == nil {
		return Found{}, errors.New("QR import is not built yet: paste the otpauth:// URI, or type the fields")
	}
	return b.tc.ImportFile(path, pass)
}

func (b *fakeBackend) CheckBackupTarget(string, string) error { return nil }

func (b *fakeBackend) CheckBackupPassphrase(pass []byte, profile string) error {
	return strength.Check(pass, profile)
}

func (b *fakeBackend) Export(Vault, string, []byte) (ExportResult, error) {
	return ExportResult{}, errors.New("no backups in this test (app's tests write them)")
}

func (b *fakeBackend) ReadBackup(path, _ string, pass []byte) (backup.Backup, error) {
	if b.tc.ReadBackup == nil {
		return backup.Backup{}, errors.New("no backups in this test (app's tests read them)")
	}
	return b.tc.ReadBackup(path, pass)
}

func (b *fakeBackend) Clipboard() Clipboard { return b.tc.Clipboard }

func (b *fakeBackend) OSLocks() <-chan string { return b.tc.OSLocks }

func (b *fakeBackend) Profiles() ([]Profile, error) { return b.tc.People, nil }

func (b *fakeBackend) Reauth(_ string, _ Vault, pass []byte) error {
	if b.tc.Reauth == nil {
		return errors.New("no re-authentication in this test")
	}
	return b.tc.Reauth(pass)
}

// SaveSettings checks ranges (vault's) and tc.Caps, then writes what
// differs, as app's backend does over the real policy.
func (b *fakeBackend) SaveSettings(_ string, v Vault, ch SettingsChange) (SettingsChange, error) {
	if b.tc.SaveSettings != nil {
		return b.tc.SaveSettings(v.(*vault.Vault), ch)
	}
	vals := map[string]int{vault.SettingLockAfter: ch.LockAfter, vault.SettingReauthAfter: ch.ReauthAfter, vault.SettingClipboardClear: ch.ClipboardClear}
	for _, r := range vault.SettingRanges {
		if err := r.Check(vals[r.Key]); err != nil {
			return ch, err
		}
		if c, ok := b.tc.Caps[r.Key]; ok && vals[r.Key] > c {
			return ch, fmt.Errorf("%s = %d is above the administrator's cap, %d; nothing was changed", r.Key, vals[r.Key], c)
		}
	}
	cur := v.Settings()
	err := v.Update(func(tx *vault.Tx) error {
		for _, r := range vault.SettingRanges {
			if old, _ := cur.Value(r.Key); old != vals[r.Key] {
				ch.Changed = append(ch.Changed, r.Key)
				if err := tx.SetSetting(r.Key, vals[r.Key]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return ch, err
}

func (b *fakeBackend) FindOnScreen(ctx context.Context) (Found, error) {
	if b.tc.FindOnScreen == nil {
		return Found{}, errors.New("no QR code with an otpauth URI on the screen: show the service's set-up page and try again")
	}
	return b.tc.FindOnScreen(ctx)
}

func (b *fakeBackend) FindOnClipboard(ctx context.Context) (Found, error) {
	if b.tc.FindOnClipboard == nil {
		return Found{}, errors.New("no QR code or otpauth URI on the clipboard: copy the service's QR image or set-up URI and try again")
	}
	return b.tc.FindOnClipboard(ctx)
}

// AddAccounts is app's mergeImport in small: one Update, duplicates by
// content (app's tests check the real one).
func (b *fakeBackend) AddAccounts(v Vault, as []vault.Account) (added, dups []vault.Account, err error) {
	err = v.Update(func(tx *vault.Tx) error {
		live := tx.State().Live()
		var fresh []vault.Account
	next:
		for _, a := range as {
			for _, l := range append(live, fresh...) {
				if a.SameContent(l) {
					dups = append(dups, a)
					continue next
				}
			}
			fresh = append(fresh, a)
		}
		if len(fresh) == 0 {
			return nil
		}
		var err error
		added, err = tx.AddAll(fresh)
		return err
	})
	return added, dups, err
}

func (b *fakeBackend) DeleteFile(path string) error {
	if b.tc.DeleteFile == nil {
		return errors.New("no files in this test")
	}
	return b.tc.DeleteFile(path)
}

func (b *fakeBackend) Audit(v Vault, evs ...audit.Event) error {
	if b.tc.Audit == nil {
		return nil
	}
	return b.tc.Audit(v, evs)
}

func (b *fakeBackend) UnlockNotice(string) string { return b.tc.UnlockNotice }

func (b *fakeBackend) FolderGone(Vault) error { return nil }

func (b *fakeBackend) AuditLog(Vault, int) (AuditLog, error) {
	if b.tc.AuditLog == nil {
		return AuditLog{}, nil
	}
	return b.tc.AuditLog()
}

// memConfig is a keyring profile whose vault, in memory, holds as.
func memConfig(t testing.TB, as []vault.Account) (testConfig, *vault.Vault) {
	v := vault.NewMemory(vault.State{})
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
	cfg := testConfig{
		HasVault: true,
		Slots:    []string{vault.SlotKeyring},
		Open:     func([]byte) (*vault.Vault, error) { return v, nil },
	}
	return cfg, v
}

// passConfig is a passphrase profile ("right horse") whose vault, in
// memory, holds as; failed counts the wrong passphrases, and UnlockWait
// reports them (with no wait).
func passConfig(t testing.TB, as []vault.Account) (testConfig, *int) {
	cfg, v := memConfig(t, as)
	failed := new(int)
	cfg.Slots = []string{vault.SlotPassphrase}
	cfg.Open = func(pass []byte) (*vault.Vault, error) {
		if string(pass) != "right horse" {
			*failed++
			return nil, vault.ErrWrongPassphrase
		}
		return v, nil
	}
	cfg.UnlockWait = func() (int, time.Duration) { return *failed, 0 }
	return cfg, failed
}

// front names the screen in front: "codes" (the list), "unlock",
// "firstrun", "big", "add", "edit", "confirm", "help", "recovery",
// "export" or "restore".
func (d *driver) front() string {
	switch d.m.front.(type) {
	case nil:
		if d.m.Locked() {
			return "none"
		}
		return "codes"
	case unlockModel:
		return "unlock"
	case firstRunModel:
		return "firstrun"
	case bigModel:
		return "big"
	case addModel:
		return "add"
	case editModel:
		return "edit"
	case confirmModel:
		return "confirm"
	case helpModel:
		return "help"
	case recoveryModel:
		return "recovery"
	case exportModel:
		return "export"
	case restoreModel:
		return "restore"
	case reauthModel:
		return "reauth"
	case settingsModel:
		return "settings"
	case pickerModel:
		return "picker"
	case newProfileModel:
		return "newprofile"
	case setPassphraseModel:
		return "setpass"
	case logModel:
		return "log"
	}
	return fmt.Sprintf("%T", d.m.front)
}

func (b *fakeBackend) CreateProfile(r NewProfileRequest) (Vault, Profile, error) {
	if b.tc.CreateProfile == nil {
		return nil, Profile{}, errors.New("creating a profile is not available here")
	}
	v, p, err := b.tc.CreateProfile(r)
	tv, err := asVault(v, err)
	return tv, p, err
}

func (b *fakeBackend) AddRecovery(v Vault, code string) error {
	if b.tc.AddRecovery == nil {
		return errors.New("no recovery here")
	}
	return b.tc.AddRecovery(v, code)
}

func (b *fakeBackend) DropKeyring(v Vault, pass []byte) error {
	if b.tc.DropKeyring == nil {
		return errors.New("no keyring here")
	}
	return b.tc.DropKeyring(v, pass)
}

// addVia opens the add screen and the menu row chosen (rowScreen, ...),
// with tab and enter as a person would.
func (d *driver) addVia(row int) {
	d.t.Helper()
	d.key("a")
	for range row + 1 {
		d.key("tab")
	}
	d.key("enter")
}
