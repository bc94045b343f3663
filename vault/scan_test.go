package vault

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// scanAll reads account entries from b until one is refused or b ends,
// through the fast path or through general only, keeping each entry (as
// the decoder does) or only its stamp (as the index does), and describes
// each result: the stamp, the bytes left and the error's words, and when
// kept the fields read, the secret and the tags.
func scanAll(b []byte, noFast, keep bool) []string {
	r := &reader{b: b}
	sc := newAccountScanner()
	sc.noFast = noFast
	var out []string
	for i := uint64(0); len(r.b) > 0 && r.err == nil; i++ {
		st := sc.scan(r, i, keep)
		d := fmt.Sprintf("%d/%d/%q left %d err %v", st.Wall, st.Logical, st.Device, len(r.b), r.err)
		if a := sc.a; keep {
			d += fmt.Sprintf(" %q %q %q %q %x %q %d %d %d %q %q %v %d/%d/%q",
				a.ID, a.Issuer, a.Name, a.Type, sc.secret, a.Algorithm, a.Digits, a.Period, a.Counter,
				a.Tags, a.Note, a.Favorite, a.Stamp.Wall, a.Stamp.Logical, a.Stamp.Device)
		}
		out = append(out, d)
	}
	return out
}

// sameScans reports how the fast path's reading of b differs from
// general's, keeping entries and not: "" if it does not.
func sameScans(b []byte) string {
	for _, keep := range []bool{true, false} {
		if fast, general := scanAll(b, false, keep), scanAll(b, true, keep); !reflect.DeepEqual(fast, general) {
			return fmt.Sprintf("keep %v:\nfast    %q\ngeneral %q", keep, fast, general)
		}
	}
	return ""
}

// scanSeeds are account sections' bodies (without the count) of random
// states, and of accounts whose fields take more than one byte of length
// or number (long names and notes, counters and periods above 127, walls
// far from zero).
func scanSeeds() [][]byte {
	rng := rand.New(rand.NewPCG(18, 10))
	var seeds [][]byte
	for range 40 {
		s := randomState(rng)
		seeds = append(seeds, appendAccounts(nil, s.Accounts)[1:])
	}
	long := testAccount(strings.Repeat("I", 200), strings.Repeat("n", 130))
	long.ID, long.Note, long.Tags = "0001", strings.Repeat("note ", 40), []string{strings.Repeat("t", 128), "x"}
	long.Normalize()
	long.Period, long.Stamp = 300, Stamp{Wall: -1 << 40, Logical: 1 << 31, Device: strings.Repeat("d", 150)}
	hotp := testAccount("H", "h")
	hotp.ID, hotp.Type, hotp.Counter = "0002", HOTP, 1<<40
	hotp.Normalize()
	hotp.Stamp = Stamp{Wall: 1 << 62, Logical: 1<<32 - 1, Device: "dev"}
	seeds = append(seeds, appendAccounts(nil, []Account{long, hotp, long})[1:], appendAccounts(nil, []Account{hotp})[1:])
	return seeds
}

// TestScanFastMatchesGeneral: the scan's fast path reads every entry as
// the general path does (the same fields, the same bytes left) and, on
// every truncation and thousands of byte changes, refuses what it refuses
// in the same words.
func TestScanFastMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 11))
	check := func(b []byte) {
		t.Helper()
		if d := sameScans(b); d != "" {
			t.Fatalf("on %x: %s", b, d)
		}
	}
	for _, seed := range scanSeeds() {
		for n := range len(seed) + 1 {
			check(seed[:n])
		}
		for range 100 {
			b := bytes.Clone(seed)
			for range 1 + rng.IntN(3) {
				if len(b) > 0 {
					b[rng.IntN(len(b))] = byte(rng.IntN(256))
				}
			}
			check(b)
		}
	}
	// Lengths and numbers at the edges of one byte, of maxFieldLen and of
	// the ranges small and the stamp's logical accept.
	for _, e := range [][]byte{{0x7f}, {0x80}, {0x80, 0x00}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, {0x80, 0x80, 0x80, 0x80, 0x10}, {0x81, 0x80, 0x80, 0x80, 0x08}} {
		for _, seed := range scanSeeds()[41:] {
			for at := range len(seed) {
				for drop := range min(6, len(seed)-at) {
					check(append(append(bytes.Clone(seed[:at]), e...), seed[at+drop:]...))
				}
			}
		}
	}
}

// FuzzScanFastMatchesGeneral: for any bytes, the scan's fast path and its
// general path read the same entries and refuse alike, in the same words.
func FuzzScanFastMatchesGeneral(f *testing.F) {
	for _, s := range scanSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d := sameScans(b); d != "" {
			t.Fatal(d)
		}
	})
}
