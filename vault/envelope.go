package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// The vault file format (docs/vault-format.md).
const (
	FormatName = "wardkey-vault"
	// FormatVersion is the version this wardkey writes. It reads 1 to 3.
	FormatVersion = 3
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
	KeyID   string `json:"key_id,omitempty"`  // format 2
	KeyGen  uint64 `json:"key_gen,omitempty"` // format 2
	Nonce   []byte `json:"nonce"`
	// Format 3: the payload's plaintext and directory lengths (format3.go).
	Size      int `json:"size,omitempty"`
	Directory int `json:"directory,omitempty"`
}

// envelope is the JSON part of a vault file. In format 1 it holds the
// payload (base64); in format 2 the payload follows the JSON line as raw
// bytes.
type envelope struct {
	Header  json.RawMessage `json:"header"`
	Slots   []Slot          `json:"slots"`
	Payload []byte          `json:"payload,omitempty"`
}

// Slot wraps the vault key one way. Any one slot opens the vault.
//
// A slot of format 2 names the key it wraps (KeyID, KeyGen), and its
// associated data binds the vault ID, its kind and that key: a slot of an
// earlier key spliced into the file, or a slot relabelled, opens nothing.
type Slot struct {
	Kind    string     `json:"kind"`
	KeyID   string     `json:"key_id,omitempty"`  // format 2: the key it wraps
	KeyGen  uint64     `json:"key_gen,omitempty"` // format 2: that key's generation
	Service string     `json:"service,omitempty"` // keyring: item service
	User    string     `json:"user,omitempty"`    // keyring: item user
	KDF     *KDFParams `json:"kdf,omitempty"`     // passphrase, recovery
	// Recipient is the X25519 public key of an asymmetric recovery slot,
	// derived from the recovery code; Share is the ephemeral public key the
	// vault key was sealed with.
	Recipient []byte `json:"recipient,omitempty"`
	Share     []byte `json:"share,omitempty"`
	Nonce     []byte `json:"nonce,omitempty"`
	Wrapped   []byte `json:"wrapped,omitempty"`
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

// keyRef names a vault key: its random ID and its generation (how many
// rotations it descends from). Key IDs are compared to notice a rotation;
// generations, then IDs, order two keys made by concurrent rotations.
type keyRef struct {
	id  string
	gen uint64
}

// newer reports whether k should win over o as the vault's key.
func (k keyRef) newer(o keyRef) bool {
	if k.gen != o.gen {
		return k.gen > o.gen
	}
	return k.id > o.id
}

func newKeyID() string { return hex.EncodeToString(randomBytes(16)) }

// validKeyID reports whether s is shaped like a key ID (32 lowercase hex).
func validKeyID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// legacyKeyID names the key of a format-1 vault, which stored no key ID:
// derived from the key, so every workstation holding it names it alike.
// It reveals nothing of the key (an HMAC under it).
func legacyKeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("wardkey key id v1"))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// legacyAuditKey is the audit key of a format-1 vault until its first save
// stores one: derived from the vault key, so every process agrees on it.
func legacyAuditKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("wardkey audit key v1"))
	return m.Sum(nil)
}

// slotAD is the associated data of a slot's wrapped key: a domain label,
// the vault ID and the slot kind, and in format 2 the key it wraps.
func slotAD(vaultID, kind string, k keyRef) []byte {
	if k.id == "" {
		return []byte("wardkey slot v1\x00" + vaultID + "\x00" + kind)
	}
	return []byte("wardkey slot v2\x00" + vaultID + "\x00" + kind + "\x00" + k.id + "\x00" + strconv.FormatUint(k.gen, 10))
}

// ref is the key a slot claims to wrap ("" for a format-1 slot).
func (s Slot) ref() keyRef { return keyRef{s.KeyID, s.KeyGen} }

// newSecretSlot wraps key under a passphrase.
func newSecretSlot(kind, vaultID string, k keyRef, key, pass []byte, kdf KDFParams) (Slot, error) {
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
	return Slot{Kind: kind, KeyID: k.id, KeyGen: k.gen, KDF: &kdf, Nonce: nonce,
		Wrapped: aead.Seal(nil, nonce, key, slotAD(vaultID, kind, k))}, nil
}

// open unwraps a passphrase slot, or a recovery slot with its code (format
// 1's symmetric one, or format 2's asymmetric one).
func (s Slot) open(vaultID string, pass []byte) ([]byte, error) {
	if s.KDF == nil {
		return nil, fmt.Errorf("%s slot has no key derivation: %w", s.Kind, ErrTampered)
	}
	if err := s.KDF.check(); err != nil {
		return nil, fmt.Errorf("%s slot: %w", s.Kind, err)
	}
	if s.Kind == SlotRecovery && s.Recipient != nil {
		return s.openRecovery(vaultID, pass)
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
	key, err := aead.Open(nil, s.Nonce, s.Wrapped, slotAD(vaultID, s.Kind, s.ref()))
	if err != nil || len(key) != keySize {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

func wipe(b []byte) { clear(b) }

// parsed is a vault file read from disk but not yet decrypted.
type parsed struct {
	raw    []byte
	env    envelope
	header header

	// A format-3 file Load read in part (readInPart): the file, where the
	// payload starts in it, and the chunks read so far; src is nil once
	// all of it is.
	src  *os.File
	base int64
	got  []bool
}

// ref is the key the file's payload is sealed with. A format-1 file names
// none: its ID is derived from the key once it is known.
func (p *parsed) ref(key []byte) keyRef {
	if p.header.Version == 1 {
		return keyRef{id: legacyKeyID(key)}
	}
	return keyRef{p.header.KeyID, p.header.KeyGen}
}

// parseFile checks the envelope and header without any key.
//
// Format 2 is one line of JSON (header and slots) ending in '\n', then the
// payload as raw bytes. Format 1 is one JSON object with the payload in
// base64 inside. Anything after the first line that is not blank makes the
// file format 2.
func parseFile(b []byte) (*parsed, error) {
	p := parsed{raw: b}
	line, rest := b, []byte(nil)
	if i := bytes.IndexByte(b, '\n'); i >= 0 && len(bytes.TrimRight(b[i+1:], " \t\r\n")) > 0 {
		line, rest = b[:i], b[i+1:]
	}
	var err error
	if rest != nil {
		err = json.Unmarshal(line, &p.env)
	} else {
		err = decodeEnvelope(b, &p.env)
	}
	if err != nil || len(p.env.Header) == 0 {
		return nil, ErrNotVault
	}
	if err := json.Unmarshal(p.env.Header, &p.header); err != nil {
		return nil, ErrNotVault
	}
	if err := checkHeader(p.header, rest != nil, p.env.Payload != nil); err != nil {
		return nil, err
	}
	if p.header.Version >= 2 {
		p.env.Payload = rest
	}
	if p.header.Version == 3 && len(rest) != sealedLen(p.header.Size, p.header.Directory) {
		return nil, ErrTampered
	}
	return &p, nil
}

// checkHeader is parseFile's check of a header, for a file whose payload
// follows the header line (rest: format 2) or sits inside the envelope
// (inEnvelope: format 1). PeekKeyringSlot checks the same.
func checkHeader(h header, rest, inEnvelope bool) error {
	if h.Format != FormatName {
		return ErrNotVault
	}
	if h.Version > FormatVersion || h.Version < 1 {
		return fmt.Errorf("version %d (this wardkey reads 1 to %d): %w", h.Version, FormatVersion, ErrUnsupportedVersion)
	}
	if h.VaultID == "" || len(h.Nonce) != chacha20poly1305.NonceSizeX {
		return ErrTampered
	}
	switch h.Version {
	case 1:
		if rest || h.KeyID != "" || h.KeyGen != 0 || h.Size != 0 || h.Directory != 0 {
			return ErrTampered
		}
	case 2, 3:
		if !rest || inEnvelope || !validKeyID(h.KeyID) {
			return ErrTampered
		}
		// Format 3 gives both lengths (each below what a vault file may
		// be), format 2 neither.
		if v3 := h.Size > 0 && h.Size < maxVaultFile && h.Directory > 0 && h.Directory < maxVaultFile; v3 != (h.Version == 3) ||
			h.Version == 2 && (h.Size != 0 || h.Directory != 0) {
			return ErrTampered
		}
	}
	return nil
}

var payloadKey = []byte(`,"payload":"`)

// decodeEnvelope parses a format-1 envelope. The payload, most of the
// file, is one base64 string; scanning it with encoding/json costs several
// passes, so when the file ends the way format 1 was written
// (…,"payload":"<base64>"}) the payload is cut out and base64-decoded
// directly and only the small rest goes through encoding/json. Anything
// else takes the general path.
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

// openPayload authenticates and decrypts the payload with the vault key
// into a buffer the vault owns (secmem.go), so the decrypted secrets are
// never on the heap; the caller gives it back with secureFree. buf, when
// it is payloadBuffer's buffer of the right size, is that buffer (taken:
// freed here on failure); otherwise one is made.
func (p *parsed) openPayload(key, buf []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		secureFree(buf)
		return nil, err
	}
	n := len(p.env.Payload) - aead.Overhead()
	if n <= 0 {
		secureFree(buf)
		return nil, ErrTampered
	}
	if len(buf) != n {
		secureFree(buf)
		buf = secureAlloc(n)
	}
	// buf has room for the plaintext: Open writes it there, not elsewhere.
	plain, err := aead.Open(buf[:0], p.header.Nonce, p.env.Payload, p.env.Header)
	if err != nil {
		secureFree(buf)
		return nil, ErrTampered
	}
	return plain, nil
}

// payloadBuffer maps (and locks) the buffer a format-2 payload is
// decrypted into, before the key is known: File.Open makes it before the
// keyring is asked, so that the pages are mapped while the Secret Service
// answers rather than after. nil for format 1 (its size is known only
// after the base64).
func (p *parsed) payloadBuffer(oneAccount bool) []byte {
	if p.header.Version == 3 {
		size, dir := p.header.Size, p.header.Directory
		if !oneAccount {
			return secureAlloc(size) // the directory is not read (openWhole)
		}
		// Locked part by part as it is decrypted (openPartial): the
		// directory's pages now.
		b := secureAllocUnlocked(size + dir)
		secureLock(b, size, size+dir)
		return b
	}
	if n := len(p.env.Payload) - chacha20poly1305.Overhead; p.header.Version == 2 && n > 0 {
		return secureAlloc(n)
	}
	return nil
}

// decrypt opens the payload with the vault key. A format-1 payload gets
// the audit key derived from the vault key (stored at the next save).
// The caller wipes the keys the payload holds.
func (p *parsed) decrypt(key []byte) (payload, error) {
	ix, pl, err := p.decryptIndexed(key, false, false, nil)
	if ix != nil {
		ix.free() // not reached: no index was asked for
	}
	return pl, err
}

// decryptIndexed is decrypt that, when index is set, indexes a format-2
// file's payload instead of decoding it (indexPayload): the index holds
// the decrypted payload, which the caller frees, and the payload returned
// holds the settings and keys. Anything else (format 1, a JSON payload, or
// index false) is decoded whole, as decrypt does, and the index is nil.
// Both accept exactly the same payloads.
//
// A format-3 payload is indexed the same way, all of it decrypted and
// checked, unless oneAccount is set: then only its directory and the
// sections after the accounts are (openPartial), and the index reads the
// rest as it is used.
func (p *parsed) decryptIndexed(key []byte, index, oneAccount bool, buf []byte) (*payloadIndex, payload, error) {
	var pl payload
	var ix *payloadIndex
	fail := func(err error) (*payloadIndex, payload, error) {
		if ix != nil {
			ix.free()
		}
		wipePayloadKeys(&pl)
		wipeState(pl.state)
		if !errors.Is(err, ErrTampered) {
			err = fmt.Errorf("%w: %w", ErrTampered, err)
		}
		return nil, payload{}, err
	}
	if p.header.Version == 3 && oneAccount && index {
		var err error
		if ix, pl, err = p.openPartial(key, buf); err != nil {
			return nil, payload{}, err
		}
	} else {
		var plain []byte
		var err error
		if p.header.Version == 3 {
			plain, err = p.openWhole(key, buf)
		} else {
			plain, err = p.openPayload(key, buf)
		}
		if err != nil {
			return nil, payload{}, err
		}
		switch {
		case index && p.header.Version >= 2 && bytes.HasPrefix(plain, binaryMagicV2):
			ix, pl, err = indexPayload(plain)
		case plain[0] == '{':
			pl.state, err = UnmarshalState(plain)
		default:
			pl, err = unmarshalPayload(plain)
		}
		if ix == nil {
			secureFree(plain)
		}
		if err != nil {
			return fail(err)
		}
	}
	if p.header.Version == 1 {
		if pl.auditKey != nil || pl.oldKeys != nil {
			return fail(fmt.Errorf("%w: a format-1 payload with format-2 keys", ErrTampered))
		}
		pl.auditKey = legacyAuditKey(key)
	} else if pl.auditKey == nil {
		return fail(fmt.Errorf("%w: the payload has no audit key", ErrTampered))
	}
	return ix, pl, nil
}

// seal builds the file bytes (format 3) for a payload under key k. The
// header is marshalled once and those exact bytes are both stored and used
// as associated data.
func seal(vaultID string, k keyRef, key []byte, slots []Slot, pl payload) ([]byte, error) {
	plain := marshalPayload(pl)
	defer wipe(plain)
	dir, err := directoryOf(plain)
	if err != nil {
		return nil, err // not reached: plain is what marshalPayload writes
	}
	defer wipe(dir)
	return sealPlain(vaultID, k, key, slots, plain, dir)
}

// sealPlain is seal of a payload marshalled, and its directory.
func sealPlain(vaultID string, k keyRef, key []byte, slots []Slot, plain, dir []byte) ([]byte, error) {
	h := header{Format: FormatName, Version: FormatVersion, VaultID: vaultID, KeyID: k.id, KeyGen: k.gen,
		Nonce: randomBytes(chacha20poly1305.NonceSizeX), Size: len(plain), Directory: len(dir)}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	line, err := json.Marshal(envelope{Header: hb, Slots: slots})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(line)+1+sealedLen(len(plain), len(dir)))
	out = append(append(out, line...), '\n')
	return sealSegments(out, key, h.Nonce, hb, plain, dir)
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
