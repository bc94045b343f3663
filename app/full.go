//go:build !wardkey_lean

package app

// handOver is the lean build's hand-over to wardkey-full (lean.go); the
// full build has every command and hands over nothing.
func (e *env) handOver(err error, _ []string) error { return err }
