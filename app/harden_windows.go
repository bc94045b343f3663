//go:build windows

package app

// harden does nothing on Windows: a process there has no core files, and
// keeping other processes of the same user out (a protected process) needs
// signing the OS reserves for itself. docs/threat-model.md says so.
func harden() {}

// oNoFollow is 0 on Windows: os.OpenFile with O_EXCL never follows a
// reparse point there.
const oNoFollow = 0
