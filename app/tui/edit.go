package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// The fields of the edit screen.
const (
	editIssuer = iota
	editName
	editTags
	editFavorite // a check box: space toggles
	editFields
)

// editModel edits an account's issuer, name, tags and favourite mark.
type editModel struct {
	sh     *shared
	acct   vault.Account
	fields [editFavorite]textinput.Model
	fav    bool
	focus  int
	err    string
}

func newEdit(sh *shared, a vault.Account) editModel {
	m := editModel{sh: sh, acct: a, fav: a.Favorite}
	labels := [editFavorite]string{"Issuer:  ", "Account: ", "Tags:    "}
	values := [editFavorite]string{a.Issuer, a.Name, strings.Join(a.Tags, ", ")}
	for i := range m.fields {
		f := textinput.New()
		f.Prompt = labels[i]
		st := textinput.DefaultStyles(true)
		st.Cursor.Blink = false
		f.SetStyles(st)
		f.CharLimit = 256
		f.SetValue(values[i])
		m.fields[i] = f
	}
	m.fields[editTags].Placeholder = "comma-separated, e.g. ward 3, nights"
	m.setWidth(sh.width)
	return m
}

// setWidth fits the fields to a terminal w cells wide.
func (m *editModel) setWidth(w int) {
	for i := range m.fields {
		m.fields[i].SetWidth(max(w-12, 8))
	}
}

// Init focuses the first field.
func (m editModel) Init() (editModel, tea.Cmd) { return m.focusField(editIssuer) }

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

// edited is the account as the form stands.
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

// editAction is what the edit screen asks the root to do.
type editAction int

const (
	editNone editAction = iota
	editBack
	editSave
)

// Update handles typing, tabbing and saving.
func (m editModel) Update(msg tea.Msg) (editModel, editAction, tea.Cmd) {
	k := m.sh.keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case matches(kp, k.Back):
			return m, editBack, nil
		case kp.String() == "tab" || kp.String() == "down":
			m, cmd := m.focusField(m.focus + 1)
			return m, editNone, cmd
		case kp.String() == "shift+tab" || kp.String() == "up":
			m, cmd := m.focusField(m.focus - 1)
			return m, editNone, cmd
		case matches(kp, k.Toggle), m.focus == editFavorite && (kp.String() == "space" || kp.String() == "x"):
			m.fav = !m.fav
			return m, editNone, nil
		case matches(kp, k.Submit):
			if _, err := m.edited(); err != "" {
				m.err = err
				return m, editNone, nil
			}
			return m, editSave, nil
		}
	}
	if m.focus >= editFavorite {
		return m, editNone, nil
	}
	var cmd tea.Cmd
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	_, m.err = m.edited()
	return m, editNone, cmd
}

// View renders the edit form.
func (m editModel) View(w, h int) string {
	st := m.sh.styles
	lines := []string{st.Title.Render("Edit " + m.acct.Label()), ""}
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
	if m.err != "" {
		lines = append(lines, st.Error.Render(m.err), "")
	}
	lines = append(lines, st.Faint.Render("enter save · tab next field · space toggle favourite · esc back"))
	return fit(wrapLines(lines, w), w, h)
}

// confirmModel asks before deleting an account.
type confirmModel struct {
	sh   *shared
	acct vault.Account
}

// Update answers true (delete), false (keep), or nil (no answer yet).
func (m confirmModel) Update(msg tea.Msg) *bool {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	yes, no := true, false
	switch {
	case matches(kp, m.sh.keys.Yes):
		return &yes
	case matches(kp, m.sh.keys.No), kp.String() == "q":
		return &no
	}
	return nil
}

// View renders the question.
func (m confirmModel) View(w, h int) string {
	st := m.sh.styles
	lines := []string{
		st.Title.Render("Delete " + m.acct.Label() + "?"), "",
		"It goes from this vault and, through sync, from every workstation.",
		"Make sure the service has another way in (a new enrollment or backup codes).", "",
		st.Key.Render("y") + " delete · " + st.Key.Render("n") + "/esc keep it",
	}
	return fit(wrapLines(lines, w), w, h)
}

func matches(k tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(k, b...) }
