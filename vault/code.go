package vault

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"time"
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

// steamAlphabet is Steam Guard's 26 code characters.
const steamAlphabet = "23456789BCDFGHJKMNPQRTVWXY"

// generate is RFC 4226's HOTP (and Steam Guard's variant) over the secret's
// bytes: HMAC of the big-endian counter, dynamic truncation, then decimal
// digits or Steam characters. It makes no base32 or hex string of the
// secret, so the only copies are the HMAC's own key blocks, which crypto/hmac
// keeps inside the hash state until it is collected. github.com/pquerna/otp
// and oathtool stay the references it is tested against.
func generate(a Account, counter uint64) (string, error) {
	key := a.Secret.raw()
	if len(key) == 0 {
		return "", errors.New("the secret is empty")
	}
	var h func() hash.Hash
	switch a.Algorithm {
	case SHA1, "":
		h = sha1.New
	case SHA256:
		h = sha256.New
	case SHA512:
		h = sha512.New
	default:
		return "", fmt.Errorf("algorithm %q is not supported", a.Algorithm)
	}
	digits := a.Digits
	if a.Type == Steam {
		h, digits = sha1.New, SteamDigits
	} else if digits < MinDigits || digits > MaxDigits {
		return "", fmt.Errorf("%d digits is not supported", a.Digits)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(h, key)
	mac.Write(msg[:])
	var sumBuf [sha512.Size]byte
	sum := mac.Sum(sumBuf[:0])
	off := sum[len(sum)-1] & 0xf
	value := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	var out [MaxDigits]byte
	if a.Type == Steam {
		for i := range digits {
			out[i] = steamAlphabet[value%uint32(len(steamAlphabet))]
			value /= uint32(len(steamAlphabet))
		}
		return string(out[:digits]), nil
	}
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + value%10)
		value /= 10
	}
	return string(out[:digits]), nil
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
