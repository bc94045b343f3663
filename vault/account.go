package vault

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Type is the kind of one-time code an account makes.
type Type string

// The account types.
const (
	TOTP  Type = "totp"  // time-based, RFC 6238
	HOTP  Type = "hotp"  // counter-based, RFC 4226
	Steam Type = "steam" // Steam Guard: TOTP-SHA1/30 s shown as 5 characters
)

// Algorithm is the HMAC hash of an account.
type Algorithm string

// The supported algorithms.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// Limits on account parameters.
const (
	MinDigits = 6
	MaxDigits = 8
	MinPeriod = 1
	MaxPeriod = 300
	// DefaultPeriod is the TOTP period when none is given.
	DefaultPeriod = 30
	// SteamDigits is the length of a Steam Guard code.
	SteamDigits = 5
)

// Account is one second-factor credential. Its Secret never prints itself.
type Account struct {
	ID        string    // stable random ID, 16 hex digits
	Issuer    string    // the service, e.g. "EHR"
	Name      string    // the account name at the service, e.g. "dr.jones"
	Type      Type      // totp, hotp or steam
	Secret    Secret    // the shared key
	Algorithm Algorithm // SHA1, SHA256 or SHA512
	Digits    int       // 6 to 8 (steam: 5)
	Period    int       // seconds (totp, steam); 0 for hotp
	Counter   uint64    // hotp: the next counter value to use
	Tags      []string  // free labels
	Note      string    // free text
	Favorite  bool      // kept on top of lists
	Stamp     Stamp     // when and where it last changed (see Merge)
}

// NewID returns a fresh random account ID.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("wardkey: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// Label is "Issuer:Name", or whichever of the two is not empty.
func (a Account) Label() string {
	switch {
	case a.Issuer == "":
		return a.Name
	case a.Name == "":
		return a.Issuer
	}
	return a.Issuer + ":" + a.Name
}

// Normalize fills defaults (type totp, SHA1, 6 digits, 30 s) and the fixed
// Steam parameters, upper-cases the algorithm, and makes the names valid
// UTF-8.
func (a *Account) Normalize() {
	if a.Type == "" {
		a.Type = TOTP
	}
	a.Type = Type(strings.ToLower(string(a.Type)))
	a.Algorithm = Algorithm(strings.ToUpper(strings.ReplaceAll(string(a.Algorithm), "-", "")))
	if a.Algorithm == "" {
		a.Algorithm = SHA1
	}
	switch a.Type {
	case Steam:
		a.Algorithm, a.Digits = SHA1, SteamDigits
		if a.Period == 0 {
			a.Period = DefaultPeriod
		}
		a.Counter = 0
	case HOTP:
		a.Period = 0
		if a.Digits == 0 {
			a.Digits = 6
		}
	default:
		if a.Digits == 0 {
			a.Digits = 6
		}
		if a.Period == 0 {
			a.Period = DefaultPeriod
		}
		a.Counter = 0
	}
	if a.Tags == nil {
		a.Tags = []string{}
	}
	// Names from outside are made valid UTF-8 here, where every account
	// enters the vault, so a save (JSON) never changes them silently.
	a.Issuer = strings.ToValidUTF8(a.Issuer, "\uFFFD")
	a.Name = strings.ToValidUTF8(a.Name, "\uFFFD")
	a.Note = strings.ToValidUTF8(a.Note, "\uFFFD")
	for i, t := range a.Tags {
		a.Tags[i] = strings.ToValidUTF8(t, "\uFFFD")
	}
}

// Validate reports the first thing wrong with an account, in words for the
// person who typed it. It never mentions the secret's value.
func (a Account) Validate() error {
	return checkAccount(a.Issuer, a.Name, a.Type, a.Algorithm, a.Digits, a.Period, a.Secret.IsZero())
}

// checkAccount is Validate on an account's fields: the payload's checking
// scan calls it on fields it holds in locals, without building an Account
// per entry (copies of which were a good part of the scan).
func checkAccount(issuer, name string, typ Type, alg Algorithm, digits, period int, noSecret bool) error {
	if noSecret {
		return errors.New("the secret is empty")
	}
	if blank(issuer) && blank(name) {
		return errors.New("an account needs an issuer or a name")
	}
	switch typ {
	case TOTP, HOTP, Steam:
	default:
		return fmt.Errorf("type %q is not supported (use totp, hotp or steam)", typ)
	}
	switch alg {
	case SHA1, SHA256, SHA512:
	default:
		return fmt.Errorf("algorithm %q is not supported (use SHA1, SHA256 or SHA512)", alg)
	}
	if typ == Steam {
		if digits != SteamDigits || alg != SHA1 {
			return errors.New("a steam account has 5 characters and SHA1")
		}
	} else if digits < MinDigits || digits > MaxDigits {
		return fmt.Errorf("%d digits is not supported (use %d to %d)", digits, MinDigits, MaxDigits)
	}
	if typ != HOTP && (period < MinPeriod || period > MaxPeriod) {
		return fmt.Errorf("a period of %d s is not supported (use %d to %d)", period, MinPeriod, MaxPeriod)
	}
	return nil
}

// Clone returns a deep copy (tags and secret bytes are not shared).
func (a Account) Clone() Account {
	c := a
	c.Tags = append([]string{}, a.Tags...)
	c.Secret = NewSecret(a.Secret.raw())
	return c
}

// SameContent reports whether two accounts are duplicates in the sense of
// Merge: the same issuer, name and secret.
func (a Account) SameContent(b Account) bool {
	return a.Issuer == b.Issuer && a.Name == b.Name && a.Secret.Equal(b.Secret)
}

// blank is strings.TrimSpace(s) == "", sooner (inlined) where s starts
// with an ASCII byte above the space (nearly every name), which is no
// space.
func blank(s string) bool {
	return (len(s) == 0 || s[0]-'!' > 0x7f-'!') && strings.TrimSpace(s) == "" // s[0] not in '!'..0x7f
}
