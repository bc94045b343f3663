package migration

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/wardkey/wardkey/importer/migration/internal/migrationpb"
	"github.com/wardkey/wardkey/vault"
)

func acct(issuer, name string, typ vault.Type, alg vault.Algorithm, digits int, counter uint64, secret string) vault.Account {
	sec, err := vault.ParseSecret(secret)
	if err != nil {
		panic(err)
	}
	a := vault.Account{Issuer: issuer, Name: name, Type: typ, Algorithm: alg, Digits: digits, Counter: counter, Secret: sec}
	a.Normalize()
	return a
}

func describe(a vault.Account) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d|%d|%d", a.Issuer, a.Name, a.Type, a.Secret.Base32(), a.Algorithm, a.Digits, a.Period, a.Counter)
}

// TestRoundTrip: every algorithm, digit count and type, over several codes.
func TestRoundTrip(t *testing.T) {
	var in []vault.Account
	for i, alg := range []vault.Algorithm{vault.SHA1, vault.SHA256, vault.SHA512} {
		for _, d := range []int{6, 8} {
			in = append(in, acct("Clinic ü", fmt.Sprintf("totp-%d-%d", i, d), vault.TOTP, alg, d, 0, "JBSWY3DPEHPK3PXP"))
			in = append(in, acct("", fmt.Sprintf("hotp-%d-%d", i, d), vault.HOTP, alg, d, uint64(1000*i+d), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
		}
	}
	for _, size := range []int{0, 1, 5, 100} {
		t.Run(fmt.Sprint("batch", size), func(t *testing.T) {
			uris, err := Encode(in, size)
			if err != nil {
				t.Fatal(err)
			}
			per := size
			if per == 0 {
				per = DefaultBatchSize
			}
			if want := (len(in) + per - 1) / per; len(uris) != want {
				t.Fatalf("%d URIs, want %d", len(uris), want)
			}
			var out []vault.Account
			var id int32
			for i, u := range uris {
				b, err := Decode(u)
				if err != nil {
					t.Fatal(err)
				}
				if b.Index != i || b.Size != len(uris) || b.Version != 1 {
					t.Errorf("code %d: index %d size %d version %d", i, b.Index, b.Size, b.Version)
				}
				if i == 0 {
					id = b.ID
				} else if b.ID != id {
					t.Errorf("code %d: batch ID %d, want %d as on code 0", i, b.ID, id)
				}
				if len(b.Invalid) > 0 {
					t.Errorf("invalid entries: %v", b.Invalid)
				}
				out = append(out, b.Accounts...)
			}
			if len(out) != len(in) {
				t.Fatalf("%d accounts back, want %d", len(out), len(in))
			}
			for i := range in {
				if g, w := describe(out[i]), describe(in[i]); g != w {
					t.Errorf("account %d: got %s, want %s", i, g, w)
				}
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	steam := acct("Steam", "me", vault.Steam, vault.SHA1, 5, 0, "JBSWY3DPEHPK3PXP")
	seven := acct("X", "y", vault.TOTP, vault.SHA1, 7, 0, "JBSWY3DPEHPK3PXP")
	sixty := acct("X", "y", vault.TOTP, vault.SHA1, 6, 0, "JBSWY3DPEHPK3PXP")
	sixty.Period = 60
	for _, a := range []vault.Account{steam, seven, sixty} {
		if _, err := Encode([]vault.Account{a}, 0); err == nil {
			t.Errorf("Encode(%s) succeeded", describe(a))
		} else if strings.Contains(err.Error(), "JBSWY3DP") {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	if _, err := Encode(nil, 0); err == nil {
		t.Error("Encode(nil) succeeded")
	}
}

// TestEntries covers the enum values, names and refusals of one payload.
func TestEntries(t *testing.T) {
	key := []byte("12345678901234567890")
	p := &pb.Payload{Version: 1, BatchSize: 2, BatchIndex: 1, BatchId: -1320898453, OtpParameters: []*pb.Payload_OtpParameters{
		{Secret: key, Name: "Issuer:acct", Type: pb.Payload_OTP_TYPE_UNSPECIFIED},
		{Secret: key, Name: "Same:acct", Issuer: "Same", Algorithm: pb.Payload_ALGORITHM_SHA512, Digits: pb.Payload_DIGIT_COUNT_EIGHT, Type: pb.Payload_OTP_TYPE_TOTP},
		{Secret: key, Name: "h", Issuer: "I", Type: pb.Payload_OTP_TYPE_HOTP, Counter: 7, Algorithm: pb.Payload_ALGORITHM_SHA256},
		{Secret: key, Name: "md5", Algorithm: pb.Payload_ALGORITHM_MD5},
		{Secret: nil, Name: "empty"},
		{Secret: key, Name: "neg", Type: pb.Payload_OTP_TYPE_HOTP, Counter: -1},
		{Secret: key, Name: "weird", Digits: 9},
		{Secret: key, Name: "odd", Type: 7},
	}}
	raw, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	uri := "otpauth-migration://offline?data=" + strings.TrimRight(base64.StdEncoding.EncodeToString(raw), "=")
	b, err := Decode(uri)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != -1320898453 || b.Size != 2 || b.Index != 1 {
		t.Errorf("batch %d %d/%d", b.ID, b.Index, b.Size)
	}
	want := []string{
		"Issuer|acct|totp|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ|SHA1|6|30|0",
		"Same|acct|totp|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ|SHA512|8|30|0",
		"I|h|hotp|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ|SHA256|6|0|7",
	}
	if len(b.Accounts) != len(want) {
		t.Fatalf("%d accounts, want %d", len(b.Accounts), len(want))
	}
	for i, w := range want {
		if g := describe(b.Accounts[i]); g != w {
			t.Errorf("account %d: %s, want %s", i, g, w)
		}
	}
	wantInvalid := []Invalid{
		{"md5", "algorithm MD5 is not supported"},
		{"empty", "the secret is empty"},
		{"neg", "its counter is negative"},
		{"weird", "digit count 9 is not supported"},
		{"odd", "OTP type 7 is not supported"},
	}
	if fmt.Sprint(b.Invalid) != fmt.Sprint(wantInvalid) {
		t.Errorf("invalid = %v\nwant %v", b.Invalid, wantInvalid)
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct{ uri, err string }{
		{"otpauth://totp/x?secret=A", "not an otpauth-migration"},
		{"otpauth-migration://online?data=AAAA", "not an offline export"},
		{"otpauth-migration://offline?foo=1", "no data"},
		{"otpauth-migration://offline?data=%zz", "percent-encoding"},
		{"otpauth-migration://offline?data=!!!!", "not base64"},
		{"otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff})), "not a Google Authenticator export"},
		{"otpauth-migration://offline?data=GAUgBQ", "index 5 is outside its export of 5"}, // batch_size 5, batch_index 5
		{"otpauth-migration://offline?data=" + strings.Repeat("A", MaxURI), "longer than"},
	} {
		if _, err := Decode(tc.uri); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Decode(%.40q): err = %v, want %q", tc.uri, err, tc.err)
		}
	}
}

// seeds are the migration URIs of the fixtures.
func seeds(t testing.TB) []string {
	var out []string
	files, _ := filepath.Glob("../testdata/google_authenticator/scito/*.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "otpauth-migration:") {
				out = append(out, strings.TrimSpace(line))
			}
		}
	}
	return out
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		b, err := Decode(uri)
		if err != nil {
			return
		}
		if b.Index < 0 || b.Index >= b.Size || b.Size > MaxBatchSize {
			t.Fatalf("batch %d/%d accepted", b.Index, b.Size)
		}
		for _, a := range b.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("invalid account returned: %v", err)
			}
		}
	})
}

func TestFixtureSeeds(t *testing.T) {
	ss := seeds(t)
	if len(ss) < 6 {
		t.Fatalf("only %d seed URIs found", len(ss))
	}
	ok := 0
	for _, s := range ss {
		if _, err := Decode(s); err == nil {
			ok++
		}
	}
	if ok < 6 {
		t.Errorf("only %d of %d fixture URIs decode", ok, len(ss))
	}
}

// TestDecodeBase64 covers the spellings exporters and scanners give the
// data: padding or none, URL-safe letters, '+' turned into a space, line
// breaks.
func TestDecodeBase64(t *testing.T) {
	want := []byte{0xfb, 0xff, 0xbf, 0x01}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"+/+/AQ==", true},
		{"+/+/AQ", true},
		{"-_-_AQ", true},
		{" /+/AQ=", true},
		{"+/+/\r\nAQ", true},
		{"+/+/A", false},
		{"+/+/A!", false},
	} {
		got, err := decodeBase64(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("decodeBase64(%q): err = %v, want ok %v", tc.in, err, tc.ok)
		} else if tc.ok && !bytes.Equal(got, want) {
			t.Errorf("decodeBase64(%q) = %x, want %x", tc.in, got, want)
		}
	}
}
