package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are every style the TUI uses, in one place. Colours adapt to light
// and dark backgrounds; the renderer drops them where NO_COLOR is set or the
// terminal has none, so nothing here carries meaning by colour alone.
type Styles struct {
	Title    lipgloss.Style // the top line
	Faint    lipgloss.Style // secondary text: account names, hints
	Selected lipgloss.Style // the selected row's text
	Code     lipgloss.Style // a live code
	Expiring lipgloss.Style // a code in its last 5 seconds (amber)
	Next     lipgloss.Style // the next code beside an expiring one
	Error    lipgloss.Style // errors
	Warn     lipgloss.Style // banners
	Info     lipgloss.Style // neutral banners and notes
	Toast    lipgloss.Style // the "copied" note
	Key      lipgloss.Style // a key name in prompts
	Label    lipgloss.Style // form labels
	Box      lipgloss.Style // panels (add preview, dialogs)
	Big      lipgloss.Style // big digits

	BarFull, BarEmpty, BarWarn color.Color // countdown bar colours
}

// NewStyles returns the styles for a dark or a light background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5B3FC4"), lipgloss.Color("#A990FF"))
	amber := ld(lipgloss.Color("#A35200"), lipgloss.Color("#FFB224"))
	red := ld(lipgloss.Color("#C0172B"), lipgloss.Color("#FF6B72"))
	faint := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#9A9A9A"))
	green := ld(lipgloss.Color("#1B7A3A"), lipgloss.Color("#5FD38A"))
	return Styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		Faint:    lipgloss.NewStyle().Foreground(faint),
		Selected: lipgloss.NewStyle().Bold(true).Foreground(accent),
		Code:     lipgloss.NewStyle().Bold(true),
		Expiring: lipgloss.NewStyle().Bold(true).Foreground(amber),
		Next:     lipgloss.NewStyle().Foreground(faint),
		Error:    lipgloss.NewStyle().Foreground(red),
		Warn:     lipgloss.NewStyle().Foreground(amber),
		Info:     lipgloss.NewStyle().Foreground(faint),
		Toast:    lipgloss.NewStyle().Foreground(green),
		Key:      lipgloss.NewStyle().Bold(true),
		Label:    lipgloss.NewStyle().Foreground(faint),
		Box:      lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(faint).Padding(0, 1),
		Big:      lipgloss.NewStyle().Foreground(accent),
		BarFull:  accent,
		BarEmpty: faint,
		BarWarn:  amber,
	}
}
