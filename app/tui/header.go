package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/wardkey/wardkey/app/wording"
	"github.com/wardkey/wardkey/sync/clock"
)

// headerView is the top line: the name, the person (not dim: whose codes
// these are must be plain to see on every screen), and notes on the open
// session and the list (count accounts, sorted by recent use when recent
// is set).
func headerView(c *common, count int, recent bool, w int) string {
	st, s := c.styles, c.sess
	left := st.Title.Render("wardkey")
	if p := s.profile.person(); p != "" {
		left += st.Faint.Render(" · ") + p
	}
	if s.profile.Demo {
		left = st.Title.Render("wardkey") + st.Faint.Render(" · demo (nothing is saved)")
	}
	// Notes on the right, in display order, each with its rank: where the
	// line is short, the lowest ranks go first (the count, then the sort,
	// then the last sync; the clock correction stays longest).
	type note struct {
		text string
		rank int
	}
	var right []note
	if s.isOpen() {
		right = append(right, note{fmt.Sprintf("%d account%s", count, map[bool]string{true: "", false: "s"}[count == 1]), 0})
		if recent {
			right = append(right, note{"recent first", 1})
		}
		if s.offset != 0 {
			right = append(right, note{"clock " + signedSeconds(s.offset), 3})
		}
		if s.canSync && !s.local.LastSync.IsZero() {
			right = append(right, note{"synced " + ago(c.cfg.now(), s.local.LastSync), 2})
		}
	}
	for {
		texts := make([]string, len(right))
		low := 0
		for i, n := range right {
			texts[i] = n.text
			if n.rank < right[low].rank {
				low = i
			}
		}
		r := st.Faint.Render(strings.Join(texts, " · "))
		if gap := w - lipgloss.Width(left) - lipgloss.Width(r); gap >= 1 {
			return left + strings.Repeat(" ", gap) + r
		}
		if len(right) == 0 {
			return cut(left, w)
		}
		right = append(right[:low], right[low+1:]...)
	}
}

// lockCountdown is how long before an idle lock the countdown shows.
const lockCountdown = 15 * time.Second

// lockWarning is the countdown of the last 15 s before the idle lock,
// naming the person ("Locking Dr Jones's codes in 12 s"), or "".
func lockWarning(c *common, now time.Time) string {
	s := c.sess
	if !s.isOpen() || s.lockAfter <= 0 {
		return ""
	}
	left := s.lockAfter - now.Sub(s.lastInput)
	if left <= 0 || left > lockCountdown {
		return ""
	}
	secs := int((left + time.Second - 1) / time.Second)
	return fmt.Sprintf("Locking %s's codes in %d s", s.profile.person(), secs)
}

// banners are the warnings above the list at now: the lock countdown, the clock (what NTP
// said, less the correction already applied; sync/clock decides when and
// words it), the applied correction, and the backup.
func banners(c *common, accounts int, now time.Time) []string {
	s := c.sess
	if !s.isOpen() {
		return nil
	}
	var out []string
	if l := lockWarning(c, now); l != "" {
		out = append(out, "! "+l)
	}
	if s.notice != "" {
		out = append(out, "! "+s.notice)
	}
	if s.ntpKnown {
		if b := clock.Banner(s.ntpOffset, s.offset); b != "" {
			out = append(out, "! "+b)
		}
	}
	if b := clock.Corrected(s.offset); b != "" {
		out = append(out, "! "+b+".")
	}
	if c.cfg.BackupBanner && !s.profile.Demo && accounts > 0 {
		lb := s.local.LastBackup
		how := wording.Command(s.profile.Name, "export --out FILE")
		if c.keys.Export.Enabled() {
			how = "press " + c.keys.Export.Help().Key + " to make one"
		}
		switch {
		case lb.IsZero():
			out = append(out, "! No backup yet: "+how)
		case now.Sub(lb) > 30*24*time.Hour:
			out = append(out, "! Last backup "+ago(now, lb)+": "+how)
		case s.lastChange.After(lb):
			out = append(out, "! Changed since the last backup ("+ago(now, lb)+"): "+how)
		}
	}
	return out
}
