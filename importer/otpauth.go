package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"
)

// maxURI bounds one URI; real ones are a few hundred bytes.
const maxURI = 64 << 10

// ErrNotSupported marks an entry of a kind wardkey cannot represent (mOTP,
// Yandex, MD5...): it is skipped and reported, not a failure of the file.
var ErrNotSupported = errors.New("not supported by wardkey")

// ParseURI parses one otpauth:// Key URI (totp, hotp, steam) into an
// account without an ID, normalized and valid.
//
// It follows Google's Key URI Format, leniently: the label is
// "Issuer:Account" (the colon may be %3A, spaces after it are dropped), the
// issuer parameter wins over the label prefix, the label is decoded with
// path rules ('+' stays '+') and the parameters with form rules ('+' is a
// space); the secret may be lower-case, padded or of a length that is not a
// whole number of bytes; "null" values and unknown parameters are ignored;
// a hotp URI without a counter starts at 0. Steam: the host "steam" or the
// parameter encoder=steam. Ente's codeDisplay parameter gives the note and
// tags.
//
// Errors name what is wrong and never echo the URI, which holds the secret.
func ParseURI(s string) (vault.Account, error) {
	a, _, err := parseURI(s)
	return a, err
}

// uriExtra is what a URI says beyond the account.
type uriExtra struct {
	trashed bool // Ente: the entry is in the trash
}

func parseURI(s string) (vault.Account, uriExtra, error) {
	var x uriExtra
	s = strings.TrimSpace(s)
	if len(s) > maxURI {
		return vault.Account{}, x, fmt.Errorf("the URI is longer than %d KiB", maxURI>>10)
	}
	if !utf8.ValidString(s) {
		return vault.Account{}, x, errors.New("the URI is not valid UTF-8")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if ok && strings.EqualFold(scheme, "motp") {
		return vault.Account{}, x, fmt.Errorf("mOTP accounts are %w", ErrNotSupported)
	}
	if !ok || !strings.EqualFold(scheme, "otpauth") {
		return vault.Account{}, x, errors.New("it does not start with otpauth://")
	}
	var host string
	switch i := strings.IndexAny(rest, "/?"); {
	case i < 0:
		host, rest = rest, ""
	case rest[i] == '/':
		host, rest = rest[:i], rest[i+1:]
	default: // otpauth://totp?secret=...: no label
		host, rest = rest[:i], rest[i:]
	}
	path, rawQuery, _ := strings.Cut(rest, "?")
	path, _, _ = strings.Cut(path, "#")
	var a vault.Account
	switch strings.ToLower(host) {
	case "totp":
		a.Type = vault.TOTP
	case "hotp":
		a.Type = vault.HOTP
	case "steam":
		a.Type = vault.Steam
	case "yandex":
		return vault.Account{}, x, fmt.Errorf("the Yandex type is %w", ErrNotSupported)
	case "motp":
		return vault.Account{}, x, fmt.Errorf("mOTP accounts are %w", ErrNotSupported)
	default:
		if isWord(host) {
			return vault.Account{}, x, fmt.Errorf("type %q is not totp, hotp or steam", host)
		}
		// Not quoted: a malformed URI may put the secret where the type goes.
		return vault.Account{}, x, errors.New("the part after otpauth:// is not totp, hotp or steam")
	}
	label, err := url.PathUnescape(path)
	if err != nil {
		return vault.Account{}, x, errors.New("the label is not valid percent-encoding")
	}
	q, err := parseQuery(rawQuery)
	if err != nil {
		return vault.Account{}, x, err
	}
	if iss, name, ok := strings.Cut(label, ":"); ok {
		a.Issuer, a.Name = strings.TrimSpace(iss), strings.TrimSpace(name)
	} else {
		a.Name = strings.TrimSpace(label)
	}
	if iss := strings.TrimSpace(q.get("issuer")); iss != "" {
		a.Issuer = iss
	}
	sec := q.get("secret")
	if sec == "" {
		return vault.Account{}, x, errors.New("it has no secret parameter")
	}
	a.Secret, err = vault.ParseSecret(sec)
	if err != nil {
		return vault.Account{}, x, err
	}
	if alg := q.get("algorithm"); alg != "" {
		a.Algorithm = vault.Algorithm(strings.ToUpper(strings.ReplaceAll(alg, "-", "")))
	}
	if d := q.get("digits"); d != "" {
		if a.Digits, err = strconv.Atoi(d); err != nil {
			return vault.Account{}, x, fmt.Errorf("digits %q is not a number", clip(d))
		}
		if a.Digits == 0 {
			return vault.Account{}, x, errors.New("0 digits is not supported")
		}
	}
	if p := q.get("period"); p != "" && a.Type != vault.HOTP {
		if a.Period, err = strconv.Atoi(p); err != nil {
			return vault.Account{}, x, fmt.Errorf("period %q is not a number", clip(p))
		}
		if a.Period == 0 {
			return vault.Account{}, x, errors.New("a period of 0 s is not supported")
		}
	}
	if a.Type == vault.HOTP {
		if c := q.get("counter"); c != "" {
			if a.Counter, err = strconv.ParseUint(c, 10, 64); err != nil {
				return vault.Account{}, x, fmt.Errorf("counter %q is not a number", clip(c))
			}
		}
	}
	if strings.EqualFold(q.get("encoder"), "steam") {
		a.Type = vault.Steam
	}
	if cd := q.get("codeDisplay"); cd != "" {
		var d struct {
			Trashed bool     `json:"trashed"`
			Note    string   `json:"note"`
			Tags    []string `json:"tags"`
		}
		if depthOK([]byte(cd)) && json.Unmarshal([]byte(cd), &d) == nil {
			x.trashed = d.Trashed
			a.Note = d.Note
			a.Tags = d.Tags
		}
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return vault.Account{}, x, err
	}
	return a, x, nil
}

// query holds URI parameters in order; the first of a repeated key wins.
type query map[string]string

// get returns a parameter, with the literal "null" (Ente) as absent.
func (q query) get(k string) string {
	v := q[k]
	if v == "null" {
		return ""
	}
	return v
}

// parseQuery decodes parameters with form rules. A parameter that is not
// valid percent-encoding is ignored unless wardkey needs it.
func parseQuery(raw string) (query, error) {
	q := query{}
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			switch key {
			case "secret", "issuer", "algorithm", "digits", "period", "counter":
				return nil, fmt.Errorf("parameter %s is not valid percent-encoding", key)
			}
			continue
		}
		if _, seen := q[key]; !seen {
			q[key] = val
		}
	}
	return q, nil
}

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
	text := strings.TrimPrefix(string(data), "\xef\xbb\xbf")
	if !utf8.ValidString(text) {
		return &ParseError{Format: name, Err: errors.New("the file is not UTF-8 text")}
	}
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
			a, x, err := parseURI(line)
			switch {
			case err != nil:
				if err := c.skip(where, err); err != nil {
					return err
				}
			case x.trashed:
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
func parseOTPField(s, issuer, name string) (vault.Account, uriExtra, error) {
	s = strings.TrimSpace(s)
	switch {
	case hasPrefixFold(s, "otpauth:"):
		a, x, err := parseURI(s)
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
			return vault.Account{}, uriExtra{}, err
		}
		a := vault.Account{Issuer: issuer, Name: name, Type: vault.Steam, Secret: sec}
		a.Normalize()
		return a, uriExtra{}, a.Validate()
	case strings.Contains(s, "://"):
		return vault.Account{}, uriExtra{}, errors.New("it is not an otpauth:// or steam:// URI")
	}
	sec, err := vault.ParseSecret(s)
	if err != nil {
		return vault.Account{}, uriExtra{}, err
	}
	a := vault.Account{Issuer: issuer, Name: name, Secret: sec}
	a.Normalize()
	return a, uriExtra{}, a.Validate()
}

// isWord reports whether s is short letters and digits, safe to quote.
func isWord(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
