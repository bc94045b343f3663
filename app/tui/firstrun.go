package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault/backup"
)

// The first-run screen's menu rows, in the order shown: the passphrase
// vault first (DESIGN: a keyring vault is never the default).
const (
	rowPassphrase = iota
	rowKeyring
	rowRestore
	rowDemo
	rowQuit
)

// The first-run screen's steps.
type firstStep int

const (
	frMenu        firstStep = iota
	frPass                  // a new vault's passphrase, twice
	frRestorePath           // the backup file
	frRestorePass           // its passphrase
	frRestoreNew            // the new vault's passphrase, twice, for the backup read
)

// firstRunModel is shown when the profile has no vault: create one with a
// passphrase (first) or with the OS keyring, restore a backup into a new
// vault (a new workstation after a loss), or open the demo. The choices
// are menu rows chosen with ↑/↓ (or tab) and enter, not letters; forms
// create only on ctrl+s. On a shared machine (Config.Shared) there is no
// keyring row.
type firstRunModel struct {
	c          *common
	keyringErr error // why the keyring cannot be used; nil when it works
	probing    bool
	step       firstStep
	row        int            // the chosen menu row
	fields     [2]secretField // the new vault's passphrase, twice (bytes, wiped when done)
	focus      int
	path       textinput.Model // the backup
	pass       secretField     // its passphrase
	restored   *backup.Backup  // read and checked; nil before
	info       string          // one line about it
	busy       string
	err        string
	w, h       int
}

// probedMsg is the answer of the keyring probe.
type probedMsg struct{ err error }

// newFirstRun is the first-run screen; it probes the keyring where the
// profile would use it.
func newFirstRun(c *common) (firstRunModel, tea.Cmd) {
	m := firstRunModel{c: c, w: c.width, h: c.height - 2}
	for i, label := range []string{"New passphrase: ", "Repeat it:      "} {
		m.fields[i] = newSecretField(label, 1024)
		m.fields[i].focused = false
	}
	m.path = c.newField("Backup file: ", 4096)
	m.path.Placeholder = "~/wardkey-backup-….age"
	m.pass = newSecretField("Passphrase:  ", 1024)
	m.pass.focused = false
	m = m.SetSize(c.width, c.height-2).(firstRunModel)
	switch {
	case c.cfg.Shared:
		m.keyringErr = errors.New("this computer is shared: its administrator allows no keyring vault")
		return m, nil
	case !c.sess.profile.DefaultKeyring:
		m.keyringErr = errors.New("a named profile is passphrase-only")
		return m, nil
	}
	m.probing = true
	return m, probeCmd(c.backend())
}

// SetSize fits the fields to a terminal w cells wide.
func (m firstRunModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].setWidth(max(min(w-20, 40), 8))
	}
	m.path.SetWidth(max(w-17, 8))
	m.pass.setWidth(max(min(w-17, 40), 8))
	return m
}

func (m firstRunModel) keyringOK() bool { return !m.probing && m.keyringErr == nil }

// rows are the menu's rows; the keyring row is left out on a shared
// machine.
func (m firstRunModel) rows() []int {
	if m.c.cfg.Shared {
		return []int{rowPassphrase, rowRestore, rowDemo, rowQuit}
	}
	return []int{rowPassphrase, rowKeyring, rowRestore, rowDemo, rowQuit}
}

// ShortHelp is the hint line of the step.
func (m firstRunModel) ShortHelp() []key.Binding {
	k := m.c.keys
	switch m.step {
	case frPass, frRestoreNew:
		return []key.Binding{relabel(k.NextField, "next field"), relabel(k.Save, "create"), k.Back}
	case frRestorePath, frRestorePass:
		return []key.Binding{relabel(k.Submit, "next"), k.Back}
	}
	return []key.Binding{bind(append(k.PrevField.Keys(), k.NextField.Keys()...), "↑/↓", "choose"), relabel(k.Submit, "go"), k.ForceQuit}
}

// FullHelp is every key of the screen.
func (m firstRunModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// wipe forgets what was typed and the backup read.
func (m firstRunModel) wipe() firstRunModel {
	for i := range m.fields {
		m.fields[i].wipe()
		m.fields[i].focused = false
	}
	m.pass.wipe()
	m.pass.focused = false
	m.path.Blur()
	if m.restored != nil {
		wipeAll(m.restored.State.Accounts)
		m.restored = nil
	}
	m.info = ""
	return m
}

// forget wipes what was typed and the backup read (a quit or a lock).
func (m firstRunModel) forget() { m.wipe() }

// Update handles keys and results on the first-run screen.
func (m firstRunModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.path)
		return m, nil
	case probedMsg:
		m.probing = false
		m.keyringErr = msg.err
		return m, nil
	case openedMsg: // failures only
		m.busy = ""
		if msg.err != nil {
			m.err = wording.OpenSentence(msg.err)
		}
		if m.step == frPass || m.step == frRestoreNew {
			return m.focusField(0)
		}
		return m, nil
	case firstBackupMsg:
		if m.step != frRestorePass || m.busy == "" {
			wipeAll(msg.backup.State.Accounts)
			return m, nil
		}
		m.busy = ""
		if msg.err != "" {
			m.err = msg.err
			if msg.retype {
				m.pass.focused = true
				return m, nil
			}
			m.step = frRestorePath
			m.pass.focused = false
			return m, m.path.Focus()
		}
		b := msg.backup
		m.restored, m.info, m.err = &b, msg.info, ""
		m.step = frRestoreNew
		m.pass.focused = false
		return m.focusField(0)
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		switch m.step {
		case frMenu:
			return m.menuKey(msg)
		case frPass, frRestoreNew:
			return m.passKey(msg)
		case frRestorePath, frRestorePass:
			return m.restoreKey(msg)
		}
	}
	switch m.step {
	case frPass, frRestoreNew:
		m.fields[m.focus] = m.fields[m.focus].update(m.c.keys, msg)
		return m, nil
	case frRestorePath:
		var cmd tea.Cmd
		m.path, cmd = m.path.Update(msg)
		return m, cmd
	case frRestorePass:
		m.pass = m.pass.update(m.c.keys, msg)
		return m, nil
	}
	return m, nil
}

// menuKey moves between the rows and acts on enter.
func (m firstRunModel) menuKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	rows := m.rows()
	switch {
	case matches(msg, k.NextField):
		m.row = min(m.row+1, len(rows)-1)
	case matches(msg, k.PrevField):
		m.row = max(m.row-1, 0)
	case matches(msg, k.Submit):
		m.err = ""
		switch rows[m.row] {
		case rowPassphrase:
			m.step = frPass
			return m.focusField(0)
		case rowKeyring:
			if !m.keyringOK() {
				return m, nil
			}
			m.busy = "Creating the vault…"
			return m, createCmd(m.c, m.c.sess.profile.Name, CreateRequest{Keyring: true})
		case rowRestore:
			m.step = frRestorePath
			return m, m.path.Focus()
		case rowDemo:
			m.busy = "Opening the demo…"
			return m, demoCmd(m.c.backend())
		case rowQuit:
			return m, send(quitMsg{})
		}
	}
	return m, nil
}

// passKey handles the new vault's passphrase form: ctrl+s creates.
func (m firstRunModel) passKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	switch {
	case matches(msg, k.Back):
		m = m.wipe()
		m.step, m.err = frMenu, ""
		return m, nil
	case matches(msg, k.NextField), matches(msg, k.PrevField), matches(msg, k.Submit) && m.focus == 0:
		return m.focusField(1 - m.focus)
	case matches(msg, k.Save):
		switch {
		case m.fields[0].empty():
			m.err = "Type a passphrase."
			return m.focusField(0)
		case !m.fields[0].equal(m.fields[1]):
			m.err = "The two passphrases differ: type them again."
			m.fields[0].wipe()
			m.fields[1].wipe()
			return m.focusField(0)
		}
		m.err = ""
		m.busy = "Creating the vault…"
		req := CreateRequest{Passphrase: m.fields[0].take()} // createCmd wipes it
		m.fields[1].wipe()
		if m.step == frRestoreNew && m.restored != nil {
			st := m.restored.State
			req.Restore = &st
			m.busy = "Creating the vault from the backup…"
		}
		return m, createCmd(m.c, m.c.sess.profile.Name, req)
	}
	if matches(msg, k.Submit) {
		return m, nil // the last field: ctrl+s creates
	}
	m.fields[m.focus] = m.fields[m.focus].update(k, msg)
	return m, nil
}

// restoreKey handles the backup's path and passphrase.
func (m firstRunModel) restoreKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	switch {
	case matches(msg, k.Back):
		m = m.wipe()
		m.step, m.err = frMenu, ""
		return m, nil
	case matches(msg, k.Submit) && m.step == frRestorePath:
		if strings.TrimSpace(m.path.Value()) == "" {
			m.err = "Type the backup file's path."
			return m, nil
		}
		m.err, m.step = "", frRestorePass
		m.path.Blur()
		m.pass.focused = true
		return m, nil
	case matches(msg, k.Submit):
		if m.pass.empty() {
			m.err = "Type the backup's passphrase."
			return m, nil
		}
		m.err, m.busy = "", "Decrypting the backup (scrypt takes a second or two)…"
		pass := m.pass.take() // readFirstBackupCmd wipes it
		file := cleanPath(m.path.Value(), m.c.cfg.Home)
		return m, readFirstBackupCmd(m.c.backend(), file, strings.TrimSpace(m.path.Value()), pass)
	case matches(msg, k.PrevStep) && m.step == frRestorePass:
		m.err, m.step = "", frRestorePath
		m.pass.wipe()
		m.pass.focused = false
		return m, m.path.Focus()
	}
	var cmd tea.Cmd
	if m.step == frRestorePath {
		m.path, cmd = m.path.Update(msg)
	} else {
		m.pass = m.pass.update(k, msg)
	}
	return m, cmd
}

func (m firstRunModel) focusField(i int) (screen, tea.Cmd) {
	m.focus = i
	m.fields[1-i].focused = false
	m.fields[i].focused = true
	return m, nil
}

// rowText is a menu row's label and what it means.
func (m firstRunModel) rowText(row int) (label, desc string) {
	switch row {
	case rowPassphrase:
		return "Create a vault with a passphrase", "You type it each time you open your codes; nobody else at this computer can read them."
	case rowKeyring:
		return "Create a vault that opens with this login's keyring", "Anyone who can use this computer's login can read your codes without typing anything: choose it only if this login is yours alone."
	case rowRestore:
		return "Restore a backup", "A new workstation after a loss: your backup file and its passphrase, then a passphrase for the new vault."
	case rowDemo:
		return "Open the demo", "Made-up accounts; nothing is saved."
	}
	return "Quit", ""
}

// View renders the first-run screen.
func (m firstRunModel) View() string {
	st := m.c.styles
	lines := []string{
		st.Title.Render("Welcome to wardkey"), "",
		fmt.Sprintf("Profile %q has no vault yet.", m.c.sess.profile.Name), "",
	}
	switch m.step {
	case frPass, frRestoreNew:
		if m.step == frRestoreNew {
			lines = append(lines, m.info, "")
		}
		lines = append(lines, "Choose the vault passphrase. Everyone who opens this profile types it.", "")
		for i := range m.fields {
			lines = append(lines, m.fields[i].view(st))
		}
	case frRestorePath, frRestorePass:
		lines = append(lines, "Restore a backup into a new vault: the file, then its passphrase.", "", m.path.View())
		if m.step == frRestorePass {
			lines = append(lines, m.pass.view(st))
		}
	default:
		for i, row := range m.rows() {
			label, desc := m.rowText(row)
			if row == rowKeyring {
				switch {
				case m.probing:
					desc = "Checking the OS keyring…"
				case m.keyringErr != nil:
					why, _, _ := wording.Open(m.keyringErr)
					label, desc = st.Faint.Render(label), "Not here: "+why+"."
				}
			}
			if i == m.row {
				lines = append(lines, st.Selected.Render("▸ "+label))
			} else {
				lines = append(lines, "  "+label)
			}
			// Who can open a keyring vault is said whether or not the
			// row is chosen.
			if desc != "" && (i == m.row || row == rowKeyring) {
				lines = append(lines, st.Faint.Render("    "+desc))
			}
		}
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return wrapLines(lines, m.w)
}
