// Package wording is how wardkey tells a person why something failed, in
// one table that the command line (app) and the code screen (app/tui)
// share, so the two faces say the same thing in the same words.
//
// Messages are lower case without a full stop, as the command line prints
// them after "wardkey: error: "; hints likewise after "wardkey: hint: ".
// [Sentence] turns either into a sentence for a screen.
package wording

import (
	"errors"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

// openTable is every way a vault can fail to open that a person can act
// on, in the order they are checked, with its message and hint.
var openTable = []struct {
	err       error
	msg, hint string
	detail    bool // the error's own text follows the message
}{
	{vault.ErrBadRecoveryCode, "that is not a recovery code: " + vault.ErrBadRecoveryCode.Error(), "type it as printed, e.g. 7K3M-QX2P-…; case, spaces and dashes do not matter", false},
	{vault.ErrWrongPassphrase, "the passphrase (or recovery code) is wrong; the vault is unchanged", "check it and try again; if it is forgotten, run 'wardkey passwd --recovery' with the recovery code", false},
	{vault.ErrKeyRotated, "another wardkey gave this vault a new key (passwd, recovery or rekey), so this one locked itself and wrote nothing", "open it again: it opens under its new key", false},
	{vault.ErrTampered, "the vault file is corrupt or was altered, so it was not opened and nothing was written", "restore vault.json.bak beside it, or a backup with 'wardkey restore'", true},
	{vault.ErrUnsupportedVersion, "this vault was written by a newer wardkey", "upgrade wardkey", true},
	{vault.ErrNotVault, "vault.json is not a wardkey vault file", "move it aside and restore from vault.json.bak or a backup", false},
	{vault.ErrKeyringUnavailable, "the OS keyring is not reachable", "unlock or start the OS keyring, or give the vault passphrase", false},
	{vault.ErrKeyringMissing, "the OS keyring holds no key for this vault", "give the vault passphrase, or open it with the recovery code ('wardkey passwd --recovery')", false},
}

// Open words why a vault did not open or unlock: a message and a hint
// ("" when there is none). ok is false for an error the table does not
// know; msg is then the error's own text.
func Open(err error) (msg, hint string, ok bool) {
	if err == nil {
		return "", "", true
	}
	for _, row := range openTable {
		if errors.Is(err, row.err) {
			msg = row.msg
			if row.detail {
				msg += ": " + err.Error()
			}
			return msg, row.hint, true
		}
	}
	return err.Error(), "", false
}

// OpenSentence is Open's message and hint as sentences, for a screen.
func OpenSentence(err error) string {
	if err == nil {
		return ""
	}
	msg, hint, _ := Open(err)
	if hint == "" {
		return Sentence(msg)
	}
	return Sentence(msg) + " " + Sentence(hint)
}

// Sentence makes s a sentence: a capital first letter and a full stop
// (unless it already ends in one, or in ! or ?).
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

// Command is the command line that runs args on profile's vault: "wardkey
// --profile alice passwd --recovery", or "wardkey passwd --recovery" for
// the default profile. Every message that tells a person to run a command
// names it this way, so following it never acts on another person's vault.
func Command(profile, args string) string {
	if profile != "" && profile != vault.DefaultProfile {
		return "wardkey --profile " + profile + " " + args
	}
	return "wardkey " + args
}
