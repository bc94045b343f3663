package tui

import (
	"crypto/subtle"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// secretField is the one masked passphrase field (DESIGN "Hardening
// (v3)": the passphrase field keeps bytes): what is typed lives in bytes
// we own, in one buffer allocated at its full size, so growing never
// leaves a copy behind; take hands a copy over (the caller wipes it) and
// wipes its own; wipe empties it. bubbles' textinput keeps runes and hands
// out strings, which cannot be wiped. (What Bubble Tea's input reader
// copied on the way is beyond reach: DESIGN "Memory".) It edits at the end
// only (backspace, ctrl+u to clear), as a passphrase is typed blind, and
// takes typing only while focused.
type secretField struct {
	prompt  string
	buf     []byte // len: what is typed; cap: the limit, never grown
	focused bool
	width   int // cells for the dots; 0: as many as typed
}

// newSecretField is an empty, focused field of at most limit bytes.
func newSecretField(prompt string, limit int) secretField {
	return secretField{prompt: prompt, buf: make([]byte, 0, limit), focused: true}
}

// update takes typed text, a paste (up to its first line break), erasing
// the last character and clearing the field, while focused; other keys
// (ctrl and alt chords among them) type nothing.
func (f secretField) update(k KeyMap, msg tea.Msg) secretField {
	if !f.focused {
		return f
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		line, _, _ := strings.Cut(msg.Content, "\n")
		f.add(strings.TrimSuffix(line, "\r"))
	case tea.KeyPressMsg:
		switch {
		case matches(msg, k.EraseChar):
			if _, n := utf8.DecodeLastRune(f.buf); n > 0 {
				clear(f.buf[len(f.buf)-n:])
				f.buf = f.buf[:len(f.buf)-n]
			}
		case matches(msg, k.EraseField):
			f.wipe()
		case msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0:
			f.add(msg.Text)
		}
	}
	return f
}

// add appends s if it is all printable and fits whole (never
// reallocating): a passphrase cut short or with a control character
// dropped would only be a wrong passphrase.
func (f *secretField) add(s string) {
	for _, r := range s {
		if r == utf8.RuneError || (!unicode.IsPrint(r) && r != ' ') {
			return
		}
	}
	if len(f.buf)+len(s) <= cap(f.buf) {
		f.buf = append(f.buf, s...)
	}
}

// empty reports whether nothing is typed.
func (f secretField) empty() bool { return len(f.buf) == 0 }

// take returns what is typed, in a slice of its own for the caller to wipe,
// and wipes the field.
func (f *secretField) take() []byte {
	out := make([]byte, len(f.buf))
	copy(out, f.buf)
	f.wipe()
	return out
}

// clone returns a copy of what is typed, for the caller to wipe, and
// keeps the field as it is (a check before the passphrase is taken).
func (f secretField) clone() []byte {
	out := make([]byte, len(f.buf))
	copy(out, f.buf)
	return out
}

// equal reports whether two fields hold the same bytes (a passphrase and
// its repeat), compared in place: no string of either is made.
func (f secretField) equal(o secretField) bool {
	return subtle.ConstantTimeCompare(f.buf, o.buf) == 1
}

// wipe overwrites what is typed and empties the field.
func (f *secretField) wipe() {
	clear(f.buf[:cap(f.buf)])
	f.buf = f.buf[:0]
}

// setWidth makes the dots take at most w cells (the newest shown), so a
// long passphrase never wraps the screen.
func (f *secretField) setWidth(w int) { f.width = w }

// view is the prompt, a • per character and, when focused, the cursor.
func (f secretField) view(st Styles) string {
	n := utf8.RuneCount(f.buf)
	if f.width > 0 {
		n = min(n, f.width)
	}
	s := f.prompt + strings.Repeat("•", n)
	if f.focused {
		s += st.Key.Render("█")
	}
	return s
}
