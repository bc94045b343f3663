package vault

import (
	"errors"
	"strings"
)

// Recovery codes use Crockford's base32 alphabet (no I, L, O, U), 28
// characters in 7 groups of 4: 140 random bits a person can type.
const (
	recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	recoveryLen      = 28
	recoveryGroup    = 4
)

// NewRecoveryCode returns a fresh random recovery code, e.g.
// "7K3M-QX2P-…", 140 bits.
func NewRecoveryCode() string {
	b := randomBytes(recoveryLen)
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%recoveryGroup == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(recoveryAlphabet[x&31])
	}
	return sb.String()
}

// ErrBadRecoveryCode: the text is not shaped like a recovery code.
var ErrBadRecoveryCode = errors.New("a recovery code has 28 letters and digits in groups of 4")

// NormalizeRecoveryCode accepts a code typed with any case, spaces or
// dashes, and the look-alikes I, L (1) and O (0), and returns its
// canonical grouped form.
func NormalizeRecoveryCode(s string) (string, error) {
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		}
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", ErrBadRecoveryCode
		}
		raw = append(raw, byte(r))
	}
	if len(raw) != recoveryLen {
		return "", ErrBadRecoveryCode
	}
	var sb strings.Builder
	for i, c := range raw {
		if i > 0 && i%recoveryGroup == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(c)
	}
	return sb.String(), nil
}
