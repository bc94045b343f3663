package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"

	"github.com/wardkey/wardkey/vault"
)

// rawEntry is an account as an export describes it, before checking.
type rawEntry struct {
	Issuer, Name string
	Type         string // totp, hotp, steam, ... (case-insensitive); "" is totp
	Secret       string // base32
	SecretBytes  []byte // raw key, when the export stores bytes
	Algorithm    string // "" is SHA1
	Digits       num
	Period       num
	Counter      num
	Note         string
	Tags         []string
	Favorite     bool
}

// account checks a raw entry and makes an account of it. Present-but-zero
// digits or period are refused, as FORMATS.md asks; absent ones default.
func (r rawEntry) account() (vault.Account, error) {
	a := vault.Account{Issuer: strings.TrimSpace(r.Issuer), Name: strings.TrimSpace(r.Name), Note: r.Note, Favorite: r.Favorite}
	for _, t := range r.Tags {
		if t = strings.TrimSpace(t); t != "" && !containsString(a.Tags, t) {
			a.Tags = append(a.Tags, t)
		}
	}
	switch strings.ToLower(strings.TrimSpace(r.Type)) {
	case "", "totp":
		a.Type = vault.TOTP
	case "hotp":
		a.Type = vault.HOTP
	case "steam":
		a.Type = vault.Steam
	case "motp":
		return a, fmt.Errorf("mOTP accounts are %w", ErrNotSupported)
	case "yandex":
		return a, fmt.Errorf("the Yandex type is %w", ErrNotSupported)
	default:
		return a, fmt.Errorf("type %q is %w", clip(r.Type), ErrNotSupported)
	}
	a.Algorithm = vault.Algorithm(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(r.Algorithm), "-", "")))
	if r.Digits.ok {
		if r.Digits.v <= 0 || r.Digits.v > 100 {
			return a, fmt.Errorf("%d digits is not supported", r.Digits.v)
		}
		a.Digits = int(r.Digits.v)
	}
	if r.Period.ok && a.Type != vault.HOTP {
		if r.Period.v <= 0 || r.Period.v > 1<<20 {
			return a, fmt.Errorf("a period of %d s is not supported", r.Period.v)
		}
		a.Period = int(r.Period.v)
	}
	if r.Counter.ok && a.Type == vault.HOTP {
		if r.Counter.v < 0 {
			return a, errors.New("its counter is negative")
		}
		a.Counter = uint64(r.Counter.v)
	}
	switch {
	case r.SecretBytes != nil:
		if len(r.SecretBytes) == 0 {
			return a, errors.New("the secret is empty")
		}
		a.Secret = vault.NewSecret(r.SecretBytes)
	default:
		sec, err := vault.ParseSecret(r.Secret)
		if err != nil {
			return a, err
		}
		a.Secret = sec
	}
	a.Normalize()
	return a, a.Validate()
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// addEntry adds a raw entry, or reports it skipped with the reason.
func (c *collector) addEntry(r rawEntry) error {
	a, err := r.account()
	if err != nil {
		return c.skip(entryName(r.Issuer, r.Name, c.n+1), err)
	}
	return c.add(a)
}

// num is a JSON integer that may also arrive as a string or null.
type num struct {
	v  int64
	ok bool
}

func (n *num) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*n = num{}
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
		if s == "" {
			*n = num{}
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return errors.New("not an integer")
		}
		v = int64(f)
	}
	*n = num{v, true}
	return nil
}

// Limits on the key derivation an encrypted export may ask for. The largest
// legitimate settings seen: Ente's 1 GiB × 4 passes (or 256 MiB × 16),
// Aegis's scrypt N=2^15, r=8 (32 MiB). Variables only so that fuzzing can
// lower them; nothing in the product changes them.
var (
	maxKDFMemory    int64 = 1 << 30    // bytes
	maxArgon2Work   int64 = 4 << 30    // bytes × passes
	maxArgon2Passes int64 = 64         //
	maxPBKDF2Iter   int64 = 10_000_000 // Aegis's own cap for andOTP
	maxScryptMemory int64 = 256 << 20  // 128 × N × r bytes
	maxScryptWork   int64 = 1 << 22    // N × p
)

func argon2Key(pass, salt []byte, passes uint32, memKiB uint32, threads uint8) ([]byte, error) {
	mem := int64(memKiB) * 1024
	if passes < 1 || threads < 1 || memKiB < 8*uint32(threads) {
		return nil, errors.New("the file's Argon2 parameters are not valid")
	}
	if mem > maxKDFMemory || int64(passes) > maxArgon2Passes || mem*int64(passes) > maxArgon2Work {
		return nil, fmt.Errorf("Argon2 with %d MiB and %d passes: %w", mem>>20, passes, ErrKDFTooCostly)
	}
	return argon2.IDKey(pass, salt, passes, memKiB, threads, 32), nil
}

func scryptKey(pass, salt []byte, n, r, p int) ([]byte, error) {
	if n < 2 || n&(n-1) != 0 || r < 1 || p < 1 {
		return nil, errors.New("the file's scrypt parameters are not valid")
	}
	if int64(128)*int64(n)*int64(r) > maxScryptMemory || int64(n)*int64(p) > maxScryptWork || int64(r)*int64(p) >= 1<<30 {
		return nil, fmt.Errorf("scrypt with N=%d, r=%d, p=%d: %w", n, r, p, ErrKDFTooCostly)
	}
	return scrypt.Key(pass, salt, n, r, p, 32)
}

func pbkdf2Key(h func() hash.Hash, pass, salt []byte, iter int64) ([]byte, error) {
	if iter < 1 {
		return nil, errors.New("the file's PBKDF2 iteration count is not valid")
	}
	if iter > maxPBKDF2Iter {
		return nil, fmt.Errorf("PBKDF2 with %d iterations: %w", iter, ErrKDFTooCostly)
	}
	return pbkdf2.Key(h, string(pass), salt, int(iter), 32)
}

// gcmOpen decrypts AES-GCM (16-byte tag appended) with any nonce length.
// A failed tag check is ErrWrongPassphrase: with a derived key, a wrong
// passphrase and a corrupt file look the same.
func gcmOpen(key, nonce, ctAndTag, ad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(nonce) == 0 || len(nonce) > 64 {
		return nil, errors.New("the file's nonce is not valid")
	}
	var g cipher.AEAD
	if len(nonce) == 12 {
		g, err = cipher.NewGCM(block)
	} else {
		g, err = cipher.NewGCMWithNonceSize(block, len(nonce))
	}
	if err != nil {
		return nil, err
	}
	if len(ctAndTag) < g.Overhead() {
		return nil, errors.New("the encrypted data is truncated")
	}
	pt, err := g.Open(nil, nonce, ctAndTag, ad)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return pt, nil
}

// trimBOM drops a UTF-8 byte-order mark.
func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }
