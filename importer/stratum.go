package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"errors"
	"strings"
)

// stratumFormat is an Authenticator Pro / Stratum plain backup (JSON).
type stratumFormat struct{}

func (stratumFormat) name() string { return "stratum" }

func (stratumFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && p.has("Authenticators")
}

type stratumFile struct {
	Authenticators          []stratumAuth         `json:"Authenticators"`
	Categories              []stratumCategory     `json:"Categories"`
	AuthenticatorCategories []stratumAuthCategory `json:"AuthenticatorCategories"`
}

type stratumAuth struct {
	Type      int    `json:"Type"`
	Issuer    string `json:"Issuer"`
	Username  string `json:"Username"`
	Secret    string `json:"Secret"`
	Algorithm int    `json:"Algorithm"`
	Digits    num    `json:"Digits"`
	Period    num    `json:"Period"`
	Counter   num    `json:"Counter"`
}

type stratumCategory struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

type stratumAuthCategory struct {
	CategoryID          string `json:"CategoryId"`
	AuthenticatorSecret string `json:"AuthenticatorSecret"`
}

func (stratumFormat) parse(data []byte, o Options, c *collector) error {
	return parseStratum("stratum", data, c)
}

func parseStratum(name string, data []byte, c *collector) error {
	var f stratumFile
	if err := decodeJSON(name, data, &f); err != nil {
		return err
	}
	return c.addStratum(f)
}

// addStratum adds the accounts of an Authenticator Pro backup, or of its
// database (the same fields).
func (c *collector) addStratum(f stratumFile) error {
	cats := map[string]string{}
	for _, ct := range f.Categories {
		cats[ct.ID] = ct.Name
	}
	tags := map[string][]string{}
	for _, ac := range f.AuthenticatorCategories {
		if n, ok := cats[ac.CategoryID]; ok {
			tags[ac.AuthenticatorSecret] = append(tags[ac.AuthenticatorSecret], n)
		}
	}
	for _, a := range f.Authenticators {
		r := rawEntry{Issuer: a.Issuer, Name: a.Username, Secret: a.Secret, Digits: a.Digits, Period: a.Period, Counter: a.Counter, Tags: tags[a.Secret]}
		r.Type = map[int]string{1: "hotp", 2: "totp", 3: "motp", 4: "steam", 5: "yandex"}[a.Type]
		if r.Type == "" {
			r.Type = "unknown"
		}
		r.Algorithm = map[int]string{0: "SHA1", 1: "SHA256", 2: "SHA512"}[a.Algorithm]
		if r.Algorithm == "" {
			r.Algorithm = "unknown"
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

// stratumEncryptedFormat is an Authenticator Pro / Stratum encrypted
// backup: "AUTHENTICATORPRO" ‖ salt(16) ‖ iv(12) ‖ AES-GCM (Argon2id key),
// or the legacy "AuthenticatorPro" ‖ salt(20) ‖ iv(16) ‖ AES-CBC (PBKDF2-SHA1).
type stratumEncryptedFormat struct{}

func (stratumEncryptedFormat) name() string { return "stratum-encrypted" }

func (stratumEncryptedFormat) detect(p *probe) bool {
	return bytes.HasPrefix(p.data, []byte("AUTHENTICATORPRO")) || bytes.HasPrefix(p.data, []byte("AuthenticatorPro"))
}

func (stratumEncryptedFormat) parse(data []byte, o Options, c *collector) error {
	perr := func(err error) error { return &ParseError{Format: "stratum-encrypted", Err: err} }
	switch {
	case bytes.HasPrefix(data, []byte("AUTHENTICATORPRO")):
		if len(data) < 16+16+12+16 {
			return perr(errors.New("the file is truncated"))
		}
		pass, err := o.passphrase()
		if err != nil {
			return err
		}
		key, err := argon2Key(pass, data[16:32], 3, 65536, 4)
		if err != nil {
			return perr(err)
		}
		plain, err := gcmOpen(key, data[32:44], data[44:], nil)
		if err != nil {
			return err
		}
		return parseStratum("stratum-encrypted", plain, c)
	case bytes.HasPrefix(data, []byte("AuthenticatorPro")):
		body := data[16:]
		if len(body) < 20+16+16 || (len(body)-36)%aes.BlockSize != 0 {
			return perr(errors.New("the file is truncated"))
		}
		pass, err := o.passphrase()
		if err != nil {
			return err
		}
		key, err := pbkdf2Key(sha1.New, pass, body[:20], 64000)
		if err != nil {
			return perr(err)
		}
		block, _ := aes.NewCipher(key)
		ct := body[36:]
		plain := make([]byte, len(ct))
		cipher.NewCBCDecrypter(block, body[20:36]).CryptBlocks(plain, ct)
		n := int(plain[len(plain)-1])
		if n < 1 || n > aes.BlockSize || !bytes.Equal(plain[len(plain)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
			return ErrWrongPassphrase // CBC has no tag: bad padding is the sign
		}
		plain = plain[:len(plain)-n]
		if !strings.HasPrefix(strings.TrimSpace(string(plain)), "{") {
			return ErrWrongPassphrase
		}
		return parseStratum("stratum-encrypted", plain, c)
	}
	return perr(errors.New("the file is not an Authenticator Pro backup"))
}
