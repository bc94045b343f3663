//go:build !wardkey_lean

package app

// forwarded is the lean build's hand-over to wardkey-full (lean.go); the
// full build has every command and hands over nothing.
func forwarded(error, []string, stdio) (int, bool) { return 0, false }
