package tui

import (
	tea "charm.land/bubbletea/v2"
	"errors"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// toastFor is how long a note stays on the status line.
const toastFor = 4 * time.Second

// status is the line under the list: a note ("toast") that fades after a
// few seconds, or an error, or the clipboard's countdown.
type status struct {
	text  string
	isErr bool
	until time.Time
}

// toastMsg asks for a note (or an error) on the status line.
type toastMsg struct {
	text  string
	isErr bool
}

// toast returns a command that shows a note.
func toast(text string, isErr bool) tea.Cmd { return send(toastMsg{text, isErr}) }

// set shows text from now.
func (s status) set(text string, isErr bool, now time.Time) status {
	return status{text: text, isErr: isErr, until: now.Add(toastFor)}
}

// expire drops a note whose time is over at now.
func (s status) expire(now time.Time) status {
	if s.text != "" && !s.until.IsZero() && !now.Before(s.until) {
		return status{}
	}
	return s
}

// view is the status line w cells wide: an error first, then the
// clipboard countdown (clip), then a note.
func (s status) view(c *common, clip string, w int) string {
	st := c.styles
	switch {
	case s.text != "" && s.isErr:
		return st.Error.Render(cut(s.text, w))
	case clip != "":
		return st.Toast.Render(cut(clip, w))
	case s.text != "":
		return st.Toast.Render(cut(s.text, w))
	}
	return ""
}

// oneLine keeps the first line of a message (errors from remotes may
// quote a server's multi-line answer).
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// describeSave words a failed save for the status line.
func describeSave(err error) string {
	if errors.Is(err, vault.ErrTampered) {
		return "the vault file changed under us or is corrupt; nothing was written"
	}
	return err.Error()
}
