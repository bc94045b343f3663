package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
)

// recoveryModel shows the recovery code of a vault made just now, once.
// The code leaves memory when the person confirms it is written down, or
// on a lock.
type recoveryModel struct {
	c    *common
	code string
	w    int
}

// Update leaves for the list on enter.
func (m recoveryModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && matches(kp, m.c.keys.Submit) {
		return nil, nil // the screen, and the code with it, is dropped
	}
	return m, nil
}

// SetSize fits the text to w cells.
func (m recoveryModel) SetSize(w, _ int) screen { m.w = w; return m }

// ShortHelp is enter.
func (m recoveryModel) ShortHelp() []key.Binding {
	return []key.Binding{relabel(m.c.keys.Submit, "when it is written down")}
}

// FullHelp is enter.
func (m recoveryModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View shows the code and what it is for.
func (m recoveryModel) View() string {
	st := m.c.styles
	return wrapLines([]string{
		st.Title.Render("Your recovery code"), "",
		"Write it down or print it, and keep it apart from this computer. It is shown only now.", "",
		"    " + st.Code.Render(m.code), "",
		"It opens the vault if the passphrase is forgotten: " + wording.Command(m.c.sess.profile.Name, "passwd --recovery") + ".", "",
		"Press " + st.Key.Render(m.c.keys.Submit.Help().Key) + " when it is written down.",
	}, m.w)
}
