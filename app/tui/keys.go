package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is every key the TUI answers to, in one place: no screen compares
// a key with a string of its own. Each screen's help (its ShortHelp and
// FullHelp, and the hint line under it) is built from these bindings, so
// what a screen says and what it does cannot drift apart.
type KeyMap struct {
	// The code list.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Copy, Big, Next, Find, ClearFind        key.Binding
	Favorite, Sort, Add, Edit, Delete       key.Binding
	Export, Restore, Sync, Lock, Help, Quit key.Binding
	// LeaveFind are the keys that leave the find field for the list.
	LeaveFind key.Binding

	// The restore plan.
	Undelete key.Binding

	// Forms and dialogs. Save saves a form (never a printable key);
	// NextButton and PrevButton move between a confirmation's buttons and
	// Submit presses the one with the focus; No cancels.
	Submit, Back, NextField, PrevField, Toggle, No key.Binding
	Save, NextButton, PrevButton                   key.Binding
	// PrevStep goes back one step of a multi-step form (export, restore).
	PrevStep key.Binding
	// Check toggles the check box that has the focus.
	Check key.Binding

	// ForceQuit works on every screen, even while typing.
	ForceQuit key.Binding

	// Settings opens the settings screen (behind the passphrase again).
	Settings key.Binding
	// EraseChar and EraseField edit a masked passphrase field.
	EraseChar, EraseField key.Binding
	// NewProfile, on "Who are you?", opens the new-profile form (a ctrl
	// key: typing a name to filter never opens it).
	NewProfile key.Binding
	// Log opens the audit log view from the code list. ctrl+g, not
	// ctrl+l: L locks, and a person reaching for the lock must never get a
	// screen of account names instead.
	Log key.Binding
}

// bind makes a binding of keys, shown in help as helpKey and desc.
func bind(keys []string, helpKey, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
}

// needsCtrl returns b answering only with ctrl held: each key k becomes
// ctrl+k, and so does its help. A screen declares an action that typing
// must not trigger (a save, a toggle) with needsCtrl(keys.X).
func needsCtrl(b key.Binding) key.Binding {
	keys := make([]string, 0, len(b.Keys()))
	for _, k := range b.Keys() {
		if !strings.HasPrefix(k, "ctrl+") {
			k = "ctrl+" + k
		}
		keys = append(keys, k)
	}
	h := b.Help()
	parts := strings.Split(h.Key, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, "ctrl+") {
			parts[i] = "ctrl+" + p
		}
	}
	out := key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(parts, "/"), h.Desc))
	out.SetEnabled(b.Enabled())
	return out
}

// relabel returns b with another help text: the same keys, described for
// one screen ("enter" is "unlock" on one and "save" on another).
func relabel(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// DefaultKeyMap returns wardkey's keys.
func DefaultKeyMap() KeyMap {
	b := bind
	return KeyMap{
		Up:         b([]string{"up", "k"}, "↑/k", "up"),
		Down:       b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:     b([]string{"pgup"}, "pgup", "page up"),
		PageDown:   b([]string{"pgdown"}, "pgdn", "page down"),
		Top:        b([]string{"home", "g"}, "home/g", "first"),
		Bottom:     b([]string{"end", "G"}, "end/G", "last"),
		LeaveFind:  b([]string{"up", "down", "pgup", "pgdown"}, "↑/↓", "leave find"),
		Copy:       b([]string{"enter"}, "enter", "copy code"),
		Big:        b([]string{"space", "b"}, "space/b", "big digits"),
		Next:       b([]string{"n"}, "n", "next HOTP code"),
		Find:       b([]string{"/"}, "/", "find"),
		ClearFind:  b([]string{"esc"}, "esc", "clear find"),
		Favorite:   needsCtrl(b([]string{"f"}, "f", "favourite")),
		Sort:       b([]string{"o"}, "o", "sort: name/recent"),
		Add:        b([]string{"a"}, "a", "add"),
		Edit:       needsCtrl(b([]string{"e"}, "e", "edit")),
		Delete:     needsCtrl(b([]string{"d"}, "d", "delete")),
		Export:     needsCtrl(b([]string{"x"}, "x", "export a backup")),
		Restore:    needsCtrl(b([]string{"r"}, "r", "restore a backup")),
		Undelete:   needsCtrl(b([]string{"u"}, "u", "restore: bring back deleted")),
		Sync:       key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "sync now"), key.WithDisabled()),
		Lock:       b([]string{"L"}, "L", "lock"),
		Help:       b([]string{"?"}, "?", "help"),
		Quit:       b([]string{"q"}, "q", "quit"),
		Submit:     b([]string{"enter"}, "enter", "confirm"),
		Back:       b([]string{"esc"}, "esc", "back"),
		NextField:  b([]string{"tab", "down"}, "tab", "next field"),
		PrevField:  b([]string{"shift+tab", "up"}, "shift+tab", "previous field"),
		PrevStep:   b([]string{"shift+tab"}, "shift+tab", "previous step"),
		Check:      b([]string{"space", "x"}, "space", "toggle"),
		Toggle:     b([]string{"ctrl+f"}, "ctrl+f", "toggle favourite"),
		No:         b([]string{"esc"}, "esc", "no"),
		Save:       b([]string{"ctrl+s"}, "ctrl+s", "save"),
		NextButton: b([]string{"tab", "right"}, "tab/→", "next button"),
		PrevButton: b([]string{"shift+tab", "left"}, "shift+tab/←", "previous button"),
		ForceQuit:  b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		NewProfile: b([]string{"ctrl+n"}, "ctrl+n", "new profile"),
		Settings:   needsCtrl(b([]string{"o"}, "o", "settings")),
		EraseChar:  b([]string{"backspace"}, "backspace", "erase"),
		EraseField: b([]string{"ctrl+u"}, "ctrl+u", "clear"),
		Log:        needsCtrl(b([]string{"g"}, "g", "audit log")),
	}
}

// ShortHelp is the one-line help under the code list.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Copy, k.Find, k.Big, k.Add, k.Lock, k.Help, k.Quit}
}

// FullHelp is every key, in columns, for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Copy, k.Big, k.Next, k.Find, k.ClearFind, k.Favorite, k.Sort},
		{k.Add, k.Edit, k.Delete, k.Export, k.Restore, k.Sync, k.Settings, k.Lock, k.Help, k.Quit, k.ForceQuit, k.Log},
		{k.Submit, k.Save, k.Back, k.NextField, k.PrevField, k.NextButton, k.Toggle, k.Undelete},
	}
}
