package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// bitwardenFormat is a Bitwarden JSON export: each login's TOTP field (an
// otpauth:// URI, steam://SECRET or a bare base32 secret). The export may be
// unencrypted or password-protected; an export encrypted with the account's
// own key is refused with what to do instead.
//
// A password-protected export (Bitwarden's export_encrypted_json) is
//
//	{"encrypted": true, "passwordProtected": true, "salt": S, "kdfType": 0|1,
//	 "kdfIterations": N, "kdfMemory": MiB, "kdfParallelism": P,
//	 "encKeyValidation_DO_NOT_EDIT": ENCSTRING, "data": ENCSTRING}
//
// The key is PBKDF2-SHA256(password, S as UTF-8, N, 32 bytes) (kdfType 0) or
// Argon2id(password, SHA-256(S), N passes, MiB × 1024 KiB, P lanes, 32 bytes)
// (kdfType 1), stretched with HKDF-Expand-SHA256 into a 32-byte encryption
// key (info "enc") and a 32-byte MAC key (info "mac"). Each EncString is of
// type 2, "2.IV|CT|MAC" in base64: AES-256-CBC with PKCS#7 padding, and
// MAC = HMAC-SHA256(mac key, IV ‖ CT). The validation string (a random UUID)
// tells a wrong password from a damaged file; data decrypts to the
// unencrypted export.
type bitwardenFormat struct{}

func (bitwardenFormat) name() string { return "bitwarden" }

func (bitwardenFormat) detect(p *probe) bool {
	switch {
	case !p.isJSON || p.jsonArray:
		return false
	case p.has("passwordProtected", "data") || p.has("encKeyValidation_DO_NOT_EDIT"):
		return true
	case !p.has("items"):
		return false
	case p.has("encrypted") || p.has("folders") || p.has("collections"):
		return true
	}
	// No "encrypted" key (older or third-party writers): items shaped like
	// Bitwarden's.
	var items []map[string]json.RawMessage
	if json.Unmarshal(p.keys["items"], &items) != nil || len(items) == 0 {
		return false
	}
	_, login := items[0]["login"]
	_, typ := items[0]["type"]
	_, name := items[0]["name"]
	return login || typ && name
}

type bitwardenFile struct {
	Encrypted         bool   `json:"encrypted"`
	PasswordProtected bool   `json:"passwordProtected"`
	Salt              string `json:"salt"`
	KDFType           num    `json:"kdfType"`
	KDFIterations     num    `json:"kdfIterations"`
	KDFMemory         num    `json:"kdfMemory"`
	KDFParallelism    num    `json:"kdfParallelism"`
	Validation        string `json:"encKeyValidation_DO_NOT_EDIT"`
	Data              string `json:"data"`
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
	const format = "bitwarden"
	var f bitwardenFile
	if err := decodeJSON(format, data, &f); err != nil {
		return err
	}
	switch {
	case f.PasswordProtected:
		plain, err := bitwardenOpen(f, o)
		if err != nil {
			return err
		}
		var inner bitwardenFile
		if err := decodeJSON(format, plain, &inner); err != nil {
			return err
		}
		if inner.Encrypted || inner.PasswordProtected {
			return &ParseError{Format: format, Err: errors.New("the decrypted export is itself encrypted")}
		}
		f = inner
	case f.Encrypted:
		return &ParseError{Format: format, Err: errors.New("this export is encrypted with the Bitwarden account's own key, which only Bitwarden can use: export again as \"JSON (Password protected)\" or as unencrypted JSON (and delete that file after importing)")}
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

// Bitwarden's own bounds on Argon2id parallelism; memory and passes are
// bounded by the shared caps (argon2Key).
const bitwardenMaxParallelism = 16

// bitwardenOpen derives the key of a password-protected export (caps
// checked before any work), checks the password on the validation string
// and returns the decrypted data.
func bitwardenOpen(f bitwardenFile, o Options) ([]byte, error) {
	const format = "bitwarden"
	perr := func(err error) error { return &ParseError{Format: format, Err: err} }
	if f.Salt == "" || f.Data == "" {
		return nil, perr(errors.New("the password-protected export has no salt or no data"))
	}
	if !f.KDFIterations.ok || f.KDFIterations.v < 1 {
		return nil, perr(errors.New("the export's kdfIterations is not valid"))
	}
	iter := f.KDFIterations.v
	var derive func(pass []byte) ([]byte, error)
	switch {
	case !f.KDFType.ok || f.KDFType.v == 0:
		if iter > maxPBKDF2Iter {
			return nil, fmt.Errorf("PBKDF2 with %d iterations: %w", iter, ErrKDFTooCostly)
		}
		derive = func(pass []byte) ([]byte, error) { return pbkdf2Key(sha256.New, pass, []byte(f.Salt), iter) }
	case f.KDFType.v == 1:
		mem, par := f.KDFMemory.v, f.KDFParallelism.v
		if !f.KDFMemory.ok || !f.KDFParallelism.ok || mem < 1 || par < 1 || par > bitwardenMaxParallelism {
			return nil, perr(errors.New("the export's Argon2id parameters are not valid"))
		}
		if mem > maxKDFMemory>>20 || iter > maxArgon2Passes || (mem<<20)*iter > maxArgon2Work {
			return nil, fmt.Errorf("Argon2 with %d MiB and %d passes: %w", mem, iter, ErrKDFTooCostly)
		}
		salt := sha256.Sum256([]byte(f.Salt))
		derive = func(pass []byte) ([]byte, error) {
			return argon2Key(pass, salt[:], uint32(iter), uint32(mem*1024), uint8(par))
		}
	default:
		return nil, perr(fmt.Errorf("kdfType %d is not known", f.KDFType.v))
	}
	data, err := parseEncString(f.Data)
	if err != nil {
		return nil, perr(fmt.Errorf("the encrypted data: %w", err))
	}
	var check *encString
	if f.Validation != "" {
		if check, err = parseEncString(f.Validation); err != nil {
			return nil, perr(fmt.Errorf("the validation string: %w", err))
		}
	}
	pass, err := o.passphrase()
	if err != nil {
		return nil, err
	}
	key, err := derive(pass)
	if err != nil {
		return nil, err
	}
	encKey, err := hkdf.Expand(sha256.New, key, "enc", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Expand(sha256.New, key, "mac", 32)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if _, err := check.open(encKey, macKey); err != nil {
			return nil, ErrWrongPassphrase
		}
	}
	plain, err := data.open(encKey, macKey)
	switch {
	case err != nil && check == nil:
		return nil, ErrWrongPassphrase
	case err != nil:
		return nil, perr(errors.New("the encrypted data is damaged (the password is right)"))
	}
	return plain, nil
}

// encString is a Bitwarden EncString of type 2 (AES-256-CBC + HMAC-SHA256).
type encString struct{ iv, ct, mac []byte }

// parseEncString reads "2.IV|CT|MAC" (each part base64).
func parseEncString(s string) (*encString, error) {
	typ, rest, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok || typ != "2" {
		return nil, errors.New("not an EncString of type 2 (AES-256-CBC with HMAC-SHA256)")
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 {
		return nil, errors.New("not an EncString of three parts")
	}
	var e encString
	for i, dst := range []*[]byte{&e.iv, &e.ct, &e.mac} {
		b, err := base64.StdEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, errors.New("an EncString part is not base64")
		}
		*dst = b
	}
	if len(e.iv) != aes.BlockSize || len(e.mac) != sha256.Size || len(e.ct) == 0 || len(e.ct)%aes.BlockSize != 0 {
		return nil, errors.New("an EncString part has the wrong length")
	}
	return &e, nil
}

// open checks the MAC, then decrypts.
func (e *encString) open(encKey, macKey []byte) ([]byte, error) {
	m := hmac.New(sha256.New, macKey)
	m.Write(e.iv)
	m.Write(e.ct)
	if !hmac.Equal(m.Sum(nil), e.mac) {
		return nil, errors.New("the MAC does not match")
	}
	pt, ok := cbcOpen(encKey, e.iv, e.ct)
	if !ok {
		return nil, errors.New("the padding is not valid")
	}
	return pt, nil
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
