package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
)

// recoveryModel shows the recovery code of a vault made just now (or a
// fresh one, when the last was never acknowledged), once. Its slot is
// written only when the person presses "it is written down" (a button
// reached with tab or the arrows, so typing cannot press it); a lock
// before that drops the code, and the next unlock shows a new one
// (vault.Local.RecoveryPending, docs/tui.md).
type recoveryModel struct {
	c       *common
	code    string
	again   bool // an earlier code was never acknowledged
	buttons buttons
	busy    string
	note    string
	err     string
	w       int
}

// newRecovery is the recovery screen for code, "not yet" focused.
func newRecovery(c *common, code string, again bool) recoveryModel {
	return recoveryModel{c: c, code: code, again: again, buttons: newButtons("not yet", "it is written down"), w: c.width}
}

// Update moves between the buttons; "it is written down" writes the slot.
func (m recoveryModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case recoveryAddedMsg:
		if msg.from != m.c.sess {
			return m, nil
		}
		m.busy = ""
		if msg.err != nil {
			m.err = sentence(msg.err)
			m.buttons.focus = 0
			return m, nil
		}
		return nil, toast("Recovery code saved: it opens this vault if the passphrase is forgotten.", false)
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		var pressed, cancelled bool
		m.buttons, pressed, cancelled = m.buttons.update(m.c.keys, msg)
		switch {
		case pressed:
			// A recovery code opens the vault for good: writing one asks
			// for the passphrase again once reauth_after has passed, as
			// export does, so a colleague who finds this screen cannot
			// make a code of their own count.
			return guard(m.c, "save the recovery code", func() (screen, tea.Cmd) {
				m.busy, m.note, m.err = "Saving the recovery code…", "", ""
				return m, addRecoveryCmd(m.c.backend(), m.c.sess, m.code)
			})
		case cancelled:
			m.note = "Write it down first: it stays here until you say it is written down."
		}
	}
	return m, nil
}

// SetSize fits the text to w cells.
func (m recoveryModel) SetSize(w, _ int) screen { m.w = w; return m }

// ShortHelp is the buttons' keys.
func (m recoveryModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{relabel(k.NextButton, "choose"), relabel(k.Submit, "press")}
}

// FullHelp is every key of the screen.
func (m recoveryModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View shows the code, what it is for, and the buttons.
func (m recoveryModel) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Your recovery code"), ""}
	if m.again {
		lines = append(lines, "The code shown when this vault was made was never confirmed, so it opens nothing. This is a new one.", "")
	}
	lines = append(lines,
		"Write it down or print it, and keep it apart from this computer.", "",
		"    "+st.Code.Render(m.code), "",
		"It opens the vault if the passphrase is forgotten: "+wording.Command(m.c.sess.profile.Name, "passwd --recovery")+".",
		"It is saved only when you say it is written down; if the screen locks first, the next unlock shows a new one.", "",
		m.buttons.view(st))
	switch {
	case m.busy != "":
		lines = append(lines, "", st.Faint.Render(m.busy))
	case m.err != "":
		lines = append(lines, "", st.Error.Render(m.err))
	case m.note != "":
		lines = append(lines, "", st.Faint.Render(m.note))
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return wrapLines(lines, m.w)
}
