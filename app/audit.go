package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wardkey/wardkey/app/policy"
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
	l := audit.Log{Dir: dir, Device: st.device, Key: st.key, Anchor: localAnchor{dir}, Now: e.hooks.Now}
	res, err := l.Append(st.events...)
	if err != nil {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log was not written: %v\n", err)
		return
	}
	if res.Restarted != "" {
		fmt.Fprintf(e.err, "wardkey: warning: the audit log was damaged (%s): new events start a fresh chain; '%s' shows where\n",
			res.Restarted, e.cmdline("log --verify"))
	}
}

// localAnchor keeps the audit anchor in local.json (its one field there).
type localAnchor struct{ dir string }

func (s localAnchor) Load() (audit.Anchor, bool, error) {
	l, err := vault.LoadLocal(s.dir)
	if err != nil || len(l.AuditAnchor) == 0 {
		return audit.Anchor{}, false, err
	}
	var a audit.Anchor
	if err := json.Unmarshal(l.AuditAnchor, &a); err != nil {
		return audit.Anchor{}, false, nil // damaged: Verify reports it
	}
	return a, true, nil
}

func (s localAnchor) Store(a audit.Anchor) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = vault.UpdateLocal(s.dir, func(l *vault.Local) { l.AuditAnchor = b })
	return err
}
