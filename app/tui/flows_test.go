package tui

import (
	"errors"
	"image/color"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// labels lists the rows on screen, in order.
func (d *driver) labels() []string {
	var out []string
	for _, ix := range d.m.list.visible {
		out = append(out, d.m.list.items[ix].acct.Label())
	}
	return out
}

func (d *driver) selectLabel(label string) {
	d.t.Helper()
	for i, ix := range d.m.list.visible {
		if d.m.list.items[ix].acct.Label() == label {
			d.m.list.selected = i
			return
		}
	}
	d.t.Fatalf("no row %q in %v", label, d.labels())
}

func TestUnlockWithPassphrase(t *testing.T) {
	cfg, failed := passConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	if !d.m.Locked() || !strings.Contains(d.screen(), "Passphrase:") {
		t.Fatalf("a passphrase vault should start locked with the field:\n%s", d.screen())
	}
	d.typeText("wrong horse")
	d.key("enter")
	if !d.m.Locked() || *failed != 1 || !strings.Contains(d.screen(), "is wrong; the vault is unchanged") {
		t.Fatalf("wrong passphrase: locked=%v failed=%d\n%s", d.m.Locked(), *failed, d.screen())
	}
	if strings.Contains(d.screen(), "wrong horse") || strings.Contains(d.screen(), "•••") {
		t.Fatal("the typed passphrase (or its length) is still on screen after the attempt")
	}
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() || d.front() != "codes" {
		t.Fatalf("right passphrase did not unlock:\n%s", d.screen())
	}
}

func TestKeyringOpensWithoutTyping(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	if d.m.Locked() {
		t.Fatalf("a keyring vault should open at start:\n%s", d.screen())
	}
	d.key("L")
	if !d.m.Locked() {
		t.Fatal("L did not lock")
	}
	if d.m.Locked() != true || d.front() != "unlock" {
		t.Fatal("after a lock the keyring must not reopen by itself")
	}
	d.key("enter")
	if d.m.Locked() {
		t.Fatalf("enter (empty field) should try the keyring:\n%s", d.screen())
	}
}

func TestUnlockWaitsAfterFailures(t *testing.T) {
	cfg, _ := passConfig(t, demoAccounts(t))
	var d *driver
	cfg.UnlockWait = func() (int, time.Duration) {
		// 4 failures, the last 1 s ago: 2 s - 1 s left
		return 4, vault.Local{FailedUnlocks: 4, LastFailedUnlock: d.now.Add(-time.Second)}.UnlockWait(d.now)
	}
	d = newDriver(t, cfg)
	d.typeText("right horse")
	d.key("enter")
	if !d.m.Locked() || !strings.Contains(d.screen(), "4 failed attempts: waiting 1 s") {
		t.Fatalf("the wait is not shown:\n%s", d.screen())
	}
	wait := d.timers[len(d.timers)-1]
	d.timers = d.timers[:len(d.timers)-1]
	d.now = d.now.Add(wait.after)
	d.send(wait.msg)
	if d.m.Locked() {
		t.Fatalf("after the wait the attempt should go on:\n%s", d.screen())
	}
}

func TestTickOnSecondBoundary(t *testing.T) {
	for _, tc := range []struct {
		name   string
		at     time.Duration // after t0
		offset float64       // applied clock offset, seconds
		want   time.Duration
	}{
		{"on the second", 0, 0, time.Second},
		{"300 ms in", 300 * time.Millisecond, 0, 700 * time.Millisecond},
		{"offset half a second", 300 * time.Millisecond, 0.5, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.Local = func() vault.Local { return vault.Local{ClockOffset: tc.offset} }
			d := newDriverAt(t, cfg, t0.Add(tc.at))
			var got time.Duration
			for _, s := range d.timers {
				if _, ok := s.msg.(tickMsg); ok {
					got = s.after
				}
			}
			if got < tc.want || got > tc.want+10*time.Millisecond {
				t.Fatalf("the tick is due in %s, want just after %s", got, tc.want)
			}
		})
	}
}

// newDriverAt starts a driver with the clock at now.
func newDriverAt(t *testing.T, cfg testConfig, now time.Time) *driver {
	saved := t0
	t0 = now
	defer func() { t0 = saved }()
	return newDriver(t, cfg)
}

func TestIdleLock(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	if err := v.Update(func(tx *vault.Tx) error { tx.SetSettings(vault.Settings{LockAfter: 30}); return nil }); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, cfg)
	d.advance(29 * time.Second)
	if d.m.Locked() {
		t.Fatal("locked before lock_after")
	}
	d.key("j") // activity
	d.advance(29 * time.Second)
	if d.m.Locked() {
		t.Fatal("a key press did not restart the idle time")
	}
	d.advance(2 * time.Second)
	if !d.m.Locked() || !strings.Contains(d.screen(), "Locked after 30 s") {
		t.Fatalf("not locked after 30 s idle:\n%s", d.screen())
	}
}

func TestCopyAndClear(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	a, _ := d.m.list.current()
	code, _ := vault.TOTPCode(a, d.now)
	d.key("enter")
	if len(d.osc52) != 1 || d.osc52[0] != code || d.clip.get() != code {
		t.Fatalf("enter copied osc52=%q system=%q, want %q", d.osc52, d.clip.get(), code)
	}
	if !strings.Contains(d.screen(), "clears in 20 s") {
		t.Fatalf("no toast:\n%s", d.screen())
	}
	d.advance(19 * time.Second)
	if d.clip.get() != code || len(d.osc52) != 1 {
		t.Fatal("cleared before 20 s")
	}
	d.advance(2 * time.Second)
	if d.clip.get() != "" || d.osc52[len(d.osc52)-1] != "" {
		t.Fatalf("not cleared after 20 s: system=%q osc52=%q", d.clip.get(), d.osc52)
	}
}

func TestClearOnlyOurCode(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("enter")
	_ = d.clip.Write("a ward round note") // the person copied something else
	d.advance(21 * time.Second)
	if d.clip.get() != "a ward round note" || len(d.osc52) != 1 {
		t.Fatalf("the clipboard was cleared though it no longer held our code: %q %q", d.clip.get(), d.osc52)
	}
}

func TestClearOnLockAndQuit(t *testing.T) {
	for _, k := range []string{"L", "q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("enter")
			d.key(k)
			if d.clip.get() != "" || d.osc52[len(d.osc52)-1] != "" {
				t.Fatalf("%s did not clear the clipboard: %q %q", k, d.clip.get(), d.osc52)
			}
			if (k != "L") != d.quit {
				t.Fatalf("%s: quit=%v", k, d.quit)
			}
		})
	}
}

// A signal (app sends StopMsg) locks, clears our code and quits, from any
// screen, the add form included.
func TestStopOnSignal(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("enter", "a", "tab")
	d.send(StopMsg{Signal: "terminated"})
	if d.clip.get() != "" || d.osc52[len(d.osc52)-1] != "" {
		t.Fatalf("the signal did not clear the clipboard: %q %q", d.clip.get(), d.osc52)
	}
	if !d.quit || !d.m.Locked() || d.screen() != "" {
		t.Fatalf("the signal did not lock and quit: quit=%v locked=%v\n%s", d.quit, d.m.Locked(), d.screen())
	}
}

func TestHOTPCounterSavedFirst(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.selectLabel("Pharmacy:dispensary")
	a, _ := d.m.list.current()
	if strings.Contains(d.screen(), "n: show") == false {
		t.Fatal("an unrevealed HOTP row should show no code")
	}
	for c := uint64(0); c < 2; c++ {
		d.key("n")
		want, _ := vault.HOTPCode(a, c)
		if got := d.m.list.hotp[a.ID]; got != want {
			t.Fatalf("code %d: got %q, want %q", c, got, want)
		}
		if !strings.Contains(d.screen(), group(want)) {
			t.Fatalf("code %s not on screen:\n%s", want, d.screen())
		}
		// The saved counter is already past the shown code.
		st, _ := v.State().Account(a.ID)
		if st.Counter != c+1 {
			t.Fatalf("after showing code %d the saved counter is %d, want %d", c, st.Counter, c+1)
		}
	}
	d.key("enter")
	want, _ := vault.HOTPCode(a, 1)
	if d.osc52[len(d.osc52)-1] != want {
		t.Fatalf("enter copied %q, want the shown code %q", d.osc52, want)
	}
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"lab", []string{"Lab Results:nurse.lee"}},
		{"RIVERSIDE", []string{"Clinic Mail:reception@riverside.example", "Riverside EHR:dr.jones"}},
		{"rvsd", []string{"Clinic Mail:reception@riverside.example", "Riverside EHR:dr.jones"}},
		{"ehr", nil}, // checked below: the substring match first, fuzzy ones after
		{"night", []string{"VPN:night.shift"}},
		{"zzz", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			d := newDriver(t, cfg)
			d.key("/")
			d.typeText(tc.query)
			got := d.labels()
			if tc.query == "ehr" {
				// fuzzy matches follow the substring match
				if len(got) == 0 || got[0] != "Riverside EHR:dr.jones" {
					t.Fatalf("find %q: %v", tc.query, got)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("find %q: got %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestFindTagsAndFavourites(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.selectLabel("VPN:night.shift")
	d.key("ctrl+e", "tab", "tab", "tab")
	d.typeText("Nights, ward 3")
	d.key("ctrl+f", "ctrl+s")
	if got := d.labels(); got[0] != "VPN:night.shift" {
		t.Fatalf("a favourite is not on top: %v", got)
	}
	d.key("/")
	d.typeText("ward 3")
	if got := d.labels(); !slices.Equal(got, []string{"VPN:night.shift"}) {
		t.Fatalf("find by tag: %v", got)
	}
	d.key("esc")
	if len(d.labels()) != 6 {
		t.Fatal("esc did not clear the find")
	}
}

func TestSortByRecent(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	saved := map[string]int64{}
	cfg.SaveRecent = func(m map[string]int64) error { saved = m; return nil }
	d := newDriver(t, cfg)
	d.selectLabel("VPN:night.shift")
	d.key("enter")
	d.now = d.now.Add(time.Second)
	d.selectLabel("Lab Results:nurse.lee")
	d.key("enter", "o")
	got := d.labels()
	if got[0] != "Lab Results:nurse.lee" || got[1] != "VPN:night.shift" {
		t.Fatalf("recent first: %v", got)
	}
	if len(saved) != 2 {
		t.Fatalf("recent use not saved: %v", saved)
	}
	d.key("o")
	if got := d.labels(); got[0] != "Billing Portal:manager" {
		t.Fatalf("by name: %v", got)
	}
}

func TestAddByURIAndFields(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.addVia(rowURI)
	d.typeText("otpauth://totp/Ward%203:kay?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ward%203")
	d.key("ctrl+s")
	if d.front() != "codes" || len(v.Accounts()) != 7 {
		t.Fatalf("URI not saved: %d accounts\n%s", len(v.Accounts()), d.screen())
	}
	if a, _ := d.m.list.current(); a.Label() != "Ward 3:kay" {
		t.Fatalf("the new account is not selected: %s", a.Label())
	}
	d.addVia(rowTyped)
	d.typeText("Pathology")
	d.key("tab")
	d.typeText("dr.ng")
	d.key("tab")
	d.typeText("GEZD 1NBV")
	d.key("ctrl+s")
	if d.front() != "add" || !strings.Contains(d.screen(), "not base32") {
		t.Fatalf("a bad secret was accepted:\n%s", d.screen())
	}
	for range 5 {
		d.key("backspace")
	}
	d.typeText("GNBV GY3T QOJQ")
	if !strings.Contains(d.screen(), "Type this code into Pathology") {
		t.Fatalf("no live code preview:\n%s", d.screen())
	}
	d.key("enter")
	if len(v.Accounts()) != 7 {
		t.Fatal("enter saved the typed account")
	}
	d.key("ctrl+s")
	if len(v.Accounts()) != 8 {
		t.Fatalf("typed account not saved:\n%s", d.screen())
	}
}

func TestAddImage(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	var gotPath string
	cfg.ImportFile = func(p string, pass []byte) (Found, error) {
		gotPath = p
		s, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQ")
		return Found{Accounts: []vault.Account{
			{Issuer: "Rota", Name: "a", Secret: s, Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30},
			{Issuer: "Rota", Name: "b", Secret: s, Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30},
		}}, nil
	}
	d := newDriver(t, cfg)
	d.addVia(rowFile)
	d.typeText(`/tmp/my\ qr.png`)
	d.key("enter")
	if gotPath != "/tmp/my qr.png" || !d.has("Found 2 accounts in my qr.png") {
		t.Fatalf("path %q\n%s", gotPath, d.screen())
	}
	d.key("enter")
	if len(v.Accounts()) != 6 {
		t.Fatal("enter saved the image's accounts")
	}
	d.key("ctrl+s")
	if len(v.Accounts()) != 8 {
		t.Fatalf("image accounts not saved: %d", len(v.Accounts()))
	}
}

func TestDelete(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.selectLabel("VPN:night.shift")
	d.key("d", "y", "enter")
	if len(v.Accounts()) != 6 || d.front() != "codes" {
		t.Fatal("d, y, enter deleted the account, or left a screen open")
	}
	d.key("ctrl+d", "y", "enter")
	if len(v.Accounts()) != 6 || d.front() != "codes" {
		t.Fatal("y then enter at the question deleted the account")
	}
	d.key("ctrl+d", "tab", "shift+tab", "right", "left", "enter")
	if len(v.Accounts()) != 6 {
		t.Fatal("enter on \"keep it\" deleted the account")
	}
	d.key("ctrl+d", "esc")
	if len(v.Accounts()) != 6 || d.front() != "codes" {
		t.Fatal("esc deleted the account")
	}
	d.key("ctrl+d", "tab", "enter")
	if len(v.Accounts()) != 5 || slices.Contains(d.labels(), "VPN:night.shift") {
		t.Fatal("y did not delete the account")
	}
	if len(v.State().Tombstones) != 1 {
		t.Fatal("no tombstone was left")
	}
}

func TestFirstRunDemo(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	open := cfg.Open
	d := newDriver(t, testConfig{OpenDemo: func() (*vault.Vault, error) { return open(nil) }})
	d.key("d", "enter")
	if !d.m.Locked() {
		t.Fatal("d and enter at the first-run screen opened something: its choices are rows, not letters")
	}
	d.key("esc", "down", "down", "down", "enter")
	if d.m.Locked() || !strings.Contains(d.screen(), "demo") || len(d.labels()) != 6 {
		t.Fatalf("demo not open:\n%s", d.screen())
	}
}

func TestQuitKeys(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("a")
	d.typeText("q")
	if d.quit {
		t.Fatal("q typed into a field quit")
	}
	d.key("ctrl+c")
	if !d.quit {
		t.Fatal("ctrl+c did not quit from a form")
	}
	d = newDriver(t, cfg)
	d.key("q")
	if !d.quit {
		t.Fatal("q did not quit from the list")
	}
}

func TestLiveResize(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	for _, s := range [][2]int{{100, 30}, {40, 24}, {40, 10}, {120, 50}, {80, 24}} {
		d.size(s[0], s[1])
		for i, l := range strings.Split(d.screen(), "\n") {
			if w := len([]rune(l)); w > s[0] {
				t.Fatalf("%dx%d: line %d is %d wide", s[0], s[1], i, w)
			}
		}
	}
}

func TestScrollKeepsSelectionVisible(t *testing.T) {
	var as []vault.Account
	s, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQ")
	for i := range 100 {
		as = append(as, vault.Account{Issuer: "Svc", Name: strings.Repeat("x", 3) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Secret: s})
	}
	cfg, _ := memConfig(t, as)
	d := newDriver(t, cfg)
	d.key("G")
	last := d.labels()[len(d.labels())-1]
	name := strings.SplitN(last, ":", 2)[1]
	if !strings.Contains(d.screen(), "▸") || !strings.Contains(d.screen(), name) {
		t.Fatalf("the last row is not on screen after G:\n%s", d.screen())
	}
}

func TestGroupAndHelpers(t *testing.T) {
	for in, want := range map[string]string{"123456": "123 456", "12345678": "1234 5678", "1234567": "123 4567", "VKFDN": "VKFDN"} {
		if got := group(in); got != want {
			t.Errorf("group(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"'/a b/c.png'":        "/a b/c.png",
		`/a\ b/c.png`:         "/a b/c.png",
		"file:///a%20b/c.png": "/a b/c.png",
		"  \"/x/y.png\"  ":    "/x/y.png",
		"/plain/path/qr.jpeg": "/plain/path/qr.jpeg",
		"~/Desktop/qr.png":    "/home/nurse/Desktop/qr.png",
		"'~/b c.age'":         "/home/nurse/b c.age",
	} {
		if got := cleanPath(in, "/home/nurse"); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", in, got, want)
		}
	}
	for _, r := range "0123456789" + "23456789BCDFGHJKMNPQRTVWXY" {
		if _, ok := glyphs[r]; !ok {
			t.Errorf("no big glyph for %q", r)
		}
	}
	if got := bigText("1", 1, 1); got != " █ \n██ \n █ \n █ \n███" {
		t.Errorf("bigText(1) = %q", got)
	}
}

// The NTP banner shows what is left after the applied correction, when it
// is more than 5 s; offline shows nothing.
func TestNTPBanner(t *testing.T) {
	for _, tc := range []struct {
		name     string
		measured time.Duration
		err      error
		applied  float64
		want     string // "" = no NTP banner
	}{
		{"behind", 95 * time.Second, nil, 0, "! Clock 95 s behind: codes may be refused; fix: wardkey clock --apply"},
		{"ahead", -30 * time.Second, nil, 0, "! Clock 30 s ahead: codes may be refused; fix: wardkey clock --apply"},
		{"corrected", 92 * time.Second, nil, 90, ""},
		{"small", 3 * time.Second, nil, 0, ""},
		{"offline", 0, errors.New("no answer"), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.MeasureClock = func() (time.Duration, error) { return tc.measured, tc.err }
			cfg.Local = func() vault.Local { return vault.Local{ClockOffset: tc.applied} }
			d := newDriver(t, cfg)
			screen := d.screen()
			if tc.want == "" {
				if strings.Contains(screen, "codes may be refused") {
					t.Fatalf("unexpected NTP banner:\n%s", screen)
				}
				return
			}
			if !strings.Contains(screen, tc.want) || !strings.Contains(screen, "wardkey clock --apply") {
				t.Fatalf("want %q with the fix on screen:\n%s", tc.want, screen)
			}
		})
	}
}

// Keys that arrive together (typed ahead, or in one read from the
// terminal) land on the screen the previous key opened, never on the
// screen being left: "a", the URI row, then "d" types a d into the add form, it does not
// open the delete question on the list.
func TestTypedAheadKeysReachTheNewScreen(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	// Deliver the keys without running the commands between them, as a
	// program does when they are already queued.
	for _, k := range []string{"a", "down", "down", "down", "down", "enter", "d", "y"} {
		m, _ := d.m.Update(keyMsg(k))
		d.m = m.(Model)
	}
	if d.front() != "add" || !d.has("URI or file: dy") {
		t.Fatalf("the keys after a did not reach the add form:\n%s", d.screen())
	}
	if len(v.Accounts()) != 6 {
		t.Fatal("a typed-ahead key changed the vault")
	}
}

// What a command of one session brings back after a lock (and another
// unlock) is dropped, never shown: a session's results belong to it.
func TestStaleResultsAfterLockAreDropped(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	st, _ := vault.MarshalState(v.State())
	cfg.Open = func([]byte) (*vault.Vault, error) { // each unlock a vault of its own, as from disk
		s, err := vault.UnmarshalState(st)
		return vault.NewMemory(s), err
	}
	d := newDriver(t, cfg)
	m, save := d.m.Update(keyMsg("ctrl+f")) // the favourite is saved by a command, not run yet
	d.m = m.(Model)
	d.key("L", "enter")
	if d.m.Locked() {
		t.Fatalf("did not reopen:\n%s", d.screen())
	}
	msg := save()
	if _, ok := msg.(savedMsg); !ok {
		t.Fatalf("the save brought back %T", msg)
	}
	d.send(msg)
	if d.has("Marked") || d.has("Not saved") {
		t.Fatalf("a result of the closed session was shown:\n%s", d.screen())
	}

	// The same with accounts in it: dropped, and their secrets wiped.
	old := d.m.c.sess
	d.key("L", "enter")
	a := demoAccounts(t)[0]
	d.send(savedMsg{changed: changed{from: old, accounts: []vault.Account{a}}, note: "Marked it"})
	if d.has("Marked it") || len(d.labels()) != 6 {
		t.Fatalf("a result of the closed session was shown:\n%s", d.screen())
	}
	for _, b := range a.Secret.Bytes() {
		if b != 0 {
			t.Fatal("the stale result's secrets were not wiped")
		}
	}
}

// The root logs the type of every message, never its contents: a copied
// code or a typed passphrase never reaches the log.
func TestLogHasTypesNotContents(t *testing.T) {
	var buf strings.Builder
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.Log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d := newDriver(t, cfg)
	d.typeText("right horse")
	d.key("enter", "enter")
	a, _ := d.m.list.current()
	code, _ := vault.TOTPCode(a, t0)
	log := buf.String()
	for _, typ := range []string{"tea.KeyPressMsg", "tui.openedMsg", "tui.copyMsg"} {
		if !strings.Contains(log, typ) {
			t.Errorf("the log lacks %s:\n%s", typ, log)
		}
	}
	if strings.Contains(log, code) || strings.Contains(log, "horse") {
		t.Fatalf("the log holds a code or the passphrase:\n%s", log)
	}
}

// Text fields follow the terminal's background like every other style:
// those on screen are restyled, and those made later start light.
func TestFieldsFollowTheBackground(t *testing.T) {
	light := fieldStyles(false).Blurred.Text.GetForeground()
	if dark := fieldStyles(true).Blurred.Text.GetForeground(); reflect.DeepEqual(light, dark) {
		t.Fatal("the text field styles do not differ by background: this test would check nothing")
	}
	cfg, _ := passConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.send(tea.BackgroundColorMsg{Color: color.White})
	d.typeText("right horse")
	d.key("enter", "a")
	if got := d.m.front.(addModel).fields[0].Styles().Blurred.Text.GetForeground(); !reflect.DeepEqual(got, light) {
		t.Errorf("a field made after the light background is dark: %v", got)
	}
	if got := d.m.list.find.Styles().Blurred.Text.GetForeground(); !reflect.DeepEqual(got, light) {
		t.Errorf("the find field kept its dark style: %v", got)
	}
	d.send(tea.BackgroundColorMsg{Color: color.Black})
	dark := fieldStyles(true).Blurred.Text.GetForeground()
	if got := d.m.front.(addModel).fields[0].Styles().Blurred.Text.GetForeground(); !reflect.DeepEqual(got, dark) {
		t.Errorf("the add screen's field on screen kept its light style: %v", got)
	}
}

// The OS session's lock (osLockMsg, from Backend.OSLocks) locks like L:
// the codes go, our code leaves the clipboard, and the session's context
// ends, cancelling its work in flight.
func TestOSLockLocks(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	d := newDriver(t, cfg)
	d.key("enter")
	s := d.m.c.sess
	d.send(osLockMsg{source: "org.gnome.ScreenSaver"})
	if !d.m.Locked() || !d.has("Locked with this computer's session") || d.clip.get() != "" {
		t.Fatalf("the OS lock did not lock, or left the code on the clipboard %q:\n%s", d.clip.get(), d.screen())
	}
	select {
	case <-s.ctx.Done():
	default:
		t.Fatal("the locked session's context is not cancelled")
	}
	d.send(osLockMsg{source: "logind"}) // while locked: nothing to do
	if !d.m.Locked() || d.front() != "unlock" {
		t.Fatalf("a second OS lock:\n%s", d.screen())
	}
}

// The last 15 s before the idle lock count down, naming the person; a key
// press ends the countdown.
func TestLockCountdown(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	cfg.DisplayName = "Dr Jones"
	d := newDriver(t, cfg)
	d.advance(104 * time.Second)
	if d.has("Locking") {
		t.Fatalf("a countdown 16 s before the lock:\n%s", d.screen())
	}
	d.advance(time.Second)
	if !d.has("Locking Dr Jones's codes in 15 s") {
		t.Fatalf("no countdown 15 s before the lock:\n%s", d.screen())
	}
	d.key("j")
	if d.has("Locking") {
		t.Fatalf("a key press did not end the countdown:\n%s", d.screen())
	}
	d.advance(119 * time.Second)
	if d.m.Locked() {
		t.Fatal("locked before lock_after since the last key")
	}
	d.advance(2 * time.Second)
	if !d.m.Locked() {
		t.Fatal("not locked after lock_after")
	}
}

// testPeople are the profiles of a shared workstation.
var testPeople = []Profile{
	{Name: "jones", DisplayName: "Dr Jones", HasVault: true, Slots: []string{vault.SlotPassphrase}},
	{Name: "lee", DisplayName: "Nurse Lee", HasVault: true, Slots: []string{vault.SlotPassphrase}},
	{Name: "night", HasVault: true, Slots: []string{vault.SlotPassphrase}},
}

// "Who are you?": typing filters, enter opens that person's unlock screen,
// esc goes back, the header names the person, and every lock (L, idle)
// returns to the picker with no code or account name on it.
func TestPicker(t *testing.T) {
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.People = testPeople
	d := newDriver(t, cfg)
	if !d.has("Who are you?") || !d.has("Dr Jones (jones)") || !d.has("night") {
		t.Fatalf("no picker:\n%s", d.screen())
	}
	d.typeText("nurse")
	if d.has("Dr Jones") || !d.has("Nurse Lee") {
		t.Fatalf("typing did not filter:\n%s", d.screen())
	}
	d.key("enter")
	if d.front() != "unlock" || !strings.HasPrefix(d.screen(), "wardkey · Nurse Lee") {
		t.Fatalf("enter did not open Nurse Lee's unlock screen:\n%s", d.screen())
	}
	d.key("esc")
	if !d.has("Who are you?") {
		t.Fatalf("esc did not go back to the picker:\n%s", d.screen())
	}
	d.key("down", "enter")
	if !strings.HasPrefix(d.screen(), "wardkey · Nurse Lee") {
		t.Fatalf("↓ enter did not choose the second person:\n%s", d.screen())
	}
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() || !strings.HasPrefix(d.screen(), "wardkey · Nurse Lee") {
		t.Fatalf("not open as Nurse Lee:\n%s", d.screen())
	}
	d.key("L")
	if !d.m.Locked() || !d.has("Who are you?") || d.has("Riverside") {
		t.Fatalf("L did not return to the picker:\n%s", d.screen())
	}
	d.key("enter") // Dr Jones
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() || !strings.HasPrefix(d.screen(), "wardkey · Dr Jones") {
		t.Fatalf("not open as Dr Jones:\n%s", d.screen())
	}
	d.advance(121 * time.Second)
	if !d.m.Locked() || !d.has("Who are you?") || !d.has("Locked after 2 min") {
		t.Fatalf("the idle lock did not return to the picker:\n%s", d.screen())
	}
}

// The vault's settings rule the session: clipboard_clear clears a copied
// code after that many seconds, lock_after locks after that idle time.
func TestSettingsRuleTheSession(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	if err := v.Update(func(tx *vault.Tx) error {
		if err := tx.SetSetting(vault.SettingClipboardClear, 5); err != nil {
			return err
		}
		return tx.SetSetting(vault.SettingLockAfter, 30)
	}); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, cfg)
	d.key("enter")
	if !d.has("clears in 5 s") {
		t.Fatalf("clipboard_clear 5 not shown:\n%s", d.screen())
	}
	d.advance(6 * time.Second)
	if d.clip.get() != "" {
		t.Fatal("not cleared after clipboard_clear")
	}
	if !d.has("Locking default's codes in") {
		d.advance(10 * time.Second)
	}
	if !d.has("Locking default's codes in") {
		t.Fatalf("no countdown 14 s before lock_after 30:\n%s", d.screen())
	}
	d.advance(15 * time.Second)
	if !d.m.Locked() {
		t.Fatal("not locked after lock_after 30")
	}
}
