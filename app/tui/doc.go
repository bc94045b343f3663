// Package tui is wardkey's code screen: a Bubble Tea program that unlocks
// (or creates) a vault, lists every account's current code, finds, copies,
// enlarges, enrolls, edits and deletes accounts, exports and restores
// backups, syncs, and locks itself when the person walks away.
//
// # Shape
//
// One root [Model] (model.go) is the tea.Model. It holds:
//
//   - the session (session.go): the open profile, its vault, this machine's
//     state for it, the idle lock and the tick generation. Unlocking starts
//     it, a lock ends it; switching people is ending one session and
//     starting another.
//   - the code list (codes.go), the home screen of an open session;
//   - the screen in front of it, any value of the screen interface
//     (common.go): unlock.go, firstrun.go, big.go, add.go, edit.go,
//     export.go, restore.go, help.go, recovery.go, settings.go, logview.go
//     (the audit log), and confirm.go, a reusable yes/no question, and
//     reauth.go, the one gate that asks for the passphrase again before
//     delete, export, restore and the settings (guard);
//   - the copier (copier.go), which owns the clipboard, and the status line
//     (status.go); the header and the banners are drawn by header.go.
//
// A screen's Update returns the screen now in front: itself, another
// screen, or nil for the list; the switch happens before the next key is
// read, so a key typed ahead never reaches the screen being left. It
// changes anything else only by returning a command whose message says
// so: lockMsg, quitMsg, helpMsg, copyMsg, toastMsg. The root routes every
// other message to the screen in front, or to the list.
// Every screen has its own help (ShortHelp, FullHelp) built from the
// [KeyMap]'s bindings (keys.go), and its hint line is drawn from them;
// every style is in [Styles] (styles.go); every text field is made by one
// constructor and restyled on the terminal's background.
//
// # Rules
//
// Update and View do no I/O. Every command that does (open, create,
// save, HOTP, sync, export, restore, import, the clock, the recent-use
// file, the clipboard) is in commands.go and calls the [Backend], which
// package app implements over the same code its commands run; the TUI
// never calls os or the vault's files itself. Time comes from
// [Config.Now], so every view is reproducible at a fixed instant; the
// codes redraw on a tick scheduled for the next second boundary of the
// (offset-corrected) clock. [Config] holds what is true for the whole
// process and is never changed. The root logs the type of each message
// (Config.Log), never its contents. Nothing in this package imports
// package app.
package tui
