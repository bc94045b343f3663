package tui

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// logShown is how many of the log's last lines the log view reads: a
// screenful many times over, and bounded however long the log grew (the
// whole log is still checked, in the command).
const logShown = 500

// logModel is the audit log view (KeyMap.Log): the open profile's recent
// events, newest first, in local time, with the account's name resolved
// from the open vault by ID ("(deleted account)" when it is not there any
// more), lines written while locked marked, and on top whether the whole
// log verifies. It only reads: typing at it changes nothing.
type logModel struct {
	c      *common
	names  map[string]string // account ID → "issuer: name", safe to draw
	log    AuditLog
	loaded bool
	err    error
	top    int // first event shown
	w, h   int
}

// newLogView opens the log view over the accounts of the open vault and
// starts reading the log.
func newLogView(c *common, as []vault.Account) (logModel, tea.Cmd) {
	m := logModel{c: c, w: c.width, h: c.height - 2}
	m.names = accountNames(as)
	return m, auditLogCmd(c.sess, logShown)
}

// accountNames maps account IDs to the names the log view shows.
func accountNames(as []vault.Account) map[string]string {
	names := make(map[string]string, len(as))
	for _, a := range as {
		names[a.ID] = label(a)
	}
	return names
}

// forget drops the names at a lock.
func (m logModel) forget() { clear(m.names) }

// Update scrolls, goes back, and takes the log when it is read.
func (m logModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case logReadMsg:
		if msg.from == m.c.sess {
			m.log, m.err, m.loaded, m.top = msg.log, msg.err, true, 0
		}
	case accountsMsg:
		m.names = accountNames(msg.accounts)
	case tea.KeyPressMsg:
		rows := m.rows()
		switch {
		case matches(msg, k.Back):
			return nil, nil // the list
		case matches(msg, k.Quit):
			return m, send(quitMsg{})
		case matches(msg, k.Lock):
			return m, send(lockMsg{})
		case matches(msg, k.Help):
			return m, send(helpMsg{})
		case matches(msg, k.Up):
			m.top--
		case matches(msg, k.Down):
			m.top++
		case matches(msg, k.PageUp):
			m.top -= rows
		case matches(msg, k.PageDown):
			m.top += rows
		case matches(msg, k.Top):
			m.top = 0
		case matches(msg, k.Bottom):
			m.top = len(m.log.Entries)
		}
		m.top = max(0, min(m.top, len(m.log.Entries)-rows))
	}
	return m, nil
}

// rows is how many events fit under the title, the verdict and the hints.
func (m logModel) rows() int { return max(m.h-4-len(m.verdict()), 1) }

// verdict is the line (or, for a problem, the lines) under the title:
// whether the whole log verifies.
func (m logModel) verdict() []string {
	st := m.c.styles
	var v string
	switch {
	case !m.loaded:
		return []string{st.Faint.Render("Reading the log…")}
	case m.err != nil:
		v = "! The log could not be read: " + oneLine(m.err.Error())
	case m.log.Problem != "":
		v = "! Does not verify: " + text(m.log.Problem)
	default:
		return []string{"✓ log intact"}
	}
	lines := strings.Split(lipgloss.Wrap(v, max(m.w, 1), ""), "\n")
	if len(lines) > 3 {
		lines = append(lines[:2], cut(lines[2]+" "+strings.Join(lines[3:], " "), m.w))
	}
	for i := range lines {
		lines[i] = st.Warn.Render(lines[i])
	}
	return lines
}

// SetSize fits the view to w×h.
func (m logModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.top = max(0, min(m.top, len(m.log.Entries)-m.rows()))
	return m
}

// ShortHelp is the log view's hint line.
func (m logModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{bind(append(k.Up.Keys(), k.Down.Keys()...), "↑/↓", "scroll"), k.Back, k.Lock}
}

// FullHelp is every key of the log view.
func (m logModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {relabel(k.Back, "back to the codes"), k.Lock, k.Help, k.Quit}}
}

// View is the verdict, then the events, newest first.
func (m logModel) View() string {
	st := m.c.styles
	title := "Audit log"
	if m.loaded && m.err == nil {
		title += fmt.Sprintf(" · %d event%s", m.log.Total, map[bool]string{true: "", false: "s"}[m.log.Total == 1])
	}
	lines := []string{st.Title.Render(cut(title, m.w))}
	lines = append(lines, m.verdict()...)
	lines = append(lines, "")
	n := len(m.log.Entries)
	if m.loaded && n == 0 && m.err == nil {
		lines = append(lines, st.Faint.Render("No events yet."))
	}
	now := m.c.cfg.now()
	for i := m.top; i < min(n, m.top+m.rows()); i++ {
		lines = append(lines, m.line(m.log.Entries[n-1-i], now))
	}
	for len(lines) < m.rows()+2+len(m.verdict()) {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n") + "\n" + m.c.hints(m.ShortHelp()...)
}

// line is one event: when, what, which account, its detail, and whether
// it was written while locked.
func (m logModel) line(en audit.Entry, now time.Time) string {
	st := m.c.styles
	narrow := m.w < 60 // the time and event columns shrink
	timeW, eventW := 12, 14
	if narrow {
		timeW, eventW = 6, 13
	}
	when := logTime(en.Time.In(now.Location()), now, narrow)
	what := strings.ReplaceAll(en.Event, "_", " ")
	var more []string
	if en.Account != "" {
		name, ok := m.names[en.Account]
		if !ok {
			name = "(deleted account)"
		}
		more = append(more, name)
	}
	if d := detailWords(en.Detail); d != "" {
		more = append(more, d)
	}
	if en.Locked() {
		more = append(more, "while locked")
	}
	l := st.Faint.Render(pad(when, timeW)) + " " + pad(what, eventW) + " " + strings.Join(more, " · ")
	return cut(strings.TrimRight(l, " "), m.w)
}

// logTime is "14:02:03" today, "Nov 26 14:02" before; on a narrow
// terminal "14:02" today, "Nov 26" before.
func logTime(t, now time.Time, narrow bool) string {
	today := false
	if y, mo, d := t.Date(); y == now.Year() && mo == now.Month() && d == now.Day() {
		today = true
	}
	switch {
	case today && narrow:
		return t.Format("15:04")
	case today:
		return t.Format("15:04:05")
	case narrow:
		return t.Format("Jan 02")
	}
	return t.Format("Jan 02 15:04")
}

// detailWords is an event's detail as "key value" pairs in key order (a
// lock's reason alone), sanitised: the log is a file anyone at this login
// can edit.
func detailWords(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var d map[string]any
	if json.Unmarshal(raw, &d) != nil {
		return ""
	}
	if r, ok := d["reason"].(string); ok && len(d) == 1 {
		return text(r)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, text(fmt.Sprintf("%s %v", k, d[k])))
	}
	return strings.Join(parts, ", ")
}

// accounts are the list's accounts (for the log view's names).
func (m codesModel) accounts() []vault.Account {
	out := make([]vault.Account, len(m.items))
	for i, it := range m.items {
		out[i] = it.acct
	}
	return out
}
