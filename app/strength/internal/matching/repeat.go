package matching

import (
	"github.com/wardkey/wardkey/app/strength/internal/match"
	"github.com/wardkey/wardkey/app/strength/internal/scoring"
)

type repeatMatch struct{}

// wardkey: the three regexp2 patterns of the original, (.+)\1+, (.+?)\1+
// and ^(.+?)\1+$, are found by hand (Go's regexp has no backreferences),
// on runes, with the same leftmost, greedy and lazy semantics.

// repeatAt reports the repeats starting at rune index s of r: the longest
// base that repeats (greedy) and the shortest (lazy), each with its count.
func repeatAt(r []rune, s int) (greedyLen, greedyN, lazyLen, lazyN int) {
	for l := 1; s+2*l <= len(r); l++ {
		n := 1
		for s+(n+1)*l <= len(r) && equalRunes(r[s:s+l], r[s+n*l:s+(n+1)*l]) {
			n++
		}
		if n < 2 {
			continue
		}
		if lazyLen == 0 {
			lazyLen, lazyN = l, n
		}
		greedyLen, greedyN = l, n
	}
	return
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// shortestBase is ^(.+?)\1+$ on r: the shortest base that r repeats.
func shortestBase(r []rune) []rune {
	for l := 1; l <= len(r)/2; l++ {
		if len(r)%l != 0 {
			continue
		}
		ok := true
		for k := l; k < len(r) && ok; k += l {
			ok = equalRunes(r[:l], r[k:k+l])
		}
		if ok {
			return r[:l]
		}
	}
	return r
}

func (repeatMatch) Matches(password string) []*match.Match {
	var matches []*match.Match

	r := []rune(password)
	lastIndex := 0 // in runes
	for lastIndex < len(r) {
		s, gl, gn, ll, ln := -1, 0, 0, 0, 0
		for k := lastIndex; k < len(r); k++ {
			if gl, gn, ll, ln = repeatAt(r, k); gl > 0 {
				s = k
				break
			}
		}
		if s < 0 {
			break
		}
		var tokenRunes, base []rune
		if gl*gn > ll*ln {
			// greedy beats lazy for 'aabaab'; greedy's repeated string
			// might itself be repeated (aabaab in aabaabaabaab)
			tokenRunes = r[s : s+gl*gn]
			base = shortestBase(r[s : s+gl])
		} else {
			// lazy beats greedy for 'aaaaa'
			tokenRunes = r[s : s+ll*ln]
			base = r[s : s+ll]
		}
		baseToken := string(base)
		token := string(tokenRunes)
		i := runeToStringIndex(s, password)
		j := runeToStringIndex(s+len(tokenRunes)-1, password)

		// recursively match and score the base string
		baseAnalysis := scoring.MostGuessableMatchSequence(
			baseToken,
			Omnimatch(baseToken, nil),
			false,
		)
		matches = append(matches, &match.Match{
			Pattern:     "repeat",
			I:           i,
			J:           j,
			Token:       token,
			BaseToken:   baseToken,
			BaseGuesses: baseAnalysis.Guesses,
			BaseMatches: baseAnalysis.Sequence,
			RepeatCount: len(tokenRunes) / len(base),
		})
		lastIndex = s + len(tokenRunes)

	}
	return matches
}

// runeToStringIndex turns a rune index of password into a byte index.
func runeToStringIndex(index int, password string) int {
	runes := 0
	for i := range password {
		if runes == index {
			return i
		}
		runes++
	}
	return len(password)
}
