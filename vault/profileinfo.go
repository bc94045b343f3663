package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// ProfileFile is profile.json: what the profile picker shows before any
// unlock. Plaintext (it holds no secret), 0600.
const ProfileFile = "profile.json"

// profilesLock serialises display-name changes across a home, so two
// profiles cannot take the same name at once.
const profilesLock = ".profiles.lock"

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 64

// ProfileInfo is the content of profile.json.
type ProfileInfo struct {
	DisplayName string `json:"display_name,omitempty"`
}

// LoadProfileInfo reads dir's profile.json; a missing file is an empty
// ProfileInfo. The name is cleaned by [CleanDisplayName]; one it refuses
// is dropped (someone wrote the file by hand).
func LoadProfileInfo(dir string) (ProfileInfo, error) {
	var p ProfileInfo
	b, err := os.ReadFile(filepath.Join(dir, ProfileFile))
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return ProfileInfo{}, fmt.Errorf("read %s: %w", ProfileFile, err)
	}
	clean, err := CleanDisplayName(p.DisplayName)
	if err != nil {
		clean = ""
	}
	p.DisplayName = clean // a hand-written "Dr  Jones " is shown as "Dr Jones"
	return p, nil
}

// ErrDisplayNameTaken: another profile in the home has that display name.
var ErrDisplayNameTaken = errors.New("another profile has that display name")

// CleanDisplayName sanitises a display name: surrounding space trimmed,
// inner runs of space made one space; refused when it holds control,
// format or bidi characters (C0, DEL, C1, U+200E/F, U+202A–202E,
// U+2066–2069, U+2028/9 …), is not UTF-8, or is longer than
// MaxDisplayName characters. "" clears the name.
//
// A display name is what a colleague reads on "Who are you?" to pick
// whose passphrase to type, so one must not pass for another: beyond
// letters, combining marks, digits, punctuation and the space, nothing
// (symbols, blank Braille, the Hangul fillers and other characters that
// draw as nothing) is taken, and letters of the look-alike alphabets
// Latin, Greek and Cyrillic are not mixed ("Dr Jоnes" with a Cyrillic о).
func CleanDisplayName(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("a display name must be text (UTF-8)")
	}
	for _, r := range s {
		if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || (unicode.IsSpace(r) && r != ' ')) {
			return "", fmt.Errorf("a display name may hold no control or formatting characters (found U+%04X)", r)
		}
		if r != ' ' && (invisible(r) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P)) {
			return "", fmt.Errorf("a display name holds letters, digits, punctuation and spaces only (found U+%04X)", r)
		}
	}
	if n := alphabets(s); n > 1 {
		return "", errors.New("a display name may not mix Latin, Greek and Cyrillic letters (they look alike)")
	}
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n > MaxDisplayName {
		return "", fmt.Errorf("a display name has at most %d characters (this one has %d)", MaxDisplayName, n)
	}
	return s, nil
}

// invisible reports the letters and marks that draw as nothing: the Hangul
// fillers, the combining grapheme joiner, variation selectors, the
// Mongolian free variation selectors and the Khmer inherent vowels.
func invisible(r rune) bool {
	switch {
	case r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0, r == 0x034F, r == 0x17B4, r == 0x17B5,
		r >= 0x180B && r <= 0x180F, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return false
}

// alphabets counts the look-alike alphabets (Latin, Greek, Cyrillic) whose
// letters s uses.
func alphabets(s string) int {
	var latin, greek, cyrillic bool
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin = true
		case unicode.Is(unicode.Greek, r):
			greek = true
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic = true
		}
	}
	n := 0
	for _, b := range []bool{latin, greek, cyrillic} {
		if b {
			n++
		}
	}
	return n
}

// DisplayNameFree reports, with ErrDisplayNameTaken, that another profile
// of home than profile already has the display name clean (ignoring case;
// "" is always free). SetDisplayName checks it again under the home's lock.
func DisplayNameFree(home, profile, clean string) error {
	if clean == "" {
		return nil
	}
	entries, err := os.ReadDir(home)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == profile || CheckProfile(e.Name()) != nil {
			continue
		}
		other, err := LoadProfileInfo(filepath.Join(home, e.Name()))
		if err == nil && strings.EqualFold(other.DisplayName, clean) {
			return fmt.Errorf("%w: profile %q is %q", ErrDisplayNameTaken, e.Name(), other.DisplayName)
		}
	}
	return nil
}

// SetDisplayName sets (or, with "", clears) the display name of profile in
// home, after cleaning it; it must differ, ignoring case, from every other
// profile's in the home.
func SetDisplayName(home, profile, name string) (string, error) {
	dir, err := ProfileDir(home, profile)
	if err != nil {
		return "", err
	}
	clean, err := CleanDisplayName(name)
	if err != nil {
		return "", err
	}
	if err := atomicfile.MkdirPrivate(dir); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(home, profilesLock))
	if err != nil {
		return "", err
	}
	defer unlock()
	if err := DisplayNameFree(home, profile, clean); err != nil {
		return "", err
	}
	p, err := LoadProfileInfo(dir)
	if err != nil {
		p = ProfileInfo{} // a damaged file is replaced
	}
	p.DisplayName = clean
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return "", err
	}
	return clean, atomicfile.Replace(filepath.Join(dir, ProfileFile), append(b, '\n'), "")
}
