package vault

import (
	"net/url"
	"strconv"
	"strings"
)

// URI writes an account as an otpauth:// Key URI, the form phones and other
// authenticators import (FORMATS.md "Export side"):
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
func URI(a Account) string {
	typ := a.Type
	if typ == "" {
		typ = TOTP
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
		alg = SHA1
	}
	q.WriteString("&algorithm=" + string(alg))
	digits := a.Digits
	if digits == 0 {
		digits = 6
	}
	q.WriteString("&digits=" + strconv.Itoa(digits))
	switch typ {
	case HOTP:
		q.WriteString("&counter=" + strconv.FormatUint(a.Counter, 10))
	default:
		period := a.Period
		if period == 0 {
			period = DefaultPeriod
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
