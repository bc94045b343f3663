// Package strength estimates how easily a passphrase is guessed, for the
// passphrases wardkey asks for (a vault's, a backup's), the way zxcvbn does
// (Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX
// Security 2016): the password is split into the cheapest sequence of
// patterns a guesser would enumerate (words of ranked frequency lists:
// common passwords, English Wikipedia, US TV and film, surnames, first
// names, and the context words given; their l33t, reversed and capitalised
// forms; keyboard walks; repeats; sequences; years and dates; then brute
// force), the guesses of that sequence are estimated, and the estimate is
// put on zxcvbn's 0–4 scale.
//
// The matching and scoring are trustelem/zxcvbn v1.0.1's Go port of
// dropbox/zxcvbn (MIT, see PROVENANCE.md), kept in internal/ with three
// changes: the frequency lists are embedded text files, and they, the
// keyboard graphs and the regular expressions are built on the first
// estimate (sync.OnceValue) instead of at package init, so a process that
// never checks a passphrase (`wardkey code`) pays nothing for them; and the
// two patterns that needed a backtracking regexp library are matched by
// hand.
package strength

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/wardkey/wardkey/app/strength/internal/matching"
	"github.com/wardkey/wardkey/app/strength/internal/scoring"
)

// The minimum scores of the policy's defaults (DESIGN.md: min_passphrase_score).
const (
	// MinVault is the lowest score of a vault passphrase (policy
	// min_passphrase_score, default 2).
	MinVault = 2
	// MinBackup is the lowest score of a backup's passphrase: a backup
	// leaves the machine and can be attacked offline.
	MinBackup = 3
)

// Result is an estimate.
type Result struct {
	Guesses float64 // the estimated number of guesses to find it
	Score   int     // zxcvbn's scale: 0 (too guessable) to 4 (very unguessable)
}

// Estimate scores a passphrase; words are context a guesser tries first
// (the profile name, the user name, "wardkey"). Text that is not UTF-8 (a
// key file's bytes) scores 4: it is not a word-based guess.
func Estimate(pass []byte, words ...string) Result {
	s := string(pass)
	if !utf8.ValidString(s) {
		return Result{Guesses: 1e20, Score: 4}
	}
	ctx := append([]string{"wardkey", "backup", "vault", "passphrase", "password"}, words...)
	seq := scoring.MostGuessableMatchSequence(s, matching.Omnimatch(s, ctx), false)
	return Result{Guesses: seq.Guesses, Score: Score(seq.Guesses)}
}

// Score puts a number of guesses on zxcvbn's 0–4 scale (its thresholds:
// 10^3, 10^6, 10^8, 10^10).
func Score(guesses float64) int {
	const delta = 5
	switch {
	case guesses < 1e3+delta:
		return 0
	case guesses < 1e6+delta:
		return 1
	case guesses < 1e8+delta:
		return 2
	case guesses < 1e10+delta:
		return 3
	}
	return 4
}

// ErrWeak: a passphrase scored below the minimum.
var ErrWeak = errors.New("the passphrase is too easy to guess")

// Check refuses a backup's passphrase that scores below MinBackup. words
// are context a guesser would try first (the profile name).
func Check(pass []byte, words ...string) error { return CheckMin(pass, MinBackup, words...) }

// CheckMin refuses an empty passphrase or one that scores below min (0–4).
func CheckMin(pass []byte, min int, words ...string) error {
	if len(pass) == 0 {
		return fmt.Errorf("%w: it is empty", ErrWeak)
	}
	r := Estimate(pass, words...)
	if r.Score < min {
		return fmt.Errorf("%w: %s", ErrWeak, howSoon(r.Guesses))
	}
	return nil
}

// howSoon words an estimate for an offline guesser with a slow hash
// (zxcvbn's 10^4 guesses a second: scrypt or argon2id on a few GPUs).
func howSoon(guesses float64) string {
	secs := guesses / 1e4
	switch {
	case secs < 60:
		return "a guesser would find it at once"
	case secs < 3600:
		return fmt.Sprintf("a guesser would find it in %d minutes", int(secs/60)+1)
	case secs < 86400:
		return fmt.Sprintf("a guesser would find it in %d hours", int(secs/3600)+1)
	case secs < 86400*365:
		return fmt.Sprintf("a guesser would find it in %d days", int(secs/86400)+1)
	}
	return fmt.Sprintf("a guesser would find it in %d years", int(secs/(86400*365))+1)
}
