package tui

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/progress"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/vault"
)

// ClipboardClearAfter is how long a copied code stays on the clipboard.
const ClipboardClearAfter = 20 * time.Second

// screen is which child model has the keys.
type screen int

const (
	scrUnlock screen = iota
	scrFirstRun
	scrRecovery // the recovery code of a vault made just now, shown once
	scrCodes
	scrBig
	scrAdd
	scrEdit
	scrConfirm
	scrHelp
	scrExport
	scrRestore
)

// shared is what every screen reads: configuration, keys, styles, size
// and the clock. The root owns it; children hold a pointer.
type shared struct {
	cfg           Config
	keys          KeyMap
	styles        Styles
	width, height int
	offset        time.Duration // applied clock offset (local.json)
	barModel      progress.Model
}

// codeTime is the time codes are computed for: the clock plus the offset.
func (s *shared) codeTime() time.Time { return s.cfg.now().Add(s.offset) }

// bar draws a countdown bar w cells wide, frac full.
func (s *shared) bar(frac float64, w int, warn bool) string {
	if w < 1 {
		return ""
	}
	b := s.barModel
	b.SetWidth(w)
	b.FullColor = s.styles.BarFull
	if warn {
		b.FullColor = s.styles.BarWarn
	}
	b.EmptyColor = s.styles.BarEmpty
	return b.ViewAs(frac)
}

// Model is the root of the TUI, the one tea.Model: it routes messages to
// the screen in front and owns the open vault, the tick, the clipboard and
// the idle lock.
type Model struct {
	sh      *shared
	screen  screen
	back    screen // where help returns to
	unlock  unlockModel
	first   firstRunModel
	codes   codesModel
	big     bigModel
	add     addModel
	edit    editModel
	confirm confirmModel
	export  exportModel
	restore restoreModel
	help    help.Model
	helpTop int // first line of the help shown, when it scrolls

	v          *vault.Vault
	local      vault.Local
	lastChange time.Time // newest change in the vault
	recovery   string
	lastInput  time.Time
	lockAfter  time.Duration
	gen        int           // tick generation: a lock or unlock starts a new chain
	ntpKnown   bool          // an NTP server answered after the unlock
	ntpOffset  time.Duration // what it said: server minus this clock
	clip       clipState
	toast      string
	toastErr   bool
	toastUntil time.Time
	quitting   bool
	initCmd    tea.Cmd // what the first screen starts with
}

// clipState is the code we last put on the clipboard.
type clipState struct {
	code  string
	label string
	until time.Time
}

// Messages. Each is the result of a tea.Cmd.
type (
	// tickMsg is the once-a-second redraw; gen tells stale chains apart.
	tickMsg struct{ gen int }
	// clockMsg is the NTP measurement made after an unlock.
	clockMsg struct {
		measured time.Duration
		err      error
	}
	// savedMsg is the result of a change to the vault.
	savedMsg struct {
		accounts   []vault.Account
		lastChange time.Time
		note       string
		selectID   string
		err        error
	}
	// hotpMsg is a counter-based code, shown after its counter was saved.
	hotpMsg struct {
		id         string
		code       string
		copy       bool
		accounts   []vault.Account
		lastChange time.Time
		err        error
	}
	// clipErrMsg says the system clipboard failed (OSC 52 was still sent).
	clipErrMsg struct{ err error }
	// syncedMsg is the result of "sync now".
	syncedMsg struct {
		summary    string
		accounts   []vault.Account
		lastChange time.Time
		local      vault.Local // re-read after the sync (LastSync)
		hasLocal   bool
		err        error
	}
)

// New returns the root model for cfg.
func New(cfg Config) Model {
	sh := &shared{cfg: cfg, keys: DefaultKeyMap(), styles: NewStyles(true), width: 80, height: 24, barModel: newBar()}
	if cfg.Sync != nil && !cfg.Demo {
		sh.keys.Sync.SetEnabled(true)
	}
	if cfg.WriteNewFile == nil {
		sh.keys.Export.SetEnabled(false)
	}
	m := Model{sh: sh, codes: newCodes(sh), help: help.New()}
	m.help.Styles = help.DefaultStyles(true)
	if !cfg.HasVault && !cfg.Demo {
		m.screen = scrFirstRun
		m.first, m.initCmd = newFirstRun(sh).Init()
	} else {
		m.screen = scrUnlock
		m.unlock, m.initCmd = newUnlock(sh, false).Init()
	}
	return m
}

// Init asks the terminal's background colour and starts the first screen
// (New already put that screen in its starting state).
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.initCmd)
}

// Update routes a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m2, cmd := m.update(msg)
	return m2, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.sh.width, m.sh.height = msg.Width, msg.Height
		w := msg.Width
		m.unlock.setWidth(w)
		m.first.setWidth(w)
		m.codes.setWidth(w)
		m.add.setWidth(w)
		m.edit.setWidth(w)
		m.export.setWidth(w)
		m.restore.setWidth(w)
		m.codes.scroll(m.codes.rowsFor(m.listHeight()))
		return m, nil
	case tea.BackgroundColorMsg:
		m.sh.styles = NewStyles(msg.IsDark())
		m.help.Styles = help.DefaultStyles(msg.IsDark())
		return m, nil
	case tickMsg:
		if msg.gen != m.gen || m.v == nil {
			return m, nil
		}
		return m.onTick()
	case openedMsg:
		if msg.err != nil || msg.v == nil {
			return m.route(msg)
		}
		return m.unlocked(msg)
	case clockMsg:
		m.ntpKnown = msg.err == nil
		m.ntpOffset = msg.measured
		return m, nil
	case savedMsg:
		if m.v == nil {
			wipeAll(msg.accounts)
			return m, nil
		}
		if msg.err != nil {
			m.setToast("Not saved: "+describeSave(msg.err), true)
			return m, nil
		}
		m.codes = m.codes.setAccounts(msg.accounts)
		m.lastChange = msg.lastChange
		if msg.selectID != "" {
			m.codes.selectID(msg.selectID)
			m.codes.scroll(m.codes.rowsFor(m.listHeight()))
		}
		if msg.note != "" {
			m.setToast(msg.note, false)
		}
		return m, nil
	case hotpMsg:
		if m.v == nil {
			wipeAll(msg.accounts)
			return m, nil
		}
		if msg.err != nil {
			m.setToast("No code: "+describeSave(msg.err), true)
			return m, nil
		}
		m.codes = m.codes.setAccounts(msg.accounts)
		m.lastChange = msg.lastChange
		m.codes.hotp[msg.id] = msg.code
		if msg.copy {
			if a, ok := m.codes.account(msg.id); ok {
				return m.copyCode(a, msg.code)
			}
		}
		return m, nil
	case syncedMsg:
		if m.v == nil {
			wipeAll(msg.accounts)
			return m, nil
		}
		if msg.hasLocal {
			m.local = msg.local
		}
		if msg.err != nil {
			m.setToast("Sync failed: "+oneLine(msg.err.Error()), true)
			return m, nil
		}
		m.codes = m.codes.setAccounts(msg.accounts)
		m.lastChange = msg.lastChange
		m.setToast(oneLine(msg.summary), false)
		return m, nil
	case exportedMsg:
		if m.v == nil || m.screen != scrExport {
			return m, nil
		}
		if msg.err != nil {
			return m.route(msg)
		}
		m.screen = scrCodes
		note := fmt.Sprintf("Backup of %s written to %s.", countOf(msg.accounts, "account"), strings.TrimSpace(m.export.path.Value()))
		switch {
		case msg.noted:
			m.local = msg.local
		case msg.noteErr != nil:
			note += " Its time could not be noted: " + msg.noteErr.Error()
		}
		m.setToast(note, msg.noteErr != nil)
		m.export = exportModel{}
		return m, nil
	case backupReadMsg:
		if m.v == nil || m.screen != scrRestore || m.restore.step != resBusy {
			wipeAll(msg.backup.State.Accounts)
			for _, p := range msg.plans {
				wipePlan(p)
			}
			return m, nil
		}
		return m.route(msg)
	case restoredMsg:
		if m.v == nil {
			wipeAll(msg.accounts)
			return m, nil
		}
		if msg.err != nil {
			if m.screen == scrRestore {
				return m.route(msg)
			}
			m.setToast("Not restored: "+describeSave(msg.err), true)
			return m, nil
		}
		m.restore = m.restore.wipe()
		m.screen = scrCodes
		m.codes = m.codes.setAccounts(msg.accounts)
		m.lastChange = msg.lastChange
		m.setToast(restoreSummary(msg.done), false)
		return m, nil
	case clipErrMsg:
		m.setToast("Copied through the terminal only: "+msg.err.Error(), true)
		return m, nil
	case tea.KeyPressMsg:
		m.lastInput = m.sh.cfg.now()
		if matches(msg, m.sh.keys.ForceQuit) {
			return m.quit()
		}
	case tea.PasteMsg, tea.MouseMsg:
		m.lastInput = m.sh.cfg.now()
	}
	return m.route(msg)
}

// route hands a message to the screen in front.
func (m Model) route(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.screen {
	case scrUnlock:
		m.unlock, cmd = m.unlock.Update(msg)
	case scrFirstRun:
		if kp, ok := msg.(tea.KeyPressMsg); ok && !m.first.typing && m.first.busy == "" && matches(kp, m.sh.keys.Quit) {
			return m.quit()
		}
		m.first, cmd = m.first.Update(msg)
	case scrRecovery:
		if kp, ok := msg.(tea.KeyPressMsg); ok && matches(kp, m.sh.keys.Submit) {
			m.recovery = ""
			m.screen = scrCodes
		}
	case scrHelp:
		if kp, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case matches(kp, m.sh.keys.Quit):
				return m.quit()
			case matches(kp, m.sh.keys.Back), matches(kp, m.sh.keys.Help):
				m.screen = m.back
			case matches(kp, m.sh.keys.Up):
				m.helpTop = max(m.helpTop-1, 0)
			case matches(kp, m.sh.keys.Down):
				m.helpTop++
			}
		}
	case scrCodes:
		var act codesAction
		m.codes, act, cmd = m.codes.Update(msg, m.listHeight())
		if act != actNone {
			return m.codesAction(act)
		}
	case scrBig:
		if kp, ok := msg.(tea.KeyPressMsg); ok && matches(kp, m.sh.keys.Quit) {
			return m.quit()
		}
		if kp, ok := msg.(tea.KeyPressMsg); ok && matches(kp, m.sh.keys.Lock) {
			return m.lock("")
		}
		var act bigAction
		m.big, act = m.big.Update(msg)
		a, ok := m.codes.account(m.big.id)
		switch {
		case act == bigBack || (!ok && act != bigNone):
			m.screen = scrCodes
		case act == bigCopy:
			return m.copyOrReveal(a)
		case act == bigNext && a.Type == vault.HOTP:
			return m, m.nextHOTP(a, false)
		}
	case scrAdd:
		var act addAction
		m.add, act, cmd = m.add.Update(msg)
		switch act {
		case addBack:
			m.add = m.add.wipe()
			m.screen = scrCodes
		case addSave:
			as := m.add.parsed
			m.add.parsed = nil
			m.add = m.add.wipe()
			m.screen = scrCodes
			return m, m.save(func(tx *vault.Tx) (string, string, error) {
				id := ""
				for _, a := range as {
					added, err := tx.Add(a)
					if err != nil {
						return "", "", err
					}
					if id == "" {
						id = added.ID
					}
				}
				note := "Added " + as[0].Label()
				if len(as) > 1 {
					note = fmt.Sprintf("Added %d accounts", len(as))
				}
				return note, id, nil
			})
		}
	case scrEdit:
		var act editAction
		m.edit, act, cmd = m.edit.Update(msg)
		switch act {
		case editBack:
			m.screen = scrCodes
		case editSave:
			a, _ := m.edit.edited()
			m.screen = scrCodes
			return m, m.save(func(tx *vault.Tx) (string, string, error) {
				return "Saved " + a.Label(), a.ID, tx.Put(a)
			})
		}
	case scrExport:
		var act exportAction
		m.export, act, cmd = m.export.Update(msg)
		switch act {
		case expBack:
			m.export = exportModel{}
			m.screen = scrCodes
		case expWrite:
			pass := m.export.passphrase()
			m.export = m.export.wipe()
			return m, tea.Batch(cmd, exportCmd(m.sh.cfg, m.v, m.export.target(), pass))
		}
	case scrRestore:
		var act restoreAction
		m.restore, act, cmd = m.restore.Update(msg)
		switch act {
		case resBack:
			m.restore = restoreModel{}
			m.screen = scrCodes
		case resRead:
			pass := m.restore.typed
			m.restore.typed = nil
			return m, tea.Batch(cmd, readBackupCmd(m.sh.cfg, m.v, m.restore.file, strings.TrimSpace(m.restore.path.Value()), pass))
		case resApply:
			return m, tea.Batch(cmd, applyRestoreCmd(m.v, m.restore.backup.State, m.restore.undel))
		}
	case scrConfirm:
		if ans := m.confirm.Update(msg); ans != nil {
			m.screen = scrCodes
			if *ans {
				a := m.confirm.acct
				return m, m.save(func(tx *vault.Tx) (string, string, error) {
					tx.Delete(a.ID)
					return "Deleted " + a.Label(), "", nil
				})
			}
		}
	}
	return m, cmd
}

// codesAction does what a key on the list asked for.
func (m Model) codesAction(act codesAction) (Model, tea.Cmd) {
	a, ok := m.codes.current()
	switch act {
	case actQuit:
		return m.quit()
	case actLock:
		return m.lock("")
	case actHelp:
		m.back, m.screen, m.helpTop = m.screen, scrHelp, 0
		return m, nil
	case actAdd:
		m.add = newAdd(m.sh)
		var cmd tea.Cmd
		m.add, cmd = m.add.Init()
		m.screen = scrAdd
		return m, cmd
	case actSync:
		if m.sh.cfg.Sync == nil || m.sh.cfg.Demo {
			return m, nil
		}
		m.setToast("Syncing…", false)
		return m, syncCmd(m.sh.cfg, m.v)
	case actExport:
		if m.sh.cfg.WriteNewFile == nil {
			return m, nil
		}
		m.toast = ""
		m.export = newExport(m.sh)
		var cmd tea.Cmd
		m.export, cmd = m.export.Init()
		m.screen = scrExport
		return m, cmd
	case actRestore:
		m.toast = ""
		m.restore = newRestore(m.sh)
		var cmd tea.Cmd
		m.restore, cmd = m.restore.Init()
		m.screen = scrRestore
		return m, cmd
	}
	if !ok {
		return m, nil
	}
	switch act {
	case actCopy:
		return m.copyOrReveal(a)
	case actNextHOTP:
		if a.Type == vault.HOTP {
			return m, m.nextHOTP(a, false)
		}
	case actBig:
		m.big = bigModel{sh: m.sh, id: a.ID}
		m.screen = scrBig
	case actEdit:
		m.edit = newEdit(m.sh, a)
		var cmd tea.Cmd
		m.edit, cmd = m.edit.Init()
		m.screen = scrEdit
		return m, cmd
	case actDelete:
		m.confirm = confirmModel{sh: m.sh, acct: a}
		m.screen = scrConfirm
	case actFavorite:
		a = a.Clone()
		a.Favorite = !a.Favorite
		note := "Unmarked " + a.Label()
		if a.Favorite {
			note = "Marked " + a.Label() + " as a favourite"
		}
		return m, m.save(func(tx *vault.Tx) (string, string, error) { return note, a.ID, tx.Put(a) })
	}
	return m, nil
}

// copyOrReveal copies a TOTP code, or a revealed HOTP code; an unrevealed
// HOTP account first gets its next code (counter saved first).
func (m Model) copyOrReveal(a vault.Account) (Model, tea.Cmd) {
	if a.Type == vault.HOTP {
		if c, ok := m.codes.hotp[a.ID]; ok {
			return m.copyCode(a, c)
		}
		return m, m.nextHOTP(a, true)
	}
	c := totpAt(a, m.sh.codeTime())
	if c.err != nil {
		m.setToast("No code: "+c.err.Error(), true)
		return m, nil
	}
	return m.copyCode(a, c.code)
}

// copyCode puts code on the clipboard (OSC 52 and the system clipboard)
// and remembers to clear it.
func (m Model) copyCode(a vault.Account, code string) (Model, tea.Cmd) {
	now := m.sh.cfg.now()
	m.clip = clipState{code: code, label: a.Label(), until: now.Add(ClipboardClearAfter)}
	m.toastUntil = time.Time{}
	m.toast = ""
	m.codes.recent[a.ID] = now.Unix()
	cmds := []tea.Cmd{tea.SetClipboard(code)}
	if cb := m.sh.cfg.Clipboard; cb != nil {
		cmds = append(cmds, func() tea.Msg {
			if err := cb.Write(code); err != nil {
				return clipErrMsg{err}
			}
			return nil
		})
	}
	if save := m.sh.cfg.SaveRecent; save != nil {
		recent := make(map[string]int64, len(m.codes.recent))
		for k, v := range m.codes.recent {
			recent[k] = v
		}
		cmds = append(cmds, func() tea.Msg { _ = save(recent); return nil })
	}
	return m, tea.Batch(cmds...)
}

// clearClip clears the clipboard if we were the last to set it and, where
// it can be read, it still holds our code.
func (m *Model) clearClip() tea.Cmd {
	if m.clip.code == "" {
		return nil
	}
	code := m.clip.code
	m.clip = clipState{}
	cb := m.sh.cfg.Clipboard
	return func() tea.Msg {
		if cb != nil {
			if cur, ok := cb.Read(); ok && cur != code {
				return nil // someone copied something else since: leave it
			}
			_ = cb.Write("")
		}
		return tea.SetClipboard("")()
	}
}

func (m *Model) setToast(s string, isErr bool) {
	m.toast, m.toastErr = s, isErr
	m.toastUntil = m.sh.cfg.now().Add(4 * time.Second)
}

// nextHOTP saves the advanced counter, then makes the code.
func (m Model) nextHOTP(a vault.Account, copy bool) tea.Cmd {
	v := m.v
	return func() tea.Msg {
		var c uint64
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			c, err = tx.NextHOTP(a.ID)
			return err
		})
		if err != nil {
			return hotpMsg{id: a.ID, err: err}
		}
		code, err := vault.HOTPCode(a, c)
		as, last := snapshot(v)
		return hotpMsg{id: a.ID, code: code, copy: copy, accounts: as, lastChange: last, err: err}
	}
}

// save applies fn to the vault in a tea.Cmd; fn returns the note to show
// and the account to select.
func (m Model) save(fn func(*vault.Tx) (note, id string, err error)) tea.Cmd {
	v := m.v
	return func() tea.Msg {
		var note, id string
		err := v.Update(func(tx *vault.Tx) error {
			var err error
			note, id, err = fn(tx)
			return err
		})
		if err != nil {
			return savedMsg{err: err}
		}
		as, last := snapshot(v)
		return savedMsg{accounts: as, lastChange: last, note: note, selectID: id}
	}
}

// syncCmd syncs in the background. A failure of any kind, even a panic
// in the sync code, comes back as one line: the code screen stays up.
func syncCmd(cfg Config, v *vault.Vault) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = syncedMsg{err: fmt.Errorf("the sync stopped on an internal error (%v); the local vault is unchanged or merged, never damaged", r)}
			}
		}()
		s, err := cfg.Sync(v)
		out := syncedMsg{summary: s, err: err}
		if cfg.Local != nil {
			out.local, out.hasLocal = cfg.Local(), true
		}
		if err == nil {
			out.accounts, out.lastChange = snapshot(v)
		}
		return out
	}
}

// oneLine keeps the first line of a message (errors from remotes may
// quote a server's multi-line answer).
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// snapshot copies the accounts and finds the newest change (tombstones
// included), for the list and the backup banner.
func snapshot(v *vault.Vault) ([]vault.Account, time.Time) {
	return v.Accounts(), time.UnixMilli(v.LastChange().Wall)
}

func wipeAll(as []vault.Account) {
	for _, a := range as {
		a.Secret.Wipe()
	}
}

func describeSave(err error) string {
	if errors.Is(err, vault.ErrTampered) {
		return "the vault file changed under us or is corrupt; nothing was written"
	}
	return err.Error()
}

// freeKDFMemory hands the KDF's 64 MiB back to the OS after an unlock.
func freeKDFMemory() { debug.FreeOSMemory() }

// unlocked shows the codes of a freshly opened vault.
func (m Model) unlocked(msg openedMsg) (Model, tea.Cmd) {
	m.v = msg.v
	if m.screen == scrFirstRun {
		// Created, or the demo: lock and unlock from now on know which.
		m.sh.cfg.HasVault = msg.created != ""
		m.sh.cfg.Demo = msg.created == ""
		m.sh.cfg.Slots = msg.v.SlotKinds()
	}
	m.local = msg.local
	m.sh.offset = msg.local.Offset()
	m.codes.recent = msg.recent
	if m.codes.recent == nil {
		m.codes.recent = map[string]int64{}
	}
	as, last := snapshot(m.v)
	m.codes = m.codes.setAccounts(as)
	m.codes.selected, m.codes.top = 0, 0
	m.lastChange = last
	m.lockAfter = time.Duration(m.v.Settings().LockAfterSeconds()) * time.Second
	m.lastInput = m.sh.cfg.now()
	m.gen++
	m.screen = scrCodes
	if msg.created != "" {
		m.recovery = msg.created
		m.screen = scrRecovery
	}
	m.first = firstRunModel{}
	m.unlock = unlockModel{}
	return m, tea.Batch(m.tick(), m.measureClock())
}

// measureClock asks NTP how far off this clock is, in the background.
func (m Model) measureClock() tea.Cmd {
	f := m.sh.cfg.MeasureClock
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		d, err := f()
		return clockMsg{measured: d, err: err}
	}
}

// tick schedules the next redraw just after the next second boundary of
// the code clock.
func (m Model) tick() tea.Cmd {
	t := m.sh.codeTime()
	d := time.Second - time.Duration(t.UnixNano()%int64(time.Second)) + 2*time.Millisecond
	return m.sh.cfg.after(d, tickMsg{gen: m.gen})
}

// onTick locks when idle, clears the clipboard when due, and redraws.
func (m Model) onTick() (Model, tea.Cmd) {
	now := m.sh.cfg.now()
	if m.lockAfter > 0 && now.Sub(m.lastInput) >= m.lockAfter {
		return m.lock("Locked after " + idleWords(m.lockAfter) + " without a key press.")
	}
	var cmds []tea.Cmd
	if m.clip.code != "" && !now.Before(m.clip.until) {
		cmds = append(cmds, m.clearClip())
		m.setToast("Clipboard cleared.", false)
	}
	if m.toast != "" && !m.toastUntil.IsZero() && !now.Before(m.toastUntil) {
		m.toast = ""
	}
	cmds = append(cmds, m.tick())
	return m, tea.Batch(cmds...)
}

// idleWords says "2 min" or "45 s".
func idleWords(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", int(d/time.Minute))
	}
	return fmt.Sprintf("%d s", int(d/time.Second))
}

// forget drops the vault, the accounts and every code from memory.
func (m *Model) forget() {
	m.codes = m.codes.wipe()
	m.add = m.add.wipe()
	m.edit = editModel{}
	m.confirm = confirmModel{}
	m.export = m.export.wipe()
	m.export = exportModel{}
	m.restore = m.restore.wipe()
	m.restore = restoreModel{}
	m.recovery = ""
	if m.v != nil {
		m.v.Close()
		m.v = nil
	}
}

// lock forgets everything secret and shows the unlock screen.
func (m Model) lock(why string) (Model, tea.Cmd) {
	clear := m.clearClip()
	m.forget()
	m.gen++
	m.toast = ""
	m.screen = scrUnlock
	m.unlock = newUnlock(m.sh, true)
	var cmd tea.Cmd
	m.unlock, cmd = m.unlock.Init()
	m.unlock.note = why
	return m, tea.Batch(clear, cmd)
}

// quit clears the clipboard if it holds our code, forgets, and quits.
func (m Model) quit() (Model, tea.Cmd) {
	clear := m.clearClip()
	m.forget()
	m.quitting = true
	if clear == nil {
		return m, tea.Quit
	}
	return m, tea.Sequence(clear, tea.Quit)
}

// listHeight is the height of the code list area.
func (m Model) listHeight() int {
	return max(m.sh.height-3-len(m.banners(m.sh.cfg.now())), 1)
}

// banners are the warnings above the list.
func (m Model) banners(now time.Time) []string {
	if m.v == nil {
		return nil
	}
	var out []string
	// What NTP said, less the correction already applied: more than 5 s
	// left over and codes may be refused.
	if rest := m.ntpOffset - m.sh.offset; m.ntpKnown && rest.Abs() > 5*time.Second {
		dir := "behind"
		if rest < 0 {
			dir = "ahead of"
		}
		out = append(out, fmt.Sprintf("! Clock %s %s NTP: codes may fail. Fix: wardkey clock --apply", signedSeconds(rest.Abs())[1:], dir))
	}
	if off := m.sh.offset; off > 5*time.Second || off < -5*time.Second {
		dir := "behind"
		if off < 0 {
			dir = "ahead"
		}
		out = append(out, fmt.Sprintf("! This clock is %s %s: codes are corrected (wardkey clock).", signedSeconds(off.Abs())[1:], dir))
	}
	if m.sh.cfg.BackupBanner && !m.sh.cfg.Demo && len(m.codes.items) > 0 {
		lb := m.local.LastBackup
		how := "wardkey export --out FILE"
		if m.sh.keys.Export.Enabled() {
			how = "press x to make one"
		}
		switch {
		case lb.IsZero():
			out = append(out, "! No backup yet: "+how)
		case now.Sub(lb) > 30*24*time.Hour:
			out = append(out, "! Last backup "+ago(now, lb)+": "+how)
		case m.lastChange.After(lb):
			out = append(out, "! Changed since the last backup ("+ago(now, lb)+"): "+how)
		}
	}
	return out
}

// View renders the screen in front.
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
	w, h := m.sh.width, m.sh.height
	st := m.sh.styles
	now := m.sh.cfg.now()
	t := m.sh.codeTime()
	header := m.header(w)
	body := ""
	switch m.screen {
	case scrUnlock:
		body = m.unlock.View(w, h-2)
	case scrFirstRun:
		body = m.first.View(w, h-2)
	case scrRecovery:
		body = wrapLines([]string{
			st.Title.Render("Your recovery code"), "",
			"Write it down or print it, and keep it apart from this computer. It is shown only now.", "",
			"    " + st.Code.Render(m.recovery), "",
			"It opens the vault if the passphrase is forgotten: wardkey passwd --recovery.", "",
			"Press " + st.Key.Render("enter") + " when it is written down.",
		}, w)
	case scrHelp:
		body = m.helpView(w, h-2)
	case scrBig:
		a, ok := m.codes.account(m.big.id)
		if ok {
			body = m.big.View(a, m.codes.hotp[a.ID], w, h-2, t)
		}
	case scrAdd:
		body = m.add.View(w, h-2, t)
	case scrEdit:
		body = m.edit.View(w, h-2)
	case scrConfirm:
		body = m.confirm.View(w, h-2)
	case scrExport:
		body = m.export.View(w, h-2)
	case scrRestore:
		body = m.restore.View(w, h-2)
	case scrCodes:
		var b strings.Builder
		for _, l := range m.banners(now) {
			b.WriteString(st.Warn.Render(cut(l, w)) + "\n")
		}
		lh := m.listHeight()
		list := m.codes.View(w, lh, t)
		b.WriteString(list)
		if n := lipgloss.Height(list); n < lh {
			b.WriteString(strings.Repeat("\n", lh-n))
		}
		b.WriteString("\n" + m.statusLine(w, now) + "\n")
		m.help.SetWidth(w)
		b.WriteString(m.help.ShortHelpView(m.sh.keys.ShortHelp()))
		return fit(header+"\n"+b.String(), w, h)
	}
	if m.screen != scrCodes && m.screen != scrBig && m.toast != "" {
		body += "\n\n" + m.statusLine(w, now)
	}
	return fit(header+"\n\n"+body, w, h)
}

// helpView lists every key of the key map: in columns where they fit,
// else one per line, scrolling with ↑/↓ when the terminal is short.
func (m Model) helpView(w, h int) string {
	st := m.sh.styles
	var lines []string
	if full := m.help.FullHelpView(m.sh.keys.FullHelp()); lipgloss.Width(full) <= w {
		lines = strings.Split(full, "\n")
	} else {
		for _, g := range m.sh.keys.FullHelp() {
			for _, b := range g {
				if b.Enabled() {
					lines = append(lines, st.Key.Render(pad(b.Help().Key, 10))+" "+st.Faint.Render(b.Help().Desc))
				}
			}
		}
	}
	avail := max(h-4, 1)
	foot := "esc or ? to go back"
	if len(lines) > avail {
		top := min(m.helpTop, len(lines)-avail)
		lines = lines[top : top+avail]
		foot = "↑/↓ scroll · " + foot
	}
	return st.Title.Render("Keys") + "\n\n" + strings.Join(lines, "\n") + "\n\n" + st.Faint.Render(foot)
}

// header is the top line: name, profile, and the list's state.
func (m Model) header(w int) string {
	st := m.sh.styles
	left := st.Title.Render("wardkey") + st.Faint.Render(" · "+m.sh.cfg.Profile)
	if m.sh.cfg.Demo {
		left = st.Title.Render("wardkey") + st.Faint.Render(" · demo (nothing is saved)")
	}
	// Notes on the right, in display order, each with its rank: where the
	// line is short, the lowest ranks go first (the count, then the sort,
	// then the last sync; the clock correction stays longest).
	type note struct {
		text string
		rank int
	}
	var right []note
	if m.v != nil {
		n := len(m.codes.items)
		right = append(right, note{fmt.Sprintf("%d account%s", n, map[bool]string{true: "", false: "s"}[n == 1]), 0})
		if m.codes.sort == byRecent {
			right = append(right, note{"recent first", 1})
		}
		if m.sh.offset != 0 {
			right = append(right, note{"clock " + signedSeconds(m.sh.offset), 3})
		}
		if m.sh.keys.Sync.Enabled() && !m.local.LastSync.IsZero() {
			right = append(right, note{"synced " + ago(m.sh.cfg.now(), m.local.LastSync), 2})
		}
	}
	for {
		texts := make([]string, len(right))
		low := 0
		for i, n := range right {
			texts[i] = n.text
			if n.rank < right[low].rank {
				low = i
			}
		}
		r := st.Faint.Render(strings.Join(texts, " · "))
		if gap := w - lipgloss.Width(left) - lipgloss.Width(r); gap >= 1 {
			return left + strings.Repeat(" ", gap) + r
		}
		if len(right) == 0 {
			return cut(left, w)
		}
		right = append(right[:low], right[low+1:]...)
	}
}

// statusLine is the toast, the clipboard countdown, or empty.
func (m Model) statusLine(w int, now time.Time) string {
	st := m.sh.styles
	switch {
	case m.toast != "" && m.toastErr:
		return st.Error.Render(cut(m.toast, w))
	case m.clip.code != "":
		left := secondsLeft(m.clip.until.Sub(now))
		return st.Toast.Render(cut(fmt.Sprintf("Copied %s: the clipboard clears in %d s.", m.clip.label, left), w))
	case m.toast != "":
		return st.Toast.Render(cut(m.toast, w))
	}
	return ""
}

// Locked reports whether no vault is open (tests, the tmux check).
func (m Model) Locked() bool { return m.v == nil }

var _ tea.Model = Model{}
