package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// copier owns the clipboard: it copies a code (OSC 52 and the system
// clipboard), remembers it, and clears it after the session's
// clipboard_clear time, on lock and on quit, but only while it is still
// ours.
type copier struct {
	code  string // the code we last put on the clipboard; "" none
	label string // whose code it is
	until time.Time
}

// copyMsg asks the copier to put an account's code on the clipboard.
type copyMsg struct {
	acct vault.Account
	code string
}

// copy puts code on the clipboard at now, to be cleared after clearAfter.
func (c copier) copy(b Backend, a vault.Account, code string, now time.Time, clearAfter time.Duration) (copier, tea.Cmd) {
	c = copier{code: code, label: label(a), until: now.Add(clearAfter)}
	return c, tea.Batch(tea.SetClipboard(code), clipboardWriteCmd(b, code))
}

// clear clears the clipboard if it holds our code (nil when there is
// nothing of ours to clear).
func (c copier) clear(b Backend) (copier, tea.Cmd) {
	if c.code == "" {
		return c, nil
	}
	return copier{}, clipboardClearCmd(b, c.code)
}

// due reports whether the code's time on the clipboard is over at now.
func (c copier) due(now time.Time) bool { return c.code != "" && !now.Before(c.until) }

// line is the countdown under the list, or "" when nothing is copied.
func (c copier) line(now time.Time) string {
	if c.code == "" {
		return ""
	}
	return fmt.Sprintf("Copied %s: the clipboard clears in %d s.", c.label, secondsLeft(c.until.Sub(now)))
}

// copy puts a code on the clipboard and notes the account's use.
func (m Model) copy(msg copyMsg) (Model, tea.Cmd) {
	c, s := m.c, m.c.sess
	if !s.isOpen() {
		return m, nil
	}
	now := c.cfg.now()
	var cmd tea.Cmd
	m.copier, cmd = m.copier.copy(c.backend(), msg.acct, msg.code, now, s.clipClear)
	m.status = status{}
	m.list.recent[msg.acct.ID] = now.Unix()
	if !s.profile.Demo {
		cmd = tea.Batch(cmd, saveRecentCmd(c.backend(), s.v, m.list.recent),
			auditCmd(s, audit.Event{Event: audit.CodeCopied, Account: msg.acct.ID}))
	}
	return m, cmd
}
