package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// confirmModel is a yes-or-no question, reusable by any screen: a title,
// the lines that explain what yes does, and the command yes runs (no runs
// nothing). Either answer goes back to the list.
type confirmModel struct {
	c     *common
	title string
	lines []string
	yes   key.Binding // described for the question ("delete")
	no    key.Binding // described for the question ("keep it")
	onYes tea.Cmd
	w, h  int
}

// newConfirm asks title; yesDesc and noDesc say what each answer does.
func newConfirm(c *common, title string, lines []string, yesDesc, noDesc string, onYes tea.Cmd) confirmModel {
	return confirmModel{c: c, title: title, lines: lines, yes: relabel(c.keys.Yes, yesDesc), no: relabel(c.keys.No, noDesc), onYes: onYes, w: c.width, h: c.height - 2}
}

// Update answers on yes or no; other keys wait.
func (m confirmModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case matches(kp, m.yes):
		return nil, m.onYes
	case matches(kp, m.no):
		return nil, nil
	}
	return m, nil
}

// SetSize fits the question to w×h.
func (m confirmModel) SetSize(w, h int) screen { m.w, m.h = w, h; return m }

// ShortHelp is yes and no.
func (m confirmModel) ShortHelp() []key.Binding { return []key.Binding{m.yes, m.no} }

// FullHelp is yes and no.
func (m confirmModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View renders the question.
func (m confirmModel) View() string {
	st := m.c.styles
	lines := append([]string{st.Title.Render(m.title), ""}, m.lines...)
	lines = append(lines, "", st.Key.Render(m.yes.Help().Key)+" "+m.yes.Help().Desc+" · "+st.Key.Render(m.no.Help().Key)+" "+m.no.Help().Desc)
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
