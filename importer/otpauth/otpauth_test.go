package otpauth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"
)

// show is what a URI carries, as one comparable line.
func show(a vault.Account) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d|%d|%d", a.Issuer, a.Name, a.Type, a.Secret.Base32(), a.Algorithm, a.Digits, a.Period, a.Counter)
}

func account(t testing.TB, issuer, name, b32 string, typ vault.Type, alg vault.Algorithm, digits, period int, counter uint64) vault.Account {
	t.Helper()
	sec, err := vault.ParseSecret(b32)
	if err != nil {
		t.Fatal(err)
	}
	a := vault.Account{Issuer: issuer, Name: name, Secret: sec, Type: typ, Algorithm: alg, Digits: digits, Period: period, Counter: counter}
	a.Normalize()
	return a
}

func TestParse(t *testing.T) {
	const sec = "JBSWY3DPEHPK3PXP"
	totp := func(issuer, name string) vault.Account {
		return account(t, issuer, name, sec, vault.TOTP, vault.SHA1, 6, 30, 0)
	}
	for _, tc := range []struct {
		uri  string
		want vault.Account
	}{
		{"otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example", totp("Example", "alice@google.com")},
		// The parameter wins over the label prefix.
		{"otpauth://totp/Old:alice?secret=JBSWY3DPEHPK3PXP&issuer=New", totp("New", "alice")},
		// Only the prefix; %3A and spaces after the colon.
		{"otpauth://totp/ACME%20Co%3A%20%20john.doe%40email.com?secret=JBSWY3DPEHPK3PXP", totp("ACME Co", "john.doe@email.com")},
		// '+' in the path is a plus; in the query a space.
		{"otpauth://totp/a+b:c+d?secret=JBSWY3DPEHPK3PXP&issuer=Air+Canada", totp("Air Canada", "c+d")},
		// Unicode, raw and percent-encoded.
		{"otpauth://totp/%C3%84rztekammer:d%C3%BCrer?secret=JBSWY3DPEHPK3PXP", totp("Ärztekammer", "dürer")},
		{"otpauth://totp/Клиника:врач?secret=JBSWY3DPEHPK3PXP", totp("Клиника", "врач")},
		// Lenient secrets: lower case, spaces, padding (%3D), dashes.
		{"otpauth://totp/X:y?secret=jbsw%20y3dp-ehpk3pxp%3D%3D%3D", totp("X", "y")},
		// Algorithm, digits and period; case-insensitive names.
		{"otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&algorithm=sha512&digits=8&period=60",
			account(t, "X", "y", sec, vault.TOTP, vault.SHA512, 8, 60, 0)},
		{"otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&algorithm=SHA-256", account(t, "X", "y", sec, vault.TOTP, vault.SHA256, 6, 30, 0)},
		// HOTP: counter kept, a stray period ignored, no counter = 0.
		{"otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=42&period=30", account(t, "X", "y", sec, vault.HOTP, vault.SHA1, 6, 0, 42)},
		{"otpauth://HOTP/X:y?secret=JBSWY3DPEHPK3PXP", account(t, "X", "y", sec, vault.HOTP, vault.SHA1, 6, 0, 0)},
		// Steam, by host or by encoder.
		{"otpauth://steam/Steam:me?secret=JBSWY3DPEHPK3PXP", account(t, "Steam", "me", sec, vault.Steam, vault.SHA1, 5, 30, 0)},
		{"otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&encoder=steam", account(t, "Steam", "me", sec, vault.Steam, vault.SHA1, 5, 30, 0)},
		// Ente's literal nulls and bare issuer key; unknown parameters.
		{"otpauth://totp/:acct?secret=JBSWY3DPEHPK3PXP&algorithm=null&digits=null&period=null&issuer&image=http%3A%2F%2Fx%2Fa.png&bad=%zz",
			totp("", "acct")},
		// No label at all, issuer from the parameter.
		{"otpauth://totp/?secret=JBSWY3DPEHPK3PXP&issuer=Code%202%20", totp("Code 2", "")},
		{"otpauth://totp?secret=JBSWY3DPEHPK3PXP&issuer=Bare", totp("Bare", "")},
		// The first of a repeated parameter wins; the scheme is case-insensitive.
		{"OTPAUTH://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=8&digits=6", account(t, "X", "y", sec, vault.TOTP, vault.SHA1, 8, 30, 0)},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			a, err := Parse(tc.uri)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if g, w := show(a), show(tc.want); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestParseExtra(t *testing.T) {
	a, x, err := ParseExtra(`otpauth://totp/E:e?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%22trashed%22%3Atrue%2C%22note%22%3A%22n%22%2C%22tags%22%3A%5B%22t%22%5D%7D`)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Trashed || a.Note != "n" || len(a.Tags) != 1 || a.Tags[0] != "t" {
		t.Errorf("trashed %v, note %q, tags %q", x.Trashed, a.Note, a.Tags)
	}
}

// TestParseInvalidUTF8: percent-encoded bytes that are not UTF-8 become
// U+FFFD, never an invalid name.
func TestParseInvalidUTF8(t *testing.T) {
	a, err := Parse("otpauth://totp/Cl%FFinic:dr%C3?secret=JBSWY3DPEHPK3PXP&issuer=Cl%FFinic")
	if err != nil {
		t.Fatal(err)
	}
	if a.Issuer != "Cl\uFFFDinic" || a.Name != "dr\uFFFD" {
		t.Errorf("issuer %q, name %q", a.Issuer, a.Name)
	}
}

func TestParseRefusals(t *testing.T) {
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
		{"otpauth://totp/X:y?secret=" + secret + strings.Repeat("A", MaxURI), "longer than", false},
		{"otpauth://totp/X:\xff?secret=" + secret, "UTF-8", false},
	} {
		t.Run(tc.err, func(t *testing.T) {
			_, err := Parse(tc.uri)
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

func TestURIRoundTrip(t *testing.T) {
	const key = "JBSWY3DPEHPK3PXP"
	tests := []struct {
		name string
		acct vault.Account
		want string // the exact URI, where it matters
	}{
		{"plain totp", account(t, "EHR", "dr.jones", key, vault.TOTP, vault.SHA1, 6, 30, 0),
			"otpauth://totp/EHR:dr.jones?secret=" + key + "&issuer=EHR&algorithm=SHA1&digits=6&period=30"},
		{"spaces as %20", account(t, "Air Canada", "j doe@example.org", key, vault.TOTP, vault.SHA256, 8, 60, 0),
			"otpauth://totp/Air%20Canada:j%20doe%40example.org?secret=" + key + "&issuer=Air%20Canada&algorithm=SHA256&digits=8&period=60"},
		{"hotp with counter", account(t, "VPN", "ops", key, vault.HOTP, vault.SHA512, 8, 0, 1234567),
			"otpauth://hotp/VPN:ops?secret=" + key + "&issuer=VPN&algorithm=SHA512&digits=8&counter=1234567"},
		{"steam", account(t, "Steam", "gamer", key, vault.Steam, "", 0, 0, 0),
			"otpauth://steam/Steam:gamer?secret=" + key + "&issuer=Steam&algorithm=SHA1&digits=5&period=30"},
		{"no issuer", account(t, "", "alice", key, vault.TOTP, vault.SHA1, 6, 30, 0),
			"otpauth://totp/alice?secret=" + key + "&algorithm=SHA1&digits=6&period=30"},
		{"colon in the name, no issuer", account(t, "", "a:b", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"colon in the issuer", account(t, "Corp: EU", "bob", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"colons everywhere", account(t, "x:y", "u:v:w", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"reserved characters", account(t, "A&B=C?#/%+", "n&m=1?#/%+", key, vault.TOTP, vault.SHA1, 7, 45, 0), ""},
		{"unicode", account(t, "Zürich Spital", "Ärztin Ōno 医師", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"odd-length secret", account(t, "Odd", "o", "AAAAAAAAA", vault.TOTP, vault.SHA1, 6, 30, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := Format(tt.acct)
			if tt.want != "" && u != tt.want {
				t.Errorf("Format:\n got %s\nwant %s", u, tt.want)
			}
			if strings.ContainsAny(u, " +") && !strings.Contains(tt.name, "reserved") {
				t.Errorf("Format has a raw space or '+': %s", u)
			}
			b, err := Parse(u)
			if err != nil {
				t.Fatalf("Parse(Format(a)): %v", err)
			}
			if show(tt.acct) != show(b) {
				t.Fatalf("round trip changed the account:\n  in %s\n out %s", show(tt.acct), show(b))
			}
		})
	}
}

// FuzzParseURI: any string either parses to a valid account or fails with
// an error that does not echo it.
func FuzzParseURI(f *testing.F) {
	err := filepath.WalkDir("../testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		if info, err := d.Info(); err != nil || info.Size() > 64<<10 {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "otpauth://") {
				f.Add(line)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=1&digits=8&algorithm=SHA512")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if len(s) > 24 && strings.Contains(err.Error(), s) {
				t.Fatalf("error echoes the input: %v", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse returned an invalid account: %v", err)
		}
		if a.Type != vault.TOTP && a.Type != vault.HOTP && a.Type != vault.Steam {
			t.Fatalf("type %q", a.Type)
		}
		if !utf8.ValidString(a.Issuer) || !utf8.ValidString(a.Name) {
			t.Fatalf("names not valid UTF-8: %q %q", a.Issuer, a.Name)
		}
	})
}

// FuzzURIRoundTrip: for any issuer and name importers keep as given (no
// surrounding white space, valid UTF-8), Parse(Format(a)) gives a back.
func FuzzURIRoundTrip(f *testing.F) {
	f.Add("EHR", "dr.jones", []byte("12345678901234567890"), uint8(0), uint64(0))
	f.Add("x:y", "u:v", []byte{0xff, 0}, uint8(1), uint64(99))
	f.Add("", "a:b", []byte("k"), uint8(2), uint64(0))
	f.Add("A&B", "%zz+", []byte("key"), uint8(0), uint64(0))
	f.Fuzz(func(t *testing.T, issuer, name string, secret []byte, typ uint8, counter uint64) {
		if len(secret) == 0 || !utf8.ValidString(issuer) || !utf8.ValidString(name) ||
			issuer != strings.TrimSpace(issuer) || name != strings.TrimSpace(name) ||
			strings.TrimSpace(issuer) == "" && strings.TrimSpace(name) == "" {
			t.Skip()
		}
		a := vault.Account{Issuer: issuer, Name: name, Secret: vault.NewSecret(secret), Type: []vault.Type{vault.TOTP, vault.HOTP, vault.Steam}[typ%3]}
		if a.Type == vault.HOTP {
			a.Counter = counter
		}
		a.Normalize()
		u := Format(a)
		b, err := Parse(u)
		if err != nil {
			t.Fatalf("Parse(Format(a)): %v", err)
		}
		if show(a) != show(b) {
			t.Fatalf("round trip changed the account: in %q %q, out %q %q", a.Issuer, a.Name, b.Issuer, b.Name)
		}
	})
}
