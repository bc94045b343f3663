package strength

import (
	"errors"
	"strings"
	"testing"
)

// The red team's passphrases, common patterns, and strong ones, with the
// score zxcvbn gives them.
func TestEstimate(t *testing.T) {
	tests := []struct {
		pass     string
		min, max int
	}{
		{"Elizabeth1962", 0, 2},
		{"Jessica1985!", 0, 2},
		{"Melbourne2023", 0, 2},
		{"password1", 0, 0},
		{"Summer2024!", 0, 2},
		{"P@ssw0rd2024", 0, 2},
		{"qwertyuiop1234567890", 0, 2},
		{"abcabcabcabcabcabcabc", 0, 1},
		{"wardkeybackup", 0, 1},
		{strings.Repeat("a", 300), 0, 1},
		{"backup passphrase 42", 3, 4},
		{"correct horse battery staple", 4, 4},
		{"orbit tulip gravel lantern", 4, 4},
		{"7f9c2ba4e88f827d", 4, 4},
	}
	for _, tt := range tests {
		r := Estimate([]byte(tt.pass))
		t.Logf("%-30q score %d, %.3g guesses", tt.pass, r.Score, r.Guesses)
		if r.Score < tt.min || r.Score > tt.max {
			t.Errorf("%q: score %d (%.3g guesses), want %d to %d", tt.pass, r.Score, r.Guesses, tt.min, tt.max)
		}
	}
	// Context words cost next to nothing.
	if r := Estimate([]byte("nurse.lee.ward7"), "nurse.lee.ward7"); r.Score > 0 {
		t.Errorf("the profile name as passphrase scores %d", r.Score)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		pass string
		min  int
		ok   bool
	}{
		{"", 0, false},
		{"pw", MinVault, false},
		{"Elizabeth1962", MinVault, false},
		{"Elizabeth1962", MinBackup, false},
		{"Jessica1985!", MinBackup, false},
		{"Melbourne2023", MinBackup, false},
		{"backup passphrase 42", MinBackup, true},
		{"correct horse battery staple", MinBackup, true},
		{"\xff\xfe random bytes from a key file \x00", MinBackup, true},
	}
	for _, tt := range tests {
		err := CheckMin([]byte(tt.pass), tt.min)
		if (err == nil) != tt.ok {
			t.Errorf("CheckMin(%.20q, %d) = %v, want ok=%v", tt.pass, tt.min, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrWeak) {
			t.Errorf("CheckMin(%.20q): %v is not ErrWeak", tt.pass, err)
		}
	}
	if err := Check([]byte("Jessica1985!")); err == nil {
		t.Errorf("Check (a backup's minimum): %v", err)
	}
}

func FuzzEstimate(f *testing.F) {
	for _, s := range []string{"Elizabeth1962", "aaaa", "1.1.91", "aabaabaab", "zxcvbn", "ü\u202e1990-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 {
			t.Skip()
		}
		r := Estimate([]byte(s))
		if r.Score < 0 || r.Score > 4 || r.Guesses < 1 {
			t.Fatalf("%q: %+v", s, r)
		}
	})
}
