package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wardkey/wardkey/app/policy"
	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The audit log (vault/audit): a command queues its events and run writes
// them at its end, in one append and one fsync. Events queued while the
// vault is open are authenticated under its audit key, taken at the
// unlock (the vault is closed by then); the others are written as "while
// locked" and covered by the next authenticated line.

// auditState is what run needs to write the queued events.
type auditState struct {
	events []audit.Event
	key    []byte // the audit key, from the unlock; nil: locked
	device string
}

// auditKeyOf is the open vault's audit key (32 bytes sealed in its
// payload, vault format 2).
func (e *env) auditKeyOf(v *vault.Vault) ([]byte, error) { return v.AuditKey() }

// audit queues events of the open vault v. The code screen, which runs
// until quit and re-executes itself on a lock, writes them at once.
func (e *env) audit(v *vault.Vault, evs ...audit.Event) {
	if e.auditLog.key == nil && v != nil {
		if key, err := e.auditKeyOf(v); err == nil {
			e.auditLog.key, e.auditLog.device = key, v.Device()
		}
	}
	e.auditLog.events = append(e.auditLog.events, evs...)
	if e.inTUI {
		e.flushAudit()
	}
}

// auditLocked queues events written without the vault open.
func (e *env) auditLocked(evs ...audit.Event) {
	e.auditLog.events = append(e.auditLog.events, evs...)
	if e.inTUI {
		e.flushAudit()
	}
}

// auditUnlocked notes an unlock: the audit key and device for the rest of
// the command, the unlock event, and, on a terminal, the failed attempts
// since the last unlock.
func (e *env) auditUnlocked(v *vault.Vault) {
	if key, err := e.auditKeyOf(v); err == nil {
		e.auditLog.key = key
	}
	e.auditLog.device = v.Device()
	if n, last, err := audit.FailedSinceUnlock(e.dir()); err == nil && n > 0 && !e.inTUI && e.stderrTerminal() {
		fmt.Fprintf(e.err, "wardkey: %s\n", failedNotice(n, last, e.now()))
	}
	e.audit(v, audit.Event{Event: audit.Unlock})
}

// addCounts adds to the counts of an event's detail: key, n, key, n …
func addCounts(m map[string]any, kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		old, _ := m[k].(int)
		m[k] = old + kv[i+1].(int)
	}
}

// restoreCounts is a restore event's detail.
func restoreCounts(p vault.RestorePlan) map[string]any {
	return map[string]any{"added": len(p.Added), "updated": len(p.Updated), "undeleted": len(p.Undeleted), "removed": len(p.Removed)}
}

// stderrTerminal reports whether standard error is a terminal (e.err is
// the sanitising writer over it, so the process's own is asked).
func (e *env) stderrTerminal() bool { return e.interactive() && isTerminal(os.Stderr) }

// clockTime is "14:02" today, "Nov 26 14:02" before.
func clockTime(t, now time.Time) string {
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// auditRefusal queues a policy_refused line naming the policy key.
func (e *env) auditRefusal(err error) {
	var r *policy.Refusal
	detail := map[string]any{}
	if errors.As(err, &r) {
		detail["key"] = r.Key
	}
	e.auditLocked(audit.Event{Event: audit.PolicyRefused, Detail: detail})
}

// flushAudit writes the queued events: one append, one fsync. A profile
// with no directory yet (a refused init) has no log to write to.
func (e *env) flushAudit() {
	st := e.auditLog
	e.auditLog = auditState{}
	defer clear(st.key)
	if len(st.events) == 0 || e.demo || (!e.profileSet && e.policy().Shared) {
		return
	}
	dir := e.dir()
	if _, err := os.Stat(dir); err != nil {
		return
	}
	if st.device == "" {
		d, err := vault.DeviceID(dir)
		if err != nil {
			fmt.Fprintf(e.err, "wardkey: warning: the audit log was not written: %v\n", err)
			return
		}
		st.device = d
	}
	l := audit.Log{Dir: dir, Device: st.device, Key: st.key, Anchor: newAnchorStore(dir, st.key), Now: e.hooks.Now}
	res, err := l.Append(st.events...)
	var ae *audit.AnchorError
	if errors.As(err, &ae) {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log: %v; '%s' repairs it\n", err, e.cmdline("doctor"))
		return
	}
	if err != nil {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log was not written: %v\n", err)
		return
	}
	if res.Restarted != "" {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log was damaged (%s): new events start a fresh chain; '%s' shows where\n",
			res.Restarted, e.cmdline("log --verify"))
	}
	if res.AnchorLost {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log's anchor was missing or damaged, so lines at its end may have been removed; the log now says so, and '%s' shows where\n",
			e.cmdline("log --verify"))
	}
}

// anchorStore keeps the audit anchor in audit.anchor (vault/audit's
// AnchorFile: one slot written in place per append, no fsync of its own).
// A wardkey before it kept the anchor in local.json: that one is read
// while audit.anchor is absent, and taken out of local.json once
// audit.anchor holds its successor, so deleting audit.anchor can never
// bring an old anchor back into force.
type anchorStore struct {
	file   audit.AnchorFile
	legacy bool // local.json still holds an anchor: clear it after the next Store
}

// newAnchorStore is the anchor store of the profile folder dir, under the
// audit key (nil: locked, no anchor is read or written).
func newAnchorStore(dir string, key []byte) *anchorStore {
	return &anchorStore{file: audit.AnchorFile{Dir: dir, Key: key}}
}

// Load reads audit.anchor, else the anchor an older wardkey left in
// local.json.
func (s *anchorStore) Load() (audit.Anchor, bool, error) {
	a, ok, err := s.file.Load()
	if err != nil {
		return a, ok, err
	}
	if ok {
		// Generation 2 (the second copy of 1) is a file made at the last
		// append, perhaps the move from local.json: a crash may have
		// stopped that before local.json was cleared.
		if a.Gen <= 2 {
			if l, err := vault.LoadLocal(s.file.Dir); err == nil && len(l.AuditAnchor) > 0 {
				s.legacy = true
			}
		}
		return a, true, nil
	}
	l, err := vault.LoadLocal(s.file.Dir)
	if err != nil || len(l.AuditAnchor) == 0 {
		return audit.Anchor{}, false, err
	}
	s.legacy = true
	var la audit.Anchor
	if err := json.Unmarshal(l.AuditAnchor, &la); err != nil {
		return audit.Anchor{}, false, nil // damaged: Verify reports no anchor
	}
	la.From = vault.LocalFile
	return la, true, nil
}

// Store writes a to audit.anchor, then takes an old anchor out of
// local.json (once: that rewrite, with its fsyncs, is the move's only).
func (s *anchorStore) Store(a audit.Anchor) error {
	if err := s.file.Store(a); err != nil {
		return err
	}
	if !s.legacy {
		return nil
	}
	if _, err := vault.UpdateLocal(s.file.Dir, func(l *vault.Local) { l.AuditAnchor = nil }); err != nil {
		return fmt.Errorf("move the audit anchor out of %s: %w", vault.LocalFile, err)
	}
	s.legacy = false
	return nil
}

// loadAnchor is the anchor Verify checks the log of dir against (nil:
// none). Read it before the log, as the callers do (an argument of
// Verify): an append running meanwhile writes its line before its anchor,
// so the log read after is never behind the anchor read before, even a
// slot caught half-written.
func loadAnchor(dir string, key []byte) *audit.Anchor {
	a, ok, _ := newAnchorStore(dir, key).Load()
	if !ok {
		return nil
	}
	return &a
}

// failedNotice is "2 failed unlock attempts since your last unlock, the
// last at 14:02", the CLI's and the TUI's words.
func failedNotice(n int, last, now time.Time) string {
	return fmt.Sprintf("%s since your last unlock, the last at %s", wording.Count(n, "failed unlock attempt"), clockTime(last.Local(), now))
}
