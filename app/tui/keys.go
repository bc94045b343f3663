package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the TUI answers to, in one place. The help screen
// (?) lists them from here, so the two cannot drift apart.
type KeyMap struct {
	// The code list.
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Copy, Big, Next, Find, ClearFind        key.Binding
	Favorite, Sort, Add, Edit, Delete       key.Binding
	Export, Restore, Sync, Lock, Help, Quit key.Binding

	// The restore plan.
	Undelete key.Binding

	// Forms and dialogs.
	Submit, Back, NextField, PrevField, Toggle, Yes, No key.Binding

	// ForceQuit works on every screen, even while typing.
	ForceQuit key.Binding
}

// DefaultKeyMap returns wardkey's keys.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:        b([]string{"up", "k"}, "↑/k", "up"),
		Down:      b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:    b([]string{"pgup"}, "pgup", "page up"),
		PageDown:  b([]string{"pgdown"}, "pgdn", "page down"),
		Top:       b([]string{"home", "g"}, "home/g", "first"),
		Bottom:    b([]string{"end", "G"}, "end/G", "last"),
		Copy:      b([]string{"enter"}, "enter", "copy code"),
		Big:       b([]string{"space", "b"}, "space/b", "big digits"),
		Next:      b([]string{"n"}, "n", "next HOTP code"),
		Find:      b([]string{"/"}, "/", "find"),
		ClearFind: b([]string{"esc"}, "esc", "clear find"),
		Favorite:  b([]string{"f"}, "f", "favourite"),
		Sort:      b([]string{"o"}, "o", "sort: name/recent"),
		Add:       b([]string{"a"}, "a", "add"),
		Edit:      b([]string{"e"}, "e", "edit"),
		Delete:    b([]string{"d"}, "d", "delete"),
		Export:    b([]string{"x"}, "x", "export a backup"),
		Restore:   b([]string{"R"}, "R", "restore a backup"),
		Undelete:  b([]string{"u"}, "u", "restore: bring back deleted"),
		Sync:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sync now"), key.WithDisabled()),
		Lock:      b([]string{"L"}, "L", "lock"),
		Help:      b([]string{"?"}, "?", "help"),
		Quit:      b([]string{"q"}, "q", "quit"),
		Submit:    b([]string{"enter"}, "enter", "confirm"),
		Back:      b([]string{"esc"}, "esc", "back"),
		NextField: b([]string{"tab", "down"}, "tab", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "shift+tab", "previous field"),
		Toggle:    b([]string{"ctrl+f"}, "ctrl+f", "toggle favourite"),
		Yes:       b([]string{"y"}, "y", "yes"),
		No:        b([]string{"n", "esc"}, "n/esc", "no"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
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
		{k.Add, k.Edit, k.Delete, k.Export, k.Restore, k.Sync, k.Lock, k.Help, k.Quit, k.ForceQuit},
		{k.Submit, k.Back, k.NextField, k.PrevField, k.Toggle, k.Undelete, k.Yes, k.No},
	}
}
