package tui

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
)

// firstRunModel is shown when the profile has no vault: create one (with
// the OS keyring or a passphrase) or open the demo.
type firstRunModel struct {
	c          *common
	keyringErr error // why the keyring cannot be used; nil when it works
	probing    bool
	typing     bool // the passphrase fields are shown
	fields     [2]textinput.Model
	focus      int
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
		m.fields[i] = c.newField(label, true, 1024)
	}
	m = m.SetSize(c.width, c.height-2).(firstRunModel)
	if !c.sess.profile.DefaultKeyring {
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
		m.fields[i].SetWidth(max(min(w-20, 40), 8))
	}
	return m
}

func (m firstRunModel) keyringOK() bool { return !m.probing && m.keyringErr == nil }

// ShortHelp is the hint line of the form, or the menu's keys.
func (m firstRunModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.typing {
		return []key.Binding{relabel(k.NextField, "next field"), relabel(k.Submit, "create"), k.Back}
	}
	return []key.Binding{k.NewKeyring, k.NewPassphrase, k.Demo, k.Quit}
}

// FullHelp is every key of the screen.
func (m firstRunModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update handles keys and results on the first-run screen.
func (m firstRunModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	profile := m.c.sess.profile.Name
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.fields[0], &m.fields[1])
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
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if m.typing {
			switch {
			case matches(msg, k.Back):
				m.typing = false
				m.err = ""
				for i := range m.fields {
					m.fields[i].Reset()
				}
				return m, nil
			case matches(msg, k.NextField), matches(msg, k.PrevField):
				return m.focusField(1 - m.focus)
			case matches(msg, k.Submit):
				a, b := m.fields[0].Value(), m.fields[1].Value()
				switch {
				case a == "":
					m.err = "Type a passphrase."
					return m.focusField(0)
				case m.focus == 0 && b == "":
					return m.focusField(1)
				case a != b:
					m.err = "The two passphrases differ: type them again."
					m.fields[0].Reset()
					m.fields[1].Reset()
					return m.focusField(0)
				}
				m.err = ""
				m.busy = "Creating the vault…"
				m.fields[0].Reset()
				m.fields[1].Reset()
				return m, createCmd(m.c, profile, CreateRequest{Passphrase: []byte(a)})
			}
			var cmd tea.Cmd
			m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
			return m, cmd
		}
		switch {
		case matches(msg, k.NewKeyring):
			if !m.keyringOK() {
				return m, nil
			}
			m.busy = "Creating the vault…"
			return m, createCmd(m.c, profile, CreateRequest{Keyring: true})
		case matches(msg, k.NewPassphrase):
			m.typing = true
			return m.focusField(0)
		case matches(msg, k.Demo):
			m.busy = "Opening the demo…"
			return m, demoCmd(m.c.backend())
		case matches(msg, k.Quit):
			return m, send(quitMsg{})
		}
	}
	if m.typing {
		var cmd tea.Cmd
		m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m firstRunModel) focusField(i int) (screen, tea.Cmd) {
	m.focus = i
	m.fields[1-i].Blur()
	return m, m.fields[i].Focus()
}

// View renders the first-run screen.
func (m firstRunModel) View() string {
	st := m.c.styles
	k := m.c.keys
	lines := []string{
		st.Title.Render("Welcome to wardkey"), "",
		fmt.Sprintf("Profile %q has no vault yet.", m.c.sess.profile.Name), "",
	}
	item := func(b key.Binding) string { return "  " + st.Key.Render(b.Help().Key) + "  " + b.Help().Desc }
	if m.typing {
		lines = append(lines, "Choose the vault passphrase. Everyone who opens this profile types it.", "")
		for i := range m.fields {
			lines = append(lines, m.fields[i].View())
		}
		lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	} else {
		kk := k.NewKeyring.Help().Key
		switch {
		case m.probing:
			lines = append(lines, st.Faint.Render("  "+kk+"  checking the OS keyring…"))
		case m.keyringErr == nil:
			lines = append(lines, item(k.NewKeyring))
		default:
			why, _, _ := wording.Open(m.keyringErr)
			lines = append(lines, st.Faint.Render("  "+kk+"  no keyring vault here: "+why))
		}
		lines = append(lines, item(k.NewPassphrase), item(k.Demo), item(k.Quit))
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	return wrapLines(lines, m.w)
}
