package importer

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/importer/otpauth"
)

// twoFASFormat is a 2FAS backup (.2fas), schema versions 1 to 4, plain or
// encrypted (PBKDF2-SHA256 + AES-GCM).
type twoFASFormat struct{}

func (twoFASFormat) name() string { return "2fas" }

func (twoFASFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && (p.has("servicesEncrypted") || p.has("services", "schemaVersion"))
}

type twoFASService struct {
	Name    string `json:"name"`
	Secret  string `json:"secret"`
	GroupID string `json:"groupId"`
	OTP     struct {
		Link      string `json:"link"`
		Label     string `json:"label"`
		Account   string `json:"account"`
		Issuer    string `json:"issuer"`
		Digits    num    `json:"digits"`
		Period    num    `json:"period"`
		Algorithm string `json:"algorithm"`
		Counter   num    `json:"counter"`
		TokenType string `json:"tokenType"`
	} `json:"otp"`
}

type twoFASFile struct {
	SchemaVersion     int             `json:"schemaVersion"`
	Services          []twoFASService `json:"services"`
	ServicesEncrypted string          `json:"servicesEncrypted"`
	Reference         string          `json:"reference"`
	Groups            []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"groups"`
}

// twoFASReference is what the reference field of an encrypted 2FAS backup
// decrypts to: it tells a wrong password from a corrupt file.
const twoFASReference = "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3HkdGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnDlGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd"

func (twoFASFormat) parse(data []byte, o Options, c *collector) error {
	var f twoFASFile
	if err := decodeJSON("2fas", data, &f); err != nil {
		return err
	}
	if f.SchemaVersion > 4 {
		return &ParseError{Format: "2fas", Err: fmt.Errorf("schema version %d is newer than wardkey knows (4)", f.SchemaVersion)}
	}
	services := f.Services
	if f.ServicesEncrypted != "" {
		plain, err := twoFASDecrypt(f, o)
		if err != nil {
			return err
		}
		services = nil
		if err := decodeJSON("2fas", plain, &services); err != nil {
			return err
		}
	}
	groups := map[string]string{}
	for _, g := range f.Groups {
		groups[g.ID] = g.Name
	}
	for _, s := range services {
		issuer := s.Name
		if issuer == "" {
			issuer = s.OTP.Issuer
		}
		name := s.OTP.Account
		if name == "" {
			name = s.OTP.Label
			if i, n, ok := strings.Cut(name, ":"); ok && strings.TrimSpace(i) == strings.TrimSpace(issuer) {
				name = n
			}
		}
		if strings.TrimSpace(name) == "" && s.OTP.Link != "" {
			if a, err := otpauth.Parse(s.OTP.Link); err == nil {
				name = a.Name
			}
		}
		r := rawEntry{Issuer: issuer, Name: name, Type: s.OTP.TokenType, Secret: s.Secret, Algorithm: s.OTP.Algorithm,
			Digits: s.OTP.Digits, Period: s.OTP.Period, Counter: s.OTP.Counter}
		if g, ok := groups[s.GroupID]; ok {
			r.Tags = []string{g}
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

// twoFASDecrypt opens servicesEncrypted: b64(ct‖tag):b64(salt):b64(iv).
func twoFASDecrypt(f twoFASFile, o Options) ([]byte, error) {
	perr := func(err error) error { return &ParseError{Format: "2fas", Err: err} }
	split := func(s string) (ct, salt, iv []byte, err error) {
		parts := strings.Split(s, ":")
		if len(parts) != 3 {
			return nil, nil, nil, errors.New("the encrypted services are not ciphertext:salt:iv")
		}
		var bs [3][]byte
		for i, p := range parts {
			if bs[i], err = base64.StdEncoding.DecodeString(p); err != nil {
				return nil, nil, nil, errors.New("the encrypted services are not base64")
			}
		}
		return bs[0], bs[1], bs[2], nil
	}
	ct, salt, iv, err := split(f.ServicesEncrypted)
	if err != nil {
		return nil, perr(err)
	}
	pass, err := o.passphrase()
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2Key(sha256.New, pass, salt, 10000)
	if err != nil {
		return nil, perr(err)
	}
	if f.Reference != "" {
		rct, _, riv, err := split(f.Reference)
		if err != nil {
			return nil, perr(err)
		}
		ref, err := gcmOpen(key, riv, rct, nil)
		if err != nil {
			return nil, ErrWrongPassphrase
		}
		if string(ref) != twoFASReference {
			return nil, perr(errors.New("the reference does not match 2FAS's: the file is corrupt"))
		}
	}
	plain, err := gcmOpen(key, iv, ct, nil)
	if err != nil {
		if f.Reference != "" {
			return nil, perr(errors.New("the services do not decrypt although the password is right: the file is corrupt"))
		}
		return nil, err
	}
	return plain, nil
}
