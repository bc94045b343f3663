package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanDisplayName(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"Dr Jones", "Dr Jones", false},
		{"  Dr   Jones  ", "Dr Jones", false},
		{"", "", false},
		{"Zoë Ødegård", "Zoë Ødegård", false},
		{"Dr\tJones", "", true},
		{"Dr\x1b[31mJones", "", true},
		{"Dr\u202eJones", "", true},
		{"Dr\u2066Jones", "", true},
		{"Dr\u200eJones", "", true},
		{"Dr\u2028Jones", "", true},
		{"Dr\u0085Jones", "", true},
		{"Dr\x7fJones", "", true},
		{"\xff", "", true},
		{strings.Repeat("é", 65), "", true},
		{strings.Repeat("é", 64), strings.Repeat("é", 64), false},
		// Names that pass for another's on "Who are you?".
		{"Dr Jones\u3164", "", true},    // Hangul filler
		{"\u115fDr Jones", "", true},    // Hangul choseong filler
		{"Dr Jones\u2800", "", true},    // Braille blank
		{"Dr Jones\ufe0f", "", true},    // variation selector
		{"Dr J\u043enes", "", true},     // Cyrillic о among Latin letters
		{"Dr J\u03bfnes", "", true},     // Greek ο among Latin letters
		{"Dr Jones ☺", "", true},        // a symbol
		{"Др Джонс", "Др Джонс", false}, // one alphabet
		{"Ana-María O'Neill (Ward 3)", "Ana-María O'Neill (Ward 3)", false},
		{"Zoe\u0301", "Zoe\u0301", false}, // a combining accent
		{"山田 花子", "山田 花子", false},
	}
	for _, tt := range tests {
		got, err := CleanDisplayName(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("CleanDisplayName(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func TestSetDisplayName(t *testing.T) {
	home := t.TempDir()
	if _, err := SetDisplayName(home, "jones", " Dr  Jones "); err != nil {
		t.Fatal(err)
	}
	p, err := LoadProfileInfo(filepath.Join(home, "jones"))
	if err != nil || p.DisplayName != "Dr Jones" {
		t.Fatalf("%+v %v", p, err)
	}
	st, _ := os.Stat(filepath.Join(home, "jones", ProfileFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", st.Mode().Perm())
	}
	if _, err := SetDisplayName(home, "smith", "dr jones"); !errors.Is(err, ErrDisplayNameTaken) {
		t.Fatalf("a taken name: %v", err)
	}
	if _, err := SetDisplayName(home, "jones", "DR JONES"); err != nil {
		t.Fatalf("its own name again: %v", err)
	}
	if _, err := SetDisplayName(home, "jones", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := SetDisplayName(home, "smith", "Dr Jones"); err != nil {
		t.Fatalf("a freed name: %v", err)
	}
	// A hand-written name with extra spaces is shown cleaned.
	os.WriteFile(filepath.Join(home, "jones", ProfileFile), []byte(`{"display_name":" Dr  Jones "}`), 0o600)
	if p, _ := LoadProfileInfo(filepath.Join(home, "jones")); p.DisplayName != "Dr Jones" {
		t.Errorf("loaded %q, want the name cleaned", p.DisplayName)
	}
	// A hand-written name with a control character is not shown.
	os.WriteFile(filepath.Join(home, "jones", ProfileFile), []byte(`{"display_name":"Dr\u001b[2JJones"}`), 0o600)
	if p, _ := LoadProfileInfo(filepath.Join(home, "jones")); p.DisplayName != "" {
		t.Errorf("loaded %q", p.DisplayName)
	}
}
