package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// The fields of the edit screen.
const (
	editIssuer = iota
	editName
	editTags
	editFavorite // a check box: space toggles
	editFields
	editNone = -1 // no field has the focus: typing does nothing
)

// editModel edits an account's issuer, name, tags and favourite mark. It
// opens with no field focused (tab or ↓ chooses one) and saves only on
// ctrl+s, so typing at it, even ending in enter, changes nothing (DESIGN
// "Typing cannot do damage").
type editModel struct {
	c      *common
	acct   vault.Account
	fields [editFavorite]textinput.Model
	fav    bool
	focus  int
	err    string
	w, h   int
}

// newEdit is the edit screen of a, no field focused.
func newEdit(c *common, a vault.Account) (editModel, tea.Cmd) {
	m := editModel{c: c, acct: a, fav: a.Favorite}
	labels := [editFavorite]string{"Issuer:  ", "Account: ", "Tags:    "}
	values := [editFavorite]string{a.Issuer, a.Name, strings.Join(a.Tags, ", ")}
	for i := range m.fields {
		m.fields[i] = c.newField(labels[i], 256)
		m.fields[i].SetValue(values[i])
	}
	m.fields[editTags].Placeholder = "comma-separated, e.g. ward 3, nights"
	m = m.SetSize(c.width, c.height-2).(editModel)
	m.focus = editNone
	return m, nil
}

// SetSize fits the fields to a terminal w cells wide.
func (m editModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].SetWidth(max(w-12, 8))
	}
	return m
}

// ShortHelp is the hint under the form.
func (m editModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Save, relabel(k.NextField, "choose a field"), k.Toggle, k.Back}
}

// FullHelp is every key of the form.
func (m editModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Save, k.NextField, k.PrevField, relabel(k.Submit, "next field"), relabel(k.Check, "toggle favourite (on its box)"), k.Toggle, k.Back}}
}

func (m editModel) focusField(i int) (editModel, tea.Cmd) {
	m.focus = (i + editFields) % editFields
	for j := range m.fields {
		m.fields[j].Blur()
	}
	if m.focus < editFavorite {
		return m, m.fields[m.focus].Focus()
	}
	return m, nil
}

// edited is the account as the form stands, or why it cannot be saved.
func (m editModel) edited() (vault.Account, string) {
	a := m.acct.Clone()
	a.Issuer = strings.TrimSpace(m.fields[editIssuer].Value())
	a.Name = strings.TrimSpace(m.fields[editName].Value())
	a.Tags = []string{}
	for _, t := range strings.Split(m.fields[editTags].Value(), ",") {
		if t = strings.TrimSpace(t); t != "" {
			a.Tags = append(a.Tags, t)
		}
	}
	a.Favorite = m.fav
	if a.Issuer == "" && a.Name == "" {
		return a, "An account needs an issuer or a name."
	}
	return a, ""
}

// Update handles typing, tabbing and saving.
func (m editModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		for i := range m.fields {
			restyleFields(msg, &m.fields[i])
		}
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case matches(msg, k.Back):
			return nil, nil
		case matches(msg, k.NextField), matches(msg, k.Submit):
			return m.focusField(m.focus + 1)
		case matches(msg, k.PrevField):
			if m.focus == editNone {
				return m.focusField(editFavorite)
			}
			return m.focusField(m.focus - 1)
		case matches(msg, k.Toggle), m.focus == editFavorite && matches(msg, k.Check):
			m.fav = !m.fav
			return m, nil
		case matches(msg, k.Save):
			a, err := m.edited()
			if err != "" {
				m.err = err
				return m, nil
			}
			return nil, tea.Batch(saveCmd(m.c.sess, func(tx *vault.Tx) (string, string, error) {
				return "Saved " + label(a), a.ID, tx.Put(a)
			}, audit.Event{Event: audit.Edit, Account: a.ID}))
		}
	}
	if m.focus < 0 || m.focus >= editFavorite {
		return m, nil
	}
	var cmd tea.Cmd
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	_, m.err = m.edited()
	return m, cmd
}

// View renders the edit form.
func (m editModel) View() string {
	st := m.c.styles
	lines := []string{st.Title.Render("Edit " + label(m.acct)), ""}
	for i := range m.fields {
		lines = append(lines, m.fields[i].View())
	}
	box := "[ ]"
	if m.fav {
		box = "[x]"
	}
	fav := "Favourite: " + box + " kept on top of the list"
	if m.focus == editFavorite {
		fav = st.Selected.Render(fav)
	}
	lines = append(lines, fav, "")
	if m.focus == editNone {
		lines = append(lines, st.Faint.Render("No field is chosen: "+m.c.keys.NextField.Help().Key+" chooses one."), "")
	}
	if m.err != "" {
		lines = append(lines, st.Error.Render(m.err), "")
	}
	lines = append(lines, m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}
