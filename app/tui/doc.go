// Package tui is wardkey's code screen: a Bubble Tea program that unlocks
// (or creates) a vault, lists every account's current code, finds, copies,
// enlarges, enrolls, edits and deletes accounts, exports and restores
// backups, syncs, and locks itself when the person walks away.
//
// # Shape
//
// One root [Model] is the tea.Model. Each screen is a child model in its own
// file (unlock.go, firstrun.go, codes.go, big.go, add.go, edit.go,
// export.go, restore.go) whose Update returns its concrete type; the root
// routes messages and owns the open vault, the tick, the clipboard and the
// idle lock. All key bindings are in [KeyMap] (keys.go) and all styles in
// [Styles] (styles.go).
//
// # Rules
//
// Update and View do no I/O: opening, saving, copying and reading the
// clipboard run in tea.Cmd functions and come back as messages. Time comes
// from [Config.Now], so every view is reproducible at a fixed instant; the
// codes redraw on a tick scheduled for the next second boundary of the
// (offset-corrected) clock. Nothing in this package imports package app:
// app fills a [Config] with values and functions.
package tui
