package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// screen is one screen of the TUI. The root holds the one in front and
// hands it every message it does not own. A screen switches to another by
// returning it from Update (nil: back to the code list), so the switch
// happens before the next key is read and no key typed ahead reaches the
// screen being left; it asks for anything else (a lock, a quit, help, a
// copy, a note) by returning a command whose message says so (lockMsg,
// quitMsg, helpMsg, copyMsg, toastMsg), never by an action code the root
// interprets.
type screen interface {
	// Update handles a message and returns the screen now in front: itself,
	// another screen, or nil for the code list.
	Update(msg tea.Msg) (screen, tea.Cmd)
	// View renders the screen's body in the size SetSize gave.
	View() string
	// SetSize fits the screen to a body w cells wide and h lines high.
	SetSize(w, h int) screen
	// ShortHelp is the screen's hint line; FullHelp every key it takes.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// common is what every screen reads: configuration, keys, styles, the
// terminal's size and the clock. The root owns it and changes it only in
// Update; screens hold a pointer and only read it.
type common struct {
	cfg           Config
	keys          KeyMap
	styles        Styles
	dark          bool // the terminal's background (tea.BackgroundColorMsg)
	width, height int
	sess          *session // the open profile, or the one being opened
	barModel      progress.Model
}

// codeTime is the time codes are computed for: the clock plus the
// session's applied offset.
func (c *common) codeTime() time.Time { return c.cfg.now().Add(c.sess.offset) }

// backend is the configured Backend.
func (c *common) backend() Backend { return c.cfg.Backend }

// bar draws a countdown bar w cells wide, frac full.
func (c *common) bar(frac float64, w int, warn bool) string {
	if w < 1 {
		return ""
	}
	b := c.barModel
	b.SetWidth(w)
	b.FullColor = c.styles.BarFull
	if warn {
		b.FullColor = c.styles.BarWarn
	}
	b.EmptyColor = c.styles.BarEmpty
	return b.ViewAs(frac)
}

// hints renders bindings as the faint hint line under a form: "enter save
// · tab next field · esc back", from the bindings' own help.
func (c *common) hints(bs ...key.Binding) string {
	var parts []string
	for _, b := range bs {
		if b.Enabled() {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return c.styles.Faint.Render(strings.Join(parts, " · "))
}

// progress is a form's line under its fields: what is being done, else
// why the last try failed (each after a blank line), else nothing.
func (c *common) progress(busy, err string) []string {
	switch {
	case busy != "":
		return []string{"", c.styles.Faint.Render(busy)}
	case err != "":
		return []string{"", c.styles.Error.Render(err)}
	}
	return nil
}

// newField is the one way a text field is made: in the TUI's style for
// the terminal's background (restyled by restyleFields), no blinking. It
// is never masked: a passphrase goes in a secretField, which keeps bytes
// (a textinput keeps runes and hands out strings nobody can wipe).
func (c *common) newField(prompt string, limit int) textinput.Model {
	f := textinput.New()
	f.Prompt = prompt
	f.SetStyles(fieldStyles(c.dark))
	f.CharLimit = limit
	return f
}

// fieldStyles are a text field's styles on a dark or light background.
func fieldStyles(dark bool) textinput.Styles {
	st := textinput.DefaultStyles(dark)
	st.Cursor.Blink = false
	return st
}

// restyleFields gives fields the styles of the background msg reports:
// each screen calls it on tea.BackgroundColorMsg.
func restyleFields(msg tea.BackgroundColorMsg, fields ...*textinput.Model) {
	for _, f := range fields {
		f.SetStyles(fieldStyles(msg.IsDark()))
	}
}

// matches reports whether k is one of the bindings' keys.
func matches(k tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(k, b...) }

// Messages screens send up to the root.
type (
	// lockMsg asks for a lock; why is shown on the unlock screen.
	lockMsg struct {
		why    string
		reason string // the audit log's lock reason; "" is lockManual (L)
	}
	// quitMsg asks to quit (the clipboard is cleared first if it is ours).
	quitMsg struct{}
	// helpMsg asks for the help screen of the screen in front.
	helpMsg struct{}
)

// StopMsg tells the TUI the process was asked to stop (SIGTERM, SIGHUP or
// SIGINT; package app sends it): the vault is locked, the clipboard is
// cleared if it still holds our code, and the program quits, as on ctrl+c.
type StopMsg struct {
	// Signal names the signal, for the log.
	Signal string
}

// send returns a command that delivers msg.
func send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// recoveryCode makes a fresh recovery code (Config.NewRecoveryCode in
// tests).
func (c *common) recoveryCode() string {
	if c.cfg.NewRecoveryCode != nil {
		return c.cfg.NewRecoveryCode()
	}
	return vault.NewRecoveryCode()
}
