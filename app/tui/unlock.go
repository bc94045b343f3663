package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// unlockModel is the unlock screen: a masked passphrase field, or for a
// keyring vault a single key press.
type unlockModel struct {
	sh      *shared
	pass    textinput.Model
	busy    string // what is being done ("" idle)
	err     string
	note    string // e.g. why the keyring did not open it
	locked  bool   // shown after a lock: never unlock without a key press
	waitFor time.Time
}

func newUnlock(sh *shared, locked bool) unlockModel {
	p := textinput.New()
	p.Prompt = "Passphrase: "
	p.EchoMode = textinput.EchoPassword
	p.EchoCharacter = '•'
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	p.SetStyles(st)
	p.CharLimit = 1024
	m := unlockModel{sh: sh, pass: p, locked: locked}
	m.setWidth(sh.width)
	return m
}

// setWidth fits the field to a terminal w cells wide.
func (m *unlockModel) setWidth(w int) {
	m.pass.SetWidth(max(min(w-16, 40), 8))
}

// usesPassphrase says whether the field is shown.
func (m unlockModel) usesPassphrase() bool {
	return m.sh.cfg.has(vault.SlotPassphrase) && !m.sh.cfg.Demo && !m.sh.cfg.PassphraseFile
}

// keyringFirst says whether the vault may open without typing: the OS
// keyring, a passphrase file, or the demo.
func (m unlockModel) keyringFirst() bool {
	return m.sh.cfg.Demo || m.sh.cfg.has(vault.SlotKeyring) || m.sh.cfg.PassphraseFile
}

// Init opens a keyring vault (or the demo) at start without a key press.
func (m unlockModel) Init() (unlockModel, tea.Cmd) {
	var cmd tea.Cmd
	if m.usesPassphrase() {
		cmd = m.pass.Focus()
	}
	if !m.locked && m.keyringFirst() {
		m.busy = "Opening with the OS keyring…"
		if m.sh.cfg.Demo {
			m.busy = "Opening the demo…"
		}
		return m, tea.Batch(cmd, openCmd(m.sh.cfg, nil))
	}
	return m, cmd
}

// openedMsg says the vault opened (v set) or did not (err set).
type openedMsg struct {
	v       *vault.Vault
	err     error
	keyring bool // the attempt was the keyring's (no passphrase)
	local   vault.Local
	recent  map[string]int64
	created string // the recovery code of a vault made just now
}

// unlockWaitMsg says earlier failures ask for a pause before the attempt.
type unlockWaitMsg struct {
	failed int
	until  time.Time
	pass   []byte
}

// openCmd opens the vault; pass nil tries the keyring (or the demo).
func openCmd(cfg Config, pass []byte) tea.Cmd {
	return func() tea.Msg {
		var v *vault.Vault
		var err error
		switch {
		case cfg.Demo && cfg.OpenDemo != nil:
			v, err = cfg.OpenDemo()
		case cfg.Open == nil:
			err = errors.New("no way to open the vault was configured")
		default:
			v, err = cfg.Open(pass)
		}
		freeKDFMemory()
		return loaded(cfg, v, err, pass == nil)
	}
}

// loaded reads what belongs beside an open vault (local state, recent use).
func loaded(cfg Config, v *vault.Vault, err error, keyring bool) openedMsg {
	msg := openedMsg{v: v, err: err, keyring: keyring}
	if err == nil && !cfg.Demo {
		if cfg.Local != nil {
			msg.local = cfg.Local()
		}
		if cfg.Recent != nil {
			msg.recent = cfg.Recent()
		}
	}
	return msg
}

// checkWaitCmd asks how long earlier failures make this attempt wait.
func checkWaitCmd(cfg Config, now time.Time, pass []byte) tea.Cmd {
	return func() tea.Msg {
		if cfg.UnlockWait == nil {
			return unlockWaitMsg{pass: pass}
		}
		n, w := cfg.UnlockWait()
		return unlockWaitMsg{failed: n, until: now.Add(w), pass: pass}
	}
}

// Update handles keys and results on the unlock screen.
func (m unlockModel) Update(msg tea.Msg) (unlockModel, tea.Cmd) {
	switch msg := msg.(type) {
	case unlockWaitMsg:
		now := m.sh.cfg.now()
		if msg.until.After(now) {
			m.busy = fmt.Sprintf("%d failed attempts: waiting %d s before trying…", msg.failed, secondsLeft(msg.until.Sub(now)))
			m.waitFor = msg.until
			return m, m.sh.cfg.after(msg.until.Sub(now), unlockWaitMsg{failed: msg.failed, until: msg.until, pass: msg.pass})
		}
		m.busy = "Unlocking…"
		return m, openCmd(m.sh.cfg, msg.pass)
	case openedMsg: // failures only: the root takes successes
		m.busy = ""
		m.err = describeOpen(msg.err)
		if msg.keyring && m.usesPassphrase() {
			m.note = "The OS keyring did not open it (" + m.err + "): type the passphrase."
			m.err = ""
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if key.Matches(msg, m.sh.keys.Submit) {
			m.err = ""
			if !m.usesPassphrase() {
				m.busy = "Opening…"
				return m, openCmd(m.sh.cfg, nil)
			}
			if m.pass.Value() == "" {
				if m.keyringFirst() {
					m.busy = "Opening with the OS keyring…"
					return m, openCmd(m.sh.cfg, nil)
				}
				m.err = "Type the passphrase first."
				return m, nil
			}
			pass := []byte(m.pass.Value())
			m.pass.Reset()
			m.busy = "Unlocking…"
			return m, checkWaitCmd(m.sh.cfg, m.sh.cfg.now(), pass)
		}
	}
	if m.usesPassphrase() {
		var cmd tea.Cmd
		m.pass, cmd = m.pass.Update(msg)
		return m, cmd
	}
	return m, nil
}

// describeOpen says in one sentence why the vault did not open.
func describeOpen(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, vault.ErrWrongPassphrase):
		return "Wrong passphrase. The vault is unchanged."
	case errors.Is(err, vault.ErrTampered):
		return "The vault file is corrupt or was altered; nothing was written. Restore vault.json.bak or a backup."
	case errors.Is(err, vault.ErrKeyringUnavailable):
		return "The OS keyring is not reachable."
	case errors.Is(err, vault.ErrKeyringMissing):
		return "The OS keyring holds no key for this vault."
	}
	return strings.ToUpper(err.Error()[:1]) + err.Error()[1:] + "."
}

// View renders the unlock screen.
func (m unlockModel) View(w, h int) string {
	st := m.sh.styles
	var lines []string
	if m.locked {
		lines = append(lines, st.Title.Render("Locked"), "")
	} else {
		lines = append(lines, st.Title.Render("Unlock"), "")
	}
	if m.note != "" {
		lines = append(lines, st.Warn.Render(m.note), "")
	}
	switch {
	case m.sh.cfg.Demo:
		lines = append(lines, "The demo vault (made-up accounts, nothing saved).")
		if m.busy == "" {
			lines = append(lines, "", "Press "+st.Key.Render("enter")+" to open it.")
		}
	case m.usesPassphrase():
		lines = append(lines, fmt.Sprintf("Profile %q.", m.sh.cfg.Profile))
		lines = append(lines, "", m.pass.View())
		hint := "enter unlock · ctrl+c quit"
		if m.keyringFirst() {
			hint = "enter unlock (empty: try the keyring) · ctrl+c quit"
		}
		lines = append(lines, "", st.Faint.Render(hint))
	default:
		lines = append(lines, fmt.Sprintf("Profile %q opens with the OS keyring.", m.sh.cfg.Profile))
		if m.busy == "" {
			lines = append(lines, "", "Press "+st.Key.Render("enter")+" to unlock · ctrl+c quit")
		}
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	return wrapLines(lines, w)
}
