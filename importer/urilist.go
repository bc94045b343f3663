package importer

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/wardkey/wardkey/importer/otpauth"
	"github.com/wardkey/wardkey/vault"
)

// ErrNotSupported marks an entry of a kind wardkey cannot represent (mOTP,
// Yandex, MD5...): it is skipped and reported, not a failure of the file.
// It is otpauth.ErrNotSupported, so one sentinel covers URIs and files.
var ErrNotSupported = otpauth.ErrNotSupported

// uriListFormat is text with one otpauth:// URI per line: Aegis and Ente
// plain exports, Authenticator Plus, hand-made lists. Lines that mix in
// otpauth-migration:// URIs are read too.
type uriListFormat struct{}

func (uriListFormat) name() string { return "otpauth" }

func (uriListFormat) detect(p *probe) bool {
	return p.isText && firstLineHasPrefix(p.text, "otpauth://", `"otpauth://`)
}

func (uriListFormat) parse(data []byte, o Options, c *collector) error {
	return parseLines("otpauth", data, c)
}

// firstLineHasPrefix reports whether the first line that is not blank or a
// '#' comment starts with one of the prefixes (case-insensitive).
func firstLineHasPrefix(text string, prefixes ...string) bool {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		for _, p := range prefixes {
			if len(line) >= len(p) && strings.EqualFold(line[:len(p)], p) {
				return true
			}
		}
		return false
	}
	return false
}

// parseLines reads text with one URI per line: otpauth:// (optionally as a
// JSON string, as Ente writes), otpauth-migration:// and motp:// (skipped).
// Blank lines and '#' comments are skipped; a malformed line is reported
// with its number and the rest imported.
func parseLines(name string, data []byte, c *collector) error {
	text := strings.TrimPrefix(string(validText(data)), "\xef\xbb\xbf")
	var mig []migrationPart
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '"' {
			var s string
			if json.Unmarshal([]byte(line), &s) == nil {
				line = strings.TrimSpace(s)
			}
		}
		where := "line " + strconv.Itoa(n)
		switch {
		case hasPrefixFold(line, "otpauth-migration:"):
			m, err := decodeMigration(line)
			if err != nil {
				return &ParseError{Format: name, Line: n, Err: err}
			}
			mig = append(mig, migrationPart{m, n})
		case hasPrefixFold(line, "otpauth:") || hasPrefixFold(line, "motp:"):
			a, x, err := otpauth.ParseExtra(line)
			switch {
			case err != nil:
				if err := c.skip(where, err); err != nil {
					return err
				}
			case x.Trashed:
				if err := c.skip(where+" ("+a.Label()+")", errors.New("it is in the exporting app's trash")); err != nil {
					return err
				}
			default:
				if err := c.add(a); err != nil {
					return err
				}
			}
		default:
			if err := c.skip(where, errors.New("it is not an otpauth:// URI")); err != nil {
				return err
			}
		}
	}
	return addMigration(name, mig, c)
}

func hasPrefixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p)
}

// parseOTPField reads the TOTP field of a password manager (Bitwarden,
// Proton Pass): an otpauth:// URI, steam://SECRET, or a bare base32 secret.
// issuer and name fill what the field lacks.
func parseOTPField(s, issuer, name string) (vault.Account, otpauth.Extra, error) {
	s = strings.TrimSpace(s)
	switch {
	case hasPrefixFold(s, "otpauth:"):
		a, x, err := otpauth.ParseExtra(s)
		if err != nil {
			return a, x, err
		}
		if a.Issuer == "" {
			a.Issuer = issuer
		}
		if a.Name == "" {
			a.Name = name
		}
		return a, x, nil
	case hasPrefixFold(s, "steam://"):
		sec, err := vault.ParseSecret(s[len("steam://"):])
		if err != nil {
			return vault.Account{}, otpauth.Extra{}, err
		}
		a := vault.Account{Issuer: issuer, Name: name, Type: vault.Steam, Secret: sec}
		a.Normalize()
		return a, otpauth.Extra{}, a.Validate()
	case strings.Contains(s, "://"):
		return vault.Account{}, otpauth.Extra{}, errors.New("it is not an otpauth:// or steam:// URI")
	}
	sec, err := vault.ParseSecret(s)
	if err != nil {
		return vault.Account{}, otpauth.Extra{}, err
	}
	a := vault.Account{Issuer: issuer, Name: name, Secret: sec}
	a.Normalize()
	return a, otpauth.Extra{}, a.Validate()
}
