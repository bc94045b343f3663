package replica

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidIDMatchesPattern: validID accepts exactly ^[A-Za-z0-9_-]{1,128}$.
func TestValidIDMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	cases := []string{"", "abc", "ABC_def-09", "a.b", "a/b", "..", "é", strings.Repeat("z", 128), strings.Repeat("z", 129)}
	for c := 0; c < 256; c++ {
		cases = append(cases, "x"+string(rune(c))+"y", string([]byte{byte(c)}))
	}
	for _, id := range cases {
		if got, want := validID(id), re.MatchString(id); got != want {
			t.Errorf("validID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestValidKeyIDMatchesPattern: validKeyID accepts exactly ^[0-9a-f]{32}$.
func TestValidKeyIDMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{32}$`)
	good := strings.Repeat("0123456789abcdef", 2)
	cases := []string{"", good, good[:31], good + "0", strings.ToUpper(good), good[:31] + "g", good[:31] + "\x00"}
	for c := 0; c < 256; c++ {
		cases = append(cases, good[:31]+string([]byte{byte(c)}))
	}
	for _, id := range cases {
		if got, want := validKeyID(id), re.MatchString(id); got != want {
			t.Errorf("validKeyID(%q) = %v, want %v", id, got, want)
		}
	}
}
