package importer

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// freeOTP2Format is a FreeOTP 2.x backup (externalBackup.xml, which is not
// XML): a Java-serialised HashMap<String,String> holding
//
//   - "masterKey": a JSON key wrapped with a PBKDF2 key of the passphrase
//     (AES-GCM, associated data "AES");
//   - "<uuid>": {"key": "<JSON of the token's secret, AES-GCM under the
//     master key, associated data its mToken such as HmacSHA1>"};
//   - "<uuid>-token": the token JSON without its secret.
//
// Unlike FreeOTP 1.x and FreeOTP+, 2.x stores the HOTP counter as is.
type freeOTP2Format struct{}

func (freeOTP2Format) name() string { return "freeotp2" }

func (freeOTP2Format) detect(p *probe) bool { return isJavaStringMap(p.data) }

// freeOTP2Sealed is an AES-GCM sealed value of a FreeOTP 2.x backup.
type freeOTP2Sealed struct {
	Cipher     string `json:"mCipher"`
	CipherText []int  `json:"mCipherText"`
	Parameters []int  `json:"mParameters"`
	Token      string `json:"mToken"`
}

type freeOTP2MasterKey struct {
	Algorithm    string         `json:"mAlgorithm"`
	EncryptedKey freeOTP2Sealed `json:"mEncryptedKey"`
	Iterations   num            `json:"mIterations"`
	Salt         []int          `json:"mSalt"`
}

// javaBytes turns a JSON array of Java (signed) bytes into bytes.
func javaBytes(what string, v []int) ([]byte, error) {
	out := make([]byte, len(v))
	for i, x := range v {
		if x < -128 || x > 255 {
			return nil, fmt.Errorf("%s is not a list of bytes", what)
		}
		out[i] = byte(x)
	}
	return out, nil
}

// gcmNonce reads the nonce from Java's encoded GCMParameterSpec: a DER
// SEQUENCE { OCTET STRING nonce, INTEGER tag length 16 } or a bare
// OCTET STRING (older Android).
func gcmNonce(der []byte) ([]byte, error) {
	bad := errors.New("its AES-GCM parameters are not valid")
	if len(der) >= 2 && der[0] == 0x30 {
		if int(der[1]) != len(der)-2 || der[1] >= 0x80 {
			return nil, bad
		}
		der = der[2:]
		if len(der) < 2 || der[0] != 0x04 || der[1] >= 0x80 || int(der[1])+2 > len(der) {
			return nil, bad
		}
		nonce, rest := der[2:2+der[1]], der[2+der[1]:]
		switch {
		case len(rest) == 0:
		case len(rest) == 3 && rest[0] == 0x02 && rest[1] == 0x01 && rest[2] == 16:
		default:
			return nil, bad // another tag length, or more than the spec holds
		}
		if len(nonce) == 0 {
			return nil, bad
		}
		return nonce, nil
	}
	if len(der) >= 3 && der[0] == 0x04 && der[1] < 0x80 && int(der[1]) == len(der)-2 {
		return der[2:], nil
	}
	return nil, bad
}

// open decrypts a sealed value with key.
func (s freeOTP2Sealed) open(key []byte) ([]byte, error) {
	if s.Cipher != "AES/GCM/NoPadding" {
		return nil, fmt.Errorf("cipher %q is %w", clip(s.Cipher), ErrNotSupported)
	}
	der, err := javaBytes("mParameters", s.Parameters)
	if err != nil {
		return nil, err
	}
	nonce, err := gcmNonce(der)
	if err != nil {
		return nil, err
	}
	ct, err := javaBytes("mCipherText", s.CipherText)
	if err != nil {
		return nil, err
	}
	return gcmOpen(key, nonce, ct, []byte(s.Token))
}

func (freeOTP2Format) parse(data []byte, o Options, c *collector) error {
	const name = "freeotp2"
	perr := func(err error) error { return &ParseError{Format: name, Err: err} }
	entries, err := readJavaStringMap(data)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return err
		}
		return perr(err)
	}
	values := make(map[string]string, len(entries))
	for _, e := range entries {
		values[e.key] = e.value
	}
	mkJSON, ok := values["masterKey"]
	if !ok {
		return perr(errors.New("the backup has no masterKey"))
	}
	var mk freeOTP2MasterKey
	if err := decodeJSON(name, []byte(mkJSON), &mk); err != nil {
		return err
	}
	var h func() hash.Hash
	switch strings.ToLower(mk.Algorithm) {
	case "pbkdf2withhmacsha1":
		h = sha1.New
	case "pbkdf2withhmacsha512":
		h = sha512.New
	default:
		return perr(fmt.Errorf("key derivation %q is %w", clip(mk.Algorithm), ErrNotSupported))
	}
	salt, err := javaBytes("mSalt", mk.Salt)
	if err != nil {
		return perr(err)
	}
	if !mk.Iterations.ok || mk.Iterations.v < 1 {
		return perr(errors.New("the master key has no valid iteration count"))
	}
	if mk.Iterations.v > maxPBKDF2Iter {
		return fmt.Errorf("PBKDF2 with %d iterations: %w", mk.Iterations.v, ErrKDFTooCostly)
	}
	pass, err := o.passphrase()
	if err != nil {
		return err
	}
	pk, err := pbkdf2Key(h, pass, salt, mk.Iterations.v)
	if err != nil {
		return err
	}
	master, err := mk.EncryptedKey.open(pk)
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			return err
		}
		return perr(fmt.Errorf("the master key: %w", err))
	}
	switch len(master) {
	case 16, 24, 32:
	default:
		return perr(fmt.Errorf("the master key is %d bytes, not an AES key", len(master)))
	}

	for _, e := range entries {
		id, ok := strings.CutSuffix(e.key, "-token")
		if !ok {
			if _, hasToken := values[e.key+"-token"]; !hasToken && e.key != "masterKey" {
				if err := c.skip("entry "+clip(e.key), errors.New("it has a secret but no token details")); err != nil {
					return err
				}
			}
			continue
		}
		var t freeOTPToken
		if err := json.Unmarshal([]byte(e.value), &t); err != nil || !depthOK([]byte(e.value)) {
			if err := c.skip("entry "+clip(id), errors.New("its token is not valid JSON")); err != nil {
				return err
			}
			continue
		}
		r, err := t.raw(0)
		if err == nil {
			r.SecretBytes, err = freeOTP2Secret(values, id, master)
		}
		if err != nil {
			if err := c.skip(entryName(r.Issuer, r.Name, c.n+1), err); err != nil {
				return err
			}
			continue
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

// freeOTP2Secret decrypts the secret of token id.
func freeOTP2Secret(values map[string]string, id string, master []byte) ([]byte, error) {
	v, ok := values[id]
	if !ok {
		return nil, errors.New("the backup has no secret for it")
	}
	var wrap struct {
		Key string `json:"key"`
	}
	var s freeOTP2Sealed
	if !depthOK([]byte(v)) || json.Unmarshal([]byte(v), &wrap) != nil || !depthOK([]byte(wrap.Key)) || json.Unmarshal([]byte(wrap.Key), &s) != nil {
		return nil, errors.New("its secret is not valid JSON")
	}
	secret, err := s.open(master)
	if errors.Is(err, ErrWrongPassphrase) {
		return nil, errors.New("its secret does not decrypt with the master key (the backup is damaged)")
	}
	if err != nil {
		return nil, err
	}
	if len(secret) == 0 {
		return nil, errors.New("the secret is empty")
	}
	return secret, nil
}
