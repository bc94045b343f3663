package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wardkey/wardkey/vault"
)

// sortMode orders the code list (favourites always come first).
type sortMode int

const (
	byName   sortMode = iota // issuer, then name
	byRecent                 // most recently copied first
)

func (s sortMode) String() string {
	if s == byRecent {
		return "recent"
	}
	return "name"
}

// item is one account with what the list needs precomputed.
type item struct {
	acct vault.Account
	hay  string // lower-case issuer, name and tags, for find
	rank int    // position in name order
}

// codesModel is the code list: rows, find, sort, selection, scrolling.
type codesModel struct {
	sh *shared

	items    []item
	visible  []int // indices into items, in display order
	selected int   // index into visible
	top      int   // first visible row on screen

	find    textinput.Model
	finding bool // the find field has focus
	sort    sortMode
	recent  map[string]int64

	hotp    map[string]string // revealed HOTP codes by account ID
	codeW   int               // widest grouped code
	samePer int               // the one period shared by every TOTP row, or 0
}

func newCodes(sh *shared) codesModel {
	f := textinput.New()
	f.Prompt = "/ "
	f.Placeholder = "type to find"
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	f.SetStyles(st)
	return codesModel{sh: sh, find: f, hotp: map[string]string{}, recent: map[string]int64{}}
}

// setWidth fits the find field to a terminal w cells wide.
func (m *codesModel) setWidth(w int) { m.find.SetWidth(max(w-16, 8)) }

// setAccounts replaces the accounts, keeping the selection on the same ID.
func (m codesModel) setAccounts(as []vault.Account) codesModel {
	keep := m.selectedID()
	m.items = make([]item, len(as))
	m.codeW, m.samePer = 0, 0
	mixed := false
	for i, a := range as {
		hay := strings.ToLower(a.Issuer + " " + a.Name + " " + strings.Join(a.Tags, " "))
		m.items[i] = item{acct: a, hay: hay, rank: i}
		m.codeW = max(m.codeW, groupedWidth(a))
		if a.Type != vault.HOTP {
			switch {
			case m.samePer == 0 && !mixed:
				m.samePer = a.Period
			case m.samePer != a.Period:
				mixed, m.samePer = true, 0
			}
		}
	}
	m = m.refilter()
	m.selectID(keep)
	return m
}

// wipe forgets every account and revealed code (on lock).
func (m codesModel) wipe() codesModel {
	for _, it := range m.items {
		it.acct.Secret.Wipe()
	}
	m.items, m.visible = nil, nil
	m.hotp = map[string]string{}
	m.selected, m.top = 0, 0
	m.find.Reset()
	m.find.Blur()
	m.finding = false
	return m
}

func (m codesModel) selectedID() string {
	if a, ok := m.current(); ok {
		return a.ID
	}
	return ""
}

// current is the selected account.
func (m codesModel) current() (vault.Account, bool) {
	if m.selected < 0 || m.selected >= len(m.visible) {
		return vault.Account{}, false
	}
	return m.items[m.visible[m.selected]].acct, true
}

func (m *codesModel) selectID(id string) {
	for i, ix := range m.visible {
		if m.items[ix].acct.ID == id {
			m.selected = i
			return
		}
	}
	m.selected = min(m.selected, max(len(m.visible)-1, 0))
}

// account returns the account with this ID.
func (m codesModel) account(id string) (vault.Account, bool) {
	for _, it := range m.items {
		if it.acct.ID == id {
			return it.acct, true
		}
	}
	return vault.Account{}, false
}

// refilter recomputes the visible rows: those matching the find text
// (substring first, then fuzzy), favourites on top, then the sort order.
func (m codesModel) refilter() codesModel {
	q := strings.ToLower(strings.TrimSpace(m.find.Value()))
	m.visible = make([]int, 0, len(m.items))
	tier := map[int]int{}
	for i := range m.items {
		if q == "" {
			m.visible = append(m.visible, i)
			continue
		}
		switch {
		case strings.Contains(m.items[i].hay, q):
			m.visible = append(m.visible, i)
		case fuzzy(m.items[i].hay, q):
			m.visible = append(m.visible, i)
			tier[i] = 1
		}
	}
	slices.SortStableFunc(m.visible, func(x, y int) int {
		a, b := m.items[x], m.items[y]
		if a.acct.Favorite != b.acct.Favorite {
			if a.acct.Favorite {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(tier[x], tier[y]); c != 0 {
			return c
		}
		if m.sort == byRecent {
			if c := cmp.Compare(m.recent[b.acct.ID], m.recent[a.acct.ID]); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.rank, b.rank)
	})
	m.selected = min(m.selected, max(len(m.visible)-1, 0))
	return m
}

// fuzzy reports whether the runes of q appear in s in order.
func fuzzy(s, q string) bool {
	for _, r := range q {
		if r == ' ' {
			continue
		}
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+utf8.RuneLen(r):]
	}
	return true
}

// rowsFor is how many rows fit in a list area h lines high.
func (m codesModel) rowsFor(h int) int {
	if m.samePer > 0 {
		h -= 2
	}
	if m.finding || m.find.Value() != "" {
		h -= 2
	}
	return max(h, 1)
}

func (m *codesModel) move(delta int) {
	if len(m.visible) == 0 {
		return
	}
	m.selected = max(0, min(len(m.visible)-1, m.selected+delta))
}

// scroll keeps the selection on screen in a window of h rows.
func (m *codesModel) scroll(h int) {
	if m.selected < m.top {
		m.top = m.selected
	}
	if m.selected >= m.top+h {
		m.top = m.selected - h + 1
	}
	m.top = max(0, min(m.top, max(len(m.visible)-h, 0)))
}

// codesAction is what a key on the list asks the root to do.
type codesAction int

const (
	actNone codesAction = iota
	actCopy
	actNextHOTP
	actBig
	actAdd
	actEdit
	actDelete
	actFavorite
	actLock
	actHelp
	actQuit
	actSync
	actExport
	actRestore
)

// Update handles a key on the list. Actions that need the vault, the
// clipboard or another screen go back to the root as a codesAction.
func (m codesModel) Update(msg tea.Msg, h int) (codesModel, codesAction, tea.Cmd) {
	k := m.sh.keys
	rows := m.rowsFor(h)
	if m.finding {
		if kp, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case key.Matches(kp, k.ClearFind):
				m.find.Reset()
				m.find.Blur()
				m.finding = false
				m = m.refilter()
				m.selected = 0
				m.scroll(m.rowsFor(h))
				return m, actNone, nil
			case key.Matches(kp, k.Copy):
				m.find.Blur()
				m.finding = false
				return m, actCopy, nil
			case kp.String() == "up", kp.String() == "down", kp.String() == "pgup", kp.String() == "pgdown":
				m.finding = false
				m.find.Blur()
				return m.Update(msg, h)
			}
		}
		before := m.find.Value()
		var cmd tea.Cmd
		m.find, cmd = m.find.Update(msg)
		if m.find.Value() != before {
			m = m.refilter()
			m.selected = 0
			m.top = 0
		}
		return m, actNone, cmd
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, actNone, nil
	}
	act := actNone
	switch {
	case key.Matches(kp, k.Up):
		m.move(-1)
	case key.Matches(kp, k.Down):
		m.move(1)
	case key.Matches(kp, k.PageUp):
		m.move(-rows)
	case key.Matches(kp, k.PageDown):
		m.move(rows)
	case key.Matches(kp, k.Top):
		m.selected = 0
	case key.Matches(kp, k.Bottom):
		m.selected = max(len(m.visible)-1, 0)
	case key.Matches(kp, k.Find):
		m.finding = true
		m.find.CursorEnd()
		m.scroll(m.rowsFor(h))
		return m, actNone, m.find.Focus()
	case key.Matches(kp, k.ClearFind):
		if m.find.Value() != "" {
			m.find.Reset()
			m = m.refilter()
		}
	case key.Matches(kp, k.Sort):
		m.sort = 1 - m.sort
		m = m.refilter()
	case key.Matches(kp, k.Copy):
		act = actCopy
	case key.Matches(kp, k.Next):
		act = actNextHOTP
	case key.Matches(kp, k.Big):
		act = actBig
	case key.Matches(kp, k.Add):
		act = actAdd
	case key.Matches(kp, k.Edit):
		act = actEdit
	case key.Matches(kp, k.Delete):
		act = actDelete
	case key.Matches(kp, k.Favorite):
		act = actFavorite
	case key.Matches(kp, k.Lock):
		act = actLock
	case key.Matches(kp, k.Help):
		act = actHelp
	case key.Matches(kp, k.Quit):
		act = actQuit
	case key.Matches(kp, k.Sync):
		act = actSync
	case key.Matches(kp, k.Export):
		act = actExport
	case key.Matches(kp, k.Restore):
		act = actRestore
	}
	m.scroll(m.rowsFor(h))
	return m, act, nil
}

// View renders the list in w×h cells at time t: an optional shared
// countdown bar, the rows, and the find line.
func (m codesModel) View(w, h int, t time.Time) string {
	st := m.sh.styles
	var b strings.Builder
	if len(m.items) == 0 {
		b.WriteString(st.Faint.Render("No accounts yet. Press a to add one."))
		return b.String()
	}
	showFind := m.finding || m.find.Value() != ""
	rows := m.rowsFor(h)

	if m.samePer > 0 {
		// One bar for every row: all TOTP periods agree.
		left := secondsLeft(time.Duration(int64(m.samePer)*int64(time.Second) - t.UnixNano()%(int64(m.samePer)*int64(time.Second))))
		label := fmt.Sprintf(" %2ds", left)
		b.WriteString(m.sh.bar(float64(left)/float64(m.samePer), w-len(label)-1, left <= 5))
		b.WriteString(label)
		b.WriteString("\n\n")
	}

	// Columns: marker 2, star 2, issuer, name, code, next, time.
	codeW := m.codeW
	perRow := m.samePer == 0
	timeW := 0
	barW := 0
	if perRow {
		timeW = 4 // " 17s"
		if w >= 64 {
			barW = 8
			timeW += barW + 1
		}
	}
	nextW := 0
	end := min(m.top+rows, len(m.visible))
	for _, ix := range m.visible[m.top:end] {
		a := m.items[ix].acct
		if a.Type != vault.HOTP && totpAt(a, t).expiring() {
			nextW = codeW + 3 // " → " + code
			break
		}
	}
	textW := max(w-3-1-codeW-nextW-timeW, 6)
	issuerW := textW * 5 / 11
	nameW := textW - issuerW - 1

	for row, ix := range m.visible[m.top:end] {
		a := m.items[ix].acct
		sel := m.top+row == m.selected
		marker := " "
		if sel {
			marker = st.Selected.Render("▸")
		}
		star := "  "
		if a.Favorite {
			star = "★ "
		}
		issuer := pad(a.Issuer, issuerW)
		if sel {
			issuer = st.Selected.Render(issuer)
		}
		name := st.Faint.Render(pad(a.Name, nameW))
		var code, next, tm string
		switch a.Type {
		case vault.HOTP:
			if c, ok := m.hotp[a.ID]; ok {
				code = st.Code.Render(padLeft(group(c), codeW))
			} else {
				code = st.Faint.Render(padLeft("n: show", codeW))
			}
			next = strings.Repeat(" ", nextW)
			if timeW >= 5 {
				tm = " " + st.Faint.Render(padLeft("hotp", timeW-1))
			} else {
				tm = strings.Repeat(" ", timeW)
			}
		default:
			c := totpAt(a, t)
			switch {
			case c.err != nil:
				code = st.Error.Render(padLeft("error", codeW))
			case c.expiring():
				code = st.Expiring.Render(padLeft(group(c.code), codeW))
			default:
				code = st.Code.Render(padLeft(group(c.code), codeW))
			}
			if nextW > 0 {
				if c.expiring() {
					next = st.Next.Render(" → " + padLeft(group(c.next), codeW))
				} else {
					next = strings.Repeat(" ", nextW)
				}
			}
			if timeW > 0 {
				label := fmt.Sprintf(" %2ds", c.left)
				if barW > 0 {
					tm = " " + m.sh.bar(float64(c.left)/float64(c.period), barW, c.expiring()) + label
				} else {
					tm = label
				}
			}
		}
		b.WriteString(marker + star + issuer + " " + name + " " + code + next + tm)
		if row < end-m.top-1 {
			b.WriteByte('\n')
		}
	}
	if len(m.visible) == 0 {
		b.WriteString(st.Faint.Render("Nothing matches. Press esc to clear the search."))
	}
	if showFind {
		n := strings.Count(b.String(), "\n")
		b.WriteString(strings.Repeat("\n", max(h-n-2, 1)))
		b.WriteString(m.find.View())
		b.WriteString(st.Faint.Render(fmt.Sprintf("  %d of %d", len(m.visible), len(m.items))))
	}
	return b.String()
}

// newBar returns the countdown bar component.
func newBar() progress.Model {
	return progress.New(progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))
}
