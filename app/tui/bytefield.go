package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// byteField is a masked passphrase field that keeps what is typed in
// bytes it owns (DESIGN "Hardening (v3)": the passphrase field keeps
// bytes): its buffer is allocated once at its limit, so it never moves
// and leaves no copy behind; take hands a copy over (the caller wipes it)
// and wipes its own; reset wipes. A textinput keeps runes and makes a new
// string on every Value call: copies nobody can wipe. It edits at the end
// only (backspace, and ctrl+u to clear), as a passphrase is typed blind.
type byteField struct {
	prompt  string
	buf     []byte // len: what was typed; cap: the limit, never grown
	focused bool
	keys    textinput.KeyMap // the same editing keys as every other field
}

// newByteField is an empty field of at most limit bytes.
func newByteField(prompt string, limit int) byteField {
	return byteField{prompt: prompt, buf: make([]byte, 0, limit), keys: textinput.DefaultKeyMap()}
}

// update takes typing, pastes, backspace and ctrl+u while focused.
func (f byteField) update(msg tea.Msg) byteField {
	if !f.focused {
		return f
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, f.keys.DeleteCharacterBackward):
			_, n := utf8.DecodeLastRune(f.buf)
			clear(f.buf[len(f.buf)-n:])
			f.buf = f.buf[:len(f.buf)-n]
		case key.Matches(msg, f.keys.DeleteBeforeCursor):
			f.reset()
		default:
			f.add(msg.Text)
		}
	case tea.PasteMsg:
		f.add(msg.Content)
	}
	return f
}

// add appends s's printable characters, as far as the limit allows.
func (f *byteField) add(s string) {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			continue
		}
		n := utf8.RuneLen(r)
		if n < 0 || len(f.buf)+n > cap(f.buf) {
			return
		}
		f.buf = utf8.AppendRune(f.buf, r)
	}
}

// empty reports whether nothing was typed.
func (f byteField) empty() bool { return len(f.buf) == 0 }

// take returns a copy of what was typed, for the caller to wipe, and
// wipes the field's own bytes.
func (f *byteField) take() []byte {
	out := append([]byte(nil), f.buf...)
	f.reset()
	return out
}

// reset wipes what was typed.
func (f *byteField) reset() {
	clear(f.buf[:cap(f.buf)])
	f.buf = f.buf[:0]
}

// view is the prompt, a • per character and, when focused, the cursor.
func (f byteField) view() string {
	s := f.prompt + strings.Repeat("•", utf8.RuneCount(f.buf))
	if f.focused {
		s += lipgloss.NewStyle().Reverse(true).Render(" ")
	}
	return s
}
