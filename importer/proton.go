package importer

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"golang.org/x/crypto/argon2"
)

// protonAuthenticatorFormat is a Proton Authenticator export, plain or
// password-protected (Argon2id + AES-GCM with a fixed associated data).
type protonAuthenticatorFormat struct{}

func (protonAuthenticatorFormat) name() string { return "proton-authenticator" }

func (protonAuthenticatorFormat) detect(p *probe) bool {
	if !p.isJSON || p.jsonArray || !p.has("version") {
		return false
	}
	return p.has("entries") || p.has("salt", "content")
}

type protonAuthFile struct {
	Version int    `json:"version"`
	Salt    string `json:"salt"`
	Content string `json:"content"`
	Entries []struct {
		Content struct {
			URI       string `json:"uri"`
			EntryType string `json:"entry_type"`
			Name      string `json:"name"`
		} `json:"content"`
		Note *string `json:"note"`
	} `json:"entries"`
}

const protonAuthAD = "proton.authenticator.export.v1"

func (protonAuthenticatorFormat) parse(data []byte, o Options, c *collector) error {
	const name = "proton-authenticator"
	var f protonAuthFile
	if err := decodeJSON(name, data, &f); err != nil {
		return err
	}
	if f.Content != "" && f.Salt != "" {
		salt, e1 := base64.StdEncoding.DecodeString(f.Salt)
		blob, e2 := base64.StdEncoding.DecodeString(f.Content)
		if e1 != nil || e2 != nil || len(blob) < 12+16 {
			return &ParseError{Format: name, Err: errors.New("the encrypted content is not valid")}
		}
		pass, err := o.passphrase()
		if err != nil {
			return err
		}
		key := argon2.IDKey(pass, salt, 2, 19456, 1, 32) // fixed by the app, cheap
		plain, err := gcmOpen(key, blob[:12], blob[12:], []byte(protonAuthAD))
		if err != nil {
			return err
		}
		f = protonAuthFile{}
		if err := decodeJSON(name, plain, &f); err != nil {
			return err
		}
	}
	for _, e := range f.Entries {
		a, _, err := parseOTPField(e.Content.URI, "", e.Content.Name)
		if err != nil {
			if err := c.skip(entryName("", e.Content.Name, c.n+1), err); err != nil {
				return err
			}
			continue
		}
		if n := strings.TrimSpace(e.Content.Name); n != "" {
			a.Name = n
		}
		if e.Note != nil {
			a.Note = *e.Note
		}
		if err := c.add(a); err != nil {
			return err
		}
	}
	return nil
}

// zipFormat is a ZIP archive: a Proton Pass export (Proton Pass/data.json).
type zipFormat struct{}

func (zipFormat) name() string { return "proton-pass" }

func (zipFormat) detect(p *probe) bool { return bytes.HasPrefix(p.data, []byte("PK\x03\x04")) }

// maxZipEntry bounds the uncompressed data.json (zip bombs).
const maxZipEntry = MaxFileSize

func (zipFormat) parse(data []byte, o Options, c *collector) error {
	const name = "proton-pass"
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &ParseError{Format: name, Err: errors.New("not a valid ZIP archive")}
	}
	for _, f := range zr.File {
		if f.Name != "Proton Pass/data.json" {
			continue
		}
		if f.Flags&0x1 != 0 {
			return &ParseError{Format: name, Err: errors.New("the archive is encrypted: export again without a password")}
		}
		rc, err := f.Open()
		if err != nil {
			return &ParseError{Format: name, Err: errors.New("data.json cannot be read")}
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxZipEntry+1))
		rc.Close()
		if err != nil {
			return &ParseError{Format: name, Err: errors.New("data.json cannot be read")}
		}
		if len(b) > maxZipEntry {
			return &ParseError{Format: name, Err: fmt.Errorf("data.json unpacks to more than %d MiB: %w", maxZipEntry>>20, ErrTooLarge)}
		}
		return parseProtonPass(b, c)
	}
	return ErrUnknownFormat
}

type protonPassFile struct {
	Encrypted bool `json:"encrypted"`
	Vaults    map[string]struct {
		Items []struct {
			State int `json:"state"`
			Data  struct {
				Metadata struct {
					Name string `json:"name"`
					Note string `json:"note"`
				} `json:"metadata"`
				Content struct {
					ItemEmail    string `json:"itemEmail"`
					ItemUsername string `json:"itemUsername"`
					TOTPURI      string `json:"totpUri"`
				} `json:"content"`
				ExtraFields []struct {
					FieldName string `json:"fieldName"`
					Type      string `json:"type"`
					Data      struct {
						TOTPURI string `json:"totpUri"`
					} `json:"data"`
				} `json:"extraFields"`
			} `json:"data"`
		} `json:"items"`
	} `json:"vaults"`
}

func parseProtonPass(b []byte, c *collector) error {
	var f protonPassFile
	if err := decodeJSON("proton-pass", b, &f); err != nil {
		return err
	}
	if f.Encrypted {
		return &ParseError{Format: "proton-pass", Err: errors.New("encrypted Proton Pass exports (PGP) are not supported: export without encryption")}
	}
	for _, k := range slices.Sorted(maps.Keys(f.Vaults)) {
		for _, it := range f.Vaults[k].Items {
			if it.State == 2 {
				continue // trashed
			}
			user := it.Data.Content.ItemUsername
			if user == "" {
				user = it.Data.Content.ItemEmail
			}
			fields := []string{it.Data.Content.TOTPURI}
			for _, x := range it.Data.ExtraFields {
				if x.Type == "totp" {
					fields = append(fields, x.Data.TOTPURI)
				}
			}
			for _, fl := range fields {
				if strings.TrimSpace(fl) == "" {
					continue
				}
				if err := addOTPField(c, fl, it.Data.Metadata.Name, user, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
