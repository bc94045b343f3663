package vault

import (
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// HOTPCode returns the code of a counter-based account for counter c. It
// does not advance anything: callers that show a code use [Vault.NextHOTP],
// which saves c+1 first.
func HOTPCode(a Account, c uint64) (string, error) {
	return generate(a, c)
}

// TOTPCode returns the code of a time-based (or Steam) account at t.
func TOTPCode(a Account, t time.Time) (string, error) {
	if a.Type == HOTP {
		return "", errors.New("a counter-based (hotp) account has no code for a time")
	}
	if a.Period < MinPeriod {
		return "", fmt.Errorf("a period of %d s is not supported", a.Period)
	}
	u := t.Unix()
	if u < 0 {
		return "", errors.New("times before 1970 have no code")
	}
	return generate(a, uint64(u)/uint64(a.Period))
}

// Remaining is how long the code shown at t stays valid.
func Remaining(a Account, t time.Time) time.Duration {
	if a.Type == HOTP || a.Period < MinPeriod {
		return 0
	}
	p := int64(a.Period) * int64(time.Second)
	return time.Duration(p - t.UnixNano()%p)
}

func generate(a Account, counter uint64) (string, error) {
	if a.Secret.IsZero() {
		return "", errors.New("the secret is empty")
	}
	opts := hotp.ValidateOpts{Digits: otp.Digits(a.Digits), Encoder: otp.EncoderDefault}
	switch a.Algorithm {
	case SHA1, "":
		opts.Algorithm = otp.AlgorithmSHA1
	case SHA256:
		opts.Algorithm = otp.AlgorithmSHA256
	case SHA512:
		opts.Algorithm = otp.AlgorithmSHA512
	default:
		return "", fmt.Errorf("algorithm %q is not supported", a.Algorithm)
	}
	if a.Type == Steam {
		opts.Algorithm, opts.Digits, opts.Encoder = otp.AlgorithmSHA1, SteamDigits, otp.EncoderSteam
	} else if a.Digits < MinDigits || a.Digits > MaxDigits {
		return "", fmt.Errorf("%d digits is not supported", a.Digits)
	}
	code, err := hotp.GenerateCodeCustom(a.Secret.Base32(), counter, opts)
	if err != nil {
		// Only an invalid secret fails here; say so without the secret.
		return "", fmt.Errorf("generate code: %w", ErrBadSecret)
	}
	return code, nil
}

// GroupCode splits a code for reading aloud or typing: 123 456, 123 4567,
// 1234 5678. Steam codes (5 letters) stay whole.
func GroupCode(code string) string {
	switch len(code) {
	case 6, 7:
		return code[:3] + " " + code[3:]
	case 8:
		return code[:4] + " " + code[4:]
	}
	return code
}
