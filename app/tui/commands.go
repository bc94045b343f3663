package tui

// Every piece of I/O the TUI does is a tea.Cmd in this file: opening and
// creating vaults, saving, HOTP counters, sync, backups, imports, the
// clock, the recent-use file and the clipboard. Update and View elsewhere
// only return these commands, so "no I/O in Update" is checked here, in
// one place. Each command calls the Backend (or the open Vault it handed
// out) and comes back as a message.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
	"github.com/wardkey/wardkey/vault/backup"
)

// changed is what every command that changes the vault reads back: a
// copy of the accounts (nil when nothing changed) and the newest change,
// and the session it is from. The root takes it for the list only while
// that session is the open one, and wipes it otherwise: a result that
// comes back after a lock (or, on a shared workstation, after someone
// else unlocked) is never shown.
type changed struct {
	from       *session
	accounts   []vault.Account
	lastChange time.Time
}

func (c changed) changes() changed { return c }

// Results of the commands that change the vault.
type (
	// savedMsg is the result of a change to the vault.
	savedMsg struct {
		changed
		note     string
		selectID string
		err      error
	}
	// hotpMsg is a counter-based code, shown after its counter was saved.
	hotpMsg struct {
		changed
		id   string
		code string
		copy bool
		err  error
	}
	// syncedMsg is the result of "sync now".
	syncedMsg struct {
		changed
		summary string
		local   vault.Local // re-read after the sync (LastSync)
		err     error
	}
	// clipErrMsg says the system clipboard failed (OSC 52 was still sent).
	clipErrMsg struct{ err error }
	// auditErrMsg says session from's events were not written to the
	// audit log; what they record was done all the same.
	auditErrMsg struct {
		from *session
		err  error
	}
	// logReadMsg is the audit log, read and checked for the log view.
	logReadMsg struct {
		from *session
		log  AuditLog
		err  error
	}
)

// freeKDFMemory hands the KDF's memory (argon2id 64 MiB, scrypt 256 MiB)
// back to the OS once it is done.
func freeKDFMemory() { debug.FreeOSMemory() }

// openCmd opens profile p's vault; pass nil tries the keyring, the
// passphrase file, or the demo.
func openCmd(b Backend, p Profile, pass []byte) tea.Cmd {
	return func() tea.Msg {
		var v Vault
		var err error
		notice := ""
		if p.Demo {
			v, err = b.OpenDemo()
		} else {
			notice = b.UnlockNotice(p.Name) // before the unlock line that ends the count
			v, err = b.Open(p.Name, pass)
		}
		freeKDFMemory()
		msg := loaded(b, v, err, pass == nil, p.Demo)
		msg.notice = notice
		return msg
	}
}

// loaded reads what belongs beside an open vault (local state, recent use,
// a sync remote).
func loaded(b Backend, v Vault, err error, keyring, demo bool) openedMsg {
	msg := openedMsg{v: v, err: err, keyring: keyring, demo: demo}
	if err != nil || v == nil {
		return msg
	}
	msg.changed = snapshot(nil, v)
	if !demo {
		msg.local = b.Local(v)
		msg.recent = b.Recent(v)
		msg.canSync = b.CanSync(v)
	}
	return msg
}

// checkWaitCmd asks how long earlier failures make this attempt wait.
func checkWaitCmd(b Backend, profile string, now time.Time, pass []byte) tea.Cmd {
	return func() tea.Msg {
		n, w := b.UnlockWait(profile)
		return unlockWaitMsg{failed: n, until: now.Add(w), pass: pass}
	}
}

// createCmd makes profile's vault; its recovery code (made here) is
// pending until the person acknowledges it. It wipes req.Passphrase.
func createCmd(c *common, profile string, req CreateRequest) tea.Cmd {
	b, newCode := c.backend(), c.recoveryCode
	return func() tea.Msg {
		defer clear(req.Passphrase)
		req.RecoveryCode = "" // written once acknowledged (AddRecovery)
		v, err := b.Create(profile, req)
		freeKDFMemory()
		msg := loaded(b, v, err, false, false)
		if err == nil {
			msg.created = newCode()
		}
		return msg
	}
}

// demoCmd opens the embedded demo from the first-run screen.
func demoCmd(b Backend) tea.Cmd {
	return func() tea.Msg {
		v, err := b.OpenDemo()
		return loaded(b, v, err, false, true)
	}
}

// probeCmd asks whether the OS keyring works.
func probeCmd(b Backend) tea.Cmd {
	return func() tea.Msg { return probedMsg{b.ProbeKeyring()} }
}

// measureClockCmd asks NTP how far off this clock is, in the background,
// for session s.
// profilesCmd reads the home's profiles for the picker.
func profilesCmd(b Backend) tea.Cmd {
	return func() tea.Msg {
		ps, err := b.Profiles()
		return profilesMsg{people: ps, err: err}
	}
}

// osLockMsg says the OS session locked; source is what reported it.
type osLockMsg struct{ source string }

// osLockCmd waits for the next lock of the OS session. The root starts it
// once and again after each lock, for the life of the program.
func osLockCmd(b Backend) tea.Cmd {
	return func() tea.Msg {
		ch := b.OSLocks()
		if ch == nil {
			return nil
		}
		src, ok := <-ch
		if !ok {
			return nil
		}
		return osLockMsg{source: src}
	}
}

func measureClockCmd(b Backend, s *session) tea.Cmd {
	server := s.local.ClockServer
	return func() tea.Msg {
		d, err := b.MeasureClock(s.ctx, server)
		return clockMsg{from: s, measured: d, err: err}
	}
}

// snapshot copies the accounts of session s's vault v and finds the newest
// change (tombstones included), for the list and the backup banner.
func snapshot(s *session, v Vault) changed {
	return changed{s, v.Accounts(), time.UnixMilli(v.LastChange().Wall)}
}

// saveCmd applies fn to session s's vault; fn returns the note to show and
// the account to select. Once saved, evs go to the audit log (an event
// with no account takes fn's).
func saveCmd(s *session, fn func(*vault.Tx) (note, id string, err error), evs ...audit.Event) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		var note, id string
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			note, id, err = fn(tx)
			return err
		})
		if err != nil {
			return savedMsg{changed: changed{from: s}, err: saveErr(s, v, err)}
		}
		msg := savedMsg{changed: snapshot(s, v), note: note, selectID: id}
		for i := range evs {
			if evs[i].Account == "" {
				evs[i].Account = id
			}
		}
		return withAudit(msg, s, v, evs...)
	}
}

// saveErr is why a save of session s's vault v failed: the backend's
// sentence when the profile's folder is gone, else err.
func saveErr(s *session, v Vault, err error) error {
	if s.backend != nil {
		if gone := s.backend.FolderGone(v); gone != nil {
			return gone
		}
	}
	return err
}

// withAudit writes session s's events to the audit log of its vault v and
// returns msg, followed by an auditErrMsg when they could not be written.
// (v is the one the command took when it started: the session's own field
// belongs to Update.)
func withAudit(msg tea.Msg, s *session, v Vault, evs ...audit.Event) tea.Msg {
	if len(evs) == 0 || s.backend == nil {
		return msg
	}
	if err := s.backend.Audit(v, evs...); err != nil {
		return tea.Sequence(send(msg), send(auditErrMsg{s, err}))()
	}
	return msg
}

// auditCmd writes session s's events to the audit log (a code copied).
func auditCmd(s *session, evs ...audit.Event) tea.Cmd {
	if s.v == nil || s.backend == nil {
		return nil
	}
	v, b := s.v, s.backend
	return func() tea.Msg {
		if err := b.Audit(v, evs...); err != nil {
			return auditErrMsg{s, err}
		}
		return nil
	}
}

// lockEventWait bounds how long a lock waits for its line in the audit
// log (a disk or a network share that stalls) before it closes the vault
// anyway: the codes are off the screen already; the key must not stay.
var lockEventWait = 2 * time.Second

// lockEventCmd writes a lock event (reason) under v, which the lock has
// already taken off the screen, and then closes v: the audit key is in
// the open vault, so the event comes first, the close at once after, or
// after lockEventWait at most.
func lockEventCmd(b Backend, v Vault, reason string) tea.Cmd {
	return func() tea.Msg {
		defer v.Close()
		done := make(chan error, 1)
		go func() { done <- b.Audit(v, audit.Event{Event: audit.Lock, Detail: map[string]any{"reason": reason}}) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(lockEventWait):
			err = fmt.Errorf("the lock was not written to the audit log within %s: the vault was closed without it", lockEventWait)
		}
		if err != nil {
			return toastMsg{text: oneLine(sentence(err)), isErr: true}
		}
		return nil
	}
}

// auditLogCmd reads and checks the audit log of session s's vault for the
// log view: the last n lines, the whole chain checked.
func auditLogCmd(s *session, n int) tea.Cmd {
	if s.v == nil || s.backend == nil {
		return nil
	}
	v, b := s.v, s.backend
	return func() tea.Msg {
		l, err := b.AuditLog(v, n)
		return logReadMsg{from: s, log: l, err: err}
	}
}

// nextHOTPCmd saves the advanced counter, then makes the code (and asks
// for it to be copied when copy is set).
func nextHOTPCmd(s *session, a vault.Account, copy bool) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		var c uint64
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			c, err = tx.NextHOTP(a.ID)
			return err
		})
		if err != nil {
			return hotpMsg{changed: changed{from: s}, id: a.ID, err: saveErr(s, v, err)}
		}
		code, err := vault.HOTPCode(a, c)
		msg := hotpMsg{changed: snapshot(s, v), id: a.ID, code: code, copy: copy, err: err}
		if err != nil {
			return msg
		}
		return withAudit(msg, s, v, audit.Event{Event: audit.CodeShown, Account: a.ID})
	}
}

// syncCmd syncs in the background. A failure of any kind, even a panic
// in the sync code, comes back as one line: the code screen stays up.
func syncCmd(b Backend, s *session) tea.Cmd {
	v := s.v
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = syncedMsg{changed: changed{from: s}, local: b.Local(v), err: fmt.Errorf("the sync stopped on an internal error (%v); the local vault is unchanged or merged, never damaged", r)}
			}
		}()
		sum, err := b.Sync(s.ctx, v)
		out := syncedMsg{changed: changed{from: s}, summary: sum, err: err, local: b.Local(v)}
		if err == nil {
			out.changed = snapshot(s, v)
		}
		return out
	}
}

// saveRecentCmd stores when each account was last copied. A failure only
// loses the order of "sort by recent use": it is not reported.
func saveRecentCmd(b Backend, v Vault, recent map[string]int64) tea.Cmd {
	recent = maps.Clone(recent)
	return func() tea.Msg { _ = b.SaveRecent(v, recent); return nil }
}

// Where the add screen's accounts come from.
const (
	fromScreen = iota
	fromClipboard
	fromFile
	fromLink // an otpauth-migration:// link pasted into the form
)

// foundMsg carries what the screen, the clipboard or a file held, for the
// add screen of session from; req says which reading it answers (a later
// one replaces it).
type foundMsg struct {
	from  *session
	req   int
	found Found
	known []bool // known[i]: the vault already holds found.Accounts[i]
	err   error
}

// findCmd reads accounts from the screen, the clipboard or the file at
// path (pass: an encrypted export's passphrase, wiped when done), for
// session s. ctx is the session's, or a child of it: a lock, or esc,
// cancels the capture. Its errors name the problem, never the content.
func findCmd(ctx context.Context, b Backend, s *session, req, from int, path string, pass []byte) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		var f Found
		var err error
		switch from {
		case fromScreen:
			f, err = b.FindOnScreen(ctx)
		case fromClipboard:
			f, err = b.FindOnClipboard(ctx)
		default:
			f, err = b.ImportFile(path, pass)
			freeKDFMemory()
		}
		if err == nil && len(f.Accounts) == 0 {
			err = errors.New("no account was found there")
		}
		if ctx.Err() != nil { // cancelled: nobody will show it
			wipeAll(f.Accounts)
			return foundMsg{from: s, req: req, err: ctx.Err()}
		}
		msg := foundMsg{from: s, req: req, found: f, err: err}
		if err == nil && s.v != nil {
			msg.known = known(s.v, f.Accounts)
		}
		return msg
	}
}

// chooseCmd hands the accounts of a pasted export link to the add screen's
// choice, as a reading would, with which of them the vault already holds
// (worked out here, off the Update loop: it reads every account).
func chooseCmd(s *session, req int, f Found) tea.Cmd {
	return func() tea.Msg {
		msg := foundMsg{from: s, req: req, found: f}
		if s.v != nil {
			msg.known = known(s.v, f.Accounts)
		}
		return msg
	}
}

// known says which of as vault v already holds (the same issuer, name and
// secret: what the save will report as a duplicate).
func known(v Vault, as []vault.Account) []bool {
	live := v.Accounts()
	defer wipeAll(live)
	out := make([]bool, len(as))
	for i, a := range as {
		for _, l := range live {
			if a.SameContent(l) {
				out[i] = true
				break
			}
		}
	}
	return out
}

// addedMsg is the result of saving the add screen's accounts: those added
// (with their IDs) and those already in the vault.
type addedMsg struct {
	changed
	added, dups []vault.Account
	err         error
}

// addAccountsCmd adds the accounts that session s's vault does not hold
// yet, in one merge, and says which were duplicates.
func addAccountsCmd(b Backend, s *session, as []vault.Account) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		added, dups, err := b.AddAccounts(v, as)
		if err != nil {
			return addedMsg{changed: changed{from: s}, err: saveErr(s, v, err)}
		}
		// One add line per account added, as 'wardkey add' (and its
		// --screen and --clipboard) writes.
		evs := make([]audit.Event, 0, len(added))
		for _, a := range added {
			evs = append(evs, audit.Event{Event: audit.Add, Account: a.ID, Detail: map[string]any{"type": string(a.Type)}})
		}
		return withAudit(addedMsg{changed: snapshot(s, v), added: added, dups: dups}, s, v, evs...)
	}
}

// deleteFileCmd deletes the image file whose accounts were saved, and
// says so on the status line.
func deleteFileCmd(b Backend, path string) tea.Cmd {
	return func() tea.Msg {
		if err := b.DeleteFile(path); err != nil {
			return toastMsg{"Not deleted: " + err.Error(), true}
		}
		return toastMsg{"Deleted " + text(path) + ".", false}
	}
}

// checkPathCmd refuses an existing file or a missing folder before any
// passphrase is asked; typed is the path as the person typed it.
func checkPathCmd(b Backend, path, typed string) tea.Cmd {
	return func() tea.Msg { return exportPathMsg{path, b.CheckBackupTarget(path, typed)} }
}

// strengthCmd checks a new backup passphrase, a copy it wipes when done
// (the field keeps its own until the repeat).
func strengthCmd(b Backend, pass []byte, profile string) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		return exportStrengthMsg{b.CheckBackupPassphrase(pass, profile)}
	}
}

// exportCmd encrypts the vault's state to path and notes the time of the
// backup; it wipes pass when done.
func exportCmd(b Backend, v Vault, path string, pass []byte) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		r, err := b.Export(v, path, pass)
		freeKDFMemory()
		msg := exportedMsg{path: path, result: r, err: err}
		if err != nil {
			return msg
		}
		ev := audit.Event{Event: audit.Export, Detail: map[string]any{"format": "age", "accounts": r.Accounts}}
		if err := b.Audit(v, ev); err != nil {
			return tea.Sequence(send(msg), toast(oneLine(sentence(err)), true))()
		}
		return msg
	}
}

// readBackupCmd decrypts and checks the whole backup, then plans the
// restore both ways, before anything is changed; it wipes pass.
func readBackupCmd(b Backend, v Vault, file, typed string, pass []byte) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		bk, err := b.ReadBackup(file, typed, pass)
		freeKDFMemory()
		if err != nil {
			return backupReadMsg{file: file, err: sentence(err), retype: errors.Is(err, backup.ErrWrongPassphrase)}
		}
		cur := v.State()
		defer wipeAll(cur.Accounts)
		msg := backupReadMsg{file: file, backup: bk, info: backupInfo(bk, v.ID())}
		msg.plans[0] = vault.PlanRestore(cur, bk.State, false)
		msg.plans[1] = vault.PlanRestore(cur, bk.State, true)
		return msg
	}
}

// applyRestoreCmd merges the backup into the vault.
func applyRestoreCmd(s *session, b vault.State, undelete bool) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		var done vault.RestorePlan
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			done, err = vault.ApplyRestore(tx, b, undelete)
			return err
		})
		if err != nil {
			return restoredMsg{changed: changed{from: s}, err: fmt.Errorf("restore: %w", saveErr(s, v, err))}
		}
		return withAudit(restoredMsg{changed: snapshot(s, v), done: done}, s, v, audit.Event{Event: audit.Restore,
			Detail: map[string]any{"added": len(done.Added), "updated": len(done.Updated), "undeleted": len(done.Undeleted), "removed": len(done.Removed)}})
	}
}

// clipboardWriteCmd puts code on the system clipboard (OSC 52 is sent
// beside it by the copier).
func clipboardWriteCmd(b Backend, code string) tea.Cmd {
	return func() tea.Msg {
		cb := b.Clipboard()
		if cb == nil {
			return nil
		}
		if err := cb.Write(code); err != nil {
			return clipErrMsg{err}
		}
		return nil
	}
}

// clipboardClearCmd clears the clipboard if, where it can be read, it
// still holds code: someone may have copied something else since.
func clipboardClearCmd(b Backend, code string) tea.Cmd {
	return func() tea.Msg {
		if cb := b.Clipboard(); cb != nil {
			if cur, ok := cb.Read(); ok && cur != code {
				return nil // not ours any more: leave it
			}
			_ = cb.Write("")
		}
		return tea.SetClipboard("")()
	}
}

// wipeAll wipes the secrets of accounts nobody will show.
func wipeAll(as []vault.Account) {
	for _, a := range as {
		a.Secret.Wipe()
	}
}

// reauthWaitCmd asks how long earlier failures make a re-authentication
// of session s wait, like an unlock (checkWaitCmd); pass travels on.
func reauthWaitCmd(b Backend, s *session, p *prompt, now time.Time, pass []byte) tea.Cmd {
	profile := s.profile.Name
	return func() tea.Msg {
		n, w := b.UnlockWait(profile)
		return reauthWaitMsg{from: s, prompt: p, failed: n, until: now.Add(w), pass: pass}
	}
}

// reauthCmd checks the passphrase typed again for session s's vault; it
// wipes pass when done.
func reauthCmd(b Backend, s *session, p *prompt, pass []byte) tea.Cmd {
	profile, v := s.profile.Name, s.v
	return func() tea.Msg {
		defer clear(pass)
		err := b.Reauth(profile, v, pass)
		freeKDFMemory()
		return reauthedMsg{from: s, prompt: p, err: err}
	}
}

// saveSettingsCmd saves the settings screen's values for session s.
func saveSettingsCmd(b Backend, s *session, ch SettingsChange) tea.Cmd {
	profile, v := s.profile.Name, s.v
	return func() tea.Msg {
		got, err := b.SaveSettings(profile, v, ch)
		if err != nil {
			return settingsSavedMsg{from: s, err: err}
		}
		return settingsSavedMsg{from: s, saved: got, settings: v.Settings()}
	}
}

// recoveryAddedMsg says whether the acknowledged recovery code's slot was
// written for session from.
type recoveryAddedMsg struct {
	from *session
	err  error
}

// addRecoveryCmd writes the recovery slot of session s's vault for code,
// which the person has just said is written down.
func addRecoveryCmd(b Backend, s *session, code string) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		err := b.AddRecovery(v, code)
		freeKDFMemory()
		return recoveryAddedMsg{from: s, err: err}
	}
}

// createProfileCmd makes a new person's profile (ctrl+n, or the first run
// of a shared machine) and opens it, its recovery code pending.
func createProfileCmd(c *common, r NewProfileRequest) tea.Cmd {
	b, newCode := c.backend(), c.recoveryCode
	return func() tea.Msg {
		defer clear(r.Passphrase) // the backend wipes it too
		v, p, err := b.CreateProfile(r)
		freeKDFMemory()
		msg := loaded(b, v, err, false, false)
		if err == nil {
			msg.created = newCode()
			msg.person = &p
		}
		return msg
	}
}

// keyringDroppedMsg is the result of giving a keyring-only vault a
// passphrase on a shared machine.
type keyringDroppedMsg struct {
	from  *session
	slots []string
	err   error
}

// dropKeyringCmd gives session s's keyring-only vault a passphrase and
// drops its keyring slot; it wipes pass.
func dropKeyringCmd(b Backend, s *session, pass []byte) tea.Cmd {
	v := s.v
	return func() tea.Msg {
		defer clear(pass) // the backend wipes it too
		err := b.DropKeyring(v, pass)
		freeKDFMemory()
		return keyringDroppedMsg{from: s, slots: v.SlotKinds(), err: err}
	}
}

// firstBackupMsg is a backup read on the first-run screen, to start a new
// vault with, or why it did not open.
type firstBackupMsg struct {
	backup backup.Backup
	info   string
	err    string
	retype bool // the passphrase was wrong: ask it again
}

// readFirstBackupCmd decrypts and checks a whole backup for the first-run
// screen (there is no vault to plan against yet); it wipes pass.
func readFirstBackupCmd(b Backend, file, typed string, pass []byte) tea.Cmd {
	return func() tea.Msg {
		defer clear(pass)
		bk, err := b.ReadBackup(file, typed, pass)
		freeKDFMemory()
		if err != nil {
			return firstBackupMsg{err: sentence(err), retype: errors.Is(err, backup.ErrWrongPassphrase)}
		}
		return firstBackupMsg{backup: bk, info: backupInfo(bk, "")}
	}
}
