package vault

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// TestCodesMatchPquerna compares the crypto/hmac codes with
// github.com/pquerna/otp, the reference, over random keys of every length
// from 1 to 80 bytes, every algorithm, 6 to 8 digits, Steam, and counters
// up to 2^63.
func TestCodesMatchPquerna(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	algs := map[Algorithm]otp.Algorithm{SHA1: otp.AlgorithmSHA1, SHA256: otp.AlgorithmSHA256, SHA512: otp.AlgorithmSHA512}
	names := []Algorithm{SHA1, SHA256, SHA512}
	for i := range 3000 {
		key := make([]byte, 1+i%80)
		for j := range key {
			key[j] = byte(rng.UintN(256))
		}
		a := Account{Type: HOTP, Secret: NewSecret(key), Algorithm: names[rng.IntN(3)], Digits: MinDigits + rng.IntN(MaxDigits-MinDigits+1)}
		opts := hotp.ValidateOpts{Digits: otp.Digits(a.Digits), Algorithm: algs[a.Algorithm], Encoder: otp.EncoderDefault}
		if i%7 == 0 {
			a.Type, a.Algorithm, a.Digits, a.Period = Steam, SHA1, SteamDigits, DefaultPeriod
			opts = hotp.ValidateOpts{Digits: SteamDigits, Algorithm: otp.AlgorithmSHA1, Encoder: otp.EncoderSteam}
		}
		c := rng.Uint64() >> uint(rng.IntN(64))
		want, err := hotp.GenerateCodeCustom(a.Secret.Base32(), c, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if a.Type == HOTP {
			got, err = HOTPCode(a, c)
		} else {
			// A Steam code for the time that falls in period c.
			got, err = TOTPCode(a, time.Unix(int64(c%(1<<33))*DefaultPeriod, 0))
			want, _ = hotp.GenerateCodeCustom(a.Secret.Base32(), c%(1<<33), opts)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("case %d (%s %s %d digits, %d-byte key, counter %d): got %s, pquerna/otp %s", i, a.Type, a.Algorithm, a.Digits, len(key), c, got, want)
		}
	}
}
