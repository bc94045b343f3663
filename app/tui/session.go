package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// ClipboardClearAfter is how long a copied code stays on the clipboard
// (the clipboard_clear setting's default).
const ClipboardClearAfter = 20 * time.Second

// session is one profile, from the unlock screen to the lock: the open
// vault and everything that belongs to it and to this machine (the
// applied clock offset, the last backup and sync, the idle lock, what NTP
// said). Switching people is closing one session and opening another:
// nothing of a closed session survives it. The root owns the session and
// changes it only in Update.
type session struct {
	profile    Profile
	v          Vault // nil while locked
	local      vault.Local
	offset     time.Duration // applied clock offset (local.json)
	lastChange time.Time     // newest change in the vault
	canSync    bool          // the profile has a remembered remote
	lockAfter  time.Duration
	clipClear  time.Duration
	lastInput  time.Time
	ntpKnown   bool          // an NTP server answered after the unlock
	ntpOffset  time.Duration // what it said: server minus this clock

	// Re-authentication (reauth.go): the vault has a passphrase slot, how
	// long a typed passphrase is good for (0: always ask), and when it was
	// last typed in this session (the unlock counts; zero: never).
	hasPassphrase bool
	reauthAfter   time.Duration
	passTyped     time.Time

	// ctx is the session's work: a lock cancels it, so a sync or an NTP
	// question in flight stops at once instead of running to its timeout.
	ctx    context.Context
	cancel context.CancelFunc

	// notice is the failed-attempts notice of this unlock (a banner), or "".
	notice string
	// backend writes the audit events of the session's commands.
	backend Backend
}

// Messages of the session.
type (
	// tickMsg is the once-a-second redraw of session s: each session is its
	// own tick generation, so a chain started before a lock stops there.
	tickMsg struct{ s *session }
	// openedMsg says the vault opened (v set) or did not (err set). A
	// success makes the root start a session: the unlock.
	openedMsg struct {
		changed // the accounts, read by the command
		v       Vault
		err     error
		keyring bool // the attempt was the keyring's (no passphrase)
		local   vault.Local
		recent  map[string]int64
		canSync bool
		created string   // the recovery code of a vault made just now
		person  *Profile // a profile made just now: its session starts
		demo    bool     // the demo was opened from the first-run screen
		notice  string   // failed attempts since the last unlock (Backend.UnlockNotice)
	}
	// clockMsg is the NTP measurement made after an unlock.
	clockMsg struct {
		from     *session
		measured time.Duration
		err      error
	}
	// localMsg is this machine's state, re-read after a sync or a backup.
	localMsg struct{ local vault.Local }
)

// newSession is the session of profile p, locked.
func newSession(p Profile) *session {
	ctx, cancel := context.WithCancel(context.Background())
	return &session{profile: p, clipClear: ClipboardClearAfter, ctx: ctx, cancel: cancel}
}

// open starts the session on a freshly opened vault at now.
func (s *session) open(msg openedMsg, now time.Time, caps map[string]int) {
	s.v = msg.v
	switch {
	case msg.created != "":
		s.profile.HasVault, s.profile.Demo = true, false
		s.profile.Slots = msg.v.SlotKinds()
	case msg.demo:
		s.profile.Demo = true
	}
	s.setLocal(msg.local)
	s.canSync = msg.canSync && !s.profile.Demo
	s.useSettings(s.v.Settings(), caps)
	s.lastInput = now
	// A passphrase slot the vault has, or the profile was listed with
	// (when either says so, there is a passphrase to ask).
	s.hasPassphrase = (slices.Contains(s.v.SlotKinds(), vault.SlotPassphrase) || s.profile.has(vault.SlotPassphrase)) && !s.profile.Demo
	if !msg.keyring {
		s.passTyped = now // typed at the unlock (or when the vault was made)
	}
	s.notice = msg.notice
}

// passphraseTyped notes that the vault now has a passphrase, typed at now
// (a keyring-only vault given one on a shared machine): re-authentication
// asks for it from here on.
func (s *session) passphraseTyped(now time.Time) {
	s.hasPassphrase, s.passTyped = true, now
}

// useSettings takes the vault's settings, each at most its cap.
func (s *session) useSettings(st vault.Settings, caps map[string]int) {
	capped := func(key string, v int) time.Duration {
		if c, ok := caps[key]; ok && c < v {
			v = c
		}
		return time.Duration(v) * time.Second
	}
	s.lockAfter = capped(vault.SettingLockAfter, st.LockAfterSeconds())
	s.reauthAfter = capped(vault.SettingReauthAfter, st.ReauthAfterSeconds())
	s.clipClear = capped(vault.SettingClipboardClear, st.ClipboardClearSeconds())
}

// needsReauth reports whether an action guarded by re-authentication must
// ask for the passphrase at now: the vault has one, and it was not typed
// within reauth_after (0: always ask).
func (s *session) needsReauth(now time.Time) bool {
	if !s.hasPassphrase {
		return false // a keyring-only vault, or the demo: nothing to ask
	}
	return s.reauthAfter <= 0 || s.passTyped.IsZero() || now.Sub(s.passTyped) >= s.reauthAfter
}

// setLocal takes this machine's state (and its clock offset).
func (s *session) setLocal(l vault.Local) {
	s.local = l
	s.offset = l.Offset()
}

// close drops the vault and returns the next session of the same
// profile, locked. Screens holding secrets wipe them themselves. What a
// command started in this session brings back later is dropped (see
// changed): opening another person's profile will be the same move with
// another Profile.
func (s *session) close() *session {
	s.cancel()
	if s.v != nil {
		s.v.Close()
		s.v = nil
	}
	return newSession(s.profile)
}

// isOpen reports whether a vault is open.
func (s *session) isOpen() bool { return s.v != nil }

// idle reports whether the idle lock is due at now.
func (s *session) idle(now time.Time) bool {
	return s.v != nil && s.lockAfter > 0 && now.Sub(s.lastInput) >= s.lockAfter
}

// idleWords says why the idle lock came: "Locked after 2 min without a
// key press."
func (s *session) idleWords() string {
	d := s.lockAfter
	n := fmt.Sprintf("%d s", int(d/time.Second))
	if d%time.Minute == 0 {
		n = fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return "Locked after " + n + " without a key press."
}

// tick schedules the next redraw just after the next second boundary of
// the code clock (now plus the offset).
func (s *session) tick(c *common) tea.Cmd {
	t := c.codeTime()
	d := time.Second - time.Duration(t.UnixNano()%int64(time.Second)) + 2*time.Millisecond
	return c.cfg.after(d, tickMsg{s})
}

// unlocked starts the session on a freshly opened vault and shows its
// codes (or, for a vault made just now, its recovery code first).
func (m Model) unlocked(msg openedMsg) (Model, tea.Cmd) {
	c, s := m.c, m.c.sess
	s.open(msg, c.cfg.now(), c.cfg.Caps)
	s.backend = c.backend()
	c.keys.Sync.SetEnabled(s.canSync)
	m.list = newCodes(c)
	if msg.recent != nil {
		m.list.recent = msg.recent
	}
	m.list = m.list.setAccounts(msg.accounts)
	s.lastChange = msg.lastChange
	m.front = nil
	var cmd tea.Cmd
	switch {
	case c.cfg.Shared && !s.profile.Demo && s.onlyKeyring():
		// A shared machine: a vault that opens for anyone at this login
		// gets a passphrase before its codes show.
		m.front, cmd = newSetPassphrase(c)
	case msg.created != "":
		m.front = newRecovery(c, msg.created, false)
	case msg.local.RecoveryPending && !s.has(vault.SlotRecovery):
		m.front = newRecovery(c, c.recoveryCode(), true)
	}
	return m, tea.Batch(s.tick(c), measureClockCmd(c.backend(), s), cmd)
}

// onTick locks when idle, clears the clipboard when due, and redraws.
func (m Model) onTick() (Model, tea.Cmd) {
	s, now := m.c.sess, m.c.cfg.now()
	if s.idle(now) {
		return m.lock(s.idleWords(), lockIdle)
	}
	var cmds []tea.Cmd
	if m.copier.due(now) {
		var clear tea.Cmd
		m.copier, clear = m.copier.clear(m.c.backend())
		m.status = m.status.set("Clipboard cleared.", false, now)
		cmds = append(cmds, clear)
	}
	m.status = m.status.expire(now)
	return m, tea.Batch(append(cmds, s.tick(m.c))...)
}

// Why a lock came, as the audit log's lock event says (detail "reason").
const (
	lockIdle   = "idle"
	lockManual = "manual"
	lockOS     = "os_lock"
	lockSignal = "signal"
	lockSwitch = "switch"
	lockQuit   = "quit"
)

// forgetLogged is forget for a lock: the codes leave the screen at once,
// and the command it returns writes the lock event (reason) under the
// vault, whose audit key it needs, and only then closes it. The vault
// stays open for that one append (milliseconds, nothing on screen), so the
// hiding never waits on the disk; nil when no vault was open.
func (m *Model) forgetLogged(reason string) tea.Cmd {
	s := m.c.sess
	v := s.v
	s.v = nil // close (in forget) leaves it to the command
	m.forget()
	if v == nil {
		return nil
	}
	return lockEventCmd(m.c.backend(), v, reason)
}

// forget drops the vault, the accounts, every code and every screen that
// held a secret.
func (m *Model) forget() {
	m.list = m.list.wipe()
	if f, ok := m.front.(interface{ forget() }); ok {
		f.forget()
	}
	m.front = nil
	m.c.sess = m.c.sess.close()
}

// lock forgets everything secret and shows the unlock screen; reason is
// the lock event's (lockIdle, lockManual …).
func (m Model) lock(why, reason string) (Model, tea.Cmd) {
	var clear, cmd tea.Cmd
	m.copier, clear = m.copier.clear(m.c.backend())
	logged := m.forgetLogged(reason)
	m.status = status{}
	if m.c.cfg.EndOnLock {
		// The clipboard is cleared and the lock event written first; then
		// the process ends and is started again (Relaunch), leaving nothing
		// of this session in memory.
		m.relaunch, m.relaunchWhy = true, why
		return m, sequence(clear, logged, tea.Quit)
	}
	if m.c.cfg.Picker {
		m.c.sess.cancel()
		m.c.sess = newSession(Profile{})
		m.front, cmd = newPicker(m.c, why)
		return m, tea.Batch(clear, logged, cmd)
	}
	m.front, cmd = newUnlock(m.c, true, why)
	return m, tea.Batch(clear, logged, cmd)
}

// sequence is tea.Sequence of the commands that are not nil.
func sequence(cmds ...tea.Cmd) tea.Cmd {
	var out []tea.Cmd
	for _, c := range cmds {
		if c != nil {
			out = append(out, c)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return tea.Sequence(out...)
}

// has reports whether the open vault has a slot of this kind: its own
// slots, else (a vault in memory has none) the profile's as listed.
func (s *session) has(kind string) bool {
	kinds := s.profile.Slots
	if s.v != nil && len(s.v.SlotKinds()) > 0 {
		kinds = s.v.SlotKinds()
	}
	for _, k := range kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// onlyKeyring reports whether the open vault opens with its keyring slot
// and nothing typed (no passphrase slot).
func (s *session) onlyKeyring() bool {
	return s.has(vault.SlotKeyring) && !s.has(vault.SlotPassphrase)
}
