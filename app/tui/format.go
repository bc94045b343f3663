package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/wardkey/wardkey/app/display"
	"github.com/wardkey/wardkey/vault"
)

// text makes a name from outside (an issuer, an account name, a tag: from
// an import, a QR code, a backup, a replica) safe to draw: control, escape
// and bidi characters become U+FFFD (package app/display, the sanitiser the
// CLI uses too), so a name can neither drive the terminal (OSC 52 to the
// clipboard, titles, clears) nor split a row.
func text(s string) string { return display.Text(s) }

// label is an account's "issuer:name", safe to draw.
func label(a vault.Account) string { return display.Text(a.Label()) }

// group splits a code for reading (vault.GroupCode).
func group(code string) string { return vault.GroupCode(code) }

// groupedWidth is the width of an account's grouped code.
func groupedWidth(a vault.Account) int {
	if a.Type == vault.Steam {
		return vault.SteamDigits
	}
	if a.Digits >= 6 && a.Digits <= 8 {
		return a.Digits + 1
	}
	return a.Digits
}

// secondsLeft is the remaining time rounded up, as a person counts it.
func secondsLeft(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// codeAt is an account's code and the time it has left at t, plus the next
// code when fewer than 6 seconds remain.
type codeAt struct {
	code, next string
	left       int // seconds
	period     int
	err        error
}

func (c codeAt) expiring() bool { return c.next != "" }

func totpAt(a vault.Account, t time.Time) codeAt {
	c, err := vault.TOTPCode(a, t)
	if err != nil {
		return codeAt{err: err}
	}
	rem := vault.Remaining(a, t)
	out := codeAt{code: c, left: secondsLeft(rem), period: a.Period}
	if out.left <= 5 {
		out.next, _ = vault.TOTPCode(a, t.Add(rem))
	}
	return out
}

// cut fits s into w cells, ending in "…" when it is cut.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad fits s into exactly w cells.
func pad(s string, w int) string {
	s = cut(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	s = cut(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// fit clips a rendered screen to w×h: long lines are cut, extra lines
// dropped, so a small terminal never wraps or scrolls.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if h > 0 && len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if w > 0 && lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}

// ago says how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// signedSeconds renders an offset as "+90 s" or "-2.5 s".
func signedSeconds(d time.Duration) string {
	s := d.Seconds()
	if s == float64(int64(s)) {
		return fmt.Sprintf("%+d s", int64(s))
	}
	return fmt.Sprintf("%+.1f s", s)
}

// wrapLines joins lines, wrapping each at word boundaries to w cells.
func wrapLines(lines []string, w int) string {
	s := strings.Join(lines, "\n")
	if w <= 0 {
		return s
	}
	return lipgloss.Wrap(s, w, "")
}
