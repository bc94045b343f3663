package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/vault"
)

// glyphs is a 3×5 font of the characters codes use: digits and the Steam
// alphabet. '#' is ink. Block characters only: no Nerd Font needed.
var glyphs = map[rune][5]string{
	'0': {"###", "#.#", "#.#", "#.#", "###"},
	'1': {".#.", "##.", ".#.", ".#.", "###"},
	'2': {"###", "..#", "###", "#..", "###"},
	'3': {"###", "..#", ".##", "..#", "###"},
	'4': {"#.#", "#.#", "###", "..#", "..#"},
	'5': {"###", "#..", "###", "..#", "###"},
	'6': {"###", "#..", "###", "#.#", "###"},
	'7': {"###", "..#", ".#.", ".#.", ".#."},
	'8': {"###", "#.#", "###", "#.#", "###"},
	'9': {"###", "#.#", "###", "..#", "###"},
	'B': {"##.", "#.#", "##.", "#.#", "##."},
	'C': {"###", "#..", "#..", "#..", "###"},
	'D': {"##.", "#.#", "#.#", "#.#", "##."},
	'F': {"###", "#..", "##.", "#..", "#.."},
	'G': {"###", "#..", "#.#", "#.#", "###"},
	'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'J': {"..#", "..#", "..#", "#.#", "###"},
	'K': {"#.#", "#.#", "##.", "#.#", "#.#"},
	'M': {"#.#", "###", "###", "#.#", "#.#"},
	'N': {"##.", "#.#", "#.#", "#.#", "#.#"},
	'P': {"###", "#.#", "###", "#..", "#.."},
	'Q': {"###", "#.#", "#.#", "###", "..#"},
	'R': {"##.", "#.#", "##.", "#.#", "#.#"},
	'T': {"###", ".#.", ".#.", ".#.", ".#."},
	'V': {"#.#", "#.#", "#.#", "#.#", ".#."},
	'W': {"#.#", "#.#", "###", "###", "#.#"},
	'X': {"#.#", "#.#", ".#.", "#.#", "#.#"},
	'Y': {"#.#", "#.#", ".#.", ".#.", ".#."},
	' ': {"...", "...", "...", "...", "..."},
}

// bigText draws s in the block font, each font pixel sx cells wide and sy
// lines high, with one pixel between characters.
func bigText(s string, sx, sy int) string {
	var lines []string
	for row := 0; row < 5; row++ {
		var b strings.Builder
		for i, r := range s {
			g, ok := glyphs[r]
			if !ok {
				g = glyphs[' ']
			}
			if i > 0 {
				b.WriteString(strings.Repeat(" ", sx))
			}
			for _, px := range g[row] {
				if px == '#' {
					b.WriteString(strings.Repeat("█", sx))
				} else {
					b.WriteString(strings.Repeat(" ", sx))
				}
			}
		}
		for range sy {
			lines = append(lines, b.String())
		}
	}
	return strings.Join(lines, "\n")
}

// bigWidth is the width of bigText(s, sx, _).
func bigWidth(s string, sx int) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return n*3*sx + (n-1)*sx
}

// bigModel shows one account's code large enough to read from a step
// back.
type bigModel struct {
	c    *common
	acct vault.Account
	hotp string // the revealed HOTP code, if any
	w, h int
}

// newBig is the big view of a (hotp: its revealed code, or "").
func newBig(c *common, a vault.Account, hotp string) bigModel {
	return bigModel{c: c, acct: a, hotp: hotp, w: c.width, h: c.height - 2}
}

// SetSize fits the digits to w×h.
func (m bigModel) SetSize(w, h int) screen { m.w, m.h = w, h; return m }

// ShortHelp is the hint under the digits.
func (m bigModel) ShortHelp() []key.Binding {
	k := m.c.keys
	back := bind(append(k.Big.Keys(), k.Back.Keys()...), "space/esc", "back")
	return []key.Binding{relabel(k.Copy, "copy"), back}
}

// FullHelp is every key of the big view.
func (m bigModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{append(m.ShortHelp(), k.Next, k.Lock, k.Quit)}
}

// Update handles a key on the big view, and keeps its account current as
// the list changes (accountsMsg, hotpMsg).
func (m bigModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case accountsMsg:
		for _, a := range msg.accounts {
			if a.ID == m.acct.ID {
				m.acct = a
				return m, nil
			}
		}
		return nil, nil // gone (deleted through a sync): back to the list
	case hotpMsg:
		if msg.id == m.acct.ID && msg.err == nil {
			m.hotp = msg.code
		}
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Quit):
			return m, send(quitMsg{})
		case key.Matches(msg, k.Lock):
			return m, send(lockMsg{})
		case key.Matches(msg, k.Back), key.Matches(msg, k.Big):
			return nil, nil
		case key.Matches(msg, k.Copy):
			revealed := map[string]string{}
			if m.hotp != "" {
				revealed[m.acct.ID] = m.hotp
			}
			return m, copyCurrent(m.c, m.acct, revealed)
		case key.Matches(msg, k.Next):
			if m.acct.Type == vault.HOTP {
				return m, nextHOTPCmd(m.c.sess, m.acct, false)
			}
		}
	}
	return m, nil
}

// View renders the account's code at the code clock.
func (m bigModel) View() string {
	a, hotp, w, h, t := m.acct, m.hotp, m.w, m.h, m.c.codeTime()
	st := m.c.styles
	title := st.Title.Render(text(a.Issuer))
	if a.Name != "" {
		title += st.Faint.Render("  " + text(a.Name))
	}
	var code, foot string
	expiring := false
	var c codeAt
	switch a.Type {
	case vault.HOTP:
		code = hotp
		if code == "" {
			foot = st.Faint.Render("counter-based: press " + m.c.keys.Next.Help().Key + " for the next code")
		} else {
			foot = st.Faint.Render("counter-based: this code stays valid until used")
		}
	default:
		c = totpAt(a, t)
		if c.err != nil {
			return st.Error.Render("no code: " + c.err.Error())
		}
		code = c.code
		expiring = c.expiring()
	}
	shown := group(code)
	// The largest scale that fits: 3 cells per pixel down to 1, and the
	// height to match.
	sx := 3
	for sx > 1 && bigWidth(shown, sx) > w-2 {
		sx--
	}
	sy := 1
	if h >= 5*2+8 && sx >= 2 {
		sy = 2
	}
	var digits string
	if code == "" {
		digits = st.Faint.Render("(no code shown)")
	} else if bigWidth(shown, 1) > w {
		digits = st.Code.Render(shown)
	} else {
		style := st.Big
		if expiring {
			style = st.Expiring
		}
		digits = style.Render(bigText(shown, sx, sy))
	}
	parts := []string{title, "", digits, ""}
	if a.Type != vault.HOTP {
		label := fmt.Sprintf(" %2ds", c.left)
		barW := min(max(bigWidth(shown, sx), 20), w) - len(label)
		parts = append(parts, m.c.bar(float64(c.left)/float64(c.period), barW, expiring)+label)
		if expiring {
			parts = append(parts, st.Next.Render("next: "+group(c.next)))
		} else {
			parts = append(parts, "")
		}
	} else {
		parts = append(parts, foot, "")
	}
	parts = append(parts, "", m.c.hints(m.ShortHelp()...))
	body := lipgloss.JoinVertical(lipgloss.Center, parts...)
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, body)
}
