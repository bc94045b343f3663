package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// buttons is a row of two buttons, the safe one ("keep it", "cancel")
// first and focused when it opens. Tab and the arrows move the focus;
// enter presses the focused button. No printable key moves or presses a
// button, so no run of typing, even one ending in enter, can confirm
// (DESIGN "Typing cannot do damage").
type buttons struct {
	labels [2]string // the safe answer, then the one that acts
	focus  int       // 0: the safe answer
}

// newButtons is a row whose safe answer is safe and whose acting one is act.
func newButtons(safe, act string) buttons { return buttons{labels: [2]string{safe, act}} }

// update moves the focus on tab or the arrows, and reports whether enter
// pressed the acting button (pressed) or the safe one (cancelled).
func (b buttons) update(k KeyMap, kp tea.KeyPressMsg) (_ buttons, pressed, cancelled bool) {
	switch {
	case matches(kp, k.NextButton):
		b.focus = min(b.focus+1, 1)
	case matches(kp, k.PrevButton):
		b.focus = max(b.focus-1, 0)
	case matches(kp, k.Submit):
		return b, b.focus == 1, b.focus == 0
	}
	return b, false, false
}

// view draws the row: the focused button in the selection style, marked
// with ▸ so the focus does not rest on colour alone.
func (b buttons) view(st Styles) string {
	out := ""
	for i, l := range b.labels {
		if i > 0 {
			out += "   "
		}
		if i == b.focus {
			out += st.Selected.Render("▸[ " + l + " ]")
		} else {
			out += " [ " + l + " ]"
		}
	}
	return out
}

// confirmModel is a yes-or-no question, reusable by any screen: a title,
// the lines that explain what the acting answer does, two buttons (the safe
// one focused) and the command the acting one runs. Either answer goes back
// to the list; esc is the safe answer.
type confirmModel struct {
	c       *common
	title   string
	lines   []string
	buttons buttons
	onYes   tea.Cmd
	w, h    int
}

// newConfirm asks title; yesDesc and noDesc label the acting and the safe
// button.
func newConfirm(c *common, title string, lines []string, yesDesc, noDesc string, onYes tea.Cmd) confirmModel {
	return confirmModel{c: c, title: title, lines: lines, buttons: newButtons(noDesc, yesDesc), onYes: onYes, w: c.width, h: c.height - 2}
}

// Update moves between the buttons and answers on enter or esc; other
// keys wait.
func (m confirmModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if matches(kp, m.c.keys.No) {
		return nil, nil
	}
	var pressed, cancelled bool
	m.buttons, pressed, cancelled = m.buttons.update(m.c.keys, kp)
	switch {
	case pressed:
		return nil, m.onYes
	case cancelled:
		return nil, nil
	}
	return m, nil
}

// SetSize fits the question to w×h.
func (m confirmModel) SetSize(w, h int) screen { m.w, m.h = w, h; return m }

// ShortHelp is how to choose and answer.
func (m confirmModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{relabel(k.NextButton, "choose"), relabel(k.Submit, "press"), relabel(k.No, m.buttons.labels[0])}
}

// FullHelp is every key of the question.
func (m confirmModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{relabel(k.NextButton, "choose"), k.PrevButton, relabel(k.Submit, "press"), relabel(k.No, m.buttons.labels[0])}}
}

// View renders the question, its buttons and the hint line.
func (m confirmModel) View() string {
	st := m.c.styles
	lines := append([]string{st.Title.Render(m.title), ""}, m.lines...)
	lines = append(lines, "", m.buttons.view(st), "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
