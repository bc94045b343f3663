package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
)

// freeOTPPlusFormat is a FreeOTP+ JSON export: {"tokenOrder", "tokens"}.
type freeOTPPlusFormat struct{}

func (freeOTPPlusFormat) name() string { return "freeotp-plus" }

func (freeOTPPlusFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && p.has("tokens")
}

// freeOTPToken is a FreeOTP token. Its HOTP counter is the last value used,
// one lower than the otpauth counter it came from; wardkey keeps the next
// value to use, so it adds one.
type freeOTPToken struct {
	Algo      string `json:"algo"`
	Counter   num    `json:"counter"`
	Digits    num    `json:"digits"`
	IssuerExt string `json:"issuerExt"`
	IssuerInt string `json:"issuerInt"`
	Label     string `json:"label"`
	Period    num    `json:"period"`
	Secret    []int  `json:"secret"`
	Type      string `json:"type"`
}

func (t freeOTPToken) raw(counterShift int64) (rawEntry, error) {
	issuer := t.IssuerExt
	if issuer == "" {
		issuer = t.IssuerInt
	}
	r := rawEntry{Issuer: issuer, Name: t.Label, Type: t.Type, Algorithm: t.Algo, Digits: t.Digits, Period: t.Period, Counter: t.Counter}
	if r.Counter.ok {
		r.Counter.v += counterShift
	}
	if strings.EqualFold(r.Type, "totp") && strings.EqualFold(strings.TrimSpace(issuer), "steam") {
		r.Type, r.Digits = "steam", num{}
	}
	r.SecretBytes = make([]byte, 0, len(t.Secret))
	for _, b := range t.Secret {
		if b < -128 || b > 255 {
			return r, errors.New("the secret is not a list of bytes")
		}
		r.SecretBytes = append(r.SecretBytes, byte(b))
	}
	return r, nil
}

func (c *collector) addFreeOTP(t freeOTPToken, counterShift int64) error {
	r, err := t.raw(counterShift)
	if err != nil {
		return c.skip(entryName(r.Issuer, r.Name, c.n+1), err)
	}
	return c.addEntry(r)
}

func (freeOTPPlusFormat) parse(data []byte, o Options, c *collector) error {
	var f struct {
		Tokens []freeOTPToken `json:"tokens"`
	}
	if err := decodeJSON("freeotp-plus", data, &f); err != nil {
		return err
	}
	c.why = "its token list is empty"
	for _, t := range f.Tokens {
		if err := c.addFreeOTP(t, 1); err != nil {
			return err
		}
	}
	return nil
}

// freeOTPXMLFormat is the tokens.xml of FreeOTP 1.x and FreeOTP+ (Android
// shared preferences): a <map> of <string name="issuer:label"> holding the
// token JSON, and a tokenOrder entry.
type freeOTPXMLFormat struct{}

func (freeOTPXMLFormat) name() string { return "freeotp-xml" }

func (freeOTPXMLFormat) detect(p *probe) bool {
	return p.isText && strings.Contains(p.text, "<map") && strings.Contains(p.text, `name="tokenOrder"`)
}

func (freeOTPXMLFormat) parse(data []byte, o Options, c *collector) error {
	var m struct {
		Strings []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"string"`
	}
	if err := xml.NewDecoder(bytes.NewReader(validText(data))).Decode(&m); err != nil {
		return &ParseError{Format: "freeotp-xml", Err: errors.New("not valid XML")}
	}
	for _, s := range m.Strings {
		if s.Name == "tokenOrder" {
			continue
		}
		var t freeOTPToken
		if err := decodeJSON("freeotp-xml", []byte(s.Value), &t); err != nil {
			if err := c.skip(clip(s.Name), errors.New("its token is not valid JSON")); err != nil {
				return err
			}
			continue
		}
		if err := c.addFreeOTP(t, 1); err != nil {
			return err
		}
	}
	return nil
}
