// Package strength estimates how easily a passphrase is guessed, for the
// passphrases wardkey asks for (a vault's, a backup's).
package strength

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passphrase strength, estimated the way zxcvbn does it in spirit (the
// cheapest way a guesser would enumerate it: common passwords and context
// words, keyboard and alphabet runs, repeats, then characters by class),
// without its dictionaries: github.com/ccojocar/zxcvbn-go builds them in
// package init, which cost every wardkey process 62 ms and 18 MB before
// main, `wardkey code` included.

// minPassphraseBits is the estimated guessing cost asked of a passphrase
// for a file that can be attacked offline: 2^36 tries, which at scrypt's
// cost (work factor 18) is years for one GPU.
const minPassphraseBits = 36

// topPasswords are the passwords a guesser tries first.
var topPasswords = strings.Fields(`
password passw0rd qwerty azerty letmein welcome admin administrator iloveyou monkey dragon
football baseball soccer hockey sunshine princess master shadow superman batman trustno1 abc123
login hello freedom whatever qazwsx michael jennifer jordan hunter ranger buster thomas robert
charlie daniel matthew andrew joshua george secret changeme default guest test computer
internet love lovely flower
`)

// commonWords are ordinary words a guesser's dictionary (tens of thousands
// of words) has early, among them those a clinic's staff reach for.
var commonWords = strings.Fields(`
summer winter spring autumn january february march april june july august september october
november december monday tuesday wednesday thursday friday saturday sunday nurse doctor clinic
hospital patient medical health pharmacy ward station night shift morning evening office
reception
`)

// Costs, in bits, of one word of each tier.
const (
	contextWordBits = 2  // the profile name, "wardkey": tried first of all
	topPasswordBits = 7  // about 2^6 top passwords, and a capital or leet variant
	commonWordBits  = 14 // a rank in a 16,000-word dictionary
)

// keyboardRows are runs a guesser walks on a keyboard or keypad.
var keyboardRows = []string{
	"qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn",
	"abcdefghijklmnopqrstuvwxyz", "0123456789", "7894561230",
}

// leet undoes common character substitutions before word matching.
var leet = strings.NewReplacer("0", "o", "1", "l", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// ErrWeak: Check refused a passphrase.
var ErrWeak = errors.New("the passphrase is too easy to guess")

// Check refuses an empty or easily guessed passphrase for a file
// that may be attacked offline (a backup). words are context a guesser
// would try first (the profile name, the user name). Bytes that are not
// text (a key file) are not estimated.
func Check(pass []byte, words ...string) error {
	if len(pass) == 0 {
		return fmt.Errorf("%w: it is empty", ErrWeak)
	}
	s := string(pass)
	if !utf8.ValidString(s) {
		return nil
	}
	if bits := passphraseBits(s, words); bits < minPassphraseBits {
		return fmt.Errorf("%w: %s", ErrWeak, howSoon(bits))
	}
	return nil
}

// howSoon words an estimate: a guesser trying a thousand passphrases a
// second (scrypt on one GPU) would find it ...
func howSoon(bits float64) string {
	secs := math.Exp2(bits) / 1000
	switch {
	case secs < 60:
		return "a guesser would find it at once"
	case secs < 3600:
		return fmt.Sprintf("a guesser would find it in %d minutes", int(secs/60))
	case secs < 86400:
		return fmt.Sprintf("a guesser would find it in %d hours", int(secs/3600))
	}
	return fmt.Sprintf("a guesser would find it in %d days", int(secs/86400))
}

// passphraseBits estimates log2 of the guesses needed for s.
func passphraseBits(s string, context []string) float64 {
	low := strings.ToLower(s)
	tiers := []struct {
		words []string
		bits  float64
	}{
		{append([]string{"wardkey", "backup", "vault", "passphrase"}, lowerWords(context)...), contextWordBits},
		{topPasswords, topPasswordBits},
		{commonWords, commonWordBits},
	}
	// A string that is one unit repeated costs the unit and the count.
	if u := repeatUnit(low); u != "" {
		return passphraseBits(s[:len(u)], context) + math.Log2(float64(len(low)/len(u)))
	}
	rs := []rune(low)
	orig := []rune(s)
	bits := 0.0
	for i := 0; i < len(rs); {
		matched := false
		for _, t := range tiers {
			if n := dictMatch(rs[i:], t.words); n > 0 {
				// A word costs its rank, or its letters if that is less.
				bits += min(t.bits, charsBits(orig[i:i+n]))
				i += n
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if n := runMatch(rs[i:]); n >= 3 {
			bits += 6 // where the run starts and which way it goes
			i += n
			continue
		}
		if n := sameRun(rs[i:]); n >= 3 {
			bits += charBits(orig[i]) + math.Log2(float64(n))
			i += n
			continue
		}
		bits += charBits(orig[i])
		i++
	}
	return bits
}

func lowerWords(ws []string) []string {
	var out []string
	for _, w := range ws {
		if w = strings.ToLower(strings.TrimSpace(w)); utf8.RuneCountInString(w) >= 3 {
			out = append(out, w)
		}
	}
	return out
}

func charsBits(rs []rune) float64 {
	b := 0.0
	for _, r := range rs {
		b += charBits(r)
	}
	return b
}

// charBits is the cost of one character by its class. Letters count 2.5
// bits, not log2(26): text is mostly words.
func charBits(r rune) float64 {
	switch {
	case r >= 'a' && r <= 'z':
		return 2.5
	case r >= 'A' && r <= 'Z':
		return 3
	case r >= '0' && r <= '9':
		return math.Log2(10)
	case r == ' ' || r == '-' || r == '_' || r == '.':
		return 1 // word separators
	case r < 128:
		return 5
	case unicode.IsLetter(r):
		return 4
	}
	return 6
}

// dictMatch returns the length, in runes, of the longest common or context
// word at the start of rs (also after undoing leet substitutions), or 0.
func dictMatch(rs []rune, dict []string) int {
	best := 0
	for _, w := range dict {
		n := utf8.RuneCountInString(w)
		if n <= best || n > len(rs) {
			continue
		}
		head := string(rs[:n])
		if head == w || leet.Replace(head) == w {
			best = n
		}
	}
	return best
}

// runMatch returns the length of a keyboard or alphabet run (either way)
// at the start of rs.
func runMatch(rs []rune) int {
	best := 0
	for _, row := range keyboardRows {
		for _, r := range []string{row, reverse(row)} {
			n := 0
			for start := strings.IndexRune(r, rs[0]); start >= 0 && start+n < len(r) && n < len(rs) && rune(r[start+n]) == rs[n]; {
				n++
			}
			best = max(best, n)
		}
	}
	return best
}

func sameRun(rs []rune) int {
	n := 1
	for n < len(rs) && rs[n] == rs[0] {
		n++
	}
	return n
}

// repeatUnit returns the shortest u with s == u repeated, or "".
func repeatUnit(s string) string {
	for l := 1; l <= len(s)/2; l++ {
		if len(s)%l == 0 && strings.Repeat(s[:l], len(s)/l) == s {
			return s[:l]
		}
	}
	return ""
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
