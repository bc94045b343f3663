package importer

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/poly1305" //lint:ignore SA1019 libsodium's secretstream needs raw Poly1305; no AEAD in x/crypto implements it
)

// enteEncryptedFormat is an Ente Auth encrypted export: Argon2id (libsodium
// crypto_pwhash parameters from the file, capped) and one libsodium
// crypto_secretstream_xchacha20poly1305 message whose plaintext is Ente's
// plain export (otpauth URIs, one per line).
type enteEncryptedFormat struct{}

func (enteEncryptedFormat) name() string { return "ente-encrypted" }

func (enteEncryptedFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && p.has("kdfParams", "encryptedData", "encryptionNonce")
}

type enteFile struct {
	Version   int `json:"version"`
	KDFParams struct {
		MemLimit int64  `json:"memLimit"`
		OpsLimit int64  `json:"opsLimit"`
		Salt     string `json:"salt"`
	} `json:"kdfParams"`
	EncryptedData   string `json:"encryptedData"`
	EncryptionNonce string `json:"encryptionNonce"`
}

func (enteEncryptedFormat) parse(data []byte, o Options, c *collector) error {
	perr := func(err error) error { return &ParseError{Format: "ente-encrypted", Err: err} }
	var f enteFile
	if err := decodeJSON("ente-encrypted", data, &f); err != nil {
		return err
	}
	if f.Version != 1 {
		return perr(fmt.Errorf("version %d is not supported", f.Version))
	}
	salt, e1 := base64.StdEncoding.DecodeString(f.KDFParams.Salt)
	header, e2 := base64.StdEncoding.DecodeString(f.EncryptionNonce)
	ct, e3 := base64.StdEncoding.DecodeString(f.EncryptedData)
	if e1 != nil || e2 != nil || e3 != nil {
		return perr(errors.New("a field is not base64"))
	}
	if len(salt) != 16 || len(header) != 24 {
		return perr(errors.New("the salt or the stream header has the wrong length"))
	}
	k := f.KDFParams
	if k.MemLimit < 8<<10 || k.OpsLimit < 1 || k.MemLimit > maxKDFMemory || k.OpsLimit > maxArgon2Passes {
		if k.MemLimit > maxKDFMemory || k.OpsLimit > maxArgon2Passes {
			return perr(fmt.Errorf("Argon2 with %d MiB and %d passes: %w", k.MemLimit>>20, k.OpsLimit, ErrKDFTooCostly))
		}
		return perr(errors.New("the key derivation parameters are not valid"))
	}
	pass, err := o.passphrase()
	if err != nil {
		return err
	}
	key, err := argon2Key(pass, salt, uint32(k.OpsLimit), uint32(k.MemLimit/1024), 1)
	if err != nil {
		return perr(err)
	}
	plain, err := secretstreamPull(key, header, ct)
	if err != nil {
		return err
	}
	return parseLines("ente-encrypted", plain, c)
}

// secretstreamPull decrypts one message of libsodium's
// crypto_secretstream_xchacha20poly1305 (no associated data). It accepts the
// MESSAGE (0) and FINAL (3) tags, both of which Ente writes.
func secretstreamPull(key, header, c []byte) ([]byte, error) {
	if len(c) < 17 {
		return nil, &ParseError{Format: "ente-encrypted", Err: errors.New("the encrypted data is truncated")}
	}
	subkey, err := chacha20.HChaCha20(key, header[:16])
	if err != nil {
		return nil, err
	}
	var nonce [12]byte
	binary.LittleEndian.PutUint32(nonce[:4], 1)
	copy(nonce[4:], header[16:24])
	mlen := len(c) - 17
	stream := func(counter uint32, dst, src []byte) {
		s, _ := chacha20.NewUnauthenticatedCipher(subkey, nonce[:])
		s.SetCounter(counter)
		s.XORKeyStream(dst, src)
	}
	var block0 [64]byte
	stream(0, block0[:], block0[:])
	var polyKey [32]byte
	copy(polyKey[:], block0[:32])
	var b [64]byte
	b[0] = c[0]
	stream(1, b[:], b[:])
	tag := b[0]
	b[0] = c[0]
	ciphertext, mac := c[1:1+mlen], c[1+mlen:]
	h := poly1305.New(&polyKey)
	h.Write(b[:])
	h.Write(ciphertext)
	var zero [16]byte
	// libsodium pads with (0x10 - 64 + mlen) & 0xf zero bytes: mlen mod 16.
	h.Write(zero[:mlen%16])
	var lens [16]byte
	binary.LittleEndian.PutUint64(lens[8:], uint64(64+mlen))
	h.Write(lens[:])
	if subtle.ConstantTimeCompare(h.Sum(nil), mac) != 1 {
		return nil, ErrWrongPassphrase
	}
	if tag != 0 && tag != 3 {
		return nil, &ParseError{Format: "ente-encrypted", Err: fmt.Errorf("stream tag %d is not a message or a final message", tag)}
	}
	plain := make([]byte, mlen)
	stream(2, plain, ciphertext)
	return plain, nil
}
