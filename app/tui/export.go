package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/strength"
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/backup"
)

// backupWorkFactor is the scrypt work factor of backups made here; 0 is the
// product's (backup.DefaultWorkFactor). Only the test binary lowers it
// (testhooks_test.go), so flow tests need not wait a second per backup.
var backupWorkFactor = 0

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
	sh       *shared
	path     textinput.Model
	pass     [2]textinput.Model // passphrase, repeat
	step     exportStep
	checking bool // a path or strength check runs
	err      string
	spin     spinner.Model
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
		path     string
		accounts int
		local    vault.Local
		noted    bool // LastBackup was recorded in local.json
		noteErr  error
		err      error
	}
)

// defaultBackupName is the file name an export offers for the day t.
func defaultBackupName(t time.Time) string {
	return "wardkey-backup-" + t.Format("2006-01-02") + ".age"
}

func newSpinner(sh *shared) spinner.Model {
	return spinner.New(spinner.WithSpinner(spinner.Line), spinner.WithStyle(sh.styles.Faint))
}

// spinCmd schedules the spinner's next frame through Config.After, so
// tests hold it back like every other timer.
func spinCmd(sh *shared, s spinner.Model) tea.Cmd {
	return sh.cfg.after(s.Spinner.FPS, s.Tick())
}

func newExport(sh *shared) exportModel {
	m := exportModel{sh: sh, spin: newSpinner(sh)}
	m.path = newField("File: ", false)
	m.path.CharLimit = 4096
	m.path.SetValue("~/" + defaultBackupName(sh.cfg.now()))
	if sh.cfg.Home == "" {
		m.path.SetValue(defaultBackupName(sh.cfg.now()))
	}
	m.pass[0] = newField("Passphrase: ", true)
	m.pass[1] = newField("Repeat it:  ", true)
	m.setWidth(sh.width)
	return m
}

// newField is a text field in the TUI's style; masked ones echo •.
func newField(prompt string, masked bool) textinput.Model {
	f := textinput.New()
	f.Prompt = prompt
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	f.SetStyles(st)
	f.CharLimit = 1024
	if masked {
		f.EchoMode = textinput.EchoPassword
		f.EchoCharacter = '•'
	}
	return f
}

// setWidth fits the fields to a terminal w cells wide.
func (m *exportModel) setWidth(w int) {
	m.path.SetWidth(max(w-10, 8))
	for i := range m.pass {
		m.pass[i].SetWidth(max(min(w-16, 40), 8))
	}
}

// Init focuses the path, cursor at its end.
func (m exportModel) Init() (exportModel, tea.Cmd) {
	m.path.CursorEnd()
	return m, m.path.Focus()
}

// target is the file the backup goes to, ~ expanded and quotes removed.
func (m exportModel) target() string { return m.sh.cfg.expand(m.path.Value()) }

// passphrase is the passphrase typed (and repeated).
func (m exportModel) passphrase() []byte { return []byte(m.pass[0].Value()) }

// wipe forgets the passphrases (on cancel, lock, and once writing starts).
func (m exportModel) wipe() exportModel {
	for i := range m.pass {
		m.pass[i].Reset()
	}
	return m
}

func (m exportModel) focus(step exportStep) (exportModel, tea.Cmd) {
	m.step = step
	m.path.Blur()
	m.pass[0].Blur()
	m.pass[1].Blur()
	switch step {
	case expPath:
		return m, m.path.Focus()
	case expPass:
		return m, m.pass[0].Focus()
	case expRepeat:
		return m, m.pass[1].Focus()
	}
	return m, nil
}

// checkPathCmd refuses an existing file or a missing folder before any
// passphrase is asked.
// typed is the path as the person typed it, for messages.
func checkPathCmd(cfg Config, path, typed string) tea.Cmd {
	return func() tea.Msg {
		exists := fmt.Errorf("%s already exists: choose another name (a backup never replaces a file)", typed)
		if cfg.RefuseExisting != nil {
			if err := cfg.RefuseExisting(path); err != nil {
				if _, lerr := os.Lstat(path); lerr == nil {
					err = exists
				}
				return exportPathMsg{path, err}
			}
		} else if _, err := os.Lstat(path); err == nil {
			return exportPathMsg{path, exists}
		}
		dir := filepath.Dir(path)
		if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
			return exportPathMsg{path, fmt.Errorf("the folder of %s does not exist", typed)}
		}
		return exportPathMsg{path: path}
	}
}

// strengthCmd runs strength.Check (an estimate over word lists: cheap,
// but still not for Update).
func strengthCmd(pass []byte, profile string) tea.Cmd {
	return func() tea.Msg { return exportStrengthMsg{strength.Check(pass, profile)} }
}

// exportCmd encrypts the vault's state to path and records the time of
// the backup in local.json (not for the demo, which has no folder).
func exportCmd(cfg Config, v *vault.Vault, path string, pass []byte) tea.Cmd {
	now := cfg.now()
	return func() tea.Msg {
		defer clear(pass)
		if cfg.WriteNewFile == nil {
			return exportedMsg{err: errors.New("export is not available here")}
		}
		st := v.State()
		defer wipeAll(st.Accounts)
		var buf bytes.Buffer
		err := backup.Write(&buf, st, pass, backup.Options{
			WorkFactor: backupWorkFactor,
			VaultID:    v.ID(), Device: v.Device(), App: cfg.App, Created: now,
		})
		freeKDFMemory()
		if err != nil {
			return exportedMsg{err: fmt.Errorf("write the backup: %w", err)}
		}
		err = cfg.WriteNewFile(path, buf.Bytes())
		clear(buf.Bytes())
		if err != nil {
			return exportedMsg{path: path, err: err}
		}
		msg := exportedMsg{path: path, accounts: len(st.Live())}
		if v.Dir() != "" {
			msg.local, msg.noteErr = vault.UpdateLocal(v.Dir(), func(l *vault.Local) { l.LastBackup = now })
			msg.noted = msg.noteErr == nil
		}
		return msg
	}
}

// exportAction is what the export screen asks the root to do.
type exportAction int

const (
	expNone  exportAction = iota
	expBack               // cancel
	expWrite              // encrypt and write (the spinner is running)
)

// Update handles typing and the checks' answers.
func (m exportModel) Update(msg tea.Msg) (exportModel, exportAction, tea.Cmd) {
	k := m.sh.keys
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if m.step != expBusy && !m.checking {
			return m, expNone, nil
		}
		var cmd tea.Cmd
		if m.spin, cmd = m.spin.Update(msg); cmd != nil {
			cmd = spinCmd(m.sh, m.spin)
		}
		return m, expNone, cmd
	case exportPathMsg:
		m.checking = false
		if msg.path != m.target() || m.step != expPath {
			return m, expNone, nil // typed on meanwhile
		}
		if msg.err != nil {
			m.err = sentence(msg.err)
			return m, expNone, nil
		}
		m.err = ""
		m, cmd := m.focus(expPass)
		return m, expNone, cmd
	case exportStrengthMsg:
		m.checking = false
		if m.step != expPass {
			return m, expNone, nil
		}
		if msg.err != nil {
			m.err = sentence(msg.err) + " Use four or more random words."
			m.pass[0].Reset()
			return m, expNone, nil
		}
		m.err = ""
		m, cmd := m.focus(expRepeat)
		return m, expNone, cmd
	case exportedMsg: // failures only: the root takes successes
		m.step = expPath
		m.err = sentence(msg.err)
		m = m.wipe()
		m, cmd := m.focus(expPath)
		return m, expNone, cmd
	case tea.KeyPressMsg:
		if m.step == expBusy {
			return m, expNone, nil
		}
		switch {
		case matches(msg, k.Back):
			return m.wipe(), expBack, nil
		case matches(msg, k.Submit):
			if m.checking {
				return m, expNone, nil
			}
			switch m.step {
			case expPath:
				if strings.TrimSpace(m.path.Value()) == "" {
					m.err = "Type the file to write."
					return m, expNone, nil
				}
				m.checking = true
				return m, expNone, checkPathCmd(m.sh.cfg, m.target(), strings.TrimSpace(m.path.Value()))
			case expPass:
				if m.pass[0].Value() == "" {
					m.err = "Type a passphrase for the backup."
					return m, expNone, nil
				}
				m.checking = true
				return m, expNone, strengthCmd(m.passphrase(), m.sh.cfg.Profile)
			case expRepeat:
				if m.pass[0].Value() != m.pass[1].Value() {
					m.err = "The two passphrases differ: type them again."
					m = m.wipe()
					m, cmd := m.focus(expPass)
					return m, expNone, cmd
				}
				m.err = ""
				m.step = expBusy
				m.pass[0].Blur()
				m.pass[1].Blur()
				return m, expWrite, spinCmd(m.sh, m.spin)
			}
		case msg.String() == "shift+tab" && m.step > expPath && !m.checking:
			// Back one step; the passphrases are typed again.
			m.err = ""
			m = m.wipe()
			m, cmd := m.focus(expPath)
			return m, expNone, cmd
		}
	}
	if m.checking {
		return m, expNone, nil
	}
	var cmd tea.Cmd
	switch m.step {
	case expPath:
		m.path, cmd = m.path.Update(msg)
	case expPass:
		m.pass[0], cmd = m.pass[0].Update(msg)
	case expRepeat:
		m.pass[1], cmd = m.pass[1].Update(msg)
	}
	return m, expNone, cmd
}

// View renders the export screen.
func (m exportModel) View(w, h int) string {
	st := m.sh.styles
	lines := []string{st.Title.Render("Export a backup"), ""}
	lines = append(lines,
		"An encrypted copy of every account, for restoring on any workstation (R, or wardkey restore). 'age -d' opens it too.", "")
	if m.step == expPath {
		lines = append(lines, m.path.View())
	} else {
		lines = append(lines, st.Label.Render("File: ")+m.path.Value())
	}
	if m.step >= expPass {
		lines = append(lines, "", "The backup gets its own passphrase: it may be copied and guessed at offline, so make it long.")
		lines = append(lines, m.pass[0].View())
		if m.step >= expRepeat {
			lines = append(lines, m.pass[1].View())
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
		hint := "enter next · esc cancel"
		if m.step > expPath {
			hint = "enter next · shift+tab change the file · esc cancel"
		}
		lines = append(lines, "", st.Faint.Render(hint))
	}
	return fit(wrapLines(lines, w), w, h)
}

// expand turns a typed path into a file name: quotes and file:// removed,
// a leading ~ replaced by Config.Home.
func (c Config) expand(s string) string {
	s = strings.TrimSpace(s)
	if c.Home != "" && (s == "~" || strings.HasPrefix(s, "~/")) {
		s = filepath.Join(c.Home, strings.TrimPrefix(s[1:], "/"))
	}
	return cleanPath(s)
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
