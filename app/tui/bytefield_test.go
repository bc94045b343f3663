package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The passphrase field keeps exactly what was typed in its own bytes,
// never grows its buffer (so no copy is left behind), and wipes it.
func TestByteField(t *testing.T) {
	for _, c := range []struct {
		name  string
		msgs  []tea.Msg
		limit int
		want  string
	}{
		{"typed", []tea.Msg{keyMsg("p"), keyMsg("w"), keyMsg("space"), keyMsg("é")}, 16, "pw é"},
		{"backspace takes a whole character", []tea.Msg{keyMsg("a"), keyMsg("€"), keyMsg("backspace")}, 16, "a"},
		{"backspace on nothing", []tea.Msg{keyMsg("backspace")}, 16, ""},
		{"ctrl+u clears", []tea.Msg{keyMsg("a"), keyMsg("b"), keyMsg("ctrl+u"), keyMsg("c")}, 16, "c"},
		{"a paste", []tea.Msg{tea.PasteMsg{Content: "right horse"}}, 16, "right horse"},
		{"control characters are dropped", []tea.Msg{tea.PasteMsg{Content: "a\x1b[2Jb\nc\x7f"}}, 16, "a[2Jbc"},
		{"the limit", []tea.Msg{tea.PasteMsg{Content: strings.Repeat("x", 20)}, keyMsg("€")}, 8, "xxxxxxxx"},
		{"a character that does not fit is left out", []tea.Msg{tea.PasteMsg{Content: "xxxxxxx€"}}, 8, "xxxxxxx"},
		{"ctrl keys type nothing", []tea.Msg{keyMsg("ctrl+s"), keyMsg("tab")}, 8, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newByteField("P: ", c.limit)
			f.focused = true
			backing := f.buf[:c.limit]
			for _, m := range c.msgs {
				f = f.update(m)
			}
			if string(f.buf) != c.want || cap(f.buf) != c.limit {
				t.Fatalf("holds %q (cap %d), want %q (cap %d)", f.buf, cap(f.buf), c.want, c.limit)
			}
			if &f.buf[:1][0] != &backing[0] {
				t.Fatal("the buffer moved: a copy was left behind")
			}
			if got := strings.Count(f.view(), "•"); got != len([]rune(c.want)) {
				t.Fatalf("%d dots for %q", got, c.want)
			}
			taken := f.take()
			if string(taken) != c.want || !f.empty() || strings.Trim(string(backing), "\x00") != "" {
				t.Fatalf("take gave %q and left %q", taken, backing)
			}
		})
	}
	f := newByteField("P: ", 8)
	if f = f.update(keyMsg("a")); !f.empty() {
		t.Fatal("an unfocused field took typing")
	}
}
