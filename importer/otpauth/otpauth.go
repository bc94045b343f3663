// Package otpauth reads and writes otpauth:// Key URIs, the form in which
// services hand out a second factor and authenticators move accounts:
//
//	otpauth://TYPE/ISSUER:NAME?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// [Parse] reads one URI leniently, as real exports write them; [Format]
// writes one so that [Parse] (and phones) read the same account back. One
// package owns both directions, so they cannot drift apart.
//
// # Secrets
//
// A URI holds the secret. Errors from [Parse] name what is wrong and never
// echo the URI; the string [Format] returns must never be logged or put in
// an error.
package otpauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"

	"github.com/wardkey/wardkey/importer/internal/jsondepth"
)

// MaxURI bounds one URI; real ones are a few hundred bytes.
const MaxURI = 64 << 10

// maxDepth bounds the nesting of Ente's codeDisplay JSON.
const maxDepth = 64

// ErrNotSupported marks an account of a kind wardkey cannot represent (mOTP,
// Yandex, MD5...): importers skip and report it rather than fail the file.
var ErrNotSupported = errors.New("not supported by wardkey")

// Extra is what a URI says beyond the account.
type Extra struct {
	// Trashed: Ente's codeDisplay says the entry is in Ente's trash.
	Trashed bool
}

// Parse parses one otpauth:// Key URI (totp, hotp, steam) into an account
// without an ID, normalized and valid.
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
func Parse(s string) (vault.Account, error) {
	a, _, err := ParseExtra(s)
	return a, err
}

// ParseExtra is [Parse], also returning what the URI says beyond the
// account.
func ParseExtra(s string) (vault.Account, Extra, error) {
	var x Extra
	s = strings.TrimSpace(s)
	if len(s) > MaxURI {
		return vault.Account{}, x, fmt.Errorf("the URI is longer than %d KiB", MaxURI>>10)
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
		if depthOK(cd) && json.Unmarshal([]byte(cd), &d) == nil {
			x.Trashed = d.Trashed
			a.Note = d.Note
			a.Tags = d.Tags
		}
	}
	// Percent-encoding can spell bytes that are not UTF-8: names from
	// outside are made valid here (U+FFFD).
	a.Issuer, a.Name, a.Note = validUTF8(a.Issuer), validUTF8(a.Name), validUTF8(a.Note)
	for i, t := range a.Tags {
		a.Tags[i] = validUTF8(t)
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

// Format writes an account as an otpauth:// Key URI, the form phones and
// other authenticators import (FORMATS.md "Export side"):
//
//	otpauth://TYPE/ISSUER:NAME?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// with counter= for HOTP, the secret as unpadded base32, and every part
// percent-encoded with spaces as %20. Steam accounts are written as
// otpauth://steam/… with digits=5, as Aegis, Ente and 2FAS write them.
//
// The label is chosen so that a reader splitting it at the first colon
// gets the issuer and name back: when the issuer holds a colon the label
// carries the name only (the issuer parameter says it), and when the name
// holds a colon an empty issuer prefix comes first.
//
// The result holds the secret: never log it or put it in an error.
func Format(a vault.Account) string {
	typ := a.Type
	if typ == "" {
		typ = vault.TOTP
	}
	host := string(typ)
	var label string
	switch {
	case a.Issuer != "" && !strings.Contains(a.Issuer, ":"):
		label = pct(a.Issuer) + ":" + pct(a.Name)
	case strings.Contains(a.Name, ":"):
		label = ":" + pct(a.Name)
	default:
		label = pct(a.Name)
	}
	var q strings.Builder
	q.WriteString("secret=")
	q.WriteString(a.Secret.Base32())
	if a.Issuer != "" {
		q.WriteString("&issuer=")
		q.WriteString(pct(a.Issuer))
	}
	alg := a.Algorithm
	if alg == "" {
		alg = vault.SHA1
	}
	q.WriteString("&algorithm=" + string(alg))
	digits := a.Digits
	if digits == 0 {
		digits = 6
	}
	q.WriteString("&digits=" + strconv.Itoa(digits))
	switch typ {
	case vault.HOTP:
		q.WriteString("&counter=" + strconv.FormatUint(a.Counter, 10))
	default:
		period := a.Period
		if period == 0 {
			period = vault.DefaultPeriod
		}
		q.WriteString("&period=" + strconv.Itoa(period))
	}
	return "otpauth://" + host + "/" + label + "?" + q.String()
}

// pct percent-encodes everything but letters, digits and -._~ (so ':' in
// a part is %3A and a space is %20, never '+').
func pct(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// validUTF8 replaces each run of invalid UTF-8 in s with U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
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

// clip shortens a parameter value for an error message.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) > 80 {
		s = s[:77]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}

// depthOK reports whether JSON nests no deeper than maxDepth, counting
// brackets outside strings.
func depthOK(s string) bool { return jsondepth.OK([]byte(s), maxDepth) }
