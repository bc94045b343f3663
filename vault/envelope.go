package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// The vault file format (docs/vault-format.md).
const (
	FormatName    = "wardkey-vault"
	FormatVersion = 1
	keySize       = chacha20poly1305.KeySize
)

// Slot kinds.
const (
	SlotKeyring    = "keyring"
	SlotPassphrase = "passphrase"
	SlotRecovery   = "recovery"
)

// KeyringService is the service name of vault keys in the OS keyring.
const KeyringService = "wardkey"

type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	VaultID string `json:"vault_id"`
	Nonce   []byte `json:"nonce"`
}

type envelope struct {
	Header  json.RawMessage `json:"header"`
	Slots   []Slot          `json:"slots"`
	Payload []byte          `json:"payload"`
}

// Slot wraps the vault key one way. Any one slot opens the vault.
type Slot struct {
	Kind    string     `json:"kind"`
	Service string     `json:"service,omitempty"` // keyring: item service
	User    string     `json:"user,omitempty"`    // keyring: item user
	KDF     *KDFParams `json:"kdf,omitempty"`     // passphrase, recovery
	Nonce   []byte     `json:"nonce,omitempty"`
	Wrapped []byte     `json:"wrapped,omitempty"`
}

// KDFParams are argon2id parameters, stored in each passphrase slot.
type KDFParams struct {
	Alg     string `json:"alg"`     // "argon2id"
	Memory  uint32 `json:"memory"`  // KiB
	Time    uint32 `json:"time"`    // passes
	Threads uint8  `json:"threads"` // lanes
	Salt    []byte `json:"salt"`
}

// DefaultKDF is argon2id with 64 MiB, 3 passes, 4 lanes (DESIGN.md).
var DefaultKDF = KDFParams{Alg: "argon2id", Memory: 64 * 1024, Time: 3, Threads: 4}

// Bounds on KDF parameters read from a file, so a hostile file cannot ask
// for unbounded memory or time.
const (
	maxKDFMemory  = 1 << 20 // KiB = 1 GiB
	maxKDFTime    = 16
	maxKDFThreads = 64
)

func (p KDFParams) check() error {
	if p.Alg != "argon2id" {
		return fmt.Errorf("key derivation %q is not supported", p.Alg)
	}
	if p.Memory < 8 || p.Memory > maxKDFMemory || p.Time < 1 || p.Time > maxKDFTime ||
		p.Threads < 1 || p.Threads > maxKDFThreads || len(p.Salt) < 16 {
		return errors.New("key derivation parameters are out of range")
	}
	return nil
}

func (p KDFParams) derive(pass []byte) []byte {
	return argon2.IDKey(pass, p.Salt, p.Time, p.Memory, p.Threads, keySize)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("wardkey: no randomness: " + err.Error())
	}
	return b
}

func slotAD(vaultID, kind string) []byte {
	return []byte("wardkey slot v1\x00" + vaultID + "\x00" + kind)
}

// newSecretSlot wraps key under a passphrase or recovery code.
func newSecretSlot(kind, vaultID string, key, pass []byte, kdf KDFParams) (Slot, error) {
	kdf.Salt = randomBytes(16)
	kdf.Alg = "argon2id"
	if err := kdf.check(); err != nil {
		return Slot{}, err
	}
	kek := kdf.derive(pass)
	defer wipe(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return Slot{}, err
	}
	nonce := randomBytes(aead.NonceSize())
	return Slot{Kind: kind, KDF: &kdf, Nonce: nonce, Wrapped: aead.Seal(nil, nonce, key, slotAD(vaultID, kind))}, nil
}

// open unwraps a passphrase or recovery slot.
func (s Slot) open(vaultID string, pass []byte) ([]byte, error) {
	if s.KDF == nil {
		return nil, fmt.Errorf("%s slot has no key derivation: %w", s.Kind, ErrTampered)
	}
	if err := s.KDF.check(); err != nil {
		return nil, fmt.Errorf("%s slot: %w", s.Kind, err)
	}
	kek := s.KDF.derive(pass)
	defer wipe(kek)
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%s slot: %w", s.Kind, ErrTampered)
	}
	key, err := aead.Open(nil, s.Nonce, s.Wrapped, slotAD(vaultID, s.Kind))
	if err != nil || len(key) != keySize {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// parsed is a vault file read from disk but not yet decrypted.
type parsed struct {
	raw    []byte
	env    envelope
	header header
}

// parseFile checks the envelope and header without any key.
func parseFile(b []byte) (*parsed, error) {
	var p parsed
	p.raw = b
	if err := decodeEnvelope(b, &p.env); err != nil || len(p.env.Header) == 0 {
		return nil, ErrNotVault
	}
	if err := json.Unmarshal(p.env.Header, &p.header); err != nil {
		return nil, ErrNotVault
	}
	if p.header.Format != FormatName {
		return nil, ErrNotVault
	}
	if p.header.Version > FormatVersion || p.header.Version < 1 {
		return nil, fmt.Errorf("version %d (this wardkey reads %d): %w", p.header.Version, FormatVersion, ErrUnsupportedVersion)
	}
	if p.header.VaultID == "" || len(p.header.Nonce) != chacha20poly1305.NonceSizeX {
		return nil, ErrTampered
	}
	return &p, nil
}

var payloadKey = []byte(`,"payload":"`)

// decodeEnvelope parses the envelope. The payload, most of the file, is one
// base64 string; scanning it with encoding/json costs several passes, so
// when the file ends the way seal writes it (…,"payload":"<base64>"}) the
// payload is cut out and base64-decoded directly and only the small rest
// goes through encoding/json. Anything else takes the general path.
func decodeEnvelope(b []byte, env *envelope) error {
	t := bytes.TrimRight(b, " \t\r\n")
	i := bytes.Index(t, payloadKey)
	if start, end := i+len(payloadKey), len(t)-2; i > 0 && end >= start && bytes.HasSuffix(t, []byte(`"}`)) {
		body := t[start:end]
		// The base64 decoder refuses any byte outside its alphabet (a quote
		// or backslash included), so a payload that is not one plain
		// string falls through to the general path.
		payload := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
		n, err := base64.StdEncoding.Decode(payload, body)
		if err == nil && bytes.IndexByte(body, '\n') < 0 && bytes.IndexByte(body, '\r') < 0 {
			rest := append(bytes.Clone(t[:i]), '}')
			if err := json.Unmarshal(rest, env); err != nil {
				return err
			}
			env.Payload = payload[:n]
			return nil
		}
	}
	return json.Unmarshal(b, env)
}

// decrypt opens the payload with the vault key.
func (p *parsed) decrypt(key []byte) (State, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return State{}, err
	}
	plain, err := aead.Open(nil, p.header.Nonce, p.env.Payload, p.env.Header)
	if err != nil {
		return State{}, ErrTampered
	}
	defer wipe(plain)
	var s State
	if bytes.HasPrefix(plain, binaryMagic) {
		s, err = unmarshalStateBinary(plain)
	} else {
		s, err = UnmarshalState(plain)
	}
	if err != nil {
		return State{}, fmt.Errorf("%w: %w", ErrTampered, err)
	}
	return s, nil
}

// seal builds the file bytes for a state under key. The header is marshalled
// once and those exact bytes are both stored and used as associated data.
func seal(vaultID string, key []byte, slots []Slot, s State) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	h := header{Format: FormatName, Version: FormatVersion, VaultID: vaultID, Nonce: randomBytes(aead.NonceSize())}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	plain := marshalStateBinary(s)
	defer wipe(plain)
	env := envelope{Header: hb, Slots: slots, Payload: aead.Seal(nil, h.Nonce, plain, hb)}
	out, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// SealWithKey encrypts plain under a 256-bit key with XChaCha20-Poly1305,
// a random nonce first, ad authenticated.
func SealWithKey(key, plain, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	nonce := randomBytes(aead.NonceSize())
	return aead.Seal(nonce, nonce, plain, ad), nil
}

// UnsealWithKey reverses SealWithKey; failure is ErrTampered.
func UnsealWithKey(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrTampered
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}
