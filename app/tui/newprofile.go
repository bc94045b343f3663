package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// The fields of the new-profile form, in order: two text fields, then
// the two passphrase fields (pass[0] and pass[1]).
const (
	npName = iota
	npDisplay
	npPass
	npRepeat
	npFields
)

// newProfileModel makes a new person's profile: ctrl+n on "Who are you?",
// and the first run of a shared machine. A profile name (as --profile
// takes it), the person's display name, a passphrase twice (as strong as
// the policy asks), then the recovery code, whose slot is written once it
// is acknowledged. Never a keyring slot. The form opens with no field
// chosen and only ctrl+s creates, so typing cannot create a profile.
type newProfileModel struct {
	c     *common
	first bool // the first run of a shared machine: there is no picker to go back to

	fields [npPass]textinput.Model // the profile name and display name
	pass   [2]secretField          // the passphrase, twice: bytes, wiped when done
	focus  int                     // npName…npRepeat; -1: no field chosen
	busy   string
	err    string
	w, h   int
}

// newNewProfile is the new-profile form, no field chosen; first says it is
// a shared machine's first run.
func newNewProfile(c *common, first bool) newProfileModel {
	m := newProfileModel{c: c, first: first, focus: -1}
	m.fields[npName] = c.newField("Profile name: ", 64)
	m.fields[npName].Placeholder = "e.g. jones"
	m.fields[npDisplay] = c.newField("Your name:    ", vault.MaxDisplayName)
	m.fields[npDisplay].Placeholder = "e.g. Dr Jones"
	for i, label := range []string{"Passphrase:   ", "Repeat it:    "} {
		m.pass[i] = newSecretField(label, 1024)
		m.pass[i].focused = false
	}
	return m.SetSize(c.width, c.height-2).(newProfileModel)
}

// SetSize fits the fields to a terminal w cells wide.
func (m newProfileModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].SetWidth(max(min(w-17, 40), 8))
	}
	for i := range m.pass {
		m.pass[i].setWidth(max(min(w-17, 40), 8))
	}
	return m
}

// ShortHelp is the form's hint line.
func (m newProfileModel) ShortHelp() []key.Binding {
	k := m.c.keys
	hs := []key.Binding{relabel(k.NextField, "next field"), relabel(k.Save, "create")}
	if !m.first {
		hs = append(hs, relabel(k.Back, "back"))
	}
	return hs
}

// FullHelp is every key of the form.
func (m newProfileModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{append(m.ShortHelp(), relabel(k.PrevField, "previous field"), relabel(k.Submit, "next field"), k.ForceQuit)}
}

// focusOn chooses field i (-1: none).
func (m newProfileModel) focusOn(i int) (screen, tea.Cmd) {
	for j := range m.fields {
		m.fields[j].Blur()
	}
	for j := range m.pass {
		m.pass[j].focused = i == npPass+j
	}
	m.focus = i
	if i < 0 || i >= npPass {
		return m, nil
	}
	return m, m.fields[i].Focus()
}

// resetPassphrases empties both passphrase fields.
func (m *newProfileModel) resetPassphrases() {
	m.pass[0].wipe()
	m.pass[1].wipe()
}

// forget wipes the passphrases (leaving, a quit or a lock).
func (m newProfileModel) forget() { m.resetPassphrases() }

// Update moves between the fields, checks the form on ctrl+s and creates.
func (m newProfileModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.fields[npName], &m.fields[npDisplay])
		return m, nil
	case openedMsg: // failures only: a success starts the new person's session
		m.busy = ""
		if msg.err != nil {
			m.err = sentence(msg.err)
			return m.focusOn(m.fieldOf(msg.err))
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		switch {
		case matches(msg, k.Back):
			if m.first {
				return m, nil
			}
			m.forget()
			p, cmd := newPicker(m.c, "")
			return p, cmd
		case matches(msg, k.Save):
			return m.create()
		case matches(msg, k.NextField), matches(msg, k.Submit) && m.focus >= 0:
			if m.focus == npFields-1 && matches(msg, k.Submit) {
				return m, nil // the last field: ctrl+s creates
			}
			return m.focusOn((m.focus + 1) % npFields)
		case matches(msg, k.PrevField):
			if m.focus <= 0 {
				return m.focusOn(npFields - 1)
			}
			return m.focusOn(m.focus - 1)
		}
	}
	switch {
	case m.focus < 0:
		return m, nil
	case m.focus >= npPass:
		m.pass[m.focus-npPass] = m.pass[m.focus-npPass].update(k, msg)
		return m, nil
	}
	var cmd tea.Cmd
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	return m, cmd
}

// fieldOf is the field a refusal is about.
func (m newProfileModel) fieldOf(err error) int {
	s := err.Error()
	switch {
	case strings.Contains(s, "profile name"), strings.Contains(s, "already exists"):
		return npName
	case strings.Contains(s, "display name"), strings.Contains(s, "your name"):
		return npDisplay
	}
	return npPass
}

// create checks what the form can check itself, then asks the backend.
func (m newProfileModel) create() (screen, tea.Cmd) {
	name := strings.TrimSpace(m.fields[npName].Value())
	display := m.fields[npDisplay].Value()
	switch {
	case name == "":
		m.err = "Type a profile name: it is what 'wardkey --profile NAME' takes."
		return m.focusOn(npName)
	case vault.CheckProfile(name) != nil:
		m.err = sentence(vault.CheckProfile(name))
		return m.focusOn(npName)
	case strings.TrimSpace(display) == "":
		m.err = "Type your name as colleagues know it (for example Dr Jones): \"Who are you?\" shows it."
		return m.focusOn(npDisplay)
	case m.pass[0].empty():
		m.err = "Type a passphrase."
		return m.focusOn(npPass)
	case !m.pass[0].equal(m.pass[1]):
		m.err = "The two passphrases differ: type them again."
		m.resetPassphrases()
		return m.focusOn(npPass)
	}
	m.err = ""
	m.busy = "Creating the profile…"
	pass := m.pass[0].take() // createProfileCmd wipes it
	m.resetPassphrases()
	next, _ := m.focusOn(-1)
	return next, createProfileCmd(m.c, NewProfileRequest{Name: name, DisplayName: display, Passphrase: pass})
}

// View renders the form.
func (m newProfileModel) View() string {
	st := m.c.styles
	var lines []string
	if m.first {
		lines = append(lines, st.Title.Render("Welcome to wardkey"), "",
			"This computer is shared: each person has a profile of their own, opened with their own passphrase.", "")
	} else {
		lines = append(lines, st.Title.Render("New profile"), "")
	}
	lines = append(lines, "Choose a profile name, your name as colleagues know it, and a passphrase only you know.", "")
	for i := range m.fields {
		lines = append(lines, m.fields[i].View())
	}
	for i := range m.pass {
		lines = append(lines, m.pass[i].view(st))
	}
	if m.focus < 0 && m.busy == "" {
		lines = append(lines, "", st.Faint.Render("Press "+m.c.keys.NextField.Help().Key+" to start."))
	}
	lines = append(lines, m.c.progress(m.busy, m.err)...)
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
