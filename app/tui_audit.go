//go:build !wardkey_lean

package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/wardkey/wardkey/app/tui"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The code screen's audit log (tui.Backend's Audit, UnlockNotice and
// AuditLog): the TUI runs until quit, so its events are written at once,
// each in one append with one fsync, under the open vault's audit key, and
// a failure comes back as one sentence for the screen (never on stderr,
// which the screen covers).

// errProfileGone is a profile folder that vanished while its vault was
// open (someone removed it, or the whole WARDKEY_HOME).
var errProfileGone = errors.New("this person's vault folder is gone")

// profileGone refuses to write beside a vault whose folder (or vault file)
// is gone: nothing is recreated in a half state. The sentence fits the
// code screen's status line at 80 columns: the way out is a backup of the
// vault still open (ctrl+x), which 'wardkey restore FILE' brings back
// (docs/tui.md).
func (e *env) profileGone(dir string) error {
	if vault.Exists(dir) {
		return nil
	}
	return fmt.Errorf("%w: ctrl+x keeps a backup", errProfileGone)
}

// FolderGone is profileGone for the open vault v (the demo has no folder).
func (b *tuiBackend) FolderGone(v tui.Vault) error {
	if v.Dir() == "" {
		return nil
	}
	return b.envOf(v.Dir()).profileGone(v.Dir())
}

// envOf is the environment of the profile whose folder is dir.
func (b *tuiBackend) envOf(dir string) *env { return b.env(filepath.Base(dir)) }

// Audit writes the events of the open vault v at once (the demo has no log).
func (b *tuiBackend) Audit(v tui.Vault, evs ...audit.Event) error {
	dir := v.Dir()
	if dir == "" || len(evs) == 0 {
		return nil
	}
	vv, err := vaultOf(v)
	if err != nil {
		return err
	}
	return b.envOf(dir).auditNow(vv, evs...)
}

// auditNow writes events of the open vault vv at once, in one append with
// one fsync: the code screen's way (the CLI queues its events to its end).
func (e *env) auditNow(vv *vault.Vault, evs ...audit.Event) error {
	dir := vv.Dir()
	if err := e.profileGone(dir); err != nil {
		return err // nothing can be written there, the log no more than the vault
	}
	key, err := vv.AuditKey()
	if err != nil {
		return fmt.Errorf("the audit log was not written: the vault gave no audit key: %w", err)
	}
	defer clear(key)
	l := audit.Log{Dir: dir, Device: vv.Device(), Key: key, Anchor: newAnchorStore(dir, key), Now: e.hooks.Now}
	res, err := l.Append(evs...)
	var ae *audit.AnchorError
	if errors.As(err, &ae) {
		return fmt.Errorf("the audit log: %w; '%s' repairs it", err, e.cmdline("doctor"))
	}
	if err != nil {
		return fmt.Errorf("the audit log was not written: %w", err)
	}
	if res.Restarted != "" {
		// Short enough for the status line; the log view (and 'wardkey
		// log --verify') names the damaged line.
		return errors.New("the audit log was damaged: a fresh chain starts here; ctrl+g shows where")
	}
	if res.AnchorLost {
		return errors.New("the audit log's anchor was missing or damaged: its end may have been cut; ctrl+g shows where")
	}
	return nil
}

// UnlockNotice is the failed attempts since profile's last unlock, read
// before the unlock writes its own line.
func (b *tuiBackend) UnlockNotice(profile string) string {
	e := b.env(profile)
	if e.demo {
		return ""
	}
	n, last, err := audit.FailedSinceUnlock(e.dir())
	if err != nil || n == 0 {
		return ""
	}
	return failedNotice(n, last, e.now())
}

// AuditLog reads and checks the whole log of v's profile, as 'wardkey log
// --verify' does, and keeps its last n lines.
func (b *tuiBackend) AuditLog(v tui.Vault, n int) (tui.AuditLog, error) {
	dir := v.Dir()
	if dir == "" {
		return tui.AuditLog{}, nil
	}
	vv, err := vaultOf(v)
	if err != nil {
		return tui.AuditLog{}, err
	}
	if err := b.envOf(dir).profileGone(dir); err != nil {
		return tui.AuditLog{}, err
	}
	key, err := vv.AuditKey()
	if err != nil {
		return tui.AuditLog{}, fmt.Errorf("the vault gave no audit key: %w", err)
	}
	defer clear(key)
	rep, err := audit.Verify(dir, key, loadAnchor(dir, key))
	if err != nil {
		return tui.AuditLog{}, fmt.Errorf("read the audit log: %w", err)
	}
	out := tui.AuditLog{Total: len(rep.Entries), Entries: slices.Clone(rep.Entries[max(0, len(rep.Entries)-n):])}
	if len(rep.Problems) > 0 {
		out.Problem = rep.Problems[0].String()
	}
	return out, nil
}
