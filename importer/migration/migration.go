// Package migration reads and writes Google Authenticator's account
// transfer QR codes: otpauth-migration://offline?data=BASE64, where the data
// is a protobuf Payload (internal/migrationpb/migration.proto), read and
// written by the small wire-format codec in payload.go.
//
// One export may span several QR codes (batches): every code carries the
// batch size, its index and, in version 1 exports, a batch ID shared by all
// codes of the export.
package migration

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"
)

// Bounds on what one code may hold.
const (
	// MaxURI is the longest migration URI accepted (a QR code holds < 3 KB).
	MaxURI = 64 << 10
	// MaxBatchSize is the most codes one export may claim to span.
	MaxBatchSize = 1000
	// DefaultBatchSize is the number of accounts per QR code Encode uses when
	// given 0: it keeps each code easy to scan.
	DefaultBatchSize = 10
)

// ErrNotMigration: the text is not an otpauth-migration:// URI.
var ErrNotMigration = errors.New("it is not an otpauth-migration:// URI")

// Batch is one decoded QR code of an export.
type Batch struct {
	Version int   // 1 in older exports, 2 in current ones
	Size    int   // number of codes in the export (at least 1)
	Index   int   // 0-based index of this code
	ID      int32 // shared by the codes of one export; 0 when absent
	// Accounts are the entries wardkey can represent, normalized and valid,
	// without IDs.
	Accounts []vault.Account
	// Invalid are the entries it cannot (MD5, an empty secret...), with why.
	Invalid []Invalid
}

// Invalid is an entry left out of a batch.
type Invalid struct {
	Entry  string // "issuer:name" or "entry N"; never a secret
	Reason string
}

// Decode decodes one otpauth-migration://offline?data=... URI. The data is
// unescaped with path rules ('+' stays '+'), since some exporters leave '+'
// and '/' unescaped; padding is optional. Errors never echo the URI.
func Decode(uri string) (Batch, error) {
	uri = strings.TrimSpace(uri)
	if len(uri) > MaxURI {
		return Batch{}, fmt.Errorf("the migration URI is longer than %d KiB", MaxURI>>10)
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !strings.EqualFold(scheme, "otpauth-migration") {
		return Batch{}, ErrNotMigration
	}
	host, rawQuery, _ := strings.Cut(rest, "?")
	if !strings.EqualFold(strings.TrimSuffix(host, "/"), "offline") {
		return Batch{}, errors.New("the migration URI is not an offline export")
	}
	var data string
	found := false
	for part := range strings.SplitSeq(rawQuery, "&") {
		if k, v, _ := strings.Cut(part, "="); k == "data" {
			data, found = v, true
			break
		}
	}
	if !found || data == "" {
		return Batch{}, errors.New("the migration URI has no data parameter")
	}
	data, err := url.PathUnescape(data)
	if err != nil {
		return Batch{}, errors.New("the migration data is not valid percent-encoding")
	}
	raw, err := decodeBase64(data)
	if err != nil {
		return Batch{}, errors.New("the migration data is not base64")
	}
	defer clear(raw) // the secrets, once copied into the accounts
	p, err := unmarshalPayload(raw)
	if err != nil {
		return Batch{}, notExportError{err}
	}
	b := Batch{Version: int(p.Version), Size: int(p.BatchSize), Index: int(p.BatchIndex), ID: p.BatchID}
	if b.Size <= 0 {
		b.Size = 1
	}
	if b.Size > MaxBatchSize {
		return Batch{}, fmt.Errorf("the export claims %d QR codes, more than %d", b.Size, MaxBatchSize)
	}
	if b.Index < 0 || b.Index >= b.Size {
		return Batch{}, fmt.Errorf("the QR code's index %d is outside its export of %d", b.Index, b.Size)
	}
	for i := range p.OtpParameters {
		a, err := account(&p.OtpParameters[i])
		if err != nil {
			b.Invalid = append(b.Invalid, Invalid{Entry: label(a, i+1), Reason: err.Error()})
			continue
		}
		b.Accounts = append(b.Accounts, a)
	}
	return b, nil
}

// notExportError is the refusal of data that is base64 but no Payload. Its
// sentence is the same whatever the fault: the person reading it can do
// nothing with a field number; Unwrap gives the fault to programs.
type notExportError struct{ err error }

func (notExportError) Error() string {
	return "the migration data is not a Google Authenticator export"
}

func (e notExportError) Unwrap() error { return e.err }

// decodeBase64 decodes standard or URL-safe base64, padded or not, where a
// space stands for '+' (a '+' unescaped as a query) and line breaks are
// ignored. Data that needs none of that (the usual case: url.PathUnescape
// has turned %2B back into '+') is decoded as it is; the rest is mapped byte
// by byte. A strings.Replacer, as before, was built at every call, and a
// package-level one would be init work in every command.
func decodeBase64(s string) ([]byte, error) {
	if !strings.ContainsAny(s, " \n\r-_") {
		return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n', '\r':
		case ' ', '-':
			b = append(b, '+')
		case '_':
			b = append(b, '/')
		default:
			b = append(b, c)
		}
	}
	b = bytes.TrimRight(b, "=")
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(b)))
	n, err := base64.RawStdEncoding.Decode(out, b)
	clear(b) // the secrets, encoded
	return out[:n], err
}

func label(a vault.Account, n int) string {
	if l := strings.TrimSpace(a.Label()); l != "" && l != ":" {
		return l
	}
	return "entry " + strconv.Itoa(n)
}

// account turns one entry into an account. On error the account still holds
// the issuer and name, for the report.
func account(op *otpParameters) (vault.Account, error) {
	name, issuer := strings.TrimSpace(op.Name), strings.TrimSpace(op.Issuer)
	if issuer == "" {
		if i, n, ok := strings.Cut(name, ":"); ok {
			issuer, name = strings.TrimSpace(i), strings.TrimSpace(n)
		}
	} else if rest, ok := strings.CutPrefix(name, issuer+":"); ok {
		name = strings.TrimSpace(rest)
	}
	a := vault.Account{Issuer: issuer, Name: name}
	switch op.Type {
	case otpTypeUnspecified, otpTypeTOTP:
		a.Type = vault.TOTP
	case otpTypeHOTP:
		a.Type = vault.HOTP
		if op.Counter < 0 {
			return a, errors.New("its counter is negative")
		}
		a.Counter = uint64(op.Counter)
	default:
		return a, fmt.Errorf("OTP type %d is not supported", op.Type)
	}
	switch op.Algorithm {
	case algorithmUnspecified, algorithmSHA1:
		a.Algorithm = vault.SHA1
	case algorithmSHA256:
		a.Algorithm = vault.SHA256
	case algorithmSHA512:
		a.Algorithm = vault.SHA512
	case algorithmMD5:
		return a, errors.New("algorithm MD5 is not supported")
	default:
		return a, fmt.Errorf("algorithm %d is not supported", op.Algorithm)
	}
	switch op.Digits {
	case digitsUnspecified, digitsSix:
		a.Digits = 6
	case digitsEight:
		a.Digits = 8
	default:
		return a, fmt.Errorf("digit count %d is not supported", op.Digits)
	}
	if len(op.Secret) == 0 {
		return a, errors.New("the secret is empty")
	}
	a.Secret = vault.NewSecret(op.Secret)
	a.Normalize()
	return a, a.Validate()
}

// Representable reports why an account cannot travel in a Google
// Authenticator export (nil when it can): Steam accounts, 7 digits and
// periods other than 30 s have no field there, and its issuer and name are
// protobuf strings, which must be UTF-8.
func Representable(a vault.Account) error {
	switch {
	case a.Type != vault.TOTP && a.Type != vault.HOTP:
		return fmt.Errorf("%s: Google Authenticator has no %s accounts", a.Label(), a.Type)
	case a.Digits != 6 && a.Digits != 8:
		return fmt.Errorf("%s: Google Authenticator has no %d-digit codes", a.Label(), a.Digits)
	case a.Type == vault.TOTP && a.Period != vault.DefaultPeriod:
		return fmt.Errorf("%s: Google Authenticator has no %d s period", a.Label(), a.Period)
	case a.Counter > 1<<63-1:
		return fmt.Errorf("%s: the counter is too large", a.Label())
	case a.Secret.IsZero():
		return fmt.Errorf("%s: the secret is empty", a.Label())
	case !utf8.ValidString(a.Issuer) || !utf8.ValidString(a.Name):
		return fmt.Errorf("%q: Google Authenticator needs the issuer and name in UTF-8", a.Label())
	}
	return nil
}

// Encode writes accounts as Google Authenticator migration URIs, batchSize
// accounts per URI (0: DefaultBatchSize), version 1, one random batch ID
// shared by every URI, indices 0..n-1. Each URI is meant for one QR code.
// An account that cannot be represented (see Representable) is an error:
// nothing is encoded.
func Encode(accounts []vault.Account, batchSize int) ([]string, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	if len(accounts) == 0 {
		return nil, errors.New("there are no accounts to encode")
	}
	for _, a := range accounts {
		if err := Representable(a); err != nil {
			return nil, err
		}
	}
	n := (len(accounts) + batchSize - 1) / batchSize
	if n > MaxBatchSize {
		return nil, fmt.Errorf("%d accounts need %d QR codes, more than %d: use a larger batch size", len(accounts), n, MaxBatchSize)
	}
	var idb [4]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, err
	}
	id := int32(binary.BigEndian.Uint32(idb[:]))
	uris := make([]string, 0, n)
	for i := 0; i < n; i++ {
		chunk := accounts[i*batchSize : min(len(accounts), (i+1)*batchSize)]
		p := payload{Version: 1, BatchSize: int32(n), BatchIndex: int32(i), BatchID: id, OtpParameters: make([]otpParameters, 0, len(chunk))}
		for _, a := range chunk {
			op := otpParameters{
				Secret:    a.Secret.Bytes(),
				Name:      a.Name,
				Issuer:    a.Issuer,
				Algorithm: map[vault.Algorithm]int32{vault.SHA1: algorithmSHA1, vault.SHA256: algorithmSHA256, vault.SHA512: algorithmSHA512}[a.Algorithm],
				Digits:    map[int]int32{6: digitsSix, 8: digitsEight}[a.Digits],
				Type:      otpTypeTOTP,
			}
			if a.Type == vault.HOTP {
				op.Type, op.Counter = otpTypeHOTP, int64(a.Counter)
			}
			p.OtpParameters = append(p.OtpParameters, op)
		}
		raw, err := p.marshal()
		if err != nil {
			return nil, fmt.Errorf("QR code %d of the export cannot be encoded: %w", i+1, err)
		}
		uris = append(uris, "otpauth-migration://offline?data="+url.QueryEscape(base64.StdEncoding.EncodeToString(raw)))
		clear(raw) // the secrets
	}
	return uris, nil
}
