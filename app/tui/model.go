package tui

import (
	"cmp"
	"fmt"
	"log/slog"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/vault"
)

// Model is the root of the TUI, the one tea.Model. It holds the session
// (session.go), the code list, the screen in front of it, the copier and
// the status line, and routes every message: what belongs to one of them
// goes there, the rest to the screen in front. A screen changes the root
// only by the screen its Update returns and the messages it sends up
// (lockMsg, quitMsg, helpMsg, copyMsg, toastMsg).
type Model struct {
	c        *common
	list     codesModel // the home screen of an open session
	front    screen     // the screen in front of the list; nil: the list
	copier   copier
	status   status
	keyHelp  help.Model // the key line under the list
	quitting bool
	initCmd  tea.Cmd // what the first screen starts with

	relaunch    bool   // the program ended at a lock (Config.EndOnLock)
	relaunchWhy string // that lock's reason, for the next process
}

// accountsMsg tells the screen in front that the accounts changed (a save,
// a sync, a restore), so it can follow its own account.
type accountsMsg struct{ accounts []vault.Account }

// New returns the root model for cfg: the first-run screen when the
// profile has no vault, else its unlock screen.
func New(cfg Config) Model {
	c := &common{cfg: cfg, keys: DefaultKeyMap(), styles: NewStyles(true), dark: true, width: 80, height: 24,
		sess: newSession(cfg.Profile), barModel: newBar()}
	c.keys.Export.SetEnabled(cfg.Export)
	m := Model{c: c, list: newCodes(c), keyHelp: help.New()}
	m.keyHelp.Styles = help.DefaultStyles(true)
	switch {
	case cfg.Picker:
		c.sess = newSession(Profile{})
		m.front, m.initCmd = newPicker(c, cfg.LockedWhy)
	case !cfg.Profile.HasVault && !cfg.Profile.Demo:
		m.front, m.initCmd = newFirstRun(c)
	default:
		m.front, m.initCmd = newUnlock(c, cfg.Locked, cfg.LockedWhy)
	}
	return m
}

// Relaunch reports that the program ended at a lock (Config.EndOnLock):
// the caller starts a fresh process on the locked screen, passing why on
// as Config.LockedWhy.
func (m Model) Relaunch() (why string, ok bool) { return m.relaunchWhy, m.relaunch }

// Init asks the terminal's background colour and starts the first screen
// (New already put that screen in its starting state).
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.initCmd}
	if m.c.cfg.OSLock {
		cmds = append(cmds, osLockCmd(m.c.backend()))
	}
	return tea.Batch(cmds...)
}

// Update routes a message, then fits the list to what the banners leave.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if l := m.c.cfg.Log; l != nil {
		l.Debug("message", slog.String("type", fmt.Sprintf("%T", msg))) // the type only: contents may hold secrets
	}
	m, cmd := m.update(msg)
	m.list = m.list.SetSize(m.c.width, m.listHeight()).(codesModel)
	return m, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	ch, ok := msg.(interface{ changes() changed })
	if !ok || isOpened(msg) {
		return m.handle(msg)
	}
	// A command changed the vault and read the accounts back.
	as := ch.changes().accounts
	if ch.changes().from != m.c.sess || !m.c.sess.isOpen() {
		wipeAll(as) // from a session that ended meanwhile
		return m, nil
	}
	var follow tea.Cmd
	if as != nil {
		m.list = m.list.setAccounts(as)
		m.c.sess.lastChange = ch.changes().lastChange
		if m.front != nil {
			m.front, follow = m.front.Update(accountsMsg{as})
		}
	}
	m, cmd := m.handle(msg)
	return m, tea.Batch(follow, cmd)
}

// handle does what msg asks of the root, or routes it.
func (m Model) handle(msg tea.Msg) (Model, tea.Cmd) {
	c, s := m.c, m.c.sess
	now := c.cfg.now()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.width, c.height = msg.Width, msg.Height
		if m.front != nil {
			m.front = m.front.SetSize(msg.Width, msg.Height-2)
		}
		return m, nil
	case tea.BackgroundColorMsg:
		c.styles, c.dark = NewStyles(msg.IsDark()), msg.IsDark()
		m.keyHelp.Styles = help.DefaultStyles(msg.IsDark())
		l, _ := m.list.Update(msg)
		m.list = l.(codesModel)
		if m.front == nil {
			return m, nil
		}
	case tickMsg:
		if msg.s != s || !s.isOpen() {
			return m, nil
		}
		return m.onTick()
	case openedMsg:
		if msg.err == nil && msg.v != nil {
			if msg.person != nil {
				// A profile made just now: one vault open at a time.
				var clear tea.Cmd
				m.copier, clear = m.copier.clear(c.backend())
				logged := m.forgetLogged(lockSwitch)
				c.sess.cancel()
				c.sess = newSession(*msg.person)
				m, cmd := m.unlocked(msg)
				return m, tea.Batch(clear, logged, cmd)
			}
			return m.unlocked(msg)
		}
	case clockMsg:
		if msg.from != s {
			return m, nil
		}
		s.ntpKnown, s.ntpOffset = msg.err == nil, msg.measured
		return m, nil
	case localMsg:
		s.setLocal(msg.local)
		return m, nil
	case toastMsg:
		m.status = m.status.set(msg.text, msg.isErr, now)
		return m, nil
	case clipErrMsg:
		m.status = m.status.set("Copied through the terminal only: "+msg.err.Error(), true, now)
		return m, nil
	case copyMsg:
		return m.copy(msg)
	case savedMsg:
		switch {
		case msg.err != nil:
			m.status = m.status.set("Not saved: "+describeSave(msg.err), true, now)
		case msg.note != "":
			m.status = m.status.set(msg.note, false, now)
		}
		if msg.selectID != "" {
			m.list.selectID(msg.selectID)
		}
		return m, nil
	case hotpMsg:
		if msg.err != nil {
			m.status = m.status.set("No code: "+describeSave(msg.err), true, now)
			return m, nil
		}
		m.list.hotp[msg.id] = msg.code
		m, cmd := m.route(msg)
		if a, ok := m.list.account(msg.id); ok && msg.copy {
			m, copyCmd := m.copy(copyMsg{a, msg.code})
			return m, tea.Batch(cmd, copyCmd)
		}
		return m, cmd
	case syncedMsg:
		s.setLocal(msg.local)
		if msg.err != nil {
			m.status = m.status.set("Sync failed: "+oneLine(msg.err.Error()), true, now)
		} else {
			m.status = m.status.set(oneLine(msg.summary), false, now)
		}
		return m, nil
	case restoredMsg:
		if _, ok := m.front.(restoreModel); !ok && msg.err != nil {
			m.status = m.status.set("Not restored: "+describeSave(msg.err), true, now)
			return m, nil
		}
	case backupReadMsg:
		if _, ok := m.front.(restoreModel); !ok || !s.isOpen() {
			wipeRead(msg)
			return m, nil
		}
	case foundMsg:
		if _, ok := m.front.(addModel); !ok || msg.from != s {
			wipeAll(msg.found.Accounts)
			return m, nil
		}
	case addedMsg:
		if msg.err != nil {
			m.status = m.status.set("Not saved: "+describeSave(msg.err), true, now)
		} else {
			m.status = m.status.set(addedNote(msg.added, msg.dups), false, now)
		}
		if len(msg.added) > 0 {
			m.list.selectID(msg.added[0].ID)
		}
		if _, ok := m.front.(addModel); !ok {
			return m, nil
		}
	case helpMsg:
		groups := m.list.FullHelp()
		if m.front != nil {
			groups = m.front.FullHelp()
		}
		m.front = newHelp(c, m.front, groups)
		return m, nil
	case lockMsg:
		return m.lock(msg.why, cmp.Or(msg.reason, lockManual))
	case osLockMsg:
		rearm := osLockCmd(c.backend())
		if !s.isOpen() {
			return m, rearm
		}
		m, cmd := m.lock("Locked with this computer's session.", lockOS)
		return m, tea.Batch(cmd, rearm)
	case quitMsg:
		return m.quit(lockQuit)
	case pickMsg:
		// One vault open at a time: whoever was open is locked first.
		var clear, cmd tea.Cmd
		m.copier, clear = m.copier.clear(c.backend())
		logged := m.forgetLogged(lockSwitch)
		c.sess.cancel()
		c.sess = newSession(msg.p)
		m.front, cmd = newUnlock(c, false, "")
		return m, tea.Batch(clear, logged, cmd)
	case StopMsg:
		return m.quit(lockSignal)
	case auditErrMsg:
		if msg.from == s {
			m.status = m.status.set(oneLine(sentence(msg.err)), true, now)
		}
		return m, nil
	case reauthWaitMsg:
		if r, ok := m.front.(reauthModel); !ok || msg.from != s || r.id != msg.prompt {
			clear(msg.pass) // the prompt is gone (esc, a lock): nothing to check
			return m, nil
		}
	case reauthedMsg:
		if msg.from != s {
			return m, nil
		}
		if msg.err == nil {
			s.passTyped = now // typed again: the window starts over
		}
	case settingsSavedMsg:
		if msg.from != s || !s.isOpen() {
			return m, nil
		}
		if msg.err == nil {
			m.status = m.status.set(s.takeSettings(msg, c.cfg.Caps), false, now)
		}
	case tea.KeyPressMsg:
		s.lastInput = now
		if matches(msg, c.keys.ForceQuit) {
			return m.quit(lockQuit)
		}
	case tea.PasteMsg, tea.MouseMsg:
		s.lastInput = now
	}
	return m.route(msg)
}

// isOpened says msg is an opening's result, which starts a session
// rather than changing an open one.
func isOpened(msg tea.Msg) bool { _, ok := msg.(openedMsg); return ok }

// route hands a message to the screen in front, or to the list, and puts
// in front the screen it returns (nil: the list).
func (m Model) route(msg tea.Msg) (Model, tea.Cmd) {
	var next screen
	var cmd tea.Cmd
	switch {
	case m.front != nil:
		next, cmd = m.front.Update(msg)
	case m.c.sess.isOpen():
		next, cmd = m.list.Update(msg)
	default:
		return m, nil
	}
	if l, ok := next.(codesModel); ok {
		m.list, next = l, nil
	}
	if next == nil && !m.c.sess.isOpen() {
		return m, cmd // no list to go back to while locked
	}
	m.front = next
	return m, cmd
}

// quit clears the clipboard if it holds our code, forgets, writes the
// lock event (reason: lockQuit, or lockSignal for a StopMsg), and quits.
func (m Model) quit(reason string) (Model, tea.Cmd) {
	var clear tea.Cmd
	m.copier, clear = m.copier.clear(m.c.backend())
	logged := m.forgetLogged(reason)
	m.quitting = true
	return m, sequence(clear, logged, tea.Quit)
}

// listHeight is the height of the code list area.
func (m Model) listHeight() int {
	return max(m.c.height-3-len(banners(m.c, len(m.list.items), m.c.cfg.now())), 1)
}

// View renders the header and the screen in front (or the list).
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "wardkey"
	return v
}

func (m Model) render() string {
	if m.quitting {
		return ""
	}
	c := m.c
	w, h, now := c.width, c.height, c.cfg.now()
	header := headerView(c, len(m.list.items), m.list.sort == byRecent, w)
	statusLine := m.status.view(c, m.copier.line(now), w)
	if m.front == nil {
		if !c.sess.isOpen() {
			return fit(header, w, h)
		}
		var b strings.Builder
		for _, l := range banners(c, len(m.list.items), now) {
			b.WriteString(c.styles.Warn.Render(cut(l, w)) + "\n")
		}
		lh := m.listHeight()
		list := m.list.View()
		b.WriteString(list)
		if n := lipgloss.Height(list); n < lh {
			b.WriteString(strings.Repeat("\n", lh-n))
		}
		b.WriteString("\n" + statusLine + "\n")
		m.keyHelp.SetWidth(w)
		b.WriteString(m.keyHelp.ShortHelpView(m.list.ShortHelp()))
		return fit(header+"\n"+b.String(), w, h)
	}
	body := m.front.View()
	if _, big := m.front.(bigModel); !big && m.status.text != "" {
		body += "\n\n" + statusLine
	}
	if l := lockWarning(c, now); l != "" {
		// On top, over the screen's first line: a form fills the screen.
		return fit(header+"\n"+c.styles.Warn.Render(cut("! "+l, w))+"\n"+body, w, h)
	}
	return fit(header+"\n\n"+body, w, h)
}

// Locked reports whether no vault is open (tests, the tmux check).
func (m Model) Locked() bool { return !m.c.sess.isOpen() }

var _ tea.Model = Model{}
