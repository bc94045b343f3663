package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// bitwardenFormat is a Bitwarden unencrypted JSON export: each login's TOTP
// field (an otpauth:// URI, steam://SECRET or a bare base32 secret).
type bitwardenFormat struct{}

func (bitwardenFormat) name() string { return "bitwarden" }

func (bitwardenFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && p.has("items", "encrypted")
}

type bitwardenFile struct {
	Encrypted         bool `json:"encrypted"`
	PasswordProtected bool `json:"passwordProtected"`
	Items             []struct {
		Name     string `json:"name"`
		Notes    string `json:"notes"`
		Favorite bool   `json:"favorite"`
		Login    *struct {
			Username string `json:"username"`
			TOTP     string `json:"totp"`
		} `json:"login"`
	} `json:"items"`
}

func (bitwardenFormat) parse(data []byte, o Options, c *collector) error {
	var f bitwardenFile
	if err := decodeJSON("bitwarden", data, &f); err != nil {
		return err
	}
	if f.Encrypted || f.PasswordProtected {
		return &ParseError{Format: "bitwarden", Err: errors.New("encrypted Bitwarden exports are not supported: export again as unencrypted JSON (.json) and delete that file after importing")}
	}
	c.why = "none of its logins has a TOTP field"
	for _, it := range f.Items {
		if it.Login == nil || strings.TrimSpace(it.Login.TOTP) == "" {
			continue // a login without a second factor
		}
		if err := addOTPField(c, it.Login.TOTP, it.Name, it.Login.Username, it.Favorite); err != nil {
			return err
		}
	}
	return nil
}

// addOTPField adds one password manager TOTP field, or reports it skipped.
func addOTPField(c *collector, field, item, username string, favorite bool) error {
	a, x, err := parseOTPField(field, strings.TrimSpace(item), strings.TrimSpace(username))
	label := entryName(item, username, c.n+1)
	switch {
	case err != nil:
		return c.skip(label, err)
	case x.Trashed:
		return c.skip(label, errors.New("it is in the exporting app's trash"))
	}
	a.Favorite = a.Favorite || favorite
	return c.add(a)
}

// bitwardenCSVFormat is a Bitwarden CSV export (column login_totp).
type bitwardenCSVFormat struct{}

func (bitwardenCSVFormat) name() string { return "bitwarden-csv" }

func (bitwardenCSVFormat) detect(p *probe) bool {
	if !p.isText {
		return false
	}
	header, _, _ := strings.Cut(p.text, "\n")
	return strings.Contains(header, "login_totp") && strings.Contains(header, ",")
}

func (bitwardenCSVFormat) parse(data []byte, o Options, c *collector) error {
	r := csv.NewReader(bytes.NewReader(trimBOM(data)))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return &ParseError{Format: "bitwarden-csv", Err: errors.New("the CSV has no header")}
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[strings.TrimSpace(h)]; !dup {
			col[strings.TrimSpace(h)] = i
		}
	}
	ti, ok := col["login_totp"]
	if !ok {
		return &ParseError{Format: "bitwarden-csv", Err: errors.New("the CSV has no login_totp column")}
	}
	c.why = "none of its logins has a TOTP field"
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return &ParseError{Format: "bitwarden-csv", Line: line, Err: errors.New("not valid CSV")}
		}
		if ti >= len(rec) || strings.TrimSpace(rec[ti]) == "" {
			continue
		}
		if err := addOTPField(c, rec[ti], get(rec, "name"), get(rec, "login_username"), get(rec, "favorite") == "1"); err != nil {
			return err
		}
	}
	return nil
}
