package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

// authyFormat is the token list of the Authy Android app, as found in its
// shared preferences (com.authy.storage.tokens.authenticator.xml): a JSON
// array of tokens in a <string>. Secrets are either plain base32
// (decryptedSecret) or encrypted with the backup password (encryptedSecret:
// AES-256-CBC, zero IV, PKCS#7, key PBKDF2-HMAC-SHA1(password, the entry's
// salt string, 1000 iterations)). Rules as Aegis's AuthyImporter reads
// them; checked on the fixtures.
type authyFormat struct{}

const (
	authyKey       = "com.authy.storage.tokens.authenticator.key"
	authyNativeKey = "com.authy.storage.tokens.authy.key"
	authyIter      = 1000
)

func (authyFormat) name() string { return "authy" }

func (authyFormat) detect(p *probe) bool {
	return p.isText && strings.Contains(p.text, "<map") &&
		(strings.Contains(p.text, `"`+authyKey+`"`) || strings.Contains(p.text, `"`+authyNativeKey+`"`))
}

type authyToken struct {
	Name            string  `json:"name"`
	OriginalName    *string `json:"originalName"`
	OriginalIssuer  *string `json:"originalIssuer"`
	Digits          num     `json:"digits"`
	DecryptedSecret *string `json:"decryptedSecret"`
	EncryptedSecret *string `json:"encryptedSecret"`
	Salt            string  `json:"salt"`
	SecretSeed      *string `json:"secretSeed"`
}

// names gives the issuer and account name of a token, as docs/import.md
// says: Authy's originalIssuer, else the part of the original name before
// ':', else the part of the name before " - "; never the account type, which
// is "authenticator" for every token of another service.
func (t authyToken) names() (issuer, name string) {
	name, sep := t.Name, ""
	switch {
	case t.OriginalIssuer != nil:
		issuer = *t.OriginalIssuer
	case t.OriginalName != nil && strings.Contains(*t.OriginalName, ":"):
		issuer, _, _ = strings.Cut(*t.OriginalName, ":")
		sep = ":"
	case strings.Contains(name, " - "):
		issuer, _, _ = strings.Cut(name, " - ")
		sep = " - "
	}
	if issuer == "" {
		return "", strings.TrimSpace(name)
	}
	name = strings.TrimPrefix(name, issuer+sep)
	name = strings.TrimPrefix(name, ": ")
	return issuer, name
}

func (authyFormat) parse(data []byte, o Options, c *collector) error {
	const format = "authy"
	prefs, err := prefStrings(format, data)
	if err != nil {
		return err
	}
	list, ok := prefs[authyKey]
	if !ok {
		list, ok = prefs[authyNativeKey]
	}
	if !ok {
		return &ParseError{Format: format, Err: errors.New("the file holds no Authy token list")}
	}
	var tokens []authyToken
	if err := decodeJSON(format, []byte(list), &tokens); err != nil {
		return err
	}
	var pass []byte
	encrypted, opened := 0, 0
	secrets := make([]*string, len(tokens))
	for i, t := range tokens {
		secrets[i] = t.DecryptedSecret
		if t.DecryptedSecret != nil || t.EncryptedSecret == nil {
			continue
		}
		if pass == nil {
			if pass, err = o.passphrase(); err != nil {
				return err
			}
		}
		encrypted++
		if s, ok := authyDecrypt(pass, t.Salt, *t.EncryptedSecret); ok {
			secrets[i] = &s
			opened++
		}
	}
	if encrypted > 0 && opened == 0 {
		return ErrWrongPassphrase
	}
	for i, t := range tokens {
		issuer, name := t.names()
		var err error
		switch {
		case t.SecretSeed != nil:
			err = fmt.Errorf("tokens of the Authy service itself (secretSeed) are %w", ErrNotSupported)
		case secrets[i] != nil:
			r := rawEntry{Issuer: issuer, Name: name, Type: "totp", Secret: *secrets[i], Algorithm: "SHA1", Digits: t.Digits, Period: num{30, true}}
			if err := c.addEntry(r); err != nil {
				return err
			}
			continue
		case t.EncryptedSecret != nil:
			err = errors.New("its secret does not decrypt with the passphrase (the file is damaged)")
		default:
			err = errors.New("it has no secret")
		}
		if err := c.skip(entryName(issuer, name, c.n+1), err); err != nil {
			return err
		}
	}
	return nil
}

// authyDecrypt opens one encrypted secret; ok is false when the padding or
// the result (a base32 string) is not right, which is what a wrong
// passphrase gives.
func authyDecrypt(pass []byte, salt, b64 string) (string, bool) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return "", false
	}
	key, err := pbkdf2Key(sha1.New, pass, []byte(salt), authyIter)
	if err != nil {
		return "", false
	}
	pt, ok := cbcOpen(key, make([]byte, aes.BlockSize), ct)
	if !ok {
		return "", false
	}
	if _, err := vault.ParseSecret(string(pt)); err != nil {
		return "", false
	}
	return string(pt), true
}

// cbcOpen decrypts AES-CBC with PKCS#7 padding; ok is false if the padding
// is wrong.
func cbcOpen(key, iv, ct []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil || len(ct) == 0 || len(ct)%aes.BlockSize != 0 || len(iv) != aes.BlockSize {
		return nil, false
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	n := int(pt[len(pt)-1])
	if n < 1 || n > aes.BlockSize {
		return nil, false
	}
	for _, b := range pt[len(pt)-n:] {
		if int(b) != n {
			return nil, false
		}
	}
	return pt[:len(pt)-n], true
}
