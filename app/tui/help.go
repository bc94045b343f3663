package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpModel is the help screen: every key of the screen it was opened
// from (that screen's FullHelp), in columns where they fit, else one per
// line, scrolling with ↑/↓ when the terminal is short.
type helpModel struct {
	c      *common
	groups [][]key.Binding
	from   screen // where esc goes back to; nil is the list
	top    int    // first line shown
	w, h   int
	view   help.Model
}

// newHelp is the help of screen from (nil: the list, whose keys are groups).
func newHelp(c *common, from screen, groups [][]key.Binding) helpModel {
	v := help.New()
	v.Styles = help.DefaultStyles(c.dark)
	return helpModel{c: c, groups: groups, from: from, view: v, w: c.width, h: c.height - 2}
}

// Update scrolls, goes back, or quits.
func (m helpModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		m.view.Styles = help.DefaultStyles(msg.IsDark())
	case tea.KeyPressMsg:
		switch {
		case matches(msg, k.Quit):
			return m, send(quitMsg{})
		case matches(msg, k.Back), matches(msg, k.Help):
			return m.from, nil // nil: the list
		case matches(msg, k.Up):
			m.top = max(m.top-1, 0)
		case matches(msg, k.Down):
			m.top++
		}
	}
	return m, nil
}

// SetSize fits the help to w×h.
func (m helpModel) SetSize(w, h int) screen { m.w, m.h = w, h; return m }

// ShortHelp is the help screen's own hint.
func (m helpModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{bind(append(k.Back.Keys(), k.Help.Keys()...), k.Back.Help().Key+" or "+k.Help.Help().Key, "to go back")}
}

// FullHelp is the help screen's keys.
func (m helpModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Back, k.Quit}}
}

// View lists the keys.
func (m helpModel) View() string {
	st := m.c.styles
	var lines []string
	if full := m.view.FullHelpView(m.groups); lipgloss.Width(full) <= m.w {
		lines = strings.Split(full, "\n")
	} else {
		for _, g := range m.groups {
			for _, b := range g {
				if b.Enabled() {
					lines = append(lines, st.Key.Render(pad(b.Help().Key, 10))+" "+st.Faint.Render(b.Help().Desc))
				}
			}
		}
	}
	avail := max(m.h-4, 1)
	hint := m.ShortHelp()
	if len(lines) > avail {
		top := min(m.top, len(lines)-avail)
		lines = lines[top : top+avail]
		k := m.c.keys
		hint = append([]key.Binding{bind(append(k.Up.Keys(), k.Down.Keys()...), "↑/↓", "scroll")}, hint...)
	}
	return st.Title.Render("Keys") + "\n\n" + strings.Join(lines, "\n") + "\n\n" + m.c.hints(hint...)
}
