package tui

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
)

// The fields of the enrollment screen.
const (
	fieldSource = iota // an otpauth URI or a QR image path
	fieldIssuer
	fieldAccount
	fieldSecret
	addFields
	addNone = -1 // no field has the focus: typing does nothing
)

// addModel is the enrollment screen: paste a URI, give a QR image path, or
// type issuer, account and secret; see the parsed account and its live code;
// save. It opens with no field focused (tab or ↓ chooses one; a paste lands
// in the URI field) and saves only on ctrl+s, so typing at it, even ending
// in enter, adds nothing (DESIGN "Typing cannot do damage").
type addModel struct {
	c      *common
	fields [addFields]textinput.Model
	focus  int
	parsed []vault.Account // what enter saves
	err    string
	busy   string
	read   string // the path whose accounts are in parsed
	w, h   int
}

// importedMsg carries the accounts read from a file.
type importedMsg struct {
	path  string
	accts []vault.Account
	err   error
}

// newAdd is the enrollment screen, no field focused.
func newAdd(c *common) (addModel, tea.Cmd) {
	m := addModel{c: c}
	labels := [addFields]string{"URI or image: ", "Issuer:  ", "Account: ", "Secret:  "}
	holders := [addFields]string{"otpauth://… or /path/to/qr.png", "e.g. Riverside EHR", "e.g. dr.jones", "base32, spaces allowed"}
	for i := range m.fields {
		m.fields[i] = c.newField(labels[i], false, 4096)
		m.fields[i].Placeholder = holders[i]
	}
	m = m.SetSize(c.width, c.height-2).(addModel)
	m.focus = addNone
	return m, nil
}

// SetSize fits the fields to a terminal w cells wide.
func (m addModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	for i := range m.fields {
		m.fields[i].SetWidth(max(w-lipgloss.Width(m.fields[i].Prompt)-2, 8))
	}
	return m
}

// ShortHelp is the hint under the form.
func (m addModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Save, relabel(k.NextField, "choose a field"), k.Back}
}

// FullHelp is every key of the form.
func (m addModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Save, k.NextField, k.PrevField, relabel(k.Submit, "read the image, or next field"), k.Back}}
}

func (m addModel) focusField(i int) (addModel, tea.Cmd) {
	m.focus = (i + addFields) % addFields
	for j := range m.fields {
		if j != m.focus {
			m.fields[j].Blur()
		}
	}
	return m, m.fields[m.focus].Focus()
}

// looksLikePath says whether the source field holds a file path (a file
// dragged onto a terminal pastes its path, often quoted).
func looksLikePath(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") || strings.HasPrefix(s, ".") ||
		strings.HasPrefix(s, "'") || strings.HasPrefix(s, "\"") || strings.HasPrefix(s, "file://") ||
		(len(s) > 2 && s[1] == ':' && (s[2] == '\\' || s[2] == '/'))
}

// cleanPath undoes what terminals do to a dragged path: quotes, backslash
// escapes, file:// URLs and a leading ~ (home; none when "").
func cleanPath(s, home string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	} else {
		s = strings.ReplaceAll(s, `\ `, " ")
	}
	if strings.HasPrefix(s, "file://") {
		if u, err := url.Parse(s); err == nil {
			s = u.Path
		}
	}
	if home != "" && (s == "~" || strings.HasPrefix(s, "~/")) {
		s = filepath.Join(home, strings.TrimPrefix(s[1:], "/"))
	}
	return s
}

// revalidate parses what was typed, as it is typed.
func (m addModel) revalidate() addModel {
	m.err = ""
	m.parsed = nil
	src := strings.TrimSpace(m.fields[fieldSource].Value())
	lower := strings.ToLower(src)
	switch {
	case strings.HasPrefix(lower, "otpauth-migration:"):
		r, err := importer.Import([]byte(src), importer.Options{})
		if err != nil {
			m.err = "The export is not valid: " + withoutSecret(err.Error(), src) + "."
			return m
		}
		m.parsed = r.Accounts
		return m
	case strings.HasPrefix(lower, "otpauth:"):
		a, err := otpauth.Parse(src)
		if err != nil {
			m.err = "The URI is not valid: " + withoutSecret(err.Error(), src) + "."
			return m
		}
		m.parsed = []vault.Account{a}
		return m
	case src != "" && looksLikePath(src):
		return m // enter reads it
	case src != "":
		m.err = "Paste an otpauth:// URI or a file path here, or use the fields below."
		return m
	}
	iss := strings.TrimSpace(m.fields[fieldIssuer].Value())
	name := strings.TrimSpace(m.fields[fieldAccount].Value())
	sec := m.fields[fieldSecret].Value()
	if iss == "" && name == "" && sec == "" {
		return m
	}
	a := vault.Account{Issuer: iss, Name: name}
	if strings.TrimSpace(sec) == "" {
		m.err = "Type the secret the service shows (base32 letters and digits)."
		return m
	}
	s, err := vault.ParseSecret(sec)
	if err != nil {
		m.err = "The secret: " + err.Error() + "."
		return m
	}
	a.Secret = s
	a.Normalize()
	if err := a.Validate(); err != nil {
		m.err = strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + "."
		return m
	}
	m.parsed = []vault.Account{a}
	return m
}

// withoutSecret keeps an error message from showing any part of what was
// pasted after "secret=" or "data=" (a parser's message may quote a
// malformed URI).
func withoutSecret(msg, src string) string {
	b := []byte(src)
	for i, c := range b { // ASCII only, so indices stay those of src
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	lower := string(b)
	for _, k := range []string{"secret=", "data="} {
		for i := strings.Index(lower, k); i >= 0; {
			v := src[i+len(k):]
			if j := strings.IndexAny(v, "&#\"\n "); j >= 0 {
				v = v[:j]
			}
			if len(v) >= 4 && strings.Contains(msg, v) {
				return "it is malformed"
			}
			n := strings.Index(lower[i+len(k):], k)
			if n < 0 {
				break
			}
			i += len(k) + n
		}
	}
	return msg
}

// Update handles typing, tabbing, reading a file and saving.
func (m addModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		for i := range m.fields {
			restyleFields(msg, &m.fields[i])
		}
		return m, nil
	case importedMsg:
		m.busy = ""
		if strings.TrimSpace(m.fields[fieldSource].Value()) != strings.TrimSpace(msg.path) {
			wipeAll(msg.accts)
			return m, nil // typed on meanwhile
		}
		if msg.err != nil {
			m.err = sentence(msg.err)
			return m, nil
		}
		m.read = strings.TrimSpace(msg.path)
		m.parsed = msg.accts
		m.err = ""
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		switch {
		case matches(msg, k.Back):
			m.forget()
			return nil, nil
		case matches(msg, k.NextField):
			return m.focusField(m.focus + 1)
		case matches(msg, k.PrevField):
			if m.focus == addNone {
				return m.focusField(addFields - 1)
			}
			return m.focusField(m.focus - 1)
		case matches(msg, k.Submit):
			if m.focus == fieldSource {
				if mm, cmd, ok := m.readSource(); ok {
					return mm, cmd
				}
			}
			return m.focusField(m.focus + 1)
		case matches(msg, k.Save):
			if mm, cmd, ok := m.readSource(); ok {
				return mm, cmd
			}
			if len(m.parsed) > 0 && m.err == "" {
				return nil, addCmd(m.c.sess, m.parsed)
			}
			if m.err == "" {
				m.err = "Nothing to save yet: paste a URI or an image path, or type the fields."
			}
			return m, nil
		}
	}
	if _, paste := msg.(tea.PasteMsg); paste && m.focus == addNone {
		m, _ = m.focusField(fieldSource) // a dragged file pastes its path
	}
	if m.focus == addNone {
		return m, nil
	}
	var cmd tea.Cmd
	before := m.fields[m.focus].Value()
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	if m.fields[m.focus].Value() != before {
		m = m.revalidate()
	}
	return m, cmd
}

// readSource starts reading the image whose path is in the source field,
// if there is one not read yet.
func (m addModel) readSource() (addModel, tea.Cmd, bool) {
	src := strings.TrimSpace(m.fields[fieldSource].Value())
	if src == "" || !looksLikePath(src) || m.read == src {
		return m, nil, false
	}
	path := cleanPath(src, m.c.cfg.Home)
	m.busy = "Reading " + filepath.Base(path) + "…"
	return m, importCmd(m.c.backend(), src, path), true
}

// addCmd saves the accounts as new ones and selects the first.
func addCmd(s *session, as []vault.Account) tea.Cmd {
	return saveCmd(s, func(tx *vault.Tx) (string, string, error) {
		id := ""
		for _, a := range as {
			added, err := tx.Add(a)
			if err != nil {
				return "", "", err
			}
			if id == "" {
				id = added.ID
			}
		}
		note := "Added " + label(as[0])
		if len(as) > 1 {
			note = fmt.Sprintf("Added %d accounts", len(as))
		}
		return note, id, nil
	})
}

// View renders the form and the preview with its live code.
func (m addModel) View() string {
	w, h, t := m.w, m.h, m.c.codeTime()
	st, k := m.c.styles, m.c.keys
	lines := []string{st.Title.Render("Add an account"), ""}
	lines = append(lines, st.Label.Render("Paste an otpauth:// URI, or a QR image's path (drag the file here):"))
	lines = append(lines, m.fields[fieldSource].View(), "", st.Label.Render("…or type what the service shows:"))
	for i := fieldIssuer; i < addFields; i++ {
		lines = append(lines, m.fields[i].View())
	}
	lines = append(lines, "")
	switch {
	case m.busy != "":
		lines = append(lines, st.Faint.Render(m.busy))
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	case len(m.parsed) > 0:
		lines = append(lines, m.preview(w, t)...)
	case m.focus == addNone:
		lines = append(lines, st.Faint.Render("No field is chosen: "+k.NextField.Help().Key+" chooses one (a paste goes to the first)."))
	default:
		src := strings.TrimSpace(m.fields[fieldSource].Value())
		if src != "" && looksLikePath(src) {
			lines = append(lines, st.Faint.Render("Press "+k.Submit.Help().Key+" to read the image."))
		}
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, w), w, h)
}

// preview shows the parsed account and its current code.
func (m addModel) preview(w int, t time.Time) []string {
	st := m.c.styles
	a := m.parsed[0]
	head := text(a.Issuer)
	if a.Name != "" {
		head += " · " + text(a.Name)
	}
	kind := fmt.Sprintf("%s · %s · %d digits · %d s", strings.ToUpper(string(a.Type)), a.Algorithm, a.Digits, a.Period)
	if a.Type == vault.HOTP {
		kind = fmt.Sprintf("HOTP · %s · %d digits · counter %d", a.Algorithm, a.Digits, a.Counter)
	}
	lines := []string{st.Title.Render(head), st.Faint.Render(kind)}
	if a.Type == vault.HOTP {
		lines = append(lines, "Counter-based: after saving, press "+m.c.keys.Next.Help().Key+" on the list for its first code.")
	} else {
		c := totpAt(a, t)
		code := st.Code.Render(group(c.code))
		if c.expiring() {
			code = st.Expiring.Render(group(c.code)) + st.Next.Render("  next "+group(c.next))
		}
		lines = append(lines, code+fmt.Sprintf("  %2ds", c.left))
		who := text(a.Issuer)
		if who == "" {
			who = "the service"
		}
		lines = append(lines, "Type this code into "+who+" to finish enrolling, then press "+m.c.keys.Save.Help().Key+" to save.")
	}
	if n := len(m.parsed) - 1; n > 0 {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("…and %d more account(s) from the same file: "+m.c.keys.Save.Help().Key+" saves them all.", n)))
	}
	box := st.Box.Width(min(w, 76)).Render(strings.Join(lines, "\n"))
	return strings.Split(box, "\n")
}

// forget wipes the parsed secrets (on cancel and on lock).
func (m addModel) forget() { wipeAll(m.parsed) }
