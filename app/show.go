package app

import (
	"github.com/wardkey/wardkey/app/display"
	"github.com/wardkey/wardkey/vault"
)

// Text from outside (issuers, names, tags, file names, replica names) is
// shown through package display on every line: label and show for what a
// command prints, and a sanitising writer under standard output and
// standard error (see run) for anything a message quotes.

// label is an account's "issuer:name", safe for the terminal.
func label(a vault.Account) string { return display.Text(a.Label()) }

// show makes one outside string safe for the terminal.
func show(s string) string { return display.Text(s) }

// safe puts the sanitiser under standard output and standard error, keeping
// the raw standard output for what must draw (the QR code's colours).
func (s stdio) safe() stdio {
	if s.raw == nil {
		s.raw = s.out
	}
	s.out = display.Writer(s.out)
	s.err = display.Writer(s.err)
	return s
}
