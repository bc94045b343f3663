package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// pickerModel is "Who are you?": the people of a shared workstation (their
// display names and profile names; never a code or an account name).
// Typing filters; ↑/↓ choose; enter opens that person's unlock screen;
// ctrl+n opens the new-profile form (newprofile.go). Nothing here changes
// anything, so typing at it is harmless.
type pickerModel struct {
	c        *common
	people   []Profile // every profile of the home
	loaded   bool
	err      string
	note     string // why the picker shows (a lock)
	filter   textinput.Model
	selected int // index into shown()
	w, h     int
}

// Messages of the picker.
type (
	// profilesMsg is the home's profiles (Backend.Profiles).
	profilesMsg struct {
		people []Profile
		err    error
	}
	// pickMsg asks the root to open p's unlock screen (ending any
	// session: one vault is open at a time).
	pickMsg struct{ p Profile }
)

// newPicker is the picker, its profiles being read; note says why it shows.
func newPicker(c *common, note string) (pickerModel, tea.Cmd) {
	m := pickerModel{c: c, note: note, w: c.width, h: c.height - 2}
	m.filter = c.newField("Find: ", 64)
	m.filter.Placeholder = "type a name"
	m.filter.SetWidth(max(min(c.width-10, 40), 8))
	return m, tea.Batch(m.filter.Focus(), profilesCmd(c.backend()))
}

// shown are the people matching the filter, in the home's order.
func (m pickerModel) shown() []Profile {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	var out []Profile
	for _, p := range m.people {
		hay := strings.ToLower(p.DisplayName + " " + p.Name)
		if q == "" || strings.Contains(hay, q) || fuzzy(hay, q) {
			out = append(out, p)
		}
	}
	return out
}

// SetSize fits the picker to w×h.
func (m pickerModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.filter.SetWidth(max(min(w-10, 40), 8))
	return m
}

// ShortHelp is the hint under the list.
func (m pickerModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{relabel(k.Submit, "open"), bind(append(k.PrevField.Keys(), k.NextField.Keys()...), "↑/↓", "choose"), k.NewProfile, k.ForceQuit}
}

// FullHelp is every key of the picker.
func (m pickerModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// Update filters as typed, moves the choice and opens the chosen person.
func (m pickerModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.filter)
		return m, nil
	case profilesMsg:
		m.people, m.loaded, m.err = msg.people, true, ""
		if msg.err != nil {
			m.err = "The profiles could not be read: " + msg.err.Error()
		}
		if msg.err == nil && len(msg.people) == 0 && m.c.cfg.Shared {
			// A shared machine with nobody yet: the first run makes a
			// person's profile, never the default one.
			return newNewProfile(m.c, true), nil
		}
		return m, nil
	case tea.KeyPressMsg:
		n := len(m.shown())
		switch {
		case matches(msg, k.NewProfile):
			return newNewProfile(m.c, false), nil
		case matches(msg, k.Submit):
			if sh := m.shown(); m.selected < len(sh) {
				return m, send(pickMsg{sh[m.selected]})
			}
			return m, nil
		case matches(msg, k.NextField):
			m.selected = min(m.selected+1, max(n-1, 0))
			return m, nil
		case matches(msg, k.PrevField):
			m.selected = max(m.selected-1, 0)
			return m, nil
		}
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if m.filter.Value() != before {
		m.selected = 0
	}
	return m, cmd
}

// View renders the question, the filter and the people.
func (m pickerModel) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Who are you?"), ""}
	if m.note != "" {
		lines = append(lines, st.Faint.Render(m.note), "")
	}
	lines = append(lines, m.filter.View(), "")
	sh := m.shown()
	for i, p := range sh {
		marker, name := "  ", p.person()
		if p.DisplayName != "" {
			name += st.Faint.Render(" (" + p.Name + ")")
		}
		if i == m.selected {
			marker, name = st.Selected.Render("▸ "), st.Selected.Render(p.person())+strings.TrimPrefix(name, p.person())
		}
		lines = append(lines, marker+name)
	}
	switch {
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	case !m.loaded:
		lines = append(lines, st.Faint.Render("Reading the profiles…"))
	case len(sh) == 0:
		lines = append(lines, st.Faint.Render(fmt.Sprintf("Nobody matches %q.", strings.TrimSpace(m.filter.Value()))))
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
