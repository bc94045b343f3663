package vault

import "testing"

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
