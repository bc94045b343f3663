package importer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

func TestParseURI(t *testing.T) {
	const sec = "JBSWY3DPEHPK3PXP"
	for _, tc := range []struct {
		uri  string
		want want
	}{
		{"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
			totp("Example", "alice@google.com", sec)},
		// The parameter wins over the label prefix.
		{"otpauth://totp/Old:alice?secret=JBSWY3DPEHPK3PXP&issuer=New", totp("New", "alice", sec)},
		// Only the prefix; %3A and spaces after the colon.
		{"otpauth://totp/ACME%20Co%3A%20%20john.doe%40email.com?secret=JBSWY3DPEHPK3PXP", totp("ACME Co", "john.doe@email.com", sec)},
		// '+' in the path is a plus; in the query a space.
		{"otpauth://totp/a+b:c+d?secret=JBSWY3DPEHPK3PXP&issuer=Air+Canada", totp("Air Canada", "c+d", sec)},
		// Unicode, raw and percent-encoded.
		{"otpauth://totp/%C3%84rztekammer:d%C3%BCrer?secret=JBSWY3DPEHPK3PXP", totp("Ärztekammer", "dürer", sec)},
		{"otpauth://totp/Клиника:врач?secret=JBSWY3DPEHPK3PXP", totp("Клиника", "врач", sec)},
		// Lenient secrets: lower case, spaces, padding (%3D), dashes.
		{"otpauth://totp/X:y?secret=jbsw%20y3dp-ehpk3pxp%3D%3D%3D", totp("X", "y", sec)},
		// Algorithm, digits and period; case-insensitive names.
		{"otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&algorithm=sha512&digits=8&period=60",
			want{"X", "y", vault.TOTP, sec, vault.SHA512, 8, 60, 0}},
		{"otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&algorithm=SHA-256", with(totp("X", "y", sec), func(w *want) { w.alg = vault.SHA256 })},
		// HOTP: counter kept, a stray period ignored, no counter = 0.
		{"otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=42&period=30", want{"X", "y", vault.HOTP, sec, vault.SHA1, 6, 0, 42}},
		{"otpauth://HOTP/X:y?secret=JBSWY3DPEHPK3PXP", want{"X", "y", vault.HOTP, sec, vault.SHA1, 6, 0, 0}},
		// Steam, by host or by encoder.
		{"otpauth://steam/Steam:me?secret=JBSWY3DPEHPK3PXP", want{"Steam", "me", vault.Steam, sec, vault.SHA1, 5, 30, 0}},
		{"otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&encoder=steam", want{"Steam", "me", vault.Steam, sec, vault.SHA1, 5, 30, 0}},
		// Ente's literal nulls and bare issuer key; unknown parameters.
		{"otpauth://totp/:acct?secret=JBSWY3DPEHPK3PXP&algorithm=null&digits=null&period=null&issuer&image=http%3A%2F%2Fx%2Fa.png&bad=%zz",
			totp("", "acct", sec)},
		// No label at all, issuer from the parameter.
		{"otpauth://totp/?secret=JBSWY3DPEHPK3PXP&issuer=Code%202%20", totp("Code 2", "", sec)},
		{"otpauth://totp?secret=JBSWY3DPEHPK3PXP&issuer=Bare", totp("Bare", "", sec)},
		// The first of a repeated parameter wins; the scheme is case-insensitive.
		{"OTPAUTH://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=8&digits=6", with(totp("X", "y", sec), func(w *want) { w.digits = 8 })},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			a, err := ParseURI(tc.uri)
			if err != nil {
				t.Fatalf("ParseURI: %v", err)
			}
			if g, w := got(a).String(), sortWants([]want{tc.want})[0]; g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestParseURIRefusals(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	for _, tc := range []struct {
		uri, err    string
		unsupported bool
	}{
		{"http://totp/X:y?secret=" + secret, "does not start with otpauth://", false},
		{"otpauth://xotp/X:y?secret=" + secret, `type "xotp" is not`, false},
		{"otpauth://totp/X:y?issuer=X", "no secret", false},
		{"otpauth://secret=" + secret, "the part after otpauth:// is not", false},
		{"otpauth://" + secret + "?issuer=X", "the part after otpauth:// is not", false},
		{"otpauth://totp/X:y?secret=", "no secret", false},
		{"otpauth://totp/X:y?secret=" + secret + "1890", "not base32", false},
		{"otpauth://totp/X:y?secret=" + secret + "&digits=ten", `digits "ten" is not a number`, false},
		{"otpauth://totp/X:y?secret=" + secret + "&digits=9", "9 digits is not supported", false},
		{"otpauth://totp/X:y?secret=" + secret + "&digits=0", "0 digits", false},
		{"otpauth://totp/X:y?secret=" + secret + "&period=0", "period of 0 s", false},
		{"otpauth://totp/X:y?secret=" + secret + "&algorithm=MD5", `algorithm "MD5" is not supported`, false},
		{"otpauth://hotp/X:y?secret=" + secret + "&counter=-1", "counter", false},
		{"otpauth://totp/X%zz:y?secret=" + secret, "label is not valid percent-encoding", false},
		{"otpauth://totp/?secret=" + secret, "needs an issuer or a name", false},
		{"otpauth://totp/X:y?secret=" + secret + "%zz", "secret is not valid percent-encoding", false},
		{"otpauth://yandex/X:y?secret=" + secret + "&pin=AAAA", "Yandex", true},
		{"motp://X:y?secret=abcdef0123456789", "mOTP", true},
		{"otpauth://totp/X:y?secret=" + secret + strings.Repeat("A", maxURI), "longer than", false},
		{"otpauth://totp/X:\xff?secret=" + secret, "UTF-8", false},
	} {
		t.Run(tc.err, func(t *testing.T) {
			_, err := ParseURI(tc.uri)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
			if errors.Is(err, ErrNotSupported) != tc.unsupported {
				t.Errorf("errors.Is(err, ErrNotSupported) = %v, want %v", !tc.unsupported, tc.unsupported)
			}
			for _, leak := range []string{secret, "otpauth://t", "otpauth://x", "secret="} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the error %q shows %q", err, leak)
				}
			}
		})
	}
}

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
