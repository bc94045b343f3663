package vault

import (
	"regexp"
	"strings"
	"testing"
)

// TestProfileNameMatchesPattern: the hand-written check accepts exactly
// what DESIGN.md's pattern ^[a-z0-9._-]{1,64}$ accepts.
func TestProfileNameMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9._-]{1,64}$`)
	cases := []string{"", "default", "dr.jones", "a_b-c", "A", "é", "a b", "a/b", "..", ".", "x\n",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "\x00", "Z9", "nurse-2"}
	for c := byte(0); c < 128; c++ {
		cases = append(cases, "a"+string(c)+"b")
	}
	for _, n := range cases {
		want := re.MatchString(n) && n != "." && n != ".."
		if got := CheckProfile(n) == nil; got != want {
			t.Errorf("CheckProfile(%q) accepted = %v, want %v", n, got, want)
		}
	}
}
