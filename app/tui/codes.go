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
	"github.com/wardkey/wardkey/vault/audit"
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

// codesModel is the code list, the home screen of an open session: rows,
// find, sort, selection, scrolling, and the HOTP codes revealed.
type codesModel struct {
	c *common

	items    []item
	visible  []int // indices into items, in display order
	selected int   // index into visible
	top      int   // first visible row on screen

	w, h int // the list area

	find    textinput.Model
	finding bool // the find field has focus
	sort    sortMode
	recent  map[string]int64

	hotp    map[string]string // revealed HOTP codes by account ID
	codeW   int               // widest grouped code
	samePer int               // the one period shared by every TOTP row, or 0
}

// newCodes is an empty list; setAccounts fills it.
func newCodes(c *common) codesModel {
	f := c.newField("/ ", 0)
	f.Placeholder = "type to find"
	return codesModel{c: c, find: f, hotp: map[string]string{}, recent: map[string]int64{}}
}

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

// SetSize fits the list to an area w cells wide and h lines high (the
// root gives it what the header, banners and status line leave).
func (m codesModel) SetSize(w, h int) screen {
	m.w, m.h = w, h
	m.find.SetWidth(max(w-16, 8))
	m.scroll(m.rowsFor(h))
	return m
}

// ShortHelp is the one line of keys under the list.
func (m codesModel) ShortHelp() []key.Binding { return m.c.keys.ShortHelp() }

// FullHelp is every key of the list, for the help screen.
func (m codesModel) FullHelp() [][]key.Binding { return m.c.keys.FullHelp() }

// copyCurrent copies a TOTP code, or a revealed HOTP code; an unrevealed
// HOTP account first gets its next code (its counter saved first).
func copyCurrent(c *common, a vault.Account, hotp map[string]string) tea.Cmd {
	if a.Type == vault.HOTP {
		if code, ok := hotp[a.ID]; ok {
			return send(copyMsg{a, code})
		}
		return nextHOTPCmd(c.sess, a, true)
	}
	code := totpAt(a, c.codeTime())
	if code.err != nil {
		return toast("No code: "+code.err.Error(), true)
	}
	return send(copyMsg{a, code.code})
}

// Update handles a key on the list. A key that opens another screen
// returns that screen (the root puts it in front, at once, so no key typed
// after it reaches the list); what needs the vault or the clipboard goes
// up as a command (a save, a copyMsg, a lockMsg).
func (m codesModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	m, next, cmd := m.update(msg)
	if next != nil {
		return next, cmd
	}
	return m, cmd
}

func (m codesModel) update(msg tea.Msg) (codesModel, screen, tea.Cmd) {
	k := m.c.keys
	rows := m.rowsFor(m.h)
	if bg, ok := msg.(tea.BackgroundColorMsg); ok {
		restyleFields(bg, &m.find)
		return m, nil, nil
	}
	if m.finding {
		if kp, ok := msg.(tea.KeyPressMsg); ok {
			switch {
			case key.Matches(kp, k.ClearFind):
				m.find.Reset()
				m.find.Blur()
				m.finding = false
				m = m.refilter()
				m.selected = 0
				m.scroll(m.rowsFor(m.h))
				return m, nil, nil
			case key.Matches(kp, k.Copy):
				m.find.Blur()
				m.finding = false
				if a, ok := m.current(); ok {
					return m, nil, copyCurrent(m.c, a, m.hotp)
				}
				return m, nil, nil
			case key.Matches(kp, k.LeaveFind):
				m.finding = false
				m.find.Blur()
				return m.update(msg)
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
		return m, nil, cmd
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil, nil
	}
	a, hasAcct := m.current()
	var next screen
	var cmd tea.Cmd
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
		m.scroll(m.rowsFor(m.h))
		return m, nil, m.find.Focus()
	case key.Matches(kp, k.ClearFind):
		if m.find.Value() != "" {
			m.find.Reset()
			m = m.refilter()
		}
	case key.Matches(kp, k.Sort):
		m.sort = 1 - m.sort
		m = m.refilter()
	case key.Matches(kp, k.Lock):
		return m, nil, send(lockMsg{})
	case key.Matches(kp, k.Help):
		return m, nil, send(helpMsg{})
	case key.Matches(kp, k.Quit):
		return m, nil, send(quitMsg{})
	case key.Matches(kp, k.Add):
		add, c := newAdd(m.c)
		return m, add, c
	case key.Matches(kp, k.Sync):
		return m, nil, tea.Batch(toast("Syncing…", false), syncCmd(m.c.backend(), m.c.sess))
	case key.Matches(kp, k.Export):
		next, cmd = guard(m.c, "export a backup", func() (screen, tea.Cmd) { return newExport(m.c) })
		return m, next, tea.Batch(toast("", false), cmd)
	case key.Matches(kp, k.Restore):
		next, cmd = guard(m.c, "restore a backup", func() (screen, tea.Cmd) { return newRestore(m.c) })
		return m, next, tea.Batch(toast("", false), cmd)
	case key.Matches(kp, k.Settings):
		if m.c.sess.profile.Demo {
			return m, nil, toast("The demo has no settings to change: nothing in it is saved.", false)
		}
		next, cmd = guard(m.c, "change the settings", func() (screen, tea.Cmd) { return newSettings(m.c) })
		return m, next, tea.Batch(toast("", false), cmd)
	case key.Matches(kp, k.Log) && !m.c.sess.profile.Demo:
		lv, c := newLogView(m.c, m.accounts())
		return m, lv, c
	case !hasAcct:
	case key.Matches(kp, k.Copy):
		cmd = copyCurrent(m.c, a, m.hotp)
	case key.Matches(kp, k.Next):
		if a.Type == vault.HOTP {
			cmd = nextHOTPCmd(m.c.sess, a, false)
		}
	case key.Matches(kp, k.Big):
		next = newBig(m.c, a, m.hotp[a.ID])
	case key.Matches(kp, k.Edit):
		next, cmd = newEdit(m.c, a)
	case key.Matches(kp, k.Delete):
		next, cmd = guard(m.c, "delete "+label(a), func() (screen, tea.Cmd) { return newDeleteConfirm(m.c, a), nil })
	case key.Matches(kp, k.Favorite):
		cmd = favoriteCmd(m.c, a)
	}
	m.scroll(m.rowsFor(m.h))
	return m, next, cmd
}

// newDeleteConfirm asks before deleting a (a tombstone: sync and restore
// do not bring it back).
func newDeleteConfirm(c *common, a vault.Account) confirmModel {
	return newConfirm(c, "Delete "+label(a)+"?", []string{
		"It goes from this vault and, through sync, from every workstation.",
		"Make sure the service has another way in (a new enrollment or backup codes).",
	}, "delete", "keep it", saveCmd(c.sess, func(tx *vault.Tx) (string, string, error) {
		tx.Delete(a.ID)
		return "Deleted " + label(a), "", nil
	}, audit.Event{Event: audit.Delete, Account: a.ID}))
}

// favoriteCmd marks or unmarks a as a favourite.
func favoriteCmd(c *common, a vault.Account) tea.Cmd {
	a = a.Clone()
	a.Favorite = !a.Favorite
	note := "Unmarked " + label(a)
	if a.Favorite {
		note = "Marked " + label(a) + " as a favourite"
	}
	return saveCmd(c.sess, func(tx *vault.Tx) (string, string, error) { return note, a.ID, tx.Put(a) },
		audit.Event{Event: audit.Edit, Account: a.ID, Detail: map[string]any{"favorite": a.Favorite}})
}

// View renders the list at the code clock: an optional shared countdown
// bar, the rows, and the find line.
func (m codesModel) View() string {
	w, h, t := m.w, m.h, m.c.codeTime()
	st := m.c.styles
	var b strings.Builder
	if len(m.items) == 0 {
		b.WriteString(st.Faint.Render("No accounts yet. Press " + m.c.keys.Add.Help().Key + " to add one."))
		return b.String()
	}
	showFind := m.finding || m.find.Value() != ""
	rows := m.rowsFor(h)

	if m.samePer > 0 {
		// One bar for every row: all TOTP periods agree.
		left := secondsLeft(time.Duration(int64(m.samePer)*int64(time.Second) - t.UnixNano()%(int64(m.samePer)*int64(time.Second))))
		label := fmt.Sprintf(" %2ds", left)
		b.WriteString(m.c.bar(float64(left)/float64(m.samePer), w-len(label)-1, left <= 5))
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
		issuer := pad(text(a.Issuer), issuerW)
		if sel {
			issuer = st.Selected.Render(issuer)
		}
		name := st.Faint.Render(pad(text(a.Name), nameW))
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
					tm = " " + m.c.bar(float64(c.left)/float64(c.period), barW, c.expiring()) + label
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
		b.WriteString(st.Faint.Render("Nothing matches. Press " + m.c.keys.ClearFind.Help().Key + " to clear the search."))
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
