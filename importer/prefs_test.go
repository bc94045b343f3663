package importer

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
)

func strp(s string) *string { return &s }

func TestAuthyNames(t *testing.T) {
	for _, tc := range []struct {
		name         string
		tok          authyToken
		issuer, acct string
	}{
		{"original issuer", authyToken{Name: "Deno: Mason", OriginalIssuer: strp("Deno"), OriginalName: strp("Deno:Mason")}, "Deno", "Mason"},
		{"original name", authyToken{Name: "Deno:Mason", OriginalName: strp("Deno:Mason")}, "Deno", "Mason"},
		{"dash", authyToken{Name: "Mail - me@example.org"}, "Mail", "me@example.org"},
		{"nothing", authyToken{Name: "me"}, "", "me"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, n := tc.tok.names()
			if i != tc.issuer || n != tc.acct {
				t.Fatalf("names() = %q, %q; want %q, %q", i, n, tc.issuer, tc.acct)
			}
		})
	}
}

// TestAuthyDamagedEntry: one secret that does not decrypt is reported and
// the others imported; the passphrase is asked once.
func TestAuthyDamagedEntry(t *testing.T) {
	b, err := os.ReadFile("testdata/authy/authy_encrypted.xml")
	if err != nil {
		t.Fatal(err)
	}
	damaged := bytes.Replace(b, []byte("94mk0erEKRYU7UKn4o6WAPWR"), []byte("AAAA0erEKRYU7UKn4o6WAPWR"), 1)
	if bytes.Equal(damaged, b) {
		t.Fatal("fixture changed: nothing replaced")
	}
	asked := 0
	res, err := Import(damaged, Options{Passphrase: func() ([]byte, error) { asked++; return []byte("testtest"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, res.Accounts, authyThree[1:])
	if len(res.Skipped) != 1 || res.Skipped[0].Entry != "Deno:Mason" || !strings.Contains(res.Skipped[0].Reason, "does not decrypt") {
		t.Errorf("skipped = %+v", res.Skipped)
	}
	if asked != 1 {
		t.Errorf("passphrase asked %d times", asked)
	}
}

func TestBattleNetRefusals(t *testing.T) {
	b, err := os.ReadFile("testdata/battle_net/battle_net_authenticator.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new string
		is             error
		err            string
	}{
		{name: "other encryption type", old: ">MASK<", new: ">KEYSTORE<", is: ErrNotSupported},
		{name: "secret not hex", old: ">09ec17", new: ">zzec17", err: "not hex"},
		{name: "secret longer than the mask", old: ">09ec17", new: ">09ec1709ec1709ec1709ec1709ec1709ec1709ec1709ec1709ec1709ec17", err: "longer than the mask"},
		{name: "no secret", old: "DEVICE_SECRET\">", new: "DEVICE_SECRETX\">", err: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1)
			if bytes.Equal(in, b) {
				t.Fatal("nothing replaced")
			}
			_, err := Import(in, Options{Format: "battle-net"})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want one containing %q", err, tc.err)
			}
			if strings.Contains(err.Error(), "BMGRXPGF") {
				t.Error("the error shows the secret")
			}
		})
	}
}

func TestTOTPAuthKey(t *testing.T) {
	want := []byte("12345678901234567890")
	for _, tc := range []struct {
		key  string
		base num
		ok   bool
	}{
		{"3132333435363738393031323334353637383930", num{16, true}, true},
		{"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", num{32, true}, true},
		{"gezdgnbvgy3tqojqgezdgnbvgy3tqojq", num{32, true}, true},
		{"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", num{64, true}, true},
		{"3132", num{10, true}, false},
		{"3132", num{}, false},
		{"zz", num{16, true}, false},
		{"", num{16, true}, false},
	} {
		got, err := totpAuthKey(tc.key, tc.base)
		if (err == nil) != tc.ok {
			t.Errorf("%q base %v: err = %v, want ok = %v", tc.key, tc.base, err, tc.ok)
			continue
		}
		if tc.ok && !bytes.Equal(got, want) {
			t.Errorf("%q base %v: key %q", tc.key, tc.base, got)
		}
	}
}

// totpAuthBackup encrypts plain as TOTP Authenticator does.
func totpAuthBackup(t *testing.T, pass, plain string) []byte {
	key := sha256.Sum256([]byte(pass))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	pt := append([]byte(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(ct, pt)
	return []byte(base64.StdEncoding.EncodeToString(ct))
}

// TestTOTPAuthDefaultPassword: a backup made without a password opens
// without asking for one.
func TestTOTPAuthDefaultPassword(t *testing.T) {
	list := `[{"issuer":"Deno","name":"mason","key":"E49270F0D21F365C8408F8B475C5267C","base":16,"digits":"6","period":"30"}]`
	quoted := strings.ReplaceAll(list, `"`, `\"`)
	data := totpAuthBackup(t, "TotpAuthenticator", `{"`+quoted+`":"x"}`)
	res, err := Import(data, Options{Format: "totp-authenticator"})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, res.Accounts, []want{totp("Deno", "mason", v1.secret)})

	// Not a JSON object inside: refused as a wrong passphrase.
	data = totpAuthBackup(t, "pw", `["x"]`)
	if _, err := Import(data, Options{Format: "totp-authenticator", Passphrase: passFunc("pw")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("err = %v, want ErrWrongPassphrase", err)
	}
	if _, err := Import([]byte("not base64!"), Options{Format: "totp-authenticator"}); err == nil || !strings.Contains(err.Error(), "not a TOTP Authenticator backup") {
		t.Errorf("err = %v", err)
	}
}

func TestDuoNoGenerator(t *testing.T) {
	res, err := Import([]byte(`[{"name":"a","otpGenerator":{"otpSecret":"JBSWY3DPEHPK3PXP"}},{"name":"push only"}]`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "duo" || len(res.Accounts) != 1 || len(res.Skipped) != 1 || res.Skipped[0].Entry != "push only" {
		t.Errorf("result = %s, %d accounts, skipped %+v", res.Format, len(res.Accounts), res.Skipped)
	}
}

// FuzzAppFormats runs the Authy, Battle.net, Duo, TOTP Authenticator and
// FreeOTP 2.x parsers, forced and detected, on mutations of their fixtures.
func FuzzAppFormats(f *testing.F) {
	names := []string{"", "authy", "battle-net", "duo", "totp-authenticator", "totp-authenticator-xml", "freeotp2"}
	for _, p := range []string{
		"authy/authy_plain.xml", "authy/authy_encrypted.xml", "battle_net/battle_net_authenticator.xml", "duo/duo.json",
		"totp_authenticator/totp_authenticator.bin", "totp_authenticator/totp_authenticator_internal.xml",
		"freeotp/freeotp_v2_null_algo.xml", "freeotp/freeotp_v2_api23.xml",
	} {
		b, err := os.ReadFile("testdata/" + p)
		if err != nil {
			f.Fatal(err)
		}
		for i := range names {
			f.Add(uint8(i), b)
		}
	}
	// A FreeOTP 2.x backup with a key derivation cheap enough for
	// cheapKDF, so that mutations reach the tokens.
	key := []byte("12345678901234567890")
	f.Add(uint8(6), freeOTP2Backup(f, "test", 1000, []freeOTP2Token{
		{id: "a", token: `{"algo":"SHA256","counter":5,"digits":8,"issuerExt":"Bank","label":"me","type":"HOTP"}`, secret: key, mToken: "HmacSHA256"},
		{id: "b", token: `{"issuerExt":"Steam","label":"gamer","type":"TOTP"}`, secret: key, mToken: "HmacSHA1"},
	}))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		cheapKDF(t)
		name := names[int(which)%len(names)]
		// The fixtures' passwords, so that mutations reach past decryption.
		pass := map[string]string{"authy": "testtest", "totp-authenticator": "Testtest1"}[name]
		if pass == "" {
			pass = "test"
		}
		res, err := Import(data, Options{Format: name, Passphrase: passFunc(pass)})
		if err != nil {
			if strings.Contains(err.Error(), "secret=") {
				t.Fatalf("error shows a URI: %v", err)
			}
			return
		}
		checkResult(t, res)
	})
}
