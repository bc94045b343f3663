package vault

import (
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Secret is the shared key of an account. It never prints itself: String,
// GoString, Format, LogValue and MarshalText all return a redaction. The one
// way to the bytes is [Secret.Bytes].
//
// The bytes are held by a closure, so that even where fmt cannot call these
// methods (a Secret inside an unexported field of some struct, printed with
// any verb) reflection finds only a func and prints its address.
type Secret struct {
	f func() []byte
}

func holdBytes(b []byte) Secret { return Secret{f: func() []byte { return b }} }

func (s Secret) raw() []byte {
	if s.f == nil {
		return nil
	}
	return s.f()
}

const redacted = "[secret redacted]"

// ErrBadSecret is returned when a secret is not base32.
var ErrBadSecret = errors.New("secret is not base32 (letters A to Z and digits 2 to 7)")

// NewSecret wraps raw key bytes. The slice is copied.
func NewSecret(b []byte) Secret {
	return holdBytes(append([]byte(nil), b...))
}

// ParseSecret decodes a base32 secret leniently: spaces, dashes and '='
// padding are dropped and case is ignored. A length that is not a whole
// number of bytes keeps the whole bytes and drops the leftover bits, as
// Google Authenticator does. An empty secret is refused.
func ParseSecret(s string) (Secret, error) {
	n := NormalizeBase32(s)
	if n == "" {
		return Secret{}, errors.New("secret is empty")
	}
	for _, r := range n {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return Secret{}, ErrBadSecret
		}
	}
	// Pad to a multiple of 8 characters with 'A' (zero bits), decode, and
	// keep only the bytes fully covered by the input characters.
	whole := len(n) * 5 / 8
	if whole == 0 {
		return Secret{}, errors.New("secret is too short")
	}
	p := n
	if r := len(p) % 8; r != 0 {
		p += strings.Repeat("A", 8-r)
	}
	b, err := base32.StdEncoding.DecodeString(p)
	if err != nil {
		return Secret{}, ErrBadSecret
	}
	return holdBytes(b[:whole]), nil
}

// NormalizeBase32 upper-cases s and drops spaces, tabs, dashes and '='.
func NormalizeBase32(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '-' || r == '=' || r == '\n' || r == '\r':
		case r >= 'a' && r <= 'z':
			sb.WriteRune(r - 'a' + 'A')
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// Bytes reveals the key bytes. Callers must not keep or print them.
func (s Secret) Bytes() []byte { return s.raw() }

// Base32 reveals the key as unpadded base32, for otpauth URIs and export.
func (s Secret) Base32() string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(s.raw())
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return len(s.raw()) == 0 }

// Equal reports whether two secrets hold the same bytes.
func (s Secret) Equal(o Secret) bool { return string(s.raw()) == string(o.raw()) }

// Wipe overwrites the bytes with zeros.
func (s Secret) Wipe() {
	b := s.raw()
	for i := range b {
		b[i] = 0
	}
}

// String implements fmt.Stringer with a redaction.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer with a redaction.
func (Secret) GoString() string { return redacted }

// Format implements fmt.Formatter so that every verb prints a redaction.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer with a redaction.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText implements encoding.TextMarshaler with a redaction, so JSON of
// any struct holding a Secret never shows it. Storage uses its own encoding.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// redactedStruct prints a placeholder for every verb: the options and
// results below carry passphrases, recovery codes or keys.
func redactedStruct(f fmt.State, name string) { _, _ = f.Write([]byte(name + "{" + redacted + "}")) }

// Format prints a redaction: CreateOptions carry a passphrase and a
// recovery code.
func (o CreateOptions) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.CreateOptions") }

// LogValue implements slog.LogValuer with a redaction.
func (o CreateOptions) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (o CreateOptions) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Format prints a redaction: Unlock carries a recovery code.
func (u Unlock) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.Unlock") }

// LogValue implements slog.LogValuer with a redaction.
func (u Unlock) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (u Unlock) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Format prints a redaction: RekeyOptions carry a passphrase and a
// recovery code.
func (o RekeyOptions) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.RekeyOptions") }

// LogValue implements slog.LogValuer with a redaction.
func (o RekeyOptions) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (o RekeyOptions) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Format prints a redaction: AdoptKeyOptions carry a vault key.
func (o AdoptKeyOptions) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.AdoptKeyOptions") }

// LogValue implements slog.LogValuer with a redaction.
func (o AdoptKeyOptions) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON redacts.
func (o AdoptKeyOptions) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Format prints a redaction for every verb (the payload holds keys).
func (p payload) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.payload") }

// Format prints a redaction for every verb.
func (k oldKey) Format(f fmt.State, _ rune) { redactedStruct(f, "vault.oldKey") }
