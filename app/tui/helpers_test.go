package tui

import (
	"bufio"
	"flag"
	"fmt"
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

	"github.com/wardkey/wardkey/assets"
	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/vaulttest"
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
	// hold keeps the commands of the next messages instead of running them
	// (to see a screen while its work is under way); release runs them.
	hold bool
	held []tea.Cmd
}

// release runs the held commands, as the program would have.
func (d *driver) release() {
	d.t.Helper()
	d.hold = false
	cmds := d.held
	d.held = nil
	for _, c := range cmds {
		d.run(c)
	}
}

func newDriver(t testing.TB, cfg Config) *driver {
	d := &driver{t: t, now: t0, clip: &fakeClipboard{readable: true}}
	cfg.Now = func() time.Time { return d.now }
	cfg.After = func(dur time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return scheduledMsg{dur, msg} }
	}
	if cfg.Clipboard == nil {
		cfg.Clipboard = d.clip
	}
	if cfg.NewRecoveryCode == nil {
		cfg.NewRecoveryCode = func() string { return "ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567" }
	}
	if cfg.Profile == "" {
		cfg.Profile = "default"
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
	if d.hold {
		if cmd != nil {
			d.held = append(d.held, cmd)
		}
		return
	}
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
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+f":
		return tea.KeyPressMsg{Code: 'f', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
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

// golden compares the view with testdata/NAME.golden (-update rewrites it)
// and checks it fits the terminal.
func (d *driver) golden(name string) {
	d.t.Helper()
	got := d.screen()
	w, h := d.m.sh.width, d.m.sh.height
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
		a, err := importer.ParseURI(l)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	return as
}

// parseURI parses an otpauth URI of a test.
func parseURI(t testing.TB, u string) vault.Account {
	t.Helper()
	a, err := importer.ParseURI(u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// memConfig is a Config over a memory vault holding as.
func memConfig(t testing.TB, as []vault.Account) (Config, *vault.Vault) {
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
	cfg := Config{
		HasVault: true,
		Slots:    []string{vault.SlotKeyring},
		Open:     func([]byte) (*vault.Vault, error) { return v, nil },
	}
	return cfg, v
}

// diskConfig is a Config over a real vault in a temporary directory, with a
// passphrase slot ("right horse") and, if withKeyring, a keyring slot.
func diskConfig(t testing.TB, as []vault.Account, withKeyring bool) (Config, string, *int) {
	dir := t.TempDir()
	kr := vaulttest.MemoryKeyring{}
	o := vault.CreateOptions{Options: vault.Options{KDF: &cheapKDF}, Passphrase: []byte("right horse")}
	if withKeyring {
		o.Keyring = kr
	}
	v, err := vault.Create(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Update(func(tx *vault.Tx) error {
		for _, a := range as {
			if _, err := tx.Add(a); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slots := v.SlotKinds()
	v.Close()
	failed := new(int)
	cfg := Config{
		HasVault: true,
		Slots:    slots,
		Open: func(pass []byte) (*vault.Vault, error) {
			u := vault.Unlock{Options: vault.Options{KDF: &cheapKDF}}
			if withKeyring {
				u.Keyring = kr
			}
			if pass != nil {
				u.Passphrase = func() ([]byte, error) { return pass, nil }
			}
			v, err := vault.Open(dir, u)
			if pass != nil && err != nil {
				*failed++
			}
			return v, err
		},
		UnlockWait: func() (int, time.Duration) { return *failed, 0 },
	}
	return cfg, dir, failed
}
