package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// firstRunModel is shown when the profile has no vault: create one (with
// the OS keyring or a passphrase) or open the demo.
type firstRunModel struct {
	sh         *shared
	keyringErr error // why the keyring cannot be used; nil when it works
	probing    bool
	typing     bool // the passphrase fields are shown
	fields     [2]textinput.Model
	focus      int
	busy       string
	err        string
}

// probedMsg is the answer of the keyring probe.
type probedMsg struct{ err error }

func newFirstRun(sh *shared) firstRunModel {
	m := firstRunModel{sh: sh}
	for i, label := range []string{"New passphrase: ", "Repeat it:      "} {
		f := textinput.New()
		f.Prompt = label
		f.EchoMode = textinput.EchoPassword
		f.EchoCharacter = '•'
		st := textinput.DefaultStyles(true)
		st.Cursor.Blink = false
		f.SetStyles(st)
		f.CharLimit = 1024
		m.fields[i] = f
	}
	m.setWidth(sh.width)
	return m
}

// setWidth fits the fields to a terminal w cells wide.
func (m *firstRunModel) setWidth(w int) {
	for i := range m.fields {
		m.fields[i].SetWidth(max(min(w-20, 40), 8))
	}
}

// Init probes the keyring where the profile would use it.
func (m firstRunModel) Init() (firstRunModel, tea.Cmd) {
	if !m.sh.cfg.DefaultKeyring {
		m.keyringErr = errors.New("a named profile is passphrase-only")
		return m, nil
	}
	m.probing = true
	probe := m.sh.cfg.ProbeKeyring
	return m, func() tea.Msg {
		if probe == nil {
			return probedMsg{}
		}
		return probedMsg{probe()}
	}
}

func (m firstRunModel) keyringOK() bool { return !m.probing && m.keyringErr == nil }

// createCmd makes the vault with a fresh recovery code.
func createCmd(cfg Config, req CreateRequest) tea.Cmd {
	return func() tea.Msg {
		if cfg.Create == nil {
			return openedMsg{err: errors.New("creating a vault is not available here")}
		}
		req.RecoveryCode = vault.NewRecoveryCode()
		if cfg.NewRecoveryCode != nil {
			req.RecoveryCode = cfg.NewRecoveryCode()
		}
		v, err := cfg.Create(req)
		freeKDFMemory()
		msg := loaded(cfg, v, err, false)
		if err == nil {
			msg.created = req.RecoveryCode
		}
		return msg
	}
}

func demoCmd(cfg Config) tea.Cmd {
	return func() tea.Msg {
		if cfg.OpenDemo == nil {
			return openedMsg{err: errors.New("the demo is not available")}
		}
		v, err := cfg.OpenDemo()
		return openedMsg{v: v, err: err}
	}
}

// Update handles keys and results on the first-run screen.
func (m firstRunModel) Update(msg tea.Msg) (firstRunModel, tea.Cmd) {
	k := m.sh.keys
	switch msg := msg.(type) {
	case probedMsg:
		m.probing = false
		m.keyringErr = msg.err
		return m, nil
	case openedMsg: // failures only
		m.busy = ""
		if msg.err != nil {
			m.err = describeOpen(msg.err)
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if m.typing {
			switch {
			case matches(msg, k.Back):
				m.typing = false
				m.err = ""
				for i := range m.fields {
					m.fields[i].Reset()
				}
				return m, nil
			case matches(msg, k.NextField), matches(msg, k.PrevField):
				return m.focusField(1 - m.focus)
			case matches(msg, k.Submit):
				a, b := m.fields[0].Value(), m.fields[1].Value()
				switch {
				case a == "":
					m.err = "Type a passphrase."
					return m.focusField(0)
				case m.focus == 0 && b == "":
					return m.focusField(1)
				case a != b:
					m.err = "The two passphrases differ: type them again."
					m.fields[0].Reset()
					m.fields[1].Reset()
					return m.focusField(0)
				}
				m.err = ""
				m.busy = "Creating the vault…"
				m.fields[0].Reset()
				m.fields[1].Reset()
				return m, createCmd(m.sh.cfg, CreateRequest{Passphrase: []byte(a)})
			}
			var cmd tea.Cmd
			m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
			return m, cmd
		}
		switch msg.String() {
		case "k":
			if !m.keyringOK() {
				return m, nil
			}
			m.busy = "Creating the vault…"
			return m, createCmd(m.sh.cfg, CreateRequest{Keyring: true})
		case "p":
			m.typing = true
			return m.focusField(0)
		case "d":
			m.busy = "Opening the demo…"
			return m, demoCmd(m.sh.cfg)
		}
	}
	if m.typing {
		var cmd tea.Cmd
		m.fields[m.focus], cmd = m.fields[m.focus].Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m firstRunModel) focusField(i int) (firstRunModel, tea.Cmd) {
	m.focus = i
	m.fields[1-i].Blur()
	return m, m.fields[i].Focus()
}

// View renders the first-run screen.
func (m firstRunModel) View(w, h int) string {
	st := m.sh.styles
	lines := []string{
		st.Title.Render("Welcome to wardkey"), "",
		fmt.Sprintf("Profile %q has no vault yet.", m.sh.cfg.Profile), "",
	}
	if m.typing {
		lines = append(lines, "Choose the vault passphrase. Everyone who opens this profile types it.", "")
		for i := range m.fields {
			lines = append(lines, m.fields[i].View())
		}
		lines = append(lines, "", st.Faint.Render("tab next field · enter create · esc back"))
	} else {
		switch {
		case m.probing:
			lines = append(lines, st.Faint.Render("  k  checking the OS keyring…"))
		case m.keyringErr == nil:
			lines = append(lines, "  "+st.Key.Render("k")+"  create a vault that opens with this login's keyring")
		default:
			why := strings.TrimSuffix(describeOpen(m.keyringErr), ".")
			lines = append(lines, st.Faint.Render("  k  no keyring vault here: "+strings.ToLower(why[:1])+why[1:]))
		}
		lines = append(lines,
			"  "+st.Key.Render("p")+"  create a vault with a passphrase",
			"  "+st.Key.Render("d")+"  open the demo (made-up accounts, nothing saved)",
			"  "+st.Key.Render("q")+"  quit",
		)
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	return wrapLines(lines, w)
}
