package tui

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/vault"
)

// The fields of the enrollment screen.
const (
	fieldSource = iota // an otpauth URI or a QR image path
	fieldIssuer
	fieldAccount
	fieldSecret
	addFields
)

// addModel is the enrollment screen: paste a URI, give a QR image path, or
// type issuer, account and secret; see the parsed account and its live code;
// save.
type addModel struct {
	sh     *shared
	fields [addFields]textinput.Model
	focus  int
	parsed []vault.Account // what enter saves
	err    string
	busy   string
	read   string // the path whose accounts are in parsed
}

// importedMsg carries the accounts read from a file.
type importedMsg struct {
	path  string
	accts []vault.Account
	err   error
}

func newAdd(sh *shared) addModel {
	m := addModel{sh: sh}
	labels := [addFields]string{"URI or image: ", "Issuer:  ", "Account: ", "Secret:  "}
	holders := [addFields]string{"otpauth://… or /path/to/qr.png", "e.g. Riverside EHR", "e.g. dr.jones", "base32, spaces allowed"}
	for i := range m.fields {
		f := textinput.New()
		f.Prompt = labels[i]
		f.Placeholder = holders[i]
		st := textinput.DefaultStyles(true)
		st.Cursor.Blink = false
		f.SetStyles(st)
		f.CharLimit = 4096
		m.fields[i] = f
	}
	m.setWidth(sh.width)
	return m
}

// setWidth fits the fields to a terminal w cells wide.
func (m *addModel) setWidth(w int) {
	for i := range m.fields {
		m.fields[i].SetWidth(max(w-lipgloss.Width(m.fields[i].Prompt)-2, 8))
	}
}

// Init focuses the first field.
func (m addModel) Init() (addModel, tea.Cmd) {
	return m.focusField(fieldSource)
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
// escapes, file:// URLs and a leading ~.
func cleanPath(s string) string {
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
	if strings.HasPrefix(s, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(h, s[2:])
		}
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
		a, err := importer.ParseURI(src)
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

// importCmd reads accounts from a file through the importer. Its errors
// name the file's problem, never its content.
func importCmd(cfg Config, path string) tea.Cmd {
	return func() tea.Msg {
		if cfg.ImportFile == nil {
			return importedMsg{path: path, err: errors.New("QR import is not built yet: paste the otpauth:// URI, or type the fields")}
		}
		as, err := cfg.ImportFile(cleanPath(path))
		if err == nil && len(as) == 0 {
			err = errors.New("no account was found in that file")
		}
		return importedMsg{path: path, accts: as, err: err}
	}
}

// addAction is what the enrollment screen asks the root to do.
type addAction int

const (
	addNone addAction = iota
	addBack
	addSave
)

// Update handles typing, tabbing, reading a file and saving.
func (m addModel) Update(msg tea.Msg) (addModel, addAction, tea.Cmd) {
	k := m.sh.keys
	switch msg := msg.(type) {
	case importedMsg:
		m.busy = ""
		if strings.TrimSpace(m.fields[fieldSource].Value()) != strings.TrimSpace(msg.path) {
			return m, addNone, nil // typed on meanwhile
		}
		if msg.err != nil {
			m.err = strings.ToUpper(msg.err.Error()[:1]) + msg.err.Error()[1:] + "."
			return m, addNone, nil
		}
		m.read = strings.TrimSpace(msg.path)
		m.parsed = msg.accts
		m.err = ""
		return m, addNone, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, addNone, nil
		}
		switch {
		case matches(msg, k.Back):
			return m, addBack, nil
		case msg.String() == "tab" || msg.String() == "down":
			m, cmd := m.focusField(m.focus + 1)
			return m, addNone, cmd
		case msg.String() == "shift+tab" || msg.String() == "up":
			m, cmd := m.focusField(m.focus - 1)
			return m, addNone, cmd
		case matches(msg, k.Submit):
			src := strings.TrimSpace(m.fields[fieldSource].Value())
			if src != "" && looksLikePath(src) && m.read != src {
				m.busy = "Reading " + filepath.Base(cleanPath(src)) + "…"
				return m, addNone, importCmd(m.sh.cfg, src)
			}
			if len(m.parsed) > 0 && m.err == "" {
				return m, addSave, nil
			}
			if m.err == "" {
				m.err = "Nothing to save yet: paste a URI or an image path, or type the fields."
			}
			return m, addNone, nil
		}
	}
	var cmd tea.Cmd
	before := m.fields[m.focus].Value()
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	if m.fields[m.focus].Value() != before {
		m = m.revalidate()
	}
	return m, addNone, cmd
}

// View renders the form and the preview with its live code at t.
func (m addModel) View(w, h int, t time.Time) string {
	st := m.sh.styles
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
	default:
		src := strings.TrimSpace(m.fields[fieldSource].Value())
		if src != "" && looksLikePath(src) {
			lines = append(lines, st.Faint.Render("Press enter to read the image."))
		}
	}
	lines = append(lines, "", st.Faint.Render("enter save · tab next field · esc back"))
	return fit(wrapLines(lines, w), w, h)
}

// preview shows the parsed account and its current code.
func (m addModel) preview(w int, t time.Time) []string {
	st := m.sh.styles
	a := m.parsed[0]
	head := a.Issuer
	if a.Name != "" {
		head += " · " + a.Name
	}
	kind := fmt.Sprintf("%s · %s · %d digits · %d s", strings.ToUpper(string(a.Type)), a.Algorithm, a.Digits, a.Period)
	if a.Type == vault.HOTP {
		kind = fmt.Sprintf("HOTP · %s · %d digits · counter %d", a.Algorithm, a.Digits, a.Counter)
	}
	lines := []string{st.Title.Render(head), st.Faint.Render(kind)}
	if a.Type == vault.HOTP {
		lines = append(lines, "Counter-based: after saving, press n on the list for its first code.")
	} else {
		c := totpAt(a, t)
		code := st.Code.Render(group(c.code))
		if c.expiring() {
			code = st.Expiring.Render(group(c.code)) + st.Next.Render("  next "+group(c.next))
		}
		lines = append(lines, code+fmt.Sprintf("  %2ds", c.left))
		who := a.Issuer
		if who == "" {
			who = "the service"
		}
		lines = append(lines, "Type this code into "+who+" to finish enrolling, then press enter to save.")
	}
	if n := len(m.parsed) - 1; n > 0 {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("…and %d more account(s) from the same file: enter saves them all.", n)))
	}
	box := st.Box.Width(min(w, 76)).Render(strings.Join(lines, "\n"))
	return strings.Split(box, "\n")
}

// wipe forgets parsed secrets and typed fields.
func (m addModel) wipe() addModel {
	wipeAll(m.parsed)
	return addModel{}
}
