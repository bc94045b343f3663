package importer

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// steamSDAFormat is a Steam Desktop Authenticator folder: manifest.json
// lists the account files (maFiles) beside it and, when the folder is
// encrypted, each file's salt and IV:
//
//	{"encrypted": true, "entries": [{"encryption_iv": B64, "encryption_salt": B64,
//	  "filename": "76561198….maFile", "steamid": 76561198…}], …}
//
// An encrypted maFile is the base64 of AES-256-CBC (PKCS#7) of the maFile
// JSON, under PBKDF2-HMAC-SHA1(passkey, salt, 50,000 iterations, 32 bytes),
// as SDA's FileEncryptor writes it. Either manifest.json or an encrypted
// maFile with manifest.json beside it can be imported; the plain maFile is
// the steam format. Only the files the manifest names, in the same folder,
// are read.
type steamSDAFormat struct{}

const (
	sdaManifest = "manifest.json"
	sdaIter     = 50_000
	// sdaMaxFile bounds one maFile (a few KB in practice).
	sdaMaxFile = 1 << 20
)

func (steamSDAFormat) name() string { return "steam-sda" }

func (steamSDAFormat) detect(p *probe) bool {
	if p.isJSON && !p.jsonArray && p.has("entries", "encrypted") {
		var entries []map[string]json.RawMessage
		if json.Unmarshal(p.keys["entries"], &entries) != nil {
			return false
		}
		if len(entries) == 0 {
			return true
		}
		_, file := entries[0]["filename"]
		_, id := entries[0]["steamid"]
		return file && id
	}
	// An encrypted maFile: base64 text, named in the manifest beside it.
	if !p.isText || p.path == "" || !isBase64Text(p.text) {
		return false
	}
	m, err := readSDAManifest(filepath.Dir(p.path))
	if err != nil {
		return false
	}
	_, ok := m.entry(filepath.Base(p.path))
	return ok
}

type sdaEntry struct {
	IV       string          `json:"encryption_iv"`
	Salt     string          `json:"encryption_salt"`
	Filename string          `json:"filename"`
	SteamID  json.RawMessage `json:"steamid"`
}

type sdaManifestFile struct {
	Encrypted bool       `json:"encrypted"`
	Entries   []sdaEntry `json:"entries"`
}

func (m sdaManifestFile) entry(filename string) (sdaEntry, bool) {
	for _, e := range m.Entries {
		if e.Filename == filename {
			return e, true
		}
	}
	return sdaEntry{}, false
}

func readSDAManifest(dir string) (sdaManifestFile, error) {
	var m sdaManifestFile
	b, err := readBeside(dir, sdaManifest, MaxFileSize)
	if err != nil {
		return m, err
	}
	return m, decodeJSON("steam-sda", b, &m)
}

// readBeside reads the file name in dir, refusing a name that is not a
// plain file name (no separator, no "..") and a file over max bytes.
func readBeside(dir, name string, max int64) ([]byte, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		return nil, errors.New("the manifest names a file outside its folder")
	}
	path := filepath.Join(dir, name)
	// Only a regular file: opening a FIFO or a device could block or never end.
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is more than %d KiB: %w", name, max>>10, ErrTooLarge)
	}
	return b, nil
}

func (steamSDAFormat) parse(data []byte, o Options, c *collector) error {
	const format = "steam-sda"
	perr := func(err error) error { return &ParseError{Format: format, Err: err} }
	if o.Path == "" {
		return perr(errors.New("a Steam Desktop Authenticator folder is read from its files: import its manifest.json from the folder that holds the maFiles"))
	}
	dir := filepath.Dir(o.Path)
	var m sdaManifestFile
	entries := []sdaEntry(nil)
	if p := newProbe(data); p.isJSON && p.has("entries") {
		if err := decodeJSON(format, data, &m); err != nil {
			return err
		}
		entries = m.Entries
	} else { // one encrypted maFile
		var err error
		if m, err = readSDAManifest(dir); err != nil {
			return perr(fmt.Errorf("the maFile is encrypted and %s beside it cannot be read", sdaManifest))
		}
		e, ok := m.entry(filepath.Base(o.Path))
		if !ok {
			return perr(fmt.Errorf("%s beside the maFile does not list it", sdaManifest))
		}
		m.Encrypted, entries = true, []sdaEntry{e}
	}
	if len(entries) > MaxAccounts {
		return fmt.Errorf("the manifest lists more than %d accounts: %w", MaxAccounts, ErrTooLarge)
	}
	c.why = "its manifest lists no account"
	var pass []byte
	if m.Encrypted && len(entries) > 0 {
		// Limits before the work: every entry costs one PBKDF2.
		if n := int64(len(entries)) * sdaIter; n > maxPBKDF2Iter {
			return fmt.Errorf("%d encrypted accounts (PBKDF2 with %d iterations each): %w", len(entries), sdaIter, ErrKDFTooCostly)
		}
		var err error
		if pass, err = o.passphrase(); err != nil {
			return err
		}
	}
	budget := int64(MaxFileSize)
	opened, encrypted := 0, 0
	type result struct {
		m     maFile
		label string
		err   error
	}
	results := make([]result, 0, len(entries))
	for i, e := range entries {
		label := "account " + fmt.Sprint(i+1)
		if isWordish(e.Filename) {
			label += " (" + e.Filename + ")"
		}
		b, err := readBeside(dir, e.Filename, min(sdaMaxFile, budget))
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		if err != nil {
			results = append(results, result{label: label, err: errors.New("its maFile cannot be read beside manifest.json")})
			continue
		}
		budget -= int64(len(b))
		if m.Encrypted {
			encrypted++
			if b, err = sdaDecrypt(pass, e, b); err != nil {
				results = append(results, result{label: label, err: err})
				continue
			}
			opened++
		}
		var mf maFile
		if err := decodeJSON(format, b, &mf); err != nil {
			results = append(results, result{label: label, err: errors.New("its maFile is not valid JSON")})
			continue
		}
		results = append(results, result{m: mf, label: label})
	}
	if encrypted > 0 && opened == 0 {
		return ErrWrongPassphrase
	}
	for _, r := range results {
		var err error
		if r.err != nil {
			err = c.skip(r.label, r.err)
		} else {
			err = c.addMaFile(r.m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var errSDADecrypt = errors.New("its maFile does not decrypt with the passkey (the file is damaged)")

// sdaDecrypt opens one encrypted maFile. With no MAC, a wrong passkey shows
// as bad padding or a result that is not JSON.
func sdaDecrypt(pass []byte, e sdaEntry, b []byte) ([]byte, error) {
	salt, err1 := base64.StdEncoding.DecodeString(e.Salt)
	iv, err2 := base64.StdEncoding.DecodeString(e.IV)
	ct, err3 := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err1 != nil || err2 != nil || err3 != nil || len(salt) == 0 {
		return nil, errors.New("its encryption salt, IV or data is not base64")
	}
	key, err := pbkdf2Key(sha1.New, pass, salt, sdaIter)
	if err != nil {
		return nil, err
	}
	pt, ok := cbcOpen(key, iv, ct)
	if !ok || !json.Valid(pt) {
		return nil, errSDADecrypt
	}
	return pt, nil
}

// isBase64Text reports whether s is standard base64 only.
func isBase64Text(s string) bool {
	if len(s) < 24 || len(s)%4 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// isWordish reports whether a file name is safe and short enough to show.
func isWordish(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
