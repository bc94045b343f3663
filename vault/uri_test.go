package vault_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardkey/wardkey/importer"
	"github.com/wardkey/wardkey/vault"
)

func uriAccount(t testing.TB, issuer, name, b32 string, typ vault.Type, alg vault.Algorithm, digits, period int, counter uint64) vault.Account {
	t.Helper()
	sec, err := vault.ParseSecret(b32)
	if err != nil {
		t.Fatal(err)
	}
	a := vault.Account{Issuer: issuer, Name: name, Secret: sec, Type: typ, Algorithm: alg, Digits: digits, Period: period, Counter: counter}
	a.Normalize()
	return a
}

// sameOTP compares what an otpauth URI carries.
func sameOTP(a, b vault.Account) bool {
	return a.Issuer == b.Issuer && a.Name == b.Name && a.Type == b.Type && a.Secret.Equal(b.Secret) &&
		a.Algorithm == b.Algorithm && a.Digits == b.Digits && a.Period == b.Period && a.Counter == b.Counter
}

func TestURIRoundTrip(t *testing.T) {
	const key = "JBSWY3DPEHPK3PXP"
	tests := []struct {
		name string
		acct vault.Account
		want string // the exact URI, where it matters
	}{
		{"plain totp", uriAccount(t, "EHR", "dr.jones", key, vault.TOTP, vault.SHA1, 6, 30, 0),
			"otpauth://totp/EHR:dr.jones?secret=" + key + "&issuer=EHR&algorithm=SHA1&digits=6&period=30"},
		{"spaces as %20", uriAccount(t, "Air Canada", "j doe@example.org", key, vault.TOTP, vault.SHA256, 8, 60, 0),
			"otpauth://totp/Air%20Canada:j%20doe%40example.org?secret=" + key + "&issuer=Air%20Canada&algorithm=SHA256&digits=8&period=60"},
		{"hotp with counter", uriAccount(t, "VPN", "ops", key, vault.HOTP, vault.SHA512, 8, 0, 1234567),
			"otpauth://hotp/VPN:ops?secret=" + key + "&issuer=VPN&algorithm=SHA512&digits=8&counter=1234567"},
		{"steam", uriAccount(t, "Steam", "gamer", key, vault.Steam, "", 0, 0, 0),
			"otpauth://steam/Steam:gamer?secret=" + key + "&issuer=Steam&algorithm=SHA1&digits=5&period=30"},
		{"no issuer", uriAccount(t, "", "alice", key, vault.TOTP, vault.SHA1, 6, 30, 0),
			"otpauth://totp/alice?secret=" + key + "&algorithm=SHA1&digits=6&period=30"},
		{"colon in the name, no issuer", uriAccount(t, "", "a:b", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"colon in the issuer", uriAccount(t, "Corp: EU", "bob", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"colons everywhere", uriAccount(t, "x:y", "u:v:w", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"reserved characters", uriAccount(t, "A&B=C?#/%+", "n&m=1?#/%+", key, vault.TOTP, vault.SHA1, 7, 45, 0), ""},
		{"unicode", uriAccount(t, "Zürich Spital", "Ärztin Ōno 医師", key, vault.TOTP, vault.SHA1, 6, 30, 0), ""},
		{"odd-length secret", uriAccount(t, "Odd", "o", "AAAAAAAAA", vault.TOTP, vault.SHA1, 6, 30, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := vault.URI(tt.acct)
			if tt.want != "" && u != tt.want {
				t.Errorf("URI:\n got %s\nwant %s", u, tt.want)
			}
			if strings.ContainsAny(u, " +") && !strings.Contains(tt.name, "reserved") {
				t.Errorf("URI has a raw space or '+': %s", u)
			}
			b, err := importer.ParseURI(u)
			if err != nil {
				t.Fatalf("ParseURI(URI(a)): %v", err)
			}
			if !sameOTP(tt.acct, b) {
				t.Fatalf("round trip changed the account:\n  in %q %q %s %s %d %d %d\n out %q %q %s %s %d %d %d", tt.acct.Issuer, tt.acct.Name, tt.acct.Type, tt.acct.Algorithm, tt.acct.Digits, tt.acct.Period, tt.acct.Counter,
					b.Issuer, b.Name, b.Type, b.Algorithm, b.Digits, b.Period, b.Counter)
			}
		})
	}
}

// FuzzURIRoundTrip: for any issuer and name importers keep as given (no
// surrounding white space, valid UTF-8), ParseURI(URI(a)) gives a back.
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
		u := vault.URI(a)
		b, err := importer.ParseURI(u)
		if err != nil {
			t.Fatalf("ParseURI(URI(a)): %v", err)
		}
		if !sameOTP(a, b) {
			t.Fatalf("round trip changed the account: in %q %q, out %q %q", a.Issuer, a.Name, b.Issuer, b.Name)
		}
	})
}
