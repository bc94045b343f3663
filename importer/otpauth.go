package importer

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

// ParseURI parses one otpauth:// Key URI (totp, hotp, steam) into an
// account without an ID. Errors name what is wrong and never echo the URI,
// which holds the secret.
func ParseURI(s string) (vault.Account, error) {
	s = strings.TrimSpace(s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !strings.EqualFold(scheme, "otpauth") {
		return vault.Account{}, errors.New("it does not start with otpauth://")
	}
	host, rest, _ := strings.Cut(rest, "/")
	path, rawQuery, _ := strings.Cut(rest, "?")
	var a vault.Account
	switch strings.ToLower(host) {
	case "totp":
		a.Type = vault.TOTP
	case "hotp":
		a.Type = vault.HOTP
	case "steam":
		a.Type = vault.Steam
	default:
		return vault.Account{}, fmt.Errorf("type %q is not totp, hotp or steam", host)
	}
	label, err := url.PathUnescape(path)
	if err != nil {
		return vault.Account{}, errors.New("the label is not valid percent-encoding")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return vault.Account{}, errors.New("the parameters are not valid percent-encoding")
	}
	if iss, name, ok := strings.Cut(label, ":"); ok {
		a.Issuer, a.Name = strings.TrimSpace(iss), strings.TrimLeft(name, " ")
	} else {
		a.Name = label
	}
	if q.Has("issuer") {
		if iss := strings.TrimSpace(q.Get("issuer")); iss != "" {
			a.Issuer = iss
		}
	}
	sec := q.Get("secret")
	if sec == "" {
		return vault.Account{}, errors.New("it has no secret parameter")
	}
	a.Secret, err = vault.ParseSecret(sec)
	if err != nil {
		return vault.Account{}, err
	}
	if alg := q.Get("algorithm"); alg != "" && alg != "null" {
		a.Algorithm = vault.Algorithm(strings.ToUpper(strings.ReplaceAll(alg, "-", "")))
	}
	if d := q.Get("digits"); d != "" && d != "null" {
		if a.Digits, err = strconv.Atoi(d); err != nil {
			return vault.Account{}, fmt.Errorf("digits %q is not a number", d)
		}
	}
	if p := q.Get("period"); p != "" && p != "null" && a.Type != vault.HOTP {
		if a.Period, err = strconv.Atoi(p); err != nil {
			return vault.Account{}, fmt.Errorf("period %q is not a number", p)
		}
	}
	if a.Type == vault.HOTP {
		c := q.Get("counter")
		if c == "" {
			return vault.Account{}, errors.New("a hotp URI needs a counter parameter")
		}
		if a.Counter, err = strconv.ParseUint(c, 10, 64); err != nil {
			return vault.Account{}, fmt.Errorf("counter %q is not a number", c)
		}
	}
	if strings.EqualFold(q.Get("encoder"), "steam") {
		a.Type = vault.Steam
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return vault.Account{}, err
	}
	return a, nil
}
