package strength

import (
	"errors"
	"strings"
	"testing"
)

func TestPassphraseBits(t *testing.T) {
	tests := []struct {
		pass   string
		strong bool
	}{
		{"correct horse battery staple", true},
		{"orbit tulip gravel lantern", true},
		{"ward 3 nurse station", true},
		{"7f9c2ba4e88f827d", true},
		{"Summer2024!", false},
		{"P@ssw0rd2024", false},
		{"Tr0ub4dor&3", false},
		{"nightshift", false},
		{"clinic-ward-3", false},
		{"abcabcabcabcabcabcabc", false},
		{"zyxwvutsrqponm", false},
	}
	for _, tc := range tests {
		bits := passphraseBits(tc.pass, nil)
		if (bits >= minPassphraseBits) != tc.strong {
			t.Errorf("%q: %.1f bits, want strong=%v", tc.pass, bits, tc.strong)
		}
	}
	// Context words cost next to nothing.
	if b := passphraseBits("nurse.lee", []string{"nurse.lee"}); b > 4 {
		t.Errorf("the profile name costs %.1f bits", b)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pass string
		ok   bool
	}{
		{"", false},
		{"pw", false},
		{"password1", false},
		{"wardkey backup", false},
		{"qwertyuiop1234567890", false},
		{strings.Repeat("a", 300), false},
		{"correct horse battery staple", true},
		{"ward 3 nurse station", true},
		{"7f9c2ba4e88f827d", true},
		{"\xff\xfe random bytes from a key file \x00", true},
	}
	for _, tt := range tests {
		err := Check([]byte(tt.pass))
		if (err == nil) != tt.ok {
			t.Errorf("Check(%.20q) = %v, want ok=%v", tt.pass, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrWeak) {
			t.Errorf("Check(%.20q): %v is not ErrWeak", tt.pass, err)
		}
	}
	if err := Check([]byte("ward-seven-nightshift"), "ward-seven-nightshift"); err == nil {
		t.Error("the profile name as passphrase was accepted")
	}
}

// acct makes an account for plan tests, stamped by c.
