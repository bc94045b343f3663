package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// auditRecorder keeps the events the TUI writes, and what was on screen
// and whether the vault still answered when each was written.
type auditRecorder struct {
	d      *driver
	events []audit.Event
	shown  []bool // the screen still showed a code when the event came
	open   []bool // the vault still answered (its audit key is there)
	fail   error  // every write fails with this, when set
}

func (r *auditRecorder) audit(v Vault, evs []audit.Event) error {
	if r.fail != nil {
		return r.fail
	}
	for _, ev := range evs {
		r.events = append(r.events, ev)
		r.shown = append(r.shown, r.d != nil && !r.d.m.Locked())
		r.open = append(r.open, len(v.Accounts()) > 0)
	}
	return nil
}

// names is the events as "event account reason".
func (r *auditRecorder) names() []string {
	var out []string
	for _, ev := range r.events {
		s := ev.Event
		if ev.Account != "" {
			s += " " + ev.Account
		}
		if why, ok := ev.Detail["reason"]; ok {
			s += " " + fmt.Sprint(why)
		}
		out = append(out, s)
	}
	return out
}

// Every lock of an open vault writes a lock event with its reason, after
// the codes left the screen and before the vault is closed; the TUI's
// actions write the events the CLI writes for the same action.
func TestAuditEvents(t *testing.T) {
	for _, tc := range []struct {
		name string
		sel  string // the row to select first ("": the first); SEL in want is its ID
		do   func(d *driver)
		want []string
	}{
		{"L", "", func(d *driver) { d.key("L") }, []string{"lock manual"}},
		{"L on big digits", "", func(d *driver) { d.key("space", "L") }, []string{"lock manual"}},
		{"idle", "", func(d *driver) { d.advance(121 * time.Second) }, []string{"lock idle"}},
		{"OS lock", "", func(d *driver) { d.send(osLockMsg{source: "logind"}) }, []string{"lock os_lock"}},
		{"signal", "", func(d *driver) { d.send(StopMsg{Signal: "terminated"}) }, []string{"lock signal"}},
		{"q", "", func(d *driver) { d.key("q") }, []string{"lock quit"}},
		{"ctrl+c on the add form", "", func(d *driver) { d.key("a", "tab", "ctrl+c") }, []string{"lock quit"}},
		{"copy", "", func(d *driver) { d.key("enter") }, []string{"code_copied SEL"}},
		{"delete", "", func(d *driver) { d.key("ctrl+d", "tab", "enter") }, []string{"delete SEL"}},
		{"favourite", "", func(d *driver) { d.key("ctrl+f") }, []string{"edit SEL"}},
		{"HOTP reveal", "Pharmacy:dispensary", func(d *driver) { d.key("n") }, []string{"code_shown SEL"}},
		{"HOTP copy", "Pharmacy:dispensary", func(d *driver) { d.key("enter") }, []string{"code_shown SEL", "code_copied SEL"}},
		{"a second lock writes nothing", "", func(d *driver) { d.key("L"); d.send(osLockMsg{source: "logind"}) }, []string{"lock manual"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			rec := &auditRecorder{}
			cfg.Audit = rec.audit
			d := newDriver(t, cfg)
			rec.d = d
			if tc.sel != "" {
				d.selectLabel(tc.sel)
			}
			a, _ := d.m.list.current()
			tc.do(d)
			want := strings.Split(strings.ReplaceAll(strings.Join(tc.want, "|"), "SEL", a.ID), "|")
			if got := rec.names(); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %q, want %q", got, want)
			}
			for i, ev := range rec.events {
				if ev.Event == audit.Lock && (rec.shown[i] || !rec.open[i]) {
					t.Errorf("lock event %d: codes still shown %v, vault open %v (want hidden first, closed after)", i, rec.shown[i], rec.open[i])
				}
			}
		})
	}
}

// The add screen writes one add line per account added, with its ID.
func TestAuditAdd(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	rec := &auditRecorder{}
	cfg.Audit = rec.audit
	d := newDriver(t, cfg)
	d.addVia(rowURI)
	d.typeText("otpauth://totp/Ward%203:kay?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ward%203")
	d.key("ctrl+s")
	var id string
	for _, a := range v.Accounts() {
		if a.Label() == "Ward 3:kay" {
			id = a.ID
		}
	}
	if id == "" || len(rec.events) != 1 || rec.events[0].Event != audit.Add || rec.events[0].Account != id || rec.events[0].Detail["type"] != "totp" {
		t.Fatalf("events %+v, want one add of %q", rec.events, id)
	}
}

// Picking another person locks the open one: a lock event "switch".
func TestAuditSwitch(t *testing.T) {
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.People = testPeople
	rec := &auditRecorder{}
	cfg.Audit = rec.audit
	d := newDriver(t, cfg)
	rec.d = d
	d.key("enter")
	d.typeText("right horse")
	d.key("enter")
	if d.m.Locked() {
		t.Fatal("not open")
	}
	d.send(pickMsg{p: testPeople[1]})
	if got := rec.names(); !reflect.DeepEqual(got, []string{"lock switch"}) {
		t.Fatalf("events %q, want a lock with reason switch", got)
	}
}

// A failing audit append loses nothing: the code is copied, the account
// deleted, and one sentence says the log was not written.
func TestAuditFailureKeepsTheAction(t *testing.T) {
	cfg, v := memConfig(t, demoAccounts(t))
	rec := &auditRecorder{fail: errors.New("the audit log was not written: disk full")}
	cfg.Audit = rec.audit
	d := newDriver(t, cfg)
	a, _ := d.m.list.current()
	code, _ := vault.TOTPCode(a, d.now)
	d.key("enter")
	if d.clip.get() != code || !d.has("The audit log was not written: disk full.") {
		t.Fatalf("copy with a failing log: clipboard %q\n%s", d.clip.get(), d.screen())
	}
	d.key("ctrl+d", "tab", "enter")
	if len(v.Accounts()) != len(demoAccounts(t))-1 || !d.has("The audit log was not written: disk full.") {
		t.Fatalf("delete with a failing log: %d accounts\n%s", len(v.Accounts()), d.screen())
	}
	d.key("L")
	if !d.m.Locked() || !d.has("The audit log was not written") {
		t.Fatalf("a lock with a failing log must still lock, and say so:\n%s", d.screen())
	}
}

// After an unlock, the failed attempts since the last one show as a banner.
func TestFailedAttemptsBanner(t *testing.T) {
	cfg, _ := passConfig(t, demoAccounts(t))
	cfg.UnlockNotice = "2 failed unlock attempts since your last unlock, the last at 14:02"
	d := newDriver(t, cfg)
	d.typeText("right horse")
	d.key("enter")
	if !d.has("! 2 failed unlock attempts since your last unlock, the last at 14:02") {
		t.Fatalf("no notice after the unlock:\n%s", d.screen())
	}
	d.key("L")
	cfg2, _ := passConfig(t, demoAccounts(t))
	d = newDriver(t, cfg2)
	d.typeText("right horse")
	d.key("enter")
	if d.has("failed unlock") {
		t.Fatalf("a notice with no failures:\n%s", d.screen())
	}
}

// logEntry is a line of the log as the backend hands it to the view.
func logEntry(seq uint64, at time.Time, event, account, detail string, auth bool) audit.Entry {
	var raw json.RawMessage
	if detail != "" {
		raw = json.RawMessage(detail)
	}
	return audit.Entry{Line: audit.Line{Seq: seq, Time: at, Device: "d1", Event: event, Account: account, Detail: raw, Auth: auth}, Verified: auth}
}

// logNow is the clock of the log view's tests: 14:00:10 on t0's day.
var logNow = t0.Add(14 * time.Hour)

// testLog is a log of a day at a workstation, oldest first.
func testLog() AuditLog {
	es := []audit.Entry{
		logEntry(1, logNow.Add(-26*time.Hour), audit.Unlock, "", "", true),
		logEntry(2, logNow.Add(-26*time.Hour+time.Minute), audit.Add, "0000000000000002", `{"type":"totp"}`, true),
		logEntry(3, logNow.Add(-25*time.Hour), audit.Lock, "", `{"reason":"idle"}`, true),
		logEntry(4, logNow.Add(-9*time.Minute), audit.UnlockFailed, "", "", false),
		logEntry(5, logNow.Add(-8*time.Minute), audit.Unlock, "", "", true),
		logEntry(6, logNow.Add(-7*time.Minute), audit.CodeCopied, "0000000000000001", "", true),
		logEntry(7, logNow.Add(-6*time.Minute), audit.Delete, "00000000000000ff", "", true),
		logEntry(8, logNow.Add(-5*time.Minute), audit.Import, "", `{"added":3,"skipped":1}`, true),
		logEntry(9, logNow.Add(-4*time.Minute), audit.Config, "", `{"key":"lock_after","value":"\u001b[31m60"}`, true),
		logEntry(10, logNow.Add(-time.Minute), audit.CodeShown, "0000000000000006", "", true),
	}
	return AuditLog{Entries: es, Total: 4210}
}

// The log view: newest first, local time, names from the open vault, a
// deleted account said so, lines written while locked marked, the verdict
// on top; nothing from the file reaches the terminal raw.
func TestLogView(t *testing.T) {
	for _, tc := range []struct {
		name    string
		log     AuditLog
		err     error
		w       int
		want    []string
		notWant []string
	}{
		{"log_view", testLog(), nil, 80, []string{"Audit log · 4210 events", "✓ log intact", "13:59:10 code shown VPN:night.shift",
			"13:54:10 delete (deleted account)", "13:51:10 unlock failed while locked", "Dec 31 13:00 lock idle",
			"13:53:10 code copied Riverside EHR:dr.jones", "import added 3, skipped 1", "key lock_after, value \ufffd[31m60", "esc back"},
			[]string{"\x1b[31m60", "00000000000000ff"}},
		{"log_view_40", testLog(), nil, 40, []string{"✓ log intact", "code shown"}, nil},
		{"log_view_damaged", AuditLog{Entries: testLog().Entries, Total: 10, Problem: "audit.log line 3 (seq 3): its mac does not hold: this line was altered, or a line before it removed or reordered"},
			nil, 80, []string{"! Does not verify: audit.log line 3 (seq 3)"}, []string{"log intact"}},
		{"", AuditLog{}, errors.New("read the audit log: permission denied"), 80, []string{"! The log could not be read: read the audit log: permission denied"}, []string{"log intact"}},
		{"", AuditLog{}, nil, 80, []string{"✓ log intact", "No events yet."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := memConfig(t, demoAccounts(t))
			cfg.AuditLog = func() (AuditLog, error) { return tc.log, tc.err }
			d := newDriver(t, cfg)
			d.now = logNow
			d.size(tc.w, 24)
			d.key("ctrl+g")
			if d.front() != "log" {
				t.Fatalf("ctrl+g opened %s", d.front())
			}
			scr := d.screen()
			for _, w := range tc.want {
				if !strings.Contains(strings.Join(strings.Fields(scr), " "), strings.Join(strings.Fields(w), " ")) {
					t.Errorf("no %q on\n%s", w, scr)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(d.m.View().Content, w) {
					t.Errorf("%q on\n%s", w, scr)
				}
			}
			if tc.name != "" {
				d.golden(tc.name)
			}
			d.key("esc")
			if d.front() != "codes" {
				t.Fatalf("esc went to %s", d.front())
			}
		})
	}
}

// The log view scrolls through more events than fit, and g (plain) is a
// key of the list, not the log: only ctrl+g opens it.
func TestLogViewScrolls(t *testing.T) {
	cfg, _ := memConfig(t, demoAccounts(t))
	var es []audit.Entry
	for i := range 60 {
		es = append(es, logEntry(uint64(i+1), logNow.Add(time.Duration(i-60)*time.Second), audit.CodeCopied, "0000000000000001", fmt.Sprintf(`{"n":%d}`, i), true))
	}
	cfg.AuditLog = func() (AuditLog, error) { return AuditLog{Entries: es, Total: 60}, nil }
	d := newDriver(t, cfg)
	d.now = logNow
	d.key("g")
	if d.front() != "codes" {
		t.Fatalf("g opened %s", d.front())
	}
	d.key("ctrl+g")
	if !d.has("n 59") || d.has("n 0 ") {
		t.Fatalf("not newest first:\n%s", d.screen())
	}
	d.key("end")
	if !d.has("n 0") || d.has("n 59") {
		t.Fatalf("end did not reach the oldest:\n%s", d.screen())
	}
	d.key("home", "down")
	if d.has("n 59") || !d.has("n 58") {
		t.Fatalf("↓ did not scroll one:\n%s", d.screen())
	}
	d.key("L")
	if !d.m.Locked() || d.has("Riverside") || d.has("code copied") {
		t.Fatalf("L on the log view did not lock and hide it:\n%s", d.screen())
	}
}

// A lock line the disk does not take in time does not keep the vault open:
// the lock closes it after lockEventWait and says so.
func TestLockDoesNotWaitOnAStalledLog(t *testing.T) {
	defer func(w time.Duration) { lockEventWait = w }(lockEventWait)
	lockEventWait = 50 * time.Millisecond
	cfg, v := memConfig(t, demoAccounts(t))
	release := make(chan struct{})
	defer close(release)
	cfg.Audit = func(_ Vault, evs []audit.Event) error {
		if evs[0].Event == audit.Lock {
			<-release // a share that stalls
		}
		return nil
	}
	d := newDriver(t, cfg)
	start := time.Now()
	d.key("L")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("the lock waited %s on the stalled log", took)
	}
	if !d.m.Locked() || len(v.Accounts()) != 0 || !d.has("The lock was not written to the audit log within 50ms") {
		t.Fatalf("locked %v, %d accounts still in memory:\n%s", d.m.Locked(), len(v.Accounts()), d.screen())
	}
}

// FuzzLogViewLine draws any line the log's parser accepts (the log is a
// file anyone at this login can edit): it must never panic, and nothing
// from the file may reach the terminal as a control or bidi character.
func FuzzLogViewLine(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"time":"2026-01-01T00:00:10.000Z","device":"d1","event":"unlock","auth":true,"mac":"00"}`,
		`{"seq":2,"time":"2026-01-01T00:00:10.000Z","device":"d1","event":"lock","detail":{"reason":"idle"},"auth":true,"mac":"00"}`,
		`{"seq":3,"time":"2026-01-01T00:00:10.000Z","device":"d1","event":"config","detail":{"key":"\u001b[2J","value":"\u202e"},"auth":false,"mac":""}`,
		`{"seq":4,"time":"2026-01-01T00:00:10.000Z","device":"d1","event":"import","detail":{"added":3,"x":{"y":[1,2]}},"auth":true,"mac":"00"}`,
	} {
		f.Add([]byte(s))
	}
	bad := regexp.MustCompile(`[\x00-\x1f\x7f-\x{9f}\x{200e}\x{200f}\x{61c}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{2028}\x{2029}]`)
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := audit.ParseLine(raw)
		if err != nil {
			return
		}
		c := &common{keys: DefaultKeyMap(), styles: NewStyles(true), width: 40, height: 24, sess: newSession(Profile{Name: "default"}), barModel: newBar()}
		for _, w := range []int{40, 80} {
			m := logModel{c: c, w: w, h: 24, names: map[string]string{}}
			out := ansi.Strip(m.line(audit.Entry{Line: l}, t0))
			if loc := bad.FindStringIndex(out); loc != nil {
				t.Fatalf("a control character reaches the screen: %q", out)
			}
		}
	})
}
