package tui

import (
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
)

// unlockModel is the unlock screen of the session's profile: a masked
// passphrase field, or for a keyring vault a single key press.
type unlockModel struct {
	c       *common
	pass    secretField // keeps bytes; wiped when taken
	busy    string      // what is being done ("" idle)
	err     string
	note    string // e.g. why the keyring did not open it
	locked  bool   // shown after a lock: never unlock without a key press
	waitFor time.Time
	w, h    int
}

// unlockWaitMsg says earlier failures ask for a pause before the attempt.
type unlockWaitMsg struct {
	failed int
	until  time.Time
	pass   []byte
}

// newUnlock is the unlock screen; locked says it follows a lock (why).
// A keyring vault (or the demo, or a passphrase file) opens at once
// unless it follows a lock.
func newUnlock(c *common, locked bool, why string) (unlockModel, tea.Cmd) {
	m := unlockModel{c: c, pass: newSecretField("Passphrase: ", 1024), locked: locked, note: why}
	m.w, m.h = c.width, c.height-2
	m.pass.setWidth(max(min(c.width-16, 40), 8))
	var cmd tea.Cmd
	if !m.locked && m.keyringFirst() {
		m.busy = "Opening with the OS keyring…"
		if m.profile().Demo {
			m.busy = "Opening the demo…"
		}
		return m, tea.Batch(cmd, openCmd(c.backend(), m.profile(), nil))
	}
	return m, cmd
}

func (m unlockModel) profile() Profile { return m.c.sess.profile }

// usesPassphrase says whether the field is shown.
func (m unlockModel) usesPassphrase() bool {
	p := m.profile()
	return p.has(vault.SlotPassphrase) && !p.Demo && !p.PassphraseFile
}

// keyringFirst says whether the vault may open without typing: the OS
// keyring, a passphrase file, or the demo. On a shared machine a vault
// with a passphrase opens only with it (as the CLI's unlock does); one with
// a keyring slot alone still opens, to be given a passphrase.
func (m unlockModel) keyringFirst() bool {
	p := m.profile()
	keyring := p.has(vault.SlotKeyring) && !(m.c.cfg.Shared && p.has(vault.SlotPassphrase))
	return p.Demo || keyring || p.PassphraseFile
}

// SetSize fits the field to a terminal w cells wide.
func (m unlockModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.pass.setWidth(max(min(w-16, 40), 8))
	return m
}

// ShortHelp is the hint under the field.
func (m unlockModel) ShortHelp() []key.Binding {
	k := m.c.keys
	submit := relabel(k.Submit, "unlock")
	if m.usesPassphrase() && m.keyringFirst() {
		submit = relabel(k.Submit, "unlock (empty: try the keyring)")
	}
	if m.c.cfg.Picker {
		return []key.Binding{submit, relabel(k.Back, "someone else"), k.ForceQuit}
	}
	return []key.Binding{submit, k.ForceQuit}
}

// FullHelp is the same keys.
func (m unlockModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update handles keys and results on the unlock screen.
func (m unlockModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	b := m.c.backend()
	switch msg := msg.(type) {
	case unlockWaitMsg:
		now := m.c.cfg.now()
		if msg.until.After(now) {
			m.busy = fmt.Sprintf("%d failed attempts: waiting %d s before trying…", msg.failed, secondsLeft(msg.until.Sub(now)))
			m.waitFor = msg.until
			return m, m.c.cfg.after(msg.until.Sub(now), unlockWaitMsg{failed: msg.failed, until: msg.until, pass: msg.pass})
		}
		m.busy = "Unlocking…"
		return m, openCmd(b, m.profile(), msg.pass)
	case openedMsg: // failures only: the root takes successes
		m.busy = ""
		m.err = wording.OpenSentence(msg.err)
		if msg.keyring && m.usesPassphrase() {
			why, _, _ := wording.Open(msg.err)
			m.note = "The OS keyring did not open it (" + why + "): type the passphrase."
			m.err = ""
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if m.c.cfg.Picker && key.Matches(msg, m.c.keys.Back) {
			m.pass.wipe()
			return newPicker(m.c, "")
		}
		if key.Matches(msg, m.c.keys.Submit) {
			m.err = ""
			if !m.usesPassphrase() {
				m.busy = "Opening…"
				return m, openCmd(b, m.profile(), nil)
			}
			if m.pass.empty() {
				if m.keyringFirst() {
					m.busy = "Opening with the OS keyring…"
					return m, openCmd(b, m.profile(), nil)
				}
				m.err = "Type the passphrase first."
				return m, nil
			}
			pass := m.pass.take()
			m.busy = "Unlocking…"
			return m, checkWaitCmd(b, m.profile().Name, m.c.cfg.now(), pass)
		}
	}
	if m.usesPassphrase() {
		m.pass = m.pass.update(m.c.keys, msg)
		return m, nil
	}
	return m, nil
}

// View renders the unlock screen.
func (m unlockModel) View() string {
	st := m.c.styles
	p := m.profile()
	var lines []string
	if m.locked {
		lines = append(lines, st.Title.Render("Locked"), "")
	} else {
		lines = append(lines, st.Title.Render("Unlock"), "")
	}
	if m.note != "" {
		lines = append(lines, st.Warn.Render(m.note), "")
	}
	enter := st.Key.Render(m.c.keys.Submit.Help().Key)
	switch {
	case p.Demo:
		lines = append(lines, "The demo vault (made-up accounts, nothing saved).")
		if m.busy == "" {
			lines = append(lines, "", "Press "+enter+" to open it.")
		}
	case m.usesPassphrase():
		lines = append(lines, fmt.Sprintf("Profile %q.", p.Name))
		lines = append(lines, "", m.pass.view(st))
		lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	default:
		lines = append(lines, fmt.Sprintf("Profile %q opens with the OS keyring.", p.Name))
		if m.busy == "" {
			lines = append(lines, "", "Press "+enter+" to unlock · "+m.c.keys.ForceQuit.Help().Key+" quit")
		}
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	return wrapLines(lines, m.w)
}
