package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

// TOTP Authenticator (BinaryBoxApps, com.authenticator.authservice2).
// Its accounts are a JSON array of {issuer, name, key, base (16, 32 or 64:
// how key is written), digits, period}, as strings or numbers.
//
//   - totpAuthXMLFormat: the app's preferences file, the array in the
//     STATIC_TOTP_CODES_LIST string.
//   - totpAuthFormat: its backup file: base64 of AES-256-CBC (zero IV,
//     PKCS#7) with key SHA-256(password); the plaintext is a JSON object
//     whose first key is the array, as a string. A backup made without a
//     password uses the app's built-in one, tried first. It has no
//     signature, so it is only read when named with --format.
type (
	totpAuthXMLFormat struct{}
	totpAuthFormat    struct{}
)

const (
	totpAuthPrefKey         = "STATIC_TOTP_CODES_LIST"
	totpAuthDefaultPassword = "TotpAuthenticator" // the app's built-in backup password
)

func (totpAuthXMLFormat) name() string { return "totp-authenticator-xml" }

func (totpAuthXMLFormat) detect(p *probe) bool {
	return p.isText && strings.Contains(p.text, "<map") && strings.Contains(p.text, `"`+totpAuthPrefKey+`"`)
}

func (totpAuthXMLFormat) parse(data []byte, o Options, c *collector) error {
	const format = "totp-authenticator-xml"
	prefs, err := prefStrings(format, data)
	if err != nil {
		return err
	}
	list, ok := prefs[totpAuthPrefKey]
	if !ok {
		return &ParseError{Format: format, Err: errors.New("the file holds no account list")}
	}
	return parseTOTPAuth(format, []byte(list), c)
}

func (totpAuthFormat) name() string { return "totp-authenticator" }

func (totpAuthFormat) detect(*probe) bool { return false }

func (totpAuthFormat) parse(data []byte, o Options, c *collector) error {
	const format = "totp-authenticator"
	ct, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(data), nil)))
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return &ParseError{Format: format, Err: errors.New("not a TOTP Authenticator backup (base64 of AES blocks)")}
	}
	open := func(pass []byte) (string, bool) {
		key := sha256.Sum256(pass)
		pt, ok := cbcOpen(key[:], make([]byte, aes.BlockSize), ct)
		if !ok || !depthOK(pt) {
			return "", false
		}
		// {"<the JSON array, as a string>": ...}: the array is the first key.
		dec := json.NewDecoder(bytes.NewReader(pt))
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return "", false
		}
		t, err := dec.Token()
		if err != nil {
			return "", false
		}
		s, ok := t.(string)
		return s, ok
	}
	list, ok := open([]byte(totpAuthDefaultPassword))
	if !ok {
		pass, err := o.passphrase()
		if err != nil {
			return err
		}
		if list, ok = open(pass); !ok {
			return ErrWrongPassphrase
		}
	}
	return parseTOTPAuth(format, []byte(list), c)
}

func parseTOTPAuth(format string, list []byte, c *collector) error {
	var entries []struct {
		Issuer string `json:"issuer"`
		Name   string `json:"name"`
		Key    string `json:"key"`
		Base   num    `json:"base"`
		Digits num    `json:"digits"`
		Period num    `json:"period"`
	}
	if err := decodeJSON(format, list, &entries); err != nil {
		return err
	}
	for _, e := range entries {
		key, err := totpAuthKey(e.Key, e.Base)
		if err != nil {
			if err := c.skip(entryName(e.Issuer, e.Name, c.n+1), err); err != nil {
				return err
			}
			continue
		}
		r := rawEntry{Issuer: e.Issuer, Name: e.Name, Type: "totp", SecretBytes: key, Algorithm: "SHA1", Digits: e.Digits, Period: e.Period}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

// totpAuthKey decodes a key written in base 16, 32 or 64.
func totpAuthKey(s string, base num) ([]byte, error) {
	s = strings.TrimSpace(s)
	var (
		b   []byte
		err error
	)
	switch {
	case !base.ok:
		return nil, errors.New("its key has no encoding (base)")
	case base.v == 16:
		b, err = hex.DecodeString(s)
	case base.v == 32:
		// The one lenient base32 policy of every importer (FORMATS.md §0).
		var sec vault.Secret
		if sec, err = vault.ParseSecret(s); err == nil {
			b = sec.Bytes()
		}
	case base.v == 64:
		b, err = base64.StdEncoding.DecodeString(s)
	default:
		return nil, fmt.Errorf("a key in base %d is %w", base.v, ErrNotSupported)
	}
	if err != nil {
		return nil, fmt.Errorf("its key is not valid base %d", base.v)
	}
	if len(b) == 0 {
		return nil, errors.New("the secret is empty")
	}
	return b, nil
}
