package tui

import (
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/vault"
)

// Re-authentication (DESIGN "Typing cannot do damage"): export, restore,
// delete and the settings ask for the vault passphrase again once
// reauth_after seconds have passed since it was last typed in this
// session (the unlock counts; 0 asks every time). Every guarded action
// goes through guard, so there is one gate: the prompt is put in front at
// once (a key typed ahead lands in its masked field, never on the guarded
// screen), and the guarded screen is made only after the backend has
// checked the passphrase (Backend.Reauth: counted and slowed like an
// unlock, a failure logged as unlock_failed). A vault with no passphrase
// slot (keyring-only, the demo) has nothing to ask and skips it.

// guard returns the screen that action needs, made by next: at once while
// the passphrase typed last is still good, else the passphrase prompt,
// which makes it after a right passphrase.
func guard(c *common, action string, next func() (screen, tea.Cmd)) (screen, tea.Cmd) {
	if !c.sess.needsReauth(c.cfg.now()) {
		return next()
	}
	return newReauth(c, action, next), nil
}

// Messages of re-authentication.
type (
	// reauthWaitMsg says how long earlier failures make the check wait;
	// pass goes on to the check (or is wiped if the prompt is gone).
	reauthWaitMsg struct {
		from   *session
		prompt *prompt // the prompt that asked
		failed int
		until  time.Time
		pass   []byte
	}
	// reauthedMsg is the check's answer: nil, the passphrase is right
	// (the root notes when it was typed).
	reauthedMsg struct {
		from   *session
		prompt *prompt
		err    error
	}
)

// prompt tells one passphrase prompt from another: an answer to a prompt
// left with esc must not open the guarded screen of the next one.
type prompt struct{ _ byte }

// reauthModel asks for the vault passphrase before action: a masked field
// that keeps bytes, the wait while the slowing is in force, one sentence
// on a failure, esc back to the list.
type reauthModel struct {
	c      *common
	id     *prompt
	action string                   // "export a backup", "change the settings"
	next   func() (screen, tea.Cmd) // the screen that needs it
	pass   secretField
	busy   string
	err    string
	w, h   int
}

// newReauth is the prompt before action.
func newReauth(c *common, action string, next func() (screen, tea.Cmd)) reauthModel {
	return reauthModel{c: c, id: new(prompt), action: action, next: next, pass: newSecretField("Passphrase: ", 1024), w: c.width, h: c.height - 2}
}

// forget wipes what is typed (on a lock).
func (m reauthModel) forget() { m.pass.wipe() }

// SetSize fits the prompt to w×h.
func (m reauthModel) SetSize(w, h int) screen { m.w, m.h = w, h; return m }

// ShortHelp is the hint under the field.
func (m reauthModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{relabel(k.Submit, "continue"), relabel(k.Back, "cancel"), k.EraseField}
}

// FullHelp is every key of the prompt.
func (m reauthModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{relabel(k.Submit, "continue"), relabel(k.Back, "cancel"), k.EraseChar, k.EraseField, k.ForceQuit}}
}

// Update takes the passphrase, waits out the slowing, and on the check's
// answer either makes the guarded screen or says why not.
func (m reauthModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k, s := m.c.keys, m.c.sess
	switch msg := msg.(type) {
	case reauthWaitMsg:
		if msg.prompt != m.id {
			clear(msg.pass) // another prompt's, left with esc
			return m, nil
		}
		now := m.c.cfg.now()
		if msg.until.After(now) {
			m.busy = fmt.Sprintf("%d failed attempts: waiting %d s before checking…", msg.failed, secondsLeft(msg.until.Sub(now)))
			if msg.failed == 0 { // fail-closed: the count could not be read
				m.busy = fmt.Sprintf("Failed attempts cannot be counted: waiting %d s, the longest wait, before checking…", secondsLeft(msg.until.Sub(now)))
			}
			return m, m.c.cfg.after(msg.until.Sub(now), reauthWaitMsg{from: msg.from, prompt: msg.prompt, failed: msg.failed, until: msg.until, pass: msg.pass})
		}
		m.busy = "Checking the passphrase…"
		return m, reauthCmd(m.c.backend(), s, m.id, msg.pass)
	case reauthedMsg:
		if msg.prompt != m.id {
			return m, nil // another prompt's answer opens nothing here
		}
		m.busy = ""
		if msg.err == nil {
			return m.next()
		}
		m.err = reauthSentence(msg.err)
		return m, nil
	case tea.KeyPressMsg:
		if matches(msg, k.Back) {
			// Also while waiting or checking: a wait not yet over is
			// dropped (the root wipes its passphrase), a check under way
			// still counts, and its answer opens nothing.
			m.pass.wipe()
			return nil, nil
		}
		if m.busy != "" {
			return m, nil // typed while checking: dropped, never kept for later
		}
		switch {
		case matches(msg, k.Submit):
			if m.pass.empty() {
				m.err = "Type the passphrase first."
				return m, nil
			}
			m.err = ""
			m.busy = "Checking the passphrase…"
			return m, reauthWaitCmd(m.c.backend(), s, m.id, m.c.cfg.now(), m.pass.take())
		}
	}
	m.pass = m.pass.update(k, msg)
	return m, nil
}

// View renders the prompt.
func (m reauthModel) View() string {
	st := m.c.styles
	lines := []string{
		st.Title.Render("Passphrase again"), "",
		fmt.Sprintf("To %s, type the vault passphrase of %s.", m.action, m.c.sess.profile.person()), "",
		m.pass.view(st),
	}
	if m.busy != "" {
		lines = append(lines, "", st.Faint.Render(m.busy))
	}
	if m.err != "" {
		lines = append(lines, "", st.Error.Render(m.err))
	}
	lines = append(lines, "", m.c.hints(m.ShortHelp()...))
	return fit(wrapLines(lines, m.w), m.w, m.h)
}

// reauthSentence says why the passphrase was not taken, in one sentence:
// a wrong one is counted like a failed unlock, and the person is told so.
func reauthSentence(err error) string {
	if errors.Is(err, vault.ErrWrongPassphrase) {
		return "That is not the vault passphrase: nothing was done, and the failed attempt was counted (after three, each next one waits longer)."
	}
	return wording.OpenSentence(err)
}
