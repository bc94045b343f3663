package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// profileFile is profile.json: what is shown of a person before any
// unlock (their display name).
const profileFile = "profile.json"

// displayName is the display name in the profile folder dir's profile.json,
// or "" (no file, unreadable, or a name that is not plain text, which is
// dropped rather than drawn).
//
// Until vault.LoadProfileInfo lands (branch pol) this reads the same file
// and field itself; then it becomes that call.
func displayName(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, profileFile))
	if err != nil {
		return ""
	}
	var p struct {
		DisplayName string `json:"display_name"`
	}
	if json.Unmarshal(b, &p) != nil || !utf8.ValidString(p.DisplayName) || utf8.RuneCountInString(p.DisplayName) > 64 {
		return ""
	}
	for _, r := range p.DisplayName {
		if r != ' ' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) || r == '\u2028' || r == '\u2029') {
			return ""
		}
	}
	return strings.Join(strings.Fields(p.DisplayName), " ")
}
