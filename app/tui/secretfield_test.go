package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The passphrase field keeps exactly what was typed in its own bytes,
// never grows its buffer (so no copy is left behind), and wipes it.
func TestSecretFieldKeepsBytes(t *testing.T) {
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
		{"a paste is its first line", []tea.Msg{tea.PasteMsg{Content: "ab\r\ncd"}}, 16, "ab"},
		{"a paste with a control character is refused whole", []tea.Msg{keyMsg("a"), tea.PasteMsg{Content: "b\x1b[2Jc"}, tea.PasteMsg{Content: "d\u200ee"}}, 16, "a"},
		{"a paste longer than the limit is refused whole", []tea.Msg{tea.PasteMsg{Content: strings.Repeat("x", 20)}, keyMsg("€")}, 8, "€"},
		{"a character that does not fit is left out", []tea.Msg{tea.PasteMsg{Content: "xxxxxxx"}, keyMsg("€")}, 8, "xxxxxxx"},
		{"ctrl keys type nothing", []tea.Msg{keyMsg("ctrl+s"), keyMsg("tab")}, 8, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newSecretField("P: ", c.limit)
			backing := f.buf[:c.limit]
			for _, m := range c.msgs {
				f = f.update(DefaultKeyMap(), m)
			}
			if string(f.buf) != c.want || cap(f.buf) != c.limit {
				t.Fatalf("holds %q (cap %d), want %q (cap %d)", f.buf, cap(f.buf), c.want, c.limit)
			}
			if &f.buf[:1][0] != &backing[0] {
				t.Fatal("the buffer moved: a copy was left behind")
			}
			if got := strings.Count(f.view(NewStyles(true)), "•"); got != len([]rune(c.want)) {
				t.Fatalf("%d dots for %q", got, c.want)
			}
			taken := f.take()
			if string(taken) != c.want || !f.empty() || strings.Trim(string(backing), "\x00") != "" {
				t.Fatalf("take gave %q and left %q", taken, backing)
			}
		})
	}
	f := newSecretField("P: ", 8)
	f.focused = false
	if f = f.update(DefaultKeyMap(), keyMsg("a")); !f.empty() {
		t.Fatal("an unfocused field took typing")
	}
}

// The masked field keeps bytes: typing, a paste (first line only),
// erasing a character and clearing; control characters are refused.
func TestSecretField(t *testing.T) {
	k := DefaultKeyMap()
	f := newSecretField("P: ", 16)
	for _, m := range []tea.Msg{keyMsg("a"), keyMsg("é"), tea.PasteMsg{Content: "bc\nnot this"}, keyMsg("backspace"), keyMsg("ctrl+x"), tea.PasteMsg{Content: "\x1b[31m"}} {
		f = f.update(k, m)
	}
	if string(f.buf) != "aéb" {
		t.Fatalf("field holds %q", f.buf)
	}
	f = f.update(k, tea.PasteMsg{Content: strings.Repeat("z", 20)}) // too long: refused whole
	if string(f.buf) != "aéb" {
		t.Fatalf("an over-long paste: %q", f.buf)
	}
	if got := f.view(NewStyles(true)); !strings.Contains(got, "P: •••") || strings.Contains(got, "a") {
		t.Fatalf("view %q", got)
	}
	whole := f.buf[:cap(f.buf)]
	f = f.update(k, keyMsg("ctrl+u"))
	if !f.empty() || slices.ContainsFunc(whole, func(b byte) bool { return b != 0 }) {
		t.Fatalf("ctrl+u left %q", whole)
	}
	f = f.update(k, keyMsg("q"))
	got := f.take()
	if string(got) != "q" || !f.empty() || whole[0] != 0 {
		t.Fatalf("take: %q, field %q", got, whole)
	}
}
