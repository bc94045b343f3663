package vault

import (
	"bytes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
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

// The asymmetric recovery slot (format 2). The recovery code, through
// argon2id with the slot's salt, gives an X25519 identity; the vault key is
// sealed to its public key the way age seals a file key to an X25519
// recipient: an ephemeral X25519 key pair, the shared secret through
// HKDF-SHA256 (salt: ephemeral share ‖ recipient) to a wrapping key, and
// ChaCha20-Poly1305 with a zero nonce (the wrapping key is never used
// twice) and the slot's associated data. So the key can be re-sealed at a
// rotation without the code, and only the code opens it.
const recoveryHKDFInfo = "wardkey recovery v2"

// recoveryIdentity derives the X25519 identity of a recovery code.
func recoveryIdentity(kdf KDFParams, code []byte) (scalar, public []byte, err error) {
	scalar = kdf.derive(code)
	public, err = curve25519.X25519(scalar, curve25519.Basepoint)
	if err != nil {
		wipe(scalar)
		return nil, nil, err
	}
	return scalar, public, nil
}

// newRecoverySlot makes an asymmetric recovery slot for a canonical code.
func newRecoverySlot(vaultID string, k keyRef, key, code []byte, kdf KDFParams) (Slot, error) {
	kdf.Salt = randomBytes(16)
	kdf.Alg = "argon2id"
	if err := kdf.check(); err != nil {
		return Slot{}, err
	}
	scalar, public, err := recoveryIdentity(kdf, code)
	if err != nil {
		return Slot{}, err
	}
	wipe(scalar)
	return sealRecovery(Slot{Kind: SlotRecovery, KDF: &kdf, Recipient: public}, vaultID, k, key)
}

// sealRecovery seals key to the slot's recipient, as the slot of key k.
func sealRecovery(s Slot, vaultID string, k keyRef, key []byte) (Slot, error) {
	if len(s.Recipient) != curve25519.PointSize {
		return Slot{}, fmt.Errorf("recovery slot: %w", ErrTampered)
	}
	eph := randomBytes(curve25519.ScalarSize)
	defer wipe(eph)
	share, err := curve25519.X25519(eph, curve25519.Basepoint)
	if err != nil {
		return Slot{}, err
	}
	shared, err := curve25519.X25519(eph, s.Recipient)
	if err != nil {
		return Slot{}, fmt.Errorf("recovery slot: %w", ErrTampered) // a low-order point
	}
	defer wipe(shared)
	aead, err := recoveryAEAD(shared, share, s.Recipient)
	if err != nil {
		return Slot{}, err
	}
	kdf := *s.KDF
	out := Slot{Kind: SlotRecovery, KeyID: k.id, KeyGen: k.gen, KDF: &kdf, Recipient: bytes.Clone(s.Recipient), Share: share}
	out.Wrapped = aead.Seal(nil, make([]byte, chacha20poly1305.NonceSize), key, slotAD(vaultID, SlotRecovery, k))
	return out, nil
}

func recoveryAEAD(shared, share, recipient []byte) (cipher.AEAD, error) {
	salt := append(bytes.Clone(share), recipient...)
	wrapKey := make([]byte, chacha20poly1305.KeySize)
	defer wipe(wrapKey)
	if _, err := io.ReadFull(hkdf.New(sha256.New, shared, salt, []byte(recoveryHKDFInfo)), wrapKey); err != nil {
		return nil, err
	}
	return chacha20poly1305.New(wrapKey)
}

// openRecovery opens an asymmetric recovery slot with the canonical code.
func (s Slot) openRecovery(vaultID string, code []byte) ([]byte, error) {
	if len(s.Recipient) != curve25519.PointSize || len(s.Share) != curve25519.PointSize || s.Nonce != nil {
		return nil, fmt.Errorf("recovery slot: %w", ErrTampered)
	}
	scalar, public, err := recoveryIdentity(*s.KDF, code)
	if err != nil {
		return nil, err
	}
	defer wipe(scalar)
	if subtle.ConstantTimeCompare(public, s.Recipient) != 1 {
		return nil, ErrWrongPassphrase
	}
	shared, err := curve25519.X25519(scalar, s.Share)
	if err != nil {
		return nil, fmt.Errorf("recovery slot: %w", ErrTampered)
	}
	defer wipe(shared)
	aead, err := recoveryAEAD(shared, s.Share, s.Recipient)
	if err != nil {
		return nil, err
	}
	key, err := aead.Open(nil, make([]byte, chacha20poly1305.NonceSize), s.Wrapped, slotAD(vaultID, SlotRecovery, s.ref()))
	if err != nil || len(key) != keySize {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}
