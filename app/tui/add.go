package tui

import (
	"context"
	"errors"
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

// The fields of the add screen's form.
const (
	fieldSource = iota // an otpauth URI or a QR image path
	fieldIssuer
	fieldAccount
	fieldSecret
	addFields
	addNone = -1 // no field has the focus: typing does nothing
)

// The rows of the add screen's menu: where the account comes from. They
// are rows chosen with tab or the arrows and opened with enter, never
// letters, so a word typed at the menu opens nothing.
const (
	rowScreen = iota
	rowClipboard
	rowFile
	rowURI
	rowTyped
	addRows
)

// addRowText is each row's title and what it does.
var addRowText = [addRows][2]string{
	{"Scan the screen", "Reads the QR code on the service's set-up page, on this screen."},
	{"Read the clipboard", "A copied QR image or otpauth:// links; then cleared, if it still holds them."},
	{"Open a file", "A screenshot or photo of a QR code, or another app's export."},
	{"Paste an otpauth:// link", "The link the service shows under its QR code."},
	{"Type the secret", "Issuer, account and the secret key the service shows."},
}

// The add screen's stages.
type addStage int

const (
	stageMenu   addStage = iota // choose where from
	stageForm                   // a URI, a path, or the typed fields
	stageBusy                   // reading the screen, the clipboard or a file
	stagePass                   // an encrypted export's passphrase
	stageFound                  // what was found, with the first codes; tick and save
	stageSaving                 // waiting for the save
)

// addModel is the add screen. It opens on a menu of sources (the screen,
// the clipboard, a file, a pasted link, typed fields) with no row chosen;
// what a source holds is shown with the first code to type back into the
// service before anything is saved, and only ctrl+s saves, so typing at
// any stage, even ending in enter, adds nothing (DESIGN "Typing cannot do
// damage").
type addModel struct {
	c      *common
	stage  addStage
	row    int // the menu row with the focus; -1: none
	fields [addFields]textinput.Model
	focus  int
	parsed []vault.Account // the form's account(s)
	// linkWarnings go with parsed when it came from an export link (codes
	// of the export that are missing).
	linkWarnings []string
	err          string
	busy         string
	w, h         int

	// A reading in flight, or the file read.
	req    int                // numbers readings: an older answer is dropped
	cancel context.CancelFunc // stops the reading in flight (esc)
	from   int                // fromScreen, fromClipboard, fromFile, fromLink
	path   string             // the file (cleaned)
	typed  string             // the source field's text when the file was read
	pass   secretField        // an encrypted export's passphrase

	// What was found.
	found  Found
	known  []bool // already in the vault: shown so, and not ticked
	ticked []bool
	cursor int
}

// newAdd is the add screen, on its menu, no row chosen.
func newAdd(c *common) (addModel, tea.Cmd) {
	m := addModel{c: c, row: -1, focus: addNone}
	labels := [addFields]string{"URI or file: ", "Issuer:  ", "Account: ", "Secret:  "}
	holders := [addFields]string{"otpauth://… or /path/to/qr.png", "e.g. Riverside EHR", "e.g. dr.jones", "base32, spaces allowed"}
	for i := range m.fields {
		m.fields[i] = c.newField(labels[i], 4096)
		m.fields[i].Placeholder = holders[i]
	}
	m.pass = newSecretField("Passphrase: ", 1024)
	m.pass.focused = false
	m = m.SetSize(c.width, c.height-2).(addModel)
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

// ShortHelp is the hint under the screen, for its stage.
func (m addModel) ShortHelp() []key.Binding {
	k := m.c.keys
	switch m.stage {
	case stageMenu:
		return []key.Binding{relabel(k.NextField, "choose"), relabel(k.Submit, "open"), k.Back}
	case stageBusy:
		return []key.Binding{relabel(k.Back, "cancel")}
	case stagePass:
		return []key.Binding{relabel(k.Submit, "open the file"), k.Back}
	case stageFound:
		if len(m.found.Accounts) > 1 {
			return []key.Binding{relabel(k.Save, "add the ticked"), relabel(k.Check, "tick"), relabel(k.NextField, "next"), k.Back}
		}
		return []key.Binding{relabel(k.Save, "add it"), k.Back}
	case stageSaving:
		return nil
	}
	return []key.Binding{k.Save, relabel(k.NextField, "next field"), k.Back}
}

// FullHelp is every key of the screen's stage.
func (m addModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	switch m.stage {
	case stageForm:
		return [][]key.Binding{{k.Save, k.NextField, k.PrevField, relabel(k.Submit, "read the file, or next field"), relabel(k.Back, "back to the menu")}}
	case stageFound:
		return [][]key.Binding{{relabel(k.Save, "add the ticked"), relabel(k.Check, "tick or untick"), relabel(k.NextField, "next"), relabel(k.PrevField, "previous"), relabel(k.Back, "back to the menu")}}
	}
	return [][]key.Binding{m.ShortHelp()}
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
	m.parsed, m.linkWarnings = nil, nil
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
		for _, x := range importer.MissingBatches(r.Batches) {
			m.linkWarnings = append(m.linkWarnings, sentence(fmt.Errorf("%s: paste the next code's link too after saving these", x)))
		}
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

// Update handles the message for the screen's stage.
func (m addModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		for i := range m.fields {
			restyleFields(msg, &m.fields[i])
		}
		return m, nil
	case foundMsg:
		return m.onFound(msg)
	case addedMsg:
		return m.onAdded(msg)
	case tea.KeyPressMsg:
		switch m.stage {
		case stageMenu:
			return m.menuKey(msg)
		case stageBusy:
			if matches(msg, m.c.keys.Back) {
				return m.stopReading(), nil
			}
			return m, nil
		case stagePass:
			return m.passKey(msg)
		case stageFound:
			return m.foundKey(msg)
		case stageSaving:
			return m, nil
		}
		return m.formKey(msg)
	case tea.PasteMsg:
		switch m.stage {
		case stageMenu: // a dragged file pastes its path
			m.stage, m.err = stageForm, ""
			m, _ = m.focusField(fieldSource)
		case stagePass:
			m.pass = m.pass.update(m.c.keys, msg)
			return m, nil
		}
	}
	if m.stage != stageForm || m.focus == addNone {
		return m, nil
	}
	return m.fieldUpdate(msg)
}

// fieldUpdate hands msg to the focused field and checks what it holds.
func (m addModel) fieldUpdate(msg tea.Msg) (addModel, tea.Cmd) {
	var cmd tea.Cmd
	before := m.fields[m.focus].Value()
	m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
	if m.fields[m.focus].Value() != before {
		m = m.revalidate()
	}
	return m, cmd
}

// menuKey moves between the menu's rows and opens one on enter.
func (m addModel) menuKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	switch {
	case matches(msg, k.Back):
		return nil, nil
	case matches(msg, k.NextField):
		m.row = (m.row + 1) % addRows
	case matches(msg, k.PrevField):
		m.row = (m.row - 1 + addRows) % addRows
	case matches(msg, k.Submit) && m.row >= 0:
		m.err = ""
		switch m.row {
		case rowScreen:
			return m.read(fromScreen, "", nil)
		case rowClipboard:
			return m.read(fromClipboard, "", nil)
		case rowTyped:
			m.stage = stageForm
			return m.focusField(fieldIssuer)
		default:
			m.stage = stageForm
			return m.focusField(fieldSource)
		}
	}
	return m, nil
}

// formKey moves between the form's fields, reads a file and saves.
func (m addModel) formKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	switch {
	case matches(msg, k.Back):
		return m.toMenu(), nil
	case matches(msg, k.NextField):
		return m.focusField(m.focus + 1)
	case matches(msg, k.PrevField):
		if m.focus == addNone {
			return m.focusField(addFields - 1)
		}
		return m.focusField(m.focus - 1)
	case matches(msg, k.Submit):
		if m.focus == fieldSource {
			if src := strings.TrimSpace(m.fields[fieldSource].Value()); src != "" && looksLikePath(src) {
				return m.read(fromFile, src, nil)
			}
		}
		return m.focusField(m.focus + 1)
	case matches(msg, k.Save):
		if src := strings.TrimSpace(m.fields[fieldSource].Value()); src != "" && looksLikePath(src) {
			return m.read(fromFile, src, nil) // the file's accounts are shown before any save
		}
		if m.linkWarnings != nil || len(m.parsed) > 1 {
			return m.choose() // an export's accounts are ticked first
		}
		if len(m.parsed) > 0 && m.err == "" {
			m.stage = stageSaving
			return m, addAccountsCmd(m.c.backend(), m.c.sess, m.parsed)
		}
		if m.err == "" {
			m.err = "Nothing to save yet: paste a URI or a file's path, or type the fields."
		}
		return m, nil
	}
	if m.focus == addNone {
		return m, nil
	}
	return m.fieldUpdate(msg)
}

// choose shows a pasted export link's accounts as rows to tick, as a file
// of several would be: those already in the vault unticked, the export's
// missing codes said.
func (m addModel) choose() (screen, tea.Cmd) {
	if len(m.parsed) == 0 || m.err != "" {
		return m, nil
	}
	f := Found{Accounts: m.parsed, Warnings: m.linkWarnings}
	m.parsed, m.linkWarnings = nil, nil // the reading owns them now
	m.req++
	m.from, m.stage, m.err = fromLink, stageBusy, ""
	m.busy = "Checking which of them the vault already holds…"
	return m, chooseCmd(m.c.sess, m.req, f)
}

// passKey takes an encrypted export's passphrase; enter opens the file
// with it (which saves nothing: its accounts are shown first).
func (m addModel) passKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	switch {
	case matches(msg, k.Back):
		return m.toMenu(), nil
	case matches(msg, k.Submit):
		if m.pass.empty() {
			m.err = "Type the passphrase that was set when the file was exported."
			return m, nil
		}
		pass := m.pass.take() // findCmd wipes it
		m.pass.focused = false
		return m.read(fromFile, m.typed, pass)
	}
	m.pass = m.pass.update(m.c.keys, msg)
	return m, nil
}

// foundKey ticks and unticks what was found and saves the ticked on
// ctrl+s.
func (m addModel) foundKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
	k := m.c.keys
	n := len(m.found.Accounts)
	switch {
	case matches(msg, k.Back):
		return m.toMenu(), nil
	case matches(msg, k.NextField):
		m.cursor = (m.cursor + 1) % n
	case matches(msg, k.PrevField):
		m.cursor = (m.cursor - 1 + n) % n
	case matches(msg, k.Check) && n > 1:
		m.ticked[m.cursor] = !m.ticked[m.cursor]
		m.err = ""
	case matches(msg, k.Save):
		var chosen []vault.Account
		for i, a := range m.found.Accounts {
			if m.ticked[i] {
				chosen = append(chosen, a)
			}
		}
		if len(chosen) == 0 {
			m.err = "Nothing is ticked: " + k.Check.Help().Key + " ticks the account under the cursor."
			return m, nil
		}
		m.stage, m.err = stageSaving, ""
		return m, addAccountsCmd(m.c.backend(), m.c.sess, chosen)
	}
	return m, nil
}

// read starts reading the screen, the clipboard or the file typed, with
// the session's context (a lock cancels it) under one of its own (esc).
func (m addModel) read(from int, typed string, pass []byte) (addModel, tea.Cmd) {
	ctx, cancel := context.WithCancel(m.c.sess.ctx)
	m.cancel = cancel
	m.req++
	m.from, m.stage, m.err = from, stageBusy, ""
	switch from {
	case fromScreen:
		m.busy = "Looking for QR codes on the screen… (the desktop may ask you to share the screen)"
	case fromClipboard:
		m.busy = "Reading the clipboard…"
	default:
		m.typed = typed
		m.path = cleanPath(typed, m.c.cfg.Home)
		m.busy = "Reading " + text(filepath.Base(m.path)) + "…"
	}
	return m, findCmd(ctx, m.c.backend(), m.c.sess, m.req, from, m.path, pass)
}

// stopReading cancels the reading in flight and goes back to where it was
// started.
func (m addModel) stopReading() addModel {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.req++ // whatever still comes back is dropped
	m.busy = ""
	if m.startedInForm() {
		m.stage = stageForm
		return m.revalidate() // a link's accounts went to the reading
	}
	m.stage = stageMenu
	return m
}

// startedInForm reports whether the reading was started from the form (a
// file's path or an export link typed there), where esc and a failure go
// back to.
func (m addModel) startedInForm() bool { return m.from == fromFile || m.from == fromLink }

// onFound shows what a reading found, asks for a passphrase, or says why
// nothing was found.
func (m addModel) onFound(msg foundMsg) (screen, tea.Cmd) {
	if msg.req != m.req || m.stage != stageBusy || msg.from != m.c.sess {
		wipeAll(msg.found.Accounts)
		return m, nil
	}
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.busy = ""
	back := stageMenu
	if m.startedInForm() {
		back = stageForm
	}
	switch {
	case errors.Is(msg.err, context.Canceled):
		m.stage = back
		return m, nil
	case errors.Is(msg.err, importer.ErrPassphraseNeeded):
		m.stage, m.err, m.pass.focused = stagePass, "", true
		return m, nil
	case errors.Is(msg.err, importer.ErrWrongPassphrase):
		m.stage, m.err, m.pass.focused = stagePass, sentence(msg.err), true
		return m, nil
	case msg.err != nil:
		m.stage, m.err = back, sentence(msg.err)
		return m, nil
	}
	m.stage, m.found, m.cursor = stageFound, msg.found, 0
	m.known = make([]bool, len(msg.found.Accounts))
	copy(m.known, msg.known)
	m.ticked = make([]bool, len(msg.found.Accounts))
	for i := range m.ticked {
		m.ticked[i] = !m.known[i] || len(m.ticked) == 1
	}
	return m, nil
}

// onAdded goes back to the list once the accounts are saved, or first
// offers to delete the image they came from.
func (m addModel) onAdded(msg addedMsg) (screen, tea.Cmd) {
	if m.stage != stageSaving {
		return m, nil
	}
	if msg.err != nil { // the root shows why; what was found stays
		if len(m.found.Accounts) > 0 {
			m.stage = stageFound
		} else {
			m.stage = stageForm
		}
		return m, nil
	}
	holds := m.found.HoldsSecret
	path := m.path
	m.forget()
	if holds == "" || m.from != fromFile {
		return nil, nil
	}
	return newConfirm(m.c, "Delete the image?", []string{
		sentence(errors.New(holds)),
		"Once the code worked at the service, nobody needs the file: delete it (for good, not to the trash).",
	}, "delete the file", "keep it", deleteFileCmd(m.c.backend(), path)), nil
}

// toMenu wipes what was read or parsed and shows the menu again.
func (m addModel) toMenu() addModel {
	m.forget()
	m.found, m.ticked, m.known, m.parsed = Found{}, nil, nil, nil
	m.stage, m.err, m.busy = stageMenu, "", ""
	for i := range m.fields {
		m.fields[i].Reset()
		m.fields[i].Blur()
	}
	m.focus = addNone
	m.pass.wipe()
	m.pass.focused = false
	return m
}

// addedNote says what a save did: what was added, and what was already in
// the vault and so not added again.
func addedNote(added, dups []vault.Account) string {
	var note string
	switch len(added) {
	case 0:
		note = "Nothing added"
	case 1:
		note = "Added " + label(added[0])
	default:
		note = fmt.Sprintf("Added %d accounts", len(added))
	}
	switch {
	case len(dups) == 1:
		note += "; " + label(dups[0]) + " was already in the vault"
	case len(dups) > 1:
		note += fmt.Sprintf("; %d were already in the vault", len(dups))
	}
	return note + "."
}

// View renders the screen's stage.
func (m addModel) View() string {
	w, h := m.w, m.h
	st := m.c.styles
	lines := []string{st.Title.Render("Add an account"), ""}
	switch m.stage {
	case stageMenu:
		lines = append(lines, m.menuView()...)
	case stageBusy:
		lines = append(lines, st.Faint.Render(m.busy))
	case stagePass:
		lines = append(lines, text(filepath.Base(m.path))+" is encrypted: type the passphrase set when it was exported (not your vault's).", "", m.pass.view(m.c.styles))
		if m.err != "" {
			lines = append(lines, "", st.Error.Render(m.err))
		}
	case stageFound, stageSaving:
		lines = append(lines, m.foundView(w, h)...)
	default:
		lines = append(lines, m.formView(w)...)
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, w), w, h)
}

// menuView is the rows of the menu, the chosen one marked and explained.
func (m addModel) menuView() []string {
	st, k := m.c.styles, m.c.keys
	lines := []string{"Where is the service's QR code or key?", ""}
	for i, r := range addRowText {
		if i == m.row {
			lines = append(lines, st.Selected.Render("▸ "+r[0]))
			continue
		}
		lines = append(lines, "  "+r[0])
	}
	lines = append(lines, "")
	switch {
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	case m.row < 0:
		lines = append(lines, st.Faint.Render("No row is chosen: "+k.NextField.Help().Key+" or ↓ chooses one, "+k.Submit.Help().Key+" opens it."))
	default:
		lines = append(lines, st.Faint.Render(addRowText[m.row][1]))
	}
	return lines
}

// formView is the form: a URI or a file's path, or the typed fields, and
// the live preview.
func (m addModel) formView(w int) []string {
	st, k := m.c.styles, m.c.keys
	lines := []string{st.Label.Render("Paste an otpauth:// URI, or a QR image's or export's path (drag the file here):")}
	lines = append(lines, m.fields[fieldSource].View(), "", st.Label.Render("…or type what the service shows:"))
	for i := fieldIssuer; i < addFields; i++ {
		lines = append(lines, m.fields[i].View())
	}
	lines = append(lines, "")
	switch {
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	case len(m.parsed) > 0:
		lines = append(lines, m.preview(m.parsed[0], len(m.parsed)-1, w, false)...)
	case m.focus == addNone:
		lines = append(lines, st.Faint.Render("No field is chosen: "+k.NextField.Help().Key+" chooses one (a paste goes to the first)."))
	default:
		src := strings.TrimSpace(m.fields[fieldSource].Value())
		if src != "" && looksLikePath(src) {
			lines = append(lines, st.Faint.Render("Press "+k.Submit.Help().Key+" to read the file."))
		}
	}
	return lines
}

// where says where the accounts were found.
func (m addModel) where() string {
	switch m.from {
	case fromScreen:
		return "on the screen"
	case fromClipboard:
		return "on the clipboard"
	case fromLink:
		return "in the pasted link"
	}
	return "in " + text(filepath.Base(m.path))
}

// foundView shows what was found: one account with its live code, or
// several as rows to tick, each with its first code; then the warnings.
func (m addModel) foundView(w, h int) []string {
	st, k := m.c.styles, m.c.keys
	as := m.found.Accounts
	var lines []string
	if len(as) == 1 {
		lines = append(lines, "Found 1 account "+m.where()+":")
		lines = append(lines, m.preview(as[0], 0, w, m.known[0])...)
	} else {
		lines = append(lines, fmt.Sprintf("Found %d accounts %s: tick those to add, then %s.", len(as), m.where(), k.Save.Help().Key))
		room := max(h-9-len(m.found.Warnings), 3)
		top := 0
		if m.cursor >= room {
			top = m.cursor - room + 1
		}
		t := m.c.codeTime()
		for i := top; i < len(as) && i < top+room; i++ {
			row := m.foundRow(as[i], m.ticked[i], t)
			if m.known[i] {
				row += " (already in the vault)"
			}
			if i == m.cursor {
				lines = append(lines, st.Selected.Render(cut("▸ "+row, w)))
				continue
			}
			lines = append(lines, cut("  "+row, w))
		}
		if top+room < len(as) {
			lines = append(lines, st.Faint.Render(fmt.Sprintf("  …%d more below", len(as)-top-room)))
		}
		lines = append(lines, st.Faint.Render("Type each code into its service to finish enrolling."))
		if a := as[m.cursor]; a.Type == vault.HOTP {
			lines = append(lines, st.Faint.Render(fmt.Sprintf("%s is counter-based (HOTP): its first code uses counter %d (after saving, %s on the list shows it).", label(a), a.Counter, k.Next.Help().Key)))
		}
	}
	for _, wn := range m.found.Warnings {
		lines = append(lines, st.Warn.Render("! "+wn))
	}
	switch {
	case m.stage == stageSaving:
		lines = append(lines, st.Faint.Render("Saving…"))
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	}
	return lines
}

// foundRow is one row of the choice: a tick box, the first code (or, for
// HOTP, the counter it uses), then the account, so a narrow terminal cuts
// the name rather than the code.
func (m addModel) foundRow(a vault.Account, ticked bool, t time.Time) string {
	box := "[ ] "
	if ticked {
		box = "[x] "
	}
	name := text(a.Issuer)
	if a.Name != "" {
		if name != "" {
			name += " · "
		}
		name += text(a.Name)
	}
	code := fmt.Sprintf("HOTP #%d", a.Counter)
	if a.Type != vault.HOTP {
		if c := totpAt(a, t); c.err == nil {
			code = group(c.code) + fmt.Sprintf(" %2ds", c.left)
		}
	}
	return box + pad(code, 13) + " " + name
}

// preview shows an account, its type and its current code to type into
// the service (for HOTP, the counter its first code uses); more counts the
// other accounts that are saved with it; known says the vault holds it
// already.
func (m addModel) preview(a vault.Account, more, w int, known bool) []string {
	st, t := m.c.styles, m.c.codeTime()
	head := text(a.Issuer)
	if a.Name != "" {
		head += " · " + text(a.Name)
	}
	kind := fmt.Sprintf("%s · %s · %d digits · %d s", strings.ToUpper(string(a.Type)), a.Algorithm, a.Digits, a.Period)
	if a.Type == vault.HOTP {
		kind = fmt.Sprintf("HOTP · %s · %d digits · counter %d", a.Algorithm, a.Digits, a.Counter)
	}
	lines := []string{st.Title.Render(head), st.Faint.Render(kind)}
	switch {
	case known:
		lines = append(lines, "It is already in the vault (the same issuer, name and secret): saving adds nothing.")
	case a.Type == vault.HOTP:
		lines = append(lines, fmt.Sprintf("Counter-based: its first code uses counter %d; after saving, press %s on the list to see it.", a.Counter, m.c.keys.Next.Help().Key))
	default:
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
	if more > 0 {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("…and %d more account(s) with it: "+m.c.keys.Save.Help().Key+" saves them all.", more)))
	}
	box := st.Box.Width(min(w, 76)).Render(strings.Join(lines, "\n"))
	return strings.Split(box, "\n")
}

// forget wipes the secrets read or parsed (on leaving and on lock) and
// stops a reading in flight.
func (m addModel) forget() {
	if m.cancel != nil {
		m.cancel()
	}
	wipeAll(m.parsed)
	wipeAll(m.found.Accounts)
	m.pass.wipe() // the buffer is shared by every copy of the screen
}
