package importer

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDetectionByWhatParses: content detection names candidates; the one
// that yields accounts wins, and a format that recognises a file but yields
// nothing never does.
func TestDetectionByWhatParses(t *testing.T) {
	steam := with(v7, func(w *want) { w.issuer = "Steam" })
	for _, tc := range []struct {
		name, file string
		format     string
		want       []want
	}{
		// A maFile whose JSON has "tokens" is also a FreeOTP+ candidate
		// (checked first); FreeOTP+ reads nothing from it.
		{"steam maFile with tokens null", `{"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","account_name":"Sophia","tokens":null}`, "steam", []want{steam}},
		{"steam maFile with tokens []", `{"tokens":[],"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","account_name":"Sophia"}`, "steam", []want{steam}},
		// Both read: the more specific (earlier) format wins.
		{"freeotp+ with a stray shared_secret", `{"tokens":[{"secret":[1,2,3,4,5,6,7,8,9,10],"issuerExt":"A","label":"b","type":"TOTP"}],"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg=="}`,
			"freeotp-plus", []want{totp("A", "b", "AEBAGBAFAYDQQCIK")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Import([]byte(tc.file), Options{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Format != tc.format {
				t.Errorf("format = %q, want %q", res.Format, tc.format)
			}
			checkAccounts(t, res.Accounts, tc.want)
		})
	}
}

// TestEmptyFiles: a recognised file that holds no entry at all is an
// error that says why, never "0 added".
func TestEmptyFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file, format, why string
		force                   string
	}{
		{"freeotp+ without tokens", `{"tokenOrder":[],"tokens":[]}`, "freeotp-plus", "its token list is empty", ""},
		{"freeotp+ tokens null", `{"tokens":null}`, "freeotp-plus", "its token list is empty", ""},
		{"bitwarden without TOTP", `{"encrypted":false,"items":[{"type":1,"name":"Mail","login":{"username":"me","totp":null}}]}`, "bitwarden", "none of its logins has a TOTP field", ""},
		{"bitwarden csv without TOTP", "name,login_username,login_totp\nMail,me,\n", "bitwarden-csv", "none of its logins has a TOTP field", ""},
		{"steam app data without accounts", `{"accounts":{"x":{"shared_secret":""}}}`, "steam", "", ""},
		{"aegis without entries", `{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[]}}`, "aegis", "it lists no entries", ""},
		{"freeotp+ forced on empty JSON", `{}`, "freeotp-plus", "its token list is empty", "freeotp-plus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Import([]byte(tc.file), Options{Format: tc.force})
			var ee *EmptyError
			if tc.why == "" {
				// Something was read (a skipped entry): a result, not an error.
				if err != nil || len(res.Skipped) == 0 {
					t.Fatalf("res %+v, err %v: want a skipped entry", res, err)
				}
				return
			}
			if !errors.As(err, &ee) || !errors.Is(err, ErrNoAccounts) {
				t.Fatalf("err = %v, want an *EmptyError", err)
			}
			if ee.Format != tc.format || ee.Why != tc.why {
				t.Errorf("EmptyError = %+v, want format %q, why %q", ee, tc.format, tc.why)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("%q does not say why", err)
			}
		})
	}
}

// TestInvalidUTF8Names: invalid UTF-8 in any name from outside is made
// valid (U+FFFD) on the way in, whatever the format.
func TestInvalidUTF8Names(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
	}{
		{"csv", "name,login_username,login_totp\n\"Cl\xffinic\",\"dr\xc3\",JBSWY3DPEHPK3PXP\n"},
		{"authy xml", "<map><string name=\"" + authyKey + "\">[{&quot;name&quot;:&quot;dr\xc3&quot;,&quot;originalIssuer&quot;:&quot;Cl\xffinic&quot;,&quot;digits&quot;:6,&quot;decryptedSecret&quot;:&quot;JBSWY3DPEHPK3PXP&quot;}]</string></map>"},
		{"uri list", "otpauth://totp/Cl\xffinic:dr\xc3?secret=JBSWY3DPEHPK3PXP\n"},
		{"aegis", `{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[{"type":"totp","name":"dr` + "\xc3" + `","issuer":"Cl` + "\xff" + `inic","groups":[],"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30}}],"groups":[{"uuid":"g","name":"T` + "\xfe" + `"}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Import([]byte(tc.file), Options{})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if len(res.Accounts) != 1 {
				t.Fatalf("%d accounts, skipped %v", len(res.Accounts), res.Skipped)
			}
			a := res.Accounts[0]
			for _, s := range append([]string{a.Issuer, a.Name, a.Note}, a.Tags...) {
				if !utf8.ValidString(s) {
					t.Errorf("%q is not valid UTF-8", s)
				}
			}
			if a.Issuer != "Cl\uFFFDinic" || a.Name != "dr\uFFFD" {
				t.Errorf("issuer %q, name %q; want the bad bytes as U+FFFD", a.Issuer, a.Name)
			}
		})
	}
}

// TestAuthyNames: the issuer never comes from Authy's account type (which
// is "authenticator" for every token of another service).
func TestAuthyIssuerNotFromType(t *testing.T) {
	tok := func(fields string) string {
		return "<map><string name=\"" + authyKey + "\">[{" + strings.ReplaceAll(fields, `"`, "&quot;") +
			`,&quot;accountType&quot;:&quot;authenticator&quot;,&quot;digits&quot;:6,&quot;decryptedSecret&quot;:&quot;JBSWY3DPEHPK3PXP&quot;}]</string></map>`
	}
	for _, tc := range []struct {
		fields string
		want   want
	}{
		{`"name":"Mason"`, totp("", "Mason", "JBSWY3DPEHPK3PXP")},
		{`"name":"Deno: Mason","originalIssuer":"Deno"`, totp("Deno", "Mason", "JBSWY3DPEHPK3PXP")},
		{`"name":"Deno: Mason","originalName":"Deno:Mason"`, totp("Deno", "Mason", "JBSWY3DPEHPK3PXP")},
		{`"name":"Deno - Mason"`, totp("Deno", "Mason", "JBSWY3DPEHPK3PXP")},
	} {
		t.Run(tc.fields, func(t *testing.T) {
			res, err := Import([]byte(tok(tc.fields)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAccounts(t, res.Accounts, []want{tc.want})
		})
	}
}
