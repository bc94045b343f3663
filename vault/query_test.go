package vault

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// findReference is Find as first written: three lower-cased strings per
// account and stage. The allocation-free Find must agree with it.
func findReference(as []Account, query string) (Account, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return Account{}, fmt.Errorf("an empty query: %w", ErrNotFound)
	}
	stages := []func(Account) bool{
		func(a Account) bool { return a.ID == query },
		func(a Account) bool {
			return strings.ToLower(a.Issuer) == q || strings.ToLower(a.Name) == q ||
				strings.ToLower(a.Issuer+":"+a.Name) == q
		},
		func(a Account) bool { return strings.Contains(strings.ToLower(a.Issuer+":"+a.Name), q) },
	}
	for _, match := range stages {
		var hits []Account
		for _, a := range as {
			if match(a) {
				hits = append(hits, a)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			return hits[0], nil
		default:
			SortAccounts(hits)
			return Account{}, &AmbiguousError{Query: query, Matches: hits}
		}
	}
	return Account{}, fmt.Errorf("%q: %w", query, ErrNotFound)
}

func TestFindMatchesReference(t *testing.T) {
	// Pieces with case traps: Turkish dotted I, Kelvin sign, sharp s,
	// title-case digraphs, Greek final sigma, invalid UTF-8.
	pieces := []string{"a", "A", "b", "İ", "i", "K", "k", "ß", "ǅ", "ǆ", "Σ", "ς", "σ", ":", " ", "\xff", "é", "É", "rfc", "RFC", "Mail"}
	rng := rand.New(rand.NewPCG(5, 6))
	word := func() string {
		var sb strings.Builder
		for range rng.IntN(4) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return sb.String()
	}
	for round := range 400 {
		as := make([]Account, 1+rng.IntN(12))
		for i := range as {
			as[i] = Account{ID: fmt.Sprintf("%04d", rng.IntN(20)), Issuer: word(), Name: word()}
		}
		for range 20 {
			var q string
			switch rng.IntN(4) {
			case 0:
				q = as[rng.IntN(len(as))].ID
			case 1:
				a := as[rng.IntN(len(as))]
				q = strings.ToUpper(a.Issuer + ":" + a.Name)
			default:
				q = word()
			}
			got, gerr := Find(as, q)
			want, werr := findReference(as, q)
			if (gerr == nil) != (werr == nil) || errors.Is(gerr, ErrAmbiguous) != errors.Is(werr, ErrAmbiguous) {
				t.Fatalf("round %d, Find(%q): %v, reference %v", round, q, gerr, werr)
			}
			var ga, wa *AmbiguousError
			if errors.As(gerr, &ga) && errors.As(werr, &wa) {
				ids := func(as []Account) []string {
					var s []string
					for _, a := range as {
						s = append(s, a.ID+a.Issuer+a.Name)
					}
					return s
				}
				if !slices.Equal(ids(ga.Matches), ids(wa.Matches)) {
					t.Fatalf("round %d, Find(%q) matches %q, reference %q", round, q, ids(ga.Matches), ids(wa.Matches))
				}
			}
			if gerr == nil && (got.ID != want.ID || got.Issuer != want.Issuer || got.Name != want.Name) {
				t.Fatalf("round %d, Find(%q) = %q, reference %q", round, q, got.Label(), want.Label())
			}
		}
	}
}

// TestFindAllocatesNothingPerAccount: the allocations of one Find do not
// grow with the number of accounts.
func TestFindAllocatesNothingPerAccount(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts mean nothing under -race; make test checks them without it")
	}
	as := thousandAccounts().Accounts
	for _, q := range []string{"user500", "Issuer 3:user3", as[10].ID, "nothing like it"} {
		n := testing.AllocsPerRun(20, func() { _, _ = Find(as, q) })
		if n > 8 {
			t.Errorf("Find(%q) over %d accounts: %v allocations, want at most 8", q, len(as), n)
		}
	}
}

// TestFindLiveMatchesLive: findLive answers as Find over State.Live does,
// with duplicates (same issuer, name and secret under several IDs) and
// ambiguous queries.
func TestFindLiveMatchesLive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	words := []string{"Mail", "mail", "EHR", "Lab", "ß", "İ", "x"}
	for round := range 300 {
		var as []Account
		for i := range 3 + rng.IntN(30) {
			as = append(as, Account{ID: fmt.Sprintf("%04d", rng.IntN(50)*100+i), Issuer: words[rng.IntN(len(words))], Name: words[rng.IntN(len(words))],
				Secret: NewSecret([]byte{byte(rng.IntN(3))})})
		}
		live := State{Accounts: as}.Live()
		for range 10 {
			q := words[rng.IntN(len(words))]
			switch rng.IntN(3) {
			case 0:
				q = as[rng.IntN(len(as))].ID
			case 1:
				q += ":" + words[rng.IntN(len(words))]
			}
			got, gerr := findLive(as, q)
			want, werr := Find(live, q)
			if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
				t.Fatalf("round %d, findLive(%q): %v, want %v", round, q, gerr, werr)
			}
			if gerr == nil && got.ID != want.ID {
				t.Fatalf("round %d, findLive(%q) = %s, want %s", round, q, got.ID, want.ID)
			}
		}
	}
}

// TestSortAccountsOrder: SortAccounts gives the order of `wardkey list`
// (issuer, then name, case-insensitively, then ID), keeping every account
// whole, on generated states with case traps and duplicates.
func TestSortAccountsOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 6))
	for round := range 300 {
		as := randomState(rng).Accounts
		before := slices.Clone(as)
		SortAccounts(as)
		if !slices.IsSortedFunc(as, func(x, y Account) int {
			return cmp.Or(strings.Compare(strings.ToLower(x.Issuer), strings.ToLower(y.Issuer)),
				strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)), strings.Compare(x.ID, y.ID))
		}) {
			t.Fatalf("round %d: not in order", round)
		}
		// A permutation of what was given: every account still whole.
		key := func(a Account) string {
			return fmt.Sprintf("%s|%s|%s|%x|%v|%d", a.ID, a.Issuer, a.Name, a.Secret.raw(), a.Tags, a.Stamp.Logical)
		}
		got, want := make([]string, len(as)), make([]string, len(before))
		for i := range as {
			got[i], want[i] = key(as[i]), key(before[i])
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: the accounts changed", round)
		}
	}
}

// TestMergeOrdersByID: Merge's accounts and tombstones come in ID order.
func TestMergeOrdersByID(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 7))
	for round := range 200 {
		m := Merge(randomState(rng), randomState(rng))
		if !slices.IsSortedFunc(m.Accounts, func(x, y Account) int { return strings.Compare(x.ID, y.ID) }) ||
			!slices.IsSortedFunc(m.Tombstones, func(x, y Tombstone) int { return strings.Compare(x.ID, y.ID) }) {
			t.Fatalf("round %d: not in ID order", round)
		}
	}
}

// TestAppendLowerMatchesToLower: appendLower (eight ASCII bytes at a time,
// then byte by byte, then rune by rune) is strings.ToLower, appended to
// what the buffer held, for strings of every length up to 40 drawn from
// ASCII around both ends of 'A'..'Z' and 'a'..'z', and runes that change
// length when lower-cased.
func TestAppendLowerMatchesToLower(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 12))
	alphabet := []string{"@", "A", "M", "Z", "[", "`", "a", "z", "{", " ", ":", "0", "\x7f", "\x00", "İ", "K", "ẞ", "Σ", "é", "\xff"}
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(41) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := sb.String()
		prefix := []byte("Pre:")[:rng.IntN(5)]
		if got, want := string(appendLower(bytes.Clone(prefix), s)), string(prefix)+strings.ToLower(s); got != want {
			t.Fatalf("appendLower(%q, %q) = %q, want %q", prefix, s, got, want)
		}
	}
	for c := range 256 {
		s := strings.Repeat(string(rune(c)), 9)
		if c >= 0x80 {
			s = strings.Repeat(string([]byte{byte(c)}), 9)
		}
		if got := string(appendLower(nil, s)); got != strings.ToLower(s) {
			t.Fatalf("appendLower(%q) = %q", s, got)
		}
	}
}

// An ambiguous query over many accounts names the first ten and counts
// the rest: one line, not one screen per hundred accounts.
func TestAmbiguousErrorNamesTen(t *testing.T) {
	var as []Account
	for i := range 25 {
		as = append(as, Account{ID: fmt.Sprintf("%016x", i), Issuer: "Ward", Name: fmt.Sprintf("n%02d", i)})
	}
	msg := (&AmbiguousError{Query: "ward", Matches: as}).Error()
	if !strings.Contains(msg, `"ward" matches 25 accounts: Ward:n00 (0000000000000000)`) || !strings.HasSuffix(msg, "Ward:n09 (0000000000000009), and 15 more") {
		t.Fatalf("%s", msg)
	}
	if msg := (&AmbiguousError{Query: "ward", Matches: as[:10]}).Error(); strings.Contains(msg, "more") {
		t.Fatalf("%s", msg)
	}
}
