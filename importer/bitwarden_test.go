package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// bwKDF is the KDF of a test export, as Bitwarden writes it.
type bwKDF struct {
	typ, iter, mem, par int
}

// bitwardenProtect builds a password-protected Bitwarden export of plain
// the way Bitwarden's export_encrypted_json does (see bitwardenFormat):
// a salt that is the base64 of 16 random bytes, used as its UTF-8 text;
// PBKDF2-SHA256 or Argon2id (salt hashed with SHA-256, memory in MiB);
// HKDF-Expand into "enc" and "mac" keys; EncStrings "2.iv|ct|mac".
func bitwardenProtect(t testing.TB, plain []byte, pass string, k bwKDF) []byte {
	t.Helper()
	raw := make([]byte, 16)
	rand.Read(raw)
	salt := base64.StdEncoding.EncodeToString(raw)
	var key []byte
	switch k.typ {
	case 0:
		var err error
		if key, err = pbkdf2.Key(sha256.New, pass, []byte(salt), k.iter, 32); err != nil {
			t.Fatal(err)
		}
	case 1:
		h := sha256.Sum256([]byte(salt))
		key = argon2.IDKey([]byte(pass), h[:], uint32(k.iter), uint32(k.mem*1024), uint8(k.par), 32)
	}
	encKey, _ := hkdf.Expand(sha256.New, key, "enc", 32)
	macKey, _ := hkdf.Expand(sha256.New, key, "mac", 32)
	seal := func(pt []byte) string {
		iv := make([]byte, 16)
		rand.Read(iv)
		n := aes.BlockSize - len(pt)%aes.BlockSize
		padded := append(append([]byte{}, pt...), []byte(strings.Repeat(string(rune(n)), n))...)
		block, _ := aes.NewCipher(encKey)
		ct := make([]byte, len(padded))
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
		m := hmac.New(sha256.New, macKey)
		m.Write(iv)
		m.Write(ct)
		b64 := base64.StdEncoding.EncodeToString
		return "2." + b64(iv) + "|" + b64(ct) + "|" + b64(m.Sum(nil))
	}
	doc := map[string]any{
		"encrypted": true, "passwordProtected": true, "salt": salt,
		"kdfType": k.typ, "kdfIterations": k.iter, "kdfMemory": nil, "kdfParallelism": nil,
		"encKeyValidation_DO_NOT_EDIT": seal([]byte("4f0e2b4c-6f7d-4c55-9d8e-1f2a3b4c5d6e")),
		"data":                         seal(plain),
	}
	if k.typ == 1 {
		doc["kdfMemory"], doc["kdfParallelism"] = k.mem, k.par
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBitwardenPasswordProtected: exports built in the test with
// Bitwarden's documented scheme (PBKDF2 and Argon2id) give every account
// of the unencrypted fixture they wrap.
func TestBitwardenPasswordProtected(t *testing.T) {
	plain, err := os.ReadFile("testdata/bitwarden/bitwarden.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []bwKDF{
		{typ: 0, iter: 600_000},            // Bitwarden's default
		{typ: 1, iter: 3, mem: 16, par: 4}, // Argon2id, Bitwarden's minimum memory
	} {
		name := map[int]string{0: "pbkdf2", 1: "argon2id"}[k.typ]
		t.Run(name, func(t *testing.T) {
			file := bitwardenProtect(t, plain, "correct horse", k)
			res, err := Import(file, Options{Passphrase: passFunc("correct horse")})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Format != "bitwarden" {
				t.Errorf("format %q", res.Format)
			}
			checkAccounts(t, res.Accounts, bitwardenFour)
			if _, err := Import(file, Options{Passphrase: passFunc("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("wrong passphrase: err = %v", err)
			}
			if _, err := Import(file, Options{}); !errors.Is(err, ErrPassphraseNeeded) {
				t.Errorf("no passphrase: err = %v", err)
			}
		})
	}
}

func TestBitwardenRefusals(t *testing.T) {
	pass := Options{Passphrase: passFunc("test")}
	for _, tc := range []struct {
		name, file string
		is         error
		text       string
	}{
		{"account-restricted", `{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","folders":[],"items":[{"type":1,"name":"2.x|y|z"}]}`, nil, "Password protected"},
		{"pbkdf2 too costly", `{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":2000000000,"encKeyValidation_DO_NOT_EDIT":"","data":"2.a|b|c"}`, ErrKDFTooCostly, ""},
		{"argon2 too much memory", `{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":1,"kdfIterations":3,"kdfMemory":4096,"kdfParallelism":4,"encKeyValidation_DO_NOT_EDIT":"","data":"2.a|b|c"}`, ErrKDFTooCostly, ""},
		{"argon2 too many passes", `{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":1,"kdfIterations":100000,"kdfMemory":64,"kdfParallelism":4,"encKeyValidation_DO_NOT_EDIT":"","data":"2.a|b|c"}`, ErrKDFTooCostly, ""},
		{"unknown kdf", `{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":7,"kdfIterations":3,"data":"2.a|b|c"}`, nil, "kdfType 7"},
		{"enc string type 0", `{"encrypted":true,"passwordProtected":true,"salt":"c2FsdA==","kdfType":0,"kdfIterations":5000,"data":"0.AAAA|AAAA"}`, nil, "type 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			o := pass
			o.Passphrase = func() ([]byte, error) { asked = true; return []byte("test"), nil }
			_, err := Import([]byte(tc.file), o)
			if err == nil || tc.is != nil && !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want %v containing %q", err, tc.is, tc.text)
			}
			if asked && tc.is == ErrKDFTooCostly {
				t.Error("the passphrase was asked before the KDF cost was refused")
			}
		})
	}
}

// TestBitwardenWithoutEncryptedKey: an unencrypted export without the
// "encrypted" key (older or third-party writers) is recognised.
func TestBitwardenWithoutEncryptedKey(t *testing.T) {
	res, err := Import([]byte(`{"items":[{"type":1,"name":"Mail","login":{"username":"me","totp":"JBSWY3DPEHPK3PXP"}}]}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "bitwarden" {
		t.Errorf("format %q", res.Format)
	}
	checkAccounts(t, res.Accounts, []want{totp("Mail", "me", "JBSWY3DPEHPK3PXP")})
}

// FuzzBitwardenEncrypted: the password-protected envelope and EncStrings on
// mutated exports (cheap PBKDF2 so the fuzzer reaches past the KDF).
func FuzzBitwardenEncrypted(f *testing.F) {
	plain, err := os.ReadFile("testdata/bitwarden/bitwarden.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bitwardenProtect(f, plain, "test", bwKDF{typ: 0, iter: 1000}))
	f.Add(bitwardenProtect(f, []byte(`{"items":[]}`), "test", bwKDF{typ: 0, iter: 10}))
	f.Add(bitwardenProtect(f, []byte(`{"encrypted":true,"passwordProtected":true}`), "test", bwKDF{typ: 0, iter: 10}))
	f.Fuzz(func(t *testing.T, data []byte) {
		cheapKDF(t)
		res, err := Import(data, Options{Format: "bitwarden", Passphrase: passFunc("test")})
		if err == nil {
			checkResult(t, res)
		}
	})
}
