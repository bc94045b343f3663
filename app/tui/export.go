package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
)

// The steps of the export screen, in order.
type exportStep int

const (
	expPath   exportStep = iota // the file to write
	expPass                     // the new backup passphrase
	expRepeat                   // the passphrase again
	expBusy                     // encrypting and writing
)

// exportModel makes an encrypted backup (x): where to write it, a
// passphrase asked twice (a weak one refused before the repeat), then the
// ~1 s scrypt stretch with a spinner.
type exportModel struct {
	c        *common
	path     textinput.Model
	pass     [2]secretField // passphrase, repeat: bytes, wiped when done
	step     exportStep
	checking bool // a path or strength check runs
	err      string
	spin     spinner.Model
	w, h     int
}

// Messages of the export screen.
type (
	// exportPathMsg is the check of the target file (must not exist).
	exportPathMsg struct {
		path string
		err  error
	}
	// exportStrengthMsg is strength.Check's answer.
	exportStrengthMsg struct{ err error }
	// exportedMsg is the result of writing the backup.
	exportedMsg struct {
		path   string
		result ExportResult
		err    error
	}
)

// defaultBackupName is the file name an export offers for the day t.
func defaultBackupName(t time.Time) string {
	return "wardkey-backup-" + t.Format("2006-01-02") + ".age"
}

// newSpinner is the spinner of long work (scrypt).
func newSpinner(c *common) spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(c.styles.Faint))
}

// spinCmd schedules the spinner's next frame through Config.After, so
// tests hold it back like every other timer.
func spinCmd(c *common, s spinner.Model) tea.Cmd {
	return c.cfg.after(s.Spinner.FPS, s.Tick())
}

// newExport is the export screen, the default path offered and focused.
func newExport(c *common) (exportModel, tea.Cmd) {
	m := exportModel{c: c, spin: newSpinner(c)}
	m.path = c.newField("File: ", 4096)
	m.path.SetValue("~/" + defaultBackupName(c.cfg.now()))
	if c.cfg.Home == "" {
		m.path.SetValue(defaultBackupName(c.cfg.now()))
	}
	m.pass[0] = newSecretField("Passphrase: ", 1024)
	m.pass[1] = newSecretField("Repeat it:  ", 1024)
	m.pass[0].focused, m.pass[1].focused = false, false
	m = m.SetSize(c.width, c.height-2).(exportModel)
	m.path.CursorEnd()
	return m, m.path.Focus()
}

// SetSize fits the fields to a terminal w cells wide.
func (m exportModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.path.SetWidth(max(w-10, 8))
	for i := range m.pass {
		m.pass[i].setWidth(max(min(w-16, 40), 8))
	}
	return m
}

// ShortHelp is the hint under the form.
func (m exportModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.step > expPath {
		return []key.Binding{relabel(k.Submit, "next"), relabel(k.PrevStep, "change the file"), relabel(k.Back, "cancel")}
	}
	return []key.Binding{relabel(k.Submit, "next"), relabel(k.Back, "cancel")}
}

// FullHelp is every key of the form.
func (m exportModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{relabel(k.Submit, "next"), relabel(k.PrevStep, "change the file"), relabel(k.Back, "cancel")}}
}

// target is the file the backup goes to, ~ expanded and quotes removed.
func (m exportModel) target() string { return cleanPath(m.path.Value(), m.c.cfg.Home) }

// wipe forgets the passphrases (on cancel, lock, and once writing starts).
func (m exportModel) wipe() exportModel {
	for i := range m.pass {
		m.pass[i].wipe()
	}
	return m
}

func (m exportModel) focus(step exportStep) (exportModel, tea.Cmd) {
	m.step = step
	m.path.Blur()
	m.pass[0].focused = step == expPass
	m.pass[1].focused = step == expRepeat
	if step == expPath {
		return m, m.path.Focus()
	}
	return m, nil
}

// Update handles typing and the checks' answers.
func (m exportModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	b := m.c.backend()
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		restyleFields(msg, &m.path)
		m.spin.Style = m.c.styles.Faint
		return m, nil
	case spinner.TickMsg:
		if m.step != expBusy && !m.checking {
			return m, nil
		}
		var cmd tea.Cmd
		if m.spin, cmd = m.spin.Update(msg); cmd != nil {
			cmd = spinCmd(m.c, m.spin)
		}
		return m, cmd
	case exportPathMsg:
		m.checking = false
		if msg.path != m.target() || m.step != expPath {
			return m, nil // typed on meanwhile
		}
		if msg.err != nil {
			m.err = sentence(msg.err)
			return m, nil
		}
		m.err = ""
		m, cmd := m.focus(expPass)
		return m, cmd
	case exportStrengthMsg:
		m.checking = false
		if m.step != expPass {
			return m, nil
		}
		if msg.err != nil {
			m.err = sentence(msg.err) + " Use four or more random words."
			m.pass[0].wipe()
			return m, nil
		}
		m.err = ""
		m, cmd := m.focus(expRepeat)
		return m, cmd
	case exportedMsg:
		if msg.err == nil {
			return nil, m.done(msg)
		}
		m.step = expPath
		m.err = sentence(msg.err)
		m = m.wipe()
		m, cmd := m.focus(expPath)
		return m, cmd
	case tea.KeyPressMsg:
		if m.step == expBusy {
			return m, nil
		}
		switch {
		case matches(msg, k.Back):
			m.wipe()
			return nil, nil
		case matches(msg, k.Submit):
			if m.checking {
				return m, nil
			}
			switch m.step {
			case expPath:
				if strings.TrimSpace(m.path.Value()) == "" {
					m.err = "Type the file to write."
					return m, nil
				}
				m.checking = true
				return m, checkPathCmd(b, m.target(), strings.TrimSpace(m.path.Value()))
			case expPass:
				if m.pass[0].empty() {
					m.err = "Type a passphrase for the backup."
					return m, nil
				}
				m.checking = true
				return m, strengthCmd(b, m.pass[0].clone(), m.c.sess.profile.Name)
			case expRepeat:
				if !m.pass[0].equal(m.pass[1]) {
					m.err = "The two passphrases differ: type them again."
					m = m.wipe()
					m, cmd := m.focus(expPass)
					return m, cmd
				}
				m.err = ""
				m.step = expBusy
				m.pass[0].focused, m.pass[1].focused = false, false
				pass := m.pass[0].take() // exportCmd wipes it
				m = m.wipe()
				return m, tea.Batch(spinCmd(m.c, m.spin), exportCmd(b, m.c.sess.v, m.target(), pass))
			}
		case matches(msg, k.PrevStep) && m.step > expPath && !m.checking:
			// Back one step; the passphrases are typed again.
			m.err = ""
			m = m.wipe()
			m, cmd := m.focus(expPath)
			return m, cmd
		}
	}
	if m.checking {
		return m, nil
	}
	var cmd tea.Cmd
	switch m.step {
	case expPath:
		m.path, cmd = m.path.Update(msg)
	case expPass:
		m.pass[0] = m.pass[0].update(k, msg)
	case expRepeat:
		m.pass[1] = m.pass[1].update(k, msg)
	}
	return m, cmd
}

// done is what a written backup leaves: the note under the list and this
// machine's state with the backup's time.
func (m exportModel) done(msg exportedMsg) tea.Cmd {
	note := fmt.Sprintf("Backup of %s written to %s.", countOf(msg.result.Accounts, "account"), strings.TrimSpace(m.path.Value()))
	var cmds []tea.Cmd
	switch {
	case msg.result.Noted:
		cmds = append(cmds, send(localMsg{msg.result.Local}))
	case msg.result.NoteErr != nil:
		note += " Its time could not be noted: " + msg.result.NoteErr.Error()
	}
	return tea.Batch(append(cmds, toast(note, msg.result.NoteErr != nil))...)
}

// forget wipes the passphrases (on lock).
func (m exportModel) forget() { m.wipe() }

// View renders the export screen.
func (m exportModel) View() string {
	w, h := m.w, m.h
	st := m.c.styles
	lines := []string{st.Title.Render("Export a backup"), ""}
	lines = append(lines,
		"An encrypted copy of every account, for restoring on any workstation (R, or "+wording.Command(m.c.sess.profile.Name, "restore FILE")+"). 'age -d' opens it too.", "")
	if m.step == expPath {
		lines = append(lines, m.path.View())
	} else {
		lines = append(lines, st.Label.Render("File: ")+m.path.Value())
	}
	if m.step >= expPass {
		lines = append(lines, "", "The backup gets its own passphrase: it may be copied and guessed at offline, so make it long.")
		lines = append(lines, m.pass[0].view(st))
		if m.step >= expRepeat {
			lines = append(lines, m.pass[1].view(st))
		}
	}
	lines = append(lines, "")
	switch {
	case m.step == expBusy:
		lines = append(lines, m.spin.View()+" "+st.Faint.Render("Encrypting (scrypt takes a second or two)…"))
	case m.checking:
		lines = append(lines, m.spin.View()+" "+st.Faint.Render("Checking…"))
	case m.err != "":
		lines = append(lines, st.Error.Render(m.err))
	}
	if m.step != expBusy {
		lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	}
	return fit(wrapLines(lines, w), w, h)
}

// sentence words an error as one sentence: a capital first letter and a
// full stop.
func sentence(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}
