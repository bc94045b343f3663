package display

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile is a corpus of names that try to drive a terminal.
var hostile = []string{
	"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07", // OSC 52: set the clipboard
	"\x1b]0;pwned\x07", "\x1b]2;title\x1b\\", // window title
	"\x1b[2J\x1b[H", "\x1b[31mred\x1b[0m", "\x1bc", // clear, colour, reset
	"EHR\r\nevil:row", "tab\there", "bell\a", "nul\x00x", // rows, controls
	"\x7fdel", "\u009b31m8-bit CSI", "\u009d0;osc\u009c", // DEL, C1
	"\u202egnp.exe", "a\u2066b\u2069c", "\u200e\u200f\u061c", // bidi
	"line\u2028sep\u2029", "\xff\xfe not utf-8 \xc3", // separators, bad UTF-8
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EHR", "EHR"},
		{"Zürich 東京 🙂", "Zürich 東京 🙂"},
		{"\x1b]52;c;Y3Vy\x07", "�]52;c;Y3Vy�"},
		{"EHR\r\nevil", "EHR��evil"},
		{"\x7f\u0085\u009f", "���"},
		{"\u202egnp.exe", "�gnp.exe"},
		{"a\u2066b\u2069c\u061c", "a�b�c�"},
		{"\u200e\u200f\u2028\u2029", "����"},
		{"bad \xff\xc3", "bad ��"},
		{"zero\u200bwidth", "zero\u200bwidth"}, // not a control: kept
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, s := range hostile {
		checkSafe(t, Text(s))
	}
}

func TestWriterKeepsLines(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b)
	if Writer(w) != w {
		t.Error("a sanitising writer was wrapped twice")
	}
	in := []byte("wardkey: error: \"x\" matches 2 accounts: \x1b]0;t\x07 (1)\n\tnext\n")
	n, err := w.Write(in)
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got, want := b.String(), "wardkey: error: \"x\" matches 2 accounts: �]0;t� (1)\n\tnext\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEscapeJSON(t *testing.T) {
	for _, s := range hostile {
		v := map[string]any{"issuer": s, "tags": []string{s}}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out := EscapeJSON(b)
		checkSafe(t, string(bytes.ReplaceAll(bytes.ReplaceAll(out, []byte("\n"), nil), []byte("\t"), nil)))
		var back map[string]any
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		// The exact value, where it was UTF-8 (JSON cannot hold other bytes).
		if utf8.ValidString(s) && back["issuer"] != s {
			t.Errorf("%q came back as %q", s, back["issuer"])
		}
	}
	if got := string(EscapeJSON([]byte(`["\u001b` + "\u202e\x7f\u0085" + `"]`))); got != `["\u001b\u202e\u007f\u0085"]` {
		t.Errorf("got %s", got)
	}
}

// checkSafe fails when s holds a forbidden rune or is not UTF-8.
func checkSafe(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not UTF-8", s)
	}
	for _, r := range s {
		if Forbidden(r) {
			t.Errorf("%q still holds %U", s, r)
		}
	}
}

func FuzzText(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		checkSafe(t, out)
		if Text(out) != out {
			t.Errorf("Text is not idempotent on %q", s)
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(out) != utf8.RuneCountInString(s) {
			t.Errorf("Text(%q) = %q changed the number of runes", s, out)
		}
		// The writer keeps lines and tabs, and nothing else forbidden.
		var b bytes.Buffer
		_, _ = Writer(&b).Write([]byte(s))
		checkSafe(t, strings.NewReplacer("\n", "", "\t", "").Replace(b.String()))
	})
}

func FuzzEscapeJSON(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal([]string{s})
		if err != nil {
			t.Skip()
		}
		out := EscapeJSON(b)
		checkSafe(t, string(out))
		var back []string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("EscapeJSON(%s) = %s: %v", b, out, err)
		}
		var want []string
		_ = json.Unmarshal(b, &want)
		if back[0] != want[0] {
			t.Errorf("value changed: %q, want %q", back[0], want[0])
		}
		if !bytes.Equal(EscapeJSON(out), out) {
			t.Error("EscapeJSON is not idempotent")
		}
	})
}
