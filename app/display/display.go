// Package display makes text that came from outside (an issuer, an account
// name, a tag, a file name, a replica's name, an error quoting any of them)
// safe to put on a terminal: data, never terminal commands.
//
// It is the one sanitiser of wardkey's faces: the command line (package
// app) and the code screens (package app/tui) both use it, which is why it
// lives under app and imports nothing of wardkey's. Packages vault,
// importer and sync keep names exactly as they came; only what is shown is
// changed.
//
// # What is replaced
//
// [Text] replaces with U+FFFD (�) every rune that [Forbidden] reports:
//
//   - C0 controls U+0000–U+001F (ESC starts every escape sequence: OSC 52
//     clipboard writes, window titles, colours, cursor moves, screen
//     clears; CR and LF split rows), DEL U+007F, and C1 controls
//     U+0080–U+009F (8-bit CSI and OSC, which some terminals obey);
//   - bidirectional controls U+200E, U+200F, U+061C, U+202A–U+202E,
//     U+2066–U+2069, which reorder what is shown (a name that reads as
//     another);
//   - the line and paragraph separators U+2028 and U+2029.
//
// Bytes that are not UTF-8 become U+FFFD too, so the result is always valid
// UTF-8. Nothing else changes: accents, CJK and emoji pass as they are.
//
// [EscapeJSON] is the counterpart for JSON output (`wardkey list --json`):
// the exact value is kept, with every forbidden rune written as a \u escape.
package display

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Replacement is what every forbidden rune and every invalid byte becomes.
const Replacement = '\uFFFD'

// Forbidden reports whether r must not reach a terminal as it is.
func Forbidden(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Text returns s with every forbidden rune and every byte that is not
// UTF-8 replaced by U+FFFD. Text(Text(s)) == Text(s).
func Text(s string) string {
	if clean(s, false) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	write(&b, s, false)
	return b.String()
}

// Texts applies Text to each string (tags, lists of names).
func Texts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

// clean reports whether s needs no change; keepLines allows \n and \t.
func clean(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 || c == 0x7f) && !(keepLines && (c == '\n' || c == '\t')) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || Forbidden(r) {
			return false
		}
		i += n
	}
	return true
}

func write(b *strings.Builder, s string, keepLines bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(Replacement)
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case Forbidden(r):
			b.WriteRune(Replacement)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// Writer returns a writer that passes each Write through the sanitiser,
// keeping newlines and tabs: for wardkey's own messages, which are whole
// lines that may quote names (an error listing the accounts a query
// matched, a skipped replica's file name). Each Write is sanitised on its
// own, so it must hold whole runes, as every fmt.Fprint call does.
func Writer(w io.Writer) io.Writer {
	if sw, ok := w.(*writer); ok {
		return sw
	}
	return &writer{w: w}
}

type writer struct{ w io.Writer }

func (sw *writer) Write(p []byte) (int, error) {
	s := string(p)
	if clean(s, true) {
		return sw.w.Write(p)
	}
	var b strings.Builder
	write(&b, s, true)
	if _, err := io.WriteString(sw.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// EscapeJSON rewrites JSON text (as encoding/json writes it: valid UTF-8)
// so that every forbidden rune inside it is a \u escape. encoding/json
// already escapes C0 controls, U+2028 and U+2029; this adds DEL, C1 and
// the bidi controls, so printing the JSON to a terminal is safe while a
// JSON reader still gets the exact value. Forbidden runes can only stand
// inside strings (JSON's syntax is ASCII), so a rune-level rewrite is
// exact. Bytes that are not UTF-8 become \ufffd.
func EscapeJSON(b []byte) []byte {
	if clean(string(b), true) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, `\ufffd`...)
		case r == '\n' || r == '\t' || r == '\r' || r == ' ':
			out = append(out, b[i:i+n]...) // JSON whitespace
		case Forbidden(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
