package importer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestURIList(t *testing.T) {
	text := "# my accounts\n\n" +
		"otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\r\n" +
		"   \n# comment\n" +
		"\"otpauth://totp/B:b?secret=JBSWY3DPEHPK3PXQ\"\n" +
		"otpauth://totp/C:c?secret=not-base32!\n" +
		"garbage line\n" +
		"otpauth://yandex/D:d?secret=JBSWY3DPEHPK3PXP\n"
	res, err := Import([]byte(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, res.Accounts, []want{totp("A", "a", "JBSWY3DPEHPK3PXP"), totp("B", "b", "JBSWY3DPEHPK3PXQ")})
	wantSkipped := []Skipped{
		{"line 7", "secret is not base32 (letters A to Z and digits 2 to 7)"},
		{"line 8", "it is not an otpauth:// URI"},
		{"line 9", "the Yandex type is not supported by wardkey"},
	}
	if fmt.Sprint(res.Skipped) != fmt.Sprint(wantSkipped) {
		t.Errorf("skipped = %v\nwant      %v", res.Skipped, wantSkipped)
	}
}

func TestLimits(t *testing.T) {
	t.Run("file size", func(t *testing.T) {
		_, err := Import(make([]byte, MaxFileSize+1), Options{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("accounts", func(t *testing.T) {
		var sb strings.Builder
		for i := 0; i <= MaxAccounts; i++ {
			fmt.Fprintf(&sb, "otpauth://totp/X:%d?secret=JBSWY3DPEHPK3PXP\n", i)
		}
		_, err := Import([]byte(sb.String()), Options{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("nesting", func(t *testing.T) {
		if !knownName("aegis") {
			t.Skip("aegis not built yet")
		}
		deep := `{"header":` + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + `,"db":{}}`
		_, err := Import([]byte(deep), Options{Format: "aegis"})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}

func TestUnknownFormat(t *testing.T) {
	for _, in := range []string{"", "hello", "{}", "[]", "\x00\x01\x02"} {
		if _, err := Import([]byte(in), Options{}); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Import(%q): err = %v, want ErrUnknownFormat", in, err)
		}
	}
	if _, err := Import([]byte("x"), Options{Format: "nope"}); err == nil || !strings.Contains(err.Error(), "not known") {
		t.Errorf("unknown --format: err = %v", err)
	}
}

func knownName(n string) bool {
	for _, f := range Formats() {
		if f == n {
			return true
		}
	}
	return false
}

// TestKDFCaps: an encrypted export cannot make wardkey spend unbounded
// memory or time; the refusal comes before any work.
func TestKDFCaps(t *testing.T) {
	pass := Options{Passphrase: func() ([]byte, error) { return []byte("test"), nil }}
	for _, tc := range []struct{ name, file string }{
		{"ente 4 GiB", `{"version":1,"kdfParams":{"memLimit":4294967296,"opsLimit":4,"salt":"FD9Gp/sr9DkWCt0P83maaA=="},"encryptedData":"AAAAAAAAAAAAAAAAAAAAAAAA","encryptionNonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`},
		{"ente 1000 passes", `{"version":1,"kdfParams":{"memLimit":67108864,"opsLimit":1000,"salt":"FD9Gp/sr9DkWCt0P83maaA=="},"encryptedData":"AAAAAAAAAAAAAAAAAAAAAAAA","encryptionNonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`},
		{"aegis scrypt N=2^24", `{"version":1,"header":{"slots":[{"type":1,"key":"00","key_params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"},"n":16777216,"r":8,"p":1,"salt":"00"}],"params":{"nonce":"000000000000000000000000","tag":"00000000000000000000000000000000"}},"db":"AAAA"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import([]byte(tc.file), pass)
			if !errors.Is(err, ErrKDFTooCostly) {
				t.Fatalf("err = %v, want ErrKDFTooCostly", err)
			}
		})
	}
	// andOTP: an iteration count over the cap is not tried as the new format.
	data := append([]byte{0xff, 0xff, 0xff, 0xff}, make([]byte, 60)...)
	if _, err := Import(data, Options{Format: "andotp-encrypted", Passphrase: pass.Passphrase}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("andOTP with 4e9 iterations: err = %v", err)
	}
}
