package importer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sdaAccount is one account of a test SDA folder.
type sdaAccount struct {
	file, name, sharedSecret string
}

var sdaAccounts = []sdaAccount{
	// V7's key, as the steam fixtures hold it.
	{"76561198000000001.maFile", "Sophia", "THIl8+Jl6ugxr8x0X6eRMg=="},
	{"76561198000000002.maFile", "Mason", base64.StdEncoding.EncodeToString([]byte("12345678901234567890"))},
}

var sdaWant = []want{
	with(v7, func(w *want) { w.issuer = "Steam" }),
	{"Steam", "Mason", "steam", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "SHA1", 5, 30, 0},
}

// writeSDA writes a Steam Desktop Authenticator folder the way SDA's
// FileEncryptor does (PBKDF2-HMAC-SHA1, 50,000 iterations, 8-byte salt,
// AES-256-CBC with PKCS#7, base64 file content); passkey "" writes it
// unencrypted. It returns the folder.
func writeSDA(t testing.TB, passkey string, accounts []sdaAccount) string {
	t.Helper()
	dir := t.TempDir()
	type entry struct {
		IV       *string `json:"encryption_iv"`
		Salt     *string `json:"encryption_salt"`
		Filename string  `json:"filename"`
		SteamID  int64   `json:"steamid"`
	}
	manifest := struct {
		Encrypted bool    `json:"encrypted"`
		FirstRun  bool    `json:"first_run"`
		Entries   []entry `json:"entries"`
	}{Encrypted: passkey != ""}
	for i, a := range accounts {
		mafile, _ := json.Marshal(map[string]any{
			"shared_secret": a.sharedSecret, "serial_number": "1", "revocation_code": "R00000",
			"account_name": a.name, "identity_secret": "aWQ=", "status": 1, "device_id": "android:x",
			"Session": map[string]any{"SteamID": 76561198000000001 + i},
		})
		e := entry{Filename: a.file, SteamID: 76561198000000001 + int64(i)}
		content := mafile
		if passkey != "" {
			salt := []byte{1, 2, 3, 4, 5, 6, 7, byte(i)}
			iv := []byte("0123456789abcde" + string(rune('0'+i)))
			key, err := pbkdf2.Key(sha1.New, passkey, salt, 50_000, 32)
			if err != nil {
				t.Fatal(err)
			}
			n := aes.BlockSize - len(mafile)%aes.BlockSize
			padded := append(append([]byte{}, mafile...), []byte(strings.Repeat(string(rune(n)), n))...)
			block, _ := aes.NewCipher(key)
			ct := make([]byte, len(padded))
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, padded)
			content = []byte(base64.StdEncoding.EncodeToString(ct))
			s, v := base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(iv)
			e.Salt, e.IV = &s, &v
		}
		manifest.Entries = append(manifest.Entries, e)
		if err := os.WriteFile(filepath.Join(dir, a.file), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(manifest)
	if err := os.WriteFile(filepath.Join(dir, sdaManifest), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSteamSDA(t *testing.T) {
	enc := writeSDA(t, "passkey", sdaAccounts)
	plain := writeSDA(t, "", sdaAccounts)
	for _, tc := range []struct {
		name, path string
		pass       string
		format     string
		want       []want
	}{
		{"encrypted manifest", filepath.Join(enc, sdaManifest), "passkey", "steam-sda", sdaWant},
		{"one encrypted maFile", filepath.Join(enc, sdaAccounts[1].file), "passkey", "steam-sda", sdaWant[1:]},
		{"plain manifest", filepath.Join(plain, sdaManifest), "", "steam-sda", sdaWant},
		// A plain maFile stands alone: the steam format.
		{"one plain maFile", filepath.Join(plain, sdaAccounts[0].file), "", "steam", sdaWant[:1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ImportFile(tc.path, Options{Passphrase: passFunc(tc.pass)})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Format != tc.format {
				t.Errorf("format %q, want %q", res.Format, tc.format)
			}
			checkAccounts(t, res.Accounts, tc.want)
			if len(res.Skipped) != 0 {
				t.Errorf("skipped %+v", res.Skipped)
			}
			if tc.pass == "" {
				return
			}
			if _, err := ImportFile(tc.path, Options{Passphrase: passFunc("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("wrong passkey: err = %v", err)
			}
			if _, err := ImportFile(tc.path, Options{}); !errors.Is(err, ErrPassphraseNeeded) {
				t.Errorf("no passkey: err = %v", err)
			}
		})
	}
}

func TestSteamSDARefusals(t *testing.T) {
	t.Run("a missing maFile is skipped, the others read", func(t *testing.T) {
		dir := writeSDA(t, "passkey", sdaAccounts)
		os.Remove(filepath.Join(dir, sdaAccounts[0].file))
		res, err := ImportFile(filepath.Join(dir, sdaManifest), Options{Passphrase: passFunc("passkey")})
		if err != nil {
			t.Fatal(err)
		}
		checkAccounts(t, res.Accounts, sdaWant[1:])
		if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Entry, sdaAccounts[0].file) {
			t.Errorf("skipped %+v", res.Skipped)
		}
	})
	t.Run("names outside the folder are not read", func(t *testing.T) {
		dir := writeSDA(t, "", sdaAccounts)
		b, _ := os.ReadFile(filepath.Join(dir, sdaManifest))
		b = []byte(strings.Replace(string(b), sdaAccounts[0].file, "../../etc/passwd", 1))
		res, err := Import(b, Options{Path: filepath.Join(dir, sdaManifest)})
		if err != nil {
			t.Fatal(err)
		}
		checkAccounts(t, res.Accounts, sdaWant[1:])
		if len(res.Skipped) != 1 {
			t.Errorf("skipped %+v", res.Skipped)
		}
	})
	t.Run("a manifest without its folder", func(t *testing.T) {
		dir := writeSDA(t, "", sdaAccounts)
		b, _ := os.ReadFile(filepath.Join(dir, sdaManifest))
		if _, err := Import(b, Options{}); err == nil || !strings.Contains(err.Error(), "import its manifest.json from the folder") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an empty manifest", func(t *testing.T) {
		_, err := Import([]byte(`{"encrypted":false,"entries":[]}`), Options{Path: filepath.Join(t.TempDir(), sdaManifest)})
		if !errors.Is(err, ErrNoAccounts) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("too many encrypted accounts for the KDF cap", func(t *testing.T) {
		var sb strings.Builder
		sb.WriteString(`{"encrypted":true,"entries":[`)
		for i := 0; i < 201; i++ {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(`{"encryption_iv":"AAAAAAAAAAAAAAAAAAAAAA==","encryption_salt":"AAAAAAAAAAA=","filename":"x.maFile","steamid":1}`)
		}
		sb.WriteString("]}")
		asked := false
		_, err := Import([]byte(sb.String()), Options{Path: filepath.Join(t.TempDir(), sdaManifest), Passphrase: func() ([]byte, error) { asked = true; return []byte("x"), nil }})
		if !errors.Is(err, ErrKDFTooCostly) || asked {
			t.Errorf("err = %v, asked = %v", err, asked)
		}
	})
}

// FuzzSteamSDA: mutated manifests over a folder of real (encrypted and
// plain) maFiles.
func FuzzSteamSDA(f *testing.F) {
	enc := writeSDA(f, "test", sdaAccounts)
	plain := writeSDA(f, "", sdaAccounts)
	for _, d := range []string{enc, plain} {
		b, err := os.ReadFile(filepath.Join(d, sdaManifest))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, d == enc)
	}
	f.Fuzz(func(t *testing.T, manifest []byte, encrypted bool) {
		cheapKDF(t)
		dir := plain
		if encrypted {
			dir = enc
		}
		res, err := Import(manifest, Options{Format: "steam-sda", Path: filepath.Join(dir, sdaManifest), Passphrase: passFunc("test")})
		if err == nil {
			checkResult(t, res)
		}
	})
}
