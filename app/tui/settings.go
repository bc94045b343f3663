package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// The fields of the settings screen, in 'wardkey config' order.
const (
	setLockAfter = iota
	setReauthAfter
	setClipboardClear
	setDisplayName
	setFields
	setNone = -1 // no field has the focus: typing does nothing
)

// settingKeys are the fields' setting keys ('wardkey config' names).
var settingKeys = [setFields]string{vault.SettingLockAfter, vault.SettingReauthAfter, vault.SettingClipboardClear, "display_name"}

// settingsSavedMsg is the result of saving the settings: what was saved
// and the vault's settings read back, or why nothing was.
type settingsSavedMsg struct {
	from     *session
	saved    SettingsChange
	settings vault.Settings
	err      error
}

// settingsModel is the settings screen: lock_after, reauth_after and
// clipboard_clear (sealed in the vault) and display_name (profile.json),
// each with its range and the administrator's cap. It opens with no field
// focused and saves only on ctrl+s, so typing at it, even ending in enter,
// changes nothing; esc leaves without saving. The values are checked by
// the backend, as 'wardkey config set' checks them: a refusal is one
// sentence naming the setting, and nothing is saved.
type settingsModel struct {
	c      *common
	fields [setFields]textinput.Model
	focus  int
	busy   bool
	err    string
	w, h   int
}

// newSettings is the settings screen of the open vault, no field focused.
func newSettings(c *common) (screen, tea.Cmd) {
	m := settingsModel{c: c, focus: setNone}
	labels := [setFields]string{"Lock after:             ", "Passphrase again after: ", "Clear copied code after:", "Display name:           "}
	st := c.sess.v.Settings()
	for i, k := range settingKeys[:setDisplayName] {
		v, _ := st.Value(k)
		if cp, ok := c.cfg.Caps[k]; ok && cp < v {
			v = cp // the value in force, as 'wardkey config get' shows it
		}
		m.fields[i] = c.newField(labels[i]+" ", 5)
		m.fields[i].SetValue(strconv.Itoa(v))
	}
	m.fields[setDisplayName] = c.newField(labels[setDisplayName]+" ", 4*vault.MaxDisplayName)
	m.fields[setDisplayName].SetValue(c.sess.profile.DisplayName)
	m.fields[setDisplayName].Placeholder = "none: the profile's name is shown"
	return m.SetSize(c.width, c.height-2), nil
}

// SetSize fits the fields to a terminal w cells wide.
func (m settingsModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].SetWidth(6)
	}
	m.fields[setDisplayName].SetWidth(max(min(w-28, 40), 6))
	return m
}

// ShortHelp is the hint under the form.
func (m settingsModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Save, relabel(k.NextField, "choose a field"), relabel(k.Back, "leave unsaved")}
}

// FullHelp is every key of the form.
func (m settingsModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Save, k.NextField, k.PrevField, relabel(k.Submit, "next field"), relabel(k.Back, "leave unsaved")}}
}

func (m settingsModel) focusField(i int) (settingsModel, tea.Cmd) {
	m.focus = (i + setFields) % setFields
	for j := range m.fields {
		m.fields[j].Blur()
	}
	return m, m.fields[m.focus].Focus()
}

// change is the form as it stands, or the sentence saying which field is
// not a number.
func (m settingsModel) change() (SettingsChange, string) {
	var n [setDisplayName]int
	for i := range n {
		s := strings.TrimSpace(m.fields[i].Value())
		v, err := strconv.Atoi(s)
		if err != nil {
			return SettingsChange{}, notSaved(fmt.Sprintf("%s: %q is not a whole number of seconds", settingKeys[i], s))
		}
		n[i] = v
	}
	return SettingsChange{LockAfter: n[setLockAfter], ReauthAfter: n[setReauthAfter], ClipboardClear: n[setClipboardClear],
		DisplayName: m.fields[setDisplayName].Value()}, ""
}

// Update handles typing, choosing a field, saving and its result.
func (m settingsModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		for i := range m.fields {
			restyleFields(msg, &m.fields[i])
		}
		return m, nil
	case settingsSavedMsg:
		m.busy = false
		if msg.err != nil {
			m.err = notSaved(msg.err.Error())
			return m, nil
		}
		return nil, nil // saved: back to the list, the note on its status line
	case tea.KeyPressMsg:
		if m.busy {
			return m, nil
		}
		switch {
		case matches(msg, k.Back):
			return nil, nil
		case matches(msg, k.NextField), matches(msg, k.Submit):
			return m.focusField(m.focus + 1)
		case matches(msg, k.PrevField):
			if m.focus == setNone {
				return m.focusField(setFields - 1)
			}
			return m.focusField(m.focus - 1)
		case matches(msg, k.Save):
			ch, bad := m.change()
			if bad != "" {
				m.err = bad
				return m, nil
			}
			m.err, m.busy = "", true
			return m, saveSettingsCmd(m.c.backend(), m.c.sess, ch)
		}
	}
	if m.focus == setNone || m.busy {
		return m, nil
	}
	var cmd tea.Cmd
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	return m, cmd
}

// limits is a field's range and the administrator's cap, as one line.
func (m settingsModel) limits(i int) string {
	if i == setDisplayName {
		return fmt.Sprintf("display_name, up to %d characters, unique here", vault.MaxDisplayName)
	}
	r, _ := vault.LookupSetting(settingKeys[i])
	what := [setDisplayName]string{" idle", " (0: ask every time)", ""}[i]
	s := fmt.Sprintf("%s, %d–%d s%s", r.Key, r.Min, r.Max, what)
	if cp, ok := m.c.cfg.Caps[r.Key]; ok && cp < r.Max {
		s += fmt.Sprintf("; max %d s, set by your administrator", cp)
	}
	return s
}

// View renders the settings form.
func (m settingsModel) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Settings of " + m.c.sess.profile.person()), ""}
	for i := range m.fields {
		f := m.fields[i].View()
		if i == m.focus {
			f = st.Selected.Render("▸") + f
		} else {
			f = " " + f
		}
		lines = append(lines, f)
		for _, l := range strings.Split(wrapLines([]string{m.limits(i)}, max(m.w-3, 10)), "\n") {
			lines = append(lines, "   "+st.Faint.Render(l))
		}
	}
	lines = append(lines, "")
	switch {
	case m.busy:
		lines = append(lines, st.Faint.Render("Saving…"), "")
	case m.focus == setNone:
		lines = append(lines, st.Faint.Render("No field is chosen: "+m.c.keys.NextField.Help().Key+" chooses one."), "")
	}
	if m.err != "" {
		lines = append(lines, st.Error.Render(m.err), "")
	}
	lines = append(lines, m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}

// takeSettings makes the session use what was saved at once (lock_after,
// reauth_after and clipboard_clear, each at most its cap; the display
// name in the header) and says what changed.
func (s *session) takeSettings(msg settingsSavedMsg, caps map[string]int) string {
	s.useSettings(msg.settings, caps)
	s.profile.DisplayName = msg.saved.DisplayName
	if len(msg.saved.Changed) == 0 {
		return "Settings unchanged."
	}
	return "Settings saved: " + strings.Join(msg.saved.Changed, ", ") + "."
}

// notSaved says why the settings were not saved, in one sentence that
// keeps the setting's name as 'wardkey config' writes it.
func notSaved(why string) string {
	why = strings.TrimSpace(why)
	if !strings.HasSuffix(why, ".") {
		why += "."
	}
	return "Not saved: " + why
}
