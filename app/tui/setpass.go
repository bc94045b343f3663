package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// setPassphraseModel is shown, on a shared machine (policy shared = true),
// when a vault opened with its keyring slot alone: anyone at this OS login
// could open it. The person sets a passphrase (twice, as strong as the
// policy asks); the vault then gets a new key, a passphrase slot and no
// keyring slot, and the keyring item is deleted. Its codes stay hidden
// until then; esc locks. The form opens with no field chosen and only
// ctrl+s sets the passphrase.
type setPassphraseModel struct {
	c      *common
	fields [2]secretField // the passphrase, twice: bytes, wiped when done
	focus  int            // -1: no field chosen
	busy   string
	err    string
	w, h   int
}

// newSetPassphrase is the form, no field chosen.
func newSetPassphrase(c *common) (setPassphraseModel, tea.Cmd) {
	m := setPassphraseModel{c: c, focus: -1}
	for i, label := range []string{"New passphrase: ", "Repeat it:      "} {
		m.fields[i] = newSecretField(label, 1024)
		m.fields[i].focused = false
	}
	return m.SetSize(c.width, c.height-2).(setPassphraseModel), nil
}

// SetSize fits the fields to a terminal w cells wide.
func (m setPassphraseModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].setWidth(max(min(w-20, 40), 8))
	}
	return m
}

// ShortHelp is the form's hint line.
func (m setPassphraseModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{relabel(k.NextField, "next field"), relabel(k.Save, "set the passphrase"), relabel(k.Back, "lock")}
}

// FullHelp is every key of the form.
func (m setPassphraseModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m setPassphraseModel) focusOn(i int) (screen, tea.Cmd) {
	m.fields[0].focused = i == 0
	m.fields[1].focused = i == 1
	m.focus = i
	return m, nil
}

// forget wipes the passphrases (esc, a quit or a lock).
func (m setPassphraseModel) forget() {
	m.fields[0].wipe()
	m.fields[1].wipe()
}

// Update moves between the fields and sets the passphrase on ctrl+s.
func (m setPassphraseModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case keyringDroppedMsg:
		if msg.from != m.c.sess {
			return m, nil
		}
		m.busy = ""
		m.c.sess.profile.Slots = msg.slots
		if msg.err != nil && m.c.sess.onlyKeyring() {
			m.err = sentence(msg.err)
			return m.focusOn(0)
		}
		// The passphrase is set, typed just now: from here the session
		// asks for it again like any passphrase vault's.
		m.c.sess.passphraseTyped(m.c.cfg.now())
		if msg.err != nil { // the passphrase is set; the keyring item stayed
			return nil, toast(sentence(msg.err), true)
		}
		return nil, toast("Your vault now opens with your passphrase only; the keyring no longer opens it.", false)
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		switch {
		case matches(msg, k.Back):
			m.forget()
			return m, send(lockMsg{why: "Locked: on this shared computer the vault needs a passphrase before its codes show."})
		case matches(msg, k.Save):
			switch {
			case m.fields[0].empty():
				m.err = "Type a passphrase."
				return m.focusOn(0)
			case !m.fields[0].equal(m.fields[1]):
				m.err = "The two passphrases differ: type them again."
				m.forget()
				return m.focusOn(0)
			}
			m.err, m.busy = "", "Setting the passphrase (the vault gets a new key)…"
			pass := m.fields[0].take() // dropKeyringCmd wipes it
			m.fields[1].wipe()
			next, _ := m.focusOn(-1)
			return next, dropKeyringCmd(m.c.backend(), m.c.sess, pass)
		case matches(msg, k.NextField), matches(msg, k.Submit) && m.focus == 0:
			return m.focusOn((m.focus + 1) % 2)
		case matches(msg, k.PrevField):
			return m.focusOn(max(m.focus, 0) ^ 1)
		}
	}
	if m.focus < 0 {
		return m, nil
	}
	m.fields[m.focus] = m.fields[m.focus].update(k, msg)
	return m, nil
}

// View renders the form.
func (m setPassphraseModel) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Set a passphrase"), "",
		"This computer is shared, and this vault opens with the login's keyring: anyone who can use this login could read your codes without typing anything.",
		"Choose a passphrase only you know. The vault then gets a new key and the keyring no longer opens it.", ""}
	for i := range m.fields {
		lines = append(lines, m.fields[i].view(st))
	}
	lines = append(lines, m.c.progress(m.busy, m.err)...)
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
