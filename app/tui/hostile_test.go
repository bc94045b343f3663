package tui

import (
	"strings"
	"testing"

	"github.com/wardkey/wardkey/app/display"
	"github.com/wardkey/wardkey/vault"
)

// Names that try to drive the terminal (OSC 52, a title, a clear, CR/LF,
// bidi) are drawn as data on the code screen and the big view: the
// screen, once its own styling is stripped, holds none of those
// characters, and each account keeps one row.
func TestHostileNamesOnScreen(t *testing.T) {
	names := []string{
		"\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07", "\x1b]2;pwned\x07", "\x1b[2J\x1b[H",
		"EHR\r\nevil", "\u202egnp.exe", "\u009b31m",
	}
	var as []vault.Account
	for i, n := range names {
		as = append(as, vault.Account{ID: strings.Repeat(string(rune('a'+i)), 16), Issuer: n, Name: n + "x",
			Type: vault.TOTP, Secret: vault.NewSecret([]byte("12345678901234567890")), Algorithm: vault.SHA1, Digits: 6, Period: 30})
	}
	cfg, _ := memConfig(t, as)
	d := newDriver(t, cfg)
	check := func(where string) {
		t.Helper()
		s := d.screen()
		for _, r := range strings.ReplaceAll(s, "\n", "") {
			if display.Forbidden(r) {
				t.Fatalf("%s: the screen holds %U:\n%s", where, r, s)
			}
		}
		if strings.Contains(s, "\nevil") {
			t.Fatalf("%s: a name split a row:\n%s", where, s)
		}
	}
	check("code screen")
	d.key("enter")
	check("after a copy")
}
